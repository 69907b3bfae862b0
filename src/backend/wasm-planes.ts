// The wasm backend's kernels that move or average whole (n, c) planes:
// pad2d, maxUnpool2d and adaptiveAvgPool2d. Each wrapper has the signature of
// the TypeScript kernel it overrides, places its arrays in WebAssembly memory,
// writes its dims struct once per thread (src/backend/wasm-dims.ts) and runs
// the twin from src/wasm; threads take whole planes when the call is big
// enough (src/backend/wasm-threads.ts).

import type { Kernels } from "./backend.js";
import type { WasmContext } from "./wasm-threads.js";
import { ADAPTIVE_AVGPOOL2D_DIMS, MAXUNPOOL2D_DIMS, PAD2D_DIMS } from "./wasm-dims.js";
import { PAD_MODES, type Pad2dDims } from "../ops/pad2d.js";

export type PlaneKernels = Pick<Kernels, "pad2dForward" | "pad2dBackward" | "maxUnpool2dForward" | "maxUnpool2dBackward" | "adaptiveAvgPool2dForward" | "adaptiveAvgPool2dBackward">;

// The struct holds integers only: the mode goes in as its index in PAD_MODES (src/wasm/pad2d.ts reads it so).
const padStruct = (d: Pad2dDims) => ({ ...d, mode: PAD_MODES.indexOf(d.mode) });

/** The wasm twins of pad2d, maxUnpool2d and adaptiveAvgPool2d, forward and backward. */
export function planeKernels({ ex, threads }: WasmContext): PlaneKernels {
  return {
    pad2dForward: threads.wrap((call, y, x, d) => {
      const py = call.out(y, false), px = call.in(x), struct = padStruct(d);
      return [ex.pad2dForward, threads.shares(y.length, d.M).map((planes, t) => [py, px, threads.dims(t, PAD2D_DIMS, struct, planes), d.value])];
    }),

    pad2dBackward: threads.wrap((call, dx, dy, d) => {
      const pdx = call.out(dx, true), pdy = call.in(dy), struct = padStruct(d);
      return [ex.pad2dBackward, threads.shares(dy.length, d.M).map((planes, t) => [pdx, pdy, threads.dims(t, PAD2D_DIMS, struct, planes)])];
    }),

    maxUnpool2dForward: threads.wrap((call, y, x, indices, d) => {
      const py = call.out(y, false), px = call.in(x), pi = call.in(indices);
      return [ex.maxUnpool2dForward, threads.shares(y.length, d.planes).map((planes, t) => [py, px, pi, threads.dims(t, MAXUNPOOL2D_DIMS, d, planes)])];
    }),

    maxUnpool2dBackward: threads.wrap((call, dx, dy, indices, d) => {
      const pdx = call.out(dx, true), pdy = call.in(dy), pi = call.in(indices);
      return [ex.maxUnpool2dBackward, threads.shares(dx.length, d.planes).map((planes, t) => [pdx, pdy, pi, threads.dims(t, MAXUNPOOL2D_DIMS, d, planes)])];
    }),

    adaptiveAvgPool2dForward: threads.wrap((call, y, x, d) => {
      const py = call.out(y, false), px = call.in(x);
      return [ex.adaptiveAvgPool2dForward, threads.shares(x.length, d.N * d.C).map((planes, t) => [py, px, threads.dims(t, ADAPTIVE_AVGPOOL2D_DIMS, d, planes)])];
    }),

    adaptiveAvgPool2dBackward: threads.wrap((call, dx, dy, d) => {
      const pdx = call.out(dx, true), pdy = call.in(dy);
      return [ex.adaptiveAvgPool2dBackward, threads.shares(dx.length, d.N * d.C).map((planes, t) => [pdx, pdy, threads.dims(t, ADAPTIVE_AVGPOOL2D_DIMS, d, planes)])];
    }),
  };
}
