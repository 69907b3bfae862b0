// dropout and nn.Dropout: the mask is the generator's draws (uniform ≥ p keeps),
// survivors scale by 1/(1 − p), a float64 gradcheck with that mask, PyTorch's
// edge cases (p = 0, p = 1, evaluation), train()/eval(), and bad input.

import { describe, expect, it } from "vitest";
import { dropout } from "../../src/ops/index.js";
import { Dropout } from "../../src/nn/index.js";
import { Generator, Tensor, manualSeed, ones, tensor } from "../../src/tensor/index.js";
import { checkGradients } from "../helpers/gradcheck.js";
import { randn64, rng } from "../helpers/random.js";
import { expectError } from "../helpers/errors.js";

/** The keep mask a generator seeded with `seed` gives for n elements: an independent re-draw. */
function keepMask(seed: number, n: number, p: number): number[] {
  const g = new Generator(seed);
  return Array.from({ length: n }, () => (g.uniform() >= p ? 1 : 0));
}

describe("dropout", () => {
  it("keeps the elements the generator's draws keep, scaled by 1/(1 − p)", () => {
    const x = tensor(Array.from({ length: 40 }, (_, i) => i + 1));
    const y = dropout(x, 0.3, true, { generator: new Generator(7) });
    const keep = keepMask(7, 40, 0.3);
    expect(Array.from(y.data)).toEqual(keep.map((k, i) => Math.fround(k ? (i + 1) * (1 / 0.7) : 0)));
    expect(keep.some((k) => k === 0) && keep.some((k) => k === 1)).toBe(true);
  });

  it("drops about a fraction p and keeps the mean", () => {
    const n = 20_000;
    const y = dropout(ones(n), 0.25, true, { generator: new Generator(3) });
    const kept = y.data.filter((v) => v !== 0).length;
    expect(Math.abs(kept / n - 0.75)).toBeLessThan(0.015);
    expect(Math.abs(y.data.reduce((a, b) => a + b, 0) / n - 1)).toBeLessThan(0.02);
  });

  it("float64 gradcheck with the same mask: ∂y/∂x = keep / (1 − p)", () => {
    const g = rng(21), p = 0.4, keep = keepMask(99, 15, p);
    checkGradients({
      inputs: [{ name: "x", data: randn64(g, 15), shape: [3, 5] }],
      reference: ([x]) => Array.from(x!, (v, i) => (keep[i] ? v / (1 - p) : 0)),
      op: ([x]) => dropout(x!, p, true, { generator: new Generator(99) }),
      generator: g,
    });
  });

  it("PyTorch's edge cases: evaluation and p = 0 return the input itself; p = 1 gives zeros and a zero gradient", () => {
    const x = tensor([1, 2, 3], [3], { requiresGrad: true });
    expect(dropout(x, 0.5, false)).toBe(x);
    expect(dropout(x, 0, true)).toBe(x);
    const y = dropout(x, 1, true);
    expect(Array.from(y.data)).toEqual([0, 0, 0]);
    y.backward(ones(3));
    expect(Array.from(x.grad!.data)).toEqual([0, 0, 0]);
  });

  it("draws from the default generator when none is given (manualSeed makes it repeatable)", () => {
    manualSeed(5);
    const a = Array.from(dropout(ones(30), 0.5).data);
    manualSeed(5);
    expect(Array.from(dropout(ones(30), 0.5).data)).toEqual(a);
    expect(a).toEqual(keepMask(5, 30, 0.5).map((k) => k * 2));
  });

  it("refuses a p outside [0, 1], a non-boolean training and unknown options", () => {
    expectError(() => dropout(ones(2), 1.5), "INVALID_ARGUMENT", "dropout", "[0, 1]", "1.5");
    expectError(() => dropout(ones(2), Number.NaN), "INVALID_ARGUMENT", "NaN");
    expectError(() => dropout(ones(2), 0.5, "yes" as unknown as boolean), "INVALID_ARGUMENT", "training", '"yes"');
    expectError(() => dropout(ones(2), 0.5, true, { inplace: true } as object), "INVALID_ARGUMENT", 'unknown option "inplace"', "generator");
    expectError(() => new Dropout(-0.1), "INVALID_ARGUMENT", "Dropout", "-0.1");
  });
});

describe("nn.Dropout", () => {
  it("drops in training and passes through after eval()", () => {
    const layer = new Dropout(0.5, { generator: new Generator(1) });
    const x = tensor(Array.from({ length: 20 }, (_, i) => i + 1));
    const train = layer.forward(x);
    expect(Array.from(train.data)).toEqual(Array.from(dropout(x, 0.5, true, { generator: new Generator(1) }).data));
    layer.eval();
    expect(Array.from(layer.forward(x).data)).toEqual(Array.from(x.data));
    expect(layer.toString()).toBe("Dropout(p=0.5)");
  });

  it("its backward routes the gradient through the kept elements only", () => {
    const layer = new Dropout(0.5, { generator: new Generator(4) });
    const x = new Tensor(new Float32Array(12).fill(1), [3, 4], { requiresGrad: true });
    const y = layer.forward(x);
    y.backward(ones(3, 4));
    expect(Array.from(x.grad!.data)).toEqual(Array.from(y.data)); // x = 1: y is keep · 2, and so is ∂y/∂x
  });
});
