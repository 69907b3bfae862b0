// The dims structs the WebAssembly kernels read: each kernel in src/wasm takes
// the same dims object as its TypeScript twin, as an `@unmanaged` class whose
// fields are i32 in the order listed here (test/backend/dims-layout.test.ts
// checks these lists against the classes in src/wasm). A wrapper writes one
// struct per thread per call into that thread's block, never per element.

import { TorchletError } from "../errors.js";
import type { WasmMemory } from "./wasm-call.js";

/** The fields of a struct, in memory order; values come from the dims object or the thread's share. */
export type StructLayout = readonly string[];

/** WindowDims (src/wasm/window.ts): the window, then the thread's share [start, end) and gemm workspace. */
export const WINDOW_DIMS: StructLayout = ["N", "C", "H", "W", "kH", "kW", "strideH", "strideW", "padH", "padW", "dilationH", "dilationW", "P", "Q", "start", "end", "work"];
/** Pool2dDims (src/wasm/window.ts): WindowDims, then avgPool2d's divisor rule. */
export const POOL2D_DIMS: StructLayout = [...WINDOW_DIMS, "countIncludePad", "divisorOverride"];
/** Conv2dDims (src/wasm/conv2d.ts): WindowDims, then K and the groups. */
export const CONV2D_DIMS: StructLayout = [...WINDOW_DIMS, "K", "groups"];
/** GemmDims (src/wasm/gemm.ts): flags as 0/1, then the band [start, end) of rows of C and the workspace. */
export const GEMM_DIMS: StructLayout = ["M", "N", "K", "transA", "transB", "accumulate", "start", "end", "work"];
/** LinearDims (src/wasm/linear.ts), then the share [start, end) and the workspace. */
export const LINEAR_DIMS: StructLayout = ["N", "I", "O", "start", "end", "work"];
/** SoftmaxDims (src/wasm/softmax.ts). */
export const SOFTMAX_DIMS: StructLayout = ["N", "J", "inner"];

/** BatchNormDims (src/wasm/batchnorm.ts): N, C, L (eps, a float, is the kernels' own argument), then the thread's channels [start, end). */
export const BATCHNORM_DIMS: StructLayout = ["N", "C", "L", "start", "end"];

/** Bytes of one thread's struct block: room for the largest struct (32 fields), two cache lines. */
export const DIMS_BLOCK_BYTES = 128;

/** The part of a struct a thread owns: its share of the work and its gemm workspace. */
export interface Share {
  start: number;
  end: number;
  work: number;
}

/**
 * Writes `layout`'s fields, taken from `share` when it has them and from `dims` otherwise, as i32 at byte offset p.
 * @returns p, for the kernel call.
 */
export function writeDims(memory: WasmMemory, p: number, layout: StructLayout, dims: object, share?: Share): number {
  const heap = memory.int32();
  const values = dims as Record<string, number | boolean>;
  const own = share as Record<string, number> | undefined;
  for (let i = 0; i < layout.length; i++) {
    const field = layout[i]!;
    const value = own !== undefined && field in own ? own[field] : values[field];
    if (value === undefined) throw new TorchletError("wasm", "INVALID_ARGUMENT", `the dims object has no field ${field}`);
    heap[p / 4 + i] = Number(value);
  }
  return p;
}
