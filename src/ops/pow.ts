// pow — baseᵉˣᵖᵒⁿᵉⁿᵗ elementwise, with broadcasting, like torch.pow: a tensor
// to a number (pow(x, 2)), a number to a tensor (pow(2, x)), or a tensor to a
// tensor. Shapes: input and exponent broadcast together → y.
//
// Values follow C's pow (and so PyTorch), not JavaScript's Math.pow where they
// differ: 1 to any power, NaN included, is 1, and (−1)^±∞ is 1 (Math.pow gives NaN).
// A number exponent of ±0.5 is a square root, as in PyTorch (which calls sqrt and
// rsqrt for it): so pow(−∞, 0.5) is NaN and pow(−0, 0.5) is −0, where C's pow gives +∞ and +0.
// Gradients use PyTorch's formulas, special cases included: the base gets
// e·b^(e−1), but 0 where the exponent is 0 (even at b = 0); the exponent gets
// y·ln b, but 0 where b = 0 and e ≥ 0 (where the limit is 0, not NaN).
// Not on LeNet's hot path: TypeScript kernels only, no WebAssembly twin. Walk-through: docs/broadcasting.md
//
// Dimension legend: n = elements of the broadcast output; every buffer below is (n).

import { checkArity, checkOptionKeys } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";
import { operandPair } from "./broadcast.js";
import { binaryOp, type BinaryKernels } from "./elementwise.js";

/** b^e with C's (and PyTorch's) special cases where JavaScript's Math.pow differs. */
export function powC(b: number, e: number): number {
  if (b === 1) return 1; // 1^NaN and 1^±∞ are 1 in C, NaN in JavaScript
  if (b === -1 && (e === Infinity || e === -Infinity)) return 1;
  return Math.pow(b, e);
}

/** b^e for a number exponent e, as PyTorch's pow(tensor, number): ±0.5 are √b and 1/√b. */
export function powScalarExponent(b: number, e: number): number {
  if (e === 0.5) return Math.sqrt(b);
  if (e === -0.5) return 1 / Math.sqrt(b);
  return powC(b, e);
}

/** How b^e is computed: {@link powC}, or `powScalarExponent` when the exponent was a number. */
export type Power = (b: number, e: number) => number;

/** y = b^e, elementwise. Never allocates. */
export function powForward(
  y: Float32Array, // (n)
  b: Float32Array, // (n) the base
  e: Float32Array, // (n) the exponent
  power: Power = powC,
): void {
  for (let i = 0; i < y.length; i++) y[i] = power(b[i]!, e[i]!);
}

/** db += dy · e·b^(e−1) and de += dy · y·ln b, from the saved output y = b^e (either may be null). Never allocates. */
export function powBackward(
  db: Float32Array | null, // (n)
  de: Float32Array | null, // (n)
  dy: Float32Array, // (n)
  b: Float32Array, // (n)
  e: Float32Array, // (n)
  y: Float32Array, // (n): b^e from the forward
  power: Power = powC,
): void {
  // ∂(b^e)/∂b = e·b^(e−1) (0 where e = 0),  ∂(b^e)/∂e = b^e·ln b (0 where b = 0 and e ≥ 0)
  if (db) for (let i = 0; i < dy.length; i++) if (e[i] !== 0) db[i] += dy[i]! * e[i]! * power(b[i]!, e[i]! - 1);
  if (de) for (let i = 0; i < dy.length; i++) if (!(b[i] === 0 && e[i]! >= 0)) de[i] += dy[i]! * y[i]! * Math.log(b[i]!);
}

const POW: BinaryKernels = { forward: powForward, backward: powBackward };
const POW_NUMBER_EXPONENT: BinaryKernels = {
  forward: (y, b, e) => powForward(y, b, e, powScalarExponent),
  backward: (db, de, dy, b, e, y) => powBackward(db, de, dy, b, e, y, powScalarExponent),
};

/** PyTorch options of pow torchlet does not implement yet. */
export const POW_OPTIONS_NOT_YET: readonly string[] = ["out"];

/**
 * input raised to exponent, elementwise, like `torch.pow`: tensor ** number, number ** tensor or tensor ** tensor,
 * broadcast together. Gradients flow to every Tensor operand (PyTorch's formulas, see src/ops/pow.ts).
 * @throws TorchletError when the shapes do not broadcast, both are numbers, or an operand is neither a Tensor nor a number.
 * @example pow(tensor([1, 2, 3]), 2) // [1, 4, 9]
 */
export function pow(input: Tensor | number, exponent: Tensor | number, options?: Record<string, never>): Tensor {
  checkArity("pow", arguments, ["input", "exponent", "options"]);
  checkOptionKeys("pow", options, [], POW_OPTIONS_NOT_YET);
  const names = ["input", "exponent"] as const;
  const [b, e] = operandPair("pow", input, exponent, names);
  return binaryOp("pow", b, e, typeof exponent === "number" ? POW_NUMBER_EXPONENT : POW, names);
}
