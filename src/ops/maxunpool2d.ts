// maxUnpool2d — the partial inverse of maxPool2d: each value goes back to the
// position its indices name, every other position is zero.
//
// Legend: N batch, C channels, P×Q input (a pooled map), H×W output.
//
//   y[n,c,h,w] = x[n,c,p,q] where indices[n,c,p,q] = h·W + w, else 0
//
// H defaults to (P − 1)·sH − 2·pH + kH (the size maxPool2d would have pooled
// from; W likewise), or comes from outputSize, as PyTorch's F.max_unpool2d.
// The op is linear and only moves values, so its backward is a gather:
// dx[n,c,p,q] += dy[n,c,indices[n,c,p,q]]. With overlapping windows two
// inputs may name the same position; the later one stays (PyTorch leaves the
// order unspecified, and the values are then equal: the same maximum).
// The wasm twin (src/wasm/maxunpool2d.ts) runs the same loops (no SIMD: the positions are data).
// Walk-through: docs/maxpool2d.md (Indices and maxUnpool2d)

import { TorchletError, allocFloat32, checkArity, checkOptionKeys, formatShape } from "../errors.js";
import { Tensor, expectTensor, record } from "../tensor/tensor.js";
import { pair, type Size2 } from "./window.js";
import { activeBackend, kernel } from "../backend/dispatch.js";

/** Geometry of maxUnpool2d: planes of P·Q inputs scattered into planes of H·W outputs. */
export interface MaxUnpool2dDims {
  /** Number of (n, c) planes: N·C. */
  planes: number;
  /** Inputs per plane: P·Q. */
  inputs: number;
  /** Outputs per plane: H·W. */
  outputs: number;
}

/** Options of {@link maxUnpool2d}, as `F.max_unpool2d` spells them. */
export interface MaxUnpool2dOptions {
  /** The pooling's stride; defaults to the kernel size. */
  stride?: Size2;
  /** The pooling's padding. Default 0. */
  padding?: Size2;
  /** The output's [height, width] (or its full shape), within a stride of the default size. */
  outputSize?: readonly number[] | null;
}

/** y (N, C, H, W) = x (N, C, P, Q) placed at indices, zero elsewhere. Overwrites y. Never allocates. */
export function maxUnpool2dForward(
  y: Float32Array, // (N, C, H, W)
  x: Float32Array, // (N, C, P, Q)
  indices: Int32Array, // (N, C, P, Q): positions in 0 .. H·W − 1
  d: MaxUnpool2dDims,
): void {
  y.fill(0);
  for (let plane = 0; plane < d.planes; plane++) {
    for (let i = plane * d.inputs; i < (plane + 1) * d.inputs; i++) y[plane * d.outputs + indices[i]!] = x[i]!;
  }
}

/** dx (N, C, P, Q) += dy (N, C, H, W) gathered from where each input went. Never allocates. */
export function maxUnpool2dBackward(
  dx: Float32Array, // (N, C, P, Q)
  dy: Float32Array, // (N, C, H, W)
  indices: Int32Array, // (N, C, P, Q)
  d: MaxUnpool2dDims,
): void {
  for (let plane = 0; plane < d.planes; plane++) {
    // ∂y[h,w]/∂x[p,q] = 1 where indices[p,q] = h·W + w, else 0
    for (let i = plane * d.inputs; i < (plane + 1) * d.inputs; i++) dx[i] += dy[plane * d.outputs + indices[i]!]!;
  }
}

/**
 * The output's (H, W): PyTorch's default (P − 1)·stride − 2·padding + kernel, or outputSize
 * when it lies strictly within a stride of that default.
 */
function unpoolSize(op: string, inputShape: readonly number[], kernelSize: Size2, options: MaxUnpool2dOptions): [number, number] {
  const kernel = pair(op, "kernelSize", kernelSize, 1);
  const stride = options.stride === undefined || options.stride === null ? kernel : pair(op, "stride", options.stride, 1);
  const padding = pair(op, "padding", options.padding ?? 0, 0);
  const [P, Q] = inputShape.slice(-2) as [number, number];
  const defaults = [(P - 1) * stride[0] - 2 * padding[0] + kernel[0], (Q - 1) * stride[1] - 2 * padding[1] + kernel[1]] as const;
  if (options.outputSize === undefined || options.outputSize === null) {
    if (defaults[0] < 1 || defaults[1] < 1) throw new TorchletError(op, "SHAPE_MISMATCH", `the output size ${defaults[0]}×${defaults[1]} is empty (input ${formatShape(inputShape)}, kernel ${kernel[0]}×${kernel[1]}, padding ${padding[0]}×${padding[1]})`);
    return [defaults[0], defaults[1]];
  }
  const given = options.outputSize;
  if (!Array.isArray(given) || (given.length !== 2 && given.length !== inputShape.length)) {
    throw new TorchletError(op, "INVALID_ARGUMENT", `outputSize must be [height, width] or the full output shape (${inputShape.length} numbers), got ${JSON.stringify(given)}`);
  }
  const size = pair(op, "outputSize", given.slice(-2), 1);
  for (const axis of [0, 1]) {
    if (size[axis]! <= defaults[axis]! - stride[axis]! || size[axis]! >= defaults[axis]! + stride[axis]!) {
      throw new TorchletError(op, "INVALID_ARGUMENT", `outputSize ${size[0]}×${size[1]} must lie strictly between ${defaults[0] - stride[0]}×${defaults[1] - stride[1]} and ${defaults[0] + stride[0]}×${defaults[1] + stride[1]} (the default ${defaults[0]}×${defaults[1]} ± the stride)`);
    }
  }
  return size;
}

/** The indices tensor as Int32Array, each an integer position in an output plane of `outputs` values. */
function readIndices(op: string, indices: Tensor, outputs: number): Int32Array {
  const result = new Int32Array(indices.data.length); // (N, C, P, Q)
  for (let i = 0; i < result.length; i++) {
    const v = indices.data[i]!;
    if (!Number.isInteger(v) || v < 0 || v >= outputs) {
      throw new TorchletError(op, "OUT_OF_RANGE", `indices[${i}] is ${v}; each must be an integer position in an output plane of ${outputs} values [0, ${outputs})`);
    }
    result[i] = v;
  }
  return result;
}

/**
 * Max unpooling, like `F.max_unpool2d`: puts each value of x (N, C, P, Q) or unbatched (C, P, Q) back at
 * the position `indices` (from `maxPool2d(..., { returnIndices: true })`) names in its (H·W) plane, zeros
 * elsewhere. See docs/maxpool2d.md.
 * @throws TorchletError on an input that is not 3-D or 4-D, indices of another shape or out of range, bad sizes, or an unknown option.
 * @example const [y, i] = maxPool2d(x, 2, { returnIndices: true }); maxUnpool2d(y, i, 2) // zeros except each maximum
 */
export function maxUnpool2d(x: Tensor, indices: Tensor, kernelSize: Size2, options: MaxUnpool2dOptions = {}): Tensor {
  checkArity("maxUnpool2d", arguments, ["input", "indices", "kernelSize", "options"]);
  expectTensor("maxUnpool2d", "input", x);
  expectTensor("maxUnpool2d", "indices", indices);
  options = checkOptionKeys("maxUnpool2d", options, ["stride", "padding", "outputSize"]);
  if (x.shape.length !== 3 && x.shape.length !== 4) {
    throw new TorchletError("maxUnpool2d", "SHAPE_MISMATCH", `input must be 3-D (C, P, Q) or 4-D (N, C, P, Q), got shape ${formatShape(x.shape)}`);
  }
  if (formatShape(indices.shape) !== formatShape(x.shape)) {
    throw new TorchletError("maxUnpool2d", "SHAPE_MISMATCH", `indices must have the input's shape ${formatShape(x.shape)}, got ${formatShape(indices.shape)}`);
  }
  const [H, W] = unpoolSize("maxUnpool2d", x.shape, kernelSize, options);
  const lead = x.shape.slice(0, -2); // (N, C) or (C)
  const d: MaxUnpool2dDims = { planes: lead.reduce((a, b) => a * b, 1), inputs: x.shape.at(-2)! * x.shape.at(-1)!, outputs: H * W };
  const where = readIndices("maxUnpool2d", indices, d.outputs);
  const backend = activeBackend(); // one backend for the forward and its backward
  const y = allocFloat32("maxUnpool2d", d.planes * d.outputs);
  kernel(maxUnpool2dForward, backend)(y, x.data, where, d);
  return record("maxUnpool2d", y, [...lead, H, W], [x], (dy, [dx]) => {
    if (dx) kernel(maxUnpool2dBackward, backend)(dx, dy, where, d);
  });
}
