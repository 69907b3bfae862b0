// Arguments shared by the shape and indexing ops (docs/shapes.md): a dimension
// checked against a shape, the sizes before and after it, and an index given as
// a tensor of integers, an Int32Array or a (nested) array of integers.
//
// Every message names the op, the value and the shape it was checked against:
// "transpose: dim1 3 is out of range for shape [2,3] (expected an integer in -2..1)".

import { TorchletError, checkShape, describe, formatShape } from "../errors.js";
import { Tensor, type Shape } from "../tensor/tensor.js";

/**
 * Resolves `dim` (negative counts from the end) against `shape`, or throws naming it and the shape.
 * `extra` widens the range past the last dimension: unsqueeze inserts at 0..ndim, so it passes 1.
 * A 0-d tensor takes dims -1 and 0, as PyTorch wraps a scalar's dim (transpose, squeeze).
 */
export function checkDim(op: string, dim: unknown, shape: Shape, name = "dim", extra = 0): number {
  const ndim = Math.max(shape.length + extra, 1);
  if (typeof dim !== "number" || !Number.isInteger(dim) || dim < -ndim || dim >= ndim) {
    const what = typeof dim === "number" && Number.isInteger(dim) ? `${name} ${dim} is out of range` : `${name} must be an integer, got ${describe(dim)},`;
    throw new TorchletError(op, typeof dim === "number" && Number.isInteger(dim) ? "OUT_OF_RANGE" : "INVALID_ARGUMENT", `${what} for shape ${formatShape(shape)} (expected an integer in ${-ndim}..${ndim - 1})`);
  }
  return dim < 0 ? dim + ndim : dim;
}

/** Refuses a 0-d tensor for an op that works along a dimension (narrow, cat, indexSelect, ...). */
export function checkHasDims(op: string, x: Tensor, name = "input"): void {
  if (x.ndim === 0) {
    throw new TorchletError(op, "SHAPE_MISMATCH", `${name} is a 0-d tensor (shape []), which has no dimension to work along; reshape it to [1] first`);
  }
}

/** The product of shape[from..to) (1 for an empty range). */
export function product(shape: Shape, from = 0, to = shape.length): number {
  let n = 1;
  for (let i = from; i < to; i++) n *= shape[i]!;
  return n;
}

/** Row-major strides of a contiguous tensor of `shape`: the step in `data` of one step along each dimension. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let step = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = step;
    step *= shape[i]!;
  }
  return strides;
}

/** An index argument made integer: its values and the shape it came with. */
export interface IndexArgument {
  values: Int32Array;
  shape: number[];
}

/**
 * Reads an index where PyTorch takes a LongTensor: a Tensor of integer values, an Int32Array
 * (one dimension) or a (nested) array of integers. Values are checked against `bound` by the caller.
 * @throws TorchletError naming the first non-integer value, or a ragged nesting.
 */
export function indexArgument(op: string, index: unknown, name = "index"): IndexArgument {
  if (index instanceof Int32Array) return { values: Int32Array.from(index), shape: [index.length] };
  let values: ArrayLike<unknown>, shape: number[];
  if (index instanceof Tensor) {
    [values, shape] = [index.data, [...index.shape]];
  } else if (Array.isArray(index) || typeof index === "number") {
    [values, shape] = nestedIndex(op, index, name);
  } else {
    throw new TorchletError(op, "INVALID_ARGUMENT", `${name} must be a Tensor of integers, an Int32Array or an array of integers, got ${describe(index)}`);
  }
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== "number" || !Number.isInteger(v) || Math.abs(v) > 2 ** 31 - 1) {
      throw new TorchletError(op, "INVALID_ARGUMENT", `${name} must hold integers, got ${describe(v)} at flat position ${i}`);
    }
    out[i] = v;
  }
  return { values: out, shape };
}

// The values (in row-major order, holes read as undefined) and shape of a rectangular nested array of index values.
function nestedIndex(op: string, index: unknown, name: string): [unknown[], number[]] {
  const shape: number[] = [], values: unknown[] = [];
  for (let level = index; Array.isArray(level); level = level[0]) shape.push(level.length);
  checkShape(op, shape, `${name} shape`);
  const walk = (v: unknown, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (Array.isArray(v)) throw new TorchletError(op, "SHAPE_MISMATCH", `${name}${path} is an array where an integer was expected (ragged nesting, shape so far ${formatShape(shape)})`);
      values.push(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      throw new TorchletError(op, "SHAPE_MISMATCH", `${name}${path} has ${Array.isArray(v) ? `length ${v.length}` : "no length"} where ${shape[depth]} was expected (ragged nesting, shape ${formatShape(shape)})`);
    }
    for (let i = 0; i < v.length; i++) walk(v[i], depth + 1, `${path}[${i}]`);
  };
  walk(index, 0, "");
  return [values, shape];
}

/** Checks every index value lies in [0, size) for dimension `dim` of `shape` (PyTorch refuses negative indices here too). */
export function checkIndexValues(op: string, values: Int32Array, dim: number, shape: Shape, name = "index"): void {
  const size = shape[dim]!;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < 0 || v >= size) {
      throw new TorchletError(op, "OUT_OF_RANGE", `${name} ${v} (at flat position ${i}) is out of range for dim ${dim} of size ${size} (input shape ${formatShape(shape)}; expected 0..${size - 1})`);
    }
  }
}
