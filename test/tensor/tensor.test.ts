// Tensor construction, shapes and views, against hand-written values.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_ELEMENTS } from "../../src/errors.js";
import { Tensor, arange, full, ones, rand, randn, tensor, zeros, type NestedArray } from "../../src/tensor/index.js";
import { expectError } from "../helpers/errors.js";

/** Runs `f`, asserts it throws a TorchletError with `code`, and returns the error for message checks. */
/** Asserts `f` throws TorchletError(code) whose message contains every one of `parts`. */
describe("tensor() from nested arrays", () => {
  it("infers the shape and lays the values out row-major", () => {
    const t = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(t.shape).toEqual([2, 3]);
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(t.ndim).toBe(2);
    expect(t.numel).toBe(6);

    const t3 = tensor([[[1], [2]], [[3], [4]], [[5], [6]]]);
    expect(t3.shape).toEqual([3, 2, 1]);
    expect(Array.from(t3.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("makes a scalar (shape []) from a number", () => {
    const s = tensor(2.5);
    expect(s.shape).toEqual([]);
    expect(s.ndim).toBe(0);
    expect(s.numel).toBe(1);
    expect(s.item()).toBe(2.5);
    expect(s.toArray()).toBe(2.5);
  });

  it("gives [] the shape [0] and [[], []] the shape [2, 0]", () => {
    expect(tensor([]).shape).toEqual([0]);
    expect(tensor([[], []]).shape).toEqual([2, 0]);
  });

  it("stores float32: 0.1 becomes Math.fround(0.1)", () => {
    expect(tensor([0.1]).data[0]).toBe(Math.fround(0.1));
  });

  it("takes a flat number array with an explicit shape", () => {
    const t = tensor([1, 2, 3, 4, 5, 6], [3, 2]);
    expect(t.shape).toEqual([3, 2]);
    expect(t.toArray()).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
  });

  it("rejects ragged nesting, naming the path of the offending element", () => {
    expectError(() => tensor([[1, 2], [3]]), "SHAPE_MISMATCH", "ragged", "value[1]", "length 1", "2 was expected");
    expectError(
      () =>
        tensor([
          [
            [1, 2],
            [3, 4],
          ],
          [[5, 6], [7]],
        ]),
      "SHAPE_MISMATCH",
      "value[1][1]",
      "length 1",
    );
    // A number where an array was expected, and an array where a number was expected.
    expectError(() => tensor([[1, 2], 3] as unknown as NestedArray), "SHAPE_MISMATCH", "value[1]", "no length");
    expectError(() => tensor([1, [2]]), "SHAPE_MISMATCH", "value[1]", "is an array where a number was expected");
  });

  it("rejects a non-number element, naming its path", () => {
    expectError(() => tensor([1, "a"] as unknown as NestedArray), "INVALID_ARGUMENT", "value[1]", "must be a number", '"a"');
    expectError(() => tensor("abc" as unknown as NestedArray), "INVALID_ARGUMENT", "values must be");
  });

  it("rejects an explicit shape that does not match the value count", () => {
    expectError(() => tensor([1, 2, 3], [2, 2]), "SHAPE_MISMATCH", "[2,2]", "needs 4", "3 values");
  });
});

describe("tensor() from a Float32Array", () => {
  it("copies the data instead of aliasing it", () => {
    const source = Float32Array.of(1, 2, 3, 4, 5, 6);
    const t = tensor(source, [2, 3]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.data).not.toBe(source);
    source[0] = 100;
    expect(t.data[0]).toBe(1);
    t.data[1] = -7;
    expect(source[1]).toBe(2);
  });

  it("defaults to a 1-D shape", () => {
    expect(tensor(Float32Array.of(1, 2, 3)).shape).toEqual([3]);
  });

  it("rejects a shape whose element count differs from the array length", () => {
    expectError(() => tensor(new Float32Array(5), [2, 3]), "SHAPE_MISMATCH", "[2,3]", "needs 6", "has 5");
  });

  it("new Tensor wraps without copying but checks the count", () => {
    const data = new Float32Array(6);
    expect(new Tensor(data, [3, 2]).data).toBe(data);
    expectError(() => new Tensor(data, [4, 2]), "SHAPE_MISMATCH", "[4,2]", "needs 8", "data has 6");
    expectError(() => new Tensor([1, 2] as unknown as Float32Array, [2]), "INVALID_ARGUMENT", "Float32Array");
  });
});

describe("filled tensors", () => {
  it("zeros, ones and full give the hand values and shapes", () => {
    const z = zeros(2, 3);
    expect(z.shape).toEqual([2, 3]);
    expect(Array.from(z.data)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(zeros([4]).shape).toEqual([4]);
    expect(zeros().shape).toEqual([]);
    expect(zeros().numel).toBe(1);

    const o = ones([3, 1]);
    expect(o.shape).toEqual([3, 1]);
    expect(Array.from(o.data)).toEqual([1, 1, 1]);

    const f = full([2, 2], -7.5);
    expect(Array.from(f.data)).toEqual([-7.5, -7.5, -7.5, -7.5]);
  });

  it("passes requiresGrad through", () => {
    expect(zeros([2], { requiresGrad: true }).requiresGrad).toBe(true);
    expect(ones(2, 2, { requiresGrad: true }).requiresGrad).toBe(true);
    expect(zeros(2).requiresGrad).toBe(false);
  });
});

describe("arange", () => {
  it("counts like torch.arange", () => {
    expect(Array.from(arange(5).data)).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(arange(2, 5).data)).toEqual([2, 3, 4]);
    expect(Array.from(arange(1, 10, 3).data)).toEqual([1, 4, 7]);
    expect(arange(0).shape).toEqual([0]);
  });

  it("handles fractional steps (values rounded to float32)", () => {
    expect(Array.from(arange(0, 1, 0.25).data)).toEqual([0, 0.25, 0.5, 0.75]);
    // ceil((1 − 0) / 0.3) = 4 values: 0, 0.3, 0.6, 0.9 (the last one is below the end).
    expect(Array.from(arange(0, 1, 0.3).data)).toEqual([0, 0.3, 0.6, 0.9].map(Math.fround));
  });

  it("handles negative steps", () => {
    expect(Array.from(arange(1, -1, -0.5).data)).toEqual([1, 0.5, 0, -0.5]);
    expect(Array.from(arange(3, 0, -1).data)).toEqual([3, 2, 1]);
  });

  it("rejects step 0 and non-finite bounds", () => {
    expectError(() => arange(0, 1, 0), "INVALID_ARGUMENT", "step must not be 0");
    expectError(() => arange(0, Number.NaN), "INVALID_ARGUMENT", "end", "NaN");
    expectError(() => arange(0, 1, Infinity), "INVALID_ARGUMENT", "step", "Infinity");
  });
});

describe("reshape / view", () => {
  it("infers a single -1 and shares the data", () => {
    const x = arange(12);
    const y = x.reshape(3, -1);
    expect(y.shape).toEqual([3, 4]);
    expect(y.data).toBe(x.data);
    expect(x.reshape([-1, 6]).shape).toEqual([2, 6]);
    expect(x.view(2, 3, -1).shape).toEqual([2, 3, 2]);
    expect(x.view(-1).shape).toEqual([12]);
    expect(y.toArray()).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9, 10, 11],
    ]);
  });

  it("rejects two -1", () => {
    expectError(() => zeros(2, 3).reshape(-1, -1), "INVALID_ARGUMENT", "only one dimension can be -1", "[-1,-1]");
    expectError(() => zeros(2, 3).view(-1, 3, -1), "INVALID_ARGUMENT", "[-1,3,-1]");
  });

  it("rejects an incompatible size, naming both shapes", () => {
    expectError(() => zeros(2, 3).reshape(4, 2), "SHAPE_MISMATCH", "[2,3]", "[4,2]", "6 elements", "8 elements");
    expectError(() => zeros(2, 3).view(4, -1), "SHAPE_MISMATCH", "[2,3]", "[4,-1]");
    expectError(() => zeros(2, 3).reshape(5), "SHAPE_MISMATCH", "[2,3]", "[5]");
  });

  it("rejects other negative dimensions", () => {
    expectError(() => zeros(2, 3).reshape(-2, -3), "INVALID_ARGUMENT", "-2");
  });
});

describe("flatten(start, end)", () => {
  const x = arange(120).reshape(2, 3, 4, 5);

  it("merges the given dimension range (inclusive)", () => {
    expect(x.flatten().shape).toEqual([120]);
    expect(x.flatten(1).shape).toEqual([2, 60]);
    expect(x.flatten(1, 2).shape).toEqual([2, 12, 5]);
    expect(x.flatten(-3, -2).shape).toEqual([2, 12, 5]);
    expect(x.flatten(2, 2).shape).toEqual([2, 3, 4, 5]);
    expect(tensor(3).flatten().shape).toEqual([1]);
  });

  it("keeps the row-major order of the values", () => {
    expect(Array.from(x.flatten(1, 2).data)).toEqual(Array.from({ length: 120 }, (_, i) => i));
  });

  it("rejects start after end and out-of-range dims", () => {
    expectError(() => x.flatten(2, 1), "INVALID_ARGUMENT", "startDim 2", "endDim 1", "[2,3,4,5]");
    expectError(() => x.flatten(0, 4), "OUT_OF_RANGE", "dim 4", "4 dimensions");
  });
});

describe("item, toArray, size", () => {
  it("item returns the single value of any one-element tensor", () => {
    expect(tensor([[[-3.5]]]).item()).toBe(-3.5);
  });

  it("item on a non-scalar is an error naming the shape", () => {
    expectError(() => zeros(2, 3).item(), "SHAPE_MISMATCH", "[2,3]", "6 elements");
    expectError(() => zeros(0).item(), "SHAPE_MISMATCH", "[0]", "0 elements");
  });

  it("toArray follows the shape", () => {
    expect(arange(6).reshape(3, 2).toArray()).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
    expect(zeros(2, 0).toArray()).toEqual([[], []]);
  });

  it("round-trips tensor(t.toArray()) for any shape with non-zero dims", () => {
    const shapeArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 4 });
    fc.assert(
      fc.property(shapeArb, fc.integer(), (shape, seed) => {
        const n = shape.reduce((a, b) => a * b, 1);
        // Float32-representable values derived from the seed.
        const values = Float32Array.from({ length: n }, (_, i) => Math.fround(Math.sin(seed + i * 1.7) * 1000));
        const t = tensor(values, shape);
        const back = tensor(t.toArray());
        expect(back.shape).toEqual(shape);
        expect(Array.from(back.data)).toEqual(Array.from(values));
      }),
      { numRuns: 200 },
    );
  });

  it("size(dim) counts negative dims from the end", () => {
    const x = zeros(2, 3, 4);
    expect([x.size(0), x.size(1), x.size(2)]).toEqual([2, 3, 4]);
    expect([x.size(-1), x.size(-2), x.size(-3)]).toEqual([4, 3, 2]);
  });

  it("size(dim) out of range is an error naming dim and rank", () => {
    expectError(() => zeros(2, 3, 4).size(3), "OUT_OF_RANGE", "dim 3", "3 dimensions");
    expectError(() => zeros(2, 3, 4).size(-4), "OUT_OF_RANGE", "dim -4", "3 dimensions");
    expectError(() => zeros(5).size(1), "OUT_OF_RANGE", "1 dimension");
    expectError(() => zeros(2, 3, 4).size(1.5), "INVALID_ARGUMENT", "1.5");
  });
});

describe("invalid shapes", () => {
  const makers: [string, (shape: number[]) => unknown][] = [
    ["zeros", (s) => zeros(s)],
    ["ones", (s) => ones(s)],
    ["full", (s) => full(s, 1)],
    ["rand", (s) => rand(s)],
    ["randn", (s) => randn(s)],
    ["Tensor", (s) => new Tensor(new Float32Array(0), s)],
  ];

  for (const [name, make] of makers) {
    it(`${name}: negative, fractional, NaN and infinite dims → INVALID_ARGUMENT naming the dim`, () => {
      expectError(() => make([2, -1]), "INVALID_ARGUMENT", "shape[1]", "-1");
      expectError(() => make([1.5, 2]), "INVALID_ARGUMENT", "shape[0]", "1.5");
      expectError(() => make([3, Number.NaN]), "INVALID_ARGUMENT", "shape[1]", "NaN");
      expectError(() => make([Infinity]), "INVALID_ARGUMENT", "shape[0]", "Infinity");
    });

    it(`${name}: more than MAX_ELEMENTS elements → OUT_OF_RANGE before any allocation`, () => {
      // 2^40 floats would be 4 TiB: a RangeError from the allocator (not a TorchletError) if it were tried.
      expectError(() => make([2 ** 20, 2 ** 20]), "OUT_OF_RANGE", "[1048576,1048576]", "1099511627776", String(MAX_ELEMENTS));
      expectError(() => make([2 ** 15, 2 ** 15 + 1]), "OUT_OF_RANGE", String(2 ** 30 + 2 ** 15));
    });
  }

  it("MAX_ELEMENTS is 2^30", () => {
    expect(MAX_ELEMENTS).toBe(1073741824);
  });
});
