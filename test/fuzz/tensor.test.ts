// Fuzzing tensor creation and views with random shapes, options and values,
// including everything a plain-JavaScript caller can get wrong.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_ELEMENTS, TorchletError, describe as describeValue } from "../../src/errors.js";
import { Tensor, noGrad } from "../../src/tensor/tensor.js";
import { tensor, zeros, ones, full, rand, randn, arange } from "../../src/tensor/create.js";
import { Generator } from "../../src/tensor/random.js";
import { attempt, refuses, expectMentions, expectShape, fuzz, notNumbers, notTensors, badInts, hugeShapes, moderate, numel } from "./helpers.js";

// A small valid dimension, or (rarely) a bad one.
const dim = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 0, max: 4 }) }, { weight: 1, arbitrary: badInts as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: notNumbers });
const shapeArb = fc.array(dim, { maxLength: 5 });
const validShape = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 });
const isDim = (d: unknown): d is number => typeof d === "number" && Number.isInteger(d) && d >= 0;

// A rectangular nested array of the given shape.
function nested(shape: readonly number[], values: () => number): unknown {
  if (shape.length === 0) return values();
  return Array.from({ length: shape[0]! }, () => nested(shape.slice(1), values));
}

describe("fuzz: tensor creation", () => {
  fuzz("tensor() of a nested array, possibly with one leaf or row spoiled", 400, 8000,
    fc.property(validShape, fc.array(moderate, { minLength: 256, maxLength: 256 }), fc.nat(), fc.option(fc.oneof(notNumbers, fc.constantFrom("hole", "ragged")), { nil: undefined, freq: 2 }), (shape, pool, pick, spoil) => {
      let i = 0;
      const values = nested(shape, () => pool[i++ % pool.length]!);
      const count = numel(shape);
      if (spoil === undefined || shape.length === 0 || count === 0) {
        const t = attempt("tensor", () => tensor(values as number[]));
        expect(t.ok).toBe(true);
        if (!t.ok) return;
        if (count > 0) expectShape(t.value.shape, shape); // nested [] cannot tell [0] from [0, 0]
        else expect(t.value.numel).toBe(0);
        for (let j = 0; j < count; j++) expect(t.value.data[j]).toBe(Math.fround(pool[j % pool.length]!));
        return;
      }
      // Walk to a random innermost row and spoil one of its entries.
      let row = values as unknown[];
      let first = true; // the first leaf decides the inferred shape, so spoiling it is not "ragged"
      for (let d = 0; d < shape.length - 1; d++) {
        first &&= pick % shape[d]! === 0;
        row = row[pick % shape[d]!] as unknown[];
      }
      const at = pick % row.length;
      if ((spoil === "ragged" || Array.isArray(spoil)) && first && at === 0) return;
      if (spoil === "hole") delete row[at];
      else if (spoil === "ragged") row[at] = [1];
      else row[at] = spoil;
      const error = refuses("tensor", () => tensor(values as number[]));
      if (spoil === "ragged") expect(error.code).toBe("SHAPE_MISMATCH");
      else if (spoil !== "hole" && !Array.isArray(spoil)) expectMentions(error, spoil);
    }));

  fuzz("tensor() of a huge or sparse array is refused at once", 20, 4000,
    fc.property(fc.constantFrom(2 ** 32 - 1, 2 ** 31, 2 ** 30 + 1, 5, 100), (length) => {
      const error = refuses("tensor", () => tensor(new Array(length) as number[]));
      expect(error.message).toMatch(length > MAX_ELEMENTS ? String(length) : "undefined");
    }));

  fuzz("tensor(Float32Array | other typed array, shape)", 300, 5000,
    fc.property(fc.integer({ min: 0, max: 12 }), fc.option(shapeArb, { nil: undefined }), fc.constantFrom("f32", "f64", "i32", "plain"), (length, shape, kind) => {
      const values = kind === "f32" ? new Float32Array(length).fill(1.5) : kind === "f64" ? new Float64Array(length) : kind === "i32" ? new Int32Array(length) : Array.from({ length }, () => 1.5);
      const r = attempt("tensor", () => tensor(values as Float32Array, shape as number[] | undefined));
      const shapeOk = shape === undefined || shape.every(isDim);
      const fits = shape === undefined || numel(shape as number[]) === length;
      if (kind === "f64" || kind === "i32") {
        expect(r.ok).toBe(false);
        if (!r.ok) expectMentions(r.error, values);
      } else if (shapeOk && fits) {
        expect(r.ok).toBe(true);
        if (r.ok) expectShape(r.value.shape, shape ?? [length]);
      } else {
        expect(r.ok).toBe(false);
        if (!r.ok && !shapeOk) expectMentions(r.error, (shape as unknown[]).find((d) => !isDim(d)));
      }
    }));

  fuzz("zeros/ones/full/rand/randn with random shapes, options and fill values", 600, 8000,
    fc.property(
      fc.oneof({ weight: 6, arbitrary: shapeArb }, { weight: 1, arbitrary: hugeShapes as fc.Arbitrary<unknown[]> }, { weight: 1, arbitrary: shapeArb.map((dims) => [...dims, { requiresGrad: true }]) }),
      fc.constantFrom("zeros", "ones", "full", "rand", "randn"),
      fc.boolean(),
      fc.oneof(moderate, fc.constantFrom(Number.NaN, Infinity), notNumbers),
      fc.option(fc.oneof(fc.constant(new Generator(3)), notNumbers), { nil: undefined }),
      (shape, fn, spread, value, generator) => {
        const options = generator === undefined ? {} : { generator: generator as Generator };
        const call = (): Tensor => {
          switch (fn) {
            case "zeros": return spread ? zeros(...(shape as number[])) : zeros(shape as number[]);
            case "ones": return spread ? ones(...(shape as number[])) : ones(shape as number[]);
            case "full": return full(shape as number[], value as number);
            case "rand": return rand(shape as number[], options);
            default: return randn(shape as number[], options);
          }
        };
        const r = attempt(fn, call);
        let requiresGrad = false;
        if (spread && (fn === "zeros" || fn === "ones")) {
          // zeros(2, 3, {...}) takes a trailing plain object as its options, and zeros([2, 3]) is zeros(2, 3).
          const last = shape[shape.length - 1];
          if (typeof last === "object" && last !== null && !Array.isArray(last) && !ArrayBuffer.isView(last)) {
            requiresGrad = (last as { requiresGrad?: unknown }).requiresGrad === true;
            shape = shape.slice(0, -1);
          }
          if (shape.length === 1 && Array.isArray(shape[0])) shape = shape[0] as unknown[];
        }
        const badAt = shape.findIndex((d) => !isDim(d));
        const badValue = fn === "full" && typeof value !== "number";
        const badGenerator = (fn === "rand" || fn === "randn") && generator !== undefined && generator !== null && !(generator instanceof Generator);
        const huge = badAt < 0 && numel(shape) > MAX_ELEMENTS;
        // Every problem the call has; the error must name one of them.
        const problems: unknown[] = [];
        if (badAt >= 0) problems.push(shape[badAt]);
        if (badValue) problems.push(value);
        if (badGenerator) problems.push(generator);
        if (huge) problems.push(shape);
        if (problems.length > 0) {
          expect(r.ok, `${fn}(${describeValue(shape)}) should be refused`).toBe(false);
          if (!r.ok) expectMentions(r.error, problems);
          if (!r.ok && problems.length === 1 && huge) expect(r.error.code).toBe("OUT_OF_RANGE");
          return;
        }
        if (!r.ok) throw new Error(`${fn}(${describeValue(shape)}) refused a valid call: ${r.error.message}`);
        const t = r.value;
        expectShape(t.shape, shape as number[]);
        expect(t.requiresGrad, "requiresGrad from trailing options").toBe(requiresGrad);
        for (const v of t.data) {
          if (fn === "zeros") expect(v).toBe(0);
          else if (fn === "ones") expect(v).toBe(1);
          else if (fn === "full") expect(Object.is(v, Math.fround(value as number)) || (Number.isNaN(v) && Number.isNaN(value))).toBe(true);
          else if (fn === "rand") expect(v >= 0 && v < 1).toBe(true);
          else expect(Number.isFinite(v)).toBe(true);
        }
      }));

  fuzz("arange(start, end, step) with random and junk bounds", 400, 5000,
    fc.property(
      fc.oneof(fc.integer({ min: -50, max: 50 }), fc.double({ min: -50, max: 50, noNaN: true }), notNumbers, fc.constantFrom(Number.NaN, Infinity)),
      fc.oneof(fc.integer({ min: -50, max: 50 }), fc.double({ min: -50, max: 50, noNaN: true }), fc.constantFrom(undefined, Number.NaN, -Infinity, 1e15)),
      fc.oneof(fc.constantFrom(1, -1, 0.5, -0.25, 3, 0, Number.NaN, 1e-12), notNumbers),
      (start, end, step) => {
        const [from, to] = end === undefined ? [0, start] : [start, end];
        const inc = step === undefined ? 1 : step;
        const valid = typeof from === "number" && Number.isFinite(from) && typeof to === "number" && Number.isFinite(to) && typeof inc === "number" && Number.isFinite(inc) && inc !== 0;
        const count = valid ? Math.max(0, Math.ceil((to - from) / inc)) : 0;
        if (count > 1e6 && count <= MAX_ELEMENTS) return; // valid, but too big to allocate in a fuzz case
        const r = attempt("arange", () => arange(start as number, end as number | undefined, step as number));
        if (!valid) {
          expect(r.ok).toBe(false);
          if (!r.ok) expect(r.error.code).toBe("INVALID_ARGUMENT");
          return;
        }
        if (count > MAX_ELEMENTS) {
          expect(r.ok).toBe(false);
          if (!r.ok) expectMentions(r.error, count);
          return;
        }
        expect(r.ok).toBe(true);
        if (r.ok) {
          expectShape(r.value.shape, [count]);
          for (let i = 0; i < count; i++) expect(r.value.data[i]).toBe(Math.fround((from as number) + i * (inc as number)));
        }
      }));

  fuzz("new Tensor(data, shape, options) from plain JavaScript", 300, 4000,
    fc.property(fc.oneof(fc.integer({ min: 0, max: 8 }).map((n) => new Float32Array(n) as unknown), notTensors), shapeArb, fc.option(fc.oneof(fc.constant({ requiresGrad: true }), notNumbers), { nil: undefined }), (data, shape, options) => {
      const r = attempt("Tensor", () => new Tensor(data as Float32Array, shape as number[], options as { requiresGrad?: boolean }));
      const badOptions = options !== undefined && (typeof options !== "object" || options === null || Array.isArray(options) || ArrayBuffer.isView(options));
      if (!(data instanceof Float32Array)) {
        expect(r.ok).toBe(false);
        if (!r.ok) expectMentions(r.error, data);
      } else if (shape.some((d) => !isDim(d))) {
        expect(r.ok).toBe(false);
        if (!r.ok) expectMentions(r.error, shape.find((d) => !isDim(d)));
      } else if (numel(shape as number[]) !== data.length) {
        expect(r.ok).toBe(false);
        if (!r.ok) expect(["SHAPE_MISMATCH", "OUT_OF_RANGE"]).toContain(r.error.code);
      } else if (badOptions) {
        expect(r.ok).toBe(false);
        if (!r.ok) expectMentions(r.error, options);
      } else {
        expect(r.ok).toBe(true);
      }
    }));
});

describe("fuzz: reshape, view and flatten", () => {
  const target = fc.array(fc.oneof({ weight: 6, arbitrary: fc.integer({ min: -1, max: 6 }) }, { weight: 1, arbitrary: badInts as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: notNumbers }), { maxLength: 5 });

  fuzz("reshape/view to random targets (with -1, junk and huge sizes)", 800, 6000,
    fc.property(validShape, fc.oneof({ weight: 5, arbitrary: target }, { weight: 1, arbitrary: hugeShapes as fc.Arbitrary<unknown[]> }), fc.boolean(), fc.boolean(), (shape, to, useView, spread) => {
      const x = tensor(Float32Array.from({ length: numel(shape) }, (_, i) => i), shape, { requiresGrad: true });
      const op = useView ? "view" : "reshape";
      const args = (spread ? to : [to]) as number[];
      if (spread && to.length === 1 && Array.isArray(to[0])) to = to[0] as unknown[]; // reshape([2, 3]) is reshape(2, 3)
      const r = attempt(op, () => (useView ? x.view(...args) : x.reshape(...args)));
      const count = numel(shape);
      const bad = to.find((d) => !(typeof d === "number" && Number.isInteger(d) && d >= -1));
      const inferred = to.filter((d) => d === -1).length;
      if (bad !== undefined) {
        expect(r.ok).toBe(false);
        if (!r.ok) expectMentions(r.error, bad);
        return;
      }
      const known = numel((to as number[]).map((d) => (d === -1 ? 1 : d)));
      const valid = inferred === 0 ? known === count : inferred === 1 && known !== 0 && count % known === 0 && known <= MAX_ELEMENTS;
      if (!valid) {
        expect(r.ok, `${op} ${JSON.stringify(shape)} → ${JSON.stringify(to)}`).toBe(false);
        return;
      }
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.value.numel).toBe(count);
      expect(r.value.data).toBe(x.data);
      expectShape(r.value.shape, (to as number[]).map((d) => (d === -1 ? count / known : d)));
      // gradients flow back through the view unchanged
      r.value.backward(ones([...r.value.shape]));
      expect([...x.grad!.data]).toEqual(Array.from({ length: count }, () => 1));
    }));

  fuzz("flatten(startDim, endDim) with random and junk dims", 500, 5000,
    fc.property(validShape, fc.oneof(fc.integer({ min: -6, max: 6 }), notNumbers, badInts), fc.oneof(fc.integer({ min: -6, max: 6 }), notNumbers, badInts), (shape, start, end) => {
      const x = zeros(shape);
      const r = attempt("flatten", () => x.flatten(start as number, end as number));
      if (shape.length === 0) {
        // a scalar flattens to [1] whatever the dims, like torch.flatten
        if (r.ok) expectShape(r.value.shape, [1]);
        return;
      }
      const norm = (d: unknown, fallback: number) => (d === undefined ? fallback : typeof d === "number" && Number.isInteger(d) && d >= -shape.length && d < shape.length ? (d < 0 ? d + shape.length : d) : null);
      const s = norm(start, 0), e = norm(end, shape.length - 1);
      if (s === null || e === null || s > e) {
        expect(r.ok).toBe(false);
        if (!r.ok && (s === null || e === null)) expectMentions(r.error, s === null ? start : end);
        return;
      }
      expect(r.ok).toBe(true);
      if (r.ok) expectShape(r.value.shape, [...shape.slice(0, s), numel(shape.slice(s, e + 1)), ...shape.slice(e + 1)]);
    }));
});

describe("fuzz: autograd entry points", () => {
  fuzz("backward(gradient, options) and noGrad(fn) from plain JavaScript", 300, 4000,
    fc.property(fc.oneof(fc.constant(undefined), fc.constant("ones" as unknown), fc.constant("wrong-shape" as unknown), notTensors), fc.option(fc.oneof(fc.constant({ retainGraph: true } as unknown), notNumbers), { nil: undefined }), fc.boolean(), (gradient, options, scalar) => {
      const x = tensor([1, 2, 3], [3], { requiresGrad: true });
      const y = scalar ? x.reshape(3).flatten().view(1, 3).reshape(3) : x.reshape(3, 1);
      const g = gradient === "ones" ? ones([...y.shape]) : gradient === "wrong-shape" ? ones(2) : gradient;
      const r = attempt("backward", () => y.backward(g as Tensor, options as { retainGraph?: boolean }));
      const badOptions = options !== undefined && (typeof options !== "object" || options === null || Array.isArray(options) || ArrayBuffer.isView(options));
      const valid = gradient === "ones" && !badOptions;
      expect(r.ok, r.ok ? `accepted ${describeValue(g)}, ${describeValue(options)}` : r.error.message).toBe(valid);
      if (valid) expect([...x.grad!.data]).toEqual([1, 1, 1]);
      const n = attempt("noGrad", () => noGrad(options as () => number));
      expect(n.ok).toBe(typeof options === "function");
    }));
});

describe("fuzz: the random generator", () => {
  fuzz("Generator seeds, states and randint bounds from plain JavaScript", 400, 4000,
    fc.property(fc.oneof(fc.integer(), notNumbers, badInts), fc.oneof(fc.array(fc.oneof(fc.nat({ max: 2 ** 32 - 1 }), badInts, notNumbers as fc.Arbitrary<number>), { minLength: 3, maxLength: 5 }), notNumbers), fc.oneof(fc.integer({ min: 1, max: 2 ** 32 }), notNumbers, badInts), (seed, state, n) => {
      const g = new Generator(1);
      const s = attempt("manualSeed", () => g.manualSeed(seed as number));
      if (!(typeof seed === "number" && Number.isSafeInteger(seed))) expect(s.ok).toBe(false);
      const t = attempt("Generator.setState", () => g.setState(state as unknown as [number, number, number, number]));
      const validState = Array.isArray(state) && state.length === 4 && state.every((w) => Number.isInteger(w) && (w as number) >= 0 && (w as number) < 2 ** 32) && !state.every((w) => w === 0);
      expect(t.ok).toBe(validState);
      const r = attempt("randint", () => g.randint(n as number));
      const validN = typeof n === "number" && Number.isInteger(n) && n >= 1 && n <= 2 ** 32;
      expect(r.ok).toBe(validN);
      if (r.ok) expect(r.value >= 0 && r.value < (n as number)).toBe(true);
      else expectMentions(r.error, n);
    }));
});

it("the fuzz helpers themselves reject a non-TorchletError", () => {
  expect(() => attempt("x", () => { throw new TypeError("boom"); })).toThrow(/expected a TorchletError/);
  expect(() => attempt("x", () => { throw new TorchletError("y", "BAD_FORMAT", "nope"); })).toThrow(/should start with "x: "/);
});
