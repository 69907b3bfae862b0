// exp, log, sqrt, abs, neg — elementwise math of one tensor; any shape.
// Shapes: x (any) → y (same shape). Kernels run through unaryOp (src/ops/unary.ts).
// NaN and ±Infinity follow IEEE and PyTorch: log(0) = −∞, log(−1) = NaN,
// sqrt(−1) = NaN, and the gradients at those points are what the formulas give
// (d log/dx at 0 is +∞, d sqrt/dx at 0 is +∞); abs's gradient is 0 at 0 and at NaN.
// Not on LeNet's hot path: TypeScript kernels only, no WebAssembly twin.
// Walk-through of the shared pattern: docs/broadcasting.md (elementwise math).

import { checkArity } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";
import { unaryOp } from "./unary.js";

/** y = eˣ, elementwise. Never allocates. */
export function expForward(
  y: Float32Array, // (any)
  x: Float32Array, // (same)
): void {
  for (let i = 0; i < x.length; i++) y[i] = Math.exp(x[i]!);
}

/** dx += dy · y, from the saved output y = eˣ. Never allocates. */
export function expBackward(
  dx: Float32Array, // (any)
  dy: Float32Array, // (same)
  y: Float32Array, // (same): eˣ from the forward
): void {
  // d eˣ/dx = eˣ
  for (let i = 0; i < dy.length; i++) dx[i] += dy[i]! * y[i]!;
}

/** y = ln x, elementwise (−∞ at 0, NaN below). Never allocates. */
export function logForward(
  y: Float32Array, // (any)
  x: Float32Array, // (same)
): void {
  for (let i = 0; i < x.length; i++) y[i] = Math.log(x[i]!);
}

/** dx += dy / x. Never allocates. */
export function logBackward(
  dx: Float32Array, // (any)
  dy: Float32Array, // (same)
  _y: Float32Array, // (same): unused, ln x
  x: Float32Array, // (same)
): void {
  // d ln x/dx = 1/x
  for (let i = 0; i < dy.length; i++) dx[i] += dy[i]! / x[i]!;
}

/** y = √x, elementwise (NaN below 0). Never allocates. */
export function sqrtForward(
  y: Float32Array, // (any)
  x: Float32Array, // (same)
): void {
  for (let i = 0; i < x.length; i++) y[i] = Math.sqrt(x[i]!);
}

/** dx += dy / (2y), from the saved output y = √x. Never allocates. */
export function sqrtBackward(
  dx: Float32Array, // (any)
  dy: Float32Array, // (same)
  y: Float32Array, // (same): √x from the forward
): void {
  // d √x/dx = 1/(2√x)
  for (let i = 0; i < dy.length; i++) dx[i] += dy[i]! / (2 * y[i]!);
}

/** y = |x|, elementwise. Never allocates. */
export function absForward(
  y: Float32Array, // (any)
  x: Float32Array, // (same)
): void {
  for (let i = 0; i < x.length; i++) y[i] = Math.abs(x[i]!);
}

/** dx += dy · sign(x), with sign 0 at 0 and at NaN as PyTorch's sgn. Never allocates. */
export function absBackward(
  dx: Float32Array, // (any)
  dy: Float32Array, // (same)
  _y: Float32Array, // (same): unused, |x|
  x: Float32Array, // (same)
): void {
  // d|x|/dx = sign(x)
  for (let i = 0; i < dy.length; i++) {
    const v = x[i]!;
    if (v > 0) dx[i] += dy[i]!;
    else if (v < 0) dx[i] -= dy[i]!;
  }
}

/** y = −x, elementwise. Never allocates. */
export function negForward(
  y: Float32Array, // (any)
  x: Float32Array, // (same)
): void {
  for (let i = 0; i < x.length; i++) y[i] = -x[i]!;
}

/** dx −= dy. Never allocates. */
export function negBackward(
  dx: Float32Array, // (any)
  dy: Float32Array, // (same)
): void {
  // d(−x)/dx = −1
  for (let i = 0; i < dy.length; i++) dx[i] -= dy[i]!;
}

/**
 * eˣ of every element, like `torch.exp`: x (any shape) → y (same shape). Its backward uses the saved output: dx = dy · y.
 * @throws TorchletError when x is not a Tensor.
 * @example exp(tensor([0, 1])) // [1, 2.7183]
 */
export function exp(input: Tensor): Tensor {
  checkArity("exp", arguments, ["input"]);
  return unaryOp("exp", input, expForward, expBackward);
}

/**
 * Natural logarithm of every element, like `torch.log`: −∞ at 0, NaN for negative values. dx = dy / x.
 * @throws TorchletError when x is not a Tensor.
 * @example log(tensor([1, Math.E])) // [0, 1]
 */
export function log(input: Tensor): Tensor {
  checkArity("log", arguments, ["input"]);
  return unaryOp("log", input, logForward, logBackward);
}

/**
 * Square root of every element, like `torch.sqrt`: NaN for negative values. dx = dy / (2√x).
 * @throws TorchletError when x is not a Tensor.
 * @example sqrt(tensor([4, 9])) // [2, 3]
 */
export function sqrt(input: Tensor): Tensor {
  checkArity("sqrt", arguments, ["input"]);
  return unaryOp("sqrt", input, sqrtForward, sqrtBackward);
}

/**
 * Absolute value of every element, like `torch.abs`. dx = dy · sign(x), 0 at x = 0 (as PyTorch).
 * @throws TorchletError when x is not a Tensor.
 * @example abs(tensor([-2, 0, 3])) // [2, 0, 3]
 */
export function abs(input: Tensor): Tensor {
  checkArity("abs", arguments, ["input"]);
  return unaryOp("abs", input, absForward, absBackward);
}

/**
 * −x for every element, like `torch.neg`. dx = −dy.
 * @throws TorchletError when x is not a Tensor.
 * @example neg(tensor([1, -2])) // [-1, 2]
 */
export function neg(input: Tensor): Tensor {
  checkArity("neg", arguments, ["input"]);
  return unaryOp("neg", input, negForward, negBackward);
}
