// Broadcasting add, sub, mul, div: the shape rules against hand-computed
// shapes, values and gradients against a naive index-by-index reference
// (multi-indices unravelled and clamped per dimension, nothing shared with
// src/ops/broadcast.ts's offsets), float64 gradchecks of row, column, scalar,
// rank-expanding and size-0 cases, numbers on either side, and the errors.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { add, div, mul, sub } from "../../src/ops/elementwise.js";
import { broadcastOffsets, broadcastShapes, expandForward, sumToShape } from "../../src/ops/broadcast.js";
import { sum } from "../../src/ops/reduce.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { tensor, zeros } from "../../src/tensor/create.js";
import { checkGradients } from "../helpers/gradcheck.js";
import { expectAllClose } from "../helpers/close.js";
import { expectError } from "../helpers/errors.js";
import { awayFromZero64, randn64, rng } from "../helpers/random.js";

type Shape = readonly number[];
const count = (s: Shape): number => s.reduce((a, b) => a * b, 1);

/** Naive broadcast: for each output multi-index, the element each operand reads (its index clamped to 0 where its size is 1). */
function naiveSources(shapes: readonly Shape[], out: Shape): number[][] {
  const rows: number[][] = [];
  for (let flat = 0; flat < count(out); flat++) {
    const index: number[] = [];
    for (let d = out.length - 1, rest = flat; d >= 0; d--) {
      index.unshift(rest % out[d]!);
      rest = Math.floor(rest / out[d]!);
    }
    rows.push(shapes.map((shape) => {
      const own = index.slice(out.length - shape.length).map((i, d) => (shape[d] === 1 ? 0 : i));
      return own.reduce((acc, i, d) => acc * shape[d]! + i, 0);
    }));
  }
  return rows;
}

/** The float64 reference of a broadcasting binary op f over operands of shapes a and b. */
function naiveBinary(a: Shape, b: Shape, out: Shape, f: (x: number, y: number) => number): (inputs: Float64Array[]) => Float64Array {
  const sources = naiveSources([a, b], out);
  return ([x, y]) => Float64Array.from(sources, ([i, j]) => f(x![i!]!, y![j!]!));
}

const OPS = [
  { name: "add", op: add, f: (x: number, y: number) => x + y },
  { name: "sub", op: sub, f: (x: number, y: number) => x - y },
  { name: "mul", op: mul, f: (x: number, y: number) => x * y },
  { name: "div", op: div, f: (x: number, y: number) => x / y },
] as const;

describe("broadcastShapes: PyTorch's rules", () => {
  const cases: [Shape, Shape, Shape][] = [
    [[2, 3], [3], [2, 3]],
    [[2, 3], [1, 3], [2, 3]],
    [[2, 1], [1, 3], [2, 3]],
    [[4, 1, 5], [3, 1], [4, 3, 5]],
    [[], [2, 2], [2, 2]],
    [[0, 3], [1, 3], [0, 3]],
    [[0], [1], [0]],
    [[2, 0, 1], [4], [2, 0, 4]],
  ];
  it.each(cases)("%j with %j → %j (either order)", (a, b, out) => {
    expect(broadcastShapes("t", [a, b], ["a", "b"])).toEqual(out);
    expect(broadcastShapes("t", [b, a], ["b", "a"])).toEqual(out);
  });

  it("names both shapes, both operands and the dimension (counted from the last) that does not fit", () => {
    expectError(() => add(zeros(2, 3), zeros(4, 3)), "SHAPE_MISMATCH", ["add:", "[2,3] and [4,3]", "(input and other)", "dimension -2", "input has size 2 and other has size 4", "equal, or 1"]);
    expectError(() => mul(zeros(5, 2, 3), zeros(3, 3)), "SHAPE_MISMATCH", ["mul:", "[5,2,3] and [3,3]", "dimension -2"]);
    expectError(() => div(zeros(0), zeros(2)), "SHAPE_MISMATCH", ["div:", "[0] and [2]", "dimension -1", "size 0", "size 2"]);
  });
});

describe("the broadcast kernels, by hand", () => {
  it("offsets of a row [3] and a column [2,1] inside [2,3]", () => {
    expect(Array.from(broadcastOffsets([3], [2, 3]))).toEqual([0, 1, 2, 0, 1, 2]);
    expect(Array.from(broadcastOffsets([2, 1], [2, 3]))).toEqual([0, 0, 0, 1, 1, 1]);
    expect(Array.from(broadcastOffsets([], [2, 2]))).toEqual([0, 0, 0, 0]);
    expect(Array.from(broadcastOffsets([2, 1, 2], [2, 3, 2]))).toEqual([0, 1, 0, 1, 0, 1, 2, 3, 2, 3, 2, 3]);
  });

  it("expandForward copies, sumToShape accumulates (+=) the sum over the stretched dimension", () => {
    const offsets = broadcastOffsets([2, 1], [2, 3]);
    const y = new Float32Array(6);
    expandForward(y, Float32Array.of(7, 9), offsets);
    expect(Array.from(y)).toEqual([7, 7, 7, 9, 9, 9]);
    const dx = Float32Array.of(100, 200);
    sumToShape(dx, Float32Array.of(1, 2, 3, 4, 5, 6), offsets);
    expect(Array.from(dx)).toEqual([106, 215]);
  });
});

describe("broadcasting values and gradients against the naive reference", () => {
  // an output shape, and two operand shapes that broadcast to it: some leading dims dropped, some dims set to 1
  const shapes = fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 0, maxLength: 4 }).chain((out) =>
    fc.tuple(...[0, 1].map(() => fc.tuple(fc.integer({ min: 0, max: out.length }), fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length })).map(([drop, ones]) =>
      out.map((d, i) => (ones[i] ? 1 : d)).slice(drop)))).map(([a, b]) => ({ out, a: a!, b: b! })));

  for (const { name, op, f } of OPS) {
    it(`${name}: forward values and both gradients on random broadcast shapes`, () => {
      fc.assert(fc.property(shapes, fc.integer({ min: 0, max: 2 ** 31 - 1 }), ({ a, b }, seed) => {
        const target = broadcastShapes("t", [a, b], ["a", "b"]);
        const g = rng(seed);
        const x = new Tensor(Float32Array.from(randn64(g, count(a))), a, { requiresGrad: true });
        const y = new Tensor(Float32Array.from(awayFromZero64(g, count(b), 0.5, 2)), b, { requiresGrad: true });
        const result = op(x, y);
        expect([...result.shape]).toEqual(target);
        const sources = naiveSources([a, b], target);
        expect(Array.from(result.data)).toEqual(sources.map(([i, j]) => Math.fround(f(x.data[i!]!, y.data[j!]!))));
        const dy = Float32Array.from(randn64(g, result.numel));
        result.backward(new Tensor(dy, result.shape));
        const gx = new Float64Array(x.numel), gy = new Float64Array(y.numel);
        sources.forEach(([i, j], k) => {
          const [u, v] = [x.data[i!]!, y.data[j!]!];
          const [du, dv] = name === "add" ? [1, 1] : name === "sub" ? [1, -1] : name === "mul" ? [v, u] : [1 / v, -u / (v * v)];
          gx[i!] += dy[k]! * du;
          gy[j!] += dy[k]! * dv;
        });
        expectAllClose(x.grad!.data, gx, 1e-5, 1e-5, `${name} grad of input ${JSON.stringify(a)} in ${JSON.stringify(target)}`);
        expectAllClose(y.grad!.data, gy, 1e-5, 1e-5, `${name} grad of other ${JSON.stringify(b)} in ${JSON.stringify(target)}`);
      }), { numRuns: 60 });
    });
  }
});

describe("broadcasting gradchecks (float64 finite differences)", () => {
  const layouts: [string, Shape, Shape][] = [
    ["row", [3, 4], [4]],
    ["row as [1,4]", [3, 4], [1, 4]],
    ["column", [3, 4], [3, 1]],
    ["column times row", [3, 1], [1, 4]],
    ["scalar tensor", [2, 3], []],
    ["rank-expanding", [2, 1, 3], [4, 1]],
    ["other the larger", [3], [2, 2, 3]],
  ];
  for (const { name, op, f } of OPS) {
    for (const [layout, a, b] of layouts) {
      it(`${name}: ${layout} ${JSON.stringify(a)} with ${JSON.stringify(b)}`, () => {
        const g = rng(name.length * 31 + layout.length);
        const out = broadcastShapes("t", [a, b], ["a", "b"]);
        checkGradients({
          inputs: [
            { name: "input", data: randn64(g, count(a)), shape: a },
            { name: "other", data: awayFromZero64(g, count(b), 0.5, 2), shape: b },
          ],
          reference: naiveBinary(a, b, out, f),
          op: ([x, y]) => op(x!, y!),
          generator: g,
        });
      });
    }

    it(`${name}: a number on either side`, () => {
      const g = rng(name.length * 7);
      const c = Math.fround(1.75);
      checkGradients({
        inputs: [{ name: "x", data: awayFromZero64(g, 6, 0.5, 2), shape: [2, 3] }],
        reference: ([x]) => x!.map((v) => f(c, v)),
        op: ([x]) => op(c, x!),
        generator: g,
      });
      checkGradients({
        inputs: [{ name: "x", data: randn64(g, 6), shape: [2, 3] }],
        reference: ([x]) => x!.map((v) => f(v, c)),
        op: ([x]) => op(x!, c),
        generator: g,
      });
    });

    it(`${name}: a size-0 dimension broadcast with size 1 gives an empty result and zero gradients`, () => {
      const x = new Tensor(new Float32Array(0), [0, 3], { requiresGrad: true });
      const y = tensor([[1, 2, 3]], undefined, { requiresGrad: true });
      const r = op(x, y);
      expect([...r.shape]).toEqual([0, 3]);
      sum(r).backward();
      expect(x.grad!.numel).toBe(0);
      expect(Array.from(y.grad!.data)).toEqual([0, 0, 0]);
    });
  }

  it("by hand: d(x + b)/db sums over the rows, d(x · c)/dc sums x over the columns", () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]], undefined, { requiresGrad: true });
    const b = tensor([10, 20, 30], undefined, { requiresGrad: true });
    const c = tensor([[1], [2]], undefined, { requiresGrad: true });
    const y = mul(add(x, b), c);
    expect(y.toArray()).toEqual([[11, 22, 33], [28, 50, 72]]);
    sum(y).backward();
    expect(x.grad!.toArray()).toEqual([[1, 1, 1], [2, 2, 2]]);
    expect(b.grad!.toArray()).toEqual([3, 3, 3]); // 1 + 2: each b_j fed two outputs, scaled by c = 1 and 2
    expect(c.grad!.toArray()).toEqual([[66], [75]]); // Σ_j (x_ij + b_j)
  });

  it("sub(1, x) and div(1, x): numbers on the left, as torch.sub(1, x) and torch.div(1, x)", () => {
    const x = tensor([0.25, 2], undefined, { requiresGrad: true });
    expect(sub(1, x).toArray()).toEqual([0.75, -1]);
    const y = div(1, x);
    expect(y.toArray()).toEqual([4, 0.5]);
    sum(y).backward();
    expect(x.grad!.toArray()).toEqual([-16, -0.25]); // d(1/x)/dx = −1/x²
  });
});

describe("broadcasting bad input", () => {
  it("two numbers, or an operand that is neither a Tensor nor a number", () => {
    expectError(() => add(1, 2), "INVALID_ARGUMENT", ["add:", "input and other are both numbers (1 and 2); at least one must be a Tensor"]);
    expectError(() => div(zeros(2), [1, 2] as unknown as number), "INVALID_ARGUMENT", ["div:", "other must be a Tensor or a number, got an array of length 2"]);
    expectError(() => sub(null as unknown as number, zeros(2)), "INVALID_ARGUMENT", ["sub:", "input must be a Tensor or a number, got null"]);
  });

  it("PyTorch options not implemented yet are named as such", () => {
    expectError(() => add(zeros(2), 1, { alpha: 2 } as object as Record<string, never>), "INVALID_ARGUMENT", ["add: option alpha is not supported yet"]);
    expectError(() => div(zeros(2), 1, { rounding_mode: "floor" } as object as Record<string, never>), "INVALID_ARGUMENT", ["div: option rounding_mode (roundingMode) is not supported yet"]);
    expectError(() => mul(zeros(2), 1, { scale: 2 } as object as Record<string, never>), "INVALID_ARGUMENT", ['mul: unknown option "scale"']);
  });
});
