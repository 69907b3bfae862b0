// sum and mean over every element: the reductions a loss needs.
// Both are scale · Σ_i x_i (scale 1 or 1/n), so one function serves both.
// Shapes: x (any) → a scalar (shape []). Used as losses in docs/autograd.md.

import { TorchletError, formatShape, checkArity } from "../errors.js";
import { Tensor, expectTensor, record } from "../tensor/tensor.js";

function scaledTotal(op: string, x: Tensor, scale: number): Tensor {
  let total = 0; // a float64 running sum: no float32 drift over long tensors
  for (let i = 0; i < x.numel; i++) total += x.data[i]!;
  return record(op, Float32Array.of(total * scale), [], [x], (dy, [dx]) => {
    if (!dx) return;
    // ∂(scale · Σ x)/∂x_i = scale
    const g = dy[0]! * scale;
    for (let i = 0; i < dx.length; i++) dx[i] += g;
  });
}

/** Sum of all elements, as a scalar tensor (shape []). */
export function sum(x: Tensor): Tensor {
  checkArity("sum", arguments, ["input"], "torchlet's sum reduces all elements and takes no dim yet");
  expectTensor("sum", "input", x);
  return scaledTotal("sum", x, 1);
}

/** Mean of all elements, as a scalar tensor. @throws TorchletError for an empty tensor (the mean of nothing is undefined). */
export function mean(x: Tensor): Tensor {
  checkArity("mean", arguments, ["input"], "torchlet's mean reduces all elements and takes no dim yet");
  expectTensor("mean", "input", x);
  if (x.numel === 0) {
    throw new TorchletError("mean", "SHAPE_MISMATCH", `the mean of an empty tensor is undefined (shape ${formatShape(x.shape)})`);
  }
  return scaledTotal("mean", x, 1 / x.numel);
}
