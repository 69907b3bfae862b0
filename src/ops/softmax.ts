// softmax and logSoftmax over any dimension, as torch.softmax(x, dim).
//
// Legend: N outer (the dimensions before dim), J classes (the softmax's dim),
// I inner (the dimensions after it: the stride between two classes). A dim that
// is not the last is read in place with that stride, never transposed.
//
//   logSoftmax(x)[n,j,i] = x[n,j,i] − lse(x[n,·,i]),  lse(v) = m + log Σ_j e^(v_j − m),  m = max_j v_j
//   softmax(x)          = e^logSoftmax(x)
//
// Subtracting the maximum m first keeps every exponent ≤ 0, so nothing
// overflows however large the logits are. Walk-through (with the loss built
// on logSoftmax): docs/cross-entropy.md

import { TorchletError, allocFloat32, formatShape, checkArity } from "../errors.js";
import { Tensor, expectTensor, record } from "../tensor/tensor.js";
import { activeBackend, kernel } from "../backend/dispatch.js";
import { axisDims, checkDim, type AxisDims } from "./axis.js";

/** Sizes of a softmax over one dimension: N outer, J classes, inner after them (1 when the classes are the last dimension). */
export type SoftmaxDims = AxisDims;

/** y (N, J, I) = log-softmax of x over J. Overwrites y. Never allocates. */
export function logSoftmaxForward(
  y: Float32Array, // (N, J, I)
  x: Float32Array, // (N, J, I)
  d: SoftmaxDims,
): void {
  const { N, J, inner } = d;
  for (let n = 0; n < N; n++) {
    for (let i = 0; i < inner; i++) {
      const row = n * J * inner + i; // element (n, 0, i); class j is at row + j·inner
      let max = -Infinity;
      for (let j = 0; j < J; j++) max = Math.max(max, x[row + j * inner]!);
      let sum = 0;
      for (let j = 0; j < J; j++) sum += Math.exp(x[row + j * inner]! - max);
      const logSum = Math.log(sum);
      // (x − max) − log Σ, not x − (max + log Σ): for |max| ≳ 1e16 the latter rounds log Σ away (softmax([1e17, 1e17]) was [1, 1])
      for (let j = 0; j < J; j++) y[row + j * inner] = x[row + j * inner]! - max - logSum;
    }
  }
}

/**
 * dx += dy − softmax · Σ_j dy, using the saved output y = logSoftmax(x). Never allocates.
 * Shaped like {@link softmaxBackward} (a sum over J, then an update) with another Jacobian: two loops, each as derived.
 */
export function logSoftmaxBackward(
  dx: Float32Array, // (N, J, I)
  dy: Float32Array, // (N, J, I)
  y: Float32Array, // (N, J, I): logSoftmax(x)
  d: SoftmaxDims,
): void {
  const { N, J, inner } = d;
  for (let n = 0; n < N; n++) {
    for (let i = 0; i < inner; i++) {
      const row = n * J * inner + i;
      let dySum = 0;
      for (let j = 0; j < J; j++) dySum += dy[row + j * inner]!;
      // ∂y_j/∂x_k = [k = j] − softmax_k
      for (let j = 0; j < J; j++) dx[row + j * inner] += dy[row + j * inner]! - Math.exp(y[row + j * inner]!) * dySum;
    }
  }
}

/** y (N, J, I) = softmax of x over J. Overwrites y. Never allocates. */
export function softmaxForward(
  y: Float32Array, // (N, J, I)
  x: Float32Array, // (N, J, I)
  d: SoftmaxDims,
): void {
  logSoftmaxForward(y, x, d);
  for (let i = 0; i < d.N * d.J * d.inner; i++) y[i] = Math.exp(y[i]!);
}

/**
 * dx += y ⊙ (dy − Σ_j dy·y), using the saved output y = softmax(x). Never allocates.
 * Shaped like {@link logSoftmaxBackward} (a sum over J, then an update) with another Jacobian: two loops, each as derived.
 */
export function softmaxBackward(
  dx: Float32Array, // (N, J, I)
  dy: Float32Array, // (N, J, I)
  y: Float32Array, // (N, J, I): softmax(x)
  d: SoftmaxDims,
): void {
  const { N, J, inner } = d;
  for (let n = 0; n < N; n++) {
    for (let i = 0; i < inner; i++) {
      const row = n * J * inner + i;
      let dot = 0;
      for (let j = 0; j < J; j++) dot += dy[row + j * inner]! * y[row + j * inner]!;
      // ∂y_j/∂x_k = y_j ([k = j] − y_k)
      for (let j = 0; j < J; j++) dx[row + j * inner] += y[row + j * inner]! * (dy[row + j * inner]! - dot);
    }
  }
}

/**
 * The dimension a softmax-like op works over, resolved as PyTorch does: `dim` (negative from the end), or,
 * when omitted, the last dimension for a 0-, 1- or 2-D input (where PyTorch's deprecated implicit dim picks the
 * last one too). For 3-D and more PyTorch's implicit choice is dim 0 or 1, not the last, so torchlet asks for dim.
 * @throws TorchletError for a missing dim on 3-D+ input, a bad dim (naming it and the shape), or an empty dimension.
 */
export function softmaxDim(op: string, x: Tensor, dim: number | undefined): number {
  if (dim === undefined && x.ndim > 2) {
    throw new TorchletError(op, "INVALID_ARGUMENT", `dim is required for a ${x.ndim}-D input (shape ${formatShape(x.shape)}): PyTorch's implicit dim, deprecated, would take dim ${x.ndim === 3 ? 0 : 1}, not the last; pass dim (-1 for the last)`);
  }
  const d = checkDim(op, dim ?? -1, x.shape);
  if (x.shape.length > 0 && x.shape[d] === 0) {
    const which = d === x.ndim - 1 ? "last dimension" : `dimension ${d}`;
    throw new TorchletError(op, "SHAPE_MISMATCH", `input needs a non-empty ${which} (dim ${dim ?? -1}), got shape ${formatShape(x.shape)}`);
  }
  return d;
}

/**
 * Softmax over `dim`, like `torch.softmax(x, dim)`: x → the same shape, summing to 1 along dim.
 * dim may be negative (from the end); omitted, it is the last dimension of a 0-, 1- or 2-D input (see docs/cross-entropy.md).
 * @throws TorchletError when x is not a Tensor, dim is bad or missing for 3-D+ input, or that dimension is empty.
 * @example softmax(tensor([[0, Math.log(3)]]), -1) // [[0.25, 0.75]]
 */
export function softmax(x: Tensor, dim?: number): Tensor {
  checkArity("softmax", arguments, ["input", "dim"]);
  return axiswiseOp("softmax", x, dim, softmaxForward, softmaxBackward);
}

/**
 * Log-softmax over `dim`, like `torch.log_softmax(x, dim)`: x → the same shape,
 * computed as x − logsumexp(x) with the maximum subtracted first (no overflow). dim as in {@link softmax}.
 * @throws TorchletError when x is not a Tensor, dim is bad or missing for 3-D+ input, or that dimension is empty.
 */
export function logSoftmax(x: Tensor, dim?: number): Tensor {
  checkArity("logSoftmax", arguments, ["input", "dim"]);
  return axiswiseOp("logSoftmax", x, dim, logSoftmaxForward, logSoftmaxBackward);
}

/** Applies the op `name` (its kernels `forward` and `backward`) over x's dimension `dim`, recording a backward that reads the output y. */
function axiswiseOp(name: string, x: Tensor, dim: number | undefined, forward: typeof softmaxForward, backward: typeof softmaxBackward): Tensor {
  expectTensor(name, "input", x);
  const d = axisDims(x, softmaxDim(name, x, dim));
  const backend = activeBackend(); // one backend for the forward and its backward
  const y = allocFloat32(name, x.numel); // (N, J, I), shaped like x
  kernel(forward, backend)(y, x.data, d);
  return record(name, y, x.shape, [x], (dy, [dx]) => {
    if (dx) kernel(backward, backend)(dx, dy, y, d);
  });
}
