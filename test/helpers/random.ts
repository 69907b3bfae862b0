// Seeded random inputs for the op tests, drawn from torchlet's own xoshiro128**
// Generator so every failure replays exactly from its seed (fast-check prints
// the seed of a failing run; hand-written tests use fixed seeds).
//
// Every value is rounded to float32 (Math.fround), so the float64 references
// and the float32 kernels see exactly the same inputs.

import { Generator } from "../../src/tensor/random.js";

/** A generator for `seed` (any safe integer). */
export function rng(seed: number): Generator {
  return new Generator(seed);
}

/** `n` float32-representable draws from N(0, scale²), as float64. */
export function randn64(g: Generator, n: number, scale = 1): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.fround(g.normal() * scale);
  return out;
}

/** `n` float32-representable draws uniform in [lo, hi), as float64. */
export function uniform64(g: Generator, n: number, lo = -1, hi = 1): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.fround(lo + (hi - lo) * g.uniform());
  return out;
}

/**
 * `n` pairwise distinct float32 values in random order, any two at least
 * `spacing` apart (for max pooling: no ties, and a finite-difference step ≪
 * spacing never changes which element wins). Centred on 0.
 */
export function distinct64(g: Generator, n: number, spacing = 0.05): Float64Array {
  const order = g.shuffle(Int32Array.from({ length: n }, (_, i) => i));
  const out = new Float64Array(n);
  // Jitter of at most spacing/4 keeps neighbours ≥ spacing/2 apart while avoiding an exact grid.
  for (let i = 0; i < n; i++) out[i] = Math.fround((order[i]! - (n - 1) / 2) * spacing + (g.uniform() - 0.5) * spacing * 0.5);
  return out;
}

/** `n` float32 values with |x| in [minAbs, maxAbs) and random sign (for relu: no kink at 0). */
export function awayFromZero64(g: Generator, n: number, minAbs = 0.05, maxAbs = 2): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const magnitude = minAbs + (maxAbs - minAbs) * g.uniform();
    out[i] = Math.fround(g.uniform() < 0.5 ? -magnitude : magnitude);
  }
  return out;
}

/** `n` integers uniform in [0, classes). */
export function randomLabels(g: Generator, n: number, classes: number): number[] {
  return Array.from({ length: n }, () => g.randint(classes));
}

/** A float32 copy (the values are already float32-representable, so nothing is lost). */
export function f32(values: ArrayLike<number>): Float32Array {
  return Float32Array.from(values);
}

/** A float64 copy. */
export function f64(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values);
}
