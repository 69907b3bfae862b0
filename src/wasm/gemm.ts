// gemm in WebAssembly SIMD (AssemblyScript): the fast twin of src/ops/gemm.ts.
//
//   C (+)= op(A) · op(B),   C[i,j] (+)= Σ_k op(A)[i,k] · op(B)[k,j]
//
// Same contract and the same dims (GemmDims) as the TypeScript kernel, plus
// a band of rows [start, end) of C so threads can split one multiply:
//   op(A)[i,k] at a + 4·(i·aI + k·aK),  op(B)[k,j] at b + 4·(k·bK + j·bJ),  C[i,j] at c + 4·(i·N + j),
// with the strides aI, aK, bK, bJ read off the transposes as in src/ops/gemm.ts.
//
// Two paths:
// - The classic blocked layout (Goto & van de Geijn): copy an MC×KC block of
//   op(A) into row panels MR tall, contiguous in the order the micro-kernel
//   reads them, and do the same for op(B) in column panels NR wide, except
//   where B's rows are already contiguous (no transpose): those are read in
//   place, eight floats per k. Every MR×NR tile of C is then a rank-KC update
//   held in 8 SIMD registers. Packing absorbs the transposes and zero-padding
//   the ragged edges, so one micro-kernel serves every case.
// - When both op(A)'s rows and op(B)'s columns run along k in memory (C = A·Bᵀ:
//   linear's forward and conv2d's weight gradient; linear's weight gradient,
//   dyᵀ·x, is packed), every C[i,j] is a dot product of two contiguous rows:
//   gemmDotNT does 2×4 of them at a time, four k's per SIMD step, no packing.

import { mad } from "./simd";

const MR: i32 = 4; // rows of a C tile (A values broadcast per k)
const NR: i32 = 8; // columns of a C tile (two f32x4 vectors of B per k)
const KC: i32 = 256; // depth of a block: one A panel + one B panel stay in L1
const MC: i32 = 64; // rows of op(A) packed at once (64·256·4 B = 64 KiB, L2)
const NC: i32 = 2048; // columns of op(B) packed at once (256·2048·4 B = 2 MiB, L3)
const SLOT: i32 = 64; // bytes at the start of a workspace for a GemmDims (see gemmSlot)

/**
 * One multiply: the fields of GemmDims in src/ops/gemm.ts (flags as 0/1), in this order,
 * plus this call's band of rows of C and its workspace. Written by the wrapper
 * (src/backend/wasm-dims.ts) or, for a kernel that calls gemm, by gemmSlot.
 */
@unmanaged
export class GemmDims {
  M: i32;
  N: i32;
  K: i32;
  transA: i32;
  transB: i32;
  accumulate: i32;
  /** The rows [start, end) of C this call computes (a thread's band). */
  start: i32;
  end: i32;
  /** Scratch of gemmWorkspaceBytes(). */
  work: usize;
}

/** Bytes of scratch gemm needs: a GemmDims slot, packed A and B blocks, one spill tile. */
export function gemmWorkspaceBytes(): i32 {
  return SLOT + (MC * KC + KC * NC + MR * NR) * 4;
}

/**
 * The GemmDims at the start of workspace `work`, set to C (M×N) = A (M×K) · B (K×N) over all M rows:
 * for kernels (conv2d, linear) that call gemm. The caller sets transA, transB, accumulate, start, end by name.
 */
export function gemmSlot(work: usize, M: i32, N: i32, K: i32): GemmDims {
  const d = changetype<GemmDims>(work);
  d.M = M; d.N = N; d.K = K;
  d.transA = 0; d.transB = 0; d.accumulate = 0;
  d.start = 0; d.end = M;
  d.work = work;
  return d;
}

/** C (+)= op(A) · op(B) for the rows [d.start, d.end) of C. */
export function gemm(c: usize, a: usize, b: usize, d: GemmDims): void {
  gemmInline(c, a, b, d);
}

/**
 * gemm's body, inlined into one caller besides gemm: conv2dForward, so that the
 * loop of a convolution on the im2col + gemm path runs in the export's own frame
 * (docs/reading-the-fast-path.md counts the calls). One more copy, not one per caller:
 * inlining it everywhere grew the module from 170 to 225 KB for no measured gain.
 */
// @ts-ignore: decorator
@inline export function gemmInline(c: usize, a: usize, b: usize, d: GemmDims): void {
  const N = d.N, K = d.K, M = d.end - d.start;
  // Where op(A)[i,k] and op(B)[k,j] are, as strides() in src/ops/gemm.ts.
  const aI = d.transA != 0 ? 1 : K, aK = d.transA != 0 ? d.M : 1, bK = d.transB != 0 ? 1 : N, bJ = d.transB != 0 ? K : 1;
  if (M <= 0 || N <= 0) return;
  c += <usize>(d.start * N) * 4;
  a += <usize>(d.start * aI) * 4;
  // With one block of k (K ≤ KC) every tile of C is written once, so a product that does not accumulate
  // stores its tiles instead of adding them to a zeroed C (conv2d's dx product, K = 16, was a third
  // zeroing and re-reading C). Otherwise C is zeroed first unless accumulating, and every tile adds into it.
  const overwrite = d.accumulate == 0 && K > 0 && K <= KC && !(aK == 1 && bK == 1);
  if (d.accumulate == 0 && !overwrite) memory.fill(c, 0, <usize>(M * N) * 4);
  if (K <= 0) return;
  if (aK == 1 && bK == 1) {
    gemmDotNT(c, a, b, d);
    return;
  }
  const packA = d.work + SLOT;
  const packB = packA + <usize>(MC * KC) * 4;
  const tile = packB + <usize>(KC * NC) * 4;
  const ldc = N;
  for (let jc = 0; jc < N; jc += NC) {
    const nc = min(NC, N - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = min(KC, K - pc);
      // Rows of op(B) that are contiguous (bJ = 1) are read in place, eight floats per k; otherwise packed.
      const direct = bJ == 1;
      const nFull = direct ? nc & ~(NR - 1) : 0; // columns read in place; the ragged rest is packed
      if (nc > nFull) packPanelsB(packB, b + <usize>(pc * bK + (jc + nFull) * bJ) * 4, bK, bJ, kc, nc - nFull);
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
              microKernel(pcTile, ldc, pa, pb, bStride, kc, overwrite);
            } else {
              microKernel(tile, NR, pa, pb, bStride, kc, true);
              addEdge(pcTile, ldc, tile, rows, cols, overwrite);
            }
          }
        }
      }
    }
  }
}

// C tile (4×8) += A panel (kc×4, k-major) · B panel (kc×8, k-major); = instead of += when overwrite.
// @ts-ignore: decorator
@inline function microKernel(c: usize, ldc: i32, pa: usize, pb: usize, bStride: usize, kc: i32, overwrite: bool): void {
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
  if (!overwrite) {
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

// Adds the valid rows×cols corner of a spilled 4×8 tile into C (copies it when overwrite).
function addEdge(c: usize, ldc: i32, tile: usize, rows: i32, cols: i32, overwrite: bool): void {
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const dst = c + <usize>(i * ldc + j) * 4, value = load<f32>(tile + <usize>(i * NR + j) * 4);
      store<f32>(dst, overwrite ? value : load<f32>(dst) + value);
    }
  }
}

// op(B) block (kc × nc) → panels of NR columns, each kc×NR, k-major, zero-padded on the right.
// Twin of packPanelsA (columns for rows, NR for MR, its own SIMD copy), kept apart so each reads on one screen.
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
    } else if (cols >= 4 && bJ == 1) {
      // The ragged last panel of contiguous rows (LeNet's conv2: 100 columns = 12·8 + 4): four floats, then one at a time.
      for (let k = 0; k < kc; k++) {
        const row = src + <usize>(k * bK) * 4;
        v128.store(dst, v128.load(row));
        for (let j = 4; j < NR; j++) store<f32>(dst + <usize>j * 4, j < cols ? load<f32>(row + <usize>j * 4) : 0);
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
// Twin of packPanelsB (rows for columns, MR for NR, its own SIMD copy), kept apart so each reads on one screen.
function packPanelsA(dst: usize, a: usize, aI: i32, aK: i32, mc: i32, kc: i32): void {
  for (let i0 = 0; i0 < mc; i0 += MR) {
    const rows = min(MR, mc - i0);
    const src = a + <usize>(i0 * aI) * 4;
    let k = 0; // the k's a vector path below leaves, the scalar loop at the end packs
    if (rows == MR && aI == 1) {
      // op(A) columns are contiguous (A stored transposed): four floats at a time.
      for (; k < kc; k++) {
        v128.store(dst, v128.load(src + <usize>(k * aK) * 4));
        dst += MR * 4;
      }
    } else if (rows == MR && aK == 1) {
      // op(A) rows are contiguous (conv2d's weights, row-major): four k's of four rows, transposed in registers.
      const lda = <usize>aI * 4;
      for (; k + 4 <= kc; k += 4) {
        const at = src + <usize>k * 4;
        transpose4Store(dst, v128.load(at), v128.load(at + lda), v128.load(at + 2 * lda), v128.load(at + 3 * lda));
        dst += 4 * MR * 4;
      }
    }
    for (; k < kc; k++) {
      for (let i = 0; i < MR; i++) {
        store<f32>(dst + <usize>i * 4, i < rows ? load<f32>(src + <usize>(i * aI + k * aK) * 4) : 0);
      }
      dst += MR * 4;
    }
  }
}

// dst[0…16) = the 4×4 block whose rows are r0…r3, transposed: column j of the block as dst[4j…4j+4).
// @ts-ignore: decorator
@inline function transpose4Store(dst: usize, r0: v128, r1: v128, r2: v128, r3: v128): void {
  const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5); // r0₀ r1₀ r0₁ r1₁, r2₀ r3₀ r2₁ r3₁
  const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7), t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
  v128.store(dst, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7), 16);
  v128.store(dst, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5), 32);
  v128.store(dst, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7), 48);
}

// C[i,j] += Σ_k A[i,k]·B[j,k] (C = A·Bᵀ: rows of A and of B both run along k, K floats apart; C's rows N apart):
// dot products of rows, 2 rows of A × 4 rows of B at a time (8 accumulators), four k's per SIMD step.
// c and a point at the band's first row. A ragged edge re-reads a valid row and drops its result.
function gemmDotNT(c: usize, a: usize, b: usize, d: GemmDims): void {
  const M = d.end - d.start, N = d.N, K = d.K, lda = K, ldb = K, ldc = N;
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
      const c0 = c + <usize>(i0 * ldc + j0) * 4, cols = min(4, N - j0);
      addDots(c0, sum4(s00, s01, s02, s03), a0, b0, b1, b2, b3, K4, K, cols);
      if (i0 + 1 < M) addDots(c0 + <usize>ldc * 4, sum4(s10, s11, s12, s13), a1, b0, b1, b2, b3, K4, K, cols);
    }
  }
}

// [Σ lanes of s0, … of s3]: the four partial dot products of one row of A, summed across lanes by a 4×4
// transpose (unpack and move shuffles, one instruction each) and adds, instead of 16 lane extractions.
// @ts-ignore: decorator
@inline export function sum4(s0: v128, s1: v128, s2: v128, s3: v128): v128 {
  const u0 = f32x4.add(v128.shuffle<f32>(s0, s1, 0, 4, 1, 5), v128.shuffle<f32>(s0, s1, 2, 6, 3, 7)); // s0₀+s0₂, s1₀+s1₂, s0₁+s0₃, s1₁+s1₃
  const u1 = f32x4.add(v128.shuffle<f32>(s2, s3, 0, 4, 1, 5), v128.shuffle<f32>(s2, s3, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(u0, u1, 0, 1, 4, 5), v128.shuffle<f32>(u0, u1, 2, 3, 6, 7));
}

// C[i, j0 … j0+cols) += sums plus the k's past the last multiple of four (x: A's row; y0…y3: B's rows j0…j0+3).
// @ts-ignore: decorator
@inline function addDots(c: usize, sums: v128, x: usize, y0: usize, y1: usize, y2: usize, y3: usize, K4: i32, K: i32, cols: i32): void {
  if (cols == 4 && K4 == K) {
    v128.store(c, f32x4.add(v128.load(c), sums));
    return;
  }
  addDot(c, f32x4.extract_lane(sums, 0) + dotTail(x, y0, K4, K));
  if (cols > 1) addDot(c + 4, f32x4.extract_lane(sums, 1) + dotTail(x, y1, K4, K));
  if (cols > 2) addDot(c + 8, f32x4.extract_lane(sums, 2) + dotTail(x, y2, K4, K));
  if (cols > 3) addDot(c + 12, f32x4.extract_lane(sums, 3) + dotTail(x, y3, K4, K));
}

// Σ x[k]·y[k] over the k's past the last multiple of four.
// @ts-ignore: decorator
@inline function dotTail(x: usize, y: usize, K4: i32, K: i32): f32 {
  let total: f32 = 0;
  for (let k = K4; k < K; k++) total += load<f32>(x + <usize>k * 4) * load<f32>(y + <usize>k * 4);
  return total;
}

// @ts-ignore: decorator
@inline function addDot(at: usize, value: f32): void {
  store<f32>(at, load<f32>(at) + value);
}
