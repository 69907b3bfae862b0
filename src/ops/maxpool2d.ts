// maxPool2d — the largest value in each kH×kW window, channel by channel.
//
// Legend: N batch, C channels, H×W input, kH×kW window (taps dH×dW apart:
// dilation), P×Q output.
//
//   y[n,c,p,q] = max_{u,v} x[n, c, p·sH − pH + u·dH, q·sW − pW + v·dW]
//
// Padding never wins (it is −∞, as in PyTorch). The forward remembers where
// each maximum came from (argmax: its position h·W + w in its own plane, as
// PyTorch's indices); the gradient flows only there. PyTorch 1.13's rule for
// the winner: a strictly larger value or any NaN takes over, so ties go to the
// first element in row-major order and a window holding NaNs outputs NaN and
// sends its gradient to its last NaN.
// Walk-through with a worked example: docs/maxpool2d.md

import { allocFloat32, checkArity } from "../errors.js";
import { Tensor, expectTensor, record } from "../tensor/tensor.js";
import { pool2dDims, pool2dOutputShape, type MaxPool2dOptions, type Size2, type WindowDims } from "./window.js";
import { activeBackend, kernel } from "../backend/dispatch.js";

/**
 * y (N, C, P, Q) = window maxima of x; argmax gets each maximum's position h·W + w within its own plane,
 * PyTorch's indices (a slice of the batch, such as a Plan's chunk, records the same values). Never allocates.
 * Walks the windows as avgPool2dForward/Backward do (src/ops/avgpool2d.ts), kept apart so each op's
 * loop reads on one screen; a shared walker would cost a call per window (two to four times slower,
 * measured at LeNet's pool1).
 */
export function maxPool2dForward(
  y: Float32Array, // (N, C, P, Q)
  argmax: Int32Array, // (N, C, P, Q): h·W + w in the plane
  x: Float32Array, // (N, C, H, W)
  d: WindowDims,
): void {
  const { N, C, H, W, kH, kW, strideH, strideW, padH, padW, dilationH, dilationW, P, Q } = d;
  for (let plane = 0; plane < N * C; plane++) {
    const xPlane = plane * H * W;
    for (let p = 0; p < P; p++) {
      const top = p * strideH - padH, h0 = firstTap(top, dilationH), h1 = Math.min(H, top + (kH - 1) * dilationH + 1);
      for (let q = 0; q < Q; q++) {
        const left = q * strideW - padW, w0 = firstTap(left, dilationW), w1 = Math.min(W, left + (kW - 1) * dilationW + 1);
        let best = -Infinity;
        let where = h0 * W + w0;
        for (let h = h0; h < h1; h += dilationH) {
          for (let w = w0; w < w1; w += dilationW) {
            const v = x[xPlane + h * W + w]!;
            if (v > best || v !== v) { // larger, or NaN (v !== v): PyTorch's rule, so the last NaN wins
              best = v;
              where = h * W + w;
            }
          }
        }
        y[(plane * P + p) * Q + q] = best;
        argmax[(plane * P + p) * Q + q] = where;
      }
    }
  }
}

/** The first tap of a window starting at `start` (negative in the padding) that lies inside the input. */
export function firstTap(start: number, dilation: number): number {
  return start >= 0 ? start : start + Math.ceil(-start / dilation) * dilation;
}

/** dx (N, C, H, W) += dy routed to where each maximum came from, plane by plane. Never allocates. */
export function maxPool2dBackward(
  dx: Float32Array, // (N, C, H, W)
  dy: Float32Array, // (N, C, P, Q)
  argmax: Int32Array, // (N, C, P, Q): h·W + w in the plane
  d: WindowDims,
): void {
  const planeIn = d.H * d.W, planeOut = d.P * d.Q;
  for (let plane = 0; plane < d.N * d.C; plane++) {
    const dxPlane = plane * planeIn;
    // ∂y[p,q]/∂x[h,w] = 1 where (h,w) = argmax[p,q], else 0
    for (let i = plane * planeOut; i < (plane + 1) * planeOut; i++) dx[dxPlane + argmax[i]!] += dy[i]!;
  }
}

/** maxPool2d's window, read by {@link maxPool2dReluBackward}, and whether that adds into dx or sets it. */
export interface ReluPool2dDims extends WindowDims {
  /** true: dx += the gradient; false: dx = 0 + the gradient, what adding into a zeroed dx gives (a Plan then need not clear it). */
  accumulate: boolean;
}

/**
 * dx (N, C, H, W) += ∂L/∂x for y = relu(x) then maxPool2d(y): maxPool2dBackward and reluBackward in one pass over
 * the gradient, so the one between them is never stored (a Plan's fusion; docs/maxpool2d.md). The windows must not
 * overlap (windowsOverlap), so a pixel is the maximum of one window at most: every pixel gets + 0 (what reluBackward
 * adds where the pool's gradient is 0), then each window's maximum its 0 + dy where y there is not ≤ 0. Bit for bit the
 * two kernels one after the other, the first into a zeroed gradient. With d.accumulate false, dx is set (every pixel
 * written), bit for bit adding into a zeroed dx. Never allocates.
 */
export function maxPool2dReluBackward(
  dx: Float32Array, // (N, C, H, W): ∂L/∂x, added to (or set: d.accumulate false)
  dy: Float32Array, // (N, C, P, Q): ∂L/∂(pool output)
  argmax: Int32Array, // (N, C, P, Q): h·W + w in the plane, from maxPool2dForward
  y: Float32Array, // (N, C, H, W): relu(x), the pool's input
  d: ReluPool2dDims,
): void {
  const planeIn = d.H * d.W, planeOut = d.P * d.Q;
  for (let plane = 0; plane < d.N * d.C; plane++) {
    const dxPlane = plane * planeIn;
    for (let at = dxPlane; at < dxPlane + planeIn; at++) dx[at] = d.accumulate ? dx[at]! + 0 : 0;
    for (let i = plane * planeOut; i < (plane + 1) * planeOut; i++) {
      const at = dxPlane + argmax[i]!; // ∂y[p,q]/∂x[h,w] = 1 at the window's maximum, 0 elsewhere
      if (!(y[at]! <= 0)) dx[at] += 0 + dy[i]!; // d relu/dx = 1 where y is not ≤ 0 (positive or NaN), else 0
    }
  }
}

/**
 * Max pooling, like `F.max_pool2d`: x (N, C, H, W) or unbatched (C, H, W) → (N, C, P, Q) or (C, P, Q),
 * sizes as in {@link avgPool2d} with the window dilated (dilation·(k − 1) + 1); padding never wins, and the
 * gradient goes to each window's (first) maximum or its last NaN. With `returnIndices` it returns
 * [values, indices], indices holding each maximum's flat position h·W + w in its plane as exact integers
 * in float32 (PyTorch's are int64), for {@link maxUnpool2d}. See docs/maxpool2d.md.
 * @throws TorchletError on an input that is not 3-D or 4-D, a non-integer or non-positive size, padding over half the kernel, an unknown option, or a window larger than the padded input.
 * @example maxPool2d(x, 2) // [N,6,28,28] → [N,6,14,14]
 */
export function maxPool2d(x: Tensor, kernelSize: Size2, options: MaxPool2dOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool2d(x: Tensor, kernelSize: Size2, options?: MaxPool2dOptions & { returnIndices?: false }): Tensor;
export function maxPool2d(x: Tensor, kernelSize: Size2, options?: MaxPool2dOptions): Tensor | [Tensor, Tensor];
export function maxPool2d(x: Tensor, kernelSize: Size2, options: MaxPool2dOptions = {}): Tensor | [Tensor, Tensor] {
  checkArity("maxPool2d", arguments, ["input", "kernelSize", "options"]);
  expectTensor("maxPool2d", "input", x);
  const d = pool2dDims("maxPool2d", x.shape, kernelSize, options);
  const count = d.N * d.C * d.P * d.Q;
  const y = allocFloat32("maxPool2d", count);
  const argmax = new Int32Array(count);
  const backend = activeBackend(); // one backend for the forward and its backward
  kernel(maxPool2dForward, backend)(y, argmax, x.data, d);
  const shape = pool2dOutputShape(x.shape, d);
  const values = record("maxPool2d", y, shape, [x], (dy, [dx]) => {
    if (dx) kernel(maxPool2dBackward, backend)(dx, dy, argmax, d);
  });
  if (options.returnIndices !== true) return values;
  const indices = allocFloat32("maxPool2d", count); // (N, C, P, Q): argmax as float32
  indices.set(argmax);
  return [values, new Tensor(indices, shape)];
}
