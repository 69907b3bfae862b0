// max and argmax, over one dimension or over every element, as torch.max and torch.argmax.
//
// Legend: N outer, J the reduced dimension, I inner (src/ops/axis.ts); over every
// element, N = I = 1 and J = numel.
//
// NaN, as PyTorch 1.13 (checked): NaN is larger than everything, so a row's first
// NaN wins and the max is NaN; ties keep the first index. The gradient of
// max(x, dim) goes to that one index; the gradient of max(x) (every element) is
// shared evenly by all elements equal to the max (all NaNs when it is NaN), as
// PyTorch's max() backward does. Indices are returned as float32 tensors holding
// exact integers (PyTorch's are int64): `.toArray()` gives plain numbers.
// Walk-through: docs/reductions.md

import { TorchletError, allocFloat32, checkArity, formatShape } from "../errors.js";
import { Tensor, expectTensor, record } from "../tensor/tensor.js";
import { activeBackend, kernel } from "../backend/dispatch.js";
import { axisDims, checkDim, checkKeepdim, reducedShape, type AxisDims } from "./axis.js";

/** Largest index a float32 index tensor holds exactly (2^24). */
const MAX_EXACT_INDEX = 2 ** 24;

/** The j in [0, J) of the largest x[start + j·stride]: the first NaN, else the first of ties. */
export function argmaxStrided(x: Float32Array, start: number, J: number, stride: number): number {
  let best = 0;
  for (let j = 0; j < J; j++) {
    const v = x[start + j * stride]!;
    if (v !== v) return j; // NaN beats everything, and the first one wins
    if (v > x[start + best * stride]!) best = j;
  }
  return best;
}

/** indices (N, I) = where x's maximum over J is: the first NaN, else the first of ties (`argmaxStrided`). Never allocates. */
export function argmaxForward(
  indices: Int32Array, // (N, I)
  x: Float32Array, // (N, J, I)
  d: AxisDims,
): void {
  const { N, J, inner } = d;
  for (let n = 0; n < N; n++) {
    for (let i = 0; i < inner; i++) indices[n * inner + i] = argmaxStrided(x, n * J * inner + i, J, inner);
  }
}

/** values (N, I) = x's maximum over J, indices (N, I) = where it is ({@link argmaxForward}). Never allocates. */
export function maxForward(
  values: Float32Array, // (N, I)
  indices: Int32Array, // (N, I)
  x: Float32Array, // (N, J, I)
  d: AxisDims,
): void {
  argmaxForward(indices, x, d);
  const { J, inner } = d;
  for (let k = 0; k < values.length; k++) {
    const n = Math.floor(k / inner), i = k - n * inner;
    values[k] = x[(n * J + indices[k]!) * inner + i]!;
  }
}

/** dx (N, J, I) += dy (N, I) at each maximum's index. Never allocates. */
export function maxBackward(
  dx: Float32Array, // (N, J, I)
  dy: Float32Array, // (N, I)
  indices: Int32Array, // (N, I) from the forward
  d: AxisDims,
): void {
  const { J, inner } = d;
  for (let k = 0; k < dy.length; k++) {
    const n = Math.floor(k / inner), i = k - n * inner;
    // ∂max/∂x_j = [j = index]
    dx[(n * J + indices[k]!) * inner + i] += dy[k]!;
  }
}

/** dx += dy[0] / count at each of the `count` elements equal to `value` (each NaN when value is NaN), as PyTorch's max() backward. Never allocates. */
export function maxAllBackward(
  dx: Float32Array, // (any)
  dy: Float32Array, // (1)
  x: Float32Array, // (same as dx)
  value: number, // max(x) from the forward
): void {
  const isMax = (v: number): boolean => (value !== value ? v !== v : v === value);
  let count = 0;
  for (let k = 0; k < x.length; k++) if (isMax(x[k]!)) count++;
  // ∂max/∂x_k = 1/count where x_k is a maximum, else 0 (PyTorch's evenly_distribute_backward)
  const share = dy[0]! / count;
  for (let k = 0; k < x.length; k++) if (isMax(x[k]!)) dx[k] += share;
}

/** max's result over a dimension: PyTorch's namedtuple (values, indices), as an array that also has them by name. */
export type MaxResult = [values: Tensor, indices: Tensor] & {
  /** The maxima, with the gradient. */
  values: Tensor;
  /** Where each maximum is along dim: float32 integers, no gradient. */
  indices: Tensor;
};

/**
 * The maximum, like `torch.max`: `max(x)` is the largest element as a scalar tensor (NaN if any is NaN);
 * `max(x, dim, keepdim?)` is `[values, indices]` over dim (also `.values`, `.indices`), indices as float32
 * integers. The gradient goes to the max's index over a dim, and is shared by tied maxima over everything, as in PyTorch.
 * @throws TorchletError for a bad dim (naming it and the shape), keepdim without dim, or an empty reduction.
 * @example const [values, indices] = max(tensor([[1, 5, 2], [7, 0, 3]]), 1); // values [5, 7], indices [1, 0]
 */
export function max(x: Tensor): Tensor;
export function max(x: Tensor, dim: number, keepdim?: boolean): MaxResult;
export function max(x: Tensor, dim?: number, keepdim?: boolean): Tensor | MaxResult {
  checkArity("max", arguments, ["input", "dim", "keepdim"]);
  expectTensor("max", "input", x);
  if (dim === undefined) {
    if (keepdim !== undefined) throw new TorchletError("max", "INVALID_ARGUMENT", "keepdim needs a dim: max(x) reduces every element to a scalar, as torch.max(x)");
    return maxAll(x);
  }
  const d = checkDim("max", dim, x.shape);
  const dims = nonEmptyAxis("max", x, d);
  const shape = reducedShape(x.shape, x.ndim === 0 ? [] : [d], checkKeepdim("max", keepdim));
  const values = allocFloat32("max", dims.N * dims.inner); // (N, I)
  const indices = new Int32Array(dims.N * dims.inner); // (N, I)
  const backend = activeBackend();
  kernel(maxForward, backend)(values, indices, x.data, dims);
  const valuesTensor = record("max", values, shape, [x], (dy, [dx]) => {
    if (dx) kernel(maxBackward, backend)(dx, dy, indices, dims);
  });
  const indicesTensor = new Tensor(Float32Array.from(indices), shape);
  return Object.assign([valuesTensor, indicesTensor] as [Tensor, Tensor], { values: valuesTensor, indices: indicesTensor });
}

// max(x): the largest element (NaN if any), its gradient shared by every element equal to it.
function maxAll(x: Tensor): Tensor {
  if (x.numel === 0) throw new TorchletError("max", "SHAPE_MISMATCH", `the max of an empty tensor is undefined (shape ${formatShape(x.shape)}); PyTorch raises too`);
  const at = new Int32Array(1); // (1)
  const backend = activeBackend();
  kernel(argmaxForward, backend)(at, x.data, { N: 1, J: x.numel, inner: 1 });
  const value = x.data[at[0]!]!;
  return record("max", Float32Array.of(value), [], [x], (dy, [dx]) => {
    if (dx) kernel(maxAllBackward, backend)(dx, dy, x.data, value);
  });
}

/**
 * Indices of the maximum, like `torch.argmax`: `argmax(x)` is the flat index of the largest element
 * (a scalar tensor); `argmax(x, dim, keepdim?)` the index along dim. A NaN wins (its first one), ties keep the
 * first index, as PyTorch. Indices are float32 tensors holding exact integers (PyTorch's are int64); no gradient.
 * `.toArray()` turns them into plain numbers, `.item()` a scalar's.
 * @throws TorchletError for a bad dim (naming it and the shape), an empty reduction, or more than 2^24 candidates.
 * @example argmax(tensor([[1, 3, 2], [5, 0, 5]]), 1).toArray() // [1, 0]
 */
export function argmax(x: Tensor, dim?: number, keepdim?: boolean): Tensor {
  checkArity("argmax", arguments, ["input", "dim", "keepdim"]);
  expectTensor("argmax", "input", x);
  const keep = checkKeepdim("argmax", keepdim);
  const d = dim === undefined ? undefined : checkDim("argmax", dim, x.shape);
  const dims = d === undefined ? { N: 1, J: x.numel, inner: 1 } : nonEmptyAxis("argmax", x, d);
  if (d === undefined && x.numel === 0) {
    throw new TorchletError("argmax", "SHAPE_MISMATCH", `the argmax of an empty tensor is undefined (shape ${formatShape(x.shape)}); pass a non-empty dim`);
  }
  if (dims.J > MAX_EXACT_INDEX) {
    throw new TorchletError("argmax", "OUT_OF_RANGE", `${dims.J} candidates along the reduced dimension of shape ${formatShape(x.shape)}: indices past 2^24 are not exact in a float32 tensor`);
  }
  const indices = new Int32Array(dims.N * dims.inner); // (N, I)
  kernel(argmaxForward)(indices, x.data, dims);
  const all = x.shape.map((_, k) => k);
  const shape = reducedShape(x.shape, d === undefined ? all : x.ndim === 0 ? [] : [d], keep);
  return new Tensor(Float32Array.from(indices), shape);
}

// The (N, J, I) view around dim d, refusing an empty J (the max of nothing is undefined, as PyTorch says).
function nonEmptyAxis(op: string, x: Tensor, d: number): AxisDims {
  const dims = axisDims(x, d);
  if (dims.J === 0) {
    throw new TorchletError(op, "SHAPE_MISMATCH", `cannot reduce the empty dimension ${d} of shape ${formatShape(x.shape)} (the ${op} of nothing is undefined)`);
  }
  return dims;
}

/** Index of the largest of row n's J values in data (N, J): the predicted class, as {@link argmax} over the last dim. */
export function argmaxRow(data: Float32Array, n: number, J: number): number {
  return argmaxStrided(data, n * J, J, 1);
}
