// permute and transpose: reorder the dimensions. Both are a strided copy
// (src/ops/strided.ts) of x with its strides reordered: every tensor is
// contiguous, so they copy where PyTorch returns a view. Data movement off
// LeNet's hot path: TypeScript only, no WebAssembly twin. Walk-through: docs/shapes.md
//
// Legend: x (d0, ..., dk) with contiguous strides (t0, ..., tk); a permutation p of 0..k.
//   y = permute(x, p): y (d_p0, ..., d_pk), y[c0, ..., ck] = x at coordinate c_i along dimension p_i,
//   i.e. the strided copy with strides (t_p0, ..., t_pk) from offset 0.
// Its gradient is the inverse permutation of dy, which stridedBackward scatters directly.

import { TorchletError, checkArity, describe, formatShape } from "../errors.js";
import { expectTensor, type Tensor } from "../tensor/tensor.js";
import { checkDim, contiguousStrides } from "./dim-args.js";
import { stridedCopy } from "./strided.js";

// y = x with its dimensions in the order `order` (already checked to be a permutation).
function reorder(op: string, x: Tensor, order: readonly number[]): Tensor {
  const strides = contiguousStrides(x.shape);
  return stridedCopy(op, x, { shape: order.map((i) => x.shape[i]!), strides: order.map((i) => strides[i]!), offset: 0 });
}

/**
 * Reorders the dimensions, like `torch.permute(x, dims)` / `x.permute(*dims)`: `permute(x, [2, 0, 1])`
 * or `permute(x, 2, 0, 1)`; dimension i of the result is dimension dims[i] of x (negative counts from the end).
 * Copies (PyTorch returns a view). @example permute(zeros(2, 3, 4), [2, 0, 1]).shape // [4, 2, 3]
 * @throws TorchletError when dims is not a permutation of x's dimensions, naming it and the shape.
 */
export function permute(x: Tensor, ...dims: number[] | [readonly number[]]): Tensor {
  expectTensor("permute", "input", x);
  let given: readonly unknown[] = dims;
  while (given.length > 0 && given[given.length - 1] === undefined) given = given.slice(0, -1); // trailing undefineds count as absent, as checkArity's do
  const order = (given.length === 1 && Array.isArray(given[0]) ? given[0] : given) as readonly unknown[];
  if (order.length !== x.ndim) {
    throw new TorchletError("permute", "INVALID_ARGUMENT", `dims [${order.map(describe).join(", ")}] must list each of the ${x.ndim} dimensions of shape ${formatShape(x.shape)} once, got ${order.length}`);
  }
  const resolved = order.map((dim, i) => checkDim("permute", dim, x.shape, `dims[${i}]`));
  const repeated = resolved.findIndex((d, i) => resolved.indexOf(d) !== i);
  if (repeated !== -1) {
    throw new TorchletError("permute", "INVALID_ARGUMENT", `dims [${order.map(describe).join(", ")}] repeats dimension ${resolved[repeated]} (shape ${formatShape(x.shape)}); each dimension must appear once`);
  }
  return reorder("permute", x, resolved);
}

/**
 * Swaps dimensions dim0 and dim1, like `torch.transpose(x, dim0, dim1)`; copies (PyTorch returns a view).
 * @example transpose(tensor([[1, 2, 3], [4, 5, 6]]), 0, 1).toArray() // [[1, 4], [2, 5], [3, 6]]
 * @throws TorchletError when a dim is out of range, naming it and the shape.
 */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  checkArity("transpose", arguments, ["input", "dim0", "dim1"]);
  expectTensor("transpose", "input", x);
  const a = checkDim("transpose", dim0, x.shape, "dim0");
  const b = checkDim("transpose", dim1, x.shape, "dim1");
  const order = x.shape.map((_, i) => (i === a ? b : i === b ? a : i));
  return reorder("transpose", x, order);
}

/**
 * All dimensions in reverse order, like PyTorch's `x.T` (for a matrix, its transpose; a 0-d or 1-d tensor is copied unchanged).
 * Installed as the `T` getter of every Tensor by src/ops/methods.ts.
 */
export function reverseDims(x: Tensor): Tensor {
  checkArity("T", arguments, ["input"]);
  expectTensor("T", "input", x);
  return reorder("T", x, x.shape.map((_, i) => x.ndim - 1 - i));
}
