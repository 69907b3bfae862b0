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

/**
 * True when the wasm conv2dBackward computes dw straight from the padded image (src/wasm/conv2d-direct.ts):
 * the direct forward's shapes at a unit row stride too, and images the kernel takes one at a time
 * (at least 256 outputs; smaller ones go several to a gemm, src/wasm/conv2d.ts).
 */
export const conv2dDirectWeight = (d: Conv2dDims, imagesPerStep: number): boolean => conv2dDirect(d) && d.strideH === 1 && imagesPerStep === 1;

/** The wasm twins of gemm, im2col, col2im, conv2dForward/Backward and linearForward/Backward. */
export function gemmKernels({ ex, threads }: WasmContext): GemmKernels {
  return {
    // Threads take bands of rows of C (and the matching rows of op(A)).
    gemm: threads.wrap((call, c, a, b, d) => {
      const pc = call.out(c, d.accumulate), pa = call.in(a), pb = call.in(b);
      return [ex.gemm, threads.shares(d.M * d.N * d.K, d.M).map((rows, t) => [pc, pa, pb, threads.dims(t, GEMM_DIMS, d, rows)])];
    }),

    im2col: threads.wrap((call, cols, x, d) => [ex.im2col, [[call.out(cols, false), call.in(x), threads.dims(0, WINDOW_DIMS, d)]]]),

    col2im: threads.wrap((call, dx, dcols, d) => [ex.col2im, [[call.out(dx, true), call.in(dcols), threads.dims(0, WINDOW_DIMS, d)]]]),

    // Each thread takes a slice of the batch, with its own scratch: the columns, or the direct path's padded image.
    conv2dForward: threads.wrap((call, y, x, w, b, d, cols) => {
      const py = call.out(y, false), px = call.in(x), pw = call.in(w), pb = b === null ? 0 : call.in(b);
      const dims = threads.shares(conv2dWork(d), d.N).map((batch, t) => threads.dims(t, CONV2D_DIMS, d, batch));
      const direct = conv2dDirect(d);
      const bytes = 4 * (direct ? ex.conv2dDirectScratchFloats(dims[0]!) : conv2dColsLength(d));
      return [direct ? ex.conv2dDirectForward : ex.conv2dForward, dims.map((pd, t) => [py, px, pw, pb, pd, t === 0 ? call.scratch(cols, bytes) : call.temp(bytes)])];
    }),

    // Threads take slices of the batch. dx slices are disjoint; dw and db are sums over the whole batch,
    // so thread t > 0 sums its slice into a zeroed partial, added to dw/db in thread order afterwards.
    conv2dBackward: threads.wrap((call, dx, dw, db, dy, x, w, d, cols, dcols) => {
      const pdx = dx === null ? 0 : call.out(dx, true), pdw = dw === null ? 0 : call.out(dw, true), pdb = db === null ? 0 : call.out(db, true);
      const pdy = call.in(dy), px = call.in(x), pw = call.in(w);
      const dims = threads.shares(conv2dWork(d), d.N).map((batch, t) => threads.dims(t, CONV2D_DIMS, d, batch));
      const images = ex.conv2dBackwardImages(dims[0]!), direct = dw !== null && conv2dDirectWeight(d, images);
      // The kernel takes several images at a step: their columns and dy in cols, their dcols (conv2dBackwardImages);
      // the direct weight gradient its padded plane and dy in cols.
      const bytes = 4 * images * conv2dColsLength(d), imagesBytes = bytes + 4 * images * d.K * d.P * d.Q;
      const colsBytes = direct ? Math.max(imagesBytes, 4 * ex.conv2dDirectBackwardScratchFloats(dims[0]!)) : imagesBytes;
      return [direct ? ex.conv2dDirectBackward : ex.conv2dBackward, dims.map((pd, t) => {
        if (t === 0) return [pdx, pdw, pdb, pdy, px, pw, pd, call.scratch(cols, colsBytes), dx === null ? 0 : call.scratch(dcols, bytes)];
        const [tdw, tdb] = [dw === null ? 0 : call.temp(dw.byteLength, true), db === null ? 0 : call.temp(db.byteLength, true)];
        call.after(() => {
          if (dw !== null) ex.addInto(pdw, tdw, dw.length);
          if (db !== null) ex.addInto(pdb, tdb, db.length);
        });
        return [pdx, tdw, tdb, pdy, px, pw, pd, call.temp(colsBytes), dx === null ? 0 : call.temp(bytes)];
      })];
    }),

    linearForward: threads.wrap((call, y, x, w, b, d) => {
      const py = call.out(y, false), px = call.in(x), pw = call.in(w), pb = b === null ? 0 : call.in(b);
      return [ex.linearForward, threads.shares(d.N * d.I * d.O, d.N).map((rows, t) => [py, px, pw, pb, threads.dims(t, LINEAR_DIMS, d, rows)])];
    }),

    // dx split by rows of the batch; then dW and db split by output feature: each thread sums whole rows,
    // so the result does not depend on the thread count.
    linearBackward: threads.wrap((call, dx, dw, db, dy, x, w, d) => {
      const pdx = dx === null ? 0 : call.out(dx, true), pdw = dw === null ? 0 : call.out(dw, true), pdb = db === null ? 0 : call.out(db, true);
      const pdy = call.in(dy), px = call.in(x), pw = call.in(w);
      const work = d.N * d.I * d.O;
      if (dw !== null || db !== null) {
        call.after(() => threads.run(ex.linearBackwardWeight, threads.shares(work, d.O).map((features, t) => [pdw, pdb, pdy, px, threads.dims(t, LINEAR_DIMS, d, features)])));
      }
      return [ex.linearBackwardInput, dx === null ? [] : threads.shares(work, d.N).map((rows, t) => [pdx, pdy, pw, threads.dims(t, LINEAR_DIMS, d, rows)])];
    }),
  };
}
