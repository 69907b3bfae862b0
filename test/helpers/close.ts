// "Close enough": the one relative error and the one elementwise allclose
// every test compares numbers with, so a tolerance means the same thing in
// every file.
//
//   relativeError    ‖a − b‖ / scale, one number for a whole array
//   expectAllClose   |a_i − e_i| ≤ atol + rtol·|e_i| for every i, failing on the worst i

import { expect } from "vitest";

/** Euclidean norm in float64. */
export function norm(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!;
  return Math.sqrt(s);
}

/** Options of {@link relativeError}. */
export interface RelativeErrorOptions {
  /**
   * What the difference is measured against: `"larger"` (default) divides by
   * max(‖a‖, ‖b‖), symmetric in a and b; `"expected"` divides by ‖b‖ alone,
   * for a result measured against a trusted reference b.
   */
  relativeTo?: "larger" | "expected";
  /** Floor of the denominator, so two zero vectors give 0 (default 1e-12). */
  tiny?: number;
}

/** ‖a − b‖ / max(‖a‖, ‖b‖) (or / ‖b‖, see options) in float64: 0 for identical vectors, ~1 for unrelated ones. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>, options: RelativeErrorOptions = {}): number {
  if (a.length !== b.length) throw new Error(`relativeError: lengths ${a.length} and ${b.length} differ`);
  let d = 0;
  for (let i = 0; i < a.length; i++) d += (a[i]! - b[i]!) ** 2;
  const scale = options.relativeTo === "expected" ? norm(b) : Math.max(norm(a), norm(b));
  return Math.sqrt(d) / Math.max(scale, options.tiny ?? 1e-12);
}

/** Options of {@link expectAllClose}. */
export interface AllCloseOptions {
  /**
   * Fail on any NaN or ±∞ on either side, even where both sides agree (by
   * default a NaN matches a NaN and an infinity matches the same infinity).
   */
  requireFinite?: boolean;
}

/**
 * Asserts |a_i − e_i| ≤ atol + rtol·|e_i| for every i (exactly equal values
 * always pass). On failure names the worst element, both values, the
 * tolerance and how many elements are out.
 */
export function expectAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, atol: number, what = "values", options: AllCloseOptions = {}): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let worst = -1, worstExcess = 0, outside = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    const finite = Number.isFinite(a) && Number.isFinite(e);
    if (!finite && options.requireFinite) {
      expect.fail(`${what}: element ${i} is ${a} but expected ${e} (both sides must be finite)`);
    }
    if (a === e || (Number.isNaN(a) && Number.isNaN(e))) continue;
    // A NaN on one side makes `excess` NaN: out, and the worst.
    const excess = Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (excess <= 0) continue;
    outside++;
    if (worst < 0 || Number.isNaN(excess) || excess > worstExcess) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) {
    const a = actual[worst]!, e = expected[worst]!;
    expect.fail(`${what}: element ${worst} is ${a} but expected ${e} (|diff| ${Math.abs(a - e)} > ${atol} + ${rtol}·|expected|; ${outside} of ${expected.length} elements out of tolerance)`);
  }
}
