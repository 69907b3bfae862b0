// sigmoid — σ(x) = 1 / (1 + e^−x), elementwise; any shape.
//
// Written so e^t is only ever taken of t ≤ 0: for x ≥ 0, 1/(1 + e^−x); for
// x < 0 the equal e^x/(1 + e^x). Neither overflows, so σ(±1000) is exactly 1 and 0.
// Shapes: x (any) → y (same shape). Walk-through: docs/sigmoid.md

import { checkArity } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";
import { unaryOp } from "./unary.js";

/** y = σ(x), elementwise. Never allocates. Loop head as in reluForward: a shared one would cost a call per element. */
export function sigmoidForward(
  y: Float32Array, // (any)
  x: Float32Array, // (same)
): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v >= 0) {
      y[i] = 1 / (1 + Math.exp(-v));
    } else {
      const e = Math.exp(v);
      y[i] = e / (1 + e);
    }
  }
}

/** dx += dy · σ′(x), using the saved output y = σ(x). Never allocates. */
export function sigmoidBackward(
  dx: Float32Array, // (any)
  dy: Float32Array, // (same)
  y: Float32Array, // (same): σ(x) from the forward
): void {
  // dσ/dx = σ(1−σ)
  for (let i = 0; i < dy.length; i++) dx[i] += dy[i]! * y[i]! * (1 - y[i]!);
}

/**
 * Logistic sigmoid of every element, like `torch.sigmoid`: x (any shape) → y (same shape), σ(x) = 1/(1 + e^−x).
 * Its backward uses the saved output: dx = dy · y(1 − y). See docs/sigmoid.md.
 * @throws TorchletError when x is not a Tensor.
 * @example sigmoid(tensor([-2, 0, 2])) // [0.1192, 0.5, 0.8808]
 */
export function sigmoid(x: Tensor): Tensor {
  checkArity("sigmoid", arguments, ["input"]);
  return unaryOp("sigmoid", x, sigmoidForward, sigmoidBackward);
}
