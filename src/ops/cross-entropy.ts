// softmaxCrossEntropy — the classification loss: negative log-probability of the
// right class under softmax(logits). PyTorch's F.cross_entropy, every option.
//
// Legend: N batch, J classes, I inner (the dimensions after the classes, 1 for (N, J) logits).
//
//   L = −1/(N·I) Σ_(n,i) logSoftmax(logits)[n, label_(n,i), i]      (the fused path)
//
// Fused backward (docs/cross-entropy.md): softmax and the log cancel into
//   ∂L/∂logits[n,j,i] = (softmax[n,j,i] − [j = label_(n,i)]) / (N·I)
// which is both cheaper and better conditioned than chaining the two ops.
// LeNet's loss (mean, no weight, no smoothing, nothing ignored) takes this path;
// every other option goes through logSoftmax and src/ops/nll-loss.ts.

import { TorchletError, allocFloat32, checkArity, describe } from "../errors.js";
import { Tensor, record } from "../tensor/tensor.js";
import { logSoftmax, logSoftmaxForward, type SoftmaxDims } from "./softmax.js";
import { activeBackend, kernel } from "../backend/dispatch.js";
import { CROSS_ENTROPY_OPTIONS, checkLossOptions, isProbabilityTarget, lossGeometry, toLabels, type CrossEntropyOptions, type LossGeometry, type LossSettings, type Labels } from "./loss-options.js";
import { classTargetLoss, probabilityTargetLoss } from "./nll-loss.js";

export type { CrossEntropyOptions, Labels } from "./loss-options.js";

/** L = mean over the N·I samples of −log softmax(logits)[label]; logProbs keeps logSoftmax(logits). Never allocates. */
export function softmaxCrossEntropyForward(
  loss: Float32Array, // (1)
  logProbs: Float32Array, // (N, J, I): logSoftmax(logits) over J, kept for the backward
  logits: Float32Array, // (N, J, I)
  labels: Int32Array, // (N, I), each in [0, J)
  d: SoftmaxDims,
): void {
  const { N, J, inner } = d;
  logSoftmaxForward(logProbs, logits, d);
  let total = 0;
  for (let n = 0; n < N; n++) {
    for (let i = 0; i < inner; i++) total -= logProbs[(n * J + labels[n * inner + i]!) * inner + i]!;
  }
  loss[0] = total / (N * inner);
}

/** dlogits += dloss · (softmax − onehot(labels)) / (N·I). Never allocates. */
export function softmaxCrossEntropyBackward(
  dlogits: Float32Array, // (N, J, I)
  dloss: Float32Array, // (1): ∂(outer loss)/∂L, 1 when L is the loss
  logProbs: Float32Array, // (N, J, I) from the forward
  labels: Int32Array, // (N, I)
  d: SoftmaxDims,
): void {
  const { N, J, inner } = d;
  const scale = dloss[0]! / (N * inner);
  // ∂L/∂logits[n,j,i] = (softmax[n,j,i] − [j = label_(n,i)]) / (N·I)
  for (let k = 0; k < N * J * inner; k++) dlogits[k] += Math.exp(logProbs[k]!) * scale;
  for (let n = 0; n < N; n++) {
    for (let i = 0; i < inner; i++) dlogits[(n * J + labels[n * inner + i]!) * inner + i] -= scale;
  }
}

/** Options of {@link softmaxCrossEntropy} PyTorch has and torchlet does not implement yet: none (sizeAverage and reduce, PyTorch's deprecated spellings, are refused with a pointer to reduction). */
export const CROSS_ENTROPY_OPTIONS_NOT_YET: readonly string[] = [];

/**
 * Softmax cross-entropy, like `F.cross_entropy(logits, target, weight=, ignore_index=, reduction=, label_smoothing=)`.
 * logits (N, C), (N, C, d1, …) or unbatched (C); target either class indices of shape (N), (N, d1, …) or a scalar
 * (a Tensor, an Int32Array or array of integers, flat, or a number), or probabilities: a Tensor of the logits' shape.
 * Options: reduction "mean" (default) | "sum" | "none", weight (a tensor (C)), ignoreIndex (default −100),
 * labelSmoothing in [0, 1]. See docs/cross-entropy.md for each.
 * @throws TorchletError on an empty input, a target that does not fit, a label outside [0, C) that is not ignoreIndex, or a bad option.
 * @example crossEntropy(tensor([[0, 0, 0]]), [1]).item() // ln 3 ≈ 1.0986
 */
export function softmaxCrossEntropy(logits: Tensor, labels: Labels, options: CrossEntropyOptions = {}): Tensor {
  checkArity("crossEntropy", arguments, ["logits", "labels", "options"]);
  if (!(logits instanceof Tensor)) {
    throw new TorchletError("crossEntropy", "INVALID_ARGUMENT", `logits must be a Tensor, got ${describe(logits)}`);
  }
  const g = lossGeometry("crossEntropy", "logits", logits);
  const o = checkLossOptions("crossEntropy", options, CROSS_ENTROPY_OPTIONS, g.J, CROSS_ENTROPY_OPTIONS_NOT_YET);
  if (isProbabilityTarget(labels, logits)) {
    return probabilityTargetLoss("crossEntropy", logSoftmax(logits, g.classDim), labels, o, g);
  }
  const y = toLabels("crossEntropy", labels, g, o.ignoreIndex);
  if (takesFusedPath(o, y, g)) return fusedCrossEntropy(logits, y, g);
  return classTargetLoss("crossEntropy", logSoftmax(logits, g.classDim), y, o, g);
}

// The fused kernel computes the plain mean over batched logits: no weight, no smoothing, no ignored label.
function takesFusedPath(o: LossSettings, labels: Int32Array, g: LossGeometry): boolean {
  return o.reduction === "mean" && o.weight === null && o.labelSmoothing === 0 && g.classDim === 1 && !labels.includes(-1);
}

function fusedCrossEntropy(logits: Tensor, y: Int32Array, g: LossGeometry): Tensor {
  const d: SoftmaxDims = { N: g.N, J: g.J, inner: g.inner };
  const loss = allocFloat32("crossEntropy", 1);
  const logProbs = allocFloat32("crossEntropy", logits.numel);
  const backend = activeBackend(); // one backend for the forward and its backward
  kernel(softmaxCrossEntropyForward, backend)(loss, logProbs, logits.data, y, d);
  return record("crossEntropy", loss, [], [logits], (dloss, [dlogits]) => {
    if (dlogits) kernel(softmaxCrossEntropyBackward, backend)(dlogits, dloss, logProbs, y, d);
  });
}

/** Alias of {@link softmaxCrossEntropy}, PyTorch's name (`F.cross_entropy`). */
export const crossEntropy = softmaxCrossEntropy;
