// conv2d without im2col, for few input channels per group (LeNet's C1: one channel, a 5×5
// window, six filters). im2col writes C·kH·kW floats per output pixel and gemm reads them back
// once: with only 25 multiply-adds per pixel and filter, that traffic costs more than the
// arithmetic. Here each image is copied once into a zero-padded plane and every output row is
// computed straight from it, a block of filters at a time (eight f32x4 sums, independent so their
// multiply-adds overlap; each pixel load serves every filter of the block).
// src/backend/wasm-gemm.ts decides which path a call takes (docs/conv2d.md).
// Legend as src/wasm/conv2d.ts; Cg = C/G channels and Kg = K/G filters per group.
// Padded plane of one image (C, Hp, Wp): Hp = (P−1)·sH + (kH−1)·dH + 1 rows and
// Wp = ⌈Q/2·TILE⌉·2·TILE + (kW−1)·dW columns, so the last tile of a row reads inside the plane (its
// lanes past Q are computed and not stored); then the tap offsets, Cg·kH·kW i32; then one block's
// weights interleaved, at most Cg·kH·kW·QUAD floats.
// Only for a unit column stride (sW = 1), where 4 neighbouring outputs read 4 neighbouring inputs:
// one vector load. Gathering strided columns lane by lane made it slower than im2col + gemm.

import { Conv2dDims } from "./conv2d";
import { mad } from "./simd";

// Two register blocks, each eight f32x4 sums (V8 keeps 15 vector registers: a block of twelve sums
// spilled four of them to the stack, a chain through memory on every tap, and ran at 46% of gemm):
// QUAD filters × TILE pixels (each pixel load serves four filters), and a last PAIR of filters ×
// 2·TILE pixels for a group whose filter count is not a multiple of four (LeNet's C1: 6 = 4 + 2).
const TILE = 8;
const QUAD = 4;
const PAIR = 2;

/** Floats of the scratch `xp` each thread passes to conv2dDirectForward: the padded plane of one image, then the tap offsets. */
export function conv2dDirectScratchFloats(d: Conv2dDims): f64 {
  const R = (d.C / d.groups) * d.kH * d.kW;
  return <f64>d.C * <f64>paddedRows(d) * <f64>paddedColumns(d) + <f64>R + <f64>(R * QUAD);
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
  // A block of one group's filters at a time shares every pixel load: QUAD of them, or a last 1–2 as a PAIR; a block
  // short of its width repeats its last filter (computed, not stored). wp: the block's weights interleaved, wp[t·width + j].
  const wp = taps + <usize>R * 4;
  for (let g = 0; g < d.groups; g++) {
    const end = (g + 1) * Kg;
    for (let k0 = g * Kg; k0 < end; ) {
      const width = end - k0 <= PAIR ? PAIR : QUAD, count = min(width, end - k0);
      for (let t = 0; t < R; t++) {
        for (let j = 0; j < width; j++) store<f32>(wp + <usize>(t * width + j) * 4, load<f32>(w + <usize>((k0 + min(j, count - 1)) * R + t) * 4));
      }
      const planes = xp + <usize>g * <usize>Cg * planeBytes; // the padded channels of the group
      for (let p = 0; p < P; p++) {
        const top = planes + <usize>(p * d.strideH * Wp) * 4; // the first input row of output row p
        const out = yn + <usize>(k0 * PQ + p * Q) * 4;
        if (width == QUAD) {
          for (let q = 0; q < Q; q += TILE) quadTile(out + <usize>q * 4, PQ, top + <usize>q * 4, taps, wp, b, k0, R, count, Q - q);
        } else {
          for (let q = 0; q < Q; q += 2 * TILE) pairTile(out + <usize>q * 4, PQ, top + <usize>q * 4, taps, wp, b, k0, R, count, Q - q);
        }
      }
      k0 += count;
    }
  }
}

// y[k0 + j][p, q … q+8) for j < count: Σ over the R taps of wp[t, j] · the 8 inputs at left + taps[t], + b[k0 + j].
// @ts-ignore: decorator
@inline function quadTile(at: usize, PQ: i32, left: usize, taps: usize, wp: usize, b: usize, k0: i32, R: i32, count: i32, outputs: i32): void {
  let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
  let c0 = a0, c1 = a0, c2 = a0, c3 = a0;
  const tapsEnd = taps + <usize>R * 4;
  for (let tap = taps, ws = wp; tap < tapsEnd; tap += 4, ws += QUAD * 4) {
    const x = left + <usize>load<i32>(tap);
    const x0 = v128.load(x), x1 = v128.load(x + 16); // 8 neighbouring pixels' inputs
    let v = v128.load32_splat(ws);
    a0 = mad(x0, v, a0); c0 = mad(x1, v, c0);
    v = v128.load32_splat(ws, 4);
    a1 = mad(x0, v, a1); c1 = mad(x1, v, c1);
    v = v128.load32_splat(ws, 8);
    a2 = mad(x0, v, a2); c2 = mad(x1, v, c2);
    v = v128.load32_splat(ws, 12);
    a3 = mad(x0, v, a3); c3 = mad(x1, v, c3);
  }
  const step = <usize>PQ * 4;
  storeFilter(at, a0, c0, b, k0, outputs);
  if (count > 1) storeFilter(at + step, a1, c1, b, k0 + 1, outputs);
  if (count > 2) storeFilter(at + 2 * step, a2, c2, b, k0 + 2, outputs);
  if (count > 3) storeFilter(at + 3 * step, a3, c3, b, k0 + 3, outputs);
}

// y[k0 + j][p, q … q+16) for j < count ≤ 2: quadTile's sum for two filters over twice the pixels.
// @ts-ignore: decorator
@inline function pairTile(at: usize, PQ: i32, left: usize, taps: usize, wp: usize, b: usize, k0: i32, R: i32, count: i32, outputs: i32): void {
  let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
  let c0 = a0, c1 = a0, c2 = a0, c3 = a0;
  const tapsEnd = taps + <usize>R * 4;
  for (let tap = taps, ws = wp; tap < tapsEnd; tap += 4, ws += PAIR * 4) {
    const x = left + <usize>load<i32>(tap);
    const x0 = v128.load(x), x1 = v128.load(x + 16), x2 = v128.load(x + 32), x3 = v128.load(x + 48); // 16 pixels' inputs
    let v = v128.load32_splat(ws);
    a0 = mad(x0, v, a0); a1 = mad(x1, v, a1); a2 = mad(x2, v, a2); a3 = mad(x3, v, a3);
    v = v128.load32_splat(ws, 4);
    c0 = mad(x0, v, c0); c1 = mad(x1, v, c1); c2 = mad(x2, v, c2); c3 = mad(x3, v, c3);
  }
  storeFilter(at, a0, a1, b, k0, outputs);
  storeFilter(at + 32, a2, a3, b, k0, outputs - TILE);
  if (count > 1) {
    const next = at + <usize>PQ * 4;
    storeFilter(next, c0, c1, b, k0 + 1, outputs);
    storeFilter(next + 32, c2, c3, b, k0 + 1, outputs - TILE);
  }
}

// One filter's tile (lo: outputs 0–3, hi: 4–7) plus its bias to at, its first min(outputs, 8) values.
// @ts-ignore: decorator
@inline function storeFilter(at: usize, lo: v128, hi: v128, b: usize, k: i32, outputs: i32): void {
  const bias = f32x4.splat(b == 0 ? 0 : load<f32>(b + <usize>k * 4));
  storeLanes(at, f32x4.add(lo, bias), outputs);
  storeLanes(at + 16, f32x4.add(hi, bias), outputs - 4);
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
  return ((d.Q + 2 * TILE - 1) / (2 * TILE)) * 2 * TILE + (d.kW - 1) * d.dilationW; // sW = 1; a pair's tile is 2·TILE wide
}
