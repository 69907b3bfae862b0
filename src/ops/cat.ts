// cat and stack: join tensors along a dimension. Data movement off LeNet's hot
// path: TypeScript only, no WebAssembly twin. Walk-through: docs/shapes.md
//
// Legend: every input viewed as (O, S_i, I): O the product of the dimensions
// before `dim`, S_i input i's size along it, I the product of those after.
//   cat:   y (O, S_0 + S_1 + ..., I), input i's block of rows placed after those of inputs 0..i-1;
//   stack: the same with every S_i = 1 on inputs of one shape, the new dimension inserted at `dim`.
// The gradient of each input is its block of dy.

import { TorchletError, allocFloat32, checkArity, describe, formatShape } from "../errors.js";
import { expectTensor, record, type Tensor } from "../tensor/tensor.js";
import { checkDim, checkHasDims, product } from "./dim-args.js";

/** Sizes of a concatenation: input i is (outer, sizes[i], inner), the output (outer, Σ sizes, inner). */
export interface CatDims {
  /** O: the product of the dimensions before the joined one. */
  outer: number;
  /** I: the product of the dimensions after it. */
  inner: number;
  /** S_i: each input's size along the joined dimension. */
  sizes: readonly number[];
}

/** y (O, Σ S_i, I) = the inputs xs[i] (O, S_i, I) side by side along the middle dimension. Overwrites y. Never allocates. */
export function catForward(
  y: Float32Array, // (O, Σ S_i, I)
  xs: readonly Float32Array[], // xs[i]: (O, S_i, I)
  d: CatDims,
): void {
  let at = 0;
  for (let o = 0; o < d.outer; o++) {
    for (let i = 0; i < xs.length; i++) {
      const block = d.sizes[i]! * d.inner, x = xs[i]!;
      for (let j = 0; j < block; j++) y[at + j] = x[o * block + j]!;
      at += block;
    }
  }
}

/** dxs[i] (O, S_i, I) += input i's block of dy (O, Σ S_i, I); a null dxs[i] is skipped. Never allocates. */
export function catBackward(
  dxs: readonly (Float32Array | null)[], // dxs[i]: (O, S_i, I) or null
  dy: Float32Array, // (O, Σ S_i, I)
  d: CatDims,
): void {
  let at = 0;
  for (let o = 0; o < d.outer; o++) {
    for (let i = 0; i < dxs.length; i++) {
      const block = d.sizes[i]! * d.inner, dx = dxs[i];
      // ∂y/∂x_i is the identity on input i's block: its slice of dy goes back unchanged
      if (dx) for (let j = 0; j < block; j++) dx[o * block + j] += dy[at + j]!;
      at += block;
    }
  }
}

// The list of tensors cat or stack joins: a non-empty array of Tensors.
function tensorList(op: string, tensors: unknown): Tensor[] {
  if (!Array.isArray(tensors) || tensors.length === 0) {
    throw new TorchletError(op, "INVALID_ARGUMENT", `tensors must be a non-empty array of Tensors, got ${describe(tensors)}`);
  }
  return tensors.map((t, i) => expectTensor(op, `tensors[${i}]`, t));
}

// Joins xs along the middle of (O, S_i, I) into `shape`, recording `op`.
function join(op: string, xs: readonly Tensor[], d: CatDims, shape: readonly number[]): Tensor {
  const y = allocFloat32(op, product(shape)); // (O, Σ S_i, I)
  catForward(y, xs.map((x) => x.data), d);
  return record(op, y, shape, xs, (dy, dxs) => catBackward(dxs.map((dx) => dx ?? null), dy, d));
}

/**
 * Joins tensors along an existing dimension, like `torch.cat(tensors, dim)`: their shapes must agree
 * in every other dimension. @example cat([zeros(2, 3), ones(2, 1)], 1).shape // [2, 4]
 * @throws TorchletError when the list is empty, dim is out of range, or two shapes disagree (naming both).
 */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  checkArity("cat", arguments, ["tensors", "dim"]);
  const xs = tensorList("cat", tensors);
  xs.forEach((x, i) => checkHasDims("cat", x, `tensors[${i}]`));
  const first = xs[0]!.shape;
  const d = checkDim("cat", dim, first);
  xs.forEach((x, i) => {
    if (x.ndim !== first.length || x.shape.some((size, k) => k !== d && size !== first[k])) {
      throw new TorchletError("cat", "SHAPE_MISMATCH", `tensors[${i}] has shape ${formatShape(x.shape)} but tensors[0] has shape ${formatShape(first)}: they must match in every dimension except dim ${d}`);
    }
  });
  const sizes = xs.map((x) => x.shape[d]!);
  const shape = first.map((size, k) => (k === d ? sizes.reduce((a, b) => a + b, 0) : size));
  return join("cat", xs, { outer: product(first, 0, d), inner: product(first, d + 1), sizes }, shape);
}

/**
 * Joins tensors of one shape along a new dimension inserted at `dim` (-ndim-1..ndim), like
 * `torch.stack(tensors, dim)`. @example stack([zeros(2, 3), ones(2, 3)], 1).shape // [2, 2, 3]
 * @throws TorchletError when the list is empty, dim is out of range, or two shapes differ (naming both).
 */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  checkArity("stack", arguments, ["tensors", "dim"]);
  const xs = tensorList("stack", tensors);
  const first = xs[0]!.shape;
  const d = checkDim("stack", dim, first, "dim", 1);
  xs.forEach((x, i) => {
    if (x.ndim !== first.length || x.shape.some((size, k) => size !== first[k])) {
      throw new TorchletError("stack", "SHAPE_MISMATCH", `tensors[${i}] has shape ${formatShape(x.shape)} but tensors[0] has shape ${formatShape(first)}: stack needs every shape equal`);
    }
  });
  const shape = [...first.slice(0, d), xs.length, ...first.slice(d)];
  return join("stack", xs, { outer: product(first, 0, d), inner: product(first, d), sizes: xs.map(() => 1) }, shape);
}
