// gemm in WebAssembly SIMD (AssemblyScript): the fast twin of src/ops/gemm.ts.
//
//   C (+)= op(A) · op(B),   C[i,j] (+)= Σ_k op(A)[i,k] · op(B)[k,j]
//
// Same contract as the TypeScript kernel, with explicit strides so a caller
// can hand a block of rows or columns to each thread:
//   op(A)[i,k] at a + 4·(i·aI + k·aK),  op(B)[k,j] at b + 4·(k·bK + j·bJ),  C[i,j] at c + 4·(i·ldc + j).
//
// Two paths:
// - The classic blocked layout (Goto & van de Geijn): copy an MC×KC block of
//   op(A) into row panels MR tall, contiguous in the order the micro-kernel
//   reads them, and do the same for op(B) in column panels NR wide, except
//   where B's rows are already contiguous (no transpose): those are read in
//   place, eight floats per k. Every MR×NR tile of C is then a rank-KC update
//   held in 8 SIMD registers. Packing absorbs the transposes and zero-padding
//   the ragged edges, so one micro-kernel serves every case.
// - When both op(A)'s rows and op(B)'s columns run along k in memory (C = A·Bᵀ,
//   conv2d's and linear's weight gradients and linear's forward), every C[i,j]
//   is a dot product of two contiguous rows: gemmDotNT does 2×4 of them at a
//   time, four k's per SIMD step, with no packing at all.

import { mad } from "./simd";

const MR: i32 = 4; // rows of a C tile (A values broadcast per k)
const NR: i32 = 8; // columns of a C tile (two f32x4 vectors of B per k)
const KC: i32 = 256; // depth of a block: one A panel + one B panel stay in L1
const MC: i32 = 64; // rows of op(A) packed at once (64·256·4 B = 64 KiB, L2)
const NC: i32 = 2048; // columns of op(B) packed at once (256·2048·4 B = 2 MiB, L3)

/** Bytes of scratch gemm needs: packed A and B blocks plus one spill tile. */
export function gemmWorkspaceBytes(): i32 {
  return (MC * KC + KC * NC + MR * NR) * 4;
}

export function gemm(
  c: usize, ldc: i32,
  a: usize, aI: i32, aK: i32,
  b: usize, bK: i32, bJ: i32,
  M: i32, N: i32, K: i32,
  accumulate: bool,
  work: usize,
): void {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (!accumulate) for (let i = 0; i < M; i++) memory.fill(c + <usize>(i * ldc) * 4, 0, <usize>N * 4);
    return;
  }
  if (aK == 1 && bK == 1) {
    gemmDotNT(c, ldc, a, aI, b, bJ, M, N, K, accumulate);
    return;
  }
  const packA = work;
  const packB = work + <usize>(MC * KC) * 4;
  const tile = packB + <usize>(KC * NC) * 4;
  for (let jc = 0; jc < N; jc += NC) {
    const nc = min(NC, N - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = min(KC, K - pc);
      // Rows of op(B) that are contiguous (bJ = 1) are read in place, eight floats per k; otherwise packed.
      const direct = bJ == 1;
      const nFull = direct ? nc & ~(NR - 1) : 0; // columns read in place; the ragged rest is packed
      if (nc > nFull) packPanelsB(packB, b + <usize>(pc * bK + (jc + nFull) * bJ) * 4, bK, bJ, kc, nc - nFull);
      // The first K block overwrites C unless asked to accumulate; later blocks always add.
      const add = accumulate || pc > 0;
      for (let ic = 0; ic < M; ic += MC) {
        const mc = min(MC, M - ic);
        packPanelsA(packA, a + <usize>(ic * aI + pc * aK) * 4, aI, aK, mc, kc);
        for (let jr = 0; jr < nc; jr += NR) {
          for (let ir = 0; ir < mc; ir += MR) {
            const pa = packA + <usize>(ir * kc) * 4;
            const inPlace = jr < nFull;
            const pb = inPlace ? b + <usize>(pc * bK + jc + jr) * 4 : packB + <usize>((jr - nFull) * kc) * 4;
            const bStride: usize = inPlace ? <usize>bK * 4 : NR * 4;
            const pcTile = c + <usize>((ic + ir) * ldc + jc + jr) * 4;
            const rows = min(MR, mc - ir), cols = min(NR, nc - jr);
            if (rows == MR && cols == NR) {
              microKernel(pcTile, ldc, pa, pb, bStride, kc, add);
            } else {
              microKernel(tile, NR, pa, pb, bStride, kc, false);
              storeEdge(pcTile, ldc, tile, rows, cols, add);
            }
          }
        }
      }
    }
  }
}

// C tile (4×8) (+)= A panel (kc×4, k-major) · B panel (kc×8, k-major).
// @ts-ignore: decorator
@inline function microKernel(c: usize, ldc: i32, pa: usize, pb: usize, bStride: usize, kc: i32, add: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = mad(a, b0, c00); c01 = mad(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = mad(a, b0, c10); c11 = mad(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = mad(a, b0, c20); c21 = mad(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = mad(a, b0, c30); c31 = mad(a, b1, c31);
    pa += 16;
    pb += bStride;
  }
  const stride = <usize>ldc * 4;
  if (add) {
    c00 = f32x4.add(c00, v128.load(c)); c01 = f32x4.add(c01, v128.load(c, 16));
    c10 = f32x4.add(c10, v128.load(c + stride)); c11 = f32x4.add(c11, v128.load(c + stride, 16));
    c20 = f32x4.add(c20, v128.load(c + 2 * stride)); c21 = f32x4.add(c21, v128.load(c + 2 * stride, 16));
    c30 = f32x4.add(c30, v128.load(c + 3 * stride)); c31 = f32x4.add(c31, v128.load(c + 3 * stride, 16));
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c + stride, c10); v128.store(c + stride, c11, 16);
  v128.store(c + 2 * stride, c20); v128.store(c + 2 * stride, c21, 16);
  v128.store(c + 3 * stride, c30); v128.store(c + 3 * stride, c31, 16);
}

// Copies the valid rows×cols corner of a spilled 4×8 tile into C.
function storeEdge(c: usize, ldc: i32, tile: usize, rows: i32, cols: i32, add: bool): void {
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const dst = c + <usize>(i * ldc + j) * 4;
      const v = load<f32>(tile + <usize>(i * NR + j) * 4);
      store<f32>(dst, add ? load<f32>(dst) + v : v);
    }
  }
}

// op(B) block (kc × nc) → panels of NR columns, each kc×NR, k-major, zero-padded on the right.
function packPanelsB(dst: usize, b: usize, bK: i32, bJ: i32, kc: i32, nc: i32): void {
  for (let j0 = 0; j0 < nc; j0 += NR) {
    const cols = min(NR, nc - j0);
    const src = b + <usize>(j0 * bJ) * 4;
    if (cols == NR && bJ == 1) {
      // Rows of B are contiguous: copy eight floats at a time.
      for (let k = 0; k < kc; k++) {
        const row = src + <usize>(k * bK) * 4;
        v128.store(dst, v128.load(row));
        v128.store(dst, v128.load(row, 16), 16);
        dst += NR * 4;
      }
    } else {
      for (let k = 0; k < kc; k++) {
        for (let j = 0; j < NR; j++) {
          store<f32>(dst + <usize>j * 4, j < cols ? load<f32>(src + <usize>(k * bK + j * bJ) * 4) : 0);
        }
        dst += NR * 4;
      }
    }
  }
}

// op(A) block (mc × kc) → panels of MR rows, each kc×MR, k-major, zero-padded at the bottom.
function packPanelsA(dst: usize, a: usize, aI: i32, aK: i32, mc: i32, kc: i32): void {
  for (let i0 = 0; i0 < mc; i0 += MR) {
    const rows = min(MR, mc - i0);
    const src = a + <usize>(i0 * aI) * 4;
    if (rows == MR && aI == 1) {
      // op(A) columns are contiguous (A stored transposed): four floats at a time.
      for (let k = 0; k < kc; k++) {
        v128.store(dst, v128.load(src + <usize>(k * aK) * 4));
        dst += MR * 4;
      }
    } else {
      for (let k = 0; k < kc; k++) {
        for (let i = 0; i < MR; i++) {
          store<f32>(dst + <usize>i * 4, i < rows ? load<f32>(src + <usize>(i * aI + k * aK) * 4) : 0);
        }
        dst += MR * 4;
      }
    }
  }
}

// C[i,j] (+)= Σ_k A[i,k]·B[j,k] with A rows lda apart and B rows ldb apart, both contiguous along k:
// dot products of rows, 2 rows of A × 4 rows of B at a time (8 accumulators), four k's per SIMD step.
// A ragged edge re-reads a valid row and drops its result.
function gemmDotNT(c: usize, ldc: i32, a: usize, lda: i32, b: usize, ldb: i32, M: i32, N: i32, K: i32, accumulate: bool): void {
  const K4 = K & ~3;
  for (let i0 = 0; i0 < M; i0 += 2) {
    const a0 = a + <usize>(i0 * lda) * 4;
    const a1 = i0 + 1 < M ? a0 + <usize>lda * 4 : a0;
    for (let j0 = 0; j0 < N; j0 += 4) {
      const b0 = b + <usize>(j0 * ldb) * 4;
      const b1 = j0 + 1 < N ? b0 + <usize>ldb * 4 : b0;
      const b2 = j0 + 2 < N ? b0 + <usize>(2 * ldb) * 4 : b0;
      const b3 = j0 + 3 < N ? b0 + <usize>(3 * ldb) * 4 : b0;
      let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s02 = f32x4.splat(0), s03 = f32x4.splat(0);
      let s10 = f32x4.splat(0), s11 = f32x4.splat(0), s12 = f32x4.splat(0), s13 = f32x4.splat(0);
      for (let k = 0; k < K4; k += 4) {
        const o = <usize>k * 4;
        const x0 = v128.load(a0 + o), x1 = v128.load(a1 + o);
        let y = v128.load(b0 + o);
        s00 = mad(x0, y, s00); s10 = mad(x1, y, s10);
        y = v128.load(b1 + o);
        s01 = mad(x0, y, s01); s11 = mad(x1, y, s11);
        y = v128.load(b2 + o);
        s02 = mad(x0, y, s02); s12 = mad(x1, y, s12);
        y = v128.load(b3 + o);
        s03 = mad(x0, y, s03); s13 = mad(x1, y, s13);
      }
      const c0 = c + <usize>(i0 * ldc + j0) * 4, c1 = c0 + <usize>ldc * 4;
      const cols = min(4, N - j0);
      storeDot(c0, finishDot(s00, a0, b0, K4, K), accumulate);
      if (cols > 1) storeDot(c0 + 4, finishDot(s01, a0, b1, K4, K), accumulate);
      if (cols > 2) storeDot(c0 + 8, finishDot(s02, a0, b2, K4, K), accumulate);
      if (cols > 3) storeDot(c0 + 12, finishDot(s03, a0, b3, K4, K), accumulate);
      if (i0 + 1 < M) {
        storeDot(c1, finishDot(s10, a1, b0, K4, K), accumulate);
        if (cols > 1) storeDot(c1 + 4, finishDot(s11, a1, b1, K4, K), accumulate);
        if (cols > 2) storeDot(c1 + 8, finishDot(s12, a1, b2, K4, K), accumulate);
        if (cols > 3) storeDot(c1 + 12, finishDot(s13, a1, b3, K4, K), accumulate);
      }
    }
  }
}

// The lanes of a partial dot product summed, plus the k's past the last multiple of four.
// @ts-ignore: decorator
@inline function finishDot(acc: v128, x: usize, y: usize, K4: i32, K: i32): f32 {
  let total = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
  for (let k = K4; k < K; k++) total += load<f32>(x + <usize>k * 4) * load<f32>(y + <usize>k * 4);
  return total;
}

// @ts-ignore: decorator
@inline function storeDot(at: usize, value: f32, accumulate: bool): void {
  store<f32>(at, accumulate ? load<f32>(at) + value : value);
}
