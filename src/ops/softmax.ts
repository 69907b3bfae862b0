// softmax and logSoftmax over the last dimension, and argmax for predictions.
//
// Legend: N rows (every leading dimension), J classes (the last dimension).
//
//   logSoftmax(x)[n,j] = x[n,j] − lse(x[n,·]),  lse(v) = m + log Σ_j e^(v_j − m),  m = max_j v_j
//   softmax(x)        = e^logSoftmax(x)
//
// Subtracting the row maximum m first keeps every exponent ≤ 0, so nothing
// overflows however large the logits are. Walk-through (with the loss built
// on logSoftmax): docs/cross-entropy.md

import { TorchletError, allocFloat32, formatShape, checkArity } from "../errors.js";
import { Tensor, expectTensor, record } from "../tensor/tensor.js";
import { activeBackend, kernel } from "../backend/dispatch.js";

/** Sizes of a row-wise softmax: N rows of J classes. */
export interface SoftmaxDims {
  /** Rows. */
  N: number;
  /** Classes: the length of each row. */
  J: number;
}

/** y (N, J) = log-softmax of each row of x. Overwrites y. Never allocates. */
export function logSoftmaxForward(
  y: Float32Array, // (N, J)
  x: Float32Array, // (N, J)
  d: SoftmaxDims,
): void {
  const { N, J } = d;
  for (let n = 0; n < N; n++) {
    const row = n * J;
    let max = -Infinity;
    for (let j = 0; j < J; j++) max = Math.max(max, x[row + j]!);
    let sum = 0;
    for (let j = 0; j < J; j++) sum += Math.exp(x[row + j]! - max);
    const logSum = Math.log(sum);
    // (x − max) − log Σ, not x − (max + log Σ): for |max| ≳ 1e16 the latter rounds log Σ away (softmax([1e17, 1e17]) was [1, 1])
    for (let j = 0; j < J; j++) y[row + j] = x[row + j]! - max - logSum;
  }
}

/**
 * dx += dy − softmax · Σ_j dy, using the saved output y = logSoftmax(x). Never allocates.
 * Shaped like {@link softmaxBackward} (a row sum, then an update) with another Jacobian: two loops, each as derived.
 */
export function logSoftmaxBackward(
  dx: Float32Array, // (N, J)
  dy: Float32Array, // (N, J)
  y: Float32Array, // (N, J): logSoftmax(x)
  d: SoftmaxDims,
): void {
  const { N, J } = d;
  for (let n = 0; n < N; n++) {
    const row = n * J;
    let dySum = 0;
    for (let j = 0; j < J; j++) dySum += dy[row + j]!;
    // ∂y_j/∂x_i = [i = j] − softmax_i
    for (let j = 0; j < J; j++) dx[row + j] += dy[row + j]! - Math.exp(y[row + j]!) * dySum;
  }
}

/** y (N, J) = softmax of each row of x. Overwrites y. Never allocates. */
export function softmaxForward(
  y: Float32Array, // (N, J)
  x: Float32Array, // (N, J)
  d: SoftmaxDims,
): void {
  logSoftmaxForward(y, x, d);
  for (let i = 0; i < d.N * d.J; i++) y[i] = Math.exp(y[i]!);
}

/**
 * dx += y ⊙ (dy − Σ_j dy·y), using the saved output y = softmax(x). Never allocates.
 * Shaped like {@link logSoftmaxBackward} (a row sum, then an update) with another Jacobian: two loops, each as derived.
 */
export function softmaxBackward(
  dx: Float32Array, // (N, J)
  dy: Float32Array, // (N, J)
  y: Float32Array, // (N, J): softmax(x)
  d: SoftmaxDims,
): void {
  const { N, J } = d;
  for (let n = 0; n < N; n++) {
    const row = n * J;
    let dot = 0;
    for (let j = 0; j < J; j++) dot += dy[row + j]! * y[row + j]!;
    // ∂y_j/∂x_i = y_j ([i = j] − y_i)
    for (let j = 0; j < J; j++) dx[row + j] += y[row + j]! * (dy[row + j]! - dot);
  }
}

/** Rows and classes of a tensor whose last dimension holds the classes. */
export function rowsOf(op: string, x: Tensor): SoftmaxDims {
  if (x.ndim < 1 || x.shape[x.ndim - 1] === 0) {
    throw new TorchletError(op, "SHAPE_MISMATCH", `input needs a non-empty last dimension (the classes), got shape ${formatShape(x.shape)}`);
  }
  const J = x.shape[x.ndim - 1]!;
  return { N: x.numel / J, J };
}

/**
 * Softmax over the last dimension, like `torch.softmax(x, -1)`: x (*, J) → (*, J), each row summing to 1.
 * @throws TorchletError when x is not a Tensor or its last dimension is missing or empty.
 * @example softmax(tensor([[0, Math.log(3)]])) // [[0.25, 0.75]]
 */
export function softmax(x: Tensor): Tensor {
  checkArity("softmax", arguments, ["input"], "torchlet's softmax works over the last dimension and takes no dim yet");
  return rowwiseOp("softmax", x, softmaxForward, softmaxBackward);
}

/**
 * Log-softmax over the last dimension, like `torch.log_softmax(x, -1)`: x (*, J) → (*, J),
 * computed as x − logsumexp(x) with the row maximum subtracted first (no overflow). See docs/cross-entropy.md.
 * @throws TorchletError when x is not a Tensor or its last dimension is missing or empty.
 */
export function logSoftmax(x: Tensor): Tensor {
  checkArity("logSoftmax", arguments, ["input"], "torchlet's logSoftmax works over the last dimension and takes no dim yet");
  return rowwiseOp("logSoftmax", x, logSoftmaxForward, logSoftmaxBackward);
}

/** Applies the row-wise op `name` (its kernels `forward` and `backward`) over x's last dimension, recording a backward that reads the output y. */
function rowwiseOp(name: string, x: Tensor, forward: typeof softmaxForward, backward: typeof softmaxBackward): Tensor {
  expectTensor(name, "input", x);
  const d = rowsOf(name, x);
  const backend = activeBackend(); // one backend for the forward and its backward
  const y = allocFloat32(name, x.numel); // (N, J), shaped like x
  kernel(forward, backend)(y, x.data, d);
  return record(name, y, x.shape, [x], (dy, [dx]) => {
    if (dx) kernel(backward, backend)(dx, dy, y, d);
  });
}

/** Index of the largest of row n's J values in data (N, J): the predicted class. First wins on ties. */
export function argmaxRow(data: Float32Array, n: number, J: number): number {
  // As torch.argmax: NaN counts as larger than everything, so a row's first NaN wins; ties keep the first index.
  let best = 0;
  for (let j = 0; j < J; j++) {
    const v = data[n * J + j]!;
    if (v !== v) return j; // NaN
    if (v > data[n * J + best]!) best = j;
  }
  return best;
}

/**
 * Index of the largest value in each row (last dimension): the predicted class. First wins on ties.
 * x (*, J) → an Int32Array of one index per row (not a Tensor; no gradient).
 * @throws TorchletError when x is not a Tensor or its last dimension is missing or empty.
 * @example argmax(tensor([[1, 3, 2], [5, 0, 5]])) // Int32Array [1, 0]
 */
export function argmax(x: Tensor): Int32Array {
  checkArity("argmax", arguments, ["input"], "torchlet's argmax works over the last dimension and takes no dim yet");
  expectTensor("argmax", "input", x);
  const { N, J } = rowsOf("argmax", x);
  const out = new Int32Array(N);
  for (let n = 0; n < N; n++) out[n] = argmaxRow(x.data, n, J);
  return out;
}
