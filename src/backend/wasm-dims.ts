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
/** ActivationPool2dDims (src/wasm/avgpool2d.ts): Pool2dDims, then the activation as its index in OUTPUT_ACTIVATIONS, then accumulate as 0/1. */
export const ACTIVATION_POOL2D_DIMS: StructLayout = [...POOL2D_DIMS, "activation", "accumulate"];
/** ReluPool2dDims (src/wasm/maxpool2d.ts): WindowDims, then accumulate as 0/1. */
export const RELU_POOL2D_DIMS: StructLayout = [...WINDOW_DIMS, "accumulate"];
/** Conv2dDims (src/wasm/conv2d.ts): WindowDims, then K and the groups. */
export const CONV2D_DIMS: StructLayout = [...WINDOW_DIMS, "K", "groups"];
/** GemmDims (src/wasm/gemm.ts): flags as 0/1, then the band [start, end) of rows of C and the workspace. */
export const GEMM_DIMS: StructLayout = ["M", "N", "K", "transA", "transB", "accumulate", "start", "end", "work"];
/** LinearDims (src/wasm/linear.ts), then the share [start, end) and the workspace. */
export const LINEAR_DIMS: StructLayout = ["N", "I", "O", "start", "end", "work"];
/** SoftmaxDims (src/wasm/softmax.ts). */
export const SOFTMAX_DIMS: StructLayout = ["N", "J", "inner"];
/** AxisDims (src/wasm/axis.ts): max, argmax and the losses over classes, then the share [start, end) of the N·inner outputs. */
export const AXIS_DIMS: StructLayout = ["N", "J", "inner", "start", "end"];
/** ReduceDims (src/wasm/reduce.ts): the counts O (outputs) and R (positions each), then the share [start, end) of the outputs. */
export const REDUCE_DIMS: StructLayout = ["O", "R", "start", "end"];
/** LossDims (src/wasm/loss-reduction.ts): the elementwise losses' count, and reduction as 0 "none", 1 "sum", 2 "mean". */
export const LOSS_DIMS: StructLayout = ["count", "reduction"];

/** Pad2dDims (src/wasm/pad2d.ts): mode as its index in PAD_MODES (the fill value is an argument), then the share of the planes. */
export const PAD2D_DIMS: StructLayout = ["M", "H", "W", "top", "bottom", "left", "right", "mode", "start", "end"];
/** MaxUnpool2dDims (src/wasm/maxunpool2d.ts), then the share of the planes. */
export const MAXUNPOOL2D_DIMS: StructLayout = ["planes", "inputs", "outputs", "start", "end"];
/** AdaptiveAvgPool2dDims (src/wasm/adaptive-avgpool2d.ts), then the share of the planes. */
export const ADAPTIVE_AVGPOOL2D_DIMS: StructLayout = ["N", "C", "H", "W", "P", "Q", "start", "end"];

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
