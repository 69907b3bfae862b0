// add, sub, mul (tensor and number operands), sum and mean: values and
// gradients, a tensor used twice (mul(x, x)), and gradients accumulating
// across two backward passes.

import { describe, expect, it } from "vitest";
import { add, addBackward, addForward, axpy, mul, mulBackward, mulForward, sub, subBackward, subForward } from "../../src/ops/elementwise.js";
import { mean, sum } from "../../src/ops/reduce.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { tensor } from "../../src/tensor/create.js";
import { checkGradients } from "../helpers/gradcheck.js";
import { expectAllClose } from "../helpers/close.js";
import { f32, randn64, rng } from "../helpers/random.js";

const A = [[1, -2, 3], [0.5, 4, -6]];
const B = [[10, 20, 30], [-1, 0.25, 2]];

describe("elementwise values", () => {
  it("add, sub, mul of two tensors", () => {
    expect(add(tensor(A), tensor(B)).toArray()).toEqual([[11, 18, 33], [-0.5, 4.25, -4]]);
    expect(sub(tensor(A), tensor(B)).toArray()).toEqual([[-9, -22, -27], [1.5, 3.75, -8]]);
    expect(mul(tensor(A), tensor(B)).toArray()).toEqual([[10, -40, 90], [-0.5, 1, -12]]);
  });

  it("add, sub, mul with a number operand", () => {
    expect(add(tensor(A), 1.5).toArray()).toEqual([[2.5, -0.5, 4.5], [2, 5.5, -4.5]]);
    expect(sub(tensor(A), 1).toArray()).toEqual([[0, -3, 2], [-0.5, 3, -7]]);
    expect(mul(tensor(A), -2).toArray()).toEqual([[-2, 4, -6], [-1, -8, 12]]);
    expect(add(tensor(A), 0).shape).toEqual([2, 3]);
  });

  it("sum and mean of every element give scalars", () => {
    const s = sum(tensor(A));
    expect(s.shape).toEqual([]);
    expect(s.item()).toBe(0.5);
    expect(mean(tensor(A)).item()).toBeCloseTo(0.5 / 6, 7);
    expect(sum(tensor([])).item()).toBe(0);
    expect(mean(tensor([[7]])).item()).toBe(7);
  });

  it("sum of many float32 values is accurate (float64 running sum)", () => {
    // 2^20 copies of 0.1f: a float32 running sum would drift far from 2^20·0.1f
    const n = 2 ** 20;
    const v = Math.fround(0.1);
    const s = sum(new Tensor(new Float32Array(n).fill(v), [n])).item();
    expect(s).toBe(Math.fround(n * v));
  });

  it("the raw kernels: addForward, mulForward, axpy accumulates", () => {
    const y = new Float32Array(3);
    addForward(y, Float32Array.of(1, 2, 3), Float32Array.of(4, 5, 6));
    expect(Array.from(y)).toEqual([5, 7, 9]);
    mulForward(y, Float32Array.of(1, 2, 3), Float32Array.of(4, 5, 6));
    expect(Array.from(y)).toEqual([4, 10, 18]);
    axpy(y, Float32Array.of(1, 1, 1), -2);
    expect(Array.from(y)).toEqual([2, 8, 16]);
    const da = Float32Array.of(1, 1, 1);
    const db = Float32Array.of(0, 0, 0);
    mulBackward(da, db, Float32Array.of(1, 2, 3), Float32Array.of(4, 5, 6), Float32Array.of(7, 8, 9));
    expect(Array.from(da)).toEqual([1 + 7, 1 + 16, 1 + 27]); // += dy · b
    expect(Array.from(db)).toEqual([4, 10, 18]); // += dy · a
  });

  it("the raw kernels: subForward, and add/sub backwards accumulate ±dy (null skips one)", () => {
    const y = new Float32Array(3);
    subForward(y, Float32Array.of(1, 2, 3), Float32Array.of(4, 6, 8));
    expect(Array.from(y)).toEqual([-3, -4, -5]);
    const dy = Float32Array.of(1, 2, 3);
    const da = Float32Array.of(10, 10, 10), db = Float32Array.of(10, 10, 10);
    subBackward(da, db, dy);
    expect(Array.from(da)).toEqual([11, 12, 13]);
    expect(Array.from(db)).toEqual([9, 8, 7]);
    addBackward(null, db, dy);
    expect(Array.from(db)).toEqual([10, 10, 10]);
    subBackward(da, null, dy);
    expect(Array.from(da)).toEqual([12, 14, 16]);
  });
});

describe("elementwise gradients", () => {
  const shape = [3, 4];
  const binaries = [
    { name: "add", op: add, ref: (a: number, b: number) => a + b },
    { name: "sub", op: sub, ref: (a: number, b: number) => a - b },
    { name: "mul", op: mul, ref: (a: number, b: number) => a * b },
  ];

  for (const { name, op, ref } of binaries) {
    it(`${name}(tensor, tensor) gradcheck of both operands`, () => {
      const g = rng(name.length * 13);
      checkGradients({
        inputs: [
          { name: "a", data: randn64(g, 12), shape },
          { name: "b", data: randn64(g, 12), shape },
        ],
        reference: ([a, b]) => a!.map((v, i) => ref(v, b![i]!)),
        op: ([a, b]) => op(a!, b!),
        generator: g,
      });
    });

    it(`${name}(tensor, number) gradcheck`, () => {
      const g = rng(name.length * 17);
      const c = Math.fround(-1.75);
      checkGradients({
        inputs: [{ name: "a", data: randn64(g, 12), shape }],
        reference: ([a]) => a!.map((v) => ref(v, c)),
        op: ([a]) => op(a!, c),
        generator: g,
      });
    });
  }

  it("sum and mean gradcheck", () => {
    const g = rng(21);
    checkGradients({
      inputs: [{ name: "x", data: randn64(g, 10), shape: [2, 5] }],
      reference: ([x]) => [x!.reduce((s, v) => s + v, 0)],
      op: ([x]) => sum(x!),
      generator: g,
    });
    checkGradients({
      inputs: [{ name: "x", data: randn64(g, 10), shape: [2, 5] }],
      reference: ([x]) => [x!.reduce((s, v) => s + v, 0) / 10],
      op: ([x]) => mean(x!),
      generator: g,
    });
  });

  it("by hand: d sum = 1, d mean = 1/n, d(a − b)/db = −1, d(a·b)/da = b", () => {
    const x = tensor([1, 2, 3, 4], undefined, { requiresGrad: true });
    sum(x).backward();
    expect(Array.from(x.grad!.data)).toEqual([1, 1, 1, 1]);
    const y = tensor([1, 2, 3, 4], undefined, { requiresGrad: true });
    mean(y).backward();
    expect(Array.from(y.grad!.data)).toEqual([0.25, 0.25, 0.25, 0.25]);
    const a = tensor([1, 2], undefined, { requiresGrad: true });
    const b = tensor([5, -3], undefined, { requiresGrad: true });
    sum(sub(a, b)).backward();
    expect(Array.from(a.grad!.data)).toEqual([1, 1]);
    expect(Array.from(b.grad!.data)).toEqual([-1, -1]);
    const c = tensor([1, 2], undefined, { requiresGrad: true });
    const d = tensor([5, -3], undefined, { requiresGrad: true });
    sum(mul(c, d)).backward();
    expect(Array.from(c.grad!.data)).toEqual([5, -3]);
    expect(Array.from(d.grad!.data)).toEqual([1, 2]);
  });

  it("mul(x, x): the same tensor twice gets gradient 2x", () => {
    const x = tensor([1.5, -2, 0, 3], undefined, { requiresGrad: true });
    sum(mul(x, x)).backward();
    expect(Array.from(x.grad!.data)).toEqual([3, -4, 0, 6]);
  });

  it("a non-leaf used twice: mul(h, h) with h = add(x, 1) gives 2(x + 1)", () => {
    const x = tensor([1, -3, 0.5], undefined, { requiresGrad: true });
    const h = add(x, 1);
    sum(mul(h, h)).backward();
    expect(Array.from(x.grad!.data)).toEqual([4, -4, 3]);
  });

  it("sub(x, x) has zero gradient and add(x, x) gradient 2", () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    sum(sub(x, x)).backward();
    expect(Array.from(x.grad!.data)).toEqual([0, 0]);
    const y = tensor([1, 2], undefined, { requiresGrad: true });
    sum(add(y, y)).backward();
    expect(Array.from(y.grad!.data)).toEqual([2, 2]);
  });

  it("gradients accumulate across two backward calls (fresh forward each time)", () => {
    const g = rng(8);
    const x = new Tensor(f32(randn64(g, 6)), [2, 3], { requiresGrad: true });
    const w = new Tensor(f32(randn64(g, 6)), [2, 3], { requiresGrad: true });
    const loss = (): Tensor => mean(mul(add(mul(x, w), 2), x));
    loss().backward();
    const gx = Float32Array.from(x.grad!.data);
    const gw = Float32Array.from(w.grad!.data);
    // d/dx mean((x·w + 2)·x) = (2xw + 2)/6, d/dw = x²/6
    expectAllClose(gx, Array.from(x.data, (v, i) => (2 * v * w.data[i]! + 2) / 6), 1e-6, 1e-7, "dx");
    expectAllClose(gw, Array.from(x.data, (v) => (v * v) / 6), 1e-6, 1e-7, "dw");
    loss().backward();
    expectAllClose(x.grad!.data, gx.map((v) => 2 * v), 1e-6, 0, "dx after two passes");
    expectAllClose(w.grad!.data, gw.map((v) => 2 * v), 1e-6, 0, "dw after two passes");
    x.zeroGrad();
    loss().backward();
    expectAllClose(x.grad!.data, gx, 1e-6, 0, "dx after zeroGrad and one pass");
  });

  it("a constant (number) operand or a tensor without requiresGrad gets no gradient", () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    const k = tensor([3, 4]);
    sum(add(mul(x, k), 5)).backward();
    expect(k.grad).toBeNull();
    expect(Array.from(x.grad!.data)).toEqual([3, 4]);
    expect(add(tensor([1]), 2).gradFn).toBeNull();
  });
});
