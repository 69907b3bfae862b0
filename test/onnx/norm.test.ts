// BatchNorm1d/2d, Dropout and Identity through ONNX: exported (BatchNormalization
// with the running statistics; Dropout and Identity as Identity), checked by ONNX
// Runtime against torchlet in evaluation mode, and read back by fromOnnx.

import { describe, expect, it } from "vitest";
import { Generator } from "../../src/tensor/random.js";
import { noGrad } from "../../src/tensor/tensor.js";
import { BatchNorm1d, BatchNorm2d, Conv2d, Dropout, Flatten, Identity, Linear, ReLU, Sequential } from "../../src/nn/index.js";
import { fromOnnx, toOnnx } from "../../src/onnx/index.js";
import { TorchletError } from "../../src/errors.js";
import { expectClose, onnxModel, randomInput, runOrt } from "./helpers.js";

// A small convnet with trained-looking statistics: a few training batches move the running mean and variance.
function normNet(): Sequential {
  const g = new Generator(5);
  const net = new Sequential(
    new Conv2d(2, 3, 3, { padding: 1, generator: g }), new BatchNorm2d(3), new ReLU(), new Dropout(0.5, { generator: g }), new Flatten(),
    new Identity(), new Linear(3 * 5 * 5, 4, { generator: g }), new BatchNorm1d(4, { affine: false, eps: 1e-3 }),
  );
  for (let seed = 0; seed < 3; seed++) noGrad(() => net.forward(randomInput(6, [2, 5, 5], seed)));
  return net.eval();
}

describe("ONNX: BatchNorm, Dropout, Identity", () => {
  it("ONNX Runtime gives torchlet's evaluation-mode outputs, at two batch sizes", async () => {
    const net = normNet();
    for (const opset of [11, 17]) {
      const bytes = toOnnx(net, { inputShape: [1, 2, 5, 5], opset });
      for (const x of [randomInput(4, [2, 5, 5], 9), randomInput(1, [2, 5, 5], 10)]) {
        const ours = noGrad(() => net.forward(x));
        const theirs = await runOrt(bytes, x);
        expect(theirs.dims).toEqual(ours.shape);
        expectClose(theirs.data, ours.data, `opset ${opset} batch ${x.shape[0]}`);
      }
    }
  });

  it("fromOnnx reads BatchNormalization back as a layer in eval mode with the same statistics, and Dropout/Identity as nothing", () => {
    const net = normNet();
    const back = fromOnnx(toOnnx(net, { inputShape: [1, 2, 5, 5] }));
    expect(back.layers.map((l) => l.typeName)).toEqual(["Conv2d", "BatchNorm2d", "ReLU", "Flatten", "Linear", "BatchNorm1d"]);
    const bn = back.layers[1] as BatchNorm2d;
    expect(bn.training).toBe(false);
    expect(Array.from(bn.runningVar!.data)).toEqual(Array.from((net.layers[1] as BatchNorm2d).runningVar!.data));
    expect((back.layers[5] as BatchNorm1d).eps).toBeCloseTo(1e-3, 9);
    const x = randomInput(3, [2, 5, 5], 12);
    expectClose(noGrad(() => back.forward(x)).data, noGrad(() => net.forward(x)).data, "round trip");
  });

  it("refuses a BatchNorm without running statistics, and a Dropout in training mode", () => {
    const net = new Sequential(new Linear(3, 2), new BatchNorm1d(2, { trackRunningStats: false }));
    expect(() => toOnnx(net, { inputShape: [2, 3] })).toThrow(TorchletError);
    expect(() => toOnnx(net, { inputShape: [2, 3] })).toThrow('layer "1" (BatchNorm1d) has trackRunningStats: false');
    const training = onnxModel({
      nodes: [{ op: "Dropout", inputs: ["input", "ratio", "training"], outputs: ["output"] }],
      initializers: { ratio: { dims: [], values: [0.5] }, training: { dims: [], values: [1] } },
      input: ["input", [1, 3]], output: "output",
    });
    expect(() => fromOnnx(training)).toThrow(/Dropout.*training_mode/);
  });
});


