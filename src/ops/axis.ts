// Dimension arguments as PyTorch takes them (a number, negative from the end, or
// a list of them for sum and mean), and the (N, J, inner) view of a contiguous
// tensor around one dimension that softmax, max and argmax work on without
// transposing: element (n, j, i) lives at (n·J + j)·inner + i. See docs/reductions.md.

import { TorchletError, describe, formatShape } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";

/** A contiguous tensor seen around one dimension: N outer, J along it, inner after it. */
export interface AxisDims {
  /** Outer: the product of the dimensions before the chosen one (1 if none). */
  N: number;
  /** The length of the chosen dimension. */
  J: number;
  /** Inner: the product of the dimensions after it, which is also the stride between its elements (1 when it is the last). */
  inner: number;
}

/**
 * Resolves `dim` (negative counts from the end) against `shape`, as PyTorch does; a 0-D tensor
 * takes dim 0 or −1, like a 1-element vector.
 * @throws TorchletError naming the dim and the shape when it is not an integer in [−ndim, ndim).
 */
export function checkDim(op: string, dim: unknown, shape: readonly number[]): number {
  const ndim = Math.max(shape.length, 1);
  if (typeof dim !== "number" || !Number.isInteger(dim)) {
    throw new TorchletError(op, "INVALID_ARGUMENT", `dim must be an integer, got ${describe(dim)} (input shape ${formatShape(shape)})`);
  }
  if (dim < -ndim || dim >= ndim) {
    throw new TorchletError(op, "OUT_OF_RANGE", `dim ${dim} is out of range for shape ${formatShape(shape)} (expected an integer in [${-ndim}, ${ndim - 1}])`);
  }
  return dim < 0 ? dim + ndim : dim;
}

/**
 * Resolves a dim or a list of dims (sum, mean) to sorted distinct dimensions; undefined means all of them.
 * @throws TorchletError naming a bad or repeated dim and the shape.
 */
export function checkDims(op: string, dim: unknown, shape: readonly number[]): number[] {
  if (dim === undefined || dim === null) return shape.map((_, d) => d);
  const list = Array.isArray(dim) ? (dim as unknown[]) : [dim];
  const dims = list.map((d) => checkDim(op, d, shape));
  for (let i = 0; i < dims.length; i++) {
    if (dims.indexOf(dims[i]!) !== i) {
      throw new TorchletError(op, "INVALID_ARGUMENT", `dim ${dims[i]} appears more than once in dim ${JSON.stringify(list)} (input shape ${formatShape(shape)})`);
    }
  }
  // An empty list reduces every dimension, as torch.sum(x, dim=[]) does in PyTorch 1.13; a 0-D input has none to reduce.
  return dims.length === 0 || shape.length === 0 ? shape.map((_, d) => d) : dims.sort((a, b) => a - b);
}

/** Checks keepdim: a boolean (PyTorch's default, false, when undefined). */
export function checkKeepdim(op: string, keepdim: unknown): boolean {
  if (keepdim === undefined) return false;
  if (typeof keepdim !== "boolean") throw new TorchletError(op, "INVALID_ARGUMENT", `keepdim must be true or false, got ${describe(keepdim)}`);
  return keepdim;
}

/** The (N, J, inner) view of x around dimension d (already resolved). */
export function axisDims(x: Tensor, d: number): AxisDims {
  const shape = x.shape;
  let N = 1, inner = 1;
  for (let k = 0; k < d; k++) N *= shape[k]!;
  for (let k = d + 1; k < shape.length; k++) inner *= shape[k]!;
  return { N, J: shape.length === 0 ? 1 : shape[d]!, inner };
}

/** The shape left after reducing `dims` (sorted, resolved): each kept as 1 with keepdim, dropped without. */
export function reducedShape(shape: readonly number[], dims: readonly number[], keepdim: boolean): number[] {
  const out: number[] = [];
  for (let k = 0; k < shape.length; k++) {
    if (!dims.includes(k)) out.push(shape[k]!);
    else if (keepdim) out.push(1);
  }
  return out;
}
