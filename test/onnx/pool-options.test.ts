// The pooling options through ONNX: toOnnx writes ceil_mode, count_include_pad,
// dilations and GlobalAveragePool, ONNX Runtime gives torchlet's outputs, and
// fromOnnx reads them back into the same layers; what ONNX cannot express
// (divisorOverride, returnIndices, adaptive sizes other than 1×1) is refused.

import { describe, expect, it } from "vitest";
import { Generator } from "../../src/tensor/random.js";
import { Sequential, Conv2d, AvgPool2d, MaxPool2d, Flatten, Linear, ReLU } from "../../src/nn/layers.js";
import { AdaptiveAvgPool2d } from "../../src/nn/pooling.js";
import { toOnnx, fromOnnx } from "../../src/onnx/index.js";
import { expectError } from "../helpers/errors.js";
import { expectClose, forward, onnxModel, randomInput, runOrt } from "./helpers.js";

const INPUT = [2, 11, 10] as const;

/** Every pooling option ONNX can express, on shapes where ceil mode keeps partial windows. */
function poolingModel(): Sequential {
  const g = { generator: new Generator(4) };
  return new Sequential(
    new Conv2d(2, 3, 3, { padding: 1, ...g }), new ReLU(), // (3, 11, 10)
    new MaxPool2d(3, { stride: 2, padding: 1, dilation: [2, 1], ceilMode: true }), // (3, 5, 5)
    new AvgPool2d([3, 2], { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }), // (3, 3, 4)
    new AvgPool2d(2, { stride: 1, padding: 1, ceilMode: true }), // (3, 4, 5): count_include_pad 1 with ceil mode
    new MaxPool2d(2, { ceilMode: true }), // (3, 2, 3)
    new AdaptiveAvgPool2d(1), new Flatten(), new Linear(3, 4, g), // GlobalAveragePool
  );
}

describe("pooling options through ONNX", () => {
  for (const opset of [11, 17]) {
    it(`ONNX Runtime gives torchlet's outputs, opset ${opset}`, async () => {
      const net = poolingModel();
      const bytes = toOnnx(net, { inputShape: [1, ...INPUT], opset });
      for (const input of [randomInput(3, INPUT), randomInput(1, INPUT, 5)]) {
        const ours = forward(net, input);
        const theirs = await runOrt(bytes, input);
        expect(theirs.dims).toEqual(ours.shape);
        expectClose(theirs.data, ours.data, `opset ${opset} batch ${input.shape[0]}`);
      }
    });
  }

  it("fromOnnx reads the options back into the same layers", () => {
    const net = poolingModel();
    const back = fromOnnx(toOnnx(net, { inputShape: [1, ...INPUT] }));
    const layers = (s: Sequential) => s.layers.map((l) => l.toString());
    expect(layers(back)).toEqual(layers(net));
    const x = randomInput(2, INPUT);
    expect(Array.from(forward(back, x).data)).toEqual(Array.from(forward(net, x).data));
  });

  it("refuses what ONNX cannot express, naming the layer and the option", () => {
    const refuse = (layer: Sequential["layers"][number], message: string[]) => expectError(() => toOnnx(new Sequential(layer), { inputShape: [1, 2, 6, 6] }), "INVALID_ARGUMENT", message);
    refuse(new AvgPool2d(2, { divisorOverride: 3 }), ["toOnnx:", 'layer "0" (AvgPool2d) has divisorOverride 3', "ONNX's AveragePool cannot express"]);
    refuse(new MaxPool2d(2, { returnIndices: true }), ["MaxPool2d:", "with returnIndices it outputs two tensors"]);
    refuse(new AdaptiveAvgPool2d([2, 1]), ["toOnnx:", 'layer "0" (AdaptiveAvgPool2d) pools to 2×1', "GlobalAveragePool for 1×1 only"]);
  });

  it("an AveragePool with dilations is refused (PyTorch's has none)", () => {
    const bytes = onnxModel({ input: ["input", ["batch", 1, 6, 6]], nodes: [{ op: "AveragePool", inputs: ["input"], name: "avg", attributes: { kernel_shape: [2, 2], dilations: [2, 2] } }], opset: 17 });
    expectError(() => fromOnnx(bytes), "INVALID_ARGUMENT", ['node "avg" (AveragePool): dilations [2,2] cannot be honoured']);
  });
});
