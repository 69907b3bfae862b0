// conv2d — 2-D convolution (cross-correlation, as in PyTorch) as im2col + gemm.
//
// Legend: N batch, C in-channels, K out-channels, H×W input, kH×kW kernel,
//         P×Q output, R = C·kH·kW (one receptive field), L = N·P·Q (all output positions).
//
//   y[n,k,p,q] = b[k] + Σ_{c,u,v} w[k,c,u,v] · x[n, c, p·sH − pH + u, q·sW − pW + v]
//
// Forward:  cols (R, L) = im2col(x)
//           yKL (K, L)  = w (K, R) · cols
//           y (N, K, P, Q) = yKL with K and N swapped, + b[k]
// Backward (docs/conv2d.md derives it):
//           dyKL (K, L) = dy with N and K swapped
//           db[k]      += Σ_l dyKL[k, l]
//           dw (K, R)  += dyKL · colsᵀ
//           dx         += col2im(wᵀ · dyKL)
// Weight layout (K, C, kH, kW) and output size are PyTorch's, so weights move
// between the two unchanged. conv2dNaive is the direct six-loop definition.

import { TorchletError, allocFloat32, formatShape } from "../errors.js";
import { Tensor, expectTensor, record } from "../tensor/tensor.js";
import { gemm } from "./gemm.js";
import { im2col, col2im } from "./im2col.js";
import { windowDims, type Size2, type WindowDims } from "./window.js";

/** Geometry of one conv2d: the sliding window plus K, the number of output channels. */
export interface Conv2dDims extends WindowDims {
  /** Output channels (filters). */
  K: number;
}

/**
 * y (N, K, P, Q) = conv(x, w) + b. Never allocates.
 * @param cols receives im2col(x), (C·kH·kW, N·P·Q): keep it for {@link conv2dBackward}.
 * @param yKL scratch, (K, N·P·Q).
 * @param b (K), or null for no bias.
 */
export function conv2dForward(
  y: Float32Array, // (N, K, P, Q)
  cols: Float32Array, // (R, L)
  yKL: Float32Array, // (K, L)
  x: Float32Array, // (N, C, H, W)
  w: Float32Array, // (K, C, kH, kW) = (K, R)
  b: Float32Array | null, // (K)
  d: Conv2dDims,
): void {
  const { N, C, K, kH, kW, P, Q } = d;
  const R = C * kH * kW, PQ = P * Q, L = N * PQ;
  im2col(cols, x, d);
  gemm(yKL, w, cols, { M: K, N: L, K: R, transA: false, transB: false, accumulate: false });
  for (let k = 0; k < K; k++) {
    const bias = b === null ? 0 : b[k]!;
    for (let n = 0; n < N; n++) {
      const from = k * L + n * PQ; // yKL[k, (n, 0, 0)]
      const to = (n * K + k) * PQ; // y[n, k, 0, 0]
      for (let i = 0; i < PQ; i++) y[to + i] = yKL[from + i]! + bias;
    }
  }
}

/**
 * Accumulates the conv2d gradients: dx += ∂L/∂x, dw += ∂L/∂w, db += ∂L/∂b.
 * Pass null for a gradient that is not needed (its work is skipped). Never allocates.
 * @param cols im2col(x) as left by {@link conv2dForward}.
 * @param dyKL scratch, (K, N·P·Q).
 * @param dcols scratch, (C·kH·kW, N·P·Q); may be null when dx is.
 */
export function conv2dBackward(
  dx: Float32Array | null, // (N, C, H, W)
  dw: Float32Array | null, // (K, R)
  db: Float32Array | null, // (K)
  dy: Float32Array, // (N, K, P, Q)
  cols: Float32Array, // (R, L)
  w: Float32Array, // (K, R)
  d: Conv2dDims,
  dyKL: Float32Array, // (K, L)
  dcols: Float32Array | null, // (R, L)
): void {
  const { N, C, K, kH, kW, P, Q } = d;
  const R = C * kH * kW, PQ = P * Q, L = N * PQ;
  for (let k = 0; k < K; k++) {
    for (let n = 0; n < N; n++) {
      const from = (n * K + k) * PQ;
      const to = k * L + n * PQ;
      for (let i = 0; i < PQ; i++) dyKL[to + i] = dy[from + i]!;
    }
  }
  if (db !== null) {
    // ∂y[n,k,p,q]/∂b[k] = 1: db[k] sums dy over every position of channel k
    for (let k = 0; k < K; k++) {
      let sum = 0;
      for (let l = k * L; l < (k + 1) * L; l++) sum += dyKL[l]!;
      db[k] += sum;
    }
  }
  // ∂y/∂w[k, r] = cols[r, l]: dw (K, R) += dyKL (K, L) · colsᵀ (L, R)
  if (dw !== null) gemm(dw, dyKL, cols, { M: K, N: R, K: L, transA: false, transB: true, accumulate: true });
  if (dx !== null) {
    if (dcols === null) throw new TorchletError("conv2dBackward", "INVALID_ARGUMENT", "dcols scratch is required when dx is requested");
    // ∂y/∂cols[r, l] = w[k, r]: dcols (R, L) = wᵀ (R, K) · dyKL (K, L), then back to pixels
    gemm(dcols, w, dyKL, { M: R, N: L, K: K, transA: true, transB: false, accumulate: false });
    col2im(dx, dcols, d);
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
  return { ...window, K };
}

/**
 * 2-D convolution with PyTorch's semantics: x (N, C, H, W), w (K, C, kH, kW), b (K) → (N, K, P, Q).
 * @throws TorchletError on mismatched channels, bad stride/padding, or a kernel larger than the padded input.
 * @example conv2d(x, w, b, { padding: 2 }) // LeNet's first layer: [N,1,28,28] → [N,6,28,28]
 */
export function conv2d(x: Tensor, w: Tensor, b: Tensor | null = null, options: Conv2dOptions = {}): Tensor {
  expectTensor("conv2d", "input", x);
  expectTensor("conv2d", "weight", w);
  if (b !== null) expectTensor("conv2d", "bias", b);
  const d = conv2dDims(x.shape, w.shape, b?.shape ?? null, options);
  const { N, C, K, kH, kW, P, Q } = d;
  const R = C * kH * kW, L = N * P * Q;
  const y = allocFloat32("conv2d", N * K * P * Q);
  const cols = allocFloat32("conv2d", R * L);
  conv2dForward(y, cols, allocFloat32("conv2d", K * L), x.data, w.data, b?.data ?? null, d);
  const inputs = b === null ? [x, w] : [x, w, b];
  return record("conv2d", y, [N, K, P, Q], inputs, (dy, [dx, dw, db]) => {
    const dcols = dx ? allocFloat32("conv2d backward", R * L) : null;
    conv2dBackward(dx ?? null, dw ?? null, db ?? null, dy, cols, w.data, d, allocFloat32("conv2d backward", K * L), dcols);
  });
}
