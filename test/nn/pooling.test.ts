// The pooling layers with every option: the layer gives the op's result, a
// Plan runs the new options bit for bit like the eager path (both backends),
// and what a Plan cannot run (two outputs, two inputs) is refused by name.

import { describe, expect, it } from "vitest";
import { Plan } from "../../src/nn/plan.js";
import { Sequential, Linear, Conv2d, AvgPool2d, MaxPool2d, Flatten, ReLU } from "../../src/nn/layers.js";
import { AdaptiveAvgPool2d, MaxUnpool2d } from "../../src/nn/pooling.js";
import { SGD } from "../../src/nn/optim.js";
import { trainStep } from "../../src/lenet/train.js";
import { avgPool2d } from "../../src/ops/avgpool2d.js";
import { maxPool2d } from "../../src/ops/maxpool2d.js";
import { maxUnpool2d } from "../../src/ops/maxunpool2d.js";
import { adaptiveAvgPool2d } from "../../src/ops/adaptive-avgpool2d.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { Generator } from "../../src/tensor/random.js";
import { expectError } from "../helpers/errors.js";
import { f32, randn64, rng } from "../helpers/random.js";

const x = () => new Tensor(f32(randn64(rng(5), 2 * 3 * 9 * 7)), [2, 3, 9, 7]);

describe("pooling layers", () => {
  it("each layer gives its op's result, options included, batched and unbatched", () => {
    const avg = { stride: 2, padding: 1, ceilMode: true, countIncludePad: false, divisorOverride: 3 } as const;
    const max = { stride: [2, 1], padding: 1, dilation: 2, ceilMode: true } as const;
    for (const input of [x(), new Tensor(x().data.slice(0, 3 * 9 * 7), [3, 9, 7])]) {
      expect(Array.from(new AvgPool2d(3, avg).forward(input).data)).toEqual(Array.from(avgPool2d(input, 3, avg).data));
      expect(Array.from(new MaxPool2d(3, max).forward(input).data)).toEqual(Array.from(maxPool2d(input, 3, max).data));
      expect(Array.from(new AdaptiveAvgPool2d([4, null]).forward(input).data)).toEqual(Array.from(adaptiveAvgPool2d(input, [4, null]).data));
      expect(new AvgPool2d(3, avg).forward(input).shape).toEqual(avgPool2d(input, 3, avg).shape);
    }
  });

  it("MaxPool2d.forwardWithIndices and MaxUnpool2d: PyTorch's return_indices round trip", () => {
    const pool = new MaxPool2d(2, { returnIndices: true }), unpool = new MaxUnpool2d(2);
    const [values, indices] = pool.forwardWithIndices(x());
    const [opValues, opIndices] = maxPool2d(x(), 2, { returnIndices: true });
    expect(Array.from(values.data)).toEqual(Array.from(opValues.data));
    expect(Array.from(indices.data)).toEqual(Array.from(opIndices.data));
    const restored = unpool.forward(values, indices, [9, 7]);
    expect(restored.shape).toEqual([2, 3, 9, 7]);
    expect(Array.from(restored.data)).toEqual(Array.from(maxUnpool2d(values, indices, 2, { outputSize: [9, 7] }).data));
    expect(new MaxUnpool2d(2).toString()).toBe("MaxUnpool2d(kernelSize=2, stride=2)");
    expect(new MaxPool2d(3, { stride: 2, dilation: 2, ceilMode: true }).toString()).toBe("MaxPool2d(kernelSize=3, stride=2, dilation=2, ceilMode=true)");
  });

  it("refuses what it cannot do, by name", () => {
    expectError(() => new MaxPool2d(2, { returnIndices: true }).forward(x()), "INVALID_ARGUMENT", ["MaxPool2d:", "call forwardWithIndices(x)"]);
    expectError(() => new MaxUnpool2d(2).forward(x()), "INVALID_ARGUMENT", ["MaxUnpool2d.forward:", "forward(x, indices)"]);
    expectError(() => new AvgPool2d(2, { divisorOverride: 0 }), "INVALID_ARGUMENT", ["AvgPool2d:", "divisorOverride must be a nonzero integer"]);
    expectError(() => new AvgPool2d(2, { dilation: 2 } as object), "INVALID_ARGUMENT", ["AvgPool2d:", 'unknown option "dilation"']);
    expectError(() => new AdaptiveAvgPool2d([1, 2, 3] as unknown as [number, number]), "INVALID_ARGUMENT", ["AdaptiveAvgPool2d:", "array of length 3"]);
  });
});

describe("Plan with the pooling options", () => {
  it("runs the new options bit for bit like eager training", () => {
    const make = (g: Generator) =>
      new Sequential(
        new Conv2d(1, 4, 3, { padding: 1, generator: g }), new ReLU(),
        new MaxPool2d(3, { stride: 2, padding: 1, dilation: [1, 2], ceilMode: true }), // 9×9 → 5×4
        new AvgPool2d(2, { stride: 1, padding: 1, ceilMode: true, countIncludePad: false, divisorOverride: 3 }), // → 6×5
        new AdaptiveAvgPool2d([3, 2]), new Flatten(), new Linear(4 * 3 * 2, 5, { generator: g }),
      );
    const eagerNet = make(new Generator(3)), planNet = make(new Generator(3));
    const eagerOpt = new SGD(eagerNet.parameters(), { lr: 0.1 }), planOpt = new SGD(planNet.parameters(), { lr: 0.1 });
    const plan = new Plan(planNet, { batchSize: 4, sampleShape: [1, 9, 9] });
    const r = rng(9);
    for (let step = 0; step < 3; step++) {
      const images = f32(randn64(r, 4 * 81)), labels = Int32Array.from([0, 1, 2, 3].map((i) => (i + step) % 5));
      const eager = trainStep(eagerNet, eagerOpt, new Tensor(images.slice(), [4, 1, 9, 9]), labels);
      plan.input.set(images);
      plan.labels.set(labels);
      expect(plan.trainStep(planOpt)).toEqual(eager);
    }
    planNet.parameters().forEach((p, i) => expect(Array.from(p.data)).toEqual(Array.from(eagerNet.parameters()[i]!.data)));
    plan.dispose();
  });

  it("refuses a MaxPool2d with returnIndices and a MaxUnpool2d, saying why", () => {
    const withIndices = new Sequential(new MaxPool2d(2, { returnIndices: true }), new Flatten(), new Linear(4, 2));
    expectError(() => new Plan(withIndices, { batchSize: 2, sampleShape: [1, 4, 4] }), "INVALID_ARGUMENT", ["MaxPool2d:", "with returnIndices it outputs two tensors", "Plan"]);
    const unpooling = new Sequential(new MaxUnpool2d(2), new Flatten(), new Linear(16, 2));
    expect(() => new Plan(unpooling, { batchSize: 2, sampleShape: [1, 2, 2] })).toThrow(/MaxUnpool2d has no planned form/);
  });
});
