// The test helpers themselves: each check must be able to fail. A gradient
// check that passes a wrong backward, or an adjoint check that accepts a wrong
// transpose, would make every test built on it vacuous.

import { describe, expect, it } from "vitest";
import { record, Tensor } from "../../src/tensor/tensor.js";
import { expectAdjoint, dot64 } from "../helpers/adjoint.js";
import { checkGradients, numericGrad } from "../helpers/gradcheck.js";
import { expectAllClose, relativeError } from "../helpers/close.js";
import { avgPool2dRef, conv2dRef, crossEntropyRef, im2colRef, linearRef, matmulRef, maxPool2dRef, outSize, softmaxRef } from "../helpers/reference.js";
import { distinct64, randn64, rng, uniform64 } from "../helpers/random.js";

// y = x² elementwise, with a backward that can be made wrong on purpose.
function square(x: Tensor, factor = 2): Tensor {
  const y = x.data.map((v) => v * v);
  return record("square", y, x.shape, [x], (dy, [dx]) => {
    if (dx) for (let i = 0; i < dy.length; i++) dx[i] += factor * x.data[i]! * dy[i]!;
  });
}

describe("gradcheck helpers", () => {
  it("numericGrad differentiates x³ and sin in float64", () => {
    const x = Float64Array.of(-1.5, 0, 0.5, 2);
    const g = numericGrad((v) => v.reduce((s, t) => s + t ** 3, 0), x);
    expectAllClose(g, Array.from(x, (t) => 3 * t * t), 1e-8, 1e-8, "3x²");
    expect(Array.from(x)).toEqual([-1.5, 0, 0.5, 2]); // restored
    const s = numericGrad((v) => Math.sin(v[0]!), Float64Array.of(1));
    expect(s[0]).toBeCloseTo(Math.cos(1), 8);
  });

  it("relativeError is 0 for equal vectors and ~1 for unrelated ones", () => {
    expect(relativeError([1, 2, 3], [1, 2, 3])).toBe(0);
    expect(relativeError([0, 0], [0, 0])).toBe(0);
    expect(relativeError([1, 0], [0, 1])).toBeCloseTo(Math.SQRT2, 12);
  });

  it("checkGradients accepts a correct backward", () => {
    const g = rng(1);
    checkGradients({
      inputs: [{ name: "x", data: randn64(g, 6), shape: [2, 3] }],
      reference: ([x]) => x!.map((v) => v * v),
      op: ([x]) => square(x!),
      generator: g,
    });
  });

  it("checkGradients rejects a backward off by 1%, a wrong forward, and a missing gradient", () => {
    const g = rng(2);
    const base = { inputs: [{ name: "x", data: randn64(g, 6), shape: [2, 3] }], reference: ([x]: Float64Array[]) => x!.map((v) => v * v), generator: g };
    expect(() => checkGradients({ ...base, op: ([x]) => square(x!, 2.02) })).toThrow();
    expect(() => checkGradients({ ...base, op: ([x]) => square(x!).reshape(3, 2) })).not.toThrow(); // same data, any shape
    expect(() => checkGradients({ ...base, reference: ([x]) => x!.map((v) => v * v + 1e-3), op: ([x]) => square(x!) })).toThrow();
    expect(() => checkGradients({ ...base, op: ([x]) => square(x!.detach()) })).toThrow(); // no gradient recorded
    // a gradient wrong in one element only
    const oneOff = (x: Tensor): Tensor =>
      record("oneOff", x.data.map((v) => v * v), x.shape, [x], (dy, [dx]) => {
        if (dx) for (let i = 0; i < dy.length; i++) dx[i] += (i === 5 ? 2.1 : 2) * x.data[i]! * dy[i]!;
      });
    expect(() => checkGradients({ ...base, inputs: [{ name: "x", data: randn64(g, 64), shape: [64] }], op: ([x]) => oneOff(x!), maxRelativeError: 1 })).toThrow(/element 5/);
  });

  it("checkGradients requires inputs marked grad: false to end without a gradient", () => {
    const g = rng(3);
    expect(() =>
      checkGradients({
        inputs: [{ name: "x", data: randn64(g, 3), shape: [3], grad: false }],
        reference: ([x]) => x!.map((v) => v * v),
        op: ([x]) => {
          x!.requiresGrad = true; // the op under test wrongly turns gradients on
          return square(x!);
        },
        generator: g,
      }),
    ).toThrow();
  });

  it("expectAllClose fails on a NaN, a wrong length, and a small error", () => {
    expect(() => expectAllClose([1, Number.NaN], [1, 2], 1e-3, 1e-3)).toThrow();
    expect(() => expectAllClose([1, 2], [1, 2, 3], 1e-3, 1e-3)).toThrow();
    expect(() => expectAllClose([1, 2.01], [1, 2], 1e-3, 1e-3)).toThrow(/element 1/);
    expectAllClose([1, Number.NaN], [1, Number.NaN], 0, 0);
  });
});

describe("adjoint helper", () => {
  it("accepts a matrix and its transpose, rejects a non-transpose", () => {
    const g = rng(4);
    const A = randn64(g, 12); // (3, 4)
    const mv = (m: Float64Array, v: ArrayLike<number>, rows: number, cols: number, t: boolean): Float64Array =>
      Float64Array.from({ length: t ? cols : rows }, (_, i) => {
        let s = 0;
        for (let k = 0; k < (t ? rows : cols); k++) s += (t ? m[k * cols + i]! : m[i * cols + k]!) * v[k]!;
        return s;
      });
    const v = Float32Array.from(randn64(g, 4));
    const w = Float32Array.from(randn64(g, 3));
    expectAdjoint((x) => mv(A, x, 3, 4, false), (y) => mv(A, y, 3, 4, true), v, w);
    const B = A.map((a, i) => (i === 7 ? a + 0.01 : a));
    expect(() => expectAdjoint((x) => mv(A, x, 3, 4, false), (y) => mv(B, y, 3, 4, true), v, w)).toThrow();
    expect(dot64([1, -2], [3, 4])).toEqual({ value: -5, scale: 11 });
  });
});

describe("references on hand-computed cases", () => {
  it("conv2dRef: [[1,2,3],[4,5,6],[7,8,9]] ⋆ [[1,2],[3,4]] + 1 = [[38,48],[68,78]]", () => {
    const y = conv2dRef([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3], [1, 2, 3, 4], [1, 1, 2, 2], [1], [1, 1], [0, 0]);
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expect(Array.from(y.data)).toEqual([38, 48, 68, 78]);
    const padded = conv2dRef([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3], [1, 2, 3, 4], [1, 1, 2, 2], null, [2, 2], [1, 1]);
    expect(Array.from(padded.data)).toEqual([4, 18, 36, 77]);
  });

  it("pool references: averages with zero padding, maxima with −∞ padding", () => {
    expect(Array.from(avgPool2dRef([1, 2, 3, 4], [1, 1, 2, 2], [2, 2], [1, 1], [1, 1]).data)).toEqual([0.25, 0.75, 0.5, 1, 2.5, 1.5, 0.75, 1.75, 1]);
    expect(Array.from(maxPool2dRef([-5, -3, -4, -6], [1, 1, 2, 2], [2, 2], [1, 1], [1, 1]).data)).toEqual([-5, -3, -3, -4, -3, -3, -4, -4, -6]);
    expect(outSize(28, 5, 1, 2)).toBe(28);
    expect(outSize(7, 3, 2, 1)).toBe(4);
  });

  it("im2colRef, matmulRef, linearRef, softmaxRef, crossEntropyRef", () => {
    expect(Array.from(im2colRef([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3], [2, 2], [1, 1], [0, 0]))).toEqual([1, 2, 4, 5, 2, 3, 5, 6, 4, 5, 7, 8, 5, 6, 8, 9]);
    expect(Array.from(matmulRef([1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12], 2, 3, 2))).toEqual([58, 64, 139, 154]);
    expect(Array.from(matmulRef([1, 4, 2, 5, 3, 6], [7, 9, 11, 8, 10, 12], 2, 3, 2, true, true))).toEqual([58, 64, 139, 154]);
    expect(Array.from(linearRef([1, 2], 1, 2, [3, 4, 5, 6, -1, 0], 3, [10, 20, 30]))).toEqual([21, 37, 29]);
    const s = softmaxRef([0, Math.log(3)], 1, 2);
    expect(s[0]).toBeCloseTo(0.25, 14);
    expect(crossEntropyRef([0, 0, 0, 0, 0, 0], 2, 3, [0, 2])).toBeCloseTo(Math.log(3), 14);
  });

  it("random helpers are seeded, float32-representable, and distinct64 is well spaced", () => {
    expect(Array.from(randn64(rng(5), 8))).toEqual(Array.from(randn64(rng(5), 8)));
    for (const v of uniform64(rng(6), 50, -3, 3)) expect(Math.fround(v)).toBe(v);
    const d = Array.from(distinct64(rng(7), 100, 0.05)).sort((a, b) => a - b);
    for (let i = 1; i < d.length; i++) expect(d[i]! - d[i - 1]!).toBeGreaterThanOrEqual(0.025 - 1e-6);
  });
});
