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

import { Conv2dDims, biasGradient, conv2dBackward, weightGradient } from "./conv2d";
import { copyRow } from "./im2col";
import { sum4 } from "./gemm";
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
    padImage(xp, x + <usize>(n * CHW) * 4, d, paddedRows(d), paddedColumns(d));
    directImage(y + <usize>(n * KPQ) * 4, xp, w, b, d);
  }
}

// @ts-ignore: decorator
@inline function directImage(yn: usize, xp: usize, w: usize, b: usize, d: Conv2dDims): void {
  const K = d.K, P = d.P, Q = d.Q, PQ = P * Q, kH = d.kH, kW = d.kW, Cg = d.C / d.groups, Kg = K / d.groups, R = Cg * kH * kW;
  const Wp = paddedColumns(d), planeBytes = <usize>(paddedRows(d) * Wp) * 4;
  const taps = xp + <usize>d.C * planeBytes;
  writeTaps(taps, d, Wp, planeBytes);
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
        if (width == QUAD) quadRow(out, PQ, top, taps, wp, b, k0, R, count, Q);
        else pairRow(out, PQ, top, taps, wp, b, k0, R, count, Q);
      }
      k0 += count;
    }
  }
}

// One output row of a QUAD block: tiles of 8 pixels, and a last tile of 4 or fewer as 4, not 8 (a row's ragged end:
// C1's Q = 28 is 3·8 + 4), so the block computes 28 pixels a row, not 32. With pairRow's, C1's forward at batch 256,
// one thread: 1.65–1.70 → 1.42–1.56 ms (three runs each, .prof, not committed).
// @ts-ignore: decorator
@inline function quadRow(out: usize, PQ: i32, top: usize, taps: usize, wp: usize, b: usize, k0: i32, R: i32, count: i32, Q: i32): void {
  let q = 0;
  for (; q + 4 < Q; q += TILE) quadTile(out + <usize>q * 4, PQ, top + <usize>q * 4, taps, wp, b, k0, R, count, Q - q, true);
  if (q < Q) quadTile(out + <usize>q * 4, PQ, top + <usize>q * 4, taps, wp, b, k0, R, count, Q - q, false);
}

// y[k0 + j][p, q … q+8) for j < count (q … q+4 unless wide): Σ over the R taps of wp[t, j] · the inputs at left + taps[t],
// + b[k0 + j].
// @ts-ignore: decorator
@inline function quadTile(at: usize, PQ: i32, left: usize, taps: usize, wp: usize, b: usize, k0: i32, R: i32, count: i32, outputs: i32, wide: bool): void {
  let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
  let c0 = a0, c1 = a0, c2 = a0, c3 = a0;
  const tapsEnd = taps + <usize>R * 4;
  for (let tap = taps, ws = wp; tap < tapsEnd; tap += 4, ws += QUAD * 4) {
    const x = left + <usize>load<i32>(tap);
    const x0 = v128.load(x), x1 = wide ? v128.load(x + 16) : x0; // 8 (or 4) neighbouring pixels' inputs
    let v = v128.load32_splat(ws);
    a0 = mad(x0, v, a0);
    if (wide) c0 = mad(x1, v, c0);
    v = v128.load32_splat(ws, 4);
    a1 = mad(x0, v, a1);
    if (wide) c1 = mad(x1, v, c1);
    v = v128.load32_splat(ws, 8);
    a2 = mad(x0, v, a2);
    if (wide) c2 = mad(x1, v, c2);
    v = v128.load32_splat(ws, 12);
    a3 = mad(x0, v, a3);
    if (wide) c3 = mad(x1, v, c3);
  }
  const step = <usize>PQ * 4;
  storeFilter(at, a0, c0, b, k0, outputs);
  if (count > 1) storeFilter(at + step, a1, c1, b, k0 + 1, outputs);
  if (count > 2) storeFilter(at + 2 * step, a2, c2, b, k0 + 2, outputs);
  if (count > 3) storeFilter(at + 3 * step, a3, c3, b, k0 + 3, outputs);
}

// One output row of a PAIR block: tiles of 16 pixels, and a ragged end in as many vectors as it needs (C1's Q = 28
// is 16 + 12: three, not four).
// @ts-ignore: decorator
@inline function pairRow(out: usize, PQ: i32, top: usize, taps: usize, wp: usize, b: usize, k0: i32, R: i32, count: i32, Q: i32): void {
  let q = 0;
  for (; q + 12 < Q; q += 2 * TILE) pairTile(out + <usize>q * 4, PQ, top + <usize>q * 4, taps, wp, b, k0, R, count, Q - q, 4);
  const left = Q - q;
  if (left > 8) pairTile(out + <usize>q * 4, PQ, top + <usize>q * 4, taps, wp, b, k0, R, count, left, 3);
  else if (left > 4) pairTile(out + <usize>q * 4, PQ, top + <usize>q * 4, taps, wp, b, k0, R, count, left, 2);
  else if (left > 0) pairTile(out + <usize>q * 4, PQ, top + <usize>q * 4, taps, wp, b, k0, R, count, left, 1);
}

// y[k0 + j][p, q … q+4·vectors) for j < count ≤ 2: quadTile's sum for two filters over up to twice the pixels.
// @ts-ignore: decorator
@inline function pairTile(at: usize, PQ: i32, left: usize, taps: usize, wp: usize, b: usize, k0: i32, R: i32, count: i32, outputs: i32, vectors: i32): void {
  let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
  let c0 = a0, c1 = a0, c2 = a0, c3 = a0;
  const tapsEnd = taps + <usize>R * 4;
  for (let tap = taps, ws = wp; tap < tapsEnd; tap += 4, ws += PAIR * 4) {
    const x = left + <usize>load<i32>(tap);
    const u = v128.load32_splat(ws), v = v128.load32_splat(ws, 4);
    let xi = v128.load(x); // 16 (or 4·vectors) pixels' inputs, a vector at a time
    a0 = mad(xi, u, a0); c0 = mad(xi, v, c0);
    if (vectors > 1) { xi = v128.load(x + 16); a1 = mad(xi, u, a1); c1 = mad(xi, v, c1); }
    if (vectors > 2) { xi = v128.load(x + 32); a2 = mad(xi, u, a2); c2 = mad(xi, v, c2); }
    if (vectors > 3) { xi = v128.load(x + 48); a3 = mad(xi, u, a3); c3 = mad(xi, v, c3); }
  }
  storeFilter(at, a0, a1, b, k0, outputs);
  if (vectors > 2) storeFilter(at + 32, a2, a3, b, k0, outputs - TILE);
  if (count > 1) {
    const next = at + <usize>PQ * 4;
    storeFilter(next, c0, c1, b, k0 + 1, outputs);
    if (vectors > 2) storeFilter(next + 32, c2, c3, b, k0 + 1, outputs - TILE);
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

// The weight gradient without im2col, for a unit stride (sH = sW = 1) and images of at least 256 outputs
// (src/backend/wasm-gemm.ts decides): dw[k, c, i, j] += Σ_(p,q) dy[n][k, p, q] · xpadded[n][c, p + i·dH, q + j·dW].
// Each filter and tap's sum runs row by row: dy's row p (Q4 = Q rounded up to whole vectors) against the padded
// plane's row p + i·dH shifted by j·dW, four q's a vector. When Q is a multiple of 4, dy is read in place and every
// product is a term of the sum; otherwise dy's rows are copied with zeros up to Q4, and those zeros multiply the
// pixels just past the window (possibly real ones), so an image with a NaN or ±∞ pixel takes im2col + gemm
// (weightGradient in src/wasm/conv2d.ts) and 0·∞ = NaN lands nowhere PyTorch's does not.
// dx as conv2dBackward; db image by image with dw, while the image's dy is in cache (dy is read once, not twice).
// cols: scratch of conv2dDirectBackwardScratchFloats and conv2dBackward's.
// C1's weight and bias gradients at batch 256, one thread: 1.47–1.55 ms, against 1.85–1.96 for the earlier flat dot
// products over dy's rows padded with zeros to the plane's width, with db a pass of its own over dy.
export function conv2dDirectBackward(dx: usize, dw: usize, db: usize, dy: usize, x: usize, w: usize, d: Conv2dDims, cols: usize, dcols: usize): void {
  conv2dBackward(dx, 0, dw == 0 ? db : 0, dy, x, w, d, cols, dcols);
  if (dw == 0) return;
  const CHW = d.C * d.H * d.W, KPQ = d.K * d.P * d.Q, inPlace = backwardQ4(d) == d.Q;
  for (let n = d.start; n < d.end; n++) {
    const xn = x + <usize>(n * CHW) * 4, dyn = dy + <usize>(n * KPQ) * 4;
    if (db != 0) biasGradient(db, dyn, d.K, d.P * d.Q, 1);
    if (inPlace || allFinite(xn, CHW)) directWeightImage(dw, dyn, xn, d, cols);
    else weightGradient(dw, dyn, xn, d, 1, cols);
  }
}

/** Floats of conv2dDirectBackward's scratch: the padded plane (C, Hp, S), the taps, and dy's rows (K, P, Q4) unless Q4 = Q. */
export function conv2dDirectBackwardScratchFloats(d: Conv2dDims): f64 {
  const Q4 = backwardQ4(d), rows = Q4 == d.Q ? 0 : <f64>d.K * <f64>(d.P * Q4);
  return <f64>d.C * <f64>(paddedRows(d) * backwardRow(d)) + <f64>((d.C / d.groups) * d.kH * d.kW + 3) + rows;
}

// dw (K, R) += the direct sums of one image (dyn: its dy (K, P, Q); xn: its x (C, H, W)).
function directWeightImage(dw: usize, dyn: usize, xn: usize, d: Conv2dDims, scratch: usize): void {
  const S = backwardRow(d), Q4 = backwardQ4(d), Hp = paddedRows(d), P = d.P, Q = d.Q, R = (d.C / d.groups) * d.kH * d.kW;
  const Kg = d.K / d.groups, planeBytes = <usize>(Hp * S) * 4;
  // scratch: xp (C, Hp, S), the taps, then dy's rows Q4 apart (K, P, Q4) when Q is short of Q4
  const xp = scratch, taps = xp + <usize>d.C * planeBytes;
  padImage(xp, xn, d, Hp, S);
  writeTaps(taps, d, S, planeBytes);
  let rows = dyn;
  if (Q4 != Q) {
    rows = (taps + <usize>R * 4 + 15) & ~15; // whole vectors: aligned loads
    for (let r = 0; r < d.K * P; r++) {
      copyRow(rows + <usize>(r * Q4) * 4, dyn + <usize>(r * Q) * 4, 0, Q);
      memory.fill(rows + <usize>(r * Q4 + Q) * 4, 0, <usize>(Q4 - Q) * 4);
    }
  }
  // Three filters × three taps at a time (nine sums), a short block repeating its last filter or tap (computed, not
  // stored); a lone last tap (R = 3m + 1, as C1's 25) goes to tapColumn, six filters at a time, instead of a block
  // that would compute three taps for one (C1 at batch 256, the sums alone: 1.22 → 1.16 ms, .prof).
  const filterBytes = <usize>(P * Q4) * 4, R3 = R % 3 == 1 ? R - 1 : R;
  for (let g = 0; g < d.groups; g++) {
    const planes = xp + <usize>(g * (d.C / d.groups)) * planeBytes, last = (g + 1) * Kg - 1;
    for (let k0 = g * Kg; k0 <= last; k0 += 3) {
      const y0 = rows + <usize>k0 * filterBytes, y1 = rows + <usize>min(k0 + 1, last) * filterBytes, y2 = rows + <usize>min(k0 + 2, last) * filterBytes;
      for (let t0 = 0; t0 < R3; t0 += 3) weightTile(dw + <usize>(k0 * R + t0) * 4, R, y0, y1, y2, d, planes, taps + <usize>t0 * 4, min(3, last + 1 - k0), min(3, R3 - t0));
    }
    if (R3 == R) continue;
    const x = planes + <usize>load<i32>(taps + <usize>R3 * 4);
    for (let k0 = g * Kg; k0 <= last; k0 += 6) tapColumn(dw + <usize>(k0 * R + R3) * 4, R, rows + <usize>k0 * filterBytes, filterBytes, min(6, last + 1 - k0), d, x);
  }
}

// dw[k0 + a, t0 + b] += Σ_(p, q) dy[k0 + a, p, q] · planes[taps[b] + p·S + q] for a < filters, b < count (dw at k0, t0;
// rows R apart): y0…y2 walk three filters' dy rows (Q4 apart), x0…x2 three taps' shifted plane rows (S apart).
// @ts-ignore: decorator
@inline function weightTile(at: usize, R: i32, y0: usize, y1: usize, y2: usize, d: Conv2dDims, planes: usize, taps: usize, filters: i32, count: i32): void {
  let x0 = planes + <usize>load<i32>(taps);
  let x1 = count > 1 ? planes + <usize>load<i32>(taps, 4) : x0;
  let x2 = count > 2 ? planes + <usize>load<i32>(taps, 8) : x0;
  let s00 = f32x4.splat(0), s01 = s00, s02 = s00, s10 = s00, s11 = s00, s12 = s00, s20 = s00, s21 = s00, s22 = s00;
  const rowBytes = <usize>backwardQ4(d) * 4, skip = <usize>(backwardRow(d) - backwardQ4(d)) * 4;
  for (let p = 0; p < d.P; p++, x0 += skip, x1 += skip, x2 += skip) {
    for (const end = y0 + rowBytes; y0 < end; y0 += 16, y1 += 16, y2 += 16, x0 += 16, x1 += 16, x2 += 16) {
      const a = v128.load(y0), b = v128.load(y1), c = v128.load(y2);
      let v = v128.load(x0);
      s00 = mad(a, v, s00); s10 = mad(b, v, s10); s20 = mad(c, v, s20);
      v = v128.load(x1);
      s01 = mad(a, v, s01); s11 = mad(b, v, s11); s21 = mad(c, v, s21);
      v = v128.load(x2);
      s02 = mad(a, v, s02); s12 = mad(b, v, s12); s22 = mad(c, v, s22);
    }
  }
  const zero = f32x4.splat(0);
  addLanes(at, sum4(s00, s01, s02, zero), count);
  if (filters > 1) addLanes(at + <usize>R * 4, sum4(s10, s11, s12, zero), count);
  if (filters > 2) addLanes(at + <usize>R * 8, sum4(s20, s21, s22, zero), count);
}

// dw[k0 + a, t] += Σ_(p, q) dy[k0 + a, p, q] · x[p·S + q] for a < filters ≤ 6 (dw at k0, t; rows R apart): one tap,
// whose shifted plane x serves six filters' dy rows (y, filterBytes apart; a short block repeats its last filter).
// @ts-ignore: decorator
@inline function tapColumn(at: usize, R: i32, y: usize, filterBytes: usize, filters: i32, d: Conv2dDims, x: usize): void {
  const f1 = min(1, filters - 1), f2 = min(2, filters - 1), f3 = min(3, filters - 1), f4 = min(4, filters - 1), f5 = min(5, filters - 1);
  const d1 = <usize>f1 * filterBytes, d2 = <usize>f2 * filterBytes, d3 = <usize>f3 * filterBytes, d4 = <usize>f4 * filterBytes, d5 = <usize>f5 * filterBytes;
  let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0;
  const rowBytes = <usize>backwardQ4(d) * 4, skip = <usize>(backwardRow(d) - backwardQ4(d)) * 4;
  for (let p = 0; p < d.P; p++, x += skip) {
    for (const end = y + rowBytes; y < end; y += 16, x += 16) {
      const v = v128.load(x);
      s0 = mad(v128.load(y), v, s0); s1 = mad(v128.load(y + d1), v, s1); s2 = mad(v128.load(y + d2), v, s2);
      s3 = mad(v128.load(y + d3), v, s3); s4 = mad(v128.load(y + d4), v, s4); s5 = mad(v128.load(y + d5), v, s5);
    }
  }
  const sums = sum4(s0, s1, s2, s3), rest = sum4(s4, s5, s4, s5);
  for (let a = 0; a < filters; a++) {
    const to = at + <usize>(a * R) * 4;
    store<f32>(to, load<f32>(to) + (a < 4 ? lane(sums, a) : lane(rest, a - 4)));
  }
}

// v's lane i (0 ≤ i < 4) for a lane chosen at run time.
// @ts-ignore: decorator
@inline function lane(v: v128, i: i32): f32 {
  return i == 0 ? f32x4.extract_lane(v, 0) : i == 1 ? f32x4.extract_lane(v, 1) : i == 2 ? f32x4.extract_lane(v, 2) : f32x4.extract_lane(v, 3);
}

// at[0 … count) += v's first count lanes (1 ≤ count ≤ 3).
// @ts-ignore: decorator
@inline function addLanes(at: usize, v: v128, count: i32): void {
  store<f32>(at, load<f32>(at) + f32x4.extract_lane(v, 0));
  if (count > 1) store<f32>(at + 4, load<f32>(at + 4) + f32x4.extract_lane(v, 1));
  if (count > 2) store<f32>(at + 8, load<f32>(at + 8) + f32x4.extract_lane(v, 2));
}

// True when none of the count floats at p is NaN or ±∞ (v − v is 0 exactly for finite v, NaN otherwise).
function allFinite(p: usize, count: i32): bool {
  let bad = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const v = v128.load(p + <usize>i * 4);
    bad = v128.or(bad, f32x4.ne(f32x4.sub(v, v), f32x4.splat(0)));
  }
  for (; i < count; i++) {
    const v = load<f32>(p + <usize>i * 4);
    if (v - v != 0) return false;
  }
  return !v128.any_true(bad);
}

// Q rounded up to whole vectors: the length of the backward's dy rows.
// @ts-ignore: decorator
@inline function backwardQ4(d: Conv2dDims): i32 {
  return (d.Q + 3) & ~3;
}

// The row length S of the backward's padded plane: dy's row plus the window's span along a row at unit stride.
// @ts-ignore: decorator
@inline function backwardRow(d: Conv2dDims): i32 {
  return backwardQ4(d) + (d.kW - 1) * d.dilationW;
}

// The byte offset of every tap (c, i, j) of a group from a window's top-left pixel in planes of Wp-float rows,
// in w's order, Cg·kH·kW i32 at taps: one flat loop over taps instead of three nested ones.
function writeTaps(taps: usize, d: Conv2dDims, Wp: i32, planeBytes: usize): void {
  const tapRowBytes = <usize>(d.dilationH * Wp) * 4, tapBytes = <usize>d.dilationW * 4;
  for (let c = 0, t = 0; c < d.C / d.groups; c++) {
    for (let i = 0; i < d.kH; i++) {
      for (let j = 0; j < d.kW; j++, t++) store<i32>(taps + <usize>t * 4, <i32>(<usize>c * planeBytes + <usize>i * tapRowBytes + <usize>j * tapBytes));
    }
  }
}

// xp (C, Hp, Wp) = x[n] (C, H, W) shifted by the padding, zeros around (rows and columns past the plane dropped).
function padImage(xp: usize, xn: usize, d: Conv2dDims, Hp: i32, Wp: i32): void {
  const C = d.C, H = d.H, W = d.W;
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
