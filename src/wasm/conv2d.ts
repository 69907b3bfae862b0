// conv2d in WebAssembly: the same algorithm as src/ops/conv2d.ts, image by
// image (im2col of one image, then one gemm), over the batch share
// [d.start, d.end) so threads can split a batch. Legend: N batch,
// C in-channels, K out-channels, H×W input, kH×kW kernel, P×Q output, R = C·kH·kW,
// G groups, Kg = K/G filters and Rg = R/G rows of cols per group (one gemm per group).

import { WindowDims } from "./window";
import { im2colImages, col2imImages, copyRow } from "./im2col";
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

// Images one conv2dBackward step takes at once. gemm closes each tile of C with lane sums or edge stores; over one
// image of LeNet's C3 (P·Q = 100 pixels: 25 vector steps, a ragged 4-column edge) that closing weighs. So images of
// fewer than SHORT_IMAGE output pixels go up to MAX_IMAGES at a time, as many as keep their columns within COLS_FLOATS
// (half an L2). C3's backward at batch 256, one thread: 6.46 ms one image at a time, 6.19 with 8, 5.87–5.93 with 16,
// 6.57 with 32 (1.9 MB of columns). With three of C1's (784 pixels) its weight gradient was slower: 2.11 → 2.22 ms.
const SHORT_IMAGE: i32 = 256;
const MAX_IMAGES: i32 = 16;
const COLS_FLOATS: i32 = 1 << 18;

/**
 * Images per step of conv2dBackward. Its scratch `cols` holds (R + K)·images·P·Q floats (their columns, then
 * their dy side by side), `dcols` R·images·P·Q.
 */
export function conv2dBackwardImages(d: Conv2dDims): i32 {
  const PQ = d.P * d.Q;
  if (PQ >= SHORT_IMAGE) return 1;
  return max(1, min(MAX_IMAGES, COLS_FLOATS / max(1, d.C * d.kH * d.kW * PQ)));
}

// For the images n in [d.start, d.end), group by group: db += Σ dy[n]; dw += dy[n] · im2col(x[n])ᵀ;
// dx[n] += col2im(wᵀ · dy[n]); conv2dBackwardImages images at a time, each product over all of their pixels.
// dx, dw, db may be 0 to skip. cols, dcols: scratch of the sizes conv2dBackwardImages gives.
export function conv2dBackward(dx: usize, dw: usize, db: usize, dy: usize, x: usize, w: usize, d: Conv2dDims, cols: usize, dcols: usize): void {
  const K = d.K, PQ = d.P * d.Q, R = d.C * d.kH * d.kW, images = conv2dBackwardImages(d);
  for (let n0 = d.start; n0 < d.end; n0 += images) {
    const m = min(images, d.end - n0), L = m * PQ, dyFirst = dy + <usize>(n0 * K * PQ) * 4;
    if (db != 0) biasGradient(db, dyFirst, K, PQ, m);
    if (dw == 0 && dx == 0) continue;
    // dys (K, L): the m images' dy rows side by side (one image's dy is already that)
    let dys = dyFirst;
    if (m > 1) {
      dys = cols + <usize>(R * L) * 4;
      for (let k = 0; k < K; k++) {
        for (let i = 0; i < m; i++) copyRow(dys + <usize>(k * L + i * PQ) * 4, dyFirst + <usize>((i * K + k) * PQ) * 4, 0, PQ);
      }
    }
    if (dw != 0) weightGradient(dw, dys, x + <usize>(n0 * d.C * d.H * d.W) * 4, d, m, cols);
    if (dx != 0) inputGradient(dx + <usize>(n0 * d.C * d.H * d.W) * 4, dys, w, d, m, dcols);
  }
}

// db[k] += Σ dy[n][k] over the m images from dyFirst, dy (m, K, PQ): the images' sums added up, then into db.
export function biasGradient(db: usize, dyFirst: usize, K: i32, PQ: i32, m: i32): void {
  for (let k = 0; k < K; k++) {
    let total: f32 = 0;
    for (let i = 0; i < m; i++) total += sum(dyFirst + <usize>((i * K + k) * PQ) * 4, PQ);
    store<f32>(db + <usize>k * 4, load<f32>(db + <usize>k * 4) + total);
  }
}

// dw[g] (Kg, Rg) += dys[g] (Kg, L) · cols[g]ᵀ (L, Rg), cols (R, L) = im2col of the m images at x, L = m·P·Q.
export function weightGradient(dw: usize, dys: usize, x: usize, d: Conv2dDims, m: i32, cols: usize): void {
  const G = d.groups, Kg = d.K / G, Rg = (d.C / G) * d.kH * d.kW, L = m * d.P * d.Q;
  im2colImages(cols, x, d, m);
  for (let g = 0; g < G; g++) {
    const s = gemmSlot(d.work, Kg, Rg, L);
    s.transB = 1;
    s.accumulate = 1;
    gemm(dw + <usize>(g * Kg * Rg) * 4, dys + <usize>(g * Kg * L) * 4, cols + <usize>(g * Rg * L) * 4, s);
  }
}

// dcols[g] (Rg, L) = w[g]ᵀ (Rg, Kg) · dys[g] (Kg, L), then dx (the m images at dx) += col2im(dcols).
function inputGradient(dx: usize, dys: usize, w: usize, d: Conv2dDims, m: i32, dcols: usize): void {
  const G = d.groups, Kg = d.K / G, Rg = (d.C / G) * d.kH * d.kW, L = m * d.P * d.Q;
  for (let g = 0; g < G; g++) {
    const s = gemmSlot(d.work, Rg, L, Kg);
    s.transA = 1;
    gemm(dcols + <usize>(g * Rg * L) * 4, w + <usize>(g * Kg * Rg) * 4, dys + <usize>(g * Kg * L) * 4, s);
  }
  col2imImages(dx, dcols, d, m);
}

function addScalar(p: usize, count: i32, value: f32): void {
  const v = f32x4.splat(value);
  let i = 0;
  for (; i + 4 <= count; i += 4) v128.store(p + <usize>i * 4, f32x4.add(v128.load(p + <usize>i * 4), v));
  for (; i < count; i++) store<f32>(p + <usize>i * 4, load<f32>(p + <usize>i * 4) + value);
}

// Σ p[0 … count): four vector sums a step, so four add chains overlap (one chain waits on the add's latency).
function sum(p: usize, count: i32): f32 {
  let acc = f32x4.splat(0), acc1 = acc, acc2 = acc, acc3 = acc;
  let i = 0;
  for (; i + 16 <= count; i += 16) {
    const at = p + <usize>i * 4;
    acc = f32x4.add(acc, v128.load(at));
    acc1 = f32x4.add(acc1, v128.load(at, 16));
    acc2 = f32x4.add(acc2, v128.load(at, 32));
    acc3 = f32x4.add(acc3, v128.load(at, 48));
  }
  acc = f32x4.add(f32x4.add(acc, acc1), f32x4.add(acc2, acc3));
  for (; i + 4 <= count; i += 4) acc = f32x4.add(acc, v128.load(p + <usize>i * 4));
  let total = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
  for (; i < count; i++) total += load<f32>(p + <usize>i * 4);
  return total;
}
