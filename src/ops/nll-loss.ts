// nllLoss — the negative log-likelihood of class targets given log-probabilities,
// as PyTorch's F.nll_loss — and the two losses crossEntropy builds on
// logSoftmax(logits) when it cannot take its fused path (src/ops/cross-entropy.ts).
//
// Legend: N outer, J classes, I inner (src/ops/axis.ts); lp = log-probabilities
// (N, J, I); sample s = (n, i) with label y_s, w = class weights (1 without),
// ε = labelSmoothing.
//
//   nll_s    = −w[y_s] · lp[n, y_s, i]            (0 when y_s is ignoreIndex)
//   smooth_s = −Σ_c w[c] · lp[n, c, i]            (0 when y_s is ignoreIndex)
//   loss_s   = (1 − ε)·nll_s + (ε/J)·smooth_s     (reduction "none")
//   "sum" = Σ_s loss_s;  "mean" = Σ_s loss_s / Σ_s w[y_s], the sum over samples not ignored (their count without a
//   weight), for both terms, as PyTorch 1.13 (checked against it: fixtures reduce_ce_*smoothing_ignore*).
//
// Probability targets t (N, J, I): t' = (1 − ε)·t + ε/J and loss_s = −Σ_c w[c]·t'[n,c,i]·lp[n,c,i];
// "mean" divides by N·I. Walk-through of every option: docs/cross-entropy.md

import { TorchletError, allocFloat32, checkArity } from "../errors.js";
import { Tensor, expectTensor, record } from "../tensor/tensor.js";
import { activeBackend, kernel } from "../backend/dispatch.js";
import type { AxisDims } from "./axis.js";
import { NLL_LOSS_OPTIONS, checkLossOptions, lossGeometry, toLabels, type LossGeometry, type LossSettings, type Labels, type NllLossOptions } from "./loss-options.js";

/** Sizes of a loss over classes: N outer, J classes, inner; and ε, the label smoothing (0 for none). */
export interface LossDims extends AxisDims {
  /** ε, labelSmoothing in [0, 1]; 0 for none. */
  smoothing: number;
}

/** nll (N, I) and, when ε > 0, smooth (N, I) of class targets (labels −1: ignored, both 0). Overwrites both. Never allocates. */
export function nllLossForward(
  nll: Float32Array, // (N, I)
  smooth: Float32Array, // (N, I): left 0 when d.smoothing is 0
  logProbs: Float32Array, // (N, J, I)
  labels: Int32Array, // (N, I): class indices, −1 where ignored
  weight: Float32Array, // (J)
  d: LossDims,
): void {
  const { J, inner } = d;
  for (let s = 0; s < labels.length; s++) {
    const y = labels[s]!;
    const row = (s - (s % inner)) * J + (s % inner); // element (n, 0, i)
    nll[s] = y < 0 ? 0 : -weight[y]! * logProbs[row + y * inner]!;
    let total = 0;
    if (d.smoothing > 0 && y >= 0) for (let c = 0; c < J; c++) total -= weight[c]! * logProbs[row + c * inner]!;
    smooth[s] = total;
  }
}

/**
 * dlogProbs += the gradient of the nll and smooth terms, given ∂L/∂nll_s (gNll) and ∂L/∂smooth_s (gSmooth). Never allocates.
 * Twin of nllLossForward: the same walk over samples, each term's read of logProbs turned into a += of its gradient.
 */
export function nllLossBackward(
  dlogProbs: Float32Array, // (N, J, I)
  gNll: Float32Array, // (N, I)
  gSmooth: Float32Array, // (N, I)
  labels: Int32Array, // (N, I), −1 where ignored
  weight: Float32Array, // (J)
  d: LossDims,
): void {
  const { J, inner } = d;
  for (let s = 0; s < labels.length; s++) {
    const y = labels[s]!;
    if (y < 0) continue; // an ignored sample's terms are the constant 0
    const row = (s - (s % inner)) * J + (s % inner);
    // ∂nll_s/∂lp[y_s] = −w[y_s];  ∂smooth_s/∂lp[c] = −w[c]
    dlogProbs[row + y * inner] -= weight[y]! * gNll[s]!;
    if (d.smoothing > 0) for (let c = 0; c < J; c++) dlogProbs[row + c * inner] -= weight[c]! * gSmooth[s]!;
  }
}

/** loss (N, I) = −Σ_c w[c]·t'[n,c,i]·lp[n,c,i], t' = (1 − ε)·t + ε/J. Overwrites loss. Never allocates. */
export function probabilityLossForward(
  loss: Float32Array, // (N, I)
  logProbs: Float32Array, // (N, J, I)
  target: Float32Array, // (N, J, I): probabilities
  weight: Float32Array, // (J)
  d: LossDims,
): void {
  const { J, inner, smoothing } = d;
  for (let s = 0; s < loss.length; s++) {
    const row = (s - (s % inner)) * J + (s % inner);
    let total = 0;
    for (let c = 0; c < J; c++) total -= weight[c]! * ((1 - smoothing) * target[row + c * inner]! + smoothing / J) * logProbs[row + c * inner]!;
    loss[s] = total;
  }
}

/** dlogProbs += −w·t'·g and dtarget += −(1 − ε)·w·lp·g (null skips it), g = ∂L/∂loss_s. Never allocates. */
export function probabilityLossBackward(
  dlogProbs: Float32Array | null, // (N, J, I)
  dtarget: Float32Array | null, // (N, J, I)
  g: Float32Array, // (N, I)
  logProbs: Float32Array, // (N, J, I)
  target: Float32Array, // (N, J, I)
  weight: Float32Array, // (J)
  d: LossDims,
): void {
  const { J, inner, smoothing } = d;
  for (let s = 0; s < g.length; s++) {
    const row = (s - (s % inner)) * J + (s % inner);
    for (let c = 0; c < J; c++) {
      const at = row + c * inner;
      // ∂loss_s/∂lp_c = −w_c·t'_c;  ∂loss_s/∂t_c = −(1 − ε)·w_c·lp_c
      if (dlogProbs) dlogProbs[at] -= weight[c]! * ((1 - smoothing) * target[at]! + smoothing / J) * g[s]!;
      if (dtarget) dtarget[at] -= (1 - smoothing) * weight[c]! * logProbs[at]! * g[s]!;
    }
  }
}

/** ∂L/∂(each sample's term) for upstream dy: per sample for "none", else dy[0] (over `mean` when the reduction is "mean"). */
function sampleGradient(dy: Float32Array, samples: number, reduction: LossSettings["reduction"], scale: number, mean: number): Float32Array {
  const g = new Float32Array(samples); // (N, I)
  for (let s = 0; s < samples; s++) g[s] = (reduction === "none" ? dy[s]! : reduction === "mean" ? dy[0]! / mean : dy[0]!) * scale;
  return g;
}

/** The loss of class targets on log-probabilities, reduced as `o` says: nllLoss, and crossEntropy's general path. */
export function classTargetLoss(op: string, logProbs: Tensor, labels: Int32Array, o: LossSettings, g: LossGeometry): Tensor {
  const d: LossDims = { N: g.N, J: g.J, inner: g.inner, smoothing: o.labelSmoothing };
  const weight = o.weight ?? new Float32Array(g.J).fill(1); // (J)
  const samples = labels.length;
  const backend = activeBackend();
  const nll = allocFloat32(op, samples), smooth = allocFloat32(op, samples); // (N, I) each
  kernel(nllLossForward, backend)(nll, smooth, logProbs.data, labels, weight, d);
  let weightSum = 0, nllSum = 0, smoothSum = 0; // float64 sums
  for (let s = 0; s < samples; s++) {
    if (labels[s]! >= 0) weightSum += weight[labels[s]!]!;
    nllSum += nll[s]!;
    smoothSum += smooth[s]!;
  }
  const [ε, J] = [o.labelSmoothing, g.J];
  let out: Float32Array;
  if (o.reduction === "none") out = nll.map((v, s) => (1 - ε) * v + (ε / J) * smooth[s]!);
  else if (o.reduction === "sum") out = Float32Array.of((1 - ε) * nllSum + (ε / J) * smoothSum);
  else out = Float32Array.of(((1 - ε) * nllSum + (ε / J) * smoothSum) / weightSum);
  return record(op, out, o.reduction === "none" ? g.sampleShape : [], [logProbs], (dy, [dlp]) => {
    if (!dlp) return;
    const gNll = sampleGradient(dy, samples, o.reduction, 1 - ε, weightSum);
    const gSmooth = sampleGradient(dy, samples, o.reduction, ε / J, weightSum);
    kernel(nllLossBackward, backend)(dlp, gNll, gSmooth, labels, weight, d);
  });
}

/** The loss of probability targets (the input's shape) on log-probabilities, reduced as `o` says: crossEntropy's soft labels. */
export function probabilityTargetLoss(op: string, logProbs: Tensor, target: Tensor, o: LossSettings, g: LossGeometry): Tensor {
  if (o.ignoreIndexGiven) {
    throw new TorchletError(op, "INVALID_ARGUMENT", `ignoreIndex applies to class-index targets; these targets are probabilities (shape of the input), so no sample can be ignored`);
  }
  const d: LossDims = { N: g.N, J: g.J, inner: g.inner, smoothing: o.labelSmoothing };
  const weight = o.weight ?? new Float32Array(g.J).fill(1); // (J)
  const samples = g.N * g.inner;
  const backend = activeBackend();
  const loss = allocFloat32(op, samples); // (N, I)
  kernel(probabilityLossForward, backend)(loss, logProbs.data, target.data, weight, d);
  let total = 0;
  for (let s = 0; s < samples; s++) total += loss[s]!;
  const out = o.reduction === "none" ? loss : Float32Array.of(o.reduction === "sum" ? total : total / samples);
  return record(op, out, o.reduction === "none" ? g.sampleShape : [], [logProbs, target], (dy, [dlp, dt]) => {
    kernel(probabilityLossBackward, backend)(dlp ?? null, dt ?? null, sampleGradient(dy, samples, o.reduction, 1, samples), logProbs.data, target.data, weight, d);
  });
}

/**
 * Negative log-likelihood of class targets, like `F.nll_loss(logProbs, target, weight=, ignore_index=, reduction=)`:
 * logProbs (N, C), (N, C, d1, …) or unbatched (C); target (N), (N, d1, …) or a scalar. See docs/cross-entropy.md.
 * @throws TorchletError for a bad option, a target shape that does not fit, or a label outside [0, C) that is not ignoreIndex.
 * @example nllLoss(logSoftmax(logits, 1), labels, { reduction: "sum" })
 */
export function nllLoss(logProbs: Tensor, target: Labels, options: NllLossOptions = {}): Tensor {
  checkArity("nllLoss", arguments, ["input", "target", "options"]);
  expectTensor("nllLoss", "input", logProbs);
  const g = lossGeometry("nllLoss", "input", logProbs);
  const o = checkLossOptions("nllLoss", options, NLL_LOSS_OPTIONS, g.J);
  return classTargetLoss("nllLoss", logProbs, toLabels("nllLoss", target, g, o.ignoreIndex), o, g);
}
