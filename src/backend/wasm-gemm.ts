// The wasm backend's gemm-based kernels (gemm, im2col/col2im, conv2d, linear):
// each wrapper has the signature of the TypeScript kernel it overrides, places
// its arrays in WebAssembly memory, writes its dims struct once per thread
// (src/backend/wasm-dims.ts) and runs the twin from src/wasm, split over
// threads when the call is big enough (src/backend/wasm-threads.ts).

import type { Kernels } from "./backend.js";
import type { WasmContext } from "./wasm-threads.js";
import { CONV2D_DIMS, GEMM_DIMS, LINEAR_DIMS, WINDOW_DIMS } from "./wasm-dims.js";
import { conv2dColsLength, type Conv2dDims } from "../ops/conv2d.js";

type GemmKernels = Pick<Kernels, "gemm" | "im2col" | "col2im" | "conv2dForward" | "conv2dBackward" | "linearForward" | "linearBackward">;

// Multiply-adds of one conv2d pass: what decides whether threads are worth waking.
const conv2dWork = (d: Conv2dDims): number => d.N * d.K * d.P * d.Q * (d.C / d.groups) * d.kH * d.kW;

/**
 * Input channels per group up to which conv2dForward computes straight from the padded image
 * (src/wasm/conv2d-direct.ts) instead of im2col + gemm: with so few, writing the columns costs
 * more than the multiply-adds (docs/conv2d.md, "Which path the WebAssembly backend takes").
 */
export const DIRECT_CONV_MAX_CHANNELS = 3;

/** True when the wasm conv2dForward takes the direct path for `d`: few channels per group, a column stride of 1. */
export const conv2dDirect = (d: Conv2dDims): boolean => d.C / d.groups <= DIRECT_CONV_MAX_CHANNELS && d.strideW === 1;

/** The wasm twins of gemm, im2col, col2im, conv2dForward/Backward and linearForward/Backward. */
export function gemmKernels({ ex, memory, threads }: WasmContext): GemmKernels {
  return {
    gemm(c, a, b, d) {
      memory.call((call) => {
        const pc = call.out(c, d.accumulate), pa = call.in(a), pb = call.in(b);
        // Threads take bands of rows of C (and the matching rows of op(A)).
        threads.run(ex.gemm, threads.shares(d.M * d.N * d.K, d.M).map((rows, t) => [pc, pa, pb, threads.dims(t, GEMM_DIMS, d, rows)]));
      });
    },

    im2col(cols, x, d) {
      memory.call((call) => ex.im2col(call.out(cols, false), call.in(x), threads.dims(0, WINDOW_DIMS, d)));
    },

    col2im(dx, dcols, d) {
      memory.call((call) => ex.col2im(call.out(dx, true), call.in(dcols), threads.dims(0, WINDOW_DIMS, d)));
    },

    conv2dForward(y, x, w, b, d, cols) {
      memory.call((call) => {
        const py = call.out(y, false), px = call.in(x), pw = call.in(w), pb = b === null ? 0 : call.in(b);
        const direct = conv2dDirect(d);
        // Each thread takes a slice of the batch, with its own scratch: the columns, or the direct path's padded image.
        const shares = threads.shares(conv2dWork(d), d.N).map((batch, t) => [t, threads.dims(t, CONV2D_DIMS, d, batch)] as const);
        const scratchBytes = 4 * (direct ? ex.conv2dDirectScratchFloats(shares[0]![1]) : conv2dColsLength(d));
        threads.run(direct ? ex.conv2dDirectForward : ex.conv2dForward, shares.map(([t, pd]) =>
          [py, px, pw, pb, pd, t === 0 ? call.scratch(cols, scratchBytes) : call.temp(scratchBytes)]));
      });
    },

    conv2dBackward(dx, dw, db, dy, x, w, d, cols, dcols) {
      memory.call((call) => {
        const pdx = dx === null ? 0 : call.out(dx, true), pdw = dw === null ? 0 : call.out(dw, true), pdb = db === null ? 0 : call.out(db, true);
        const pdy = call.in(dy), px = call.in(x), pw = call.in(w);
        const colsBytes = conv2dColsLength(d) * 4;
        // Threads take slices of the batch. dx slices are disjoint; dw and db are sums over the whole batch,
        // so thread t > 0 sums its slice into a zeroed partial, added to dw/db in thread order afterwards.
        const partials: [number, number][] = [];
        threads.run(ex.conv2dBackward, threads.shares(conv2dWork(d), d.N).map((batch, t) => {
          const pd = threads.dims(t, CONV2D_DIMS, d, batch);
          if (t === 0) return [pdx, pdw, pdb, pdy, px, pw, pd, call.scratch(cols, colsBytes), dx === null ? 0 : call.scratch(dcols, colsBytes)];
          const [tdw, tdb] = [dw === null ? 0 : call.temp(dw.byteLength, true), db === null ? 0 : call.temp(db.byteLength, true)];
          partials.push([tdw, tdb]);
          return [pdx, tdw, tdb, pdy, px, pw, pd, call.temp(colsBytes), dx === null ? 0 : call.temp(colsBytes)];
        }));
        for (const [tdw, tdb] of partials) {
          if (dw !== null) ex.addInto(pdw, tdw, dw.length);
          if (db !== null) ex.addInto(pdb, tdb, db.length);
        }
      });
    },

    linearForward(y, x, w, b, d) {
      memory.call((call) => {
        const py = call.out(y, false), px = call.in(x), pw = call.in(w), pb = b === null ? 0 : call.in(b);
        threads.run(ex.linearForward, threads.shares(d.N * d.I * d.O, d.N).map((rows, t) => [py, px, pw, pb, threads.dims(t, LINEAR_DIMS, d, rows)]));
      });
    },

    linearBackward(dx, dw, db, dy, x, w, d) {
      memory.call((call) => {
        const pdx = dx === null ? 0 : call.out(dx, true), pdw = dw === null ? 0 : call.out(dw, true), pdb = db === null ? 0 : call.out(db, true);
        const pdy = call.in(dy), px = call.in(x), pw = call.in(w);
        const work = d.N * d.I * d.O;
        if (dx !== null) threads.run(ex.linearBackwardInput, threads.shares(work, d.N).map((rows, t) => [pdx, pdy, pw, threads.dims(t, LINEAR_DIMS, d, rows)]));
        // dW and db are split by output feature: each thread sums whole rows, so the result does not depend on the thread count.
        if (dw !== null || db !== null) threads.run(ex.linearBackwardWeight, threads.shares(work, d.O).map((features, t) => [pdw, pdb, pdy, px, threads.dims(t, LINEAR_DIMS, d, features)]));
      });
    },
  };
}
