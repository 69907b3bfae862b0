// gemm (register-blocked) against gemmNaive and a float64 reference for every
// transpose layout, gemmNaive against a hand-computed product, the accumulate
// flag, gemm's adjoint identities, and the matmul Tensor op with its gradients.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { gemm, gemmNaive, matmul, type GemmDims } from "../../src/ops/gemm.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { tensor } from "../../src/tensor/create.js";
import { expectAdjoint } from "../helpers/adjoint.js";
import { checkGradients } from "../helpers/gradcheck.js";
import { expectAllClose } from "../helpers/close.js";
import { matmulRef } from "../helpers/reference.js";
import { f32, randn64, rng } from "../helpers/random.js";

const LAYOUTS: readonly { transA: boolean; transB: boolean }[] = [
  { transA: false, transB: false },
  { transA: false, transB: true },
  { transA: true, transB: false },
  { transA: true, transB: true },
];
const layoutName = (l: { transA: boolean; transB: boolean }): string => `${l.transA ? "Aᵀ" : "A"}·${l.transB ? "Bᵀ" : "B"}`;

// |C| bound per element: Σ_k |op(A)[i,k]|·|op(B)[k,j]| (+ |C0| when accumulating), in float64.
function absScale(a: Float32Array, b: Float32Array, d: GemmDims, c0: Float32Array | null): Float64Array {
  const s = matmulRef(a.map(Math.abs), b.map(Math.abs), d.M, d.K, d.N, d.transA, d.transB);
  if (c0) for (let i = 0; i < s.length; i++) s[i] += Math.abs(c0[i]!);
  return s;
}

// |actual − expected| ≤ rtol·scale + atol, elementwise.
function expectWithinScale(actual: Float32Array, expected: ArrayLike<number>, scale: Float64Array, rtol: number, what: string): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const err = Math.abs(actual[i]! - expected[i]!);
    if (!(err <= rtol * scale[i]! + 1e-30)) expect.fail(`${what}: element ${i} is ${actual[i]} but expected ${expected[i]} (scale ${scale[i]})`);
  }
}

describe("gemmNaive by hand", () => {
  // A (2×3) = [[1,2,3],[4,5,6]], B (3×2) = [[7,8],[9,10],[11,12]]
  // A·B = [[1·7+2·9+3·11, 1·8+2·10+3·12], [4·7+5·9+6·11, 4·8+5·10+6·12]] = [[58, 64], [139, 154]]
  const A = [1, 2, 3, 4, 5, 6]; // stored (M=2, K=3)
  const At = [1, 4, 2, 5, 3, 6]; // Aᵀ stored (K=3, M=2), written out by hand
  const B = [7, 8, 9, 10, 11, 12]; // stored (K=3, N=2)
  const Bt = [7, 9, 11, 8, 10, 12]; // Bᵀ stored (N=2, K=3), written out by hand
  const AB = [58, 64, 139, 154];

  for (const layout of LAYOUTS) {
    it(`${layoutName(layout)} with transposed storage built by hand gives [[58,64],[139,154]]`, () => {
      const a = Float32Array.from(layout.transA ? At : A);
      const b = Float32Array.from(layout.transB ? Bt : B);
      for (const kernel of [gemmNaive, gemm]) {
        const c = new Float32Array(4).fill(Number.NaN); // overwritten, not read, when accumulate is off
        kernel(c, a, b, { M: 2, N: 2, K: 3, ...layout, accumulate: false });
        expect(Array.from(c), kernel.name).toEqual(AB);
        kernel(c, a, b, { M: 2, N: 2, K: 3, ...layout, accumulate: true });
        expect(Array.from(c), `${kernel.name} accumulate`).toEqual(AB.map((v) => 2 * v));
      }
    });
  }

  it("gives the 1×1 and K = 1 (outer product) cases", () => {
    const c = new Float32Array(1);
    gemmNaive(c, Float32Array.of(3), Float32Array.of(-4), { M: 1, N: 1, K: 1, transA: false, transB: false, accumulate: false });
    expect(c[0]).toBe(-12);
    const outer = new Float32Array(6);
    // [1, 2]ᵀ (2×1) · [3, 4, 5] (1×3)
    gemmNaive(outer, Float32Array.of(1, 2), Float32Array.of(3, 4, 5), { M: 2, N: 3, K: 1, transA: false, transB: false, accumulate: false });
    expect(Array.from(outer)).toEqual([3, 4, 5, 6, 8, 10]);
  });

  it("with K = 0 writes zeros (an empty sum), or leaves C unchanged when accumulating", () => {
    const c = Float32Array.of(5, 6);
    gemm(c, new Float32Array(0), new Float32Array(0), { M: 1, N: 2, K: 0, transA: false, transB: false, accumulate: true });
    expect(Array.from(c)).toEqual([5, 6]);
    gemm(c, new Float32Array(0), new Float32Array(0), { M: 1, N: 2, K: 0, transA: false, transB: false, accumulate: false });
    expect(Array.from(c)).toEqual([0, 0]);
  });
});

describe("gemm vs gemmNaive and the float64 reference", () => {
  const size = fc.constantFrom(1, 2, 3, 4, 5, 7, 17, 33, 255);

  it("agree for every layout, accumulate on and off, on awkward M, N, K", () => {
    fc.assert(
      fc.property(size, size, size, fc.integer({ min: 0, max: 2 ** 31 - 1 }), (M, N, K, seed) => {
        // 255³ would be slow in the float64 reference; keep the product moderate.
        fc.pre(M * N * K <= 255 * 255 * 33);
        const g = rng(seed);
        const a = f32(randn64(g, M * K));
        const b = f32(randn64(g, K * N));
        const c0 = f32(randn64(g, M * N));
        for (const layout of LAYOUTS) {
          const ref = matmulRef(a, b, M, K, N, layout.transA, layout.transB);
          for (const accumulate of [false, true]) {
            const d: GemmDims = { M, N, K, ...layout, accumulate };
            const fast = Float32Array.from(c0);
            const naive = Float32Array.from(c0);
            gemm(fast, a, b, d);
            gemmNaive(naive, a, b, d);
            const expected = accumulate ? ref.map((v, i) => v + c0[i]!) : ref;
            const scale = absScale(a, b, d, accumulate ? c0 : null);
            const what = `${layoutName(layout)} M=${M} N=${N} K=${K} accumulate=${accumulate}`;
            // gemmNaive sums in float64 and rounds once (twice with accumulate): within 2 ulps of the scale.
            expectWithinScale(naive, expected, scale, 2 ** -22, `gemmNaive ${what}`);
            expectWithinScale(fast, expected, scale, 2 ** -20, `gemm ${what}`);
            expectWithinScale(fast, naive, scale, 2 ** -20, `gemm vs gemmNaive ${what}`);
          }
        }
      }),
      { numRuns: 30 },
    );
  });

  it("agree on fixed large awkward shapes (255 in each position)", () => {
    const g = rng(255);
    for (const [M, N, K] of [[255, 17, 33], [33, 255, 7], [17, 5, 255], [1, 255, 3]] as const) {
      const a = f32(randn64(g, M * K));
      const b = f32(randn64(g, K * N));
      const c0 = f32(randn64(g, M * N));
      for (const layout of LAYOUTS) {
        for (const accumulate of [false, true]) {
          const d: GemmDims = { M, N, K, ...layout, accumulate };
          const fast = Float32Array.from(c0);
          const naive = Float32Array.from(c0);
          gemm(fast, a, b, d);
          gemmNaive(naive, a, b, d);
          expectWithinScale(fast, naive, absScale(a, b, d, accumulate ? c0 : null), 2 ** -20, `${layoutName(layout)} ${M}×${N}×${K} accumulate=${accumulate}`);
        }
      }
    }
  });

  it("accumulate adds to C's prior contents and overwrite ignores them", () => {
    const g = rng(7);
    const [M, N, K] = [5, 6, 7]; // crosses the 4×4 block edge in both directions
    const a = f32(randn64(g, M * K));
    const b = f32(randn64(g, K * N));
    for (const layout of LAYOUTS) {
      const product = new Float32Array(M * N);
      gemm(product, a, b, { M, N, K, ...layout, accumulate: false });
      const prior = Float32Array.from({ length: M * N }, (_, i) => 100 + i);
      const acc = Float32Array.from(prior);
      gemm(acc, a, b, { M, N, K, ...layout, accumulate: true });
      expectAllClose(acc, product.map((v, i) => v + prior[i]!), 0, 1e-4, `${layoutName(layout)} accumulate`);
      const over = new Float32Array(M * N).fill(Number.NaN);
      gemm(over, a, b, { M, N, K, ...layout, accumulate: false });
      expect(Array.from(over), `${layoutName(layout)} overwrite`).toEqual(Array.from(product));
    }
  });

  it("does not write past C or read outside A and B (exact-size buffers, no NaNs)", () => {
    const g = rng(8);
    for (const [M, N, K] of [[4, 4, 4], [5, 9, 3], [8, 1, 17]] as const) {
      for (const layout of LAYOUTS) {
        const a = f32(randn64(g, M * K));
        const b = f32(randn64(g, K * N));
        const c = new Float32Array(M * N);
        gemm(c, a, b, { M, N, K, ...layout, accumulate: false });
        expect(c.every(Number.isFinite), `${layoutName(layout)} ${M}×${N}×${K}`).toBe(true);
        expect(c.length).toBe(M * N);
      }
    }
  });
});

describe("gemm adjoints (gemm is linear in A and in B)", () => {
  it("⟨op(A)·op(B), G⟩ = ⟨A, ∂/∂A⟩ = ⟨B, ∂/∂B⟩ with the adjoints computed by gemm itself", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (M, N, K, seed) => {
        const g = rng(seed);
        const a = f32(randn64(g, M * K));
        const b = f32(randn64(g, K * N));
        const G = f32(randn64(g, M * N));
        for (const { transA, transB } of LAYOUTS) {
          const what = `${layoutName({ transA, transB })} M=${M} N=${N} K=${K}`;
          // In A (B fixed). Stored A is (M, K), or (K, M) when transA.
          expectAdjoint(
            (v) => { const c = new Float32Array(M * N); gemm(c, v, b, { M, N, K, transA, transB, accumulate: false }); return c; },
            (w) => {
              const da = new Float32Array(M * K);
              if (!transA) gemm(da, w, b, { M, N: K, K: N, transA: false, transB: !transB, accumulate: false }); // dA = G · op(B)ᵀ
              else gemm(da, b, w, { M: K, N: M, K: N, transA: transB, transB: true, accumulate: false }); // dAᵀ = op(B) · Gᵀ
              return da;
            },
            a, G, 1e-5, `in A, ${what}`,
          );
          // In B (A fixed). Stored B is (K, N), or (N, K) when transB.
          expectAdjoint(
            (v) => { const c = new Float32Array(M * N); gemm(c, a, v, { M, N, K, transA, transB, accumulate: false }); return c; },
            (w) => {
              const db = new Float32Array(K * N);
              if (!transB) gemm(db, a, w, { M: K, N, K: M, transA: !transA, transB: false, accumulate: false }); // dB = op(A)ᵀ · G
              else gemm(db, w, a, { M: N, N: K, K: M, transA: true, transB: transA, accumulate: false }); // dBᵀ = Gᵀ · op(A)
              return db;
            },
            b, G, 1e-5, `in B, ${what}`,
          );
        }
      }),
      { numRuns: 20 },
    );
  });
});

describe("matmul (Tensor op)", () => {
  it("computes [[1,2]]·[[3],[4]] = 11 and the hand example", () => {
    expect(matmul(tensor([[1, 2]]), tensor([[3], [4]])).item()).toBe(11);
    const c = matmul(tensor([[1, 2, 3], [4, 5, 6]]), tensor([[7, 8], [9, 10], [11, 12]]));
    expect(c.shape).toEqual([2, 2]);
    expect(c.toArray()).toEqual([[58, 64], [139, 154]]);
  });

  it("has hand-computed gradients for a sum loss", () => {
    // L = Σ_ij (AB)_ij: dA[i,k] = Σ_j B[k,j], dB[k,j] = Σ_i A[i,k]
    const a = tensor([[1, 2, 3], [4, 5, 6]], undefined, { requiresGrad: true });
    const b = tensor([[7, 8], [9, 10], [11, 12]], undefined, { requiresGrad: true });
    matmul(a, b).backward(tensor([[1, 1], [1, 1]]));
    expect(a.grad!.toArray()).toEqual([[15, 19, 23], [15, 19, 23]]);
    expect(b.grad!.toArray()).toEqual([[5, 5], [7, 7], [9, 9]]);
  });

  it("gradcheck of both inputs on random shapes", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (M, K, N, seed) => {
        const g = rng(seed);
        checkGradients({
          inputs: [
            { name: "a", data: randn64(g, M * K), shape: [M, K] },
            { name: "b", data: randn64(g, K * N), shape: [K, N] },
          ],
          reference: ([a, b]) => matmulRef(a!, b!, M, K, N),
          op: ([a, b]) => matmul(a!, b!),
          generator: g,
        });
      }),
      { numRuns: 20 },
    );
  });

  it("gives a gradient only to the inputs that require one", () => {
    const a = tensor([[1, 2]]);
    const b = tensor([[3], [4]], undefined, { requiresGrad: true });
    matmul(a, b).backward();
    expect(a.grad).toBeNull();
    expect(b.grad!.toArray()).toEqual([[1], [2]]);
    expect(b.grad).toBeInstanceOf(Tensor);
  });
});
