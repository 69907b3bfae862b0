// softmaxCrossEntropy — the classification loss: mean negative log-probability
// of the right class under softmax(logits). PyTorch's F.cross_entropy.
//
// Legend: N batch, J classes.
//
//   L = −1/N Σ_n logSoftmax(logits)[n, label_n]
//
// Fused backward (docs/cross-entropy.md): softmax and the log cancel into
//   ∂L/∂logits[n,j] = (softmax[n,j] − [j = label_n]) / N
// which is both cheaper and better conditioned than chaining the two ops.

import { TorchletError, allocFloat32, checkArity, checkOptionKeys, describe, formatShape } from "../errors.js";
import { Tensor, record } from "../tensor/tensor.js";
import { logSoftmaxForward, type SoftmaxDims } from "./softmax.js";
import { activeBackend, kernel } from "../backend/dispatch.js";

/** L = mean over the batch of −log softmax(logits)[label]; logProbs keeps logSoftmax(logits). Never allocates. */
export function softmaxCrossEntropyForward(
  loss: Float32Array, // (1)
  logProbs: Float32Array, // (N, J): logSoftmax(logits), kept for the backward
  logits: Float32Array, // (N, J)
  labels: Int32Array, // (N), each in [0, J)
  d: SoftmaxDims,
): void {
  const { N, J } = d;
  logSoftmaxForward(logProbs, logits, d);
  let total = 0;
  for (let n = 0; n < N; n++) total -= logProbs[n * J + labels[n]!]!;
  loss[0] = total / N;
}

/** dlogits += dloss · (softmax − onehot(labels)) / N. Never allocates. */
export function softmaxCrossEntropyBackward(
  dlogits: Float32Array, // (N, J)
  dloss: Float32Array, // (1): ∂(outer loss)/∂L, 1 when L is the loss
  logProbs: Float32Array, // (N, J) from the forward
  labels: Int32Array, // (N)
  d: SoftmaxDims,
): void {
  const { N, J } = d;
  const scale = dloss[0]! / N;
  for (let n = 0; n < N; n++) {
    // ∂L/∂logits[n,j] = (softmax[n,j] − [j = label_n]) / N
    for (let j = 0; j < J; j++) dlogits[n * J + j] += Math.exp(logProbs[n * J + j]!) * scale;
    dlogits[n * J + labels[n]!] -= scale;
  }
}

/** Class labels: an Int32Array, a plain array of integers, or a tensor of integral values. */
export type Labels = Int32Array | readonly number[] | Tensor;

/**
 * Checks labels against a batch of N rows of J classes and returns them as an Int32Array.
 * @throws TorchletError naming the first label that is not an integer in [0, J).
 */
export function toLabels(op: string, labels: Labels, N: number, J: number): Int32Array {
  const values: ArrayLike<unknown> | null =
    labels instanceof Tensor ? labels.data : labels instanceof Int32Array || Array.isArray(labels) ? labels : null;
  if (values === null) {
    throw new TorchletError(op, "INVALID_ARGUMENT", `labels must be an Int32Array, an array of integers or a Tensor, got ${describe(labels)}`);
  }
  if (values.length !== N) {
    throw new TorchletError(op, "SHAPE_MISMATCH", `got ${values.length} labels for a batch of ${N}`);
  }
  const out = new Int32Array(N); // a copy: the backward must not see later changes to the caller's array
  for (let n = 0; n < N; n++) {
    const v = values[n];
    if (typeof v !== "number" || !Number.isInteger(v)) {
      throw new TorchletError(op, "INVALID_ARGUMENT", `label ${describe(v)} at index ${n} is not an integer class index in [0, ${J})`);
    }
    if (v < 0 || v >= J) {
      throw new TorchletError(op, "OUT_OF_RANGE", `label ${v} at index ${n} is out of range for ${J} classes [0, ${J})`);
    }
    out[n] = v;
  }
  return out;
}

/**
 * Options of {@link softmaxCrossEntropy}: none yet. PyTorch's are refused by name as
 * not supported yet (reduction, ignoreIndex, labelSmoothing, weight) rather than ignored.
 */
export type CrossEntropyOptions = Record<never, never>;

/** cross-entropy options PyTorch has and torchlet does not implement yet. */
export const CROSS_ENTROPY_OPTIONS_NOT_YET: readonly string[] = ["reduction", "ignoreIndex", "labelSmoothing", "weight", "sizeAverage", "reduce"];

/**
 * Mean softmax cross-entropy of logits (N, J) against integer labels (N): a scalar tensor.
 * @throws TorchletError on an empty batch, a label count ≠ N, a label outside [0, J), or any option.
 * @example crossEntropy(tensor([[0, 0, 0]]), [1]).item() // ln 3 ≈ 1.0986
 */
export function softmaxCrossEntropy(logits: Tensor, labels: Labels, options: CrossEntropyOptions = {}): Tensor {
  checkArity("crossEntropy", arguments, ["logits", "labels", "options"]);
  checkOptionKeys("crossEntropy", options, [], CROSS_ENTROPY_OPTIONS_NOT_YET);
  if (!(logits instanceof Tensor)) {
    throw new TorchletError("crossEntropy", "INVALID_ARGUMENT", `logits must be a Tensor, got ${describe(logits)}`);
  }
  if (logits.ndim !== 2 || logits.shape[0] === 0 || logits.shape[1] === 0) {
    throw new TorchletError("crossEntropy", "SHAPE_MISMATCH", `logits must be 2-D (batch, classes) and non-empty, got shape ${formatShape(logits.shape)}`);
  }
  const [N, J] = logits.shape as [number, number];
  const d: SoftmaxDims = { N, J };
  const y = toLabels("crossEntropy", labels, N, J);
  const loss = allocFloat32("crossEntropy", 1);
  const logProbs = allocFloat32("crossEntropy", N * J);
  const backend = activeBackend(); // one backend for the forward and its backward
  kernel(softmaxCrossEntropyForward, backend)(loss, logProbs, logits.data, y, d);
  return record("crossEntropy", loss, [], [logits], (dloss, [dlogits]) => {
    if (dlogits) kernel(softmaxCrossEntropyBackward, backend)(dlogits, dloss, logProbs, y, d);
  });
}

/** Alias of {@link softmaxCrossEntropy}, PyTorch's name (`F.cross_entropy`). */
export const crossEntropy = softmaxCrossEntropy;
