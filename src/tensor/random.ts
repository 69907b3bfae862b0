// A seeded random number generator that gives the same numbers on every machine.
//
// Algorithm: xoshiro128** (Blackman & Vigna, 2018), 128 bits of state, period
// 2^128 − 1, written with 32-bit integer arithmetic only (Math.imul, shifts),
// so every JavaScript engine produces the same bits. The four state words are
// filled from the seed by SplitMix32: a Weyl sequence (step 0x9E3779B9) fed
// through MurmurHash3's 32-bit finalizer, which never yields an all-zero state.
//
// Derived draws:
//   uniform()  top 24 bits / 2^24: every float32 in [0, 1) on a 2^-24 grid, bit-exact everywhere.
//   normal()   Box–Muller on two uniforms: u1 ∈ (0, 1], r = sqrt(−2 ln u1), z = r cos(2π u2).
//              Math.log and Math.cos are fdlibm in V8, so Node and Chromium agree bit for bit.
//   randint(n) unbiased integer in [0, n) by rejection (Lemire-style threshold).

import { checkArity, checkInt, TorchletError, describe } from "../errors.js";

const TWO_POW_24 = 16777216;
const TWO_POW_32 = 4294967296;

/** The state of a {@link Generator}: four unsigned 32-bit words. Save it to resume a stream exactly. */
export type GeneratorState = readonly [number, number, number, number];

/**
 * A seeded xoshiro128** random stream. Same seed ⇒ same numbers, on every machine.
 *
 * @example
 * const g = new Generator(42);
 * g.uniform(); // 0.6606156826019287 on every machine
 */
export class Generator {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  /** @param seed any safe integer (negative numbers and numbers above 2^32 are fine). */
  constructor(seed = 0) {
    checkArity("Generator", arguments, ["seed"], "a Generator takes only a seed");
    this.manualSeed(seed);
  }

  /** Restarts the stream from `seed`. */
  manualSeed(seed: number): this {
    if (typeof seed !== "number" || !Number.isSafeInteger(seed)) {
      throw new TorchletError("manualSeed", "INVALID_ARGUMENT", `seed must be a safe integer, got ${describe(seed)}`);
    }
    // Both 32-bit halves of the seed feed the mixer, so seeds 1 and 2^32 + 1 differ.
    let weyl = (seed >>> 0) ^ Math.imul(Math.floor(seed / 2 ** 32) | 0, 0x85ebca6b);
    const next = (): number => {
      weyl = (weyl + 0x9e3779b9) | 0;
      let z = weyl;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    return this;
  }

  /** The next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A uniform float in [0, 1), exactly representable in float32. */
  uniform(): number {
    return (this.nextUint32() >>> 8) / TWO_POW_24;
  }

  /** A standard normal draw (mean 0, variance 1) by Box–Muller. */
  normal(): number {
    const u1 = 1 - this.uniform(); // (0, 1]: log never sees 0
    const u2 = this.uniform();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** An unbiased integer in [0, n), for n in [1, 2^32]. */
  randint(n: number): number {
    // Not checkInt alone: it caps sizes at MAX_ELEMENTS (2^30), below the 2^32 randint supports.
    if (typeof n !== "number" || !Number.isInteger(n) || n < 1) checkInt("randint", "n", n, 1);
    if (n > TWO_POW_32) {
      throw new TorchletError("randint", "OUT_OF_RANGE", `n is ${n}, more than the 2^32 = ${TWO_POW_32} randint supports`);
    }
    // Reject the top sliver of 2^32 that would make some residues more likely.
    const limit = 2 ** 32 - (2 ** 32 % n);
    for (;;) {
      const r = this.nextUint32();
      if (r < limit) return r % n;
    }
  }

  /** Shuffles `array` in place (Fisher–Yates) and returns it. */
  shuffle<T extends { length: number; [i: number]: number }>(array: T): T {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.randint(i + 1);
      const tmp = array[i]!;
      array[i] = array[j]!;
      array[j] = tmp;
    }
    return array;
  }

  /** The current state; {@link Generator.setState} with it resumes the exact stream. */
  getState(): GeneratorState {
    return [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0];
  }

  /** Restores a state from {@link Generator.getState}. */
  setState(state: GeneratorState): this {
    const words: unknown = state;
    if (!Array.isArray(words) || words.length !== 4 || !words.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32) || words.every((w) => w === 0)) {
      throw new TorchletError("Generator.setState", "INVALID_ARGUMENT", `state must be four unsigned 32-bit integers, not all zero, got ${Array.isArray(words) ? `[${words.map((w) => describe(w)).join(", ")}]` : describe(words)}`);
    }
    [this.s0, this.s1, this.s2, this.s3] = (words as number[]).map((w) => w | 0) as [number, number, number, number];
    return this;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** The generator used when no explicit one is passed (seeded with 0 at start-up, like a fixed-seed PyTorch). */
export const defaultGenerator = new Generator(0);

/** Re-seeds the default generator, like `torch.manual_seed`. */
export function manualSeed(seed: number): Generator {
  checkArity("manualSeed", arguments, ["seed"]);
  return defaultGenerator.manualSeed(seed);
}

/** Checks an optional `generator` option: a {@link Generator}, or undefined (or null) for the default one. */
export function checkGenerator(op: string, generator: unknown): Generator {
  if (generator === undefined || generator === null) return defaultGenerator;
  if (!(generator instanceof Generator)) {
    throw new TorchletError(op, "INVALID_ARGUMENT", `generator must be a Generator (new Generator(seed)), got ${describe(generator)}`);
  }
  return generator;
}
