// The wasm backend's gemm-based kernels (gemm, im2col/col2im, conv2d, linear):
// each wrapper has the signature of the TypeScript kernel it overrides, places
// its arrays in WebAssembly memory and runs the twin from src/wasm, split over
// threads when the call is big enough (src/backend/wasm-threads.ts).

import type { Kernels } from "./backend.js";
import type { WasmContext } from "./wasm-threads.js";
import { conv2dColsLength, type Conv2dDims } from "../ops/conv2d.js";
import type { WindowDims } from "../ops/window.js";

type GemmKernels = Pick<Kernels, "gemm" | "im2col" | "col2im" | "conv2dForward" | "conv2dBackward" | "linearForward" | "linearBackward">;

const windowArgs = (d: WindowDims): number[] => [d.H, d.W, d.kH, d.kW, d.strideH, d.strideW, d.padH, d.padW, d.P, d.Q];

// Multiply-adds of one conv2d pass: what decides whether threads are worth waking.
const conv2dWork = (d: Conv2dDims): number => d.N * d.K * d.P * d.Q * d.C * d.kH * d.kW;

/** The wasm twins of gemm, im2col, col2im, conv2dForward/Backward and linearForward/Backward. */
export function gemmKernels({ ex, memory, threads }: WasmContext): GemmKernels {
  return {
    gemm(c, a, b, d) {
      memory.call((call) => {
        const pc = call.out(c, d.accumulate), pa = call.in(a), pb = call.in(b);
        const aI = d.transA ? 1 : d.K, aK = d.transA ? d.M : 1, bK = d.transB ? 1 : d.N, bJ = d.transB ? d.K : 1;
        // Threads take bands of rows of C (and the matching rows of op(A)).
        threads.run(ex.gemm!, threads.shares(d.M * d.N * d.K, d.M).map(([i0, i1], t) =>
          [pc + i0 * d.N * 4, d.N, pa + i0 * aI * 4, aI, aK, pb, bK, bJ, i1 - i0, d.N, d.K, d.accumulate ? 1 : 0, threads.workspace(t)]));
      });
    },

    im2col(cols, x, d) {
      memory.call((call) => {
        ex.im2col!(call.out(cols, false), call.in(x), d.N, d.C, ...windowArgs(d));
      });
    },

    col2im(dx, dcols, d) {
      memory.call((call) => {
        ex.col2im!(call.out(dx, true), call.in(dcols), d.N, d.C, ...windowArgs(d));
      });
    },

    conv2dForward(y, x, w, b, d, cols) {
      memory.call((call) => {
        const py = call.out(y, false), px = call.in(x), pw = call.in(w), pb = b === null ? 0 : call.in(b);
        const colsBytes = conv2dColsLength(d) * 4;
        const geometry = [d.N, d.C, d.H, d.W, d.K, d.kH, d.kW, d.strideH, d.strideW, d.padH, d.padW, d.P, d.Q];
        // Each thread takes a slice of the batch, with its own columns scratch.
        threads.run(ex.conv2dForward!, threads.shares(conv2dWork(d), d.N).map(([n0, n1], t) =>
          [py, px, pw, pb, ...geometry, n0, n1, t === 0 ? call.scratch(cols, colsBytes) : call.temp(colsBytes), threads.workspace(t)]));
      });
    },

    conv2dBackward(dx, dw, db, dy, x, w, d, cols, dcols) {
      memory.call((call) => {
        const pdx = dx === null ? 0 : call.out(dx, true), pdw = dw === null ? 0 : call.out(dw, true), pdb = db === null ? 0 : call.out(db, true);
        const pdy = call.in(dy), px = call.in(x), pw = call.in(w);
        const colsBytes = conv2dColsLength(d) * 4;
        const geometry = [d.N, d.C, d.H, d.W, d.K, d.kH, d.kW, d.strideH, d.strideW, d.padH, d.padW, d.P, d.Q];
        // Threads take slices of the batch. dx slices are disjoint; dw and db are sums over the whole batch,
        // so thread t > 0 sums its slice into a zeroed partial, added to dw/db in thread order afterwards.
        const partials: [number, number][] = [];
        threads.run(ex.conv2dBackward!, threads.shares(conv2dWork(d), d.N).map(([n0, n1], t) => {
          if (t === 0) return [pdx, pdw, pdb, pdy, px, pw, ...geometry, n0, n1, call.scratch(cols, colsBytes), dx === null ? 0 : call.scratch(dcols, colsBytes), threads.workspace(t)];
          const partial: [number, number] = [dw === null ? 0 : call.temp(dw.byteLength, true), db === null ? 0 : call.temp(db.byteLength, true)];
          partials.push(partial);
          return [pdx, ...partial, pdy, px, pw, ...geometry, n0, n1, call.temp(colsBytes), dx === null ? 0 : call.temp(colsBytes), threads.workspace(t)];
        }));
        for (const [tdw, tdb] of partials) {
          if (dw !== null) ex.addInto!(pdw, tdw, dw.length);
          if (db !== null) ex.addInto!(pdb, tdb, db.length);
        }
      });
    },

    linearForward(y, x, w, b, d) {
      memory.call((call) => {
        const py = call.out(y, false), px = call.in(x), pw = call.in(w), pb = b === null ? 0 : call.in(b);
        threads.run(ex.linearForward!, threads.shares(d.N * d.I * d.O, d.N).map(([n0, n1], t) => [py, px, pw, pb, d.N, d.I, d.O, n0, n1, threads.workspace(t)]));
      });
    },

    linearBackward(dx, dw, db, dy, x, w, d) {
      memory.call((call) => {
        const pdx = dx === null ? 0 : call.out(dx, true), pdw = dw === null ? 0 : call.out(dw, true), pdb = db === null ? 0 : call.out(db, true);
        const pdy = call.in(dy), px = call.in(x), pw = call.in(w);
        const work = d.N * d.I * d.O;
        if (dx !== null) threads.run(ex.linearBackwardInput!, threads.shares(work, d.N).map(([n0, n1], t) => [pdx, pdy, pw, d.N, d.I, d.O, n0, n1, threads.workspace(t)]));
        // dW and db are split by output feature: each thread sums whole rows, so the result does not depend on the thread count.
        if (dw !== null || db !== null) threads.run(ex.linearBackwardWeight!, threads.shares(work, d.O).map(([o0, o1], t) => [pdw, pdb, pdy, px, d.N, d.I, d.O, o0, o1, threads.workspace(t)]));
      });
    },
  };
}
