// The wasm backend's batch-norm kernels (src/wasm/batchnorm.ts): each wrapper
// has the signature of the TypeScript kernel in src/ops/batchnorm.ts it
// overrides, places its arrays in WebAssembly memory, and splits the call over
// threads by channel (each channel's statistics and gradients are its own, so
// the results do not depend on the thread count).

import type { Kernels } from "./backend.js";
import type { WasmContext } from "./wasm-threads.js";
import { BATCHNORM_DIMS } from "./wasm-dims.js";
import type { BatchNormDims } from "../ops/batchnorm.js";

/** The kernels this file overrides. */
export type BatchNormKernelName = "batchNormMoments" | "batchNormForward" | "batchNormBackward";

// Work per element, in multiply-adds, for deciding when a call is worth waking threads: each pass reads an
// element a few times in float64 (the backward makes three passes).
const ELEMENT_WORK = 4;

/** The wasm twins of batchNormMoments, batchNormForward and batchNormBackward. */
export function batchNormKernels({ ex, threads }: WasmContext): Pick<Kernels, BatchNormKernelName> {
  // Thread t's dims struct, with its share of the channels.
  const shares = (d: BatchNormDims) => threads.shares(d.N * d.C * d.L * ELEMENT_WORK, d.C).map((channels, t) => threads.dims(t, BATCHNORM_DIMS, d, channels));
  return {
    batchNormMoments: threads.wrap((call, mean, variance, x, d) => {
      const pm = call.out(mean, false), pv = call.out(variance, false), px = call.in(x);
      return [ex.batchNormMoments, shares(d).map((pd) => [pm, pv, px, pd])];
    }),

    batchNormForward: threads.wrap((call, y, x, weight, bias, mean, variance, d) => {
      const py = call.out(y, false), px = call.in(x), pw = weight === null ? 0 : call.in(weight), pb = bias === null ? 0 : call.in(bias);
      const pm = call.in(mean), pv = call.in(variance);
      return [ex.batchNormForward, shares(d).map((pd) => [py, px, pw, pb, pm, pv, pd, d.eps])];
    }),

    batchNormBackward: threads.wrap((call, dx, dweight, dbias, dy, x, weight, mean, variance, d, batchStats) => {
      const pdx = dx === null ? 0 : call.out(dx, true), pdw = dweight === null ? 0 : call.out(dweight, true), pdb = dbias === null ? 0 : call.out(dbias, true);
      const pdy = call.in(dy), px = call.in(x), pw = weight === null ? 0 : call.in(weight), pm = call.in(mean), pv = call.in(variance);
      return [ex.batchNormBackward, shares(d).map((pd) => [pdx, pdw, pdb, pdy, px, pw, pm, pv, pd, d.eps, batchStats ? 1 : 0])];
    }),
  };
}
