// mseLoss and l1Loss — the regression losses, PyTorch's F.mse_loss and F.l1_loss (docs/losses.md).
//
// Legend: n elements of input x and target t (the same shape); ℓ_i per element,
// reduced by `reduction` (loss-reduction.ts).
//
//   MSE: ℓ_i = (x_i − t_i)²     ∂ℓ_i/∂x_i = 2(x_i − t_i) = −∂ℓ_i/∂t_i
//   L1:  ℓ_i = |x_i − t_i|      ∂ℓ_i/∂x_i = sign(x_i − t_i) = −∂ℓ_i/∂t_i, with sign(0) = 0 as PyTorch

import { checkArity } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";
import { activeBackend, kernel } from "../backend/dispatch.js";
import { checkLossInputs, checkElementwiseLossOptions, elementGradient, recordLoss, reduceLoss, type LossDims, type ReductionOptions } from "./loss-reduction.js";

/** loss = reduce((input − target)²): (n) for "none", (1) otherwise. Never allocates. */
export function mseLossForward(
  loss: Float32Array, // (n) or (1)
  input: Float32Array, // (n)
  target: Float32Array, // (n)
  d: LossDims,
): void {
  reduceLoss(loss, d, (i) => (input[i]! - target[i]!) ** 2);
}

/** dinput += g · 2(input − target) and dtarget −= the same, g = ∂L/∂ℓ_i (either may be null). Never allocates. */
export function mseLossBackward(
  dinput: Float32Array | null, // (n)
  dtarget: Float32Array | null, // (n)
  dloss: Float32Array, // (n) or (1)
  input: Float32Array, // (n)
  target: Float32Array, // (n)
  d: LossDims,
): void {
  const g = elementGradient(dloss, d);
  for (let i = 0; i < d.count; i++) {
    // ∂(x − t)²/∂x = 2(x − t) = −∂(x − t)²/∂t
    const v = g(i) * 2 * (input[i]! - target[i]!);
    if (dinput) dinput[i] += v;
    if (dtarget) dtarget[i] -= v;
  }
}

/** loss = reduce(|input − target|): (n) for "none", (1) otherwise. Never allocates. */
export function l1LossForward(
  loss: Float32Array, // (n) or (1)
  input: Float32Array, // (n)
  target: Float32Array, // (n)
  d: LossDims,
): void {
  reduceLoss(loss, d, (i) => Math.abs(input[i]! - target[i]!));
}

/**
 * dinput += g · sign(input − target) and dtarget −= the same, sign(0) = 0 (either may be null). Never allocates.
 * Twin of mseLossBackward with another derivative: a shared loop would cost a call per element.
 */
export function l1LossBackward(
  dinput: Float32Array | null, // (n)
  dtarget: Float32Array | null, // (n)
  dloss: Float32Array, // (n) or (1)
  input: Float32Array, // (n)
  target: Float32Array, // (n)
  d: LossDims,
): void {
  const g = elementGradient(dloss, d);
  for (let i = 0; i < d.count; i++) {
    // ∂|x − t|/∂x = sign(x − t) = −∂|x − t|/∂t; PyTorch takes sign(0) = 0, so an exact fit gets no gradient
    const v = g(i) * Math.sign(input[i]! - target[i]!);
    if (dinput) dinput[i] += v;
    if (dtarget) dtarget[i] -= v;
  }
}

type PairLossKernels = readonly [forward: typeof mseLossForward, backward: typeof mseLossBackward];

// The two losses differ only in their kernels: one checked, recorded op serves both.
function pairLoss(op: string, [forward, backward]: PairLossKernels, input: Tensor, target: Tensor, options: ReductionOptions | undefined): Tensor {
  const { reduction } = checkElementwiseLossOptions(op, options, ["reduction"]);
  checkLossInputs(op, input, target, reduction);
  const d: LossDims = { count: input.numel, reduction };
  const backend = activeBackend(); // one backend for the forward and its backward
  return recordLoss(op, input, target, d,
    (loss) => kernel(forward, backend)(loss, input.data, target.data, d),
    (dinput, dtarget, dloss) => kernel(backward, backend)(dinput, dtarget, dloss, input.data, target.data, d));
}

/**
 * Mean squared error between input and target of the same shape, like `F.mse_loss`.
 * @param options reduction: "mean" (default), "sum" or "none" (the per-element losses, input's shape).
 * @throws TorchletError when the shapes differ, or for an unknown option or reduction.
 * @example mseLoss(tensor([1, 2]), tensor([1, 4])).item() // (0 + 4) / 2 = 2
 */
export function mseLoss(input: Tensor, target: Tensor, options: ReductionOptions = {}): Tensor {
  checkArity("mseLoss", arguments, ["input", "target", "options"]);
  return pairLoss("mseLoss", [mseLossForward, mseLossBackward], input, target, options);
}

/**
 * Mean absolute error between input and target of the same shape, like `F.l1_loss`; its gradient at 0 is 0.
 * @param options reduction: "mean" (default), "sum" or "none" (the per-element losses, input's shape).
 * @throws TorchletError when the shapes differ, or for an unknown option or reduction.
 * @example l1Loss(tensor([1, 2]), tensor([1, 4]), { reduction: "sum" }).item() // 2
 */
export function l1Loss(input: Tensor, target: Tensor, options: ReductionOptions = {}): Tensor {
  checkArity("l1Loss", arguments, ["input", "target", "options"]);
  return pairLoss("l1Loss", [l1LossForward, l1LossBackward], input, target, options);
}
