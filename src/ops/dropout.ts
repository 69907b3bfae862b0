// dropout — PyTorch's F.dropout: in training, zero each element with
// probability p and scale the survivors by 1/(1 − p), so the expected output
// equals the input and evaluation needs no rescaling (docs/dropout.md).
//
// Legend: n elements of x; keep_i ∈ {0, 1} drawn with P(keep_i = 1) = 1 − p;
// s = 1/(1 − p) (0 when p = 1: everything is dropped).
//
//   y_i = x_i · keep_i · s        ∂y_i/∂x_i = keep_i · s

import { TorchletError, allocFloat32, checkArity, checkOptionKeys, describe } from "../errors.js";
import { Tensor, expectTensor, record } from "../tensor/tensor.js";
import { checkGenerator, type Generator } from "../tensor/random.js";

/** The dims of the dropout kernels. */
export interface DropoutDims {
  /** n: elements of x. */
  readonly count: number;
  /** s: the survivors' scale, 1/(1 − p), or 0 for p = 1. */
  readonly scale: number;
}

/** Options of {@link dropout} and nn.Dropout. */
export interface DropoutOptions {
  /** Draw the mask from this generator (default: the global one, see manualSeed). */
  generator?: Generator;
}

/** keep (n) = 1 with probability 1 − p, else 0, one uniform draw per element. Never allocates. */
export function dropoutMask(keep: Int32Array, p: number, generator: Generator): void {
  for (let i = 0; i < keep.length; i++) keep[i] = generator.uniform() >= p ? 1 : 0;
}

/** y = x · keep · s. Never allocates. */
export function dropoutForward(
  y: Float32Array, // (n)
  x: Float32Array, // (n)
  keep: Int32Array, // (n): 1 for a kept element, 0 for a dropped one
  d: DropoutDims,
): void {
  for (let i = 0; i < d.count; i++) y[i] = keep[i] === 1 ? x[i]! * d.scale : 0;
}

/** dx += dy · keep · s. Never allocates. */
export function dropoutBackward(
  dx: Float32Array, // (n)
  dy: Float32Array, // (n)
  keep: Int32Array, // (n) from the forward
  d: DropoutDims,
): void {
  // ∂y_i/∂x_i = keep_i · s
  for (let i = 0; i < d.count; i++) if (keep[i] === 1) dx[i] += dy[i]! * d.scale;
}

/** Checks a drop probability (a number in [0, 1]) and returns it. */
export function checkDropProbability(op: string, p: unknown): number {
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) {
    throw new TorchletError(op, "INVALID_ARGUMENT", `p, the probability of dropping an element, must be a number in [0, 1], got ${describe(p)}`);
  }
  return p;
}

/** The survivors' scale for drop probability p: 1/(1 − p), and 0 for p = 1 (nothing survives to scale). */
export function dropoutScale(p: number): number {
  return p === 1 ? 0 : 1 / (1 - p);
}

/**
 * Randomly zeroes elements of x with probability p in training and scales the rest by 1/(1 − p),
 * like `F.dropout(x, p, training)`. With training false or p = 0 it returns x itself, as PyTorch;
 * p = 1 gives zeros (and a zero gradient).
 * @param options generator: draw the mask from it (default: the global generator). PyTorch's inplace is not an
 *   option: every torchlet op returns a new tensor.
 * @throws TorchletError when p is not in [0, 1], training is not a boolean, or for an unknown option.
 * @example dropout(ones(4), 0.5, true, { generator: new Generator(0) }) // each element 0 or 2
 */
export function dropout(x: Tensor, p = 0.5, training = true, options: DropoutOptions = {}): Tensor {
  checkArity("dropout", arguments, ["input", "p", "training", "options"]);
  expectTensor("dropout", "input", x);
  checkDropProbability("dropout", p);
  if (typeof training !== "boolean") throw new TorchletError("dropout", "INVALID_ARGUMENT", `training must be true or false, got ${describe(training)}`);
  const generator = checkGenerator("dropout", checkOptionKeys("dropout", options, ["generator"]).generator);
  if (!training || p === 0) return x;
  const d: DropoutDims = { count: x.numel, scale: dropoutScale(p) };
  const keep = new Int32Array(d.count); // (n), kept for the backward
  dropoutMask(keep, p, generator);
  const y = allocFloat32("dropout", d.count); // (n)
  dropoutForward(y, x.data, keep, d);
  return record("dropout", y, x.shape, [x], (dy, [dx]) => {
    if (dx) dropoutBackward(dx, dy, keep, d);
  });
}
