// add, sub, mul, div — elementwise arithmetic with broadcasting (PyTorch's
// rules, src/ops/broadcast.ts); either operand may be a number, a constant
// scalar, as torch.add(1, x) and torch.div(x, 2) allow.
// Shapes: input and other broadcast together → y (the broadcast shape).
// Each gradient is summed back to its operand's own shape (docs/broadcasting.md);
// operands of the output's shape run these straight loops with no copy.
// Not on LeNet's hot path: TypeScript kernels only, no WebAssembly twin.
// The gradients of add, sub, mul are the examples of docs/autograd.md.

import { checkArity, checkOptionKeys } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";
import { broadcastOp, operandPair } from "./broadcast.js";

/** y = a + b, elementwise. Never allocates. */
export function addForward(y: Float32Array, a: Float32Array, b: Float32Array): void {
  for (let i = 0; i < y.length; i++) y[i] = a[i]! + b[i]!;
}

/** da += dy and db += dy (either may be null). Never allocates. */
export function addBackward(da: Float32Array | null, db: Float32Array | null, dy: Float32Array): void {
  // ∂(a+b)/∂a = ∂(a+b)/∂b = 1
  if (da) axpy(da, dy, 1);
  if (db) axpy(db, dy, 1);
}

/** y = a − b, elementwise. Never allocates. */
export function subForward(y: Float32Array, a: Float32Array, b: Float32Array): void {
  for (let i = 0; i < y.length; i++) y[i] = a[i]! - b[i]!;
}

/** da += dy and db −= dy (either may be null). Never allocates. */
export function subBackward(da: Float32Array | null, db: Float32Array | null, dy: Float32Array): void {
  // ∂(a−b)/∂a = 1,  ∂(a−b)/∂b = −1
  if (da) for (let i = 0; i < dy.length; i++) da[i] += dy[i]!;
  if (db) for (let i = 0; i < dy.length; i++) db[i] -= dy[i]!;
}

/** y = a · b, elementwise. Never allocates. */
export function mulForward(y: Float32Array, a: Float32Array, b: Float32Array): void {
  for (let i = 0; i < y.length; i++) y[i] = a[i]! * b[i]!;
}

/** da += dy · b and db += dy · a (either may be null). Never allocates. */
export function mulBackward(da: Float32Array | null, db: Float32Array | null, dy: Float32Array, a: Float32Array, b: Float32Array): void {
  // ∂(a·b)/∂a = b,  ∂(a·b)/∂b = a
  if (da) for (let i = 0; i < dy.length; i++) da[i] += dy[i]! * b[i]!;
  if (db) for (let i = 0; i < dy.length; i++) db[i] += dy[i]! * a[i]!;
}

/** y = a / b, elementwise (IEEE: x/0 is ±∞, 0/0 is NaN). Never allocates. */
export function divForward(y: Float32Array, a: Float32Array, b: Float32Array): void {
  for (let i = 0; i < y.length; i++) y[i] = a[i]! / b[i]!;
}

/** da += dy / b and db −= dy · y / b, from the saved output y = a / b (either may be null). Never allocates. */
export function divBackward(da: Float32Array | null, db: Float32Array | null, dy: Float32Array, b: Float32Array, y: Float32Array): void {
  // ∂(a/b)/∂a = 1/b,  ∂(a/b)/∂b = −a/b² = −(a/b)/b
  if (da) for (let i = 0; i < dy.length; i++) da[i] += dy[i]! / b[i]!;
  if (db) for (let i = 0; i < dy.length; i++) db[i] -= dy[i]! * (y[i]! / b[i]!);
}

/** dx += scale · dy. Never allocates. */
export function axpy(dx: Float32Array, dy: Float32Array, scale: number): void {
  for (let i = 0; i < dy.length; i++) dx[i] += scale * dy[i]!;
}

/** The two-operand kernels of an elementwise op: forward, and the backward of both operands. */
export interface BinaryKernels {
  /** y = f(a, b), elementwise over arrays of the output's length. */
  forward: (y: Float32Array, a: Float32Array, b: Float32Array) => void;
  /** da += dy · ∂f/∂a and db += dy · ∂f/∂b (either may be null), given the operands and the saved output y. */
  backward: (da: Float32Array | null, db: Float32Array | null, dy: Float32Array, a: Float32Array, b: Float32Array, y: Float32Array) => void;
}

const OPERANDS = ["input", "other"] as const;

/** Runs the binary op `op` on a and b broadcast together (see {@link broadcastOp}). */
export function binaryOp(op: string, a: Tensor, b: Tensor, { forward, backward }: BinaryKernels, names: readonly string[] = OPERANDS): Tensor {
  return broadcastOp(op, [a, b], names, (y, [x, z]) => forward(y, x!, z!), (grads, dy, [x, z], y) => backward(grads[0] ?? null, grads[1] ?? null, dy, x!, z!, y));
}

const ADD: BinaryKernels = { forward: addForward, backward: addBackward };
const SUB: BinaryKernels = { forward: subForward, backward: subBackward };
const MUL: BinaryKernels = { forward: mulForward, backward: mulBackward };
const DIV: BinaryKernels = { forward: divForward, backward: (da, db, dy, _a, b, y) => divBackward(da, db, dy, b, y) };

/** PyTorch options of add and sub torchlet does not implement yet. */
export const ADD_OPTIONS_NOT_YET: readonly string[] = ["alpha", "out"];
/** PyTorch options of mul torchlet does not implement yet. */
export const MUL_OPTIONS_NOT_YET: readonly string[] = ["out"];
/** PyTorch options of div torchlet does not implement yet. */
export const DIV_OPTIONS_NOT_YET: readonly string[] = ["roundingMode", "out"];

/**
 * input + other elementwise, like `torch.add`: the two broadcast together (PyTorch's rules), and either may
 * be a number. The gradient of each is dy summed back to its own shape. See docs/broadcasting.md.
 * @throws TorchletError when the shapes do not broadcast, or an operand is neither a Tensor nor a number.
 * @example add(tensor([[1, 2], [3, 4]]), tensor([10, 20])) // [[11, 22], [13, 24]]
 */
export function add(input: Tensor | number, other: Tensor | number, options?: Record<string, never>): Tensor {
  checkArity("add", arguments, ["input", "other", "options"]);
  checkOptionKeys("add", options, [], ADD_OPTIONS_NOT_YET);
  const [a, b] = operandPair("add", input, other);
  return binaryOp("add", a, b, ADD);
}

/**
 * input − other elementwise, like `torch.sub`: broadcast together, either may be a number (`sub(1, x)`).
 * @throws TorchletError when the shapes do not broadcast, or an operand is neither a Tensor nor a number.
 * @example sub(1, tensor([0.25, 1])) // [0.75, 0]
 */
export function sub(input: Tensor | number, other: Tensor | number, options?: Record<string, never>): Tensor {
  checkArity("sub", arguments, ["input", "other", "options"]);
  checkOptionKeys("sub", options, [], ADD_OPTIONS_NOT_YET);
  const [a, b] = operandPair("sub", input, other);
  return binaryOp("sub", a, b, SUB);
}

/**
 * input · other elementwise, like `torch.mul`: broadcast together, either may be a number.
 * @throws TorchletError when the shapes do not broadcast, or an operand is neither a Tensor nor a number.
 * @example sum(mul(y, g)) // a loss whose gradient with respect to y is g
 */
export function mul(input: Tensor | number, other: Tensor | number, options?: Record<string, never>): Tensor {
  checkArity("mul", arguments, ["input", "other", "options"]);
  checkOptionKeys("mul", options, [], MUL_OPTIONS_NOT_YET);
  const [a, b] = operandPair("mul", input, other);
  return binaryOp("mul", a, b, MUL);
}

/**
 * input / other elementwise (true division), like `torch.div`: broadcast together, either may be a number
 * (`div(x, 2)`, `div(1, x)`). Division by zero gives ±Infinity or NaN, as in PyTorch.
 * @throws TorchletError when the shapes do not broadcast, or an operand is neither a Tensor nor a number.
 * @example div(tensor([1, 2, 3]), 2) // [0.5, 1, 1.5]
 */
export function div(input: Tensor | number, other: Tensor | number, options?: Record<string, never>): Tensor {
  checkArity("div", arguments, ["input", "other", "options"]);
  checkOptionKeys("div", options, [], DIV_OPTIONS_NOT_YET);
  const [a, b] = operandPair("div", input, other);
  return binaryOp("div", a, b, DIV);
}
