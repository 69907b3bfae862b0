// binaryCrossEntropyWithLogits — PyTorch's F.binary_cross_entropy_with_logits:
// the sigmoid and the binary cross-entropy fused, so large logits never
// reach log(0) (docs/losses.md).
//
// Legend: n elements of logits x and targets t (the same shape, t in [0, 1]);
// w the weight and p the posWeight, each broadcast to x's shape (1 when absent);
// softplus(z) = log(1 + eʸ) computed as max(z, 0) + log1p(e^−|z|), which never overflows.
//
//   ℓ_i = −w [p t log σ(x) + (1 − t) log(1 − σ(x))]
//       = w [(1 − t) x + (1 + (p − 1) t) softplus(−x)]        (log σ(x) = −softplus(−x), log(1 − σ(x)) = −x − softplus(−x))
//   ∂ℓ_i/∂x = w [(1 − t) − (1 + (p − 1) t) σ(−x)]
//   ∂ℓ_i/∂t = w [(p − 1) softplus(−x) − x]
// reduced by `reduction` (loss-reduction.ts).

import { TorchletError, allocFloat32, checkArity, formatShape } from "../errors.js";
import { Tensor } from "../tensor/tensor.js";
import { activeBackend, kernel } from "../backend/dispatch.js";
import { checkLossInputs, checkElementwiseLossOptions, elementGradient, recordLoss, reduceLoss, type LossDims, type ReductionOptions } from "./loss-reduction.js";

/** softplus(z) = log(1 + eᶻ), stable for every z. */
function softplus(z: number): number {
  return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
}

/** σ(z) = 1 / (1 + e⁻ᶻ), stable for every z. */
function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** loss = reduce(w [(1 − t) x + (1 + (p − 1) t) softplus(−x)]): (n) for "none", (1) otherwise. Never allocates. */
export function bceWithLogitsForward(
  loss: Float32Array, // (n) or (1)
  logits: Float32Array, // (n)
  target: Float32Array, // (n)
  weight: Float32Array | null, // (n): w broadcast to the logits' shape, or null for 1
  posWeight: Float32Array | null, // (n): p broadcast to the logits' shape, or null for 1
  d: LossDims,
): void {
  reduceLoss(loss, d, (i) => {
    const x = logits[i]!, t = target[i]!, p = posWeight ? posWeight[i]! : 1;
    return (weight ? weight[i]! : 1) * ((1 - t) * x + (1 + (p - 1) * t) * softplus(-x));
  });
}

/** dlogits += g · w [(1 − t) − (1 + (p − 1) t) σ(−x)], dtarget += g · w [(p − 1) softplus(−x) − x] (either may be null). Never allocates. */
export function bceWithLogitsBackward(
  dlogits: Float32Array | null, // (n)
  dtarget: Float32Array | null, // (n)
  dloss: Float32Array, // (n) or (1)
  logits: Float32Array, // (n)
  target: Float32Array, // (n)
  weight: Float32Array | null, // (n) or null
  posWeight: Float32Array | null, // (n) or null
  d: LossDims,
): void {
  const g = elementGradient(dloss, d);
  for (let i = 0; i < d.count; i++) {
    const x = logits[i]!, t = target[i]!, p = posWeight ? posWeight[i]! : 1;
    const scale = g(i) * (weight ? weight[i]! : 1);
    // ∂ℓ/∂x = w [(1 − t) − (1 + (p − 1) t) σ(−x)],  ∂ℓ/∂t = w [(p − 1) softplus(−x) − x]
    if (dlogits) dlogits[i] += scale * ((1 - t) - (1 + (p - 1) * t) * sigmoid(-x));
    if (dtarget) dtarget[i] += scale * ((p - 1) * softplus(-x) - x);
  }
}

/** Options of {@link binaryCrossEntropyWithLogits} and nn.BCEWithLogitsLoss. */
export interface BceWithLogitsOptions extends ReductionOptions {
  /** Rescales each element's loss; broadcast to the logits' shape by PyTorch's rules. A constant: no gradient reaches it. */
  weight?: Tensor;
  /** Weight of the positive term, e.g. (classes) for (N, classes) logits; broadcast as PyTorch. A constant too. */
  posWeight?: Tensor;
}

/** The keys of {@link BceWithLogitsOptions}. */
export const BCE_WITH_LOGITS_OPTIONS: readonly string[] = ["reduction", "weight", "posWeight"];

/**
 * `value` broadcast to `shape` by PyTorch's rules (align the trailing dimensions; each is equal or 1), as a fresh (count(shape)) array.
 * @throws TorchletError naming both shapes and the dimension that does not match.
 */
export function broadcastConstant(op: string, name: string, value: Tensor, shape: readonly number[]): Float32Array {
  if (!(value instanceof Tensor)) throw new TorchletError(op, "INVALID_ARGUMENT", `${name} must be a Tensor`);
  if (value.requiresGrad) {
    throw new TorchletError(op, "INVALID_ARGUMENT", `${name} requires grad, but torchlet treats it as a constant and would silently drop its gradient; pass ${name}.detach()`);
  }
  const offset = shape.length - value.shape.length;
  const mismatch = value.shape.findIndex((s, i) => s !== 1 && s !== shape[offset + i]);
  if (offset < 0 || mismatch !== -1) {
    const where = offset < 0 ? `it has more dimensions` : `dimension ${mismatch} (size ${value.shape[mismatch]}) matches neither ${shape[offset + mismatch]} nor 1`;
    throw new TorchletError(op, "SHAPE_MISMATCH", `${name} ${formatShape(value.shape)} does not broadcast to the input's shape ${formatShape(shape)}: ${where}`);
  }
  const out = allocFloat32(op, shape.reduce((a, b) => a * b, 1));
  const strides = value.shape.map((_, i) => (value.shape[i] === 1 ? 0 : value.shape.slice(i + 1).reduce((a, b) => a * b, 1)));
  for (let flat = 0; flat < out.length; flat++) {
    let rest = flat, source = 0;
    for (let dim = shape.length - 1; dim >= 0; dim--) {
      const index = rest % shape[dim]!;
      rest = Math.floor(rest / shape[dim]!);
      if (dim >= offset) source += index * strides[dim - offset]!;
    }
    out[flat] = value.data[source]!;
  }
  return out;
}

/**
 * Binary cross-entropy of sigmoid(logits) against targets in [0, 1] of the same shape, fused and
 * numerically stable, like `F.binary_cross_entropy_with_logits`.
 * @param options reduction ("mean" default, "sum", "none"), weight and posWeight (constants, broadcast to the logits).
 * @throws TorchletError when the shapes differ or a weight does not broadcast, or for an unknown option.
 * @example binaryCrossEntropyWithLogits(tensor([0]), tensor([1])).item() // ln 2 ≈ 0.6931
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, options: BceWithLogitsOptions = {}): Tensor {
  const op = "binaryCrossEntropyWithLogits";
  checkArity(op, arguments, ["input", "target", "options"]);
  const { reduction, weight, posWeight } = checkElementwiseLossOptions(op, options, BCE_WITH_LOGITS_OPTIONS);
  checkLossInputs(op, input, target, reduction);
  const w = weight === undefined ? null : broadcastConstant(op, "weight", weight, input.shape); // (n)
  const p = posWeight === undefined ? null : broadcastConstant(op, "posWeight", posWeight, input.shape); // (n)
  const d: LossDims = { count: input.numel, reduction };
  const backend = activeBackend(); // one backend for the forward and its backward
  return recordLoss(op, input, target, d,
    (loss) => kernel(bceWithLogitsForward, backend)(loss, input.data, target.data, w, p, d),
    (dlogits, dtarget, dloss) => kernel(bceWithLogitsBackward, backend)(dlogits, dtarget, dloss, input.data, target.data, w, p, d));
}
