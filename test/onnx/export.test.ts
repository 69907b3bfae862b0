// toOnnx, checked by a real engine: every exported model runs in ONNX Runtime
// (onnxruntime-web, WebAssembly) and must give torchlet's outputs on the same
// inputs, max |Δ| ≤ 1e-5 relative, at two batch sizes (the batch is dynamic).

import { describe, expect, it } from "vitest";
import { Generator } from "../../src/tensor/random.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { lenet, lenetModern } from "../../src/lenet/models.js";
import { Sequential, Linear, ReLU, Reshape, Conv2d } from "../../src/nn/layers.js";
import { Module } from "../../src/nn/module.js";
import { toOnnx } from "../../src/onnx/index.js";
import { TorchletError } from "../../src/errors.js";
import { loadBundledMnist } from "../../src/data/files.js";
import { EVERY_LAYER_INPUT, everyLayerModel, expectClose, forward, randomInput, runOrt } from "./helpers.js";

const mnist = loadBundledMnist().test;
const digits = (n: number) => new Tensor(mnist.images.slice(0, n * 784), [n, 1, 28, 28]);

describe("toOnnx: ONNX Runtime gives torchlet's outputs", () => {
  const models: [string, () => Module, Tensor, Tensor][] = [
    ["lenet()", () => lenet({ generator: new Generator(1) }), digits(16), digits(1)],
    ["lenetModern()", () => lenetModern({ generator: new Generator(2) }), digits(16), digits(1)],
    ["every layer and option", () => everyLayerModel(), randomInput(7, EVERY_LAYER_INPUT), randomInput(1, EVERY_LAYER_INPUT, 5)],
  ];
  for (const [name, make, x, one] of models) {
    for (const opset of [11, 13, 17]) {
      it(`${name}, opset ${opset}, batches ${x.shape[0]} and 1`, async () => {
        const net = make();
        const bytes = toOnnx(net, { inputShape: [1, ...x.shape.slice(1)], opset });
        for (const input of [x, one]) {
          const ours = forward(net, input);
          const theirs = await runOrt(bytes, input);
          expect(theirs.dims).toEqual(ours.shape);
          expectClose(theirs.data, ours.data, `${name} opset ${opset} batch ${input.shape[0]}`);
        }
      });
    }
  }

  it("writes the batch as a dynamic dimension and keeps the state-dict names of the weights", async () => {
    const bytes = toOnnx(lenet(), { inputShape: [4, 784], inputName: "x", outputName: "logits" });
    const text = new TextDecoder("latin1").decode(bytes);
    for (const name of ["1.weight", "1.bias", "4.weight", "8.weight", "12.bias", "batch", "torchlet"]) expect(text, name).toContain(name);
    const net = lenet({ generator: new Generator(4) });
    const x = randomInput(3, [784]);
    const out = await runOrt(toOnnx(net, { inputShape: [1, 784], inputName: "x", outputName: "logits" }), x, "x", "logits");
    expectClose(out.data, forward(net, x).data, "lenet on flat input");
  });
});

describe("toOnnx refuses what it cannot write faithfully", () => {
  class Doubler extends Module {
    forward(x: Tensor): Tensor {
      return x;
    }
  }
  class LeakyLinear extends Linear {}

  it("a layer with no ONNX mapping is a TorchletError naming the layer", () => {
    const net = new Sequential(new Linear(4, 4), new Sequential(new ReLU(), new Doubler()));
    expect(() => toOnnx(net, { inputShape: [1, 4] })).toThrow(TorchletError);
    expect(() => toOnnx(net, { inputShape: [1, 4] })).toThrow(/layer "1\.1" \(Doubler\) has no ONNX mapping/);
  });

  it("a subclass of a mapped layer is not mistaken for it", () => {
    expect(() => toOnnx(new Sequential(new LeakyLinear(4, 4)), { inputShape: [1, 4] })).toThrow(/layer "0" \(Linear\) has no ONNX mapping/);
  });

  it("a model that does not fit the input shape fails naming the op, before writing", () => {
    expect(() => toOnnx(lenet(), { inputShape: [1, 1, 27, 28] })).toThrow(/reshape/);
    expect(() => toOnnx(new Sequential(new Conv2d(3, 2, 3)), { inputShape: [1, 1, 5, 5] })).toThrow(/conv2d: input has 1 channels/);
  });

  it("a model whose batch cannot vary, a Reshape with a 0, bad options", () => {
    expect(() => toOnnx(new Sequential(new Reshape(2, 3)), { inputShape: [1, 6] })).toThrow(/batch dimension cannot be dynamic/);
    expect(() => toOnnx(new Sequential(new Reshape(-1, 0)), { inputShape: [1, 0] })).toThrow(TorchletError);
    expect(() => toOnnx(lenet(), { inputShape: [1, 784], opset: 10 })).toThrow(/opset must be an integer from 11 to 17, got 10/);
    expect(() => toOnnx(lenet(), { inputShape: [1, 784], opSet: 13 } as never)).toThrow(/did you mean "opset"/);
    expect(() => toOnnx(lenet(), { inputShape: [0, 784] })).toThrow(/inputShape\[0\]/);
    expect(() => toOnnx({} as never, { inputShape: [1] })).toThrow(/must be a torchlet Module/);
  });
});
