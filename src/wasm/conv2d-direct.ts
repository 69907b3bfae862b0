// conv2d without im2col, for few input channels per group (LeNet's C1: one channel, a 5×5
// window, six filters). im2col writes C·kH·kW floats per output pixel and gemm reads them back
// once: with only 25 multiply-adds per pixel and filter, that traffic costs more than the
// arithmetic. Here each image is copied once into a zero-padded plane and every output row is
// computed TILE pixels at a time (four f32x4 sums, independent so their adds overlap) straight
// from it. src/backend/wasm-gemm.ts decides which path a call takes (docs/conv2d.md).
// Legend as src/wasm/conv2d.ts; Cg = C/G channels and Kg = K/G filters per group.
// Padded plane of one image (C, Hp, Wp): Hp = (P−1)·sH + (kH−1)·dH + 1 rows and
// Wp = ⌈Q/TILE⌉·TILE + (kW−1)·dW columns, so the last tile of a row reads inside the plane (its
// lanes past Q are computed and not stored); then the tap offsets, Cg·kH·kW i32.
// Only for a unit column stride (sW = 1), where 4 neighbouring outputs read 4 neighbouring inputs:
// one vector load. Gathering strided columns lane by lane made it slower than im2col + gemm.

import { Conv2dDims } from "./conv2d";
import { mad } from "./simd";

// Output pixels per step: four vectors of four lanes.
const TILE = 16;

/** Floats of the scratch `xp` each thread passes to conv2dDirectForward: the padded plane of one image, then the tap offsets. */
export function conv2dDirectScratchFloats(d: Conv2dDims): f64 {
  return <f64>d.C * <f64>paddedRows(d) * <f64>paddedColumns(d) + <f64>((d.C / d.groups) * d.kH * d.kW);
}

// y[n][k] (P, Q) = Σ_(c,i,j) w[k, c, i, j] · xpadded[n][g·Cg + c, p·sH + i·dH, q + j·dW] + b[k], g = ⌊k/Kg⌋,
// for n in [d.start, d.end). xp: scratch (C, Hp, Wp), then Cg·kH·kW i32 (conv2dDirectScratchFloats).
export function conv2dDirectForward(y: usize, x: usize, w: usize, b: usize, d: Conv2dDims, xp: usize): void {
  const CHW = d.C * d.H * d.W, KPQ = d.K * d.P * d.Q;
  for (let n = d.start; n < d.end; n++) {
    padImage(xp, x + <usize>(n * CHW) * 4, d);
    directImage(y + <usize>(n * KPQ) * 4, xp, w, b, d);
  }
}

// @ts-ignore: decorator
@inline function directImage(yn: usize, xp: usize, w: usize, b: usize, d: Conv2dDims): void {
  const K = d.K, P = d.P, Q = d.Q, PQ = P * Q, kH = d.kH, kW = d.kW, Cg = d.C / d.groups, Kg = K / d.groups, R = Cg * kH * kW;
  const Wp = paddedColumns(d), planeBytes = <usize>(paddedRows(d) * Wp) * 4;
  const tapRowBytes = <usize>(d.dilationH * Wp) * 4, tapBytes = <usize>d.dilationW * 4;
  // The byte offset of every tap (c, i, j) from a window's top-left pixel, in w's order: one flat loop over taps.
  const taps = xp + <usize>d.C * planeBytes;
  for (let c = 0, t = 0; c < Cg; c++) {
    for (let i = 0; i < kH; i++) {
      for (let j = 0; j < kW; j++, t++) store<i32>(taps + <usize>t * 4, <i32>(<usize>c * planeBytes + <usize>i * tapRowBytes + <usize>j * tapBytes));
    }
  }
  // Two filters of one group at a time share every pixel load; a group's odd filter out is paired with itself.
  for (let k = 0; k < K; ) {
    const k2 = k + 1 < K && (k + 1) / Kg == k / Kg ? k + 1 : k;
    const w1 = w + <usize>(k * R) * 4, w2 = w + <usize>(k2 * R) * 4; // w[k], w[k2] (Cg, kH, kW)
    const bias1 = f32x4.splat(b == 0 ? 0 : load<f32>(b + <usize>k * 4)), bias2 = f32x4.splat(b == 0 ? 0 : load<f32>(b + <usize>k2 * 4));
    const planes = xp + <usize>(k / Kg) * <usize>Cg * planeBytes; // the padded channels of the pair's group
    for (let p = 0; p < P; p++) {
      const top = planes + <usize>(p * d.strideH * Wp) * 4; // the first input row of output row p
      for (let q = 0; q < Q; q += TILE) {
        let a0 = bias1, a1 = bias1, a2 = bias1, a3 = bias1, c0 = bias2, c1 = bias2, c2 = bias2, c3 = bias2;
        const left = top + <usize>q * 4;
        for (let t = 0; t < R; t++) {
          const at = left + <usize>load<i32>(taps + <usize>t * 4);
          const x0 = v128.load(at), x1 = v128.load(at + 16), x2 = v128.load(at + 32), x3 = v128.load(at + 48); // 16 neighbouring pixels' inputs
          const v1 = v128.load32_splat(w1 + <usize>t * 4), v2 = v128.load32_splat(w2 + <usize>t * 4);
          a0 = mad(x0, v1, a0); a1 = mad(x1, v1, a1); a2 = mad(x2, v1, a2); a3 = mad(x3, v1, a3);
          c0 = mad(x0, v2, c0); c1 = mad(x1, v2, c1); c2 = mad(x2, v2, c2); c3 = mad(x3, v2, c3);
        }
        const count = Q - q; // outputs of this tile that exist
        storeTile(yn + <usize>(k * PQ + p * Q + q) * 4, a0, a1, a2, a3, count);
        if (k2 != k) storeTile(yn + <usize>(k2 * PQ + p * Q + q) * 4, c0, c1, c2, c3, count);
      }
    }
    k = k2 + 1;
  }
}

// The first min(count, TILE) of a tile's sixteen outputs to `at`.
// @ts-ignore: decorator
@inline function storeTile(at: usize, a0: v128, a1: v128, a2: v128, a3: v128, count: i32): void {
  storeLanes(at, a0, count);
  storeLanes(at + 16, a1, count - 4);
  storeLanes(at + 32, a2, count - 8);
  storeLanes(at + 48, a3, count - 12);
}

// The first min(count, 4) lanes of v to at (none when count ≤ 0).
// @ts-ignore: decorator
@inline function storeLanes(at: usize, v: v128, count: i32): void {
  if (count >= 4) {
    v128.store(at, v);
    return;
  }
  if (count > 0) store<f32>(at, f32x4.extract_lane(v, 0));
  if (count > 1) store<f32>(at + 4, f32x4.extract_lane(v, 1));
  if (count > 2) store<f32>(at + 8, f32x4.extract_lane(v, 2));
}

// xp (C, Hp, Wp) = x[n] (C, H, W) shifted by the padding, zeros around (rows and columns past the plane dropped).
function padImage(xp: usize, xn: usize, d: Conv2dDims): void {
  const C = d.C, H = d.H, W = d.W, Hp = paddedRows(d), Wp = paddedColumns(d);
  memory.fill(xp, 0, <usize>(C * Hp * Wp) * 4);
  const rows = min(H, Hp - d.padH), columns = min(W, Wp - d.padW);
  if (rows <= 0 || columns <= 0) return;
  for (let c = 0; c < C; c++) {
    for (let h = 0; h < rows; h++) {
      memory.copy(xp + <usize>(((c * Hp + h + d.padH) * Wp) + d.padW) * 4, xn + <usize>((c * H + h) * W) * 4, <usize>columns * 4);
    }
  }
}

// @ts-ignore: decorator
@inline function paddedRows(d: Conv2dDims): i32 {
  return (d.P - 1) * d.strideH + (d.kH - 1) * d.dilationH + 1;
}

// @ts-ignore: decorator
@inline function paddedColumns(d: Conv2dDims): i32 {
  return ((d.Q + TILE - 1) / TILE) * TILE + (d.kW - 1) * d.dilationW; // sW = 1
}
