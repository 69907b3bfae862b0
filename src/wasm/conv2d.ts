// conv2d in WebAssembly: the same algorithm as src/ops/conv2d.ts, image by
// image (im2col of one image, then one gemm), over the batch share
// [d.start, d.end) so threads can split a batch. Legend: N batch,
// C in-channels, K out-channels, H×W input, kH×kW kernel, P×Q output, R = C·kH·kW,
// G groups, Kg = K/G filters and Rg = R/G rows of cols per group (one gemm per group).

import { WindowDims } from "./window";
import { im2colImages, col2imImages } from "./im2col";
import { gemm, gemmInline, gemmSlot } from "./gemm";

/** Conv2dDims of src/ops/conv2d.ts: the window (with this thread's share and workspace), then K and the groups. */
@unmanaged
export class Conv2dDims extends WindowDims {
  /** Output channels (filters). */
  K: i32;
  /** Groups G (1: every filter sees every channel). */
  groups: i32;
}

// y[n][g] (Kg, P·Q) = w[g] (Kg, Rg) · im2col(x[n])[g] (Rg, P·Q) + b, for n in [d.start, d.end). cols: scratch (R, P·Q).
export function conv2dForward(y: usize, x: usize, w: usize, b: usize, d: Conv2dDims, cols: usize): void {
  const K = d.K, PQ = d.P * d.Q, CHW = d.C * d.H * d.W, G = d.groups;
  const Kg = K / G, Rg = (d.C / G) * d.kH * d.kW;
  const s = gemmSlot(d.work, Kg, PQ, Rg); // every group's y[n][g] (Kg, PQ) = w[g] (Kg, Rg) · cols[g] (Rg, PQ)
  for (let n = d.start; n < d.end; n++) {
    const yn = y + <usize>(n * K * PQ) * 4;
    im2colImages(cols, x + <usize>(n * CHW) * 4, d, 1);
    for (let g = 0; g < G; g++) gemmInline(yn + <usize>(g * Kg * PQ) * 4, w + <usize>(g * Kg * Rg) * 4, cols + <usize>(g * Rg * PQ) * 4, s);
    if (b != 0) {
      for (let k = 0; k < K; k++) addScalar(yn + <usize>(k * PQ) * 4, PQ, load<f32>(b + <usize>k * 4));
    }
  }
}

// dx[n] += col2im(wᵀ · dy[n]); dw += dy[n] · im2col(x[n])ᵀ; db += Σ dy[n], for n in [d.start, d.end), group by group.
// dx, dw, db may be 0 to skip. cols, dcols: scratch (R, P·Q).
export function conv2dBackward(dx: usize, dw: usize, db: usize, dy: usize, x: usize, w: usize, d: Conv2dDims, cols: usize, dcols: usize): void {
  const K = d.K, PQ = d.P * d.Q, CHW = d.C * d.H * d.W, G = d.groups;
  const Kg = K / G, Rg = (d.C / G) * d.kH * d.kW;
  for (let n = d.start; n < d.end; n++) {
    const dyn = dy + <usize>(n * K * PQ) * 4;
    if (db != 0) {
      for (let k = 0; k < K; k++) {
        const at = db + <usize>k * 4;
        store<f32>(at, load<f32>(at) + sum(dyn + <usize>(k * PQ) * 4, PQ));
      }
    }
    if (dw != 0) im2colImages(cols, x + <usize>(n * CHW) * 4, d, 1);
    for (let g = 0; g < G; g++) {
      const dyg = dyn + <usize>(g * Kg * PQ) * 4, wg = <usize>(g * Kg * Rg) * 4, colsg = <usize>(g * Rg * PQ) * 4; // dy[n][g]; byte offsets of w[g], cols[g]
      if (dw != 0) {
        // dw[g] (Kg, Rg) += dy[n][g] (Kg, PQ) · cols[g]ᵀ (PQ, Rg)
        const s = gemmSlot(d.work, Kg, Rg, PQ);
        s.transB = 1;
        s.accumulate = 1;
        gemm(dw + wg, dyg, cols + colsg, s);
      }
      if (dx != 0) {
        // dcols[g] (Rg, PQ) = w[g]ᵀ (Rg, Kg) · dy[n][g] (Kg, PQ)
        const s = gemmSlot(d.work, Rg, PQ, Kg);
        s.transA = 1;
        gemm(dcols + colsg, w + wg, dyg, s);
      }
    }
    if (dx != 0) col2imImages(dx + <usize>(n * CHW) * 4, dcols, d, 1);
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
