// The Tensor-level wrapper shared by the elementwise activations (sigmoid,
// relu, tanh): allocate y, run the forward kernel, and record a backward that
// needs only the output y (each of their derivatives is a function of y).
// Pages: docs/sigmoid.md, docs/relu.md, docs/tanh.md

import { allocFloat32 } from "../errors.js";
import { Tensor, expectTensor, record } from "../tensor/tensor.js";
import { getBackend } from "../backend/index.js";

/** The elementwise ops whose derivative is a function of their output: their kernels are `<name>Forward(y, x)` and `<name>Backward(dx, dy, y)`. */
export type UnaryName = "sigmoid" | "relu" | "tanh";

/** Applies an elementwise op to a tensor of any shape, recording its backward. */
export function unaryOp(name: UnaryName, x: Tensor): Tensor {
  expectTensor(name, "input", x);
  const kernels = getBackend();
  const y = allocFloat32(name, x.numel);
  kernels[`${name}Forward`](y, x.data);
  return record(name, y, x.shape, [x], (dy, [dx]) => {
    if (dx) kernels[`${name}Backward`](dx, dy, y);
  });
}
