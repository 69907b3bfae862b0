// Short real training runs on the embedded MNIST digits (seeded, a few
// seconds each), the NON_FINITE guard of trainStep, and evaluateAccuracy.

import { beforeAll, describe, expect, it } from "vitest";
import { TorchletError } from "../../src/errors.js";
import { Generator, Tensor, noGrad, tensor } from "../../src/tensor/index.js";
import { Flatten, Linear, Module, Sequential, DataLoader, type LabeledData } from "../../src/nn/index.js";
import { Adam, SGD, type Optimizer } from "../../src/nn/optim.js";
import { countCorrect, evaluateAccuracy, lenet, lenetModern, trainStep } from "../../src/lenet/index.js";
import { loadDataset, type DatasetSplits } from "../../src/data/files.js";
import { subset } from "../../src/data/dataset.js";
import { expectError } from "../helpers/errors.js";

let mnist: DatasetSplits;

beforeAll(() => {
  mnist = loadDataset("mnist");
});

/** Mean training loss of each epoch. */
function train(net: Module, optimizer: Optimizer, data: LabeledData, epochs: number, batchSize: number, seed: number): number[] {
  const loader = new DataLoader(data, { batchSize, shuffle: true, generator: new Generator(seed) });
  const means: number[] = [];
  for (let e = 0; e < epochs; e++) {
    let total = 0;
    let batches = 0;
    for (const [x, y] of loader) {
      const { loss } = trainStep(net, optimizer, x, y);
      expect(Number.isFinite(loss)).toBe(true);
      total += loss;
      batches++;
    }
    means.push(total / batches);
  }
  return means;
}

/** Accuracy by hand: forward every test image, argmax in the test, compare with the label. */
function accuracyByHand(net: Module, data: LabeledData): number {
  let correct = 0;
  noGrad(() => {
    const logits = net.forward(new Tensor(data.images, [data.count, 1, 28, 28]));
    for (let n = 0; n < data.count; n++) {
      let best = 0;
      for (let j = 1; j < 10; j++) if (logits.data[n * 10 + j]! > logits.data[n * 10 + best]!) best = j;
      if (best === data.labels[n]) correct++;
    }
  });
  return correct / data.count;
}

function allFinite(net: Module): boolean {
  return net.parameters().every((p) => p.data.every((v) => Number.isFinite(v)));
}

describe("training on the embedded MNIST", () => {
  it("lenetModern + Adam(3e-3): 800 digits × 3 epochs lowers the loss and beats chance by far", () => {
    const net = lenetModern({ generator: new Generator(1) });
    const losses = train(net, new Adam(net.parameters(), { lr: 3e-3 }), subset(mnist.train, 0, 800), 3, 64, 2);
    // The untrained loss is about ln 10 ≈ 2.30.
    expect(losses[0]!).toBeGreaterThan(1);
    expect(losses[0]! - losses[2]!).toBeGreaterThan(0.5);
    const test = subset(mnist.test, 0, 500);
    const accuracy = evaluateAccuracy(net, test);
    expect(accuracy).toBeGreaterThan(0.6);
    expect(accuracy).toBe(accuracyByHand(net, test));
  });

  it("d2l's sigmoid lenet + Adam(3e-3) also learns on 300 digits (past the sigmoid plateau)", () => {
    const net = lenet({ generator: new Generator(1) });
    const losses = train(net, new Adam(net.parameters(), { lr: 3e-3 }), subset(mnist.train, 0, 300), 10, 16, 2);
    expect(losses[0]!).toBeGreaterThan(2.2);
    expect(losses[0]! - losses[9]!).toBeGreaterThan(0.3);
    expect(evaluateAccuracy(net, subset(mnist.test, 0, 500))).toBeGreaterThan(0.3);
  });
});

describe("trainStep", () => {
  it("returns the batch loss and the count of correct predictions made before the update", () => {
    const net = lenetModern({ generator: new Generator(3) });
    const batch = subset(mnist.train, 0, 32);
    const x = new Tensor(Float32Array.from(batch.images), [32, 1, 28, 28]);
    const expectedCorrect = Math.round(accuracyByHand(net, batch) * 32);
    const before = net.parameters().map((p) => Float32Array.from(p.data));
    const { loss, correct } = trainStep(net, new SGD(net.parameters(), { lr: 0.1 }), x, batch.labels);
    expect(correct).toBe(expectedCorrect);
    expect(loss).toBeGreaterThan(1.5); // untrained: near ln 10
    expect(loss).toBeLessThan(3.5);
    // The update happened.
    expect(net.parameters().some((p, i) => p.data.some((v, j) => v !== before[i]![j]))).toBe(true);
  });

  it("with SGD lr 1e6 the loss becomes non-finite: NON_FINITE, and the bad step's update is refused", () => {
    const net = lenetModern({ generator: new Generator(1) });
    const optimizer = new SGD(net.parameters(), { lr: 1e6 });
    const loader = new DataLoader(subset(mnist.train, 0, 256), { batchSize: 64 });
    let error: unknown = null;
    let steps = 0;
    let lastGood: Float32Array[] = [];
    outer: for (let e = 0; e < 10; e++) {
      for (const [x, y] of loader) {
        lastGood = net.parameters().map((p) => Float32Array.from(p.data));
        try {
          trainStep(net, optimizer, x, y);
          steps++;
        } catch (caught) {
          error = caught;
          break outer;
        }
      }
    }
    expect(error).toBeInstanceOf(TorchletError);
    expect((error as TorchletError).code).toBe("NON_FINITE");
    expect((error as Error).message).toMatch(/loss became (NaN|-?Infinity)|gradient of .* became non-finite/);
    expect(steps).toBeGreaterThan(0);
    expect(allFinite(net)).toBe(true);
    net.parameters().forEach((p, i) => expect(Array.from(p.data)).toEqual(Array.from(lastGood[i]!)));
  });

  it("a finite loss with an overflowing gradient is NON_FINITE naming the parameter; nothing is updated", () => {
    // h = w1·x with x = 1e30, w1 = 1e-30 (h = 1); logits = [1e10, −1e10]·h; label 1.
    // The loss (2e10) is finite, but ∂L/∂w1 = x·(1e10·1 + (−1e10)·(−1)) = 2e40 overflows float32.
    const net = new Sequential(new Linear(1, 1), new Linear(1, 2));
    const [first, second] = net.layers as Linear[];
    first!.weight.data[0] = 1e-30;
    first!.bias!.data[0] = 0;
    second!.weight.data.set([1e10, -1e10]);
    second!.bias!.data.set([0, 0]);
    const before = net.parameters().map((p) => Array.from(p.data));
    const step = (): unknown => trainStep(net, new SGD(net.parameters(), { lr: 0.1 }), tensor([[1e30]]), Int32Array.of(1));
    expectError(step, "NON_FINITE", "0.weight");
    expect(net.parameters().map((p) => Array.from(p.data))).toEqual(before);
  });
});

describe("evaluateAccuracy", () => {
  class ModeProbe extends Module {
    readonly seen: boolean[] = [];
    fail = false;
    forward(x: Tensor): Tensor {
      this.seen.push(this.training);
      if (this.fail) throw new Error("probe failure");
      return x;
    }
  }

  function probed(): [Sequential, ModeProbe] {
    const probe = new ModeProbe();
    return [new Sequential(probe, new Flatten(), new Linear(784, 10, { generator: new Generator(4) })), probe];
  }

  it("runs in eval mode and restores the training mode afterwards", () => {
    const data = subset(mnist.test, 0, 300);
    const [net, probe] = probed();
    net.train();
    const accuracy = evaluateAccuracy(net, data, 128);
    expect(probe.seen).toEqual([false, false, false]); // 3 batches: 128, 128, 44
    expect(net.training).toBe(true);
    expect(probe.training).toBe(true);
    expect(accuracy).toBe(accuracyByHand(net, data));

    net.eval();
    evaluateAccuracy(net, data);
    expect(net.training).toBe(false);
    expect(probe.training).toBe(false);
  });

  it("restores the training mode even when the forward throws", () => {
    const [net, probe] = probed();
    net.train();
    probe.fail = true;
    expect(() => evaluateAccuracy(net, subset(mnist.test, 0, 10))).toThrow("probe failure");
    expect(net.training).toBe(true);
    expect(probe.training).toBe(true);
  });

  it("does not depend on the batch size, records no gradients, and is 0 on no data", () => {
    const net = lenet({ generator: new Generator(5) });
    const data = subset(mnist.test, 0, 200);
    const a = evaluateAccuracy(net, data, 7);
    expect(evaluateAccuracy(net, data, 200)).toBe(a);
    expect(a).toBe(accuracyByHand(net, data));
    for (const p of net.parameters()) expect(p.grad).toBeNull();
    expect(evaluateAccuracy(net, subset(mnist.test, 0, 0))).toBe(0);
  });

  it("countCorrect compares the row argmax with the labels", () => {
    const logits = tensor([
      [0.1, 0.9, 0],
      [2, 1, 0],
      [0, 0, 5],
    ]);
    expect(countCorrect(logits, Int32Array.of(1, 0, 2))).toBe(3);
    expect(countCorrect(logits, Int32Array.of(0, 0, 0))).toBe(1);
  });
});
