// Elementwise math: exp, log, sqrt, abs, neg, pow, clamp, maximum, minimum,
// where and the comparisons. Float64 gradchecks (broadcast cases included),
// hand-computed values at the special points (0, ties, bounds, NaN, ±Infinity)
// as PyTorch 1.13 gives them, and the bad-input errors.

import { describe, expect, it } from "vitest";
import { abs, exp, log, neg, sqrt } from "../../src/ops/math.js";
import { pow } from "../../src/ops/pow.js";
import { clamp, maximum, minimum } from "../../src/ops/clamp.js";
import { eq, ge, gt, le, lt, ne, where } from "../../src/ops/compare.js";
import { sum } from "../../src/ops/reduce.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { tensor, zeros } from "../../src/tensor/create.js";
import { checkGradients } from "../helpers/gradcheck.js";
import { expectError } from "../helpers/errors.js";
import { awayFromZero64, distinct64, randn64, rng, uniform64 } from "../helpers/random.js";

type Shape = readonly number[];
const count = (s: Shape): number => s.reduce((a, b) => a * b, 1);

/** The element of an operand of `shape` that output element `flat` of `out` reads (naive broadcasting). */
function source(shape: Shape, out: Shape, flat: number): number {
  let index = 0, stride = 1;
  for (let d = out.length - 1; d >= out.length - shape.length; d--) {
    const i = Math.floor(flat / out.slice(d + 1).reduce((a, b) => a * b, 1)) % out[d]!;
    const size = shape[d - (out.length - shape.length)]!;
    index += (size === 1 ? 0 : i) * stride;
    stride *= size;
  }
  return index;
}

/** The float64 reference of an elementwise op f over operands of `shapes` broadcast to `out`. */
function naive(shapes: readonly Shape[], out: Shape, f: (...v: number[]) => number): (inputs: Float64Array[]) => Float64Array {
  return (inputs) => Float64Array.from({ length: count(out) }, (_, k) => f(...inputs.map((x, i) => x[source(shapes[i]!, out, k)]!)));
}

/** Gradient of sum(y) with respect to each input, after running op on fresh leaves. */
function gradsOf(values: number[][], op: (...t: Tensor[]) => Tensor): { y: number[]; grads: number[][] } {
  const leaves = values.map((v) => tensor(v, undefined, { requiresGrad: true }));
  const y = op(...leaves);
  sum(y).backward();
  return { y: Array.from(y.data), grads: leaves.map((t) => Array.from(t.grad!.data)) };
}

const NAN = Number.NaN, INF = Infinity;

describe("exp, log, sqrt, abs, neg", () => {
  const unaries = [
    { name: "exp", op: exp, f: Math.exp, data: (g: ReturnType<typeof rng>) => randn64(g, 12, 2) },
    { name: "log", op: log, f: Math.log, data: (g: ReturnType<typeof rng>) => uniform64(g, 12, 0.2, 5) },
    { name: "sqrt", op: sqrt, f: Math.sqrt, data: (g: ReturnType<typeof rng>) => uniform64(g, 12, 0.2, 5) },
    { name: "abs", op: abs, f: Math.abs, data: (g: ReturnType<typeof rng>) => awayFromZero64(g, 12, 0.05, 3) },
    { name: "neg", op: neg, f: (v: number) => -v, data: (g: ReturnType<typeof rng>) => randn64(g, 12) },
  ];
  for (const { name, op, f, data } of unaries) {
    it(`${name} gradcheck`, () => {
      const g = rng(name.length * 101);
      checkGradients({ inputs: [{ name: "x", data: data(g), shape: [3, 4] }], reference: ([x]) => x!.map(f), op: ([x]) => op(x!), generator: g });
    });
  }

  it("at the special points, as PyTorch 1.13 (values and gradients of sum; toEqual tells −0 from 0)", () => {
    const v = [NAN, INF, -INF, 0, -0, 1, -1];
    expect(gradsOf([v], exp)).toEqual({ y: [NAN, INF, 0, 1, 1, Math.fround(Math.E), Math.fround(1 / Math.E)], grads: [[NAN, INF, 0, 1, 1, Math.fround(Math.E), Math.fround(1 / Math.E)]] });
    expect(gradsOf([v], log)).toEqual({ y: [NAN, INF, NAN, -INF, -INF, 0, NAN], grads: [[NAN, 0, 0, INF, -INF, 1, -1]] }); // PyTorch: −0 at −∞; a zero gradient accumulated into a zeroed buffer is +0
    expect(gradsOf([v], sqrt)).toEqual({ y: [NAN, INF, NAN, 0, -0, 1, NAN], grads: [[NAN, 0, NAN, INF, -INF, 0.5, NAN]] });
    expect(gradsOf([v], abs)).toEqual({ y: [NAN, INF, INF, 0, 0, 1, 1], grads: [[0, 1, -1, 0, 0, 1, -1]] });
    expect(gradsOf([v], neg).grads).toEqual([[-1, -1, -1, -1, -1, -1, -1]]);
  });
});

describe("pow", () => {
  it("tensor ** number gradcheck (2, 3, −1.5 on positive bases, 0.5)", () => {
    for (const e of [2, 3, -1.5, 0.5]) {
      const g = rng(Math.round(e * 10) + 50);
      checkGradients({ inputs: [{ name: "x", data: uniform64(g, 6, 0.3, 2), shape: [2, 3] }], reference: ([x]) => x!.map((v) => v ** e), op: ([x]) => pow(x!, e), generator: g });
    }
  });

  it("number ** tensor and tensor ** tensor (broadcast, a column of exponents) gradchecks", () => {
    const g = rng(77);
    checkGradients({ inputs: [{ name: "e", data: randn64(g, 6), shape: [2, 3] }], reference: ([e]) => e!.map((v) => 2.5 ** v), op: ([e]) => pow(2.5, e!), generator: g });
    const [b, e, out] = [[2, 3], [2, 1], [2, 3]] as const;
    checkGradients({
      inputs: [{ name: "base", data: uniform64(g, 6, 0.3, 2), shape: b }, { name: "exponent", data: randn64(g, 2), shape: e }],
      reference: naive([b, e], out, (x, y) => x ** y), op: ([x, y]) => pow(x!, y!), generator: g,
    });
  });

  it("PyTorch's special cases: exponent 0 gives gradient 0 at base 0, base 0 with exponent ≥ 0 gives the exponent 0", () => {
    // torch: pow(tensor([0,-1,2,0]), tensor([2,2,0.5,0])) → grads [0,-2,0.3536,0] and [0,nan,0.9803,0]
    const r = gradsOf([[0, -1, 2, 0], [2, 2, 0.5, 0]], (b, e) => pow(b!, e!));
    expect(r.y).toEqual([0, 1, Math.fround(Math.SQRT2), 1]);
    expect(r.grads[0]![0]).toBe(0);
    expect(r.grads[0]![1]).toBe(-2);
    expect(r.grads[0]![2]).toBeCloseTo(0.35355, 5);
    expect(r.grads[0]![3]).toBe(0);
    expect(r.grads[1]![0]).toBe(0);
    expect(r.grads[1]![1]).toBeNaN();
    expect(r.grads[1]![2]).toBeCloseTo(0.98026, 5);
    expect(r.grads[1]![3]).toBe(0);
  });

  it("C's pow where JavaScript's Math.pow differs: 1^NaN = 1, 1^∞ = 1, (−1)^±∞ = 1", () => {
    expect(Array.from(pow(tensor([1, 1, -1, -1, NAN]), tensor([NAN, INF, INF, -INF, 0])).data)).toEqual([1, 1, 1, 1, 1]);
    expect(Array.from(pow(1, tensor([NAN, -INF])).data)).toEqual([1, 1]);
  });

  it("a number exponent ±0.5 is sqrt and 1/sqrt, as PyTorch's pow(tensor, number); a tensor exponent uses C's pow", () => {
    // torch 1.13: pow(t, 0.5) → [nan, -0], pow(t, -0.5) → [nan, -inf], pow(t, tensor([0.5, 0.5])) → [inf, 0]
    const t = tensor([-INF, -0]);
    expect(Array.from(pow(t, 0.5).data)).toEqual([NAN, -0]);
    expect(Array.from(pow(t, -0.5).data)).toEqual([NAN, -INF]);
    expect(Array.from(pow(t, tensor([0.5, 0.5])).data)).toEqual([INF, 0]);
  });
});

describe("clamp", () => {
  it("gradcheck away from the bounds, both bounds and one", () => {
    const g = rng(5);
    const x = distinct64(g, 12, 0.3); // at least 0.15 from the bounds below
    checkGradients({ inputs: [{ name: "x", data: x, shape: [3, 4] }], reference: ([v]) => v!.map((t) => Math.min(Math.max(t, -0.8), 0.9)), op: ([v]) => clamp(v!, -0.8, 0.9), generator: g });
    checkGradients({ inputs: [{ name: "x", data: x, shape: [3, 4] }], reference: ([v]) => v!.map((t) => Math.max(t, 0.1)), op: ([v]) => clamp(v!, 0.1), generator: g });
    checkGradients({ inputs: [{ name: "x", data: x, shape: [3, 4] }], reference: ([v]) => v!.map((t) => Math.min(t, 0.1)), op: ([v]) => clamp(v!, null, 0.1), generator: g });
  });

  it("bounds included in the gradient, NaN kept with gradient 0, min > max gives max (PyTorch 1.13)", () => {
    expect(gradsOf([[0, 1, 2, 3, 4, NAN]], (x) => clamp(x!, 1, 3))).toEqual({ y: [1, 1, 2, 3, 3, NAN], grads: [[0, 1, 1, 1, 0, 0]] });
    expect(gradsOf([[NAN, INF, -INF, 0, 1, -1]], (x) => clamp(x!, 0))).toEqual({ y: [NAN, INF, 0, 0, 1, 0], grads: [[0, 1, 0, 1, 1, 0]] });
    expect(gradsOf([[0, 2, 5]], (x) => clamp(x!, 3, 1))).toEqual({ y: [1, 1, 1], grads: [[0, 0, 0]] });
    expect(gradsOf([[-INF, INF, 1]], (x) => clamp(x!, -INF, INF))).toEqual({ y: [-INF, INF, 1], grads: [[1, 1, 1]] });
  });

  it("bad bounds", () => {
    expectError(() => clamp(zeros(2)), "INVALID_ARGUMENT", ["clamp: at least one of min and max must be given"]);
    expectError(() => clamp(zeros(2), null, undefined), "INVALID_ARGUMENT", ["at least one of min and max"]);
    expectError(() => clamp(zeros(2), NAN), "INVALID_ARGUMENT", ["clamp: min must be a number (not NaN), null or undefined, got NaN"]);
    expectError(() => clamp(zeros(2), 0, "1" as unknown as number), "INVALID_ARGUMENT", ['max must be a number (not NaN), null or undefined, got "1"']);
    expectError(() => clamp(zeros(2), zeros(1) as unknown as number), "INVALID_ARGUMENT", ["clamp: min must be a number; tensor bounds are not supported yet"]);
    expectError(() => clamp(2 as unknown as Tensor, 0), "INVALID_ARGUMENT", ["clamp: input must be a Tensor, got 2"]);
  });
});

describe("maximum and minimum", () => {
  for (const [name, op, f] of [["maximum", maximum, Math.max], ["minimum", minimum, Math.min]] as const) {
    it(`${name} gradcheck, broadcast row against matrix (no ties)`, () => {
      const g = rng(name.length * 3);
      const values = distinct64(g, 16, 0.2);
      checkGradients({
        inputs: [{ name: "input", data: values.slice(0, 12), shape: [3, 4] }, { name: "other", data: values.slice(12), shape: [4] }],
        reference: naive([[3, 4], [4]], [3, 4], f), op: ([a, b]) => op(a!, b!), generator: g,
      });
    });
  }

  it("ties split the gradient in half; NaN in either gives NaN and the whole gradient to both (PyTorch 1.13)", () => {
    const a = [NAN, INF, -INF, 0, -0, 1, -1], b = [1, 1, 1, -0, 0, NAN, -1];
    expect(gradsOf([a, b], maximum)).toEqual({ y: [NAN, INF, 1, 0, -0, NAN, -1], grads: [[1, 1, 0, 0.5, 0.5, 1, 0.5], [1, 0, 1, 0.5, 0.5, 1, 0.5]] });
    expect(gradsOf([a, b], minimum)).toEqual({ y: [NAN, 1, -INF, 0, -0, NAN, -1], grads: [[1, 0, 1, 0.5, 0.5, 1, 0.5], [1, 1, 0, 0.5, 0.5, 1, 0.5]] });
  });

  it("take two tensors, as torch.maximum does", () => {
    expectError(() => maximum(zeros(2), 1 as unknown as Tensor), "INVALID_ARGUMENT", ["maximum: other must be a Tensor, got the number 1", "clamp(x, min, max)"]);
    expectError(() => minimum("x" as unknown as Tensor, zeros(2)), "INVALID_ARGUMENT", ['minimum: input must be a Tensor, got "x"']);
    expectError(() => maximum(zeros(2), zeros(3)), "SHAPE_MISMATCH", ["maximum: cannot broadcast shapes [2] and [3]"]);
  });
});

describe("comparisons", () => {
  const a = [NAN, INF, -INF, 0, -0, 1, -1], b = [NAN, INF, 0, -0, 0, 1, NAN];
  it("IEEE results as 0/1 float32, by hand (NaN unequal to everything)", () => {
    const run = (op: typeof eq) => Array.from(op(tensor(a), tensor(b)).data);
    expect(run(eq)).toEqual([0, 1, 0, 1, 1, 1, 0]);
    expect(run(ne)).toEqual([1, 0, 1, 0, 0, 0, 1]);
    expect(run(lt)).toEqual([0, 0, 1, 0, 0, 0, 0]);
    expect(run(le)).toEqual([0, 1, 1, 1, 1, 1, 0]);
    expect(run(gt)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(run(ge)).toEqual([0, 1, 0, 1, 1, 1, 0]);
  });

  it("broadcast, take a number as other, and carry no gradient", () => {
    const x = tensor([1, 2, 3], undefined, { requiresGrad: true });
    const r = lt(x, tensor([[1.5], [2.5]]));
    expect(r.toArray()).toEqual([[1, 0, 0], [1, 1, 0]]);
    expect(r.requiresGrad).toBe(false);
    expect(r.gradFn).toBeNull();
    expect(ge(x, 2).toArray()).toEqual([0, 1, 1]);
  });

  it("refuse a number as input (as torch.eq(2, x) does) and shapes that do not broadcast", () => {
    expectError(() => eq(2 as unknown as Tensor, zeros(2)), "INVALID_ARGUMENT", ["eq: input must be a Tensor, got 2"]);
    expectError(() => gt(zeros(2), "1" as unknown as number), "INVALID_ARGUMENT", ['gt: other must be a Tensor or a number, got "1"']);
    expectError(() => le(zeros(2, 3), zeros(2)), "SHAPE_MISMATCH", ["le: cannot broadcast shapes [2,3] and [2]", "dimension -1"]);
  });
});

describe("where", () => {
  it("gradcheck of input and other, the three broadcast (condition a column, other a row)", () => {
    const g = rng(99);
    const cond = Float64Array.of(1, 0, 1);
    checkGradients({
      inputs: [{ name: "condition", data: cond, shape: [3, 1], grad: false }, { name: "input", data: randn64(g, 12), shape: [3, 4] }, { name: "other", data: randn64(g, 4), shape: [4] }],
      reference: naive([[3, 1], [3, 4], [4]], [3, 4], (c, x, y) => (c !== 0 ? x : y)),
      op: ([c, x, y]) => where(c!, x!, y!), generator: g,
    });
  });

  it("by hand: picks, numbers as operands, gradient to the picked one only, NaN not leaking from the other", () => {
    const x = tensor([-1, 2, NAN], undefined, { requiresGrad: true });
    const y = where(gt(x, 0), x, 0);
    expect(Array.from(y.data)).toEqual([0, 2, 0]);
    sum(y).backward();
    expect(Array.from(x.grad!.data)).toEqual([0, 1, 0]);
    expect(where(tensor([1, 0]), 5, tensor([[7], [8]])).toArray()).toEqual([[5, 7], [5, 8]]);
  });

  it("a condition holding anything but 0 and 1 is refused (PyTorch wants a bool tensor)", () => {
    expectError(() => where(tensor([1, 0.5]), zeros(2), 1), "INVALID_ARGUMENT", ["where: condition must hold only 0 and 1", "got 0.5 at element 1"]);
    expectError(() => where(tensor([NAN]), zeros(1), 1), "INVALID_ARGUMENT", ["got NaN at element 0"]);
    expectError(() => where(1 as unknown as Tensor, zeros(1), 1), "INVALID_ARGUMENT", ["where: condition must be a Tensor, got 1"]);
    expectError(() => where(tensor([1, 0]), zeros(3), 1), "SHAPE_MISMATCH", ["where: cannot broadcast shapes [2] and [3] (condition and input)"]);
  });
});
