// Kernel cases of the reductions and the class loss (src/ops/reduce.ts, max.ts,
// nll-loss.ts) at batch B, on whichever backend is active (ctx.kernels):
//
//   sum      mean over (2, 3) of conv2's output (B,16,10,10), a global average pool;
//            sum over the batch of fc1's output (B,120), a bias gradient
//   max      over the 10 logits of each of B rows (the prediction), argmax alone
//   nllLoss  class targets on (B,10) log-probabilities with label smoothing 0.1
//
// Every case allocates its buffers in setup(); run() only calls the kernel.

import { kernels } from "../../src/index.js";
import type { BenchCase, CaseContext } from "../lib/runner.js";
import { filled } from "./kernels.js";

const FLOAT = 4;

function sumCases(B: number): BenchCase[] {
  const shapes = [
    { label: `mean over (2,3) of (${B},16,10,10)`, shape: [B, 16, 10, 10], dims: [2, 3], scale: (count: number) => 1 / count },
    { label: `sum over 0 of (${B},120)`, shape: [B, 120], dims: [0], scale: () => 1 },
  ];
  return shapes.flatMap(({ label, shape, dims, scale }) => {
    const d = kernels.reduceDims(shape, dims, scale), n = d.kept.length * d.reduced.length;
    return [
      {
        group: "reduce", name: `sumForward ${label}`, bytes: FLOAT * (n + d.kept.length),
        setup: (ctx: CaseContext) => {
          const x = filled(ctx, n, 21), y = ctx.alloc(d.kept.length);
          return { run: () => ctx.kernels.sumForward(y, x, d) };
        },
      },
      {
        group: "reduce", name: `sumBackward ${label}`, bytes: FLOAT * (2 * n + d.kept.length), // dx read-modify-written
        setup: (ctx: CaseContext) => {
          const dy = filled(ctx, d.kept.length, 22), dx = ctx.alloc(n);
          return { run: () => ctx.kernels.sumBackward(dx, dy, d) };
        },
      },
    ];
  });
}

function maxCases(B: number): BenchCase[] {
  const d = { N: B, J: 10, inner: 1 };
  return [
    {
      group: "reduce", name: `maxForward (${B},10) over 1`, bytes: FLOAT * 12 * B,
      setup: (ctx) => {
        const x = filled(ctx, B * 10, 23), values = ctx.alloc(B), indices = ctx.allocInt32(B);
        return { run: () => ctx.kernels.maxForward(values, indices, x, d) };
      },
    },
    {
      group: "reduce", name: `argmaxForward (${B},10) over 1`, bytes: FLOAT * 11 * B,
      setup: (ctx) => {
        const x = filled(ctx, B * 10, 23), indices = ctx.allocInt32(B);
        return { run: () => ctx.kernels.argmaxForward(indices, x, d) };
      },
    },
    {
      group: "reduce", name: `maxBackward (${B},10) over 1`, bytes: FLOAT * 4 * B,
      setup: (ctx) => {
        const x = filled(ctx, B * 10, 23), values = ctx.alloc(B), indices = ctx.allocInt32(B), dy = filled(ctx, B, 24), dx = ctx.alloc(B * 10);
        ctx.kernels.maxForward(values, indices, x, d);
        return { run: () => ctx.kernels.maxBackward(dx, dy, indices, d) };
      },
    },
  ];
}

function nllCases(B: number): BenchCase[] {
  const d = { N: B, J: 10, inner: 1, smoothing: 0.1 };
  const buffers = (ctx: CaseContext) => {
    const labels = ctx.allocInt32(B), weight = ctx.alloc(10).fill(1);
    for (let i = 0; i < B; i++) labels[i] = (i * 7) % 10;
    return { logProbs: filled(ctx, B * 10, 25), labels, weight };
  };
  return [
    {
      group: "loss", name: `nllLossForward (${B},10) smoothing 0.1`,
      setup: (ctx) => {
        const { logProbs, labels, weight } = buffers(ctx), nll = ctx.alloc(B), smooth = ctx.alloc(B);
        return { run: () => ctx.kernels.nllLossForward(nll, smooth, logProbs, labels, weight, d) };
      },
    },
    {
      group: "loss", name: `nllLossBackward (${B},10) smoothing 0.1`,
      setup: (ctx) => {
        const { labels, weight } = buffers(ctx), gNll = filled(ctx, B, 26), gSmooth = filled(ctx, B, 27), dlogProbs = ctx.alloc(B * 10);
        return { run: () => ctx.kernels.nllLossBackward(dlogProbs, gNll, gSmooth, labels, weight, d) };
      },
    },
  ];
}

/** The reduction and class-loss kernel cases at batch B. */
export function rowCases(B: number): BenchCase[] {
  return [...sumCases(B), ...maxCases(B), ...nllCases(B)];
}
