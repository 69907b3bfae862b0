// Shared by the ONNX tests: running a model in ONNX Runtime (onnxruntime-web on its WebAssembly
// backend, one thread) and the models every export and import test uses.

import * as ort from "onnxruntime-web";
import { expect } from "vitest";
import { Tensor, noGrad } from "../../src/tensor/tensor.js";
import { Generator } from "../../src/tensor/random.js";
import { Sequential, Conv2d, Linear, AvgPool2d, MaxPool2d, Sigmoid, ReLU, Tanh, Flatten, Reshape } from "../../src/nn/layers.js";
import type { Module } from "../../src/nn/module.js";

ort.env.wasm.numThreads = 1;

/** The output of the ONNX model `bytes` on `x`, run by ONNX Runtime. */
export async function runOrt(bytes: Uint8Array, x: Tensor, input = "input", output = "output"): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const result = (await session.run({ [input]: new ort.Tensor("float32", Float32Array.from(x.data), [...x.shape]) }))[output]!;
    return { data: result.data as Float32Array, dims: result.dims };
  } finally {
    await session.release();
  }
}

/** torchlet's output of `net` on `x`, in eval mode without autograd. */
export function forward(net: Module, x: Tensor): Tensor {
  net.eval();
  return noGrad(() => net.forward(x));
}

/** The bar: max |Δ| ≤ 1e-5 relative to the largest reference value. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let scale = 0, diff = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i]!));
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
  }
  expect(scale, `${what}: the reference is all zeros, which would prove nothing`).toBeGreaterThan(0);
  expect(diff / scale, `${what}: max |Δ| ${diff} against max |value| ${scale}`).toBeLessThanOrEqual(1e-5);
}

/** Input (N, 2, 9, 10) of {@link everyLayerModel}. */
export const EVERY_LAYER_INPUT = [2, 9, 10] as const;

/**
 * A model with every layer torchlet has and every option they take today: strides and paddings per dimension,
 * no-bias Conv2d and Linear, both pools with padding and overlapping windows, Linear on 3-D input (MatMul + Add)
 * and on 2-D (Gemm), Flatten over a middle range (a Reshape in ONNX), Reshape, and a nested Sequential.
 */
export function everyLayerModel(seed = 3): Sequential {
  const generator = new Generator(seed);
  const g = { generator };
  return new Sequential(
    new Conv2d(2, 4, { kernelSize: [3, 2], stride: [2, 1], padding: [1, 0], bias: false, ...g }), new Tanh(), // (4, 5, 9)
    new AvgPool2d(3, { stride: 1, padding: 1 }), // (4, 5, 9)
    new Conv2d(4, 3, { kernelSize: 3, padding: 1, ...g }), new ReLU(), // (3, 5, 9)
    new MaxPool2d([2, 3], { stride: [1, 2], padding: [1, 1] }), // (3, 6, 5)
    new Flatten(2, 3), // (3, 30)
    new Linear(30, 8, g), new Sigmoid(), // (3, 8)
    new Sequential(new Flatten(), new Linear(24, 6, { bias: false, ...g })), new Tanh(), // (6)
    new Reshape(-1, 3, 2), new Flatten(), // (6)
    new Linear(6, 5, g),
  );
}

/** `count` images of `shape` drawn from a seeded normal distribution. */
export function randomInput(count: number, shape: readonly number[], seed = 11): Tensor {
  const generator = new Generator(seed);
  const size = shape.reduce((a, b) => a * b, count);
  return new Tensor(Float32Array.from({ length: size }, () => generator.normal()), [count, ...shape]);
}
