// Broadcasting, by PyTorch's rules: shapes are lined up at their last
// dimension, a missing leading dimension counts as size 1, and two sizes fit
// when they are equal or one of them is 1, which is stretched (its single
// element reused) to the other's size. Walk-through: docs/broadcasting.md
//
// Every broadcasting op (add, sub, mul, div, pow, maximum, minimum, where, the
// comparisons) runs its same-shape kernel on its operands stretched to the
// output shape (expandForward), and folds each full-size gradient back to the
// operand's own shape (sumToShape, expand's backward): an element reused k
// times fed k outputs, so its gradient is the sum of those k gradients.
// An operand that already has the output shape is used as it is, with no copy
// and no fold, so the same-shape case runs the straight loops alone.
// These ops are not on LeNet's hot path: TypeScript kernels only, no WebAssembly twin.
//
// Dimension legend: y is the output (shape `shape`, n elements); x one operand
// (its own shape); offsets (n) says which element of x each element of y reads.

import { TorchletError, allocFloat32, checkShape, describe, formatShape, isTensorOfAnotherCopy } from "../errors.js";
import { Tensor, expectTensor, record, type Shape } from "../tensor/tensor.js";

/**
 * The shape that operands of `shapes` broadcast to, like `torch.broadcast_shapes`.
 * @param names what the op calls each operand, for the error.
 * @throws TorchletError SHAPE_MISMATCH naming both shapes and the dimension where they differ.
 */
export function broadcastShapes(op: string, shapes: readonly Shape[], names: readonly string[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let fromEnd = 1; fromEnd <= rank; fromEnd++) {
    let size = 1, owner = -1; // the first operand with a size other than 1 here sets it
    shapes.forEach((shape, k) => {
      const d = shape.length - fromEnd < 0 ? 1 : shape[shape.length - fromEnd]!;
      if (d === 1) return;
      if (owner < 0) [size, owner] = [d, k];
      else if (d !== size) throw broadcastError(op, shapes, names, owner, k, fromEnd);
    });
    out.unshift(size);
  }
  return out;
}

function broadcastError(op: string, shapes: readonly Shape[], names: readonly string[], i: number, j: number, fromEnd: number): TorchletError {
  const [a, b] = [shapes[i]!, shapes[j]!];
  return new TorchletError(op, "SHAPE_MISMATCH",
    `cannot broadcast shapes ${formatShape(a)} and ${formatShape(b)} (${names[i]} and ${names[j]}): at dimension ${-fromEnd} ` +
    `(counting from the last) ${names[i]} has size ${a[a.length - fromEnd]} and ${names[j]} has size ${b[b.length - fromEnd]}; sizes must be equal, or 1 to stretch`);
}

/**
 * For each element of a tensor of shape `to`, the index of the element of a tensor of shape `from`
 * (which broadcasts to `to`) that it reads: the offsets of `expandForward` and `sumToShape`.
 */
export function broadcastOffsets(from: Shape, to: Shape): Int32Array {
  const n = checkShape("broadcastOffsets", to, "to");
  const offsets = new Int32Array(n); // (n)
  const rank = to.length, lead = rank - from.length;
  // stride of each output dimension within `from`: 0 where `from` is stretched or has no such dimension
  const strides = new Array<number>(rank).fill(0);
  for (let d = rank - 1, stride = 1; d >= lead; d--) {
    const size = from[d - lead]!;
    strides[d] = size === 1 ? 0 : stride;
    stride *= size;
  }
  const index = new Array<number>(rank).fill(0);
  for (let i = 0, offset = 0; i < n; i++) {
    offsets[i] = offset;
    for (let d = rank - 1; d >= 0; d--) { // odometer: step the last index, carry into earlier ones
      index[d]!++;
      offset += strides[d]!;
      if (index[d]! < to[d]!) break;
      offset -= strides[d]! * to[d]!;
      index[d] = 0;
    }
  }
  return offsets;
}

/** y = x stretched to the output shape: y[i] = x[offsets[i]]. Never allocates. */
export function expandForward(
  y: Float32Array, // (n)
  x: Float32Array, // (x's own shape)
  offsets: Int32Array, // (n)
): void {
  for (let i = 0; i < y.length; i++) y[i] = x[offsets[i]!]!;
}

/** dx += dy summed over the stretched dimensions (expandForward's backward). Never allocates. */
export function sumToShape(
  dx: Float32Array, // (x's own shape)
  dy: Float32Array, // (n)
  offsets: Int32Array, // (n)
): void {
  // ∂y_i/∂x_j = 1 when offsets[i] = j: each x_j collects the gradient of every output that read it
  for (let i = 0; i < dy.length; i++) dx[offsets[i]!] += dy[i]!;
}

/** An operand as the output sees it: its data at the output's size (its own data when it has the output shape). */
interface Stretched {
  full: Float32Array;
  /** Where each output element reads it; null when it has the output shape. */
  offsets: Int32Array | null;
}

function stretch(op: string, x: Tensor, shape: Shape, n: number): Stretched {
  if (x.shape.length === shape.length && x.shape.every((d, i) => d === shape[i])) return { full: x.data, offsets: null };
  const offsets = broadcastOffsets(x.shape, shape);
  const full = allocFloat32(op, n);
  expandForward(full, x.data, offsets);
  return { full, offsets };
}

/** y (n) = f(operands stretched to n elements). */
export type BroadcastForward = (y: Float32Array, operands: readonly Float32Array[]) => void;
/** grads[k] (n, or null: not needed) += ∂L/∂(operand k), given dy, the stretched operands and y. */
export type BroadcastBackward = (grads: readonly (Float32Array | null)[], dy: Float32Array, operands: readonly Float32Array[], y: Float32Array) => void;

/**
 * Runs an elementwise op over operands broadcast together, recording its backward
 * (or, when `backward` is null, returning a result with no gradient, as comparisons do).
 * The kernels see full-size arrays; gradients are folded back with {@link sumToShape}.
 */
export function broadcastOp(op: string, operands: readonly Tensor[], names: readonly string[], forward: BroadcastForward, backward: BroadcastBackward | null): Tensor {
  const shape = broadcastShapes(op, operands.map((t) => t.shape), names);
  const y = allocFloat32(op, checkShape(op, shape)); // (n)
  const stretched = operands.map((t) => stretch(op, t, shape, y.length));
  const full = stretched.map((s) => s.full);
  forward(y, full);
  if (backward === null) return new Tensor(y, shape);
  return record(op, y, shape, operands, (dy, dInputs) => {
    // a stretched operand's gradient is gathered at full size (n), then summed back to its shape
    const grads = dInputs.map((dx, k) => (dx === null || stretched[k]!.offsets === null ? dx : allocFloat32(op, y.length)));
    backward(grads, dy, full, y);
    dInputs.forEach((dx, k) => {
      if (dx !== null && grads[k] !== dx) sumToShape(dx, grads[k]!, stretched[k]!.offsets!);
    });
  });
}

/** An operand that may be a number (a constant scalar, shape []) or a Tensor. */
export function scalarOrTensor(op: string, name: string, value: unknown): Tensor {
  if (typeof value === "number") return new Tensor(Float32Array.of(value), []);
  if (value instanceof Tensor) return value;
  if (isTensorOfAnotherCopy(value)) expectTensor(op, name, value); // says why a Tensor of another copy of torchlet is refused
  throw new TorchletError(op, "INVALID_ARGUMENT", `${name} must be a Tensor or a number, got ${describe(value)}`);
}

/** The two operands of a binary op taking numbers on either side, like torch.add(1, x): at least one must be a Tensor. */
export function operandPair(op: string, input: unknown, other: unknown, names: readonly [string, string] = ["input", "other"]): [Tensor, Tensor] {
  if (typeof input === "number" && typeof other === "number") {
    throw new TorchletError(op, "INVALID_ARGUMENT", `${names[0]} and ${names[1]} are both numbers (${describe(input)} and ${describe(other)}); at least one must be a Tensor`);
  }
  return [scalarOrTensor(op, names[0], input), scalarOrTensor(op, names[1], other)];
}
