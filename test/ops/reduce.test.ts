// softmax/logSoftmax over any dim, sum/mean over dims with keepdim, max and
// argmax: values against float64 references written with explicit index
// arithmetic (independent of the kernels' offset lists and strides), hand-made
// cases, float64 gradient checks, and typed errors naming the dim and the shape.

import { describe, expect, it } from "vitest";
import { logSoftmax, softmax } from "../../src/ops/softmax.js";
import { mean, sum } from "../../src/ops/reduce.js";
import { argmax, max } from "../../src/ops/max.js";
import type { Tensor } from "../../src/tensor/tensor.js";
import { tensor, zeros } from "../../src/tensor/create.js";
import { checkGradients } from "../helpers/gradcheck.js";
import { expectError } from "../helpers/errors.js";
import { distinct64, f32, randn64, rng } from "../helpers/random.js";

const SHAPE = [2, 3, 4];

/** The multi-index of flat position k in `shape` (row-major). */
function unravel(k: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = k % shape[d]!;
    k = Math.floor(k / shape[d]!);
  }
  return index;
}

/** The flat position of a multi-index in `shape`. */
function ravel(index: readonly number[], shape: readonly number[]): number {
  return index.reduce((k, i, d) => k * shape[d]! + i, 0);
}

/** Float64 sum (or mean) of x over `dims`, by walking every input element to its output slot. */
function sumRef(x: ArrayLike<number>, shape: readonly number[], dims: readonly number[], average: boolean): Float64Array {
  const outShape = shape.map((s, d) => (dims.includes(d) ? 1 : s));
  const out = new Float64Array(outShape.reduce((a, b) => a * b, 1));
  const count = dims.reduce((a, d) => a * shape[d]!, 1);
  for (let k = 0; k < x.length; k++) {
    const index = unravel(k, shape).map((i, d) => (dims.includes(d) ? 0 : i));
    out[ravel(index, outShape)] += x[k]! / (average ? count : 1);
  }
  return out;
}

/** Float64 (log-)softmax of x over dim: for each line along dim, the textbook formula. */
function softmaxDimRef(x: ArrayLike<number>, shape: readonly number[], dim: number, log: boolean): Float64Array {
  const out = new Float64Array(x.length);
  for (let k = 0; k < x.length; k++) {
    const index = unravel(k, shape);
    const line = Array.from({ length: shape[dim]! }, (_, j) => x[ravel(index.map((i, d) => (d === dim ? j : i)), shape)]!);
    const m = Math.max(...line);
    const lse = m + Math.log(line.reduce((s, v) => s + Math.exp(v - m), 0));
    out[k] = log ? x[k]! - lse : Math.exp(x[k]! - lse);
  }
  return out;
}

/** Float64 max over dim (values), with the first index of the largest. */
function maxDimRef(x: ArrayLike<number>, shape: readonly number[], dim: number): { values: number[]; indices: number[] } {
  const outShape = shape.map((s, d) => (d === dim ? 1 : s));
  const values: number[] = [], indices: number[] = [];
  for (let o = 0; o < outShape.reduce((a, b) => a * b, 1); o++) {
    const index = unravel(o, outShape);
    let best = 0;
    for (let j = 1; j < shape[dim]!; j++) if (x[ravel(index.map((i, d) => (d === dim ? j : i)), shape)]! > x[ravel(index.map((i, d) => (d === dim ? best : i)), shape)]!) best = j;
    indices.push(best);
    values.push(x[ravel(index.map((i, d) => (d === dim ? best : i)), shape)]!);
  }
  return { values, indices };
}

describe("softmax and logSoftmax over any dim", () => {
  for (const dim of [0, 1, 2, -1, -3]) {
    it(`dim ${dim} of (2, 3, 4): values and float64 gradcheck`, () => {
      const d = dim < 0 ? dim + 3 : dim;
      for (const [name, op] of [["softmax", softmax], ["logSoftmax", logSoftmax]] as const) {
        const g = rng(40 + d);
        checkGradients({
          inputs: [{ name: "x", data: randn64(g, 24, 2), shape: SHAPE }],
          reference: ([x]) => softmaxDimRef(x!, SHAPE, d, name === "logSoftmax"),
          op: ([x]) => op(x!, dim),
          generator: g,
        });
      }
    });
  }

  it("by hand: softmax over dim 0 of [[0, 0], [ln 3, 0]] is [[1/4, 1/2], [3/4, 1/2]]; a 0-D input is one class", () => {
    expect(Array.from(softmax(tensor([[0, 0], [Math.log(3), 0]]), 0).data).map((v) => Number(v.toFixed(6)))).toEqual([0.25, 0.5, 0.75, 0.5]);
    expect(softmax(tensor(7), 0).item()).toBe(1);
    expect(logSoftmax(tensor(7), -1).item()).toBe(0);
  });

  it("without dim: the last dimension of a 1-D or 2-D input (PyTorch's implicit dim agrees there); 3-D asks for dim", () => {
    const x = tensor([[1, 2, 3], [0, 0, 1]]);
    expect(Array.from(softmax(x).data)).toEqual(Array.from(softmax(x, 1).data));
    expect(Array.from(logSoftmax(tensor([1, 2])).data)).toEqual(Array.from(logSoftmax(tensor([1, 2]), 0).data));
    expectError(() => softmax(zeros(2, 3, 4)), "INVALID_ARGUMENT", ["softmax:", "dim is required for a 3-D input", "[2,3,4]", "would take dim 0"]);
    expectError(() => logSoftmax(zeros(1, 2, 3, 4)), "INVALID_ARGUMENT", ["logSoftmax:", "4-D", "would take dim 1"]);
  });

  it("a bad dim names the dim and the shape", () => {
    expectError(() => softmax(zeros(2, 3), 2), "OUT_OF_RANGE", ["softmax:", "dim 2 is out of range for shape [2,3]", "[-2, 1]"]);
    expectError(() => logSoftmax(zeros(2, 3), -3), "OUT_OF_RANGE", ["dim -3", "[2,3]"]);
    expectError(() => softmax(zeros(2, 3), 0.5), "INVALID_ARGUMENT", ["dim must be an integer, got 0.5", "[2,3]"]);
    expectError(() => softmax(zeros(0, 3), 0), "SHAPE_MISMATCH", ["non-empty dimension 0", "[0,3]"]);
  });
});

describe("sum and mean over dims", () => {
  const cases: [dim: number | number[] | undefined, keepdim: boolean, shape: number[]][] = [
    [undefined, false, []], [0, false, [3, 4]], [1, true, [2, 1, 4]], [-1, false, [2, 3]],
    [[0, 2], false, [3]], [[2, 0], true, [1, 3, 1]], [[-1, 1], false, [2]], [[0, 1, 2], true, [1, 1, 1]], [[], false, []],
  ];
  for (const [dim, keepdim, shape] of cases) {
    it(`dim ${JSON.stringify(dim)}, keepdim ${keepdim}: shape ${JSON.stringify(shape)}, values and float64 gradcheck`, () => {
      const dims = dim === undefined || (Array.isArray(dim) && dim.length === 0) ? [0, 1, 2] : [dim].flat().map((d) => (d < 0 ? d + 3 : d));
      for (const [name, op] of [["sum", sum], ["mean", mean]] as const) {
        const g = rng(60 + shape.length);
        let result: Tensor | undefined;
        checkGradients({
          inputs: [{ name: "x", data: randn64(g, 24), shape: SHAPE }],
          reference: ([x]) => sumRef(x!, SHAPE, dims, name === "mean"),
          op: ([x]) => (result = op(x!, dim, keepdim)),
          generator: g,
        });
        expect(result!.shape).toEqual(shape);
      }
    });
  }

  it("by hand", () => {
    const x = tensor([[1, 2], [3, 4]]);
    expect(sum(x, 0).toArray()).toEqual([4, 6]);
    expect(sum(x, -1, true).toArray()).toEqual([[3], [7]]);
    expect(mean(x, 1, true).toArray()).toEqual([[1.5], [3.5]]);
    expect(mean(x, [0, 1]).item()).toBe(2.5);
    expect(sum(tensor(5), 0).toArray()).toBe(5);
    expect(sum(zeros(0, 3), 0).toArray()).toEqual([0, 0, 0]); // the sum of nothing is 0, as PyTorch
  });

  it("typed errors: a bad or repeated dim (naming it and the shape), keepdim not a boolean, a mean of nothing", () => {
    expectError(() => sum(zeros(2, 3), 2), "OUT_OF_RANGE", ["sum:", "dim 2 is out of range for shape [2,3]"]);
    expectError(() => mean(zeros(2, 3), [0, -2]), "INVALID_ARGUMENT", ["mean:", "dim 0 appears more than once in dim [0,-2]", "[2,3]"]);
    expectError(() => sum(zeros(2, 3), [0, "1"] as unknown as number[]), "INVALID_ARGUMENT", ['dim must be an integer, got "1"']);
    expectError(() => sum(zeros(2, 3), 0, 1 as unknown as boolean), "INVALID_ARGUMENT", ["sum:", "keepdim must be true or false, got 1"]);
    expectError(() => mean(zeros(2, 0), 1), "SHAPE_MISMATCH", ["mean:", "the empty dims 1", "[2,0]"]);
  });
});

describe("max and argmax", () => {
  for (const dim of [0, 1, 2, -1]) {
    it(`max(x, ${dim}): values, indices, float64 gradcheck (distinct values)`, () => {
      const d = dim < 0 ? dim + 3 : dim;
      const g = rng(80 + d);
      const data = distinct64(g, 24);
      const ref = maxDimRef(data, SHAPE, d);
      let indices: Tensor | undefined;
      checkGradients({
        inputs: [{ name: "x", data, shape: SHAPE }],
        reference: ([x]) => maxDimRef(x!, SHAPE, d).values,
        op: ([x]) => {
          const [values, idx] = max(x!, dim);
          indices = idx;
          return values;
        },
        generator: g,
      });
      expect(Array.from(indices!.data)).toEqual(ref.indices);
      expect(Array.from(argmax(tensor(Array.from(data), SHAPE), dim).data)).toEqual(ref.indices);
    });
  }

  it("ties and keepdim by hand (PyTorch 1.13): the first index wins and takes the whole gradient over a dim", () => {
    const x = tensor([[3, 1, 3], [0, 3, 3]], undefined, { requiresGrad: true });
    const result = max(x, 1, true);
    expect(result.values.toArray()).toEqual([[3], [3]]);
    expect(result.indices.toArray()).toEqual([[0], [1]]);
    sum(result[0]).backward();
    expect(x.grad!.toArray()).toEqual([[1, 0, 0], [0, 1, 0]]);
  });

  it("max(x) over everything shares the gradient evenly among tied maxima, as PyTorch's max() backward", () => {
    // torch: tensor([[3., 1, 3], [0, 3, 2]]).max() backward → [[1/3, 0, 1/3], [0, 1/3, 0]]
    const x = tensor([[3, 1, 3], [0, 3, 2]], undefined, { requiresGrad: true });
    const m = max(x);
    expect(m.shape).toEqual([]);
    expect(m.item()).toBe(3);
    m.backward();
    expect(Array.from(x.grad!.data)).toEqual(Array.from(f32(Float64Array.of(1 / 3, 0, 1 / 3, 0, 1 / 3, 0))));
  });

  it("NaN wins (its first one), as torch.max and torch.argmax; max(x) of NaNs routes to every NaN", () => {
    const rows = [[0.5, NaN, 0.9, NaN], [NaN, 1, 3, 3], [1, 3, 3, -2]];
    expect(argmax(tensor(rows), 1).toArray()).toEqual([1, 0, 1]);
    expect(argmax(tensor(rows), 0).toArray()).toEqual([1, 0, 1, 0]);
    expect(argmax(tensor(rows)).toArray()).toBe(1);
    const x = tensor([[1, NaN], [NaN, 2]], undefined, { requiresGrad: true });
    const m = max(x);
    expect(m.item()).toBeNaN();
    m.backward();
    expect(Array.from(x.grad!.data)).toEqual([0, 0.5, 0.5, 0]);
  });

  it("argmax: a flat index without dim (shape [], or all 1s with keepdim), float32 integers, no gradient", () => {
    const x = tensor([[1, 5, 2], [7, 0, 3]], undefined, { requiresGrad: true });
    const flat = argmax(x);
    expect(flat.shape).toEqual([]);
    expect(flat.item()).toBe(3);
    expect(argmax(x, undefined, true).shape).toEqual([1, 1]);
    expect(argmax(x, 0, true).toArray()).toEqual([[1, 0, 1]]);
    expect(argmax(x, -1).requiresGrad).toBe(false);
    expect(max(x, 0).indices.requiresGrad).toBe(false);
  });

  it("typed errors: a bad dim (naming it and the shape), keepdim without dim, an empty reduction", () => {
    expectError(() => max(zeros(2, 3), 2), "OUT_OF_RANGE", ["max:", "dim 2 is out of range for shape [2,3]"]);
    expectError(() => argmax(zeros(2, 3), -3), "OUT_OF_RANGE", ["argmax:", "dim -3", "[2,3]"]);
    expectError(() => (max as (...a: unknown[]) => unknown)(zeros(2, 3), undefined, true), "INVALID_ARGUMENT", ["max:", "keepdim needs a dim"]);
    expectError(() => max(zeros(0, 3)), "SHAPE_MISMATCH", ["max:", "empty tensor", "[0,3]"]);
    expectError(() => max(zeros(2, 0), 1), "SHAPE_MISMATCH", ["max:", "empty dimension 1", "[2,0]"]);
    expectError(() => argmax(zeros(0)), "SHAPE_MISMATCH", ["argmax:", "empty tensor", "[0]"]);
  });
});
