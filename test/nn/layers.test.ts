// Layers: each forward equals its functional op (bit for bit) and an
// independent float64 loop; constructor forms, bias: false, shape layers,
// parameter gradients, and constructor errors.

import { describe, expect, it } from "vitest";
import { Generator, Tensor, randn, tensor, zeros } from "../../src/tensor/index.js";
import { avgPool2d, conv2d, linear, maxPool2d, relu, sigmoid, sum, tanh } from "../../src/ops/index.js";
import { AvgPool2d, Conv2d, Flatten, Linear, MaxPool2d, ReLU, Reshape, Sequential, Sigmoid, Tanh } from "../../src/nn/index.js";
import { expectError } from "../helpers/errors.js";

const same = (a: Tensor, b: Tensor): void => {
  expect(a.shape).toEqual(b.shape);
  expect(Array.from(a.data)).toEqual(Array.from(b.data));
};

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    expect(Math.abs(actual[i]! - e), `element ${i}: ${actual[i]} vs ${e}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(e)));
  }
}

/** Cross-correlation in float64 with explicit zero padding: y[n,k,p,q] = b[k] + Σ w[k,c,u,v]·x[n,c,p·s+u−pad,q·s+v−pad]. */
function conv2d64(x: Tensor, w: Tensor, b: Tensor | null, stride: number, pad: number): number[] {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [K, , kH, kW] = w.shape as [number, number, number, number];
  const P = Math.floor((H + 2 * pad - kH) / stride) + 1;
  const Q = Math.floor((W + 2 * pad - kW) / stride) + 1;
  const out: number[] = [];
  for (let n = 0; n < N; n++)
    for (let k = 0; k < K; k++)
      for (let p = 0; p < P; p++)
        for (let q = 0; q < Q; q++) {
          let s = b ? b.data[k]! : 0;
          for (let c = 0; c < C; c++)
            for (let u = 0; u < kH; u++)
              for (let v = 0; v < kW; v++) {
                const h = p * stride + u - pad;
                const ww = q * stride + v - pad;
                if (h >= 0 && h < H && ww >= 0 && ww < W) s += w.data[((k * C + c) * kH + u) * kW + v]! * x.data[((n * C + c) * H + h) * W + ww]!;
              }
          out.push(s);
        }
  return out;
}

describe("forward equals the functional op", () => {
  const g = new Generator(2024);

  it("Conv2d (stride 2, padding 1) equals conv2d and a float64 loop", () => {
    const layer = new Conv2d(3, 4, 3, { stride: 2, padding: 1, generator: g });
    const x = randn([2, 3, 7, 6], { generator: g });
    const y = layer.forward(x);
    expect(y.shape).toEqual([2, 4, 4, 3]);
    same(y, conv2d(x, layer.weight, layer.bias, { stride: 2, padding: 1 }));
    expectClose(y.data, conv2d64(x, layer.weight, layer.bias, 2, 1), 1e-5);
  });

  it("Linear equals linear and x·Wᵀ + b in float64", () => {
    const layer = new Linear(5, 3, { generator: g });
    const x = randn([4, 5], { generator: g });
    const y = layer.forward(x);
    expect(y.shape).toEqual([4, 3]);
    same(y, linear(x, layer.weight, layer.bias));
    const expected: number[] = [];
    for (let n = 0; n < 4; n++)
      for (let o = 0; o < 3; o++) {
        let s = layer.bias!.data[o]!;
        for (let i = 0; i < 5; i++) s += x.data[n * 5 + i]! * layer.weight.data[o * 5 + i]!;
        expected.push(s);
      }
    expectClose(y.data, expected, 1e-5);
  });

  it("AvgPool2d and MaxPool2d equal their ops; stride defaults to the kernel size", () => {
    const x = randn([2, 3, 6, 6], { generator: g });
    same(new AvgPool2d(2).forward(x), avgPool2d(x, 2));
    same(new AvgPool2d(2, { stride: 2 }).forward(x), avgPool2d(x, 2, { stride: 2 }));
    same(new MaxPool2d(3, { stride: 2, padding: 1 }).forward(x), maxPool2d(x, 3, { stride: 2, padding: 1 }));
    expect(new AvgPool2d(2).forward(x).shape).toEqual([2, 3, 3, 3]);
    expect(new MaxPool2d(3, { stride: 1 }).forward(x).shape).toEqual([2, 3, 4, 4]);

    // Hand values: one 4×4 channel 0..15, 2×2 windows.
    const h = tensor(Float32Array.from({ length: 16 }, (_, i) => i), [1, 1, 4, 4]);
    expect(Array.from(new AvgPool2d(2).forward(h).data)).toEqual([2.5, 4.5, 10.5, 12.5]);
    expect(Array.from(new MaxPool2d(2).forward(h).data)).toEqual([5, 7, 13, 15]);
  });

  it("Sigmoid, ReLU and Tanh equal their ops and the math", () => {
    const x = randn([3, 7], { generator: g });
    same(new Sigmoid().forward(x), sigmoid(x));
    same(new ReLU().forward(x), relu(x));
    same(new Tanh().forward(x), tanh(x));
    expectClose(new Sigmoid().forward(x).data, Array.from(x.data, (v) => 1 / (1 + Math.exp(-v))), 1e-6);
    expectClose(new ReLU().forward(x).data, Array.from(x.data, (v) => Math.max(0, v)), 0);
    expectClose(new Tanh().forward(x).data, Array.from(x.data, (v) => (Math.exp(v) - Math.exp(-v)) / (Math.exp(v) + Math.exp(-v))), 1e-6);
  });

  it("Sequential composes in order", () => {
    const a = new Linear(4, 3, { generator: g });
    const b = new Linear(3, 2, { generator: g });
    const net = new Sequential(a, new Tanh(), b);
    const x = randn([5, 4], { generator: g });
    same(net.forward(x), linear(tanh(linear(x, a.weight, a.bias)), b.weight, b.bias));
  });
});

describe("Conv2d construction", () => {
  it("new Conv2d(1, 6, 5, { padding: 2 }) and new Conv2d(1, 6, { kernelSize: 5, padding: 2 }) are the same layer", () => {
    const a = new Conv2d(1, 6, 5, { padding: 2, generator: new Generator(1) });
    const b = new Conv2d(1, 6, { kernelSize: 5, padding: 2, generator: new Generator(1) });
    for (const layer of [a, b]) {
      expect(layer.weight.shape).toEqual([6, 1, 5, 5]);
      expect(layer.bias!.shape).toEqual([6]);
      expect(layer.stride).toEqual([1, 1]);
      expect(layer.padding).toEqual([2, 2]);
    }
    expect(Array.from(a.weight.data)).toEqual(Array.from(b.weight.data));
    expect(Array.from(a.bias!.data)).toEqual(Array.from(b.bias!.data));
    const x = randn([2, 1, 28, 28], { generator: new Generator(2) });
    const y = a.forward(x);
    expect(y.shape).toEqual([2, 6, 28, 28]);
    same(b.forward(x), y);
    expect(a.toString()).toBe(b.toString());
  });

  it("takes [height, width] kernel, stride and padding", () => {
    const layer = new Conv2d(2, 3, [3, 1], { stride: [2, 1], padding: [1, 0] });
    expect(layer.weight.shape).toEqual([3, 2, 3, 1]);
    expect(layer.stride).toEqual([2, 1]);
    expect(layer.padding).toEqual([1, 0]);
    const x = randn([1, 2, 5, 4], { generator: new Generator(3) });
    // H: ⌊(5 + 2 − 3)/2⌋ + 1 = 3; W: ⌊(4 − 1)/1⌋ + 1 = 4
    expect(layer.forward(x).shape).toEqual([1, 3, 3, 4]);
  });

  it("bias: false registers no bias", () => {
    const conv = new Conv2d(2, 3, 3, { bias: false, generator: new Generator(4) });
    expect(conv.bias).toBeNull();
    expect(conv.namedParameters().map(([n]) => n)).toEqual(["weight"]);
    expect(conv.parameterCount()).toBe(3 * 2 * 3 * 3);
    const x = randn([1, 2, 4, 4], { generator: new Generator(5) });
    same(conv.forward(x), conv2d(x, conv.weight, null));
    expectClose(conv.forward(x).data, conv2d64(x, conv.weight, null, 1, 0), 1e-5);

    const lin = new Linear(4, 2, { bias: false });
    expect(lin.bias).toBeNull();
    expect(lin.namedParameters().map(([n]) => n)).toEqual(["weight"]);
    const v = randn([3, 4], { generator: new Generator(6) });
    same(lin.forward(v), linear(v, lin.weight, null));
  });
});

describe("shape layers", () => {
  const x = zeros(2, 3, 4, 5);

  it("Flatten defaults to dims 1..-1 (keeps the batch)", () => {
    expect(new Flatten().forward(x).shape).toEqual([2, 60]);
    expect(new Flatten(0).forward(x).shape).toEqual([120]);
    expect(new Flatten(1, 2).forward(x).shape).toEqual([2, 12, 5]);
    expect(new Flatten(-2).forward(x).shape).toEqual([2, 3, 20]);
  });

  it("Reshape views with a fixed shape, one -1 inferred", () => {
    expect(new Reshape(-1, 1, 28, 28).forward(zeros(3, 784)).shape).toEqual([3, 1, 28, 28]);
    expect(new Reshape(6, 20).forward(x).shape).toEqual([6, 20]);
    expect(new Reshape(6, 20).forward(x).data).toBe(x.data);
    expectError(() => new Reshape(-1, 1, 28, 28).forward(zeros(3, 785)), "SHAPE_MISMATCH", "[3,785]", "[-1,1,28,28]");
  });
});

describe("parameter gradients", () => {
  it("Linear: for L = Σ y, ∂L/∂W[o,i] = Σ_n x[n,i] and ∂L/∂b[o] = N", () => {
    const layer = new Linear(3, 2, { generator: new Generator(7) });
    const x = tensor([
      [1, 2, 3],
      [-4, 0.5, 6],
    ]);
    sum(layer.forward(x)).backward();
    expect(Array.from(layer.weight.grad!.data)).toEqual([-3, 2.5, 9, -3, 2.5, 9]);
    expect(Array.from(layer.bias!.grad!.data)).toEqual([2, 2]);
  });

  it("Conv2d: for L = Σ y with a 1×1 kernel, ∂L/∂w[k,c] = Σ x[:,c] and ∂L/∂b[k] = N·P·Q", () => {
    const layer = new Conv2d(2, 3, 1, { generator: new Generator(8) });
    const x = tensor(Float32Array.from({ length: 2 * 2 * 3 * 3 }, (_, i) => i - 10), [2, 2, 3, 3]);
    sum(layer.forward(x)).backward();
    let c0 = 0;
    let c1 = 0;
    for (let n = 0; n < 2; n++)
      for (let j = 0; j < 9; j++) {
        c0 += x.data[(n * 2 + 0) * 9 + j]!;
        c1 += x.data[(n * 2 + 1) * 9 + j]!;
      }
    expect(Array.from(layer.weight.grad!.data)).toEqual([c0, c1, c0, c1, c0, c1]);
    expect(Array.from(layer.bias!.grad!.data)).toEqual([18, 18, 18]);
  });
});

describe("constructor errors", () => {
  it("Conv2d: zero channels, missing or zero kernel size, negative padding, zero stride", () => {
    expectError(() => new Conv2d(0, 6, 5), "INVALID_ARGUMENT", "inChannels", "≥ 1", "0");
    expectError(() => new Conv2d(1, 0, 5), "INVALID_ARGUMENT", "outChannels", "0");
    expectError(() => new Conv2d(1.5, 6, 5), "INVALID_ARGUMENT", "inChannels", "1.5");
    expectError(() => new Conv2d(1, 6, {}), "INVALID_ARGUMENT", "kernelSize is required");
    expectError(() => new Conv2d(1, 6, undefined as unknown as number), "INVALID_ARGUMENT", "kernelSize is required");
    expectError(() => new Conv2d(1, 6, 0), "INVALID_ARGUMENT", "kernelSize", "0");
    expectError(() => new Conv2d(1, 6, [3, 3, 3] as unknown as number), "INVALID_ARGUMENT", "kernelSize", "length 3");
    expectError(() => new Conv2d(1, 6, 3, { padding: -1 }), "INVALID_ARGUMENT", "padding", "-1");
    expectError(() => new Conv2d(1, 6, 3, { stride: 0 }), "INVALID_ARGUMENT", "stride", "0");
  });

  it("Linear: zero or fractional features", () => {
    expectError(() => new Linear(0, 3), "INVALID_ARGUMENT", "inFeatures", "0");
    expectError(() => new Linear(3, 1.5), "INVALID_ARGUMENT", "outFeatures", "1.5");
    expectError(() => new Linear(Number.NaN, 3), "INVALID_ARGUMENT", "inFeatures", "NaN");
  });

  it("pooling layers: zero or fractional kernel size", () => {
    expectError(() => new AvgPool2d(0), "INVALID_ARGUMENT", "AvgPool2d", "kernelSize", "0");
    expectError(() => new MaxPool2d(2.5), "INVALID_ARGUMENT", "MaxPool2d", "kernelSize", "2.5");
  });
});
