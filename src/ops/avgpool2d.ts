// avgPool2d — average over each kH×kW window, channel by channel.
//
// Legend: N batch, C channels, H×W input, kH×kW window, P×Q output.
//
//   y[n,c,p,q] = 1/D[p,q] · Σ_{u,v} x[n, c, p·sH − pH + u, q·sW − pW + v]
//
// Padding counts as zeros. The divisor D is PyTorch's: divisorOverride when
// given; else with countIncludePad (the default) the window's size clipped to
// the padded input (kH·kW except a ceil-mode window hanging past it); else the
// number of real pixels in the window. The op is linear, so its backward is its
// adjoint: every input pixel a window covered gets dy/D back from that window.
// Walk-through with a worked example: docs/avgpool2d.md

import { allocFloat32, checkArity } from "../errors.js";
import { Tensor, expectTensor, record } from "../tensor/tensor.js";
import { pool2dDims, pool2dOutputShape, type AvgPool2dOptions, type Pool2dDims, type Size2 } from "./window.js";
import { activeBackend, kernel } from "../backend/dispatch.js";

/**
 * y (N, C, P, Q) = window means of x (N, C, H, W). Overwrites y. Never allocates.
 * Its window walk is repeated in avgPool2dBackward and maxPool2dForward: each op's loop stays on one
 * screen, and a shared walker would cost a call per window (measured: one calling back per window ran
 * LeNet's pool1 two to four times slower).
 */
export function avgPool2dForward(
  y: Float32Array, // (N, C, P, Q)
  x: Float32Array, // (N, C, H, W)
  d: Pool2dDims,
): void {
  const { N, C, H, W, kH, kW, strideH, strideW, padH, padW, P, Q, countIncludePad, divisorOverride } = d;
  for (let plane = 0; plane < N * C; plane++) {
    const xPlane = plane * H * W; // x[n, c, 0, 0]
    for (let p = 0; p < P; p++) {
      const top = p * strideH - padH, h0 = Math.max(0, top), h1 = Math.min(H, top + kH);
      const rows = windowExtent(top, kH, H, padH, countIncludePad);
      const scale = 1 / (divisorOverride || rows * kW); // 1/D of this row's windows whole across: no division per window
      for (let q = 0; q < Q; q++) {
        const left = q * strideW - padW, w0 = Math.max(0, left), w1 = Math.min(W, left + kW);
        let sum = 0;
        for (let h = h0; h < h1; h++) {
          for (let w = w0; w < w1; w++) sum += x[xPlane + h * W + w]!;
        }
        const cols = divisorOverride ? kW : windowExtent(left, kW, W, padW, countIncludePad);
        y[(plane * P + p) * Q + q] = cols === kW ? sum * scale : sum / (rows * cols);
      }
    }
  }
}

/**
 * How many rows (or columns) of window [start, start + k) count towards PyTorch's divisor D: those inside
 * the padded input (countIncludePad: [−pad, size + pad)) or inside the input itself ([0, size)).
 * D is the product of the two, or divisorOverride when it is nonzero.
 */
export function windowExtent(start: number, k: number, size: number, pad: number, countIncludePad: number): number {
  const counted = countIncludePad ? pad : 0; // padding that counts as window
  return Math.min(size + counted, start + k) - Math.max(-counted, start);
}

/**
 * dx (N, C, H, W) += the adjoint of {@link avgPool2dForward} applied to dy. Never allocates.
 * The forward's window walk (also maxPool2dForward's), kept apart so each kernel reads on one screen.
 */
export function avgPool2dBackward(
  dx: Float32Array, // (N, C, H, W)
  dy: Float32Array, // (N, C, P, Q)
  d: Pool2dDims,
): void {
  const { N, C, H, W, kH, kW, strideH, strideW, padH, padW, P, Q, countIncludePad, divisorOverride } = d;
  for (let plane = 0; plane < N * C; plane++) {
    const xPlane = plane * H * W;
    for (let p = 0; p < P; p++) {
      const top = p * strideH - padH, h0 = Math.max(0, top), h1 = Math.min(H, top + kH);
      const rows = windowExtent(top, kH, H, padH, countIncludePad);
      const scale = 1 / (divisorOverride || rows * kW); // as in the forward
      for (let q = 0; q < Q; q++) {
        const left = q * strideW - padW, w0 = Math.max(0, left), w1 = Math.min(W, left + kW);
        const cols = divisorOverride ? kW : windowExtent(left, kW, W, padW, countIncludePad);
        // ∂y[p,q]/∂x[h,w] = 1/D[p,q] for every (h, w) in the window
        const g = cols === kW ? dy[(plane * P + p) * Q + q]! * scale : dy[(plane * P + p) * Q + q]! / (rows * cols);
        for (let h = h0; h < h1; h++) {
          for (let w = w0; w < w1; w++) dx[xPlane + h * W + w] += g;
        }
      }
    }
  }
}

/** The activations whose derivative is a function of their output alone, numbered in this order in the wasm dims. */
export const OUTPUT_ACTIVATIONS = ["sigmoid", "tanh"] as const;
/** Sigmoid (σ′ = σ(1 − σ)) or tanh (tanh′ = 1 − tanh²). */
export type OutputActivation = (typeof OUTPUT_ACTIVATIONS)[number];

/** avgPool2d's window, read by {@link avgPool2dActivationBackward} with the activation whose output it pools. */
export interface ActivationPool2dDims extends Pool2dDims {
  /** The activation before the pool. */
  activation: OutputActivation;
  /** true: dx += the gradient; false: dx = 0 + the gradient (so −0 turns +0), which is what adding into a zeroed dx gives: a Plan then need not clear it. */
  accumulate: boolean;
}

/**
 * dx (N, C, H, W) += ∂L/∂x for y = a(x) then avgPool2d(y), a = sigmoid or tanh: avgPool2dBackward and the
 * activation's backward in one pass, so the gradient between them is never stored (a Plan's fusion;
 * docs/avgpool2d.md). The windows must not overlap (stride ≥ kernel): a pixel then gets dy/D of its one
 * window, or 0 outside every window. Bit for bit the two kernels one after the other, the first into a
 * zeroed gradient: that float32 value (0 + dy/D, so −0 turns +0) times the activation's derivative.
 * With d.accumulate false, dx is set rather than added to, bit for bit adding into a zeroed dx: every
 * pixel of dx is written. Never allocates.
 */
export function avgPool2dActivationBackward(
  dx: Float32Array, // (N, C, H, W): ∂L/∂x, added to (or set: d.accumulate false)
  dy: Float32Array, // (N, C, P, Q): ∂L/∂(pool output)
  y: Float32Array, // (N, C, H, W): a(x), the pool's input
  d: ActivationPool2dDims,
): void {
  const { N, C, H, W, kH, kW, strideH, strideW, padH, padW, P, Q, countIncludePad, divisorOverride } = d;
  const through = { sigmoid: d.activation === "sigmoid", accumulate: d.accumulate };
  for (let plane = 0; plane < N * C; plane++) {
    for (let h = 0; h < H; h++) {
      const row = (plane * H + h) * W; // x[n, c, h, 0]
      const p = Math.floor((h + padH) / strideH), top = p * strideH - padH; // the one window row that can hold h
      let w = 0; // pixels before w are done
      if (p < P && h < top + kH) {
        const rows = windowExtent(top, kH, H, padH, countIncludePad);
        const scale = 1 / (divisorOverride || rows * kW); // as in avgPool2dBackward
        for (let q = 0; q < Q; q++) {
          const left = q * strideW - padW, w0 = Math.max(0, left), w1 = Math.min(W, left + kW);
          const cols = divisorOverride ? kW : windowExtent(left, kW, W, padW, countIncludePad), v = dy[(plane * P + p) * Q + q]!;
          addThrough(dx, y, row + w, row + w0, 0, through); // between windows: no pool gradient
          addThrough(dx, y, row + w0, row + w1, Math.fround(0 + (cols === kW ? v * scale : v / (rows * cols))), through);
          w = w1;
        }
      }
      addThrough(dx, y, row + w, row + W, 0, through); // past the last window, or a row in no window
    }
  }
}

// dx[i] += g·a′(y[i]) for i in [i0, i1) (dx[i] = 0 + g·a′(y[i]) without accumulate): dσ/dx = σ(1−σ),
// d tanh/dx = 1 − tanh², the products of sigmoidBackward and tanhBackward in their order. g is the pool's
// gradient there as float32 (0 outside every window).
function addThrough(dx: Float32Array, y: Float32Array, i0: number, i1: number, g: number, how: { sigmoid: boolean; accumulate: boolean }): void {
  for (let i = i0; i < i1; i++) {
    const product = how.sigmoid ? g * y[i]! * (1 - y[i]!) : g * (1 - y[i]! * y[i]!);
    dx[i] = (how.accumulate ? dx[i]! : 0) + product;
  }
}

/**
 * Average pooling, like `F.avg_pool2d`: x (N, C, H, W) or unbatched (C, H, W) → (N, C, P, Q) or (C, P, Q),
 * P = ⌊(H + 2·padding − kH) / stride⌋ + 1 (rounded up with ceilMode; Q likewise); stride defaults to the
 * kernel size; countIncludePad (default true) and divisorOverride choose the divisor. See docs/avgpool2d.md.
 * @throws TorchletError on an input that is not 3-D or 4-D, a non-integer or non-positive size, padding over half the kernel, a zero divisorOverride, an unknown option, or a window larger than the padded input.
 * @example avgPool2d(x, 2) // LeNet: [N,6,28,28] → [N,6,14,14]
 */
export function avgPool2d(x: Tensor, kernelSize: Size2, options: AvgPool2dOptions = {}): Tensor {
  checkArity("avgPool2d", arguments, ["input", "kernelSize", "options"]);
  expectTensor("avgPool2d", "input", x);
  const d = pool2dDims("avgPool2d", x.shape, kernelSize, options);
  const backend = activeBackend(); // one backend for the forward and its backward
  const y = allocFloat32("avgPool2d", d.N * d.C * d.P * d.Q);
  kernel(avgPool2dForward, backend)(y, x.data, d);
  return record("avgPool2d", y, pool2dOutputShape(x.shape, d), [x], (dy, [dx]) => {
    if (dx) kernel(avgPool2dBackward, backend)(dx, dy, d);
  });
}
