// adaptiveAvgPool2d — average pooling to a fixed output size, whatever the input size.
//
// Legend: N batch, C channels, H×W input, P×Q output.
//
//   y[n,c,p,q] = mean of x[n, c, h0(p) .. h1(p) − 1, w0(q) .. w1(q) − 1]
//   h0(p) = ⌊p·H / P⌋,  h1(p) = ⌈(p + 1)·H / P⌉   (w0, w1 likewise with W, Q)
//
// PyTorch's start/end formula: the windows tile the input, overlapping by a
// row or column where P does not divide H, and each divides by its own size.
// With P = Q = 1 it is global average pooling (small ResNets' last pool).
// The op is linear: every pixel of window (p, q) gets dy/size back from it.
// The wasm twin (src/wasm/adaptive-avgpool2d.ts) runs global pooling as a SIMD
// mean per plane (float64 lanes) and other sizes as these loops.
// Walk-through: docs/avgpool2d.md (Adaptive average pooling)

import { TorchletError, allocFloat32, checkArity, checkInt, describe, formatShape } from "../errors.js";
import { Tensor, expectTensor, record } from "../tensor/tensor.js";
import { activeBackend, kernel } from "../backend/dispatch.js";

/** Geometry of adaptiveAvgPool2d over x (N, C, H, W) producing (N, C, P, Q). */
export interface AdaptiveAvgPool2dDims {
  /** Batch size. */
  N: number;
  /** Channels. */
  C: number;
  /** Input height. */
  H: number;
  /** Input width. */
  W: number;
  /** Output height. */
  P: number;
  /** Output width. */
  Q: number;
}

/** An output size: one number for both, or [height, width] where null keeps that input size (PyTorch's None). */
export type AdaptiveSize = number | readonly [number | null, number | null];

/**
 * y (N, C, P, Q) = the mean of each adaptive window of x (N, C, H, W). Overwrites y. Never allocates.
 * Twin of adaptiveAvgPool2dBackward: the same window walk, kept apart so each reads on one screen.
 */
export function adaptiveAvgPool2dForward(
  y: Float32Array, // (N, C, P, Q)
  x: Float32Array, // (N, C, H, W)
  d: AdaptiveAvgPool2dDims,
): void {
  const { N, C, H, W, P, Q } = d;
  for (let plane = 0; plane < N * C; plane++) {
    const xPlane = plane * H * W;
    for (let p = 0; p < P; p++) {
      const h0 = Math.floor((p * H) / P), h1 = Math.ceil(((p + 1) * H) / P);
      for (let q = 0; q < Q; q++) {
        const w0 = Math.floor((q * W) / Q), w1 = Math.ceil(((q + 1) * W) / Q);
        let sum = 0;
        for (let h = h0; h < h1; h++) {
          for (let w = w0; w < w1; w++) sum += x[xPlane + h * W + w]!;
        }
        y[(plane * P + p) * Q + q] = sum / ((h1 - h0) * (w1 - w0));
      }
    }
  }
}

/** dx (N, C, H, W) += the adjoint of {@link adaptiveAvgPool2dForward} applied to dy, its twin's walk. Never allocates. */
export function adaptiveAvgPool2dBackward(
  dx: Float32Array, // (N, C, H, W)
  dy: Float32Array, // (N, C, P, Q)
  d: AdaptiveAvgPool2dDims,
): void {
  const { N, C, H, W, P, Q } = d;
  for (let plane = 0; plane < N * C; plane++) {
    const xPlane = plane * H * W;
    for (let p = 0; p < P; p++) {
      const h0 = Math.floor((p * H) / P), h1 = Math.ceil(((p + 1) * H) / P);
      for (let q = 0; q < Q; q++) {
        const w0 = Math.floor((q * W) / Q), w1 = Math.ceil(((q + 1) * W) / Q);
        // ∂y[p,q]/∂x[h,w] = 1/((h1 − h0)·(w1 − w0)) for every (h, w) in the window
        const g = dy[(plane * P + p) * Q + q]! / ((h1 - h0) * (w1 - w0));
        for (let h = h0; h < h1; h++) {
          for (let w = w0; w < w1; w++) dx[xPlane + h * W + w] += g;
        }
      }
    }
  }
}

/** Reads one entry of an output size: an integer ≥ 0, or null for the input's own size. */
function sizeEntry(op: string, name: string, value: unknown, inputSize: number): number {
  return value === null ? inputSize : checkInt(op, name, value, 0);
}

/**
 * Validates adaptiveAvgPool2d's arguments against an input (N, C, H, W) or unbatched (C, H, W) and returns its geometry.
 * @throws TorchletError on an input that is not 3-D or 4-D or has an empty plane, or a bad output size.
 */
export function adaptiveAvgPool2dDims(op: string, xShape: readonly number[], outputSize: AdaptiveSize): AdaptiveAvgPool2dDims {
  if (xShape.length !== 3 && xShape.length !== 4) {
    throw new TorchletError(op, "SHAPE_MISMATCH", `input must be 3-D (C, H, W) or 4-D (N, C, H, W), got shape ${formatShape(xShape)}`);
  }
  const [N, C, H, W] = (xShape.length === 3 ? [1, ...xShape] : xShape) as [number, number, number, number];
  if (H < 1 || W < 1) throw new TorchletError(op, "SHAPE_MISMATCH", `input ${formatShape(xShape)} has an empty plane (height ${H}, width ${W}); height and width must be ≥ 1`);
  if (Array.isArray(outputSize)) {
    if (outputSize.length !== 2) throw new TorchletError(op, "INVALID_ARGUMENT", `outputSize must be a number or [height, width], got an array of length ${outputSize.length}`);
    return { N, C, H, W, P: sizeEntry(op, "outputSize[0]", outputSize[0], H), Q: sizeEntry(op, "outputSize[1]", outputSize[1], W) };
  }
  if (typeof outputSize !== "number") throw new TorchletError(op, "INVALID_ARGUMENT", `outputSize must be a number or [height, width], got ${describe(outputSize)}`);
  const size = checkInt(op, "outputSize", outputSize, 0);
  return { N, C, H, W, P: size, Q: size };
}

/**
 * Adaptive average pooling, like `F.adaptive_avg_pool2d`: x (N, C, H, W) or unbatched (C, H, W) → (N, C, P, Q)
 * or (C, P, Q) for any H×W; windows from PyTorch's start/end formula. `adaptiveAvgPool2d(x, 1)` is global average pooling.
 * @throws TorchletError on an input that is not 3-D or 4-D, an empty plane, or an output size that is not an integer ≥ 0 or null.
 * @example adaptiveAvgPool2d(x, [1, 1]) // [N,64,7,7] → [N,64,1,1]
 */
export function adaptiveAvgPool2d(x: Tensor, outputSize: AdaptiveSize): Tensor {
  checkArity("adaptiveAvgPool2d", arguments, ["input", "outputSize"]);
  expectTensor("adaptiveAvgPool2d", "input", x);
  const d = adaptiveAvgPool2dDims("adaptiveAvgPool2d", x.shape, outputSize);
  const backend = activeBackend(); // one backend for the forward and its backward
  const y = allocFloat32("adaptiveAvgPool2d", d.N * d.C * d.P * d.Q);
  kernel(adaptiveAvgPool2dForward, backend)(y, x.data, d);
  const shape = x.shape.length === 3 ? [d.C, d.P, d.Q] : [d.N, d.C, d.P, d.Q];
  return record("adaptiveAvgPool2d", y, shape, [x], (dy, [dx]) => {
    if (dx) kernel(adaptiveAvgPool2dBackward, backend)(dx, dy, d);
  });
}
