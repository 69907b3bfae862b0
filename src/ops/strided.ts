// The strided copy: one kernel pair behind transpose, permute, narrow and slice.
// Data movement off LeNet's hot path: TypeScript only, no WebAssembly twin.
// Walk-through: docs/shapes.md
//
// Legend: y (s0, ..., sk) contiguous; x read through strides (t0, ..., tk) from an offset:
//
//   y[c0, ..., ck] = x[offset + c0·t0 + ... + ck·tk]
//
// permute reorders x's contiguous strides (a transpose swaps two); narrow and slice
// start at an offset and step one dimension by step·stride. Every tensor is
// contiguous, so the result is a copy where PyTorch would return a view.

import { allocFloat32 } from "../errors.js";
import { record, type Tensor } from "../tensor/tensor.js";
import { product } from "./dim-args.js";

/** A strided view of x: y's shape, the step in x of one step along each of y's dimensions, and where y[0, ..., 0] is. */
export interface StridedDims {
  /** y's shape (s0, ..., sk). */
  shape: readonly number[];
  /** The step in x's data of one step along each dimension of y (t0, ..., tk). */
  strides: readonly number[];
  /** Where y[0, ..., 0] is in x's data. */
  offset: number;
}

// Where in x row r of y starts: its leading coordinates (all but the last), peeled off from the last leading dimension to the first.
function rowStart(d: StridedDims, row: number): number {
  let start = d.offset, rest = row;
  for (let i = d.shape.length - 2; i >= 0; i--) {
    const size = d.shape[i]!;
    const c = rest % size;
    rest = (rest - c) / size;
    start += c * d.strides[i]!;
  }
  return start;
}

/** y[c] = x[offset + Σ c_i·strides_i] for every coordinate c of y. Overwrites y. Never allocates. */
export function stridedForward(
  y: Float32Array, // (s0, ..., sk)
  x: Float32Array, // any length: read at the offsets d describes
  d: StridedDims,
): void {
  if (d.shape.length === 0) {
    if (y.length === 1) y[0] = x[d.offset]!;
    return;
  }
  const last = d.shape[d.shape.length - 1]!, step = d.strides[d.strides.length - 1]!;
  const rows = last === 0 ? 0 : y.length / last;
  for (let r = 0; r < rows; r++) {
    const start = rowStart(d, r);
    for (let j = 0; j < last; j++) y[r * last + j] = x[start + j * step]!;
  }
}

/** dx[offset + Σ c_i·strides_i] += dy[c] for every coordinate c of dy. Never allocates. */
export function stridedBackward(
  dx: Float32Array, // like x
  dy: Float32Array, // (s0, ..., sk)
  d: StridedDims,
): void {
  if (d.shape.length === 0) {
    if (dy.length === 1) dx[d.offset] += dy[0]!;
    return;
  }
  const last = d.shape[d.shape.length - 1]!, step = d.strides[d.strides.length - 1]!;
  const rows = last === 0 ? 0 : dy.length / last;
  for (let r = 0; r < rows; r++) {
    const start = rowStart(d, r);
    // ∂y[c]/∂x[offset + Σ c_i·t_i] = 1: each dy element goes back to the one x element it copied
    for (let j = 0; j < last; j++) dx[start + j * step] += dy[r * last + j]!;
  }
}

/** Copies the strided view `d` of x into a new contiguous tensor, recording `op` for autograd. */
export function stridedCopy(op: string, x: Tensor, d: StridedDims): Tensor {
  const y = allocFloat32(op, product(d.shape)); // (s0, ..., sk)
  stridedForward(y, x.data, d);
  return record(op, y, d.shape, [x], (dy, [dx]) => {
    if (dx) stridedBackward(dx, dy, d);
  });
}
