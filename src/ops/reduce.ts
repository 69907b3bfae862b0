// sum and mean over some dimensions or all of them, as torch.sum(x, dim, keepdim)
// and torch.mean. Both are scale · Σ x over the reduced positions (scale 1, or
// 1/count), so one pair of kernels serves both.
//
// Legend: O output elements (one per combination of the kept dimensions), R
// reduced positions per output (the product of the reduced dimensions). Any set
// of dimensions, adjacent or not, is read in place through two offset lists.
// Shapes: x (d0, …) → the shape without the reduced dimensions (kept as 1s with keepdim).
// Walk-through: docs/reductions.md

import { TorchletError, allocFloat32, checkArity, formatShape } from "../errors.js";
import { Tensor, expectTensor, record } from "../tensor/tensor.js";
import { activeBackend, kernel } from "../backend/dispatch.js";
import { checkDims, checkKeepdim, reducedShape } from "./axis.js";

/** A reduction of a contiguous tensor: where each output's positions start, where they lie from there, and the scale. */
export interface ReduceDims {
  /** (O): the offset in x of output o's first position. */
  kept: Int32Array;
  /** (R): the offsets of the reduced positions from there. */
  reduced: Int32Array;
  /** 1 for a sum, 1/R for a mean. */
  scale: number;
}

/** y (O) = scale · Σ_r x[kept[o] + reduced[r]], summed in float64. Overwrites y. Never allocates. */
export function sumForward(
  y: Float32Array, // (O)
  x: Float32Array, // (any)
  d: ReduceDims,
): void {
  const { kept, reduced, scale } = d;
  for (let o = 0; o < kept.length; o++) {
    let total = 0; // float64: no float32 drift over long sums
    for (let r = 0; r < reduced.length; r++) total += x[kept[o]! + reduced[r]!]!;
    y[o] = total * scale;
  }
}

/** dx += scale · dy[o] at every position output o summed. Never allocates. */
export function sumBackward(
  dx: Float32Array, // (any): shaped like x
  dy: Float32Array, // (O)
  d: ReduceDims,
): void {
  const { kept, reduced, scale } = d;
  for (let o = 0; o < kept.length; o++) {
    // ∂(scale · Σ x)/∂x_k = scale at each summed position
    const g = dy[o]! * scale;
    for (let r = 0; r < reduced.length; r++) dx[kept[o]! + reduced[r]!] += g;
  }
}

/** The offsets Σ_k index_k · stride_k of every combination of indices over `dims` of `shape` (row-major), in order. */
function offsetsOver(shape: readonly number[], dims: readonly number[]): Int32Array {
  const strides = shape.map((_, k) => shape.slice(k + 1).reduce((a, b) => a * b, 1));
  let offsets = Int32Array.of(0);
  for (const k of dims) {
    const next = new Int32Array(offsets.length * shape[k]!);
    for (let a = 0; a < offsets.length; a++) for (let i = 0; i < shape[k]!; i++) next[a * shape[k]! + i] = offsets[a]! + i * strides[k]!;
    offsets = next;
  }
  return offsets;
}

/** The ReduceDims of reducing `dims` (resolved, sorted) of `shape`, scaled by `scale(R)`. */
export function reduceDims(shape: readonly number[], dims: readonly number[], scale: (count: number) => number): ReduceDims {
  const keptDims = shape.map((_, k) => k).filter((k) => !dims.includes(k));
  const reduced = offsetsOver(shape, dims);
  return { kept: offsetsOver(shape, keptDims), reduced, scale: scale(reduced.length) };
}

// The op behind sum and mean: checks dim and keepdim, reduces, records the backward.
function reduceOp(op: "sum" | "mean", x: Tensor, dim: unknown, keepdim: unknown): Tensor {
  expectTensor(op, "input", x);
  const dims = checkDims(op, dim, x.shape);
  const shape = reducedShape(x.shape, dims, checkKeepdim(op, keepdim));
  const d = reduceDims(x.shape, dims, (count) => (op === "sum" ? 1 : 1 / count));
  if (op === "mean" && d.reduced.length === 0 && d.kept.length > 0) {
    const what = dim === undefined ? "an empty tensor" : `the empty dims ${JSON.stringify(dim)} of a tensor`;
    throw new TorchletError("mean", "SHAPE_MISMATCH", `the mean of ${what} is undefined (shape ${formatShape(x.shape)}); PyTorch returns NaN`);
  }
  const backend = activeBackend();
  const y = allocFloat32(op, d.kept.length); // (O)
  kernel(sumForward, backend)(y, x.data, d);
  return record(op, y, shape, [x], (dy, [dx]) => {
    if (dx) kernel(sumBackward, backend)(dx, dy, d);
  });
}

/**
 * Sum over `dim` (a number or an array of them, negative from the end; all dimensions when omitted), like
 * `torch.sum(x, dim, keepdim)`: the reduced dimensions are dropped, or kept as 1s with keepdim. `sum(x)` is a scalar (shape []).
 * @throws TorchletError for a bad or repeated dim (naming it and the shape) or a non-boolean keepdim.
 * @example sum(tensor([[1, 2], [3, 4]]), 0) // [4, 6]
 */
export function sum(x: Tensor, dim?: number | readonly number[], keepdim?: boolean): Tensor {
  checkArity("sum", arguments, ["input", "dim", "keepdim"]);
  return reduceOp("sum", x, dim, keepdim);
}

/**
 * Mean over `dim` (as {@link sum}), like `torch.mean(x, dim, keepdim)`.
 * @throws TorchletError as sum, and for a mean of nothing (an empty tensor or dimension, where PyTorch returns NaN).
 * @example mean(tensor([[1, 2], [3, 4]]), -1, true) // [[1.5], [3.5]]
 */
export function mean(x: Tensor, dim?: number | readonly number[], keepdim?: boolean): Tensor {
  checkArity("mean", arguments, ["input", "dim", "keepdim"]);
  return reduceOp("mean", x, dim, keepdim);
}
