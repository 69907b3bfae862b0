// maxPool2d — the largest value in each kH×kW window, channel by channel.
//
// Legend: N batch, C channels, H×W input, kH×kW window, P×Q output.
//
//   y[n,c,p,q] = max_{u,v} x[n, c, p·sH − pH + u, q·sW − pW + v]
//
// Padding never wins (it is −∞, as in PyTorch). The forward remembers where
// each maximum came from (argmax, a flat index into x); the gradient flows
// only there. Ties go to the first window element in row-major order, and a
// NaN in a window wins and propagates, both as PyTorch does.
// Walk-through with a worked example: docs/maxpool2d.md

import { allocFloat32, checkArity } from "../errors.js";
import { Tensor, expectTensor, record } from "../tensor/tensor.js";
import { pool2dDims, type Pool2dOptions, type Size2, type WindowDims } from "./window.js";
import { activeBackend, kernel } from "../backend/dispatch.js";

/**
 * y (N, C, P, Q) = window maxima of x; argmax gets each maximum's flat index into x. Never allocates.
 * Walks the windows as avgPool2dForward/Backward do (src/ops/avgpool2d.ts), kept apart so each op's
 * loop reads on one screen; a shared walker would cost a call per window.
 */
export function maxPool2dForward(
  y: Float32Array, // (N, C, P, Q)
  argmax: Int32Array, // (N, C, P, Q): index into x
  x: Float32Array, // (N, C, H, W)
  d: WindowDims,
): void {
  const { N, C, H, W, kH, kW, strideH, strideW, padH, padW, P, Q } = d;
  for (let plane = 0; plane < N * C; plane++) {
    const xPlane = plane * H * W;
    for (let p = 0; p < P; p++) {
      const h0 = Math.max(0, p * strideH - padH), h1 = Math.min(H, p * strideH - padH + kH);
      for (let q = 0; q < Q; q++) {
        const w0 = Math.max(0, q * strideW - padW), w1 = Math.min(W, q * strideW - padW + kW);
        let best = -Infinity;
        let where = xPlane + h0 * W + w0;
        scan: for (let h = h0; h < h1; h++) {
          for (let w = w0; w < w1; w++) {
            const v = x[xPlane + h * W + w]!;
            if (v > best) {
              best = v;
              where = xPlane + h * W + w;
            } else if (Number.isNaN(v)) {
              best = v; // a NaN wins outright, so the window needs no further look
              where = xPlane + h * W + w;
              break scan;
            }
          }
        }
        y[(plane * P + p) * Q + q] = best;
        argmax[(plane * P + p) * Q + q] = where;
      }
    }
  }
}

/** dx (N, C, H, W) += dy routed to where each maximum came from. Never allocates. */
export function maxPool2dBackward(
  dx: Float32Array, // (N, C, H, W)
  dy: Float32Array, // (N, C, P, Q)
  argmax: Int32Array, // (N, C, P, Q)
): void {
  // ∂y[p,q]/∂x[h,w] = 1 where (h,w) = argmax[p,q], else 0
  for (let i = 0; i < dy.length; i++) dx[argmax[i]!] += dy[i]!;
}

/**
 * Max pooling, like `F.max_pool2d`: x (N, C, H, W) → (N, C, P, Q), sizes as in {@link avgPool2d};
 * padding never wins, and the gradient goes to each window's (first) maximum. See docs/maxpool2d.md.
 * @throws TorchletError on a non-4-D input, a non-integer or non-positive size, padding over half the kernel, or a window larger than the padded input.
 * @example maxPool2d(x, 2) // [N,6,28,28] → [N,6,14,14]
 */
export function maxPool2d(x: Tensor, kernelSize: Size2, options: Pool2dOptions = {}): Tensor {
  checkArity("maxPool2d", arguments, ["input", "kernelSize", "options"]);
  expectTensor("maxPool2d", "input", x);
  const d = pool2dDims("maxPool2d", x.shape, kernelSize, options);
  const count = d.N * d.C * d.P * d.Q;
  const y = allocFloat32("maxPool2d", count);
  const argmax = new Int32Array(count);
  const backend = activeBackend(); // one backend for the forward and its backward
  kernel(maxPool2dForward, backend)(y, argmax, x.data, d);
  return record("maxPool2d", y, [d.N, d.C, d.P, d.Q], [x], (dy, [dx]) => {
    if (dx) kernel(maxPool2dBackward, backend)(dx, dy, argmax);
  });
}
