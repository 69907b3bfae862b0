// What crossEntropy and nllLoss share: their options (reduction, weight,
// ignoreIndex, labelSmoothing) checked once, the geometry of their input, and
// class-index targets turned into one Int32Array.
//
// Geometry, as PyTorch: input (N, C) with targets (N); (N, C, d1, …, dk) with
// targets (N, d1, …, dk); unbatched (C) with a scalar target. Seen as
// (N, J = C, I = d1·…·dk) around the class dimension (src/ops/axis.ts), with
// N·I samples; the loss of reduction "none" has the targets' shape. Each option: docs/cross-entropy.md

import { TorchletError, checkOptionKeys, describe, formatShape } from "../errors.js";
import { Tensor } from "../tensor/tensor.js";
import type { AxisDims } from "./axis.js";

import { checkReduction, refuseDeprecatedReduction, type Reduction } from "./loss-reduction.js";
export type { Reduction } from "./loss-reduction.js";

/** Class labels: a number (unbatched input), an Int32Array or array of integers (flat, row-major), or a tensor of integral values. */
export type Labels = number | Int32Array | readonly number[] | Tensor;

/** Options of nllLoss and nn.NLLLoss, as PyTorch's (camelCase). */
export interface NllLossOptions {
  /** "mean" (default): the weighted mean over the samples not ignored; "sum"; "none": one loss per sample. */
  reduction?: Reduction;
  /** A weight per class, a tensor (C): each sample's loss is scaled by its target's weight, and "mean" divides by their sum. */
  weight?: Tensor;
  /** Samples whose label is this contribute nothing and are not counted in the mean. Default −100, as PyTorch. */
  ignoreIndex?: number;
}

/** Options of crossEntropy and nn.CrossEntropyLoss: nllLoss's, plus labelSmoothing. */
export interface CrossEntropyOptions extends NllLossOptions {
  /** ε in [0, 1]: the target becomes (1 − ε)·onehot + ε/C. Default 0. */
  labelSmoothing?: number;
}

/** The keys of {@link NllLossOptions}. */
export const NLL_LOSS_OPTIONS: readonly string[] = ["reduction", "weight", "ignoreIndex"];
/** The keys of {@link CrossEntropyOptions}. */
export const CROSS_ENTROPY_OPTIONS: readonly string[] = [...NLL_LOSS_OPTIONS, "labelSmoothing"];

/** Checked options, with PyTorch's defaults filled in. */
export interface LossSettings {
  reduction: Reduction;
  /** The class weights (C), or null for none (every weight 1). */
  weight: Float32Array | null;
  ignoreIndex: number;
  /** True when the caller passed ignoreIndex (probability targets refuse it rather than ignore it). */
  ignoreIndexGiven: boolean;
  labelSmoothing: number;
}

/**
 * Checks a loss's options (`allowed` names the keys it takes) for C classes and fills in PyTorch's defaults.
 * @throws TorchletError for an unknown key (sizeAverage and reduce point to reduction), a reduction other than
 * "mean", "sum" or "none", a weight that is not a tensor (C) or that requires grad, a non-integer ignoreIndex,
 * or a labelSmoothing outside [0, 1]; options in `notYet` (PyTorch's, not implemented yet) are refused by name.
 */
export function checkLossOptions(op: string, options: CrossEntropyOptions | undefined, allowed: readonly string[], C: number, notYet: readonly string[] = []): LossSettings {
  refuseDeprecatedReduction(op, options, allowed);
  const o = checkOptionKeys(op, options, allowed, notYet);
  const reduction = checkReduction(op, o.reduction);
  const ignoreIndex = o.ignoreIndex ?? -100;
  if (typeof ignoreIndex !== "number" || !Number.isInteger(ignoreIndex)) {
    throw new TorchletError(op, "INVALID_ARGUMENT", `ignoreIndex must be an integer, got ${describe(ignoreIndex)}`);
  }
  const labelSmoothing = o.labelSmoothing ?? 0;
  if (typeof labelSmoothing !== "number" || !(labelSmoothing >= 0 && labelSmoothing <= 1)) {
    throw new TorchletError(op, "INVALID_ARGUMENT", `labelSmoothing must be a number in [0, 1], got ${describe(labelSmoothing)}`);
  }
  return { reduction, weight: checkWeight(op, o.weight, C), ignoreIndex, ignoreIndexGiven: o.ignoreIndex !== undefined, labelSmoothing };
}

// The class weights: a constant tensor of C values, as PyTorch (which has no gradient for them either).
function checkWeight(op: string, weight: unknown, C: number): Float32Array | null {
  if (weight === undefined || weight === null) return null;
  if (!(weight instanceof Tensor)) throw new TorchletError(op, "INVALID_ARGUMENT", `weight must be a Tensor of ${C} class weights, got ${describe(weight)}`);
  if (weight.ndim !== 1 || weight.shape[0] !== C) {
    throw new TorchletError(op, "SHAPE_MISMATCH", `weight must have one value per class, shape [${C}], got shape ${formatShape(weight.shape)}`);
  }
  if (weight.requiresGrad) {
    throw new TorchletError(op, "INVALID_ARGUMENT", "weight requires grad, but the loss has no gradient for it (nor does PyTorch's); pass weight.detach()");
  }
  return weight.data;
}

/** The input's geometry around its class dimension, and the shape of one loss per sample. */
export interface LossGeometry extends AxisDims {
  /** The dimension holding the classes: 1, or 0 for unbatched (C) input. */
  classDim: number;
  /** The targets' shape: the input's without its class dimension. */
  sampleShape: number[];
}

/**
 * The geometry of a loss input (N, C, d1, …) or unbatched (C).
 * @throws TorchletError for a scalar input or one with no classes or no samples.
 */
export function lossGeometry(op: string, name: string, input: Tensor): LossGeometry {
  const shape = input.shape;
  if (shape.length === 0 || shape.includes(0)) {
    throw new TorchletError(op, "SHAPE_MISMATCH", `${name} must be (batch, classes, …) or unbatched (classes), and non-empty, got shape ${formatShape(shape)}`);
  }
  if (shape.length === 1) return { N: 1, J: shape[0]!, inner: 1, classDim: 0, sampleShape: [] };
  const inner = shape.slice(2).reduce((a, b) => a * b, 1);
  return { N: shape[0]!, J: shape[1]!, inner, classDim: 1, sampleShape: [shape[0]!, ...shape.slice(2)] };
}

/** True when `target` is a probability target: a tensor of the input's own shape (PyTorch tells them apart by dtype; torchlet by shape). */
export function isProbabilityTarget(target: unknown, input: Tensor): target is Tensor {
  return target instanceof Tensor && target.ndim === input.ndim && target.shape.every((size, k) => size === input.shape[k]);
}

/**
 * Class-index targets as one Int32Array of N·I labels (row-major over the sample shape), ignored ones as −1.
 * @throws TorchletError naming the first label that is not an integer in [0, C) nor ignoreIndex, or a count or
 * shape that does not fit the input.
 */
export function toLabels(op: string, labels: Labels, g: LossGeometry, ignoreIndex: number): Int32Array {
  const values: ArrayLike<unknown> | null =
    typeof labels === "number" ? [labels] : labels instanceof Tensor ? labels.data : labels instanceof Int32Array || Array.isArray(labels) ? labels : null;
  if (values === null) {
    throw new TorchletError(op, "INVALID_ARGUMENT", `labels must be an Int32Array, an array of integers or a Tensor, got ${describe(labels)}`);
  }
  checkLabelCount(op, labels, values.length, g);
  const J = g.J;
  const out = new Int32Array(values.length); // a copy: the backward must not see later changes to the caller's array
  for (let n = 0; n < values.length; n++) {
    const v = values[n];
    if (typeof v !== "number" || !Number.isInteger(v)) {
      throw new TorchletError(op, "INVALID_ARGUMENT", `label ${describe(v)} at index ${n} is not an integer class index in [0, ${J})`);
    }
    if (v === ignoreIndex) {
      out[n] = -1;
      continue;
    }
    if (v < 0 || v >= J) {
      throw new TorchletError(op, "OUT_OF_RANGE", `label ${v} at index ${n} is out of range for ${J} classes [0, ${J}) and is not ignoreIndex (${ignoreIndex})`);
    }
    out[n] = v;
  }
  return out;
}

// One label per sample. A tensor of labels has the samples' shape exactly; a number goes with unbatched input,
// a flat array (row-major) with batched input.
function checkLabelCount(op: string, labels: Labels, count: number, g: LossGeometry): void {
  const samples = g.N * g.inner;
  const expected = formatShape(g.sampleShape);
  const inputShape = formatShape(g.classDim === 0 ? [g.J] : [g.sampleShape[0]!, g.J, ...g.sampleShape.slice(1)]);
  if (typeof labels === "number" && g.classDim === 1) {
    throw new TorchletError(op, "SHAPE_MISMATCH", `a single label ${describe(labels)} goes with unbatched (classes) input; input shape ${inputShape} needs ${samples} labels of shape ${expected}`);
  }
  if (count !== samples) {
    const what = g.classDim === 1 && g.inner === 1 ? `a batch of ${samples}` : `${samples} samples of shape ${expected}`;
    throw new TorchletError(op, "SHAPE_MISMATCH", `got ${count} labels for ${what} (input shape ${inputShape}; targets ${expected} of class indices, or ${inputShape} of probabilities)`);
  }
  const shape = labels instanceof Tensor ? labels.shape : typeof labels === "number" ? [] : [count];
  const fits = labels instanceof Tensor ? formatShape(shape) === expected : typeof labels === "number" ? g.classDim === 0 : g.classDim === 1;
  if (!fits) {
    throw new TorchletError(op, "SHAPE_MISMATCH", `target shape ${formatShape(shape)} does not fit input shape ${inputShape}: expected class indices of shape ${expected}, or probabilities of shape ${inputShape}`);
  }
}
