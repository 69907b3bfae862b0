// reshape, view, flatten, unsqueeze, squeeze: the same data seen with another
// shape. Every tensor is contiguous, so none of them copies; each result shares
// x's data and its backward adds dy into dx element for element
// (see viewAs in src/tensor/tensor.ts). Data movement off LeNet's hot path:
// TypeScript only, no WebAssembly twin. Walk-through: docs/shapes.md
//
// Shapes: x (d0, ..., dk) → the same elements, the shape the op describes.

import { TorchletError, checkArity, describe } from "../errors.js";
import { expectTensor, viewAs, type Shape, type Tensor } from "../tensor/tensor.js";
import { checkDim } from "./dim-args.js";

// The free function forms of Tensor.reshape and Tensor.view take the shape as one array, as torch.reshape does.
function targetShape(op: string, shape: unknown): Shape {
  if (!Array.isArray(shape)) {
    throw new TorchletError(op, "INVALID_ARGUMENT", `shape must be an array of integers (one may be -1), got ${describe(shape)}`);
  }
  return shape as Shape;
}

/**
 * x's data with another shape, like `torch.reshape(x, shape)`; one entry may be -1 and is inferred.
 * Never copies (every tensor is contiguous). @example reshape(arange(6), [2, -1]).shape // [2, 3]
 * @throws TorchletError when the element counts differ or the shape is not an array of integers.
 */
export function reshape(x: Tensor, shape: Shape): Tensor {
  checkArity("reshape", arguments, ["input", "shape"]);
  return expectTensor("reshape", "input", x).reshape(targetShape("reshape", shape));
}

/** Alias of {@link reshape}, like `x.view(shape)`: every tensor is contiguous, so every reshape is a view. */
export function view(x: Tensor, shape: Shape): Tensor {
  checkArity("view", arguments, ["input", "shape"]);
  return expectTensor("view", "input", x).view(targetShape("view", shape));
}

/**
 * Merges dimensions startDim..endDim (inclusive) into one, like `torch.flatten(x, start_dim, end_dim)`;
 * a 0-d tensor becomes shape [1]. @example flatten(zeros(2, 3, 4), 1).shape // [2, 12]
 */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  checkArity("flatten", arguments, ["input", "startDim", "endDim"]);
  return expectTensor("flatten", "input", x).flatten(startDim, endDim);
}

/**
 * Inserts a dimension of size 1 at `dim` (-ndim-1..ndim), like `torch.unsqueeze`.
 * @example unsqueeze(zeros(2, 3), 1).shape // [2, 1, 3]
 */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  checkArity("unsqueeze", arguments, ["input", "dim"]);
  expectTensor("unsqueeze", "input", x);
  const d = checkDim("unsqueeze", dim, x.shape, "dim", 1);
  return viewAs("unsqueeze", x, [...x.shape.slice(0, d), 1, ...x.shape.slice(d)]);
}

/**
 * Removes dimensions of size 1, like `torch.squeeze`: all of them, or only `dim`
 * (left as is when its size is not 1, as PyTorch does). @example squeeze(zeros(2, 1, 3)).shape // [2, 3]
 */
export function squeeze(x: Tensor, dim?: number): Tensor {
  checkArity("squeeze", arguments, ["input", "dim"]);
  expectTensor("squeeze", "input", x);
  if (dim === undefined) return viewAs("squeeze", x, x.shape.filter((size) => size !== 1));
  const d = checkDim("squeeze", dim, x.shape);
  if (x.ndim === 0 || x.shape[d] !== 1) return viewAs("squeeze", x, x.shape);
  return viewAs("squeeze", x, [...x.shape.slice(0, d), ...x.shape.slice(d + 1)]);
}
