// indexSelect and gather: pick elements of x by an index. Both reduce to one
// flat "take" (torch.take's rule) over source offsets computed from the index,
// and its backward is a scatter-add: an element picked twice gets both
// gradients. Data movement off LeNet's hot path: TypeScript only, no
// WebAssembly twin. Walk-through: docs/shapes.md
//
// Legend: x (d0, ..., dk) with contiguous strides (t0, ..., tk), `dim` the indexed dimension.
//   indexSelect: index (K) → y (d0, ..., K, ..., dk),  y[..., k, ...] = x[..., index[k], ...]
//   gather:      index (j0, ..., jk), same rank as x → y (j0, ..., jk),  y[c] = x[c with c_dim = index[c]]
//   take:        y[p] = x[offsets[p]], so dx[offsets[p]] += dy[p]

import { TorchletError, allocFloat32, checkArity, formatShape } from "../errors.js";
import { expectTensor, record, type Tensor } from "../tensor/tensor.js";
import { checkDim, checkHasDims, checkIndexValues, contiguousStrides, indexArgument, product } from "./dim-args.js";

/** A Tensor of integer values, an Int32Array or a (nested) array of integers: where PyTorch takes a LongTensor. */
export type Index = Tensor | Int32Array | NestedIndex;

/** An integer or an arbitrarily nested array of integers, its nesting giving the index's shape. */
export type NestedIndex = number | readonly NestedIndex[];

/** y[p] = x[offsets[p]] for every p. Overwrites y. Never allocates. */
export function takeForward(
  y: Float32Array, // (P): any shape, flat
  x: Float32Array, // any shape, flat
  offsets: Int32Array, // (P): where in x each y element comes from
): void {
  for (let p = 0; p < y.length; p++) y[p] = x[offsets[p]!]!;
}

/** dx[offsets[p]] += dy[p] for every p: a scatter-add (an offset listed twice accumulates twice). Never allocates. */
export function takeBackward(
  dx: Float32Array, // like x
  dy: Float32Array, // (P)
  offsets: Int32Array, // (P)
): void {
  // ∂y[p]/∂x[q] = [q = offsets[p]]
  for (let p = 0; p < dy.length; p++) dx[offsets[p]!] += dy[p]!;
}

// y (shape) = x at `offsets`, recording `op` with the scatter-add backward.
function takeOp(op: string, x: Tensor, offsets: Int32Array, shape: readonly number[]): Tensor {
  const y = allocFloat32(op, offsets.length); // shape
  takeForward(y, x.data, offsets);
  return record(op, y, shape, [x], (dy, [dx]) => {
    if (dx) takeBackward(dx, dy, offsets);
  });
}

/**
 * The entries `index` of dimension `dim`, in that order (repeats allowed), like `torch.index_select(x, dim, index)`.
 * index is 1-D: a Tensor of integers, an Int32Array or an array; each value in 0..size-1.
 * @example indexSelect(tensor([[1, 2, 3], [4, 5, 6]]), 1, [2, 0]).toArray() // [[3, 1], [6, 4]]
 * @throws TorchletError when dim is out of range, index is not 1-D integers, or a value is out of range.
 */
export function indexSelect(x: Tensor, dim: number, index: Index): Tensor {
  checkArity("indexSelect", arguments, ["input", "dim", "index"]);
  expectTensor("indexSelect", "input", x);
  checkHasDims("indexSelect", x);
  const d = checkDim("indexSelect", dim, x.shape);
  const { values, shape: indexShape } = indexArgument("indexSelect", index);
  if (indexShape.length > 1) {
    throw new TorchletError("indexSelect", "SHAPE_MISMATCH", `index must be 1-D, got shape ${formatShape(indexShape)}`);
  }
  checkIndexValues("indexSelect", values, d, x.shape);
  const S = x.shape[d]!, K = values.length, I = product(x.shape, d + 1), O = product(x.shape, 0, d);
  const offsets = new Int32Array(O * K * I); // (O, K, I)
  for (let o = 0; o < O; o++)
    for (let k = 0; k < K; k++)
      for (let i = 0; i < I; i++) offsets[(o * K + k) * I + i] = (o * S + values[k]!) * I + i;
  return takeOp("indexSelect", x, offsets, x.shape.map((size, k) => (k === d ? K : size)));
}

/**
 * Picks along `dim` for every position of `index`, like `torch.gather(x, dim, index)`:
 * y[c] = x[c with c_dim replaced by index[c]]. index has x's rank, and each of its sizes but
 * dim's is at most x's; y has index's shape. @example gather(tensor([[1, 2], [3, 4]]), 1, [[1], [0]]).toArray() // [[2], [3]]
 * @throws TorchletError when dim is out of range, the shapes do not fit (naming both), or a value is out of range.
 */
export function gather(x: Tensor, dim: number, index: Index): Tensor {
  checkArity("gather", arguments, ["input", "dim", "index"]);
  expectTensor("gather", "input", x);
  checkHasDims("gather", x);
  const d = checkDim("gather", dim, x.shape);
  const { values, shape } = indexArgument("gather", index);
  if (shape.length !== x.ndim || shape.some((size, k) => k !== d && size > x.shape[k]!)) {
    throw new TorchletError("gather", "SHAPE_MISMATCH", `index of shape ${formatShape(shape)} does not fit input of shape ${formatShape(x.shape)}: it needs the same number of dimensions, each at most the input's except dim ${d}`);
  }
  checkIndexValues("gather", values, d, x.shape);
  const strides = contiguousStrides(x.shape);
  const offsets = new Int32Array(values.length); // index's shape
  for (let p = 0; p < values.length; p++) {
    // p's coordinates in index's shape, from the last dimension to the first; x's offset uses x's strides
    let rest = p, offset = 0;
    for (let k = shape.length - 1; k >= 0; k--) {
      const c = rest % shape[k]!;
      rest = (rest - c) / shape[k]!;
      offset += (k === d ? values[p]! : c) * strides[k]!;
    }
    offsets[p] = offset;
  }
  return takeOp("gather", x, offsets, shape);
}
