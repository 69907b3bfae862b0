// Fuzzing the shape and indexing ops (issue 14) like the others (test/fuzz/ops.test.ts):
// random shapes with random, often invalid, dims, ranges and indices. A valid call must
// match the index-by-index reference (test/helpers/shape-reference.ts) and its backward
// must be the forward's adjoint (every op here is linear: Σ y·dy = Σ x·dx); an invalid
// one must throw a TorchletError naming the op and the offending value or shapes. Junk
// arguments a plain-JavaScript caller might pass must be named too.

import fc from "fast-check";
import { describe, expect } from "vitest";
import { Tensor } from "../../src/tensor/tensor.js";
import { cat, stack } from "../../src/ops/cat.js";
import { permute, transpose } from "../../src/ops/permute.js";
import { narrow, slice } from "../../src/ops/slice.js";
import { gather, indexSelect } from "../../src/ops/take.js";
import { squeeze, unsqueeze } from "../../src/ops/shape.js";
import { catRef, gatherRef, permuteRef, pythonSlice, selectRef, stackRef, type Ref } from "../helpers/shape-reference.js";
import { attempt, expectMentions, expectShape, fuzz, moderate, notTensors, numel, refuses } from "./helpers.js";

const shapeArb = (minRank = 0, maxRank = 4) => fc.array(fc.integer({ min: 0, max: 3 }), { minLength: minRank, maxLength: maxRank });
const dimArb = fc.integer({ min: -5, max: 5 });
const inRange = (dim: number, ndim: number): boolean => dim >= -ndim && dim < ndim;
const wrap = (dim: number, ndim: number): number => (dim < 0 ? dim + ndim : dim);

/** A tensor of `shape` with values from `seed` (distinct-ish, exact in float32), and its float64 copy. */
function input(shape: number[], seed: number): { x: Tensor; ref: Ref } {
  const data = Float64Array.from({ length: numel(shape) }, (_, i) => Math.fround(((i * 7919 + seed) % 97) / 8 - 6));
  return { x: new Tensor(Float32Array.from(data), shape, { requiresGrad: true }), ref: { data, shape } };
}

/** y matches the reference, and backward(dy) gives x.grad with Σ y·dy = Σ x·dx (the op is linear). */
function expectMatchAndAdjoint(y: Tensor, expected: Ref, xs: Tensor[]): void {
  expectShape(y.shape, expected.shape);
  expect(Array.from(y.data)).toEqual(Array.from(expected.data, Math.fround));
  const dy = Float32Array.from(y.data, (_, i) => ((i * 31) % 7) - 3);
  y.backward(new Tensor(dy, y.shape));
  let lhs = 0, rhs = 0;
  for (let i = 0; i < dy.length; i++) lhs += y.data[i]! * dy[i]!;
  for (const x of xs) for (let i = 0; i < x.numel; i++) rhs += x.data[i]! * (x.grad?.data[i] ?? 0);
  expect(rhs).toBeCloseTo(lhs, 6);
}

describe("fuzz: shape ops", () => {
  fuzz("permute and transpose with random shapes and dims", 300, 10_000,
    fc.property(shapeArb(), fc.array(dimArb, { maxLength: 5 }), fc.nat(), (shape, dims, seed) => {
      const { x, ref } = input(shape, seed);
      const resolved = dims.map((d) => wrap(d, shape.length));
      const valid = dims.length === shape.length && dims.every((d) => inRange(d, shape.length)) && new Set(resolved).size === dims.length;
      const r = attempt("permute", () => permute(x, dims));
      if (valid) {
        if (!r.ok) throw new Error(`permute(${JSON.stringify(shape)}, ${JSON.stringify(dims)}) refused a valid call: ${r.error.message}`);
        expectMatchAndAdjoint(r.value, permuteRef(ref.data, shape, resolved), [x]);
      } else {
        expect(r.ok).toBe(false);
        if (!r.ok) expectMentions(r.error, shape);
      }
      const [a, b] = [dims[0] ?? 0, dims[1] ?? 0];
      const t = attempt("transpose", () => transpose(x, a, b));
      const ndim = Math.max(shape.length, 1);
      expect(t.ok).toBe(inRange(a, ndim) && inRange(b, ndim));
      if (!t.ok) expectMentions(t.error, shape);
    }));

  fuzz("unsqueeze and squeeze with random shapes and dims", 200, 8000,
    fc.property(shapeArb(), dimArb, (shape, dim) => {
      const x = input(shape, 1).x;
      const u = attempt("unsqueeze", () => unsqueeze(x, dim));
      expect(u.ok).toBe(inRange(dim, shape.length + 1));
      if (u.ok) expectShape(u.value.shape, [...shape.slice(0, wrap(dim, shape.length + 1)), 1, ...shape.slice(wrap(dim, shape.length + 1))]);
      const s = attempt("squeeze", () => squeeze(x, dim));
      expect(s.ok).toBe(inRange(dim, Math.max(shape.length, 1)));
      if (!s.ok) expectMentions(s.error, shape);
      if (s.ok) expect(s.value.numel).toBe(x.numel);
    }));

  fuzz("cat and stack with random, often mismatched, shapes", 300, 10_000,
    fc.property(shapeArb(1, 3), fc.array(fc.tuple(fc.nat(3), fc.integer({ min: 0, max: 3 })), { minLength: 1, maxLength: 3 }), dimArb, fc.boolean(), (base, changes, dim, changeRank) => {
      // each input: the base shape with one dimension (maybe) resized, or (rarely) one dimension more
      const shapes = changes.map(([at, size], k) => (changeRank && k === 1 ? [...base, 1] : base.map((d, i) => (i === at ? size : d))));
      const inputs = shapes.map((shape, k) => input(shape, k));
      const d = wrap(dim, base.length);
      const catOk = inRange(dim, base.length) && shapes.every((s) => s.length === base.length && s.every((v, i) => i === d || v === shapes[0]![i]));
      const r = attempt("cat", () => cat(inputs.map((i) => i.x), dim));
      expect(r.ok, `cat ${JSON.stringify(shapes)} dim ${dim}`).toBe(catOk);
      if (r.ok) expectMatchAndAdjoint(r.value, catRef(inputs.map((i) => i.ref), d), inputs.map((i) => i.x));
      if (!r.ok && inRange(dim, base.length)) for (const s of [shapes[0]!, shapes.find((s) => s.length !== base.length || s.some((v, i) => i !== d && v !== shapes[0]![i]))!]) expectMentions(r.error, s);
      const fresh = shapes.map((shape, k) => input(shape, k));
      const stackOk = inRange(dim, base.length + 1) && shapes.every((s) => s.length === base.length && s.every((v, i) => v === shapes[0]![i]));
      const s = attempt("stack", () => stack(fresh.map((i) => i.x), dim));
      expect(s.ok).toBe(stackOk);
      if (s.ok) expectMatchAndAdjoint(s.value, stackRef(fresh.map((i) => i.ref), wrap(dim, base.length + 1)), fresh.map((i) => i.x));
    }));
});

describe("fuzz: indexing ops", () => {
  const maybe = (arb: fc.Arbitrary<number>) => fc.option(arb, { nil: null });
  fuzz("narrow and slice with random dims and ranges", 300, 10_000,
    fc.property(shapeArb(1, 3), dimArb, fc.integer({ min: -6, max: 6 }), fc.integer({ min: -2, max: 6 }), maybe(fc.integer({ min: -6, max: 6 })), fc.integer({ min: -1, max: 4 }), (shape, dim, start, length, end, step) => {
      const { x, ref } = input(shape, 3);
      const d = wrap(dim, shape.length), size = shape[d] ?? 0;
      const from = start < 0 ? start + size : start;
      const n = attempt("narrow", () => narrow(x, dim, start, length));
      expect(n.ok).toBe(inRange(dim, shape.length) && from >= 0 && from <= size && length >= 0 && from + length <= size);
      if (n.ok) expectMatchAndAdjoint(n.value, selectRef(ref.data, shape, d, Array.from({ length }, (_, i) => from + i)), [x]);
      if (!n.ok) expectMentions(n.error, inRange(dim, shape.length) ? (from < 0 || from > size ? start : length) : dim);
      const fresh = input(shape, 4);
      const s = attempt("slice", () => slice(fresh.x, dim, start, end, step));
      expect(s.ok).toBe(inRange(dim, shape.length) && step > 0);
      if (s.ok) expectMatchAndAdjoint(s.value, selectRef(fresh.ref.data, shape, d, pythonSlice(size, start, end, step)), [fresh.x]);
    }));

  fuzz("indexSelect and gather with random indices, some out of range", 300, 10_000,
    fc.property(shapeArb(1, 3).filter((s) => s.every((d) => d > 0)), dimArb, fc.array(fc.integer({ min: -1, max: 4 }), { maxLength: 6 }), fc.nat(), (shape, dim, picks, seed) => {
      const { x, ref } = input(shape, seed);
      const d = wrap(dim, shape.length), size = shape[d] ?? 0;
      const inBounds = (v: number): boolean => v >= 0 && v < size;
      const r = attempt("indexSelect", () => indexSelect(x, dim, picks));
      expect(r.ok).toBe(inRange(dim, shape.length) && picks.every(inBounds));
      if (r.ok) expectMatchAndAdjoint(r.value, selectRef(ref.data, shape, d, picks), [x]);
      if (!r.ok) expectMentions(r.error, inRange(dim, shape.length) ? picks.find((v) => !inBounds(v)) : dim);
      // gather: an index of x's shape (its dim resized to 2), values cycling through picks
      const indexShape = shape.map((s, i) => (i === d ? 2 : s));
      const values = Array.from({ length: numel(indexShape) }, (_, i) => picks[i % Math.max(picks.length, 1)] ?? 0);
      const fresh = input(shape, seed + 1);
      const g = attempt("gather", () => gather(fresh.x, dim, new Tensor(Float32Array.from(values), indexShape)));
      expect(g.ok).toBe(inRange(dim, shape.length) && values.every(inBounds));
      if (g.ok) expectMatchAndAdjoint(g.value, gatherRef(fresh.ref.data, shape, d, values, indexShape), [fresh.x]);
    }));

  fuzz("junk in place of a tensor, a dim or an index is named", 200, 8000,
    fc.property(fc.constantFrom("input", "dim", "index", "tensors"), notTensors, fc.oneof(fc.string({ maxLength: 3 }), fc.constant(1.5), fc.constant(null), fc.constant({}), fc.constant(Number.NaN)), (where, notTensor, junk) => {
      const x = input([2, 3], 5).x;
      if (where === "input") {
        for (const [op, call] of [["transpose", () => transpose(notTensor as Tensor, 0, 1)], ["narrow", () => narrow(notTensor as Tensor, 0, 0, 1)], ["gather", () => gather(notTensor as Tensor, 0, [[0]])]] as const) {
          expectMentions(refuses(op, call, ["INVALID_ARGUMENT"]), notTensor);
        }
      } else if (where === "dim") {
        for (const [op, call] of [["unsqueeze", () => unsqueeze(x, junk as number)], ["indexSelect", () => indexSelect(x, junk as number, [0])], ["cat", () => cat([x], junk as number)]] as const) {
          expectMentions(refuses(op, call, ["INVALID_ARGUMENT"]), junk);
        }
      } else if (where === "index") {
        expectMentions(refuses("indexSelect", () => indexSelect(x, 1, [0, junk as number]), ["INVALID_ARGUMENT"]), junk);
      } else {
        expectMentions(refuses("stack", () => stack([x, notTensor as Tensor]), ["INVALID_ARGUMENT"]), notTensor);
      }
    }));

  fuzz("values survive: every op on moderate random values matches its reference exactly", 100, 8000,
    fc.property(fc.array(moderate, { minLength: 12, maxLength: 12 }), (values) => {
      const x = new Tensor(Float32Array.from(values), [3, 4]);
      expect(Array.from(permute(x, [1, 0]).data)).toEqual(Array.from(permuteRef(values, [3, 4], [1, 0]).data));
      expect(Array.from(slice(x, 1, 1, null, 2).data)).toEqual(Array.from(selectRef(values, [3, 4], 1, [1, 3]).data));
    }));
});
