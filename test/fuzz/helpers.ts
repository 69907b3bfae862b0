// Shared machinery of the fuzz suite (test/fuzz): junk values a plain
// JavaScript caller might pass, the one outcome check every call goes
// through, and a fast-check runner with an explicit case count and a time
// budget per property.
//
// The contract each fuzzed call must keep: it either returns (and the test
// checks the result against a reference), or throws a TorchletError whose
// `code` is one of the documented codes and whose message starts with the op
// name. Anything else fails the property: a TypeError or RangeError from deep
// inside, a call slower than CALL_BUDGET_MS (a hang, or zeroing gigabytes),
// or more than ALLOC_BUDGET_BYTES of array buffers kept alive by one call.

import fc from "fast-check";
import { it } from "vitest";
import { TorchletError, describe as describeValue, formatShape, type ErrorCode } from "../../src/errors.js";

/** Every ErrorCode documented in src/errors.ts. */
export const CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(["INVALID_ARGUMENT", "SHAPE_MISMATCH", "OUT_OF_RANGE", "BAD_FORMAT", "NOT_FOUND", "NON_FINITE", "INVALID_STATE"]);

/** Longest one fuzzed call may take: enough for the largest valid case, far below allocating gigabytes. */
export const CALL_BUDGET_MS = 1500;

/** Most array-buffer bytes one call may leave allocated (the fuzzed shapes are tiny; a refused huge size must allocate nothing). */
export const ALLOC_BUDGET_BYTES = 64 * 2 ** 20;

/** Case counts of every property, by name: the README's "N fuzz cases run in CI" is their sum. */
export const caseCounts = new Map<string, number>();

/** FUZZ_SCALE=10 multiplies every case count (and time budget) for a deeper run than CI's. FUZZ_SEED=n replays a run. */
const SCALE = Math.max(1, Number(process.env.FUZZ_SCALE ?? 1) || 1);

/**
 * Declares a vitest test that runs `property` for exactly `runs` cases and
 * fails if they take longer than `budgetMs` in total (fast-check stops between
 * cases and reports the interruption as a failure).
 */
export function fuzz(name: string, baseRuns: number, baseBudgetMs: number, property: fc.IProperty<unknown> | (() => fc.IProperty<unknown>)): void {
  const runs = baseRuns * SCALE, budgetMs = baseBudgetMs * SCALE;
  caseCounts.set(name, runs);
  it(`${name} (${runs} cases)`, () => {
    fc.assert(typeof property === "function" ? property() : property, {
      numRuns: runs,
      interruptAfterTimeLimit: budgetMs,
      markInterruptAsFailure: true,
      ...(process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED) } : {}),
    });
  }, budgetMs + 10_000);
}

/** What a fuzzed call did. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: TorchletError };

/**
 * Runs `fn` and classifies what happened; throws (failing the property) on
 * anything that breaks the contract. `ops` are the accepted message prefixes:
 * the op names that may legitimately report the failure.
 */
export function attempt<T>(ops: string | readonly string[], fn: () => T): Outcome<T> {
  const prefixes = typeof ops === "string" ? [ops] : ops;
  const buffersBefore = process.memoryUsage().arrayBuffers;
  const start = performance.now();
  let outcome: Outcome<T>;
  try {
    outcome = { ok: true, value: fn() };
  } catch (error) {
    if (!(error instanceof TorchletError)) {
      const e = error as Error;
      throw new Error(`expected a TorchletError from ${prefixes.join(" / ")}, got ${e?.name ?? typeof error}: ${e?.message ?? String(error)}\n${e?.stack ?? ""}`);
    }
    if (!CODES.has(error.code)) throw new Error(`undocumented error code ${error.code}: ${error.message}`);
    if (!prefixes.some((op) => error.message.startsWith(`${op}: `))) {
      throw new Error(`message should start with ${prefixes.map((op) => `"${op}: "`).join(" or ")}: ${error.message}`);
    }
    if (error.message.length > 2000) throw new Error(`message is ${error.message.length} characters long: ${error.message.slice(0, 200)}…`);
    outcome = { ok: false, error };
  }
  const ms = performance.now() - start;
  if (ms > CALL_BUDGET_MS) throw new Error(`call took ${ms.toFixed(0)} ms, more than the ${CALL_BUDGET_MS} ms budget`);
  const grown = process.memoryUsage().arrayBuffers - buffersBefore;
  if (grown > ALLOC_BUDGET_BYTES) throw new Error(`call left ${(grown / 2 ** 20).toFixed(0)} MiB of array buffers allocated`);
  return outcome;
}

/** Like {@link attempt}, but the call must fail; returns the error. */
export function refuses(ops: string | readonly string[], fn: () => unknown, codes?: readonly ErrorCode[]): TorchletError {
  const outcome = attempt(ops, fn);
  if (outcome.ok) throw new Error(`expected ${typeof ops === "string" ? ops : ops.join(" / ")} to throw a TorchletError, but it returned ${describeValue(outcome.value)}`);
  if (codes !== undefined && !codes.includes(outcome.error.code)) throw new Error(`expected code ${codes.join(" or ")}, got ${outcome.error.code}: ${outcome.error.message}`);
  return outcome.error;
}

/** The ways an error message may show `value`: describe(), String(), a shape, or (for an array) any one of its elements. */
export function renderings(value: unknown, depth = 0): string[] {
  const out = [describeValue(value)];
  if (typeof value === "number") out.push(String(value), Object.is(value, -0) ? "0" : String(value));
  if (typeof value === "string") out.push(value.slice(0, 20));
  if (typeof value === "bigint") out.push(String(value));
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === "number")) out.push(formatShape(value as number[]));
    if (depth < 2) for (const v of value) out.push(...renderings(v, depth + 1));
  }
  return out;
}

/** Fails unless `message` shows `value` in one of its {@link renderings}. */
export function expectMentions(error: TorchletError, value: unknown): void {
  const forms = renderings(value);
  if (!forms.some((form) => error.message.includes(form))) {
    throw new Error(`message should name the offending value (one of ${forms.map((f) => JSON.stringify(f)).join(", ")}): ${error.message}`);
  }
}

/** Values that are not numbers at all, as a plain-JavaScript caller might pass them. */
export const notNumbers: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.constantFrom<unknown>(null, undefined, true, false, {}, [], Symbol("s"), 7n, () => 1, new Map()),
  fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 1, maxLength: 3 }),
  fc.constantFrom<unknown>(new Float64Array(3), new Int32Array(2), new Float32Array(2), new Uint8Array(1)),
);

/** Numbers that are never a valid size, count or index: NaN, ±∞, negative, fractional, and past 2^30. */
export const badInts: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(Number.NaN, Infinity, -Infinity, -1, -0.5, 0.5, 1.5, 2.000001, 2 ** 31, 2 ** 53, 1e300, -(2 ** 31)),
  fc.integer({ min: -1000, max: -1 }),
  fc.double({ min: 0.01, max: 100, noNaN: true }).filter((v) => !Number.isInteger(v)),
);

/** Anything that is not an integer ≥ `min` (and ≤ 2^30): for size, stride, padding and count arguments. */
export function notIntAtLeast(min: number): fc.Arbitrary<unknown> {
  return fc.oneof(notNumbers.filter((v) => !Array.isArray(v)), badInts, fc.integer({ min: -5, max: min - 1 }));
}

/** Anything that is not a Tensor. */
export const notTensors: fc.Arbitrary<unknown> = fc.oneof(
  notNumbers,
  fc.double(),
  fc.constantFrom<unknown>([[1, 2], [3, 4]], new Float32Array(4), { data: new Float32Array(1), shape: [1] }),
);

/** Finite float32 values of moderate size, for value checks against float64 references. */
export const moderate: fc.Arbitrary<number> = fc.float({ min: -8, max: 8, noNaN: true, noDefaultInfinity: true }).map((v) => (Object.is(v, -0) ? 0 : v));

/** Finite float32 values at the edges: huge, tiny, denormal, zero. */
export const extreme: fc.Arbitrary<number> = fc.oneof(
  moderate,
  fc.constantFrom(0, 1e-45, -1e-45, 1e-30, -1e-30, 1e30, -1e30, 1e38, -1e38, 3.4e38, -3.4e38).map(Math.fround),
);

/** Non-finite values. */
export const nonFinite: fc.Arbitrary<number> = fc.constantFrom(Number.NaN, Infinity, -Infinity);

/** A Float32Array of `n` values from `values`. */
export function float32s(n: number, values: fc.Arbitrary<number> = moderate): fc.Arbitrary<Float32Array> {
  return fc.array(values, { minLength: n, maxLength: n }).map((v) => Float32Array.from(v));
}

/** Product of a shape. */
export function numel(shape: readonly unknown[]): number {
  return shape.reduce<number>((a, b) => a * (typeof b === "number" ? b : Number.NaN), 1);
}

/** True when every value is finite. */
export function allFinite(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return false;
  return true;
}

/** Largest float32. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/** True when every float64 reference value would fit in float32 without overflowing (so a finite result is required). */
export function fitsFloat32(values: ArrayLike<number>, margin = 1): boolean {
  for (let i = 0; i < values.length; i++) if (!(Math.abs(values[i]!) < FLOAT32_MAX / margin)) return false;
  return true;
}

/** Asserts two shapes are equal. */
export function expectShape(actual: readonly number[], expected: readonly number[], what = "shape"): void {
  if (actual.length !== expected.length || actual.some((d, i) => d !== expected[i])) {
    throw new Error(`${what} is ${formatShape(actual)}, expected ${formatShape(expected)}`);
  }
}

/** Huge shapes whose element count overflows MAX_ELEMENTS (some overflow 2^53 or even to Infinity). */
export const hugeShapes: fc.Arbitrary<number[]> = fc.oneof(
  fc.constant<number[]>([2 ** 20, 2 ** 20, 2 ** 20]),
  fc.constant<number[]>([2 ** 31]),
  fc.constant<number[]>([2 ** 30 + 1]),
  fc.constant<number[]>([65536, 65536]),
  fc.constant(Array.from({ length: 40 }, () => 2 ** 30)),
  fc.array(fc.integer({ min: 1 << 12, max: 1 << 30 }), { minLength: 3, maxLength: 6 }),
);

// Mutations of valid files: the file fuzzers (files.test.ts, test/onnx/malformed.test.ts) share them.

export type Mutation =
  | { kind: "flip"; at: number; bit: number }
  | { kind: "set"; at: number; value: number }
  | { kind: "truncate"; at: number }
  | { kind: "insert"; at: number; bytes: number[] }
  | { kind: "delete"; at: number; length: number }
  | { kind: "duplicate"; at: number; length: number }
  | { kind: "u32"; at: number; value: number }
  | { kind: "u64"; value: bigint };

const position = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: position, bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant("set" as const), at: position, value: fc.constantFrom(0, 1, 0x7f, 0x80, 0xff, 0x20, 0x22, 0x2c, 0x5b, 0x7b, 0x30, 0x2d) }),
  fc.record({ kind: fc.constant("truncate" as const), at: position }),
  fc.record({ kind: fc.constant("insert" as const), at: position, bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 9 }) }),
  fc.record({ kind: fc.constant("delete" as const), at: position, length: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ kind: fc.constant("duplicate" as const), at: position, length: fc.integer({ min: 1, max: 32 }) }),
  fc.record({ kind: fc.constant("u32" as const), at: position, value: fc.oneof(fc.constantFrom(0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 28, 784, 60000), fc.nat({ max: 0xffffffff })) }),
  fc.record({ kind: fc.constant("u64" as const), value: fc.oneof(fc.constantFrom(0n, 1n, 7n, 2n ** 53n, 2n ** 63n, 2n ** 64n - 1n, 100_000_001n), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })) }),
);

export function mutate(bytes: Uint8Array, m: Mutation): Uint8Array {
  const at = "at" in m ? Math.floor(m.at * (bytes.length + 1)) : 0;
  const out = Array.from(bytes);
  switch (m.kind) {
    case "flip": if (at < out.length) out[at]! ^= 1 << m.bit; break;
    case "set": if (at < out.length) out[at] = m.value; break;
    case "truncate": return bytes.slice(0, at);
    case "insert": out.splice(at, 0, ...m.bytes); break;
    case "delete": out.splice(at, m.length); break;
    case "duplicate": out.splice(at, 0, ...out.slice(at, at + m.length)); break;
    case "u32": for (let i = 0; i < 4 && at + i < out.length; i++) out[at + i] = (m.value >>> (24 - 8 * i)) & 0xff; break;
    case "u64": for (let i = 0; i < 8 && i < out.length; i++) out[i] = Number((m.value >> BigInt(8 * i)) & 0xffn); break;
  }
  return Uint8Array.from(out);
}

export const mutations = fc.array(mutation, { minLength: 1, maxLength: 4 });

// Some mutations change nothing (a flip past the end, a set to the same value, an empty insert):
// then the file is still the valid one and refusing it is a bug, not a tolerated outcome.
export const unchanged = (bytes: Uint8Array, valid: Uint8Array): boolean => bytes.length === valid.length && bytes.every((b, i) => b === valid[i]);
export const refusedValid = "the file is unchanged (valid) but was refused";
