// BatchNorm1d and BatchNorm2d, as PyTorch's: the same options, parameters
// (`weight`, `bias`) and buffers (`running_mean`, `running_var`,
// `num_batches_tracked`), so state dicts move between the two libraries.
// One step (step.ts) describes both modes: it reads `training` when it runs,
// so an eager forward and a Plan agree in training and in evaluation.

import { TorchletError, checkArity, checkFinite, checkInt, checkOptionKeys, describe, formatShape } from "../errors.js";
import { Tensor, ones, zeros } from "../tensor/index.js";
import { batchNormDims, batchNormStatistics, type BatchNormDims, type RunningStats } from "../ops/batchnorm.js";
import type { Kernels } from "../backend/index.js";
import { StepLayer, type LayerStep } from "./step.js";

/** Options of {@link BatchNorm1d} and {@link BatchNorm2d}, as PyTorch's keywords. */
export interface BatchNormLayerOptions {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** How far one training batch moves the running statistics (default 0.1); null for a cumulative average, as PyTorch. */
  momentum?: number | null;
  /** Learn a per-channel scale `weight` and shift `bias` (default true). */
  affine?: boolean;
  /** Keep running statistics for evaluation (default true); without them, evaluation uses batch statistics too. */
  trackRunningStats?: boolean;
}

const BATCHNORM_OPTIONS: readonly string[] = ["eps", "momentum", "affine", "trackRunningStats"];
const BATCHNORM_OPTIONS_NOT_YET: readonly string[] = ["device", "dtype"];

/** What BatchNorm1d and BatchNorm2d share: everything but the input ranks they accept. */
abstract class BatchNormLayer extends StepLayer {
  /** C: the channels (PyTorch's num_features). */
  readonly numFeatures: number;
  /** Added to the variance before the square root. */
  readonly eps: number;
  /** How far one training batch moves the running statistics; null for a cumulative average. */
  readonly momentum: number | null;
  /** γ (C), parameter `"weight"`, or null without affine. */
  readonly weight: Tensor | null;
  /** β (C), parameter `"bias"`, or null without affine. */
  readonly bias: Tensor | null;
  /** Running mean (C), buffer `"running_mean"`, or null without trackRunningStats. */
  readonly runningMean: Tensor | null;
  /** Running unbiased variance (C), buffer `"running_var"`, or null without trackRunningStats. */
  readonly runningVar: Tensor | null;
  /** Training batches seen (a float32 count, shape []), buffer `"num_batches_tracked"`, or null without trackRunningStats. */
  readonly numBatchesTracked: Tensor | null;

  constructor(typeName: string, numFeatures: number, options: BatchNormLayerOptions, private readonly ranks: readonly number[]) {
    super(typeName, typeName === "BatchNorm1d" ? "batchNorm1d" : "batchNorm2d");
    const given = checkOptionKeys(typeName, options, BATCHNORM_OPTIONS, BATCHNORM_OPTIONS_NOT_YET);
    this.numFeatures = checkInt(typeName, "numFeatures", numFeatures, 1);
    this.eps = checkFinite(typeName, "eps", given.eps ?? 1e-5);
    if (this.eps < 0) throw new TorchletError(typeName, "INVALID_ARGUMENT", `eps must be ≥ 0, got ${this.eps}`);
    this.momentum = given.momentum === null ? null : checkFinite(typeName, "momentum", given.momentum ?? 0.1);
    for (const flag of ["affine", "trackRunningStats"] as const) {
      if (given[flag] !== undefined && typeof given[flag] !== "boolean") throw new TorchletError(typeName, "INVALID_ARGUMENT", `${flag} must be true or false, got ${describe(given[flag])}`);
    }
    const affine = given.affine ?? true, track = given.trackRunningStats ?? true;
    this.weight = affine ? this.registerParameter("weight", ones(numFeatures)) : null;
    this.bias = affine ? this.registerParameter("bias", zeros(numFeatures)) : null;
    this.runningMean = track ? this.registerBuffer("running_mean", zeros(numFeatures)) : null;
    this.runningVar = track ? this.registerBuffer("running_var", ones(numFeatures)) : null;
    this.numBatchesTracked = track ? this.registerBuffer("num_batches_tracked", zeros([])) : null;
  }

  /**
   * y = γ·(x − μ)/√(v + eps) + β per channel, with the batch's statistics in training (moving the running
   * ones) and the running ones in evaluation; see docs/batchnorm.md.
   */
  override step(inputShape: readonly number[], k: Kernels): LayerStep {
    if (!this.ranks.includes(inputShape.length)) {
      const expected = this.ranks.map((r) => (r === 2 ? "(N, C)" : r === 3 ? "(N, C, L)" : "(N, C, H, W)")).join(" or ");
      throw new TorchletError(this.op, "SHAPE_MISMATCH", `input must be ${expected}, got ${formatShape(inputShape)}`);
    }
    const d: BatchNormDims = batchNormDims(this.op, inputShape, this.numFeatures, this.eps);
    // What the forward normalised with, for its backward: the step's own, as a Plan's shared scratch would be overwritten in between.
    const mean = new Float32Array(d.C), variance = new Float32Array(d.C); // (C) each
    let batchStats = true; // the mode of the last forward
    return {
      outputShape: inputShape,
      forward: (b) => {
        batchStats = this.training || this.runningMean === null;
        batchNormStatistics(this.op, mean, variance, b.x, d, batchStats, this.runningStats(batchStats), k.batchNormMoments);
        k.batchNormForward(b.y, b.x, b.params[0] ?? null, b.params[1] ?? null, mean, variance, d);
      },
      backward: (b) => k.batchNormBackward(b.dx, b.dparams[0] ?? null, b.dparams[1] ?? null, b.dy, b.x, b.params[0] ?? null, mean, variance, d, batchStats),
    };
  }

  // The running statistics (null without trackRunningStats). A training batch is counted here and moves them by
  // the momentum, or by 1/batches for a cumulative average; an evaluation batch only reads them.
  private runningStats(training: boolean): RunningStats | null {
    if (this.runningMean === null || this.runningVar === null || this.numBatchesTracked === null) return null;
    const batches = training ? ++this.numBatchesTracked.data[0]! : this.numBatchesTracked.data[0]!;
    return { mean: this.runningMean.data, variance: this.runningVar.data, factor: this.momentum ?? 1 / batches };
  }

  protected override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.weight !== null}, trackRunningStats=${this.runningMean !== null}`;
  }
}

/**
 * Batch normalisation over (N, C) or (N, C, L) inputs, like `torch.nn.BatchNorm1d(C)`.
 * @example new BatchNorm1d(120) // after a Linear(400, 120)
 */
export class BatchNorm1d extends BatchNormLayer {
  /** @param numFeatures C; options eps, momentum (null: cumulative average), affine, trackRunningStats. */
  constructor(numFeatures: number, options: BatchNormLayerOptions = {}) {
    super("BatchNorm1d", numFeatures, options, [2, 3]);
    checkArity("BatchNorm1d", arguments, ["numFeatures", "options"]);
  }
}

/**
 * Batch normalisation over (N, C, H, W) inputs, like `torch.nn.BatchNorm2d(C)`.
 * @example new BatchNorm2d(6) // after a Conv2d(1, 6, 5)
 */
export class BatchNorm2d extends BatchNormLayer {
  /** @param numFeatures C; options eps, momentum (null: cumulative average), affine, trackRunningStats. */
  constructor(numFeatures: number, options: BatchNormLayerOptions = {}) {
    super("BatchNorm2d", numFeatures, options, [4]);
    checkArity("BatchNorm2d", arguments, ["numFeatures", "options"]);
  }
}
