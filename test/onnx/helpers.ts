// Shared by the ONNX tests: running a model in ONNX Runtime (onnxruntime-web on its WebAssembly
// backend, one thread) and the models every export and import test uses.

import * as ort from "onnxruntime-web";
import { expect } from "vitest";
import { Tensor, noGrad } from "../../src/tensor/tensor.js";
import { Generator } from "../../src/tensor/random.js";
import { Sequential, Conv2d, Linear, AvgPool2d, MaxPool2d, Sigmoid, ReLU, Tanh, Flatten, Reshape } from "../../src/nn/layers.js";
import type { Module } from "../../src/nn/module.js";
import { AttributeType, DataType, MODEL, encode } from "../../src/onnx/proto.js";

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

/** A node for {@link onnxModel}: op, inputs, outputs, and INT / INTS / FLOAT / STRING attributes. */
export interface TestNode {
  op: string;
  inputs: string[];
  outputs?: string[];
  name?: string;
  attributes?: Record<string, number | number[] | string | { float: number }>;
}

/** The bytes of a hand-built ONNX model: float initializers, one FLOAT input and output, opset 13 unless given. */
export function onnxModel(spec: { nodes: TestNode[]; initializers?: Record<string, { dims: number[]; values: number[]; int64?: boolean }>; input?: [string, (number | string)[]]; output?: string; opset?: number }): Uint8Array {
  const dims = (shape: (number | string)[]) => shape.map((d) => (typeof d === "number" ? { dimValue: d, dimParam: "" } : { dimValue: 0, dimParam: d }));
  const [inputName, inputShape] = spec.input ?? ["input", ["batch", 4]];
  const attribute = (name: string, v: NonNullable<TestNode["attributes"]>[string]) =>
    typeof v === "number" ? { name, type: AttributeType.INT, i: v }
      : typeof v === "string" ? { name, type: AttributeType.STRING, s: new TextEncoder().encode(v) }
        : Array.isArray(v) ? { name, type: AttributeType.INTS, ints: v } : { name, type: AttributeType.FLOAT, f: v.float };
  const graph = {
    name: "test",
    node: spec.nodes.map((n, i) => ({ name: n.name ?? `n${i}`, opType: n.op, input: n.inputs, output: n.outputs ?? [`v${i}`], attribute: Object.entries(n.attributes ?? {}).map(([k, v]) => attribute(k, v)) })),
    initializer: Object.entries(spec.initializers ?? {}).map(([name, t]) => (t.int64 ? { name, dims: t.dims, dataType: DataType.INT64, int64Data: t.values } : { name, dims: t.dims, dataType: DataType.FLOAT, floatData: t.values })),
    input: [{ name: inputName, type: { tensorType: { elemType: DataType.FLOAT, shape: { dim: dims(inputShape) } } } }],
    output: [{ name: spec.output ?? `v${spec.nodes.length - 1}`, type: { tensorType: { elemType: DataType.FLOAT } } }],
  };
  return encode({ irVersion: 7, opsetImport: [{ domain: "", version: spec.opset ?? 13 }], graph }, MODEL);
}
