// conv2d in WebAssembly: the same algorithm as src/ops/conv2d.ts, image by
// image (im2col of one image, then one gemm), over the batch range [n0, n1)
// so threads can split a batch. Legend: N batch, C in-channels, K out-channels,
// H×W input, kH×kW kernel, P×Q output, R = C·kH·kW.

import { im2col, col2im } from "./im2col";
import { gemm } from "./gemm";

// y[n] (K, P·Q) = w (K, R) · im2col(x[n]) (R, P·Q) + b, for n in [n0, n1). cols: scratch (R, P·Q).
export function conv2dForward(
  y: usize, x: usize, w: usize, b: usize,
  N: i32, C: i32, H: i32, W: i32, K: i32, kH: i32, kW: i32,
  strideH: i32, strideW: i32, padH: i32, padW: i32, P: i32, Q: i32,
  n0: i32, n1: i32, cols: usize, work: usize,
): void {
  const R = C * kH * kW, PQ = P * Q;
  for (let n = n0; n < n1; n++) {
    const xn = x + <usize>(n * C * H * W) * 4;
    const yn = y + <usize>(n * K * PQ) * 4;
    im2col(cols, xn, 1, C, H, W, kH, kW, strideH, strideW, padH, padW, P, Q);
    gemm(yn, PQ, w, R, 1, cols, PQ, 1, K, PQ, R, false, work);
    if (b != 0) {
      for (let k = 0; k < K; k++) addScalar(yn + <usize>(k * PQ) * 4, PQ, load<f32>(b + <usize>k * 4));
    }
  }
}

// dx[n] += col2im(wᵀ · dy[n]); dw += dy[n] · im2col(x[n])ᵀ; db += Σ dy[n], for n in [n0, n1).
// dx, dw, db may be 0 to skip. cols, dcols: scratch (R, P·Q).
export function conv2dBackward(
  dx: usize, dw: usize, db: usize, dy: usize, x: usize, w: usize,
  N: i32, C: i32, H: i32, W: i32, K: i32, kH: i32, kW: i32,
  strideH: i32, strideW: i32, padH: i32, padW: i32, P: i32, Q: i32,
  n0: i32, n1: i32, cols: usize, dcols: usize, work: usize,
): void {
  const R = C * kH * kW, PQ = P * Q;
  for (let n = n0; n < n1; n++) {
    const dyn = dy + <usize>(n * K * PQ) * 4;
    if (db != 0) {
      for (let k = 0; k < K; k++) {
        const at = db + <usize>k * 4;
        store<f32>(at, load<f32>(at) + sum(dyn + <usize>(k * PQ) * 4, PQ));
      }
    }
    if (dw != 0) {
      im2col(cols, x + <usize>(n * C * H * W) * 4, 1, C, H, W, kH, kW, strideH, strideW, padH, padW, P, Q);
      // dw (K, R) += dy[n] (K, PQ) · colsᵀ (PQ, R)
      gemm(dw, R, dyn, PQ, 1, cols, 1, PQ, K, R, PQ, true, work);
    }
    if (dx != 0) {
      // dcols (R, PQ) = wᵀ (R, K) · dy[n] (K, PQ)
      gemm(dcols, PQ, w, 1, R, dyn, PQ, 1, R, PQ, K, false, work);
      col2im(dx + <usize>(n * C * H * W) * 4, dcols, 1, C, H, W, kH, kW, strideH, strideW, padH, padW, P, Q);
    }
  }
}

function addScalar(p: usize, count: i32, value: f32): void {
  const v = f32x4.splat(value);
  let i = 0;
  for (; i + 4 <= count; i += 4) v128.store(p + <usize>i * 4, f32x4.add(v128.load(p + <usize>i * 4), v));
  for (; i < count; i++) store<f32>(p + <usize>i * 4, load<f32>(p + <usize>i * 4) + value);
}

function sum(p: usize, count: i32): f32 {
  let acc = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= count; i += 4) acc = f32x4.add(acc, v128.load(p + <usize>i * 4));
  let total = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
  for (; i < count; i++) total += load<f32>(p + <usize>i * 4);
  return total;
}
