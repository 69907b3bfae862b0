// The Tensor-level wrapper shared by the elementwise activations (sigmoid,
// relu, tanh): allocate y, run the forward kernel, and record a backward that
// needs only the output y (each of their derivatives is a function of y).

import { allocFloat32 } from "../errors.js";
import { Tensor, expectTensor, record } from "../tensor/tensor.js";

/** Kernel pair of an elementwise op whose derivative is a function of its output. */
export interface UnaryKernels {
  /** y = f(x), elementwise. */
  forward(y: Float32Array, x: Float32Array): void;
  /** dx += dy · f′(x), written in terms of y = f(x). */
  backward(dx: Float32Array, dy: Float32Array, y: Float32Array): void;
}

/** Applies an elementwise op to a tensor of any shape, recording its backward. */
export function unaryOp(name: string, x: Tensor, kernels: UnaryKernels): Tensor {
  expectTensor(name, "input", x);
  const y = allocFloat32(name, x.numel);
  kernels.forward(y, x.data);
  return record(name, y, x.shape, [x], (dy, [dx]) => {
    if (dx) kernels.backward(dx, dy, y);
  });
}
