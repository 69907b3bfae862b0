// tanh — hyperbolic tangent, elementwise; any shape. Math.tanh saturates
// cleanly to ±1 for large |x| (no overflow).
// Shapes: x (any) → y (same shape). Walk-through: docs/tanh.md

import { checkArity } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";
import { unaryOp } from "./unary.js";

/** y = tanh(x), elementwise. Never allocates. */
export function tanhForward(
  y: Float32Array, // (any)
  x: Float32Array, // (same)
): void {
  for (let i = 0; i < x.length; i++) y[i] = Math.tanh(x[i]!);
}

/** dx += dy · (1 − y²), using the saved output y = tanh(x). Never allocates. */
export function tanhBackward(
  dx: Float32Array, // (any)
  dy: Float32Array, // (same)
  y: Float32Array, // (same): tanh(x) from the forward
): void {
  // d tanh/dx = 1 − tanh²
  for (let i = 0; i < dy.length; i++) dx[i] += dy[i]! * (1 - y[i]! * y[i]!);
}

/**
 * Hyperbolic tangent of every element, like `torch.tanh`: x (any shape) → y (same shape).
 * Its backward uses the saved output: dx = dy · (1 − y²). See docs/tanh.md.
 * @throws TorchletError when x is not a Tensor.
 */
export function tanh(x: Tensor): Tensor {
  checkArity("tanh", arguments, ["input"]);
  return unaryOp("tanh", x, tanhForward, tanhBackward);
}
