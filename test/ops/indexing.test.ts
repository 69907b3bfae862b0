// Indexing ops (issue 14): narrow and slice (Python's x[:, a:b:s] on one dim), indexSelect and
// gather (index as a Tensor, an Int32Array or a nested array). Values against hand-computed
// answers, Python's slicing rule and the index-by-index references; float64 gradient checks,
// the scatter-add of repeated indices, the kernels, and the errors.

import { describe, expect, it } from "vitest";
import { narrow, slice } from "../../src/ops/slice.js";
import { gather, indexSelect, takeBackward, takeForward } from "../../src/ops/take.js";
import { sum } from "../../src/ops/reduce.js";
import { mul } from "../../src/ops/elementwise.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { arange, tensor, zeros } from "../../src/tensor/create.js";
import { checkGradients } from "../helpers/gradcheck.js";
import { expectAdjoint } from "../helpers/adjoint.js";
import { expectError } from "../helpers/errors.js";
import { f32, randn64, rng } from "../helpers/random.js";
import { gatherRef, pythonSlice, selectRef } from "../helpers/shape-reference.js";

const count = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
const M = [[1, 2, 3], [4, 5, 6]];

describe("narrow and slice", () => {
  it("give hand-computed values", () => {
    expect(narrow(tensor(M), 1, 1, 2).toArray()).toEqual([[2, 3], [5, 6]]);
    expect(narrow(tensor(M), 0, -1, 1).toArray()).toEqual([[4, 5, 6]]);
    expect(narrow(tensor(M), -1, 3, 0).shape).toEqual([2, 0]);
    expect(slice(tensor(M), 1, 0, 3, 2).toArray()).toEqual([[1, 3], [4, 6]]);
    expect(slice(tensor(M), 1, -2).toArray()).toEqual([[2, 3], [5, 6]]);
    expect(slice(tensor(M), 0, null, null).toArray()).toEqual(M);
  });

  it("follow Python's slicing rule: x[start:end:step] on a dimension of 10 (answers from Python)", () => {
    const cases: [number | null, number | null, number, number[]][] = [
      [-4, null, 2, [6, 8]], [1, -1, 3, [1, 4, 7]], [-100, 100, 1, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]], [5, 2, 1, []],
      [8, 100, 5, [8]], [null, 3, 1, [0, 1, 2]], [3, null, 4, [3, 7]], [-1, null, 1, [9]], [10, null, 1, []], [null, -11, 1, []], [0, 10, 20, [0]],
    ];
    for (const [start, end, step, expected] of cases) {
      expect(pythonSlice(10, start, end, step), `reference [${start}:${end}:${step}]`).toEqual(expected);
      expect(slice(arange(10), 0, start, end, step).toArray(), `[${start}:${end}:${step}]`).toEqual(expected);
    }
  });

  it("match the index-by-index reference on every dim of a 3-d tensor", () => {
    const g = rng(1410);
    const shape = [3, 4, 5];
    const x = f32(randn64(g, count(shape)));
    for (let dim = 0; dim < 3; dim++) {
      const size = shape[dim]!;
      for (const [start, end, step] of [[0, size, 1], [1, null, 2], [-3, -1, 1], [null, null, 3], [2, 1, 1]] as [number | null, number | null, number][]) {
        const y = slice(new Tensor(x, shape), dim, start, end, step);
        const ref = selectRef(x, shape, dim, pythonSlice(size, start, end, step));
        expect(y.shape).toEqual(ref.shape);
        expect(Array.from(y.data)).toEqual(Array.from(ref.data));
      }
      const n = narrow(new Tensor(x, shape), dim, 1, size - 2);
      expect(Array.from(n.data)).toEqual(Array.from(selectRef(x, shape, dim, Array.from({ length: size - 2 }, (_, i) => i + 1)).data));
    }
  });

  it("float64 gradient checks", () => {
    const g = rng(1411);
    const shape = [3, 5, 2];
    const data = randn64(g, count(shape));
    checkGradients({ generator: g, inputs: [{ name: "x", data, shape }], reference: ([x]) => selectRef(x!, shape, 1, [1, 2, 3]).data, op: ([x]) => narrow(x!, 1, 1, 3) });
    checkGradients({ generator: g, inputs: [{ name: "x", data, shape }], reference: ([x]) => selectRef(x!, shape, 1, [0, 3]).data, op: ([x]) => slice(x!, -2, null, -1, 3) });
    checkGradients({ generator: g, inputs: [{ name: "x", data, shape }], reference: ([x]) => selectRef(x!, shape, 0, [2]).data, op: ([x]) => slice(x!, 0, -1) });
  });

  it("refuse bad dims and ranges, naming them and the shape", () => {
    expectError(() => narrow(zeros(2, 3), 2, 0, 1), "OUT_OF_RANGE", "narrow: dim 2 is out of range for shape [2,3]");
    expectError(() => narrow(zeros(2, 3), 1, 2, 2), "OUT_OF_RANGE", "narrow: start 2 + length 2 does not fit dim 1 of size 3 (shape [2,3]; expected 0 ≤ length ≤ 1)");
    expectError(() => narrow(zeros(2, 3), 1, 4, 0), "OUT_OF_RANGE", "narrow: start 4 is out of range for dim 1 of size 3 (shape [2,3]; expected -3..3)");
    expectError(() => narrow(zeros(2, 3), 1, 0, -1), "OUT_OF_RANGE", "length -1");
    expectError(() => narrow(zeros(2, 3), 1, 0.5, 1), "INVALID_ARGUMENT", "narrow: start must be an integer, got 0.5");
    expectError(() => narrow(tensor(1), 0, 0, 1), "SHAPE_MISMATCH", "narrow: input is a 0-d tensor");
    expectError(() => slice(zeros(2, 3), 1, 0, 2, 0), "INVALID_ARGUMENT", "slice: step must be a positive integer");
    expectError(() => slice(zeros(2, 3), 1, 0, 2, -1), "INVALID_ARGUMENT", "got -1");
    expectError(() => slice(zeros(2, 3), 1, "1" as never), "INVALID_ARGUMENT", 'slice: start must be an integer, got "1"');
    expectError(() => slice(zeros(2, 3), -3), "OUT_OF_RANGE", "slice: dim -3 is out of range for shape [2,3]");
    expectError(() => (slice as (...a: unknown[]) => Tensor)(zeros(2, 3), 0, 0, 1, 1, 1), "INVALID_ARGUMENT", "slice: takes 5 arguments");
  });
});

describe("indexSelect and gather", () => {
  it("give hand-computed values, with the index as a Tensor, an Int32Array, an array or a number", () => {
    expect(indexSelect(tensor(M), 1, [2, 0, 2]).toArray()).toEqual([[3, 1, 3], [6, 4, 6]]);
    expect(indexSelect(tensor(M), 0, Int32Array.of(1)).toArray()).toEqual([[4, 5, 6]]);
    expect(indexSelect(tensor(M), -1, tensor([1, 1])).toArray()).toEqual([[2, 2], [5, 5]]);
    expect(indexSelect(tensor(M), 0, []).shape).toEqual([0, 3]);
    expect(indexSelect(tensor(M), 1, 2).toArray()).toEqual([[3], [6]]); // a 0-d index keeps the dimension, size 1
    expect(gather(tensor(M), 1, [[2, 0], [1, 1]]).toArray()).toEqual([[3, 1], [5, 5]]);
    expect(gather(tensor(M), 0, [[1, 0, 1]]).toArray()).toEqual([[4, 2, 6]]);
    expect(gather(tensor(M), 0, tensor([[1], [0]])).toArray()).toEqual([[4], [1]]);
    expect(gather(tensor([10, 20, 30]), 0, Int32Array.of(2, 2, 0, 1)).toArray()).toEqual([30, 30, 10, 20]);
  });

  it("match the index-by-index reference on random 3-d inputs", () => {
    const g = rng(1420);
    const shape = [3, 4, 2];
    const x = f32(randn64(g, count(shape)));
    for (let dim = 0; dim < 3; dim++) {
      const picks = Array.from({ length: 5 }, () => g.randint(shape[dim]!));
      const y = indexSelect(new Tensor(x, shape), dim, picks);
      const ref = selectRef(x, shape, dim, picks);
      expect(y.shape).toEqual(ref.shape);
      expect(Array.from(y.data)).toEqual(Array.from(ref.data));
      const indexShape = shape.map((s, i) => (i === dim ? 3 : Math.max(1, s - 1)));
      const index = Array.from({ length: count(indexShape) }, () => g.randint(shape[dim]!));
      const z = gather(new Tensor(x, shape), dim, new Tensor(Float32Array.from(index), indexShape));
      const zRef = gatherRef(x, shape, dim, index, indexShape);
      expect(z.shape).toEqual(zRef.shape);
      expect(Array.from(z.data)).toEqual(Array.from(zRef.data));
    }
  });

  it("send gradients back with a scatter-add: a repeated index accumulates", () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    sum(mul(indexSelect(x, 1, [2, 0, 2]), tensor([[1, 10, 100], [1000, 10000, 100000]]))).backward();
    expect(x.grad!.toArray()).toEqual([[10, 0, 101], [10000, 0, 101000]]);
    const w = tensor([10, 20, 30], { requiresGrad: true });
    sum(mul(gather(w, 0, [2, 2, 0]), tensor([1, 2, 4]))).backward();
    expect(w.grad!.toArray()).toEqual([4, 0, 3]);
  });

  it("float64 gradient checks", () => {
    const g = rng(1421);
    const shape = [3, 4];
    const data = randn64(g, 12);
    checkGradients({ generator: g, inputs: [{ name: "x", data, shape }], reference: ([x]) => selectRef(x!, shape, 1, [3, 0, 3, 1]).data, op: ([x]) => indexSelect(x!, 1, [3, 0, 3, 1]) });
    checkGradients({ generator: g, inputs: [{ name: "x", data, shape }], reference: ([x]) => selectRef(x!, shape, 0, [2, 2]).data, op: ([x]) => indexSelect(x!, 0, Int32Array.of(2, 2)) });
    const index = [[0, 2, 2], [1, 1, 0]];
    checkGradients({ generator: g, inputs: [{ name: "x", data, shape }], reference: ([x]) => gatherRef(x!, shape, 0, index.flat(), [2, 3]).data, op: ([x]) => gather(x!, 0, index) });
    checkGradients({ generator: g, inputs: [{ name: "x", data, shape }], reference: ([x]) => gatherRef(x!, shape, 1, index.flat(), [2, 3]).data, op: ([x]) => gather(x!, 1, index) });
  });

  it("refuse bad indices, naming the value, the dim and the shape", () => {
    expectError(() => indexSelect(tensor(M), 1, [0, 3]), "OUT_OF_RANGE", "indexSelect: index 3 (at flat position 1) is out of range for dim 1 of size 3 (input shape [2,3]; expected 0..2)");
    expectError(() => indexSelect(tensor(M), 1, [-1]), "OUT_OF_RANGE", "index -1");
    expectError(() => indexSelect(tensor(M), 1, [0.5]), "INVALID_ARGUMENT", "indexSelect: index must hold integers, got 0.5 at flat position 0");
    expectError(() => indexSelect(tensor(M), 1, tensor([1.5])), "INVALID_ARGUMENT", "got 1.5");
    expectError(() => indexSelect(tensor(M), 1, [[0]]), "SHAPE_MISMATCH", "indexSelect: index must be 1-D, got shape [1,1]");
    expectError(() => indexSelect(tensor(M), 2, [0]), "OUT_OF_RANGE", "indexSelect: dim 2 is out of range for shape [2,3]");
    expectError(() => indexSelect(tensor(M), 1, "0" as never), "INVALID_ARGUMENT", 'indexSelect: index must be a Tensor of integers, an Int32Array or an array of integers, got "0"');
    expectError(() => indexSelect(tensor(M), 1, [0, "1"] as never), "INVALID_ARGUMENT", 'got "1" at flat position 1');
    // eslint-disable-next-line no-sparse-arrays
    expectError(() => indexSelect(tensor(M), 1, [0, , 1] as never), "INVALID_ARGUMENT", "got undefined at flat position 1");
    expectError(() => gather(tensor(M), 1, [[0], [1, 2]]), "SHAPE_MISMATCH", "gather: index[1] has length 2 where 1 was expected (ragged nesting, shape [2,1])");
    expectError(() => gather(tensor(M), 1, [0, 1]), "SHAPE_MISMATCH", "gather: index of shape [2] does not fit input of shape [2,3]: it needs the same number of dimensions, each at most the input's except dim 1");
    expectError(() => gather(tensor(M), 1, [[0], [1], [2]]), "SHAPE_MISMATCH", "index of shape [3,1] does not fit input of shape [2,3]");
    expectError(() => gather(tensor(M), 0, [[0, 2]]), "OUT_OF_RANGE", "gather: index 2 (at flat position 1) is out of range for dim 0 of size 2");
    expectError(() => gather(tensor(3), 0, [0]), "SHAPE_MISMATCH", "gather: input is a 0-d tensor");
  });
});

describe("kernels: take forward overwrites, backward scatter-adds, adjoint", () => {
  it("takeForward and takeBackward", () => {
    const offsets = Int32Array.of(2, 0, 2);
    const y = new Float32Array(3).fill(99);
    takeForward(y, Float32Array.of(5, 6, 7), offsets);
    expect(Array.from(y)).toEqual([7, 5, 7]);
    const dx = Float32Array.of(1, 1, 1);
    takeBackward(dx, Float32Array.of(10, 20, 30), offsets);
    expect(Array.from(dx)).toEqual([21, 1, 41]);
    const g = rng(1422);
    const many = Int32Array.from({ length: 40 }, () => g.randint(9));
    expectAdjoint((v) => { const out = new Float32Array(40); takeForward(out, v, many); return out; }, (w) => { const out = new Float32Array(9); takeBackward(out, w, many); return out; }, f32(randn64(g, 9)), f32(randn64(g, 40)));
  });
});
