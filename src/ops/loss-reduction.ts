// What the elementwise losses (mseLoss, l1Loss, binaryCrossEntropyWithLogits)
// share: PyTorch's `reduction` option and the one code path that turns
// per-element losses ℓ_i into the result and sends the gradient back (docs/losses.md).
//
// Legend: n = elements of the input (and target); ℓ_i the loss of element i.
//   "none" → L (input's shape) = ℓ        ∂L/∂ℓ_i = dL_i
//   "sum"  → L (scalar) = Σ_i ℓ_i         ∂L/∂ℓ_i = dL
//   "mean" → L (scalar) = Σ_i ℓ_i / n     ∂L/∂ℓ_i = dL / n

import { TorchletError, allocFloat32, checkOptionKeys, closestName, describe, formatShape } from "../errors.js";
import { Tensor, expectTensor, record } from "../tensor/tensor.js";

/** How a loss reduces its per-element values, as PyTorch's `reduction`: "mean" (default), "sum" or "none". */
export type Reduction = "mean" | "sum" | "none";

/** The dims of an elementwise loss kernel. */
export interface LossDims {
  /** n: elements of the input and of the target. */
  readonly count: number;
  /** How the n per-element losses are reduced. */
  readonly reduction: Reduction;
}

/** Options every elementwise loss takes. */
export interface ReductionOptions {
  /** "mean" (default) averages the per-element losses, "sum" adds them, "none" returns them in the input's shape. */
  reduction?: Reduction;
}

// PyTorch's deprecated spellings of reduction, refused with a pointer to it.
const DEPRECATED = ["sizeAverage", "reduce"];

/**
 * Refuses PyTorch's deprecated `size_average` / `reduce` (any spelling) with a pointer to `reduction`:
 * the check every loss runs before its unknown-key check.
 */
export function refuseDeprecatedReduction(op: string, options: object | undefined, allowed: readonly string[]): void {
  if (typeof options !== "object" || options === null) return; // checkOptionKeys names a non-object
  for (const key of Object.keys(options)) {
    const deprecated = allowed.includes(key) ? undefined : closestName(key, DEPRECATED);
    if (deprecated !== undefined) {
      throw new TorchletError(op, "INVALID_ARGUMENT", `unknown option ${JSON.stringify(key)}, PyTorch's deprecated ${deprecated}; did you mean "reduction"? (size_average=False is reduction "sum", reduce=False is reduction "none")`);
    }
  }
}

const REDUCTIONS: readonly Reduction[] = ["mean", "sum", "none"];

/** A loss's `reduction` option, "mean" when absent. @throws TorchletError for anything but "mean", "sum" or "none". */
export function checkReduction(op: string, value: unknown): Reduction {
  const reduction = value ?? "mean";
  if (!REDUCTIONS.includes(reduction as Reduction)) {
    throw new TorchletError(op, "INVALID_ARGUMENT", `reduction must be "mean", "sum" or "none", got ${describe(reduction)}`);
  }
  return reduction as Reduction;
}

/** Checks an elementwise loss's options against `allowed` (reduction plus the loss's own) and returns them with the reduction resolved. */
export function checkElementwiseLossOptions<T extends ReductionOptions>(op: string, options: T | undefined, allowed: readonly string[]): T & { reduction: Reduction } {
  refuseDeprecatedReduction(op, options, allowed);
  const given = checkOptionKeys(op, options, allowed);
  return { ...given, reduction: checkReduction(op, given.reduction) };
}

/** Checks that input and target are tensors of the same shape (no broadcasting, unlike PyTorch's warning-and-broadcast). */
export function checkLossInputs(op: string, input: Tensor, target: Tensor, reduction: Reduction): void {
  expectTensor(op, "input", input);
  expectTensor(op, "target", target);
  if (input.shape.length !== target.shape.length || input.shape.some((d, i) => d !== target.shape[i])) {
    throw new TorchletError(op, "SHAPE_MISMATCH", `input and target must have the same shape, got input ${formatShape(input.shape)} and target ${formatShape(target.shape)}`);
  }
  if (reduction === "mean" && input.numel === 0) {
    throw new TorchletError(op, "SHAPE_MISMATCH", `the mean loss of an empty input is undefined (input ${formatShape(input.shape)}); use reduction "sum"`);
  }
}

/** loss (n) = ℓ_i for "none"; loss (1) = Σ ℓ_i (/ n for "mean") otherwise. Never allocates. */
export function reduceLoss(loss: Float32Array, d: LossDims, elementLoss: (i: number) => number): void {
  if (d.reduction === "none") {
    for (let i = 0; i < d.count; i++) loss[i] = elementLoss(i);
    return;
  }
  let total = 0; // float64: no drift over long tensors
  for (let i = 0; i < d.count; i++) total += elementLoss(i);
  loss[0] = d.reduction === "mean" ? total / d.count : total;
}

/** ∂L/∂ℓ_i for each element i, from dloss: (n) for "none", (1) otherwise. */
export function elementGradient(dloss: Float32Array, d: LossDims): (i: number) => number {
  if (d.reduction === "none") return (i) => dloss[i]!;
  const g = d.reduction === "mean" ? dloss[0]! / d.count : dloss[0]!;
  return () => g;
}

/**
 * Runs an elementwise loss's forward on input and target and records its backward: the result has
 * shape [] (mean, sum) or the input's shape (none). Gradients flow to both input and target.
 */
export function recordLoss(
  op: string,
  input: Tensor,
  target: Tensor,
  d: LossDims,
  forward: (loss: Float32Array) => void,
  backward: (dinput: Float32Array | null, dtarget: Float32Array | null, dloss: Float32Array) => void,
): Tensor {
  const loss = allocFloat32(op, d.reduction === "none" ? d.count : 1); // (n) or (1)
  forward(loss);
  return record(op, loss, d.reduction === "none" ? input.shape : [], [input, target], (dloss, [dinput, dtarget]) => backward(dinput ?? null, dtarget ?? null, dloss));
}
