// Conv2d's PyTorch options through ONNX: dilations, group (depthwise too) and the
// asymmetric pads of "same" with even kernels. Exported models run in ONNX Runtime
// and give torchlet's outputs; fromOnnx(toOnnx(net)) is the same net; a paddingMode
// other than zeros is refused on export, naming the layer (ONNX's Pad + Conv is not written).

import { describe, expect, it } from "vitest";
import { Generator } from "../../src/tensor/random.js";
import { Sequential, Conv2d, Tanh } from "../../src/nn/layers.js";
import { fromOnnx, toOnnx } from "../../src/onnx/index.js";
import { TorchletError } from "../../src/errors.js";
import { expectClose, forward, onnxModel, randomInput, runOrt } from "./helpers.js";

const INPUT = [4, 9, 8] as const;

function convOptionsModel(seed = 5): Sequential {
  const generator = new Generator(seed);
  return new Sequential(
    new Conv2d(4, 6, [3, 2], { dilation: [2, 3], padding: [2, 1], groups: 2, generator }), new Tanh(), // (6, 9, 7)
    new Conv2d(6, 6, 3, { groups: 6, padding: "same", dilation: 2, generator }), new Tanh(), // depthwise, (6, 9, 7)
    new Conv2d(6, 4, [4, 2], { padding: "same", bias: false, generator }), // even kernel: pads [1, 0, 2, 1], (4, 9, 7)
    new Conv2d(4, 2, 2, { stride: 2, padding: "valid", generator }), // (2, 4, 3)
  );
}

describe("Conv2d options in ONNX", () => {
  for (const opset of [11, 17]) {
    it(`dilations, group, depthwise and "same" pads: ONNX Runtime gives torchlet's outputs (opset ${opset})`, async () => {
      const net = convOptionsModel();
      const bytes = toOnnx(net, { inputShape: [1, ...INPUT], opset });
      const x = randomInput(3, INPUT);
      const ours = forward(net, x);
      expect(ours.shape).toEqual([3, 2, 4, 3]);
      const theirs = await runOrt(bytes, x);
      expect(theirs.dims).toEqual(ours.shape);
      expectClose(theirs.data, ours.data, `conv options opset ${opset}`);
    });
  }

  it("fromOnnx(toOnnx(net)) is the same net: same layers, outputs and parameters (asymmetric pads read back as \"same\")", () => {
    const net = convOptionsModel(8);
    const back = fromOnnx(toOnnx(net, { inputShape: [1, ...INPUT] }));
    // ONNX stores pads as numbers: a symmetric "same" (odd dilated kernel) comes back as the padding it means
    expect(back.toString()).toBe(net.toString().replace("padding=same, dilation=[2, 2], groups=6", "padding=[2, 2], dilation=[2, 2], groups=6"));
    const x = randomInput(2, INPUT);
    expect(Array.from(forward(back, x).data)).toEqual(Array.from(forward(net, x).data));
    expect(back.parameters().map((p) => Array.from(p.data))).toEqual(net.parameters().map((p) => Array.from(p.data)));
  });

  it("reads a hand-written Conv with dilations, group and PyTorch's \"same\" pads", () => {
    const bytes = onnxModel({
      input: ["input", ["batch", 2, 5, 5]],
      nodes: [{ op: "Conv", inputs: ["input", "w"], name: "conv", attributes: { kernel_shape: [2, 2], dilations: [1, 1], group: 2, pads: [0, 0, 1, 1] } }],
      initializers: { w: { dims: [2, 1, 2, 2], values: [1, 1, 1, 1, 1, 0, 0, 0] } },
    });
    expect(fromOnnx(bytes).toString()).toContain("Conv2d(2, 2, kernelSize=[2, 2], stride=[1, 1], padding=same, groups=2, bias=false)");
  });

  it("a paddingMode other than zeros is refused on export, naming the layer and the mode", () => {
    for (const paddingMode of ["reflect", "replicate", "circular"] as const) {
      const net = new Sequential(new Tanh(), new Conv2d(1, 1, 3, { padding: 1, paddingMode }));
      expect(() => toOnnx(net, { inputShape: [1, 1, 5, 5] })).toThrow(TorchletError);
      expect(() => toOnnx(net, { inputShape: [1, 1, 5, 5] })).toThrow(`toOnnx: layer "1" (Conv2d) pads in mode "${paddingMode}"; torchlet exports zero padding only (paddingMode "zeros")`);
    }
  });
});
