// Weight initialisation: Xavier/Kaiming uniform bounds hand-computed from the
// fans, sample statistics of U(−a, a), PyTorch's default layer init, and seeding.

import { describe, expect, it } from "vitest";
import { Generator, Tensor, zeros } from "../../src/tensor/index.js";
import { Conv2d, Linear, fans, kaimingUniform, normal, uniform, xavierUniform } from "../../src/nn/index.js";
import { lenet, lenetModern } from "../../src/lenet/index.js";
import { expectError } from "../helpers/errors.js";

interface Stats {
  maxAbs: number;
  mean: number;
  variance: number;
}

function stats(values: Float32Array): Stats {
  let maxAbs = 0;
  let s = 0;
  let s2 = 0;
  for (const v of values) {
    maxAbs = Math.max(maxAbs, Math.abs(v));
    s += v;
    s2 += v * v;
  }
  const mean = s / values.length;
  return { maxAbs, mean, variance: s2 / values.length - mean * mean };
}

/**
 * Asserts `values` look like U(−bound, bound): every |v| ≤ bound (rounded to float32),
 * the largest |v| close to the bound, mean ≈ 0 and variance ≈ bound²/3, within
 * `sigmas` standard errors for n samples.
 */
function expectUniform(values: Float32Array, bound: number, nearFraction: number, sigmas = 6): void {
  const n = values.length;
  const { maxAbs, mean, variance } = stats(values);
  expect(maxAbs).toBeLessThanOrEqual(Math.fround(bound));
  expect(maxAbs).toBeGreaterThan(nearFraction * bound);
  // sd of the mean: (bound/√3)/√n; sd of the mean of v²: √(4/45)·bound²/√n.
  expect(Math.abs(mean)).toBeLessThan((sigmas * bound) / Math.sqrt(3 * n));
  expect(Math.abs(variance - (bound * bound) / 3)).toBeLessThan((sigmas * Math.sqrt(4 / 45) * bound * bound) / Math.sqrt(n));
}

describe("fans", () => {
  it("Linear (O, I) has fanIn I, fanOut O; Conv2d (K, C, kH, kW) has C·kH·kW and K·kH·kW", () => {
    expect(fans(zeros(120, 400))).toEqual([400, 120]);
    expect(fans(zeros(16, 6, 5, 5))).toEqual([150, 400]);
    expect(fans(zeros(6, 1, 5, 5))).toEqual([25, 150]);
    expect(fans(zeros(8, 3, 3, 1))).toEqual([9, 24]);
  });

  it("a 1-D tensor has no fans", () => {
    expectError(() => fans(zeros(10)), "SHAPE_MISMATCH", "[10]", "at least 2 dimensions");
  });
});

describe("xavierUniform", () => {
  it("Linear(400, 120) weight: U(±√(6/520)) = U(±0.10741723…)", () => {
    const bound = 0.10741723110591493; // √(6 / (400 + 120))
    expect(Math.sqrt(6 / (400 + 120))).toBe(bound);
    const w = zeros(120, 400);
    expect(xavierUniform(w, { generator: new Generator(1) })).toBe(w);
    // 48,000 draws: P(max |w| < 0.999·bound) = 0.999^48000 ≈ 1e-21.
    expectUniform(w.data, bound, 0.999);
  });

  it("Conv2d(6, 16, 5) weight: U(±√(6/550)) = U(±0.10444659…)", () => {
    const bound = 0.1044465935734187; // √(6 / (6·25 + 16·25))
    expect(Math.sqrt(6 / (150 + 400))).toBe(bound);
    const w = zeros(16, 6, 5, 5);
    xavierUniform(w, { generator: new Generator(2) });
    // 2,400 draws: P(max |w| < 0.99·bound) = 0.99^2400 ≈ 3e-11.
    expectUniform(w.data, bound, 0.99);
  });

  it("gain scales the bound", () => {
    const w = zeros(120, 400);
    xavierUniform(w, { gain: 2.5, generator: new Generator(3) });
    expectUniform(w.data, 2.5 * Math.sqrt(6 / 520), 0.999);
  });

  it("draws (2u − 1)·bound from the generator, in order", () => {
    const w = zeros(3, 4);
    xavierUniform(w, { generator: new Generator(4) });
    const g = new Generator(4);
    const bound = Math.sqrt(6 / 7);
    const expected = Array.from({ length: 12 }, () => Math.fround((2 * g.uniform() - 1) * bound));
    expect(Array.from(w.data)).toEqual(expected);
  });
});

describe("kaimingUniform", () => {
  it("the default a = √5 gives PyTorch's bound 1/√fanIn", () => {
    const w = zeros(120, 400);
    kaimingUniform(w, { generator: new Generator(5) });
    expectUniform(w.data, 1 / Math.sqrt(400), 0.999); // ±0.05
  });

  it("a = 0 gives He's bound √(6/fanIn)", () => {
    const w = zeros(16, 6, 5, 5);
    kaimingUniform(w, { a: 0, generator: new Generator(6) });
    expectUniform(w.data, Math.sqrt(6 / 150), 0.99); // ±0.2
  });

  it("uniform(t, bound) fills every element within ±bound", () => {
    const t = uniform(zeros(10_000), 3, new Generator(7));
    expectUniform(t.data, 3, 0.999);
  });
});

describe("PyTorch's default Linear / Conv2d init", () => {
  it("Linear(400, 120): weight and bias within ±1/√400 = ±0.05", () => {
    const layer = new Linear(400, 120, { generator: new Generator(8) });
    expectUniform(layer.weight.data, 0.05, 0.999);
    // 120 draws: P(max |b| < 0.9·bound) = 0.9^120 ≈ 3e-6.
    expectUniform(layer.bias!.data, 0.05, 0.9);
  });

  it("Conv2d(6, 16, 5): weight and bias within ±1/√150", () => {
    const layer = new Conv2d(6, 16, 5, { generator: new Generator(9) });
    const bound = 0.08164965809277261; // 1/√(6·5·5)
    expect(1 / Math.sqrt(150)).toBe(bound);
    expectUniform(layer.weight.data, bound, 0.99);
    const { maxAbs } = stats(layer.bias!.data);
    expect(maxAbs).toBeLessThanOrEqual(Math.fround(bound));
    expect(maxAbs).toBeGreaterThan(0.5 * bound); // 16 draws: P(all < bound/2) = 2^-16
  });

  it("weights come first, then the bias, from one generator stream", () => {
    const layer = new Linear(4, 3, { generator: new Generator(10) });
    const g = new Generator(10);
    const bound = 1 / Math.sqrt(4);
    const draw = (): number => (2 * g.uniform() - 1) * bound;
    const w = Array.from({ length: 12 }, draw);
    const b = Array.from({ length: 3 }, draw);
    // kaiming's bound √(6/((1 + a²)·fanIn)) with a = √5 equals 1/√fanIn up to float64 rounding.
    layer.weight.data.forEach((v, i) => expect(v).toBeCloseTo(w[i]!, 6));
    layer.bias!.data.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 6));
  });
});

describe("seeding", () => {
  const values = (ps: Tensor[]): number[][] => ps.map((p) => Array.from(p.data));

  it("the same generator seed gives identical weights; another seed different ones", () => {
    expect(values(new Linear(30, 20, { generator: new Generator(11) }).parameters())).toEqual(values(new Linear(30, 20, { generator: new Generator(11) }).parameters()));
    expect(values(new Conv2d(3, 4, 3, { generator: new Generator(11) }).parameters())).toEqual(values(new Conv2d(3, 4, 3, { generator: new Generator(11) }).parameters()));
    expect(values(lenet({ generator: new Generator(12) }).parameters())).toEqual(values(lenet({ generator: new Generator(12) }).parameters()));
    expect(values(lenetModern({ generator: new Generator(12) }).parameters())).toEqual(values(lenet({ generator: new Generator(12) }).parameters()));
    expect(values(lenet({ generator: new Generator(13) }).parameters())).not.toEqual(values(lenet({ generator: new Generator(12) }).parameters()));
  });

  it("lenet uses Xavier-uniform weights (d2l) and PyTorch's default biases", () => {
    const net = lenet({ generator: new Generator(14) });
    const byName = new Map(net.namedParameters());
    const layers: [string, number, number][] = [
      ["1", 25, 150],
      ["4", 150, 400],
      ["8", 400, 120],
      ["10", 120, 84],
      ["12", 84, 10],
    ];
    for (const [prefix, fanIn, fanOut] of layers) {
      const w = byName.get(`${prefix}.weight`)!;
      const b = byName.get(`${prefix}.bias`)!;
      const xavier = Math.sqrt(6 / (fanIn + fanOut));
      const { maxAbs } = stats(w.data);
      expect(maxAbs, `${prefix}.weight`).toBeLessThanOrEqual(Math.fround(xavier));
      expect(maxAbs, `${prefix}.weight`).toBeGreaterThan(0.95 * xavier);
      expect(stats(b.data).maxAbs, `${prefix}.bias`).toBeLessThanOrEqual(Math.fround(1 / Math.sqrt(fanIn)));
    }
    // Not the default kaiming init: conv1's Xavier bound √(6/175) ≈ 0.185 is below kaiming's 1/√25 = 0.2,
    // while fc1's Xavier bound 0.107 is above kaiming's 0.05: its weights must exceed 0.05.
    expect(stats(byName.get("8.weight")!.data).maxAbs).toBeGreaterThan(0.1);
  });
});

describe("normal", () => {
  it("fills with N(mean, std²): sample mean and variance within 6 standard errors over 48,000 draws", () => {
    const w = zeros(120, 400);
    expect(normal(w, { std: 0.01, generator: new Generator(7) })).toBe(w);
    const { mean, variance } = stats(w.data);
    const n = w.numel;
    // sd of the mean: σ/√n; sd of the sample variance of a normal: σ²·√(2/n).
    expect(Math.abs(mean)).toBeLessThan((6 * 0.01) / Math.sqrt(n));
    expect(Math.abs(variance - 0.0001)).toBeLessThan(6 * 0.0001 * Math.sqrt(2 / n));
    const shifted = normal(zeros(120, 400), { mean: 3, std: 2, generator: new Generator(8) });
    expect(Math.abs(stats(shifted.data).mean - 3)).toBeLessThan((6 * 2) / Math.sqrt(n));
    expect(Math.abs(stats(shifted.data).variance - 4)).toBeLessThan(6 * 4 * Math.sqrt(2 / n));
  });

  it("is mean + std · generator.normal(), draw by draw in order (defaults: mean 0, std 1)", () => {
    const reference = new Generator(9);
    const expected = Array.from({ length: 6 }, () => Math.fround(0.5 + 0.25 * reference.normal()));
    expect(Array.from(normal(zeros(2, 3), { mean: 0.5, std: 0.25, generator: new Generator(9) }).data)).toEqual(expected);
    const unit = new Generator(10);
    expect(Array.from(normal(zeros(4), { generator: new Generator(10) }).data)).toEqual(Array.from({ length: 4 }, () => Math.fround(unit.normal())));
  });

  it("std 0 gives the mean everywhere", () => {
    expect(Array.from(normal(zeros(3), { mean: -2, std: 0 }).data)).toEqual([-2, -2, -2]);
  });

  it("refuses a negative or non-finite std, a non-finite mean and unknown options", () => {
    expectError(() => normal(zeros(3), { std: -0.01 }), "INVALID_ARGUMENT", "normal", "std must be ≥ 0", "-0.01");
    expectError(() => normal(zeros(3), { std: Number.NaN }), "INVALID_ARGUMENT", "normal", "std");
    expectError(() => normal(zeros(3), { mean: Number.POSITIVE_INFINITY }), "INVALID_ARGUMENT", "normal", "mean");
    expectError(() => normal(zeros(3), { sigma: 1 } as never), "INVALID_ARGUMENT", "normal", "sigma");
  });
});
