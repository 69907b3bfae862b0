// Plan with BatchNorm and Dropout: the same steps as the eager layers, so
// training (batch statistics, running statistics moved, masks drawn from the
// same generators) and evaluation (running statistics, no dropout) agree with
// the eager path bit for bit, on both backends; plus Identity and Unflatten.

import { describe, expect, it } from "vitest";
import { Plan } from "../../src/nn/plan.js";
import { BatchNorm1d, BatchNorm2d, Conv2d, Dropout, Flatten, Identity, Linear, MaxPool2d, ReLU, Sequential, Unflatten, type Module } from "../../src/nn/index.js";
import { SGD } from "../../src/nn/optim.js";
import { DataLoader } from "../../src/nn/dataloader.js";
import { trainStep, evaluate } from "../../src/lenet/train.js";
import { Generator, Tensor, noGrad } from "../../src/tensor/index.js";
import { randn64, rng, f32 } from "../helpers/random.js";

// A small convnet with every new layer: BatchNorm2d, BatchNorm1d, Dropout, Identity, Unflatten.
function makeNet(seed: number): Sequential {
  const g = new Generator(seed);
  return new Sequential(
    new Unflatten(1, [1, 6, 6]), new Conv2d(1, 4, 3, { padding: 1, generator: g }), new BatchNorm2d(4), new ReLU(), new MaxPool2d(2),
    new Flatten(), new Identity(), new Linear(36, 16, { generator: g }), new BatchNorm1d(16, { momentum: null }), new ReLU(),
    new Dropout(0.3, { generator: new Generator(seed + 1) }), new Linear(16, 3, { generator: g }),
  );
}

function state(net: Module): number[][] {
  return Object.values(net.stateDict()).map((t) => Array.from(t.data));
}

const count = 50;
const data = (() => {
  const g = rng(8);
  return { images: f32(randn64(g, count * 36)), labels: Int32Array.from({ length: count }, (_, i) => (i * 7) % 3), count, sampleShape: [36] };
})();

describe("Plan with BatchNorm and Dropout", () => {
  it("trains bit for bit like the eager layers: losses, parameters, running statistics and batch counts", () => {
    const eagerNet = makeNet(1), planNet = makeNet(1);
    const eagerOpt = new SGD(eagerNet.parameters(), { lr: 0.1 }), planOpt = new SGD(planNet.parameters(), { lr: 0.1 });
    const plan = new Plan(planNet, { batchSize: 16, sampleShape: [36] }); // batches of 16, 16, 16, 2
    const eagerResults = [...new DataLoader(data, { batchSize: 16 })].map(([x, y]) => trainStep(eagerNet, eagerOpt, x, y));
    const planResults = [];
    for (const n of new DataLoader(data, { batchSize: 16 }).batchesInto(plan.input, plan.labels)) planResults.push(plan.trainStep(planOpt, n));
    expect(planResults).toEqual(eagerResults);
    expect(state(planNet)).toEqual(state(eagerNet));
    expect((planNet.layers[2] as BatchNorm2d).numBatchesTracked!.item()).toBe(4);
    plan.dispose();
  });

  it("evaluates in evaluation mode (running statistics, no dropout), restoring the mode, as the eager evaluate", () => {
    const eagerNet = makeNet(2), planNet = makeNet(2);
    for (const net of [eagerNet, planNet]) noGrad(() => net.forward(new Tensor(data.images.slice(0, 16 * 36), [16, 36]))); // move the running statistics once
    const plan = new Plan(planNet, { batchSize: 16, sampleShape: [36] });
    const before = state(planNet);
    const planResult = plan.evaluateDataset(data);
    const eagerResult = evaluate(eagerNet, data, 16);
    expect(planResult.correct).toBe(eagerResult.correct);
    expect(planResult.loss).toBeCloseTo(eagerResult.loss, 5);
    expect(state(planNet)).toEqual(before); // evaluation moved no running statistics
    expect(planNet.training).toBe(true);
    plan.input.set(data.images.subarray(0, 16 * 36));
    const logits = noGrad(() => eagerNet.eval().forward(new Tensor(data.images.slice(0, 16 * 36), [16, 36])));
    expect(Array.from(plan.predict())).toEqual(Array.from(logits.data));
    plan.dispose();
  });
});
