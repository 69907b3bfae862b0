// gemm in WebAssembly SIMD (AssemblyScript): the fast twin of src/ops/gemm.ts.
//
//   C (+)= op(A) · op(B),   C[i,j] (+)= Σ_k op(A)[i,k] · op(B)[k,j]
//
// Same contract as the TypeScript kernel, with explicit strides so a caller
// can hand a block of rows or columns to each thread:
//   op(A)[i,k] at a + 4·(i·aI + k·aK),  op(B)[k,j] at b + 4·(k·bK + j·bJ),  C[i,j] at c + 4·(i·ldc + j).
//
// The classic blocked layout (Goto & van de Geijn): copy a KC×NC block of
// op(B) into column panels NR wide, and an MC×KC block of op(A) into row
// panels MR tall, both contiguous in the order the micro-kernel reads them;
// then every MR×NR tile of C is a rank-KC update held in 8 SIMD registers.
// Packing absorbs the transposes, so one micro-kernel serves all four cases,
// and zero-padding the panels absorbs the ragged edges.

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
  const packA = work;
  const packB = work + <usize>(MC * KC) * 4;
  const tile = packB + <usize>(KC * NC) * 4;
  for (let jc = 0; jc < N; jc += NC) {
    const nc = min(NC, N - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = min(KC, K - pc);
      packPanelsB(packB, b + <usize>(pc * bK + jc * bJ) * 4, bK, bJ, kc, nc);
      // The first K block overwrites C unless asked to accumulate; later blocks always add.
      const add = accumulate || pc > 0;
      for (let ic = 0; ic < M; ic += MC) {
        const mc = min(MC, M - ic);
        packPanelsA(packA, a + <usize>(ic * aI + pc * aK) * 4, aI, aK, mc, kc);
        for (let jr = 0; jr < nc; jr += NR) {
          for (let ir = 0; ir < mc; ir += MR) {
            const pa = packA + <usize>(ir * kc) * 4;
            const pb = packB + <usize>(jr * kc) * 4;
            const pcTile = c + <usize>((ic + ir) * ldc + jc + jr) * 4;
            const rows = min(MR, mc - ir), cols = min(NR, nc - jr);
            if (rows == MR && cols == NR) {
              microKernel(pcTile, ldc, pa, pb, kc, add);
            } else {
              microKernel(tile, NR, pa, pb, kc, false);
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
@inline function microKernel(c: usize, ldc: i32, pa: usize, pb: usize, kc: i32, add: bool): void {
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
    pb += 32;
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
