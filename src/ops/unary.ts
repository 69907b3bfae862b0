// The Tensor-level wrapper shared by the one-input elementwise ops (sigmoid,
// relu, tanh, and the math of src/ops/math.ts and clamp): allocate y, run the
// forward kernel, and record a backward that reads the saved output y (the
// activations' derivatives are functions of y) and, for the ops that need it
// (log, abs, clamp), the input x.
// Pages: docs/sigmoid.md, docs/relu.md, docs/tanh.md

import { allocFloat32 } from "../errors.js";
import { Tensor, expectTensor, record } from "../tensor/tensor.js";
import { activeBackend, kernel } from "../backend/dispatch.js";

/** y = f(x), elementwise, over arrays of the same length. */
export type UnaryForward = (y: Float32Array, x: Float32Array) => void;
/** dx += dy · f′(x), written in terms of the saved output y = f(x) and, where that is not enough, the input x. */
export type UnaryBackward = (dx: Float32Array, dy: Float32Array, y: Float32Array, x: Float32Array) => void;

/** Applies the elementwise op `name` (its kernels `forward` and `backward`) to a tensor of any shape, recording its backward. */
export function unaryOp(name: string, x: Tensor, forward: UnaryForward, backward: UnaryBackward): Tensor {
  expectTensor(name, "input", x);
  const backend = activeBackend(); // one backend for the forward and its backward
  const y = allocFloat32(name, x.numel);
  kernel(forward, backend)(y, x.data);
  return record(name, y, x.shape, [x], (dy, [dx]) => {
    if (dx) kernel(backward, backend)(dx, dy, y, x.data);
  });
}
