// Comparisons eq, ne, lt, le, gt, ge, and where(condition, input, other).
//
// A comparison broadcasts input with other (a Tensor or a number) and returns
// a float32 tensor of 1 (true) and 0 (false) with no gradient: PyTorch returns
// a bool tensor, torchlet has only float32 (see docs/broadcasting.md). NaN
// compares as IEEE says: unequal to everything, itself included.
// where picks input where condition is 1 and other where it is 0, all three
// broadcast together; the gradient goes to the operand that was picked.
// Shapes: the operands broadcast together → y. Not on LeNet's hot path:
// TypeScript kernels only, no WebAssembly twin. Walk-through: docs/broadcasting.md
//
// Dimension legend: n = elements of the output; every buffer below is (n).

import { TorchletError, checkArity } from "../errors.js";
import { Tensor, expectTensor } from "../tensor/tensor.js";
import { broadcastOp, scalarOrTensor } from "./broadcast.js";

/** y = 1 where test(a, b) holds, else 0. Never allocates. (No backward: a comparison has no gradient.) */
export function compareForward(
  y: Float32Array, // (n)
  a: Float32Array, // (n)
  b: Float32Array, // (n)
  test: (a: number, b: number) => boolean,
): void {
  for (let i = 0; i < y.length; i++) y[i] = test(a[i]!, b[i]!) ? 1 : 0;
}

/** y = a where condition is non-zero, else b. Never allocates. */
export function whereForward(
  y: Float32Array, // (n)
  condition: Float32Array, // (n): 1 or 0
  a: Float32Array, // (n)
  b: Float32Array, // (n)
): void {
  for (let i = 0; i < y.length; i++) y[i] = condition[i] !== 0 ? a[i]! : b[i]!;
}

/** da += dy where condition is non-zero, db += dy elsewhere (either may be null). Never allocates. */
export function whereBackward(
  da: Float32Array | null, // (n)
  db: Float32Array | null, // (n)
  dy: Float32Array, // (n)
  condition: Float32Array, // (n)
): void {
  // ∂y/∂a = condition, ∂y/∂b = 1 − condition
  for (let i = 0; i < dy.length; i++) {
    if (condition[i] !== 0) {
      if (da) da[i] += dy[i]!;
    } else if (db) db[i] += dy[i]!;
  }
}

function comparison(op: string, input: unknown, other: unknown, test: (a: number, b: number) => boolean): Tensor {
  const a = expectTensor(op, "input", input); // torch.eq(2, x) is refused too: input must be a Tensor
  const b = scalarOrTensor(op, "other", other);
  return broadcastOp(op, [a, b], ["input", "other"], (y, [p, q]) => compareForward(y, p!, q!, test), null);
}

/** 1 where input = other, else 0, like `torch.eq` (float32, not bool; no gradient). @example eq(tensor([1, 2]), 2) // [0, 1] */
export function eq(input: Tensor, other: Tensor | number): Tensor {
  checkArity("eq", arguments, ["input", "other"]);
  return comparison("eq", input, other, (a, b) => a === b);
}

/** 1 where input ≠ other (NaN ≠ NaN), else 0, like `torch.ne` (float32, not bool; no gradient). @example ne(tensor([1, 2]), 2) // [1, 0] */
export function ne(input: Tensor, other: Tensor | number): Tensor {
  checkArity("ne", arguments, ["input", "other"]);
  return comparison("ne", input, other, (a, b) => a !== b);
}

/** 1 where input < other, else 0, like `torch.lt` (float32, not bool; no gradient). @example lt(tensor([1, 2]), 2) // [1, 0] */
export function lt(input: Tensor, other: Tensor | number): Tensor {
  checkArity("lt", arguments, ["input", "other"]);
  return comparison("lt", input, other, (a, b) => a < b);
}

/** 1 where input ≤ other, else 0, like `torch.le` (float32, not bool; no gradient). @example le(tensor([1, 2]), 2) // [1, 1] */
export function le(input: Tensor, other: Tensor | number): Tensor {
  checkArity("le", arguments, ["input", "other"]);
  return comparison("le", input, other, (a, b) => a <= b);
}

/** 1 where input > other, else 0, like `torch.gt` (float32, not bool; no gradient). @example gt(tensor([1, 3]), 2) // [0, 1] */
export function gt(input: Tensor, other: Tensor | number): Tensor {
  checkArity("gt", arguments, ["input", "other"]);
  return comparison("gt", input, other, (a, b) => a > b);
}

/** 1 where input ≥ other, else 0, like `torch.ge` (float32, not bool; no gradient). @example ge(tensor([1, 2]), 2) // [0, 1] */
export function ge(input: Tensor, other: Tensor | number): Tensor {
  checkArity("ge", arguments, ["input", "other"]);
  return comparison("ge", input, other, (a, b) => a >= b);
}

// A condition is what a comparison returns: only 0 and 1 (PyTorch insists on a bool tensor).
function checkCondition(condition: Tensor): void {
  const values = condition.data;
  for (let i = 0; i < values.length; i++) {
    if (values[i] !== 0 && values[i] !== 1) {
      throw new TorchletError("where", "INVALID_ARGUMENT", `condition must hold only 0 and 1 (as eq, lt, gt, ... return), got ${values[i]} at element ${i}`);
    }
  }
}

/**
 * input where condition is 1, other where it is 0, like `torch.where(condition, input, other)`: the three broadcast
 * together; input and other may be numbers. The gradient goes to whichever was picked; condition gets none.
 * @throws TorchletError when condition holds anything but 0 and 1, the shapes do not broadcast, or an operand is of the wrong kind.
 * @example where(gt(x, 0), x, 0) // relu(x)
 */
export function where(condition: Tensor, input: Tensor | number, other: Tensor | number): Tensor {
  checkArity("where", arguments, ["condition", "input", "other"]);
  checkCondition(expectTensor("where", "condition", condition));
  const operands = [condition, scalarOrTensor("where", "input", input), scalarOrTensor("where", "other", other)];
  return broadcastOp("where", operands, ["condition", "input", "other"], (y, [c, a, b]) => whereForward(y, c!, a!, b!), ([, da, db], dy, [c]) => whereBackward(da ?? null, db ?? null, dy, c!));
}
