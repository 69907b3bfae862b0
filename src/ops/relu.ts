// relu — max(0, x), elementwise; any shape.
// The derivative at exactly 0 is taken as 0, as PyTorch does; at NaN the gradient passes, as PyTorch 1.13's does.
// Shapes: x (any) → y (same shape). Walk-through: docs/relu.md

import { checkArity } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";
import { unaryOp } from "./unary.js";

/** y = max(0, x), elementwise (NaN stays NaN). Never allocates. Loop head as in sigmoidForward: a shared one would cost a call per element. */
export function reluForward(
  y: Float32Array, // (any)
  x: Float32Array, // (same)
): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    y[i] = v > 0 || Number.isNaN(v) ? v : 0;
  }
}

/**
 * dx += dy where the output was not ≤ 0 (positive, or NaN: as PyTorch's threshold_backward), + 0 elsewhere (so a −0
 * in dx turns +0 there, as PyTorch adding the masked gradient into .grad). Never allocates.
 */
export function reluBackward(
  dx: Float32Array, // (any)
  dy: Float32Array, // (same)
  y: Float32Array, // (same): relu(x) from the forward; y > 0 exactly where x > 0, NaN where x is NaN
): void {
  // d relu/dx = 0 if x ≤ 0 else 1 (NaN ≤ 0 is false: a NaN input passes dy, as in PyTorch)
  for (let i = 0; i < dy.length; i++) dx[i] += !(y[i]! <= 0) ? dy[i]! : 0;
}

/**
 * Rectified linear unit of every element, like `torch.relu`: x (any shape) → y (same shape), max(0, x).
 * The gradient passes where y > 0 or y is NaN, as in PyTorch (it is 0 at x = 0). See docs/relu.md.
 * @throws TorchletError when x is not a Tensor.
 * @example relu(tensor([-1, 0, 2])) // [0, 0, 2]
 */
export function relu(x: Tensor): Tensor {
  checkArity("relu", arguments, ["input"]);
  return unaryOp("relu", x, reluForward, reluBackward);
}
