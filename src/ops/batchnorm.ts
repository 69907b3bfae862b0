// batchNorm — PyTorch's F.batch_norm: normalise each channel over the batch
// (and the positions), then scale and shift it (docs/batchnorm.md).
//
// Legend: x (N, C, L): N batch, C channels, L positions per channel (H·W for an image, 1 for (N, C));
// M = N·L values per channel; μ, v (C) the channel statistics; σ = √(v + eps).
//
// Forward, per channel c:
//   training (batch statistics): μ = Σ x / M, v = Σ (x − μ)² / M (biased), and the running
//     statistics move towards them: rμ ← (1 − f)·rμ + f·μ, rv ← (1 − f)·rv + f·v·M/(M − 1) (unbiased), f the momentum;
//   evaluation: μ = rμ, v = rv.
//   x̂ = (x − μ)/σ,  y = γ·x̂ + β
// Backward, with ĝ = γ·dy (∂L/∂x̂):
//   ∂L/∂β = Σ dy,  ∂L/∂γ = Σ dy·x̂
//   batch statistics (μ, v depend on x):  ∂L/∂x = (M·ĝ − Σ ĝ − x̂·Σ ĝ·x̂) / (M·σ)
//   running statistics (constants):       ∂L/∂x = ĝ / σ
//
// The WebAssembly twins of the three kernels are in src/wasm/batchnorm.ts (the same float64 arithmetic).

import { TorchletError, allocFloat32, checkArity, checkFinite, checkOptionKeys, describe, formatShape } from "../errors.js";
import { Tensor, expectTensor, record } from "../tensor/tensor.js";
import { activeBackend, kernel } from "../backend/dispatch.js";

/** The dims of the batch-norm kernels. */
export interface BatchNormDims {
  /** Batch size. */
  readonly N: number;
  /** Channels. */
  readonly C: number;
  /** Positions per channel and example: H·W, L, or 1. */
  readonly L: number;
  /** Added to the variance before the square root. */
  readonly eps: number;
}

/** mean (C) and variance (C) of x per channel over the batch and positions; the variance is biased (÷M). Never allocates. */
export function batchNormMoments(
  mean: Float32Array, // (C)
  variance: Float32Array, // (C)
  x: Float32Array, // (N, C, L)
  d: BatchNormDims,
): void {
  const { N, C, L } = d, M = N * L;
  for (let c = 0; c < C; c++) {
    let sum = 0; // float64 sums, two passes: no cancellation in Σ x² − M μ²
    for (let n = 0; n < N; n++) for (let l = 0, o = (n * C + c) * L; l < L; l++) sum += x[o + l]!;
    const mu = sum / M;
    let squares = 0;
    for (let n = 0; n < N; n++) for (let l = 0, o = (n * C + c) * L; l < L; l++) squares += (x[o + l]! - mu) ** 2;
    mean[c] = mu;
    variance[c] = squares / M;
  }
}

/** runningMean (C) ← (1 − f)·runningMean + f·mean, runningVar (C) ← (1 − f)·runningVar + f·variance·M/(M − 1). Never allocates. */
export function updateRunningStats(
  runningMean: Float32Array, // (C)
  runningVar: Float32Array, // (C)
  mean: Float32Array, // (C): this batch's mean
  variance: Float32Array, // (C): this batch's biased variance
  factor: number, // f: the momentum, or 1/batches for a cumulative average
  M: number, // values per channel in the batch (N·L)
): void {
  const unbias = M / (M - 1); // PyTorch keeps the unbiased variance, though it normalises with the biased one
  for (let c = 0; c < mean.length; c++) {
    runningMean[c] = (1 - factor) * runningMean[c]! + factor * mean[c]!;
    runningVar[c] = (1 - factor) * runningVar[c]! + factor * variance[c]! * unbias;
  }
}

/** y = γ·(x − mean)/√(variance + eps) + β per channel (γ = 1, β = 0 when null). Never allocates. */
export function batchNormForward(
  y: Float32Array, // (N, C, L)
  x: Float32Array, // (N, C, L)
  weight: Float32Array | null, // γ (C)
  bias: Float32Array | null, // β (C)
  mean: Float32Array, // (C)
  variance: Float32Array, // (C)
  d: BatchNormDims,
): void {
  const { N, C, L, eps } = d;
  for (let c = 0; c < C; c++) {
    const mu = mean[c]!, scale = (weight ? weight[c]! : 1) / Math.sqrt(variance[c]! + eps), shift = bias ? bias[c]! : 0;
    for (let n = 0; n < N; n++) for (let l = 0, o = (n * C + c) * L; l < L; l++) y[o + l] = (x[o + l]! - mu) * scale + shift;
  }
}

/**
 * dx, dweight, dbias += the batch-norm gradients (null skips one); `batchStats` says whether mean and
 * variance were this batch's (training: they depend on x) or the running ones (constants). Never allocates.
 */
export function batchNormBackward(
  dx: Float32Array | null, // (N, C, L)
  dweight: Float32Array | null, // (C)
  dbias: Float32Array | null, // (C)
  dy: Float32Array, // (N, C, L)
  x: Float32Array, // (N, C, L)
  weight: Float32Array | null, // γ (C)
  mean: Float32Array, // (C): what the forward normalised with
  variance: Float32Array, // (C)
  d: BatchNormDims,
  batchStats: boolean,
): void {
  const { N, C, L, eps } = d, M = N * L;
  for (let c = 0; c < C; c++) {
    const mu = mean[c]!, invStd = 1 / Math.sqrt(variance[c]! + eps), gamma = weight ? weight[c]! : 1;
    let sumDy = 0, sumDyXhat = 0;
    for (let n = 0; n < N; n++) {
      for (let l = 0, o = (n * C + c) * L; l < L; l++) {
        sumDy += dy[o + l]!;
        sumDyXhat += dy[o + l]! * (x[o + l]! - mu) * invStd;
      }
    }
    if (dbias) dbias[c] += sumDy; // ∂L/∂β = Σ dy
    if (dweight) dweight[c] += sumDyXhat; // ∂L/∂γ = Σ dy·x̂
    if (!dx) continue;
    // batch statistics: ∂L/∂x = γ/(M·σ) · (M·dy − Σ dy − x̂·Σ dy·x̂); running statistics: ∂L/∂x = γ·dy/σ
    const k = (gamma * invStd) / M;
    for (let n = 0; n < N; n++) {
      for (let l = 0, o = (n * C + c) * L; l < L; l++) {
        dx[o + l] += batchStats ? k * (M * dy[o + l]! - sumDy - (x[o + l]! - mu) * invStd * sumDyXhat) : gamma * invStd * dy[o + l]!;
      }
    }
  }
}

/**
 * The dims of a batch norm over `inputShape` (N, C, ...) with `channels` channels (when given).
 * @throws TorchletError when the rank is below 2 or the channel count differs.
 */
export function batchNormDims(op: string, inputShape: readonly number[], channels: number | null, eps: number): BatchNormDims {
  if (inputShape.length < 2) {
    throw new TorchletError(op, "SHAPE_MISMATCH", `input must be (N, C, ...) with at least 2 dimensions, got ${formatShape(inputShape)}`);
  }
  const [N, C] = inputShape as [number, number];
  if (channels !== null && C !== channels) {
    throw new TorchletError(op, "SHAPE_MISMATCH", `input has ${C} channels (dimension 1 of ${formatShape(inputShape)}) but the layer expects ${channels}`);
  }
  return { N, C, L: inputShape.slice(2).reduce((a, b) => a * b, 1), eps };
}

/** The running statistics a batch norm reads in evaluation and moves in training, and how far it moves them (f). */
export interface RunningStats {
  readonly mean: Float32Array; // (C)
  readonly variance: Float32Array; // (C)
  readonly factor: number;
}

/**
 * Fills mean and variance (C) with what the forward normalises with, as PyTorch: this batch's statistics
 * (computed by `moments`, the backend's batchNormMoments) when `batchStats`, moving `running`, if any,
 * towards them; else the running ones. Never allocates.
 * @throws TorchletError when batch statistics have a single value per channel (its variance is undefined).
 */
export function batchNormStatistics(
  op: string, mean: Float32Array, variance: Float32Array, x: Float32Array, d: BatchNormDims, batchStats: boolean, running: RunningStats | null,
  moments: typeof batchNormMoments,
): void {
  if (!batchStats) {
    mean.set(running!.mean);
    variance.set(running!.variance);
    return;
  }
  if (d.N * d.L <= 1) {
    throw new TorchletError(op, "SHAPE_MISMATCH", `expected more than 1 value per channel in training, got ${d.N * d.L} (input (${d.N}, ${d.C}${d.L > 1 ? `, ${d.L}` : ""})); use a larger batch or eval()`);
  }
  moments(mean, variance, x, d);
  if (running) updateRunningStats(running.mean, running.variance, mean, variance, running.factor, d.N * d.L);
}

/** Options of {@link batchNorm}, as PyTorch's `F.batch_norm` keywords. */
export interface BatchNormOptions {
  /** γ (C): scales each normalised channel (default 1). */
  weight?: Tensor | null;
  /** β (C): shifts each channel (default 0). */
  bias?: Tensor | null;
  /** Normalise with this batch's statistics and move the running ones (default false: use the running ones). */
  training?: boolean;
  /** How far one batch moves the running statistics (default 0.1). */
  momentum?: number;
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
}

/**
 * Batch normalisation of x (N, C, ...), like `F.batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps)`.
 * In training, the running statistics (when given) are updated in place, with the unbiased batch variance.
 * @throws TorchletError on a shape mismatch, a single value per channel in training, or missing running statistics in evaluation.
 * @example batchNorm(x, null, null, { training: true }) // each channel of x to mean 0, variance 1
 */
export function batchNorm(input: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, options: BatchNormOptions = {}): Tensor {
  const op = "batchNorm";
  checkArity(op, arguments, ["input", "runningMean", "runningVar", "options"]);
  expectTensor(op, "input", input);
  const { weight = null, bias = null, training = false, momentum = 0.1, eps = 1e-5 } = checkOptionKeys(op, options, ["weight", "bias", "training", "momentum", "eps"]);
  if (typeof training !== "boolean") throw new TorchletError(op, "INVALID_ARGUMENT", `training must be true or false, got ${describe(training)}`);
  const d = batchNormDims(op, input.shape, null, checkFinite(op, "eps", eps));
  checkFinite(op, "momentum", momentum);
  for (const [name, t] of [["runningMean", runningMean], ["runningVar", runningVar], ["weight", weight], ["bias", bias]] as const) {
    if (t === null) continue;
    expectTensor(op, name, t);
    if (t.numel !== d.C || t.ndim !== 1) throw new TorchletError(op, "SHAPE_MISMATCH", `${name} must have shape [${d.C}] (one value per channel of input ${formatShape(input.shape)}), got ${formatShape(t.shape)}`);
  }
  if ((runningMean === null) !== (runningVar === null) || (!training && runningMean === null)) {
    throw new TorchletError(op, "INVALID_ARGUMENT", `${training ? "runningMean and runningVar must be given together" : "evaluation (training: false) normalises with runningMean and runningVar; pass both, or training: true"}`);
  }
  const mean = allocFloat32(op, d.C), variance = allocFloat32(op, d.C); // (C) each, what the backward needs
  const running = runningMean && runningVar ? { mean: runningMean.data, variance: runningVar.data, factor: momentum } : null;
  const backend = activeBackend(); // one backend for the forward and its backward
  batchNormStatistics(op, mean, variance, input.data, d, training, running, kernel(batchNormMoments, backend));
  const y = allocFloat32(op, input.numel); // (N, C, ...)
  kernel(batchNormForward, backend)(y, input.data, weight?.data ?? null, bias?.data ?? null, mean, variance, d);
  const inputs = [input, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  return record(op, y, input.shape, inputs, (dy, [dx, ...rest]) => {
    const dweight = weight ? rest.shift() ?? null : null, dbias = bias ? rest.shift() ?? null : null;
    kernel(batchNormBackward, backend)(dx ?? null, dweight, dbias, dy, input.data, weight?.data ?? null, mean, variance, d, training);
  });
}
