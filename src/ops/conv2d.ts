// conv2d — 2-D convolution (cross-correlation, as in PyTorch) as im2col + gemm.
//
// Legend: N batch, C in-channels, K out-channels, H×W input, kH×kW kernel,
//         P×Q output, R = C·kH·kW (one receptive field).
//
//   y[n,k,p,q] = b[k] + Σ_{c,u,v} w[k,c,u,v] · x[n, c, p·sH − pH + u, q·sW − pW + v]
//
// One image at a time (its columns stay in cache, and y[n] comes out of the
// gemm already in (K, P, Q) order):
// Forward:  cols (R, P·Q) = im2col(x[n])
//           y[n] (K, P·Q) = w (K, R) · cols  + b
// Backward (docs/conv2d.md derives it):
//           db[k]  += Σ_{p,q} dy[n,k,p,q]
//           dw     += dy[n] (K, P·Q) · colsᵀ      (cols recomputed from x[n])
//           dx[n]  += col2im(wᵀ · dy[n])
// Weight layout (K, C, kH, kW) and output size are PyTorch's, so weights move
// between the two unchanged. conv2dNaive is the direct six-loop definition.

import { TorchletError, allocFloat32, checkShape, formatShape, checkArity, checkOptionKeys } from "../errors.js";
import { Tensor, expectTensor, record } from "../tensor/tensor.js";
import { gemm } from "./gemm.js";
import { im2col, col2im } from "./im2col.js";
import { windowDims, type Size2, type WindowDims } from "./window.js";
import { activeBackend, kernel } from "../backend/dispatch.js";

/** Geometry of one conv2d: the sliding window plus K, the number of output channels. */
export interface Conv2dDims extends WindowDims {
  /** Output channels (filters). */
  K: number;
}

/** Floats of the `cols` scratch conv2d needs: one image's receptive fields, (C·kH·kW, P·Q). */
export function conv2dColsLength(d: Conv2dDims): number {
  return d.C * d.kH * d.kW * d.P * d.Q;
}

/**
 * y (N, K, P, Q) = conv(x, w) + b. Overwrites y. Never allocates.
 * @param b (K), or null for no bias.
 * @param cols scratch of {@link conv2dColsLength} floats.
 */
export function conv2dForward(
  y: Float32Array, // (N, K, P, Q)
  x: Float32Array, // (N, C, H, W)
  w: Float32Array, // (K, C, kH, kW) = (K, R)
  b: Float32Array | null, // (K)
  d: Conv2dDims,
  cols: Float32Array, // (R, P·Q) scratch
): void {
  const { N, C, H, W, K, kH, kW, P, Q } = d;
  const R = C * kH * kW, PQ = P * Q;
  const image = { ...d, N: 1 };
  for (let n = 0; n < N; n++) {
    const yn = y.subarray(n * K * PQ, (n + 1) * K * PQ); // (K, P·Q)
    im2col(cols, x.subarray(n * C * H * W, (n + 1) * C * H * W), image);
    gemm(yn, w, cols, { M: K, N: PQ, K: R, transA: false, transB: false, accumulate: false });
    if (b !== null) {
      for (let k = 0; k < K; k++) {
        for (let i = k * PQ; i < (k + 1) * PQ; i++) yn[i] += b[k]!;
      }
    }
  }
}

/**
 * Accumulates the conv2d gradients: dx += ∂L/∂x, dw += ∂L/∂w, db += ∂L/∂b.
 * Pass null for a gradient that is not needed (its work is skipped). Never allocates.
 * @param cols scratch of {@link conv2dColsLength} floats.
 * @param dcols scratch of {@link conv2dColsLength} floats (unused when dx is null).
 */
export function conv2dBackward(
  dx: Float32Array | null, // (N, C, H, W)
  dw: Float32Array | null, // (K, R)
  db: Float32Array | null, // (K)
  dy: Float32Array, // (N, K, P, Q)
  x: Float32Array, // (N, C, H, W)
  w: Float32Array, // (K, R)
  d: Conv2dDims,
  cols: Float32Array, // (R, P·Q) scratch
  dcols: Float32Array, // (R, P·Q) scratch
): void {
  const { N, C, H, W, K, kH, kW, P, Q } = d;
  const R = C * kH * kW, PQ = P * Q, CHW = C * H * W;
  const image = { ...d, N: 1 };
  for (let n = 0; n < N; n++) {
    const dyn = dy.subarray(n * K * PQ, (n + 1) * K * PQ); // (K, P·Q)
    if (db !== null) {
      // ∂y[n,k,p,q]/∂b[k] = 1
      for (let k = 0; k < K; k++) {
        let sum = 0;
        for (let i = k * PQ; i < (k + 1) * PQ; i++) sum += dyn[i]!;
        db[k] += sum;
      }
    }
    if (dw !== null) {
      // ∂y[n,k,·]/∂w[k,r] = cols[r,·]: dw (K, R) += dy[n] (K, P·Q) · colsᵀ (P·Q, R)
      im2col(cols, x.subarray(n * CHW, (n + 1) * CHW), image);
      gemm(dw, dyn, cols, { M: K, N: R, K: PQ, transA: false, transB: true, accumulate: true });
    }
    if (dx !== null) {
      // ∂y[n,k,·]/∂cols[r,·] = w[k,r]: dcols (R, P·Q) = wᵀ (R, K) · dy[n], then back to pixels
      gemm(dcols, w, dyn, { M: R, N: PQ, K: K, transA: true, transB: false, accumulate: false });
      col2im(dx.subarray(n * CHW, (n + 1) * CHW), dcols, image);
    }
  }
}

/**
 * The definition, six nested loops summed in float64: the reference conv2dForward is tested against.
 * Never allocates.
 */
export function conv2dNaive(
  y: Float32Array, // (N, K, P, Q)
  x: Float32Array, // (N, C, H, W)
  w: Float32Array, // (K, C, kH, kW)
  b: Float32Array | null, // (K)
  d: Conv2dDims,
): void {
  const { N, C, H, W, K, kH, kW, strideH, strideW, padH, padW, P, Q } = d;
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < K; k++) {
      for (let p = 0; p < P; p++) {
        for (let q = 0; q < Q; q++) {
          let sum = b === null ? 0 : b[k]!;
          for (let c = 0; c < C; c++) {
            for (let u = 0; u < kH; u++) {
              const h = p * strideH - padH + u;
              if (h < 0 || h >= H) continue;
              for (let v = 0; v < kW; v++) {
                const col = q * strideW - padW + v;
                if (col < 0 || col >= W) continue;
                sum += w[((k * C + c) * kH + u) * kW + v]! * x[((n * C + c) * H + h) * W + col]!;
              }
            }
          }
          y[((n * K + k) * P + p) * Q + q] = sum;
        }
      }
    }
  }
}

/** Options of {@link conv2d}, as in `torch.nn.functional.conv2d`. */
export interface Conv2dOptions {
  /** Step between windows, one number or [height, width]. Default 1. */
  stride?: Size2;
  /** Zero padding on each side, one number or [height, width]. Default 0. */
  padding?: Size2;
}

/** The keys of {@link Conv2dOptions}. */
export const CONV2D_OPTIONS: readonly string[] = ["stride", "padding"];

/** conv2d options PyTorch has and torchlet does not implement yet. */
export const CONV2D_OPTIONS_NOT_YET: readonly string[] = ["dilation", "groups"];

/**
 * Validates conv2d's arguments and returns its geometry.
 * @throws TorchletError naming the mismatched shapes or bad options.
 */
export function conv2dDims(xShape: readonly number[], wShape: readonly number[], bShape: readonly number[] | null, options: Conv2dOptions = {}): Conv2dDims {
  const shapes = `(input ${formatShape(xShape)}, weight ${formatShape(wShape)})`;
  if (wShape.length !== 4) {
    throw new TorchletError("conv2d", "SHAPE_MISMATCH", `weight must be 4-D (K, C, kH, kW), got shape ${formatShape(wShape)}`);
  }
  if (xShape.length !== 4) {
    throw new TorchletError("conv2d", "SHAPE_MISMATCH", `input must be 4-D (N, C, H, W), got shape ${formatShape(xShape)}`);
  }
  const [K, Cw, kH, kW] = wShape as [number, number, number, number];
  if (xShape[1] !== Cw) {
    throw new TorchletError("conv2d", "SHAPE_MISMATCH", `input has ${xShape[1]} channels but weight expects ${Cw} ${shapes}`);
  }
  if (K < 1 || Cw < 1 || kH < 1 || kW < 1) {
    throw new TorchletError("conv2d", "SHAPE_MISMATCH", `weight dimensions must all be ≥ 1, got ${formatShape(wShape)}`);
  }
  if (bShape !== null && (bShape.length !== 1 || bShape[0] !== K)) {
    throw new TorchletError("conv2d", "SHAPE_MISMATCH", `bias must have shape [${K}] (one per output channel), got ${formatShape(bShape)}`);
  }
  const window = windowDims("conv2d", xShape, { kernelSize: [kH, kW], stride: options.stride ?? 1, padding: options.padding ?? 0 });
  // Named refusals before anything is allocated: huge padding makes both the output and the im2col scratch explode.
  checkShape("conv2d", [window.N, K, window.P, window.Q], "output shape");
  checkShape("conv2d", [Cw * kH * kW, window.P * window.Q], "im2col columns");
  return { ...window, K };
}

/**
 * 2-D convolution with PyTorch's semantics: x (N, C, H, W), w (K, C, kH, kW), b (K) → (N, K, P, Q).
 * @throws TorchletError on mismatched channels, bad stride/padding, or a kernel larger than the padded input.
 * @example conv2d(x, w, b, { padding: 2 }) // LeNet's first layer: [N,1,28,28] → [N,6,28,28]
 */
export function conv2d(x: Tensor, w: Tensor, b: Tensor | null = null, options: Conv2dOptions = {}): Tensor {
  checkArity("conv2d", arguments, ["input", "weight", "bias", "options"]);
  expectTensor("conv2d", "input", x);
  expectTensor("conv2d", "weight", w);
  if (b !== null) expectTensor("conv2d", "bias", b);
  checkOptionKeys("conv2d", options, CONV2D_OPTIONS, CONV2D_OPTIONS_NOT_YET);
  const d = conv2dDims(x.shape, w.shape, b?.shape ?? null, options);
  const { N, K, P, Q } = d;
  const backend = activeBackend(); // one backend for the forward and its backward
  const y = allocFloat32("conv2d", N * K * P * Q);
  kernel(conv2dForward, backend)(y, x.data, w.data, b?.data ?? null, d, allocFloat32("conv2d", conv2dColsLength(d)));
  const inputs = b === null ? [x, w] : [x, w, b];
  return record("conv2d", y, [N, K, P, Q], inputs, (dy, [dx, dw, db]) => {
    const scratch = () => allocFloat32("conv2d backward", conv2dColsLength(d));
    kernel(conv2dBackward, backend)(dx ?? null, dw ?? null, db ?? null, dy, x.data, w.data, d, scratch(), scratch());
  });
}
