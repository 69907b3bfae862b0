// Adjoint (dot-product) tests: for a linear map A and its claimed transpose
// Aᵀ, ⟨A·v, w⟩ = ⟨v, Aᵀ·w⟩ for every v, w. Random v and w make a mismatch
// between a forward kernel and its backward show up with probability 1.
// The dot products are taken in float64; the tolerance is relative to the sum
// of |terms| so cancellation cannot make it vanish.

import { expect } from "vitest";

/** ⟨a, b⟩ in float64, and Σ|a_i·b_i| (the scale a rounding error is relative to). */
export function dot64(a: ArrayLike<number>, b: ArrayLike<number>): { value: number; scale: number } {
  if (a.length !== b.length) throw new Error(`dot64: lengths ${a.length} and ${b.length} differ`);
  let value = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    const t = a[i]! * b[i]!;
    value += t;
    scale += Math.abs(t);
  }
  return { value, scale };
}

/**
 * Asserts ⟨forward(v), w⟩ = ⟨v, adjoint(w)⟩ within `rtol` relative to the
 * larger Σ|terms|. Returns both sides for further checks.
 */
export function expectAdjoint(
  forward: (v: Float32Array) => ArrayLike<number>,
  adjoint: (w: Float32Array) => ArrayLike<number>,
  v: Float32Array,
  w: Float32Array,
  rtol = 1e-5,
  what = "adjoint",
): { lhs: number; rhs: number } {
  const Av = forward(v);
  expect(Av.length, `${what}: A·v has the length of w`).toBe(w.length);
  const ATw = adjoint(w);
  expect(ATw.length, `${what}: Aᵀ·w has the length of v`).toBe(v.length);
  const lhs = dot64(Av, w);
  const rhs = dot64(v, ATw);
  const tol = rtol * Math.max(lhs.scale, rhs.scale, 1e-30);
  expect(Math.abs(lhs.value - rhs.value), `${what}: |⟨Av,w⟩ − ⟨v,Aᵀw⟩| with ⟨Av,w⟩ = ${lhs.value}, ⟨v,Aᵀw⟩ = ${rhs.value}`).toBeLessThanOrEqual(tol);
  return { lhs: lhs.value, rhs: rhs.value };
}
