// im2col / col2im: hand-written column matrices, im2col against its
// definition on random geometry, the adjoint identity ⟨im2col(x), c⟩ =
// ⟨x, col2im(c)⟩, col2im accumulating, and im2col overwriting stale contents.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { col2im, im2col } from "../../src/ops/im2col.js";
import { windowDims, type WindowDims } from "../../src/ops/window.js";
import { expectAdjoint } from "../helpers/adjoint.js";
import { im2colRef } from "../helpers/reference.js";
import { f32, randn64, rng } from "../helpers/random.js";
import { windowGeometry } from "../helpers/geometry.js";

// x (1, 1, 3, 3) = [[1,2,3],[4,5,6],[7,8,9]]
const X = Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9);

function dims(shape: [number, number, number, number], kernel: [number, number], stride: [number, number], padding: [number, number]): WindowDims {
  return windowDims("test", shape, { kernelSize: kernel, stride, padding });
}

function colsOf(x: Float32Array, d: WindowDims): Float32Array {
  const cols = new Float32Array(d.C * d.kH * d.kW * d.N * d.P * d.Q).fill(Number.NaN); // stale garbage must be overwritten
  im2col(cols, x, d);
  return cols;
}

describe("im2col by hand", () => {
  it("3×3 input, 2×2 kernel, stride 1, pad 0: 4 rows (taps) × 4 columns (positions)", () => {
    const d = dims([1, 1, 3, 3], [2, 2], [1, 1], [0, 0]);
    expect([d.P, d.Q]).toEqual([2, 2]);
    // row (u,v), column (p,q) = x[p+u][q+v]
    expect(Array.from(colsOf(X, d))).toEqual([
      1, 2, 4, 5, // tap (0,0)
      2, 3, 5, 6, // tap (0,1)
      4, 5, 7, 8, // tap (1,0)
      5, 6, 8, 9, // tap (1,1)
    ]);
  });

  it("3×3 input, 2×2 kernel, stride 1, pad 1: 4 rows × 16 columns, zeros from the padding", () => {
    const d = dims([1, 1, 3, 3], [2, 2], [1, 1], [1, 1]);
    expect([d.P, d.Q]).toEqual([4, 4]);
    // row (u,v), column (p,q) = x[p+u−1][q+v−1], 0 outside
    expect(Array.from(colsOf(X, d))).toEqual([
      // tap (0,0)
      0, 0, 0, 0, /**/ 0, 1, 2, 3, /**/ 0, 4, 5, 6, /**/ 0, 7, 8, 9,
      // tap (0,1)
      0, 0, 0, 0, /**/ 1, 2, 3, 0, /**/ 4, 5, 6, 0, /**/ 7, 8, 9, 0,
      // tap (1,0)
      0, 1, 2, 3, /**/ 0, 4, 5, 6, /**/ 0, 7, 8, 9, /**/ 0, 0, 0, 0,
      // tap (1,1)
      1, 2, 3, 0, /**/ 4, 5, 6, 0, /**/ 7, 8, 9, 0, /**/ 0, 0, 0, 0,
    ]);
  });

  it("3×3 input, 2×2 kernel, stride 2, pad 1: every pixel copied exactly once", () => {
    const d = dims([1, 1, 3, 3], [2, 2], [2, 2], [1, 1]);
    expect([d.P, d.Q]).toEqual([2, 2]);
    // row (u,v), column (p,q) = x[2p+u−1][2q+v−1]
    expect(Array.from(colsOf(X, d))).toEqual([
      0, 0, 0, 5, // tap (0,0)
      0, 0, 4, 6, // tap (0,1)
      0, 2, 0, 8, // tap (1,0)
      1, 3, 7, 9, // tap (1,1)
    ]);
  });

  it("2 images × 2 channels, 1×2 kernel on 1×3 rows, non-square: rows are (c,u,v), columns (n,p,q)", () => {
    // x[n][c] = one row of 3: n0c0 [1,2,3], n0c1 [4,5,6], n1c0 [7,8,9], n1c1 [10,11,12]
    const x = Float32Array.from({ length: 12 }, (_, i) => i + 1);
    const d = dims([2, 2, 1, 3], [1, 2], [1, 1], [0, 0]);
    expect([d.P, d.Q]).toEqual([1, 2]);
    expect(Array.from(colsOf(x, d))).toEqual([
      1, 2, 7, 8, // c0 v0: (n0,q0) (n0,q1) (n1,q0) (n1,q1)
      2, 3, 8, 9, // c0 v1
      4, 5, 10, 11, // c1 v0
      5, 6, 11, 12, // c1 v1
    ]);
  });

  it("col2im of all ones counts how many windows cover each pixel", () => {
    const d = dims([1, 1, 3, 3], [2, 2], [1, 1], [0, 0]);
    const dx = new Float32Array(9);
    col2im(dx, new Float32Array(16).fill(1), d);
    expect(Array.from(dx)).toEqual([1, 2, 1, 2, 4, 2, 1, 2, 1]);
  });
});

// Random geometry: N, C, H, W, kernel, stride, padding per dimension (non-square), filtered to valid windows.
const geometry = windowGeometry(3, 8);

describe("im2col / col2im on random geometry", () => {
  it("im2col matches its definition", () => {
    fc.assert(
      fc.property(geometry, (geo) => {
        const d = dims([geo.N, geo.C, geo.H, geo.W], [geo.kH, geo.kW], [geo.sH, geo.sW], [geo.pH, geo.pW]);
        const x = f32(randn64(rng(geo.seed), geo.N * geo.C * geo.H * geo.W));
        const expected = im2colRef(x, [geo.N, geo.C, geo.H, geo.W], [geo.kH, geo.kW], [geo.sH, geo.sW], [geo.pH, geo.pW]);
        expect(Array.from(colsOf(x, d))).toEqual(Array.from(expected));
      }),
      { numRuns: 30 },
    );
  });

  it("col2im is the adjoint of im2col: ⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩", () => {
    fc.assert(
      fc.property(geometry, (geo) => {
        const d = dims([geo.N, geo.C, geo.H, geo.W], [geo.kH, geo.kW], [geo.sH, geo.sW], [geo.pH, geo.pW]);
        const g = rng(geo.seed);
        const x = f32(randn64(g, geo.N * geo.C * geo.H * geo.W));
        const c = f32(randn64(g, geo.C * geo.kH * geo.kW * geo.N * d.P * d.Q));
        expectAdjoint(
          (v) => colsOf(v, d),
          (w) => {
            const dx = new Float32Array(x.length);
            col2im(dx, w, d);
            return dx;
          },
          x, c, 1e-5, JSON.stringify(geo),
        );
      }),
      { numRuns: 30 },
    );
  });

  it("col2im accumulates into dx (+=) rather than overwriting it", () => {
    fc.assert(
      fc.property(geometry, (geo) => {
        const d = dims([geo.N, geo.C, geo.H, geo.W], [geo.kH, geo.kW], [geo.sH, geo.sW], [geo.pH, geo.pW]);
        const g = rng(geo.seed);
        const c = f32(randn64(g, geo.C * geo.kH * geo.kW * geo.N * d.P * d.Q));
        const prior = f32(randn64(g, geo.N * geo.C * geo.H * geo.W));
        const fresh = new Float32Array(prior.length);
        col2im(fresh, c, d);
        const acc = Float32Array.from(prior);
        col2im(acc, c, d);
        for (let i = 0; i < acc.length; i++) {
          // The same float32 additions in a different starting value: allow rounding of the sum only.
          expect(Math.abs(acc[i]! - (prior[i]! + fresh[i]!))).toBeLessThanOrEqual(1e-5 * (Math.abs(prior[i]!) + Math.abs(fresh[i]!) + 1));
        }
      }),
      { numRuns: 20 },
    );
  });
});
