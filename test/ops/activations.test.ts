// sigmoid, relu, tanh: forward against float64 Math references, gradient
// checks, and the exact edge values (σ′(0) = 1/4, saturation at ±1000 without
// NaN, relu′(0) = 0, tanh(±50) = ±1).

import { getBackend } from "../../src/backend/index.js";
import { describe, expect, it } from "vitest";
import { sigmoid, sigmoidBackward, sigmoidForward } from "../../src/ops/sigmoid.js";
import { relu, reluBackward, reluForward } from "../../src/ops/relu.js";
import { tanh, tanhBackward, tanhForward } from "../../src/ops/tanh.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { tensor } from "../../src/tensor/create.js";
import { checkGradients } from "../helpers/gradcheck.js";
import { expectAllClose } from "../helpers/close.js";
import { map64, reluRef, sigmoidRef, tanhRef } from "../helpers/reference.js";
import { awayFromZero64, f32, randn64, rng, uniform64 } from "../helpers/random.js";

type Op = (x: Tensor) => Tensor;
const ACTIVATIONS: { name: string; op: Op; ref: (v: number) => number; forward: (y: Float32Array, x: Float32Array) => void; backward: (dx: Float32Array, dy: Float32Array, y: Float32Array) => void }[] = [
  { name: "sigmoid", op: sigmoid, ref: sigmoidRef, forward: sigmoidForward, backward: sigmoidBackward },
  { name: "relu", op: relu, ref: reluRef, forward: reluForward, backward: reluBackward },
  { name: "tanh", op: tanh, ref: tanhRef, forward: tanhForward, backward: tanhBackward },
];

describe("activation forward vs float64 references", () => {
  for (const { name, op, ref } of ACTIVATIONS) {
    it(`${name} on a wide range of values, any shape`, () => {
      const g = rng(name.length);
      // Wide values, including tiny, zero and saturating ones (|x| ≤ 30 keeps tanhRef's exp finite).
      const x = new Float64Array([...uniform64(g, 200, -30, 30), ...randn64(g, 100, 1e-3), 0, -0, 1, -1, 30, -30]);
      const y = op(new Tensor(f32(x), [2, 3, x.length / 6]));
      expect(y.shape).toEqual([2, 3, x.length / 6]);
      // within one float32 rounding (plus a denormal-sized absolute slack); the wasm backend's
      // vectorised e^x is a polynomial good to ~2 ulp, so it gets four roundings
      const ulps = getBackend().name === "wasm" ? 4 : 1;
      expectAllClose(y.data, map64(x, ref), ulps * 2 ** -23, 1e-38, name);
    });
  }

  it("relu keeps NaN and zeroes negatives", () => {
    const y = relu(tensor([Number.NaN, -3, -0, 0, 2.5]));
    expect(Number.isNaN(y.data[0]!)).toBe(true);
    expect(Array.from(y.data.subarray(1))).toEqual([0, 0, 0, 2.5]);
  });

  it("relu passes the gradient at a NaN input, as torch.relu (1.13) does", () => {
    // torch: relu(tensor([nan, -3, 0, 2.5])).backward(tensor([2., 3, 4, 5])) gives grad [2, 0, 0, 5]
    const x = tensor([Number.NaN, -3, 0, 2.5, Number.NaN, -1, 1, Number.NaN], [8], { requiresGrad: true });
    relu(x).backward(tensor([2, 3, 4, 5, 6, 7, 8, 9]));
    expect(Array.from(x.grad!.data)).toEqual([2, 0, 0, 5, 6, 0, 8, 9]);
  });
});

describe("activation gradients", () => {
  for (const { name, op, ref } of ACTIVATIONS) {
    it(`${name} gradcheck`, () => {
      for (const seed of [1, 2, 3]) {
        const g = rng(seed * 17 + name.length);
        // relu: keep |x| away from the kink at 0
        const data = name === "relu" ? awayFromZero64(g, 24, 0.05, 3) : uniform64(g, 24, -5, 5);
        checkGradients({
          inputs: [{ name: "x", data, shape: [4, 6] }],
          reference: ([x]) => map64(x!, ref),
          op: ([x]) => op(x!),
          generator: g,
        });
      }
    });

    it(`${name}Backward accumulates (+=)`, () => {
      const kernels = ACTIVATIONS.find((a) => a.name === name)!;
      const g = rng(40 + name.length);
      const x = f32(awayFromZero64(g, 16, 0.1, 3));
      const y = new Float32Array(16);
      kernels.forward(y, x);
      const dy = f32(randn64(g, 16));
      const once = new Float32Array(16);
      kernels.backward(once, dy, y);
      const twice = Float32Array.from(once);
      kernels.backward(twice, dy, y);
      expect(once.some((v) => v !== 0)).toBe(true);
      expectAllClose(twice, once.map((v) => 2 * v), 1e-6, 1e-7, `${name} accumulated`);
    });
  }
});

describe("activation edge values", () => {
  it("sigmoid(0) = 0.5 and sigmoid′(0) = 0.25 exactly", () => {
    const x = tensor([0], undefined, { requiresGrad: true });
    const y = sigmoid(x);
    expect(y.data[0]).toBe(0.5);
    y.backward(tensor([1]));
    expect(x.grad!.data[0]).toBe(0.25);
  });

  it("sigmoid(±1000) = 1 and 0 with no NaN and a finite (zero) gradient", () => {
    const x = tensor([1000, -1000, 100, -100], undefined, { requiresGrad: true });
    const y = sigmoid(x);
    // σ(−100) ≈ 3.7e−44 survives as a float32 denormal
    expect(Array.from(y.data)).toEqual([1, 0, 1, Math.fround(sigmoidRef(-100))]);
    expect(y.data[3]).toBeGreaterThan(0);
    y.backward(tensor([1, 1, 1, 1]));
    for (const v of x.grad!.data) {
      expect(Number.isFinite(v)).toBe(true);
      expect(Math.abs(v)).toBeLessThan(1e-30);
    }
  });

  it("sigmoid is symmetric: σ(−x) = 1 − σ(x)", () => {
    const x = f32(uniform64(rng(3), 50, -8, 8));
    const pos = sigmoid(new Tensor(x, [50])).data;
    const neg = sigmoid(new Tensor(x.map((v) => -v), [50])).data;
    expectAllClose(neg, pos.map((v) => 1 - v), 0, 2 ** -23, "σ(−x) vs 1 − σ(x)");
  });

  it("relu′(0) = 0, relu′ = 1 above and 0 below", () => {
    const x = tensor([0, -0, 2, -2], undefined, { requiresGrad: true });
    relu(x).backward(tensor([5, 5, 5, 5]));
    expect(Array.from(x.grad!.data)).toEqual([0, 0, 5, 0]);
  });

  it("tanh(±50) = ±1 exactly, tanh(0) = 0, and tanh′(0) = 1", () => {
    const x = tensor([50, -50, 0], undefined, { requiresGrad: true });
    const y = tanh(x);
    expect(Array.from(y.data)).toEqual([1, -1, 0]);
    y.backward(tensor([1, 1, 1]));
    expect(Array.from(x.grad!.data)).toEqual([0, 0, 1]);
  });
});
