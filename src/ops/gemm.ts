// gemm — general matrix multiply, the workhorse under conv2d and linear.
//
//   C (+)= op(A) · op(B)        C[i,j] (+)= Σ_k op(A)[i,k] · op(B)[k,j]
//
// Dimensions: M rows of C, N columns of C, K the summed (inner) dimension.
// All matrices are row-major and contiguous:
//   op(A) = A  stored (M, K)   or  Aᵀ with A stored (K, M)   (transA)
//   op(B) = B  stored (K, N)   or  Bᵀ with B stored (N, K)   (transB)
//   C          stored (M, N)
// gemm is linear in A and in B, so its own backward is two more gemms:
//   dA = dC · op(B)ᵀ,  dB = op(A)ᵀ · dC  (docs/gemm.md), which is why all four
// transpose combinations exist: conv2d and linear each use three of them.
//
// gemmNaive is the reference: three loops, a float64 running sum. gemm gives
// the same numbers bit for bit (the same float64 sum over k, in the same order,
// rounded once on store) several times faster by computing a 4×4 block of C at
// a time in 16 local variables, so each value of A and B it loads is used 4 times.

import { TorchletError, allocFloat32, formatShape, checkArity } from "../errors.js";
import { Tensor, expectTensor, record } from "../tensor/tensor.js";
import { activeBackend, kernel } from "../backend/dispatch.js";

/** Sizes and flags of one multiply: C (M×N) (+)= op(A) (M×K) · op(B) (K×N). */
export interface GemmDims {
  /** Rows of C and of op(A). */
  M: number;
  /** Columns of C and of op(B). */
  N: number;
  /** Columns of op(A) = rows of op(B): the summed dimension. */
  K: number;
  /** A is stored (K, M) and used transposed. */
  transA: boolean;
  /** B is stored (N, K) and used transposed. */
  transB: boolean;
  /** Add into C (`C += ...`) instead of overwriting it. */
  accumulate: boolean;
}

/** Memory strides of op(A)[i,k] and op(B)[k,j]: how far to step for the next i, k, j. */
interface Strides {
  aI: number;
  aK: number;
  bK: number;
  bJ: number;
}

function strides(d: GemmDims): Strides {
  return {
    aI: d.transA ? 1 : d.K, // A (M, K): next row is K floats on;  Aᵀ from (K, M): 1
    aK: d.transA ? d.M : 1,
    bK: d.transB ? 1 : d.N, // B (K, N): next row is N floats on;  Bᵀ from (N, K): 1
    bJ: d.transB ? d.K : 1,
  };
}

/**
 * Reference multiply: C (+)= op(A)·op(B) by the definition, summing in float64.
 * Never allocates. Slow; it is the yardstick `gemm` is tested and benchmarked against.
 */
export function gemmNaive(c: Float32Array, a: Float32Array, b: Float32Array, dims: GemmDims): void {
  gemmNaiveBlock(c, a, b, dims, strides(dims), 0, dims.M, 0, dims.N);
}

// C[i,j] for i in [i0, i1), j in [j0, j1): the definition, one dot product per element.
function gemmNaiveBlock(
  c: Float32Array, // (M, N)
  a: Float32Array, // (M, K) or (K, M)
  b: Float32Array, // (K, N) or (N, K)
  d: GemmDims,
  s: Strides,
  i0: number, i1: number, j0: number, j1: number,
): void {
  const { N, K } = d;
  for (let i = i0; i < i1; i++) {
    for (let j = j0; j < j1; j++) {
      let sum = 0;
      for (let k = 0; k < K; k++) sum += a[i * s.aI + k * s.aK]! * b[k * s.bK + j * s.bJ]!;
      c[i * N + j] = d.accumulate ? c[i * N + j]! + sum : sum;
    }
  }
}

/**
 * C (+)= op(A)·op(B), register-blocked. Same contract as {@link gemmNaive}.
 * @example
 * // C (2×2) = A (2×3) · B (3×2)
 * gemm(c, a, b, { M: 2, N: 2, K: 3, transA: false, transB: false, accumulate: false });
 */
export function gemm(c: Float32Array, a: Float32Array, b: Float32Array, dims: GemmDims): void {
  const { M, N, K, accumulate } = dims;
  const s = strides(dims);
  const { aI, aK, bK, bJ } = s;
  const M4 = M - (M % 4);
  const N4 = N - (N % 4);
  for (let i = 0; i < M4; i += 4) {
    for (let j = 0; j < N4; j += 4) {
      // One 4×4 block of C in 16 locals: per k, 4 loads of A and 4 of B feed 16 multiply-adds.
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
      let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
      let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      let pa = i * aI; // op(A)[i, k]
      let pb = j * bJ; // op(B)[k, j]
      for (let k = 0; k < K; k++) {
        const a0 = a[pa]!, a1 = a[pa + aI]!, a2 = a[pa + 2 * aI]!, a3 = a[pa + 3 * aI]!;
        const b0 = b[pb]!, b1 = b[pb + bJ]!, b2 = b[pb + 2 * bJ]!, b3 = b[pb + 3 * bJ]!;
        c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
        c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
        c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
        c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
        pa += aK;
        pb += bK;
      }
      storeRow(c, i * N + j, accumulate, c00, c01, c02, c03);
      storeRow(c, (i + 1) * N + j, accumulate, c10, c11, c12, c13);
      storeRow(c, (i + 2) * N + j, accumulate, c20, c21, c22, c23);
      storeRow(c, (i + 3) * N + j, accumulate, c30, c31, c32, c33);
    }
  }
  // The ragged edges (fewer than 4 rows or columns left) take the reference path.
  gemmNaiveBlock(c, a, b, dims, s, 0, M4, N4, N);
  gemmNaiveBlock(c, a, b, dims, s, M4, M, 0, N);
}

function storeRow(c: Float32Array, p: number, accumulate: boolean, v0: number, v1: number, v2: number, v3: number): void {
  if (accumulate) {
    c[p] += v0; c[p + 1] += v1; c[p + 2] += v2; c[p + 3] += v3;
  } else {
    c[p] = v0; c[p + 1] = v1; c[p + 2] = v2; c[p + 3] = v3;
  }
}

/**
 * Matrix product of 2-D tensors: a (M, K) · b (K, N) → (M, N), with autograd.
 * @throws TorchletError when the inner dimensions differ or an input is not 2-D.
 * @example matmul(tensor([[1, 2]]), tensor([[3], [4]])).item() // 11
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkArity("matmul", arguments, ["a", "b"]);
  expectTensor("matmul", "a", a);
  expectTensor("matmul", "b", b);
  if (a.ndim !== 2 || b.ndim !== 2 || a.shape[1] !== b.shape[0]) {
    throw new TorchletError("matmul", "SHAPE_MISMATCH", `needs (M, K) · (K, N), got ${formatShape(a.shape)} · ${formatShape(b.shape)}`);
  }
  const [M, K] = a.shape as [number, number];
  const N = b.shape[1]!;
  const backend = activeBackend(); // one backend for the forward and its backward
  const c = allocFloat32("matmul", M * N);
  kernel(gemm, backend)(c, a.data, b.data, { M, N, K, transA: false, transB: false, accumulate: false });
  return record("matmul", c, [M, N], [a, b], (dc, [da, db]) => {
    // ∂(AB)/∂A: dA (M, K) += dC · Bᵀ;  ∂(AB)/∂B: dB (K, N) += Aᵀ · dC
    if (da) kernel(gemm, backend)(da, dc, b.data, { M, N: K, K: N, transA: false, transB: true, accumulate: true });
    if (db) kernel(gemm, backend)(db, a.data, dc, { M: K, N, K: M, transA: true, transB: false, accumulate: true });
  });
}
