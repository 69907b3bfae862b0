// add, sub, mul — elementwise arithmetic on two tensors of the same shape,
// or a tensor and a number. (No general broadcasting: bias addition lives
// inside linear and conv2d, which is all LeNet needs.)
// Shapes: a and b the same shape (or b a number) → that shape. Their
// gradients (1, −1, the other operand) are the examples of docs/autograd.md.

import { TorchletError, allocFloat32, describe, formatShape, checkArity } from "../errors.js";
import { Tensor, expectTensor, record } from "../tensor/tensor.js";

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

/** dx += scale · dy. Never allocates. */
export function axpy(dx: Float32Array, dy: Float32Array, scale: number): void {
  for (let i = 0; i < dy.length; i++) dx[i] += scale * dy[i]!;
}

// A number operand becomes a constant tensor of a's shape, so each op has one code path.
function operands(op: string, a: Tensor, b: Tensor | number): [Tensor, Tensor] {
  expectTensor(op, "a", a);
  if (typeof b === "number") {
    const data = allocFloat32(op, a.numel);
    data.fill(b);
    return [a, new Tensor(data, a.shape)];
  }
  if (!(b instanceof Tensor)) {
    throw new TorchletError(op, "INVALID_ARGUMENT", `b must be a Tensor or a number, got ${describe(b)}`);
  }
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new TorchletError(op, "SHAPE_MISMATCH", `shapes must be equal, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
  return [a, b];
}

/**
 * a + b elementwise, like `torch.add`: a and b of the same shape (or b a number) → that shape.
 * No broadcasting. @throws TorchletError when the shapes differ or b is neither a Tensor nor a number.
 */
export function add(a: Tensor, b: Tensor | number): Tensor {
  checkArity("add", arguments, ["a", "b"]);
  const [x, y] = operands("add", a, b);
  const out = allocFloat32("add", x.numel);
  addForward(out, x.data, y.data);
  return record("add", out, x.shape, [x, y], (dy, [dx, dz]) => addBackward(dx ?? null, dz ?? null, dy));
}

/**
 * a − b elementwise, like `torch.sub`: a and b of the same shape (or b a number) → that shape.
 * No broadcasting. @throws TorchletError when the shapes differ or b is neither a Tensor nor a number.
 */
export function sub(a: Tensor, b: Tensor | number): Tensor {
  checkArity("sub", arguments, ["a", "b"]);
  const [x, y] = operands("sub", a, b);
  const out = allocFloat32("sub", x.numel);
  subForward(out, x.data, y.data);
  return record("sub", out, x.shape, [x, y], (dy, [dx, dz]) => subBackward(dx ?? null, dz ?? null, dy));
}

/**
 * a · b elementwise, like `torch.mul`: a and b of the same shape (or b a number) → that shape.
 * No broadcasting. @throws TorchletError when the shapes differ or b is neither a Tensor nor a number.
 * @example sum(mul(y, g)) // a loss whose gradient with respect to y is g
 */
export function mul(a: Tensor, b: Tensor | number): Tensor {
  checkArity("mul", arguments, ["a", "b"]);
  const [x, y] = operands("mul", a, b);
  const out = allocFloat32("mul", x.numel);
  mulForward(out, x.data, y.data);
  return record("mul", out, x.shape, [x, y], (dy, [dx, dz]) => mulBackward(dx ?? null, dz ?? null, dy, x.data, y.data));
}
