// The comparison helpers themselves, on hand-computed cases (test/ops/helpers.test.ts
// covers the basics: equal, zero and orthogonal vectors, NaN and length failures).

import { describe, expect, it } from "vitest";
import { expectAllClose, relativeError } from "./close.js";

describe("relativeError", () => {
  it("divides by the larger norm by default, by the expected norm when asked", () => {
    // a − b = (3, 4): ‖a − b‖ = 5; ‖a‖ = √(4² + 4²) = √32, ‖b‖ = 1
    const a = [4, 4], b = [1, 0];
    expect(relativeError(a, b)).toBeCloseTo(5 / Math.sqrt(32), 14);
    expect(relativeError(b, a)).toBeCloseTo(5 / Math.sqrt(32), 14);
    expect(relativeError(a, b, { relativeTo: "expected" })).toBeCloseTo(5, 14);
  });

  it("floors the denominator at tiny, so zero vectors compare as equal and a zero reference as far", () => {
    expect(relativeError([0, 0], [0, 0], { relativeTo: "expected" })).toBe(0);
    expect(relativeError([1e-13, 0], [0, 0], { relativeTo: "expected", tiny: 1e-12 })).toBeCloseTo(0.1, 14);
  });

  it("refuses arrays of different lengths", () => {
    expect(() => relativeError([1, 2], [1])).toThrow(/lengths 2 and 1/);
  });
});

describe("expectAllClose", () => {
  it("scales rtol by |expected|, not by |actual|", () => {
    // |20 − 10| = 10 > 0.6·|10| = 6, though 10 ≤ 0.6·|20| = 12
    expect(() => expectAllClose([20], [10], 0.6, 0)).toThrow(/element 0 is 20 but expected 10/);
    // |10 − 20| = 10 ≤ 0.6·|20| = 12
    expectAllClose([10], [20], 0.6, 0);
    // atol alone: |0.5 − 0| = 0.5 > 0.4
    expect(() => expectAllClose([0.5], [0], 0.6, 0.4)).toThrow(/element 0 is 0.5 but expected 0/);
  });

  it("names the worst element, the tolerance and how many are out", () => {
    expect(() => expectAllClose([1.2, 2, 3.5, 4.1], [1, 2, 3, 4], 0, 0.05, "y")).toThrow(
      "y: element 2 is 3.5 but expected 3 (|diff| 0.5 > 0.05 + 0·|expected|; 3 of 4 elements out of tolerance)",
    );
  });

  it("reports a NaN as the worst element even when it comes first", () => {
    expect(() => expectAllClose([Number.NaN, 100], [1, 1], 0, 1e-3)).toThrow(/element 0 is NaN/);
  });

  it("lets equal infinities and NaNs pass unless requireFinite is set", () => {
    expectAllClose([Infinity, Number.NaN, -Infinity], [Infinity, Number.NaN, -Infinity], 0, 0);
    expect(() => expectAllClose([Infinity], [-Infinity], 1, 1)).toThrow();
    expect(() => expectAllClose([1, Infinity], [1, Infinity], 0, 1, "x", { requireFinite: true })).toThrow(/element 1 is Infinity .*finite/);
    expect(() => expectAllClose([Number.NaN], [Number.NaN], 0, 1, "x", { requireFinite: true })).toThrow(/finite/);
    expect(() => expectAllClose([1], [Number.NaN], 0, 1, "x", { requireFinite: true })).toThrow(/finite/);
  });
});
