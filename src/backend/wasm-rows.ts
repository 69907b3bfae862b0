// The wasm backend's reductions and losses: sum/mean, max/argmax, nllLoss, the
// probability-target loss, mseLoss and l1Loss. Each wrapper has the signature of
// the TypeScript kernel it overrides, places its arrays in WebAssembly memory
// and runs the twin from src/wasm, split over threads by output (each output
// owns its own positions, so shares never write the same element; mse and l1
// run on one thread, their sums in element order). The twins
// compute in float64 in the reference's order: results are bit for bit the
// TypeScript kernels'.

import type { Kernels } from "./backend.js";
import type { WasmContext } from "./wasm-threads.js";
import { AXIS_DIMS, LOSS_DIMS, REDUCE_DIMS } from "./wasm-dims.js";
import type { AxisDims } from "../ops/axis.js";
import type { ReduceDims } from "../ops/reduce.js";
import type { LossDims as ElementwiseLossDims } from "../ops/loss-reduction.js";

/** The kernels this file overrides. */
export type RowKernels = Pick<Kernels,
  "sumForward" | "sumBackward" | "argmaxForward" | "maxForward" | "maxBackward" | "maxAllBackward" |
  "nllLossForward" | "nllLossBackward" | "probabilityLossForward" | "probabilityLossBackward" |
  "mseLossForward" | "mseLossBackward" | "l1LossForward" | "l1LossBackward">;

/** The wasm twins of the reduction and class-loss kernels. */
export function rowKernels(context: WasmContext): RowKernels {
  return { ...reductionKernels(context), ...lossKernels(context), ...regressionKernels(context) };
}

// The per-thread dims pointers of a call over the N·inner outputs of `d`, each reading all J of its classes.
function axisShares({ threads }: WasmContext, d: AxisDims): number[] {
  const outputs = d.N * d.inner;
  return threads.shares(outputs * d.J, outputs).map((share, t) => threads.dims(t, AXIS_DIMS, d, share));
}

function reductionKernels(context: WasmContext) {
  const { ex, threads } = context;
  // sumForward (out = y, overwritten) and sumBackward (out = dx, accumulated): the offset lists go in as arrays,
  // their lengths O and R in the dims struct, the scale as a float64 argument.
  const summing = (run: typeof ex.sumForward, accumulates: boolean) => threads.wrap((call, out: Float32Array, from: Float32Array, d: ReduceDims) => {
    const po = call.out(out, accumulates), pf = call.in(from), pk = call.in(d.kept), pr = call.in(d.reduced);
    const counts = { O: d.kept.length, R: d.reduced.length };
    return [run, threads.shares(counts.O * counts.R, counts.O).map((share, t) => [po, pf, pk, pr, d.scale, threads.dims(t, REDUCE_DIMS, counts, share)])];
  });
  return {
    sumForward: summing(ex.sumForward, false),
    sumBackward: summing(ex.sumBackward, true),

    argmaxForward: threads.wrap((call, indices, x, d) => {
      const pi = call.out(indices, false), px = call.in(x);
      return [ex.argmaxForward, axisShares(context, d).map((pd) => [pi, px, pd])];
    }),

    maxForward: threads.wrap((call, values, indices, x, d) => {
      const pv = call.out(values, false), pi = call.out(indices, false), px = call.in(x);
      return [ex.maxForward, axisShares(context, d).map((pd) => [pv, pi, px, pd])];
    }),

    maxBackward: threads.wrap((call, dx, dy, indices, d) => {
      const pdx = call.out(dx, true), pdy = call.in(dy), pi = call.in(indices);
      return [ex.maxBackward, axisShares(context, d).map((pd) => [pdx, pdy, pi, pd])];
    }),

    // One thread: every element's share needs the count over all of them.
    maxAllBackward: threads.wrap((call, dx, dy, x, value) => [ex.maxAllBackward, [[call.out(dx, true), call.in(dy), call.in(x), value, x.length]]]),
  } satisfies Partial<RowKernels>;
}

function lossKernels(context: WasmContext) {
  const { ex, threads } = context;
  return {
    nllLossForward: threads.wrap((call, nll, smooth, logProbs, labels, weight, d) => {
      const pn = call.out(nll, false), ps = call.out(smooth, false), plp = call.in(logProbs), pl = call.in(labels), pw = call.in(weight);
      return [ex.nllLossForward, axisShares(context, d).map((pd) => [pn, ps, plp, pl, pw, pd, d.smoothing])];
    }),

    nllLossBackward: threads.wrap((call, dlogProbs, gNll, gSmooth, labels, weight, d) => {
      const pdlp = call.out(dlogProbs, true), pgn = call.in(gNll), pgs = call.in(gSmooth), pl = call.in(labels), pw = call.in(weight);
      return [ex.nllLossBackward, axisShares(context, d).map((pd) => [pdlp, pgn, pgs, pl, pw, pd, d.smoothing])];
    }),

    probabilityLossForward: threads.wrap((call, loss, logProbs, target, weight, d) => {
      const pl = call.out(loss, false), plp = call.in(logProbs), pt = call.in(target), pw = call.in(weight);
      return [ex.probabilityLossForward, axisShares(context, d).map((pd) => [pl, plp, pt, pw, pd, d.smoothing])];
    }),

    probabilityLossBackward: threads.wrap((call, dlogProbs, dtarget, g, logProbs, target, weight, d) => {
      // A null gradient is the null pointer 0: the heap starts at 64 KiB, so no array lives there.
      const pdlp = dlogProbs === null ? 0 : call.out(dlogProbs, true), pdt = dtarget === null ? 0 : call.out(dtarget, true);
      const pg = call.in(g), plp = call.in(logProbs), pt = call.in(target), pw = call.in(weight);
      return [ex.probabilityLossBackward, axisShares(context, d).map((pd) => [pdlp, pdt, pg, plp, pt, pw, pd, d.smoothing])];
    }),
  } satisfies Partial<RowKernels>;
}

// mseLoss and l1Loss: one thread (a "sum" or "mean" is one float64 sum in element order, which a split would change).
function regressionKernels({ ex, threads }: WasmContext) {
  const codes = { none: 0, sum: 1, mean: 2 } as const; // src/wasm/loss-reduction.ts
  const dims = (d: ElementwiseLossDims) => threads.dims(0, LOSS_DIMS, { count: d.count, reduction: codes[d.reduction] });
  const forward = (run: typeof ex.mseLossForward) => threads.wrap((call, loss: Float32Array, input: Float32Array, target: Float32Array, d: ElementwiseLossDims) =>
    [run, [[call.out(loss, false), call.in(input), call.in(target), dims(d)]]]);
  const backward = (run: typeof ex.mseLossBackward) =>
    threads.wrap((call, dinput: Float32Array | null, dtarget: Float32Array | null, dloss: Float32Array, input: Float32Array, target: Float32Array, d: ElementwiseLossDims) => {
      const pdi = dinput === null ? 0 : call.out(dinput, true), pdt = dtarget === null ? 0 : call.out(dtarget, true);
      return [run, [[pdi, pdt, call.in(dloss), call.in(input), call.in(target), dims(d)]]];
    });
  return {
    mseLossForward: forward(ex.mseLossForward),
    mseLossBackward: backward(ex.mseLossBackward),
    l1LossForward: forward(ex.l1LossForward),
    l1LossBackward: backward(ex.l1LossBackward),
  } satisfies Partial<RowKernels>;
}
