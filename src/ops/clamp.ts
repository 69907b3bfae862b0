// clamp, maximum, minimum — the elementwise bounds and extremes, as PyTorch 1.13.
//   clamp(x, min, max) = min(max(x, min), max): min > max gives max everywhere;
//     its gradient is dy where min ≤ x ≤ max (the bounds included), else 0; NaN stays NaN with gradient 0.
//   maximum(a, b), minimum(a, b): a and b broadcast together; NaN in either gives NaN.
//     On a tie (a = b) each operand gets half the gradient; where one is NaN both get all of it.
// Shapes: clamp x (any) → y (same); maximum/minimum a, b broadcast → y.
// Not on LeNet's hot path: TypeScript kernels only, no WebAssembly twin. Walk-through: docs/broadcasting.md
//
// Dimension legend: n = elements of the output; every buffer below is (n).

import { TorchletError, checkArity, describe } from "../errors.js";
import { Tensor, expectTensor } from "../tensor/tensor.js";
import { binaryOp, type BinaryKernels } from "./elementwise.js";
import { unaryOp } from "./unary.js";

/** The bounds of {@link clampForward}: −∞ or +∞ for an absent one. */
export interface ClampDims {
  /** The lower bound (−∞: none). */
  min: number;
  /** The upper bound (+∞: none). */
  max: number;
}

/** y = min(max(x, min), max), elementwise (NaN stays NaN). Never allocates. */
export function clampForward(
  y: Float32Array, // (n)
  x: Float32Array, // (n)
  dims: ClampDims,
): void {
  const { min, max } = dims;
  for (let i = 0; i < x.length; i++) {
    const raised = x[i]! < min ? min : x[i]!;
    y[i] = raised > max ? max : raised;
  }
}

/** dx += dy where min ≤ x ≤ max. Never allocates. */
export function clampBackward(
  dx: Float32Array, // (n)
  dy: Float32Array, // (n)
  x: Float32Array, // (n)
  dims: ClampDims,
): void {
  const { min, max } = dims;
  // d clamp/dx = 1 where min ≤ x ≤ max, else 0
  for (let i = 0; i < dy.length; i++) if (x[i]! >= min && x[i]! <= max) dx[i] += dy[i]!;
}

/**
 * y = the larger (sign +1) or smaller (sign −1) of a and b, elementwise; NaN if either is NaN; a on a tie.
 * maximum and minimum share it: minimum(a, b) compares −a with −b. Never allocates.
 */
export function extremumForward(
  y: Float32Array, // (n)
  a: Float32Array, // (n)
  b: Float32Array, // (n)
  sign: 1 | -1,
): void {
  for (let i = 0; i < y.length; i++) {
    const p = sign * a[i]!, q = sign * b[i]!;
    y[i] = p >= q ? a[i]! : p < q ? b[i]! : NaN; // neither holds when a or b is NaN
  }
}

/** da, db += dy to the operand that won, half each on a tie, all to both where one is NaN (PyTorch 1.13). Never allocates. */
export function extremumBackward(
  da: Float32Array | null, // (n)
  db: Float32Array | null, // (n)
  dy: Float32Array, // (n)
  a: Float32Array, // (n)
  b: Float32Array, // (n)
  sign: 1 | -1,
): void {
  // ∂max(a,b)/∂a = 1 where a > b, ½ where a = b, 0 where a < b (and ∂/∂b mirrored)
  for (let i = 0; i < dy.length; i++) {
    const p = sign * a[i]!, q = sign * b[i]!;
    const g = p === q ? dy[i]! / 2 : dy[i]!;
    if (da && !(p < q)) da[i] += g;
    if (db && !(p > q)) db[i] += g;
  }
}

const MAXIMUM: BinaryKernels = {
  forward: (y, a, b) => extremumForward(y, a, b, 1),
  backward: (da, db, dy, a, b) => extremumBackward(da, db, dy, a, b, 1),
};
const MINIMUM: BinaryKernels = {
  forward: (y, a, b) => extremumForward(y, a, b, -1),
  backward: (da, db, dy, a, b) => extremumBackward(da, db, dy, a, b, -1),
};

// A bound of clamp: a number (±Infinity allowed), or absent (undefined or null, Python's None).
function bound(name: string, value: unknown, absent: number): number {
  if (value === undefined || value === null) return absent;
  if (value instanceof Tensor) {
    throw new TorchletError("clamp", "INVALID_ARGUMENT", `${name} must be a number; tensor bounds are not supported yet (use maximum and minimum for tensor bounds)`);
  }
  if (typeof value !== "number" || Number.isNaN(value)) {
    throw new TorchletError("clamp", "INVALID_ARGUMENT", `${name} must be a number (not NaN), null or undefined, got ${describe(value)}`);
  }
  return Math.fround(value); // compared with float32 elements, as PyTorch does
}

/**
 * Every element limited to [min, max], like `torch.clamp(input, min, max)`: pass `undefined` or `null` to leave a
 * side open (`clamp(x, 0)` is relu-like, `clamp(x, null, 1)` caps at 1). If min > max every element becomes max.
 * The gradient passes where min ≤ x ≤ max, bounds included (as PyTorch).
 * @throws TorchletError when both bounds are absent, a bound is NaN or not a number, or input is not a Tensor.
 * @example clamp(tensor([-2, 0.5, 3]), 0, 1) // [0, 0.5, 1]
 */
export function clamp(input: Tensor, min?: number | null, max?: number | null): Tensor {
  checkArity("clamp", arguments, ["input", "min", "max"]);
  expectTensor("clamp", "input", input);
  const dims: ClampDims = { min: bound("min", min, -Infinity), max: bound("max", max, Infinity) };
  if ((min === undefined || min === null) && (max === undefined || max === null)) {
    throw new TorchletError("clamp", "INVALID_ARGUMENT", "at least one of min and max must be given (a number)");
  }
  return unaryOp("clamp", input, (y, x) => clampForward(y, x, dims), (dx, dy, _y, x) => clampBackward(dx, dy, x, dims));
}

// maximum and minimum take two tensors, as torch.maximum does.
function extremum(op: string, input: unknown, other: unknown, kernels: BinaryKernels): Tensor {
  for (const [name, value] of [["input", input], ["other", other]] as const) {
    if (typeof value === "number") {
      throw new TorchletError(op, "INVALID_ARGUMENT", `${name} must be a Tensor, got the number ${describe(value)} (like torch.${op}, it takes two tensors; clamp(x, min, max) takes number bounds)`);
    }
    expectTensor(op, name, value);
  }
  return binaryOp(op, input as Tensor, other as Tensor, kernels);
}

/**
 * The larger of input and other, elementwise, like `torch.maximum`: two tensors broadcast together; NaN if either
 * is NaN. On a tie each gets half the gradient (as PyTorch 1.13).
 * @throws TorchletError when the shapes do not broadcast or an operand is not a Tensor.
 * @example maximum(tensor([1, 5]), tensor([3, 2])) // [3, 5]
 */
export function maximum(input: Tensor, other: Tensor): Tensor {
  checkArity("maximum", arguments, ["input", "other"]);
  return extremum("maximum", input, other, MAXIMUM);
}

/**
 * The smaller of input and other, elementwise, like `torch.minimum`: two tensors broadcast together; NaN if either
 * is NaN. On a tie each gets half the gradient (as PyTorch 1.13).
 * @throws TorchletError when the shapes do not broadcast or an operand is not a Tensor.
 * @example minimum(tensor([1, 5]), tensor([3, 2])) // [1, 2]
 */
export function minimum(input: Tensor, other: Tensor): Tensor {
  checkArity("minimum", arguments, ["input", "other"]);
  return extremum("minimum", input, other, MINIMUM);
}
