// avgPool2d — average over each kH×kW window, channel by channel.
//
// Legend: N batch, C channels, H×W input, kH×kW window, P×Q output.
//
//   y[n,c,p,q] = 1/(kH·kW) · Σ_{u,v} x[n, c, p·sH − pH + u, q·sW − pW + v]
//
// Padding counts as zeros and the divisor is always kH·kW: PyTorch's default
// count_include_pad=True. The op is linear, so its backward is its adjoint:
// every input pixel a window covered gets dy/(kH·kW) back from that window.
// Walk-through with a worked example: docs/avgpool2d.md

import { allocFloat32, checkArity } from "../errors.js";
import { Tensor, expectTensor, record } from "../tensor/tensor.js";
import { pool2dDims, type Pool2dOptions, type Size2, type WindowDims } from "./window.js";
import { activeBackend, kernel } from "../backend/dispatch.js";

/**
 * y (N, C, P, Q) = window means of x (N, C, H, W). Overwrites y. Never allocates.
 * Its window walk is repeated in avgPool2dBackward and maxPool2dForward: each op's loop stays on one
 * screen, and a shared walker would cost a call per window.
 */
export function avgPool2dForward(
  y: Float32Array, // (N, C, P, Q)
  x: Float32Array, // (N, C, H, W)
  d: WindowDims,
): void {
  const { N, C, H, W, kH, kW, strideH, strideW, padH, padW, P, Q } = d;
  const scale = 1 / (kH * kW);
  for (let plane = 0; plane < N * C; plane++) {
    const xPlane = plane * H * W; // x[n, c, 0, 0]
    for (let p = 0; p < P; p++) {
      const h0 = Math.max(0, p * strideH - padH), h1 = Math.min(H, p * strideH - padH + kH);
      for (let q = 0; q < Q; q++) {
        const w0 = Math.max(0, q * strideW - padW), w1 = Math.min(W, q * strideW - padW + kW);
        let sum = 0;
        for (let h = h0; h < h1; h++) {
          for (let w = w0; w < w1; w++) sum += x[xPlane + h * W + w]!;
        }
        y[(plane * P + p) * Q + q] = sum * scale;
      }
    }
  }
}

/**
 * dx (N, C, H, W) += the adjoint of {@link avgPool2dForward} applied to dy. Never allocates.
 * The forward's window walk (also maxPool2dForward's), kept apart so each kernel reads on one screen.
 */
export function avgPool2dBackward(
  dx: Float32Array, // (N, C, H, W)
  dy: Float32Array, // (N, C, P, Q)
  d: WindowDims,
): void {
  const { N, C, H, W, kH, kW, strideH, strideW, padH, padW, P, Q } = d;
  const scale = 1 / (kH * kW);
  for (let plane = 0; plane < N * C; plane++) {
    const xPlane = plane * H * W;
    for (let p = 0; p < P; p++) {
      const h0 = Math.max(0, p * strideH - padH), h1 = Math.min(H, p * strideH - padH + kH);
      for (let q = 0; q < Q; q++) {
        const w0 = Math.max(0, q * strideW - padW), w1 = Math.min(W, q * strideW - padW + kW);
        // ∂y[p,q]/∂x[h,w] = 1/(kH·kW) for every (h, w) in the window
        const g = dy[(plane * P + p) * Q + q]! * scale;
        for (let h = h0; h < h1; h++) {
          for (let w = w0; w < w1; w++) dx[xPlane + h * W + w] += g;
        }
      }
    }
  }
}

/**
 * Average pooling, like `F.avg_pool2d` (count_include_pad): x (N, C, H, W) → (N, C, P, Q),
 * P = ⌊(H + 2·padding − kH) / stride⌋ + 1 (Q likewise); stride defaults to the kernel size. See docs/avgpool2d.md.
 * @throws TorchletError on a non-4-D input, a non-integer or non-positive size, padding over half the kernel, or a window larger than the padded input.
 * @example avgPool2d(x, 2) // LeNet: [N,6,28,28] → [N,6,14,14]
 */
export function avgPool2d(x: Tensor, kernelSize: Size2, options: Pool2dOptions = {}): Tensor {
  checkArity("avgPool2d", arguments, ["input", "kernelSize", "options"]);
  expectTensor("avgPool2d", "input", x);
  const d = pool2dDims("avgPool2d", x.shape, kernelSize, options);
  const backend = activeBackend(); // one backend for the forward and its backward
  const y = allocFloat32("avgPool2d", d.N * d.C * d.P * d.Q);
  kernel(avgPool2dForward, backend)(y, x.data, d);
  return record("avgPool2d", y, [d.N, d.C, d.P, d.Q], [x], (dy, [dx]) => {
    if (dx) kernel(avgPool2dBackward, backend)(dx, dy, d);
  });
}
