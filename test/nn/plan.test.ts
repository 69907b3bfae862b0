// Plan: the same kernels as the eager ops, laid out once. Checked against the
// eager path bit for bit, on both backends (the suite runs per backend).

import { describe, expect, it } from "vitest";
import { Plan } from "../../src/nn/plan.js";
import { Sequential, Linear, ReLU, Tanh, Conv2d, MaxPool2d, Flatten } from "../../src/nn/layers.js";
import { SGD, Adam } from "../../src/nn/optim.js";
import { Module } from "../../src/nn/module.js";
import { StepLayer, type LayerStep } from "../../src/nn/step.js";
import { DataLoader } from "../../src/nn/dataloader.js";
import { lenet, lenetModern } from "../../src/lenet/models.js";
import { trainStep, evaluate } from "../../src/lenet/train.js";
import { loadDataset } from "../../src/data/files.js";
import { subset } from "../../src/data/dataset.js";
import { Tensor, noGrad } from "../../src/tensor/tensor.js";
import { Generator } from "../../src/tensor/random.js";
import { TorchletError } from "../../src/errors.js";
import { crossEntropy } from "../../src/ops/cross-entropy.js";
import { expectError } from "../helpers/errors.js";

const { train, test } = loadDataset("mnist");

function twins(make: (g: Generator) => Sequential): [Sequential, Sequential] {
  return [make(new Generator(7)), make(new Generator(7))];
}

function expectSameParameters(a: Module, b: Module): void {
  const pb = b.parameters();
  a.parameters().forEach((p, i) => expect(Array.from(p.data)).toEqual(Array.from(pb[i]!.data)));
}

describe("Plan", () => {
  for (const [name, make, optimizer] of [
    ["lenet + SGD", (g: Generator) => lenet({ generator: g }), (ps: Tensor[]) => new SGD(ps, { lr: 0.9 })],
    ["lenetModern + Adam", (g: Generator) => lenetModern({ generator: g }), (ps: Tensor[]) => new Adam(ps, { lr: 3e-3 })],
  ] as const) {
    it(`${name}: loss, accuracy and weights match eager training bit for bit, including a partial last batch`, () => {
      const [eagerNet, planNet] = twins(make);
      const eagerOpt = optimizer(eagerNet.parameters()), planOpt = optimizer(planNet.parameters());
      const data = subset(train, 0, 200); // batches of 64, 64, 64, 8
      const plan = new Plan(planNet, { batchSize: 64, sampleShape: [784] });
      const planLoader = new DataLoader(data, { batchSize: 64, shuffle: true, generator: new Generator(3) });
      const eagerLoader = new DataLoader(data, { batchSize: 64, shuffle: true, generator: new Generator(3) });
      const eagerResults = [...eagerLoader].map(([x, y]) => trainStep(eagerNet, eagerOpt, x, y));
      const planResults = [];
      for (const n of planLoader.batchesInto(plan.input, plan.labels)) planResults.push(plan.trainStep(planOpt, n));
      expect(planResults).toEqual(eagerResults);
      expect(planResults).toHaveLength(4);
      expectSameParameters(planNet, eagerNet);
    });
  }

  it("evaluate and predict agree with the eager forward pass", () => {
    const net = lenet({ generator: new Generator(1) });
    const plan = new Plan(net, { batchSize: 100, sampleShape: [784] });
    const batch = subset(test, 0, 100);
    plan.input.set(batch.images);
    plan.labels.set(batch.labels);
    const eager = evaluate(net, batch, 100);
    const result = plan.evaluate();
    expect(result.correct).toBe(eager.correct);
    expect(result.loss).toBeCloseTo(eager.loss, 6);
    const logits = noGrad(() => net.forward(new Tensor(batch.images.slice(), [100, 784])));
    expect(Array.from(plan.predict())).toEqual(Array.from(logits.data));
  });

  it("refuses an update that would make the weights non-finite, leaving them as they were", () => {
    const net = lenetModern({ generator: new Generator(2) });
    const opt = new SGD(net.parameters(), { lr: 1e6 });
    const plan = new Plan(net, { batchSize: 32, sampleShape: [784] });
    plan.input.set(train.images.subarray(0, 32 * 784));
    plan.labels.set(train.labels.subarray(0, 32));
    let error: unknown;
    let before: Float32Array[] = [];
    for (let step = 0; step < 20 && error === undefined; step++) {
      before = net.parameters().map((p) => Float32Array.from(p.data));
      try {
        plan.trainStep(opt);
      } catch (e) {
        error = e;
      }
    }
    expect(error).toBeInstanceOf(TorchletError);
    expect((error as TorchletError).code).toBe("NON_FINITE");
    net.parameters().forEach((p, i) => expect(Array.from(p.data)).toEqual(Array.from(before[i]!)));
  });

  it("refuses an update whose gradient overflows while the loss stays finite, naming the parameter", () => {
    // h = 0 (zero first layer) keeps the logits (0) and the loss (ln 3) finite; ∂L/∂h = dy·W₂ with W₂'s rows ±3e38 sums
    // 1e38 + 2e38 + 1e38 (dy = (1/3, −2/3, 1/3) for label 1): past float32's largest, so 0.weight's gradient is ∞
    const net = new Sequential(new Linear(4, 3, { generator: new Generator(1) }), new Linear(3, 3, { generator: new Generator(2) }));
    const [w1, b1, w2, b2] = net.parameters();
    for (const p of [w1!, b1!, b2!]) p.data.fill(0);
    w2!.data.set([3e38, 3e38, 3e38, -3e38, -3e38, -3e38, 3e38, 3e38, 3e38]);
    const plan = new Plan(net, { batchSize: 1, sampleShape: [4] });
    plan.input.fill(1);
    plan.labels.set([1]);
    const before = net.parameters().map((p) => Float32Array.from(p.data));
    expectError(() => plan.trainStep(new SGD(net.parameters(), { lr: 0.1 })), "NON_FINITE", "the gradient of 0.weight became non-finite");
    net.parameters().forEach((p, i) => expect(Array.from(p.data)).toEqual(Array.from(before[i]!)));
    expect(plan.forwardBackward().loss).toBeCloseTo(Math.log(3), 6); // the loss itself was finite
  });

  it("supports ReLU/Tanh/MaxPool2d/Flatten stacks and Linear without bias", () => {
    const make = (g: Generator) =>
      new Sequential(new Conv2d(1, 3, 3, { generator: g }), new Tanh(), new MaxPool2d(2), new Flatten(), new Linear(3 * 13 * 13, 10, { bias: false, generator: g }), new ReLU(), new Linear(10, 10, { generator: g }));
    const [eagerNet, planNet] = twins(make);
    const eagerOpt = new SGD(eagerNet.parameters(), { lr: 0.1, momentum: 0.9 }), planOpt = new SGD(planNet.parameters(), { lr: 0.1, momentum: 0.9 });
    const plan = new Plan(planNet, { batchSize: 16, sampleShape: [1, 28, 28] });
    for (let s = 0; s < 3; s++) {
      const x = train.images.slice(s * 16 * 784, (s + 1) * 16 * 784), y = train.labels.slice(s * 16, (s + 1) * 16);
      const eager = trainStep(eagerNet, eagerOpt, new Tensor(x, [16, 1, 28, 28]), y);
      plan.input.set(x);
      plan.labels.set(y);
      expect(plan.trainStep(planOpt)).toEqual(eager);
    }
    expectSameParameters(planNet, eagerNet);
  });

  it("allocates no typed arrays or ArrayBuffers per step once warm", () => {
    const net = lenet({ generator: new Generator(5) });
    const opt = new SGD(net.parameters(), { lr: 0.9 });
    const plan = new Plan(net, { batchSize: 64, sampleShape: [784] });
    const loader = new DataLoader(subset(train, 0, 64 * 4), { batchSize: 64 });
    const epoch = () => {
      for (const n of loader.batchesInto(plan.input, plan.labels)) plan.trainStep(opt, n);
    };
    epoch(); // warm: binds the plan, creates gradient buffers
    const counts = countConstructions(epoch);
    // The epoch's shuffle order (one Int32Array of the dataset's size) is the only allocation, once per epoch.
    expect(counts).toEqual({ Float32Array: 0, Int32Array: 1, ArrayBuffer: 0 });
  });

  it("a layer of your own is planned once it describes its step: eager and plan agree bit for bit", () => {
    // y = x², elementwise, written once as a step (plain loops, no backend kernel).
    class Square extends StepLayer {
      constructor() {
        super("Square", "square");
      }
      step(inputShape: readonly number[]): LayerStep {
        return {
          outputShape: inputShape,
          forward: ({ x, y }) => x.forEach((v, i) => (y[i] = v * v)),
          backward: ({ x, dx, dy }) => dx?.forEach((_, i) => (dx[i] += 2 * x[i]! * dy[i]!)), // d(x²)/dx = 2x
        };
      }
    }
    const make = (g: Generator) => new Sequential(new Linear(784, 16, { generator: g }), new Square(), new Linear(16, 10, { generator: g }));
    const [eagerNet, planNet] = twins(make);
    const eagerOpt = new SGD(eagerNet.parameters(), { lr: 0.01 }), planOpt = new SGD(planNet.parameters(), { lr: 0.01 });
    const plan = new Plan(planNet, { batchSize: 8, sampleShape: [784] });
    for (let s = 0; s < 2; s++) {
      const x = train.images.slice(s * 8 * 784, (s + 1) * 8 * 784), y = train.labels.slice(s * 8, (s + 1) * 8);
      const eager = trainStep(eagerNet, eagerOpt, new Tensor(x, [8, 784]), y);
      plan.input.set(x);
      plan.labels.set(y);
      expect(plan.trainStep(planOpt)).toEqual(eager);
    }
    expectSameParameters(planNet, eagerNet);
    // the eager layer's backward is the step's: d(x²)/dx at x = 3 is 6
    const x = new Tensor(Float32Array.of(3, -1), [2], { requiresGrad: true });
    new Square().forward(x).backward(new Tensor(Float32Array.of(1, 1), [2]));
    expect(Array.from(x.grad!.data)).toEqual([6, -2]);
  });

  it("rejects what it cannot run, with clear errors", () => {
    class Custom extends Module {
      forward(x: Tensor): Tensor {
        return x;
      }
    }
    expect(() => new Plan(new Sequential(new Linear(4, 2), new Custom()), { batchSize: 2, sampleShape: [4] })).toThrow(/Custom has no planned form/);
    expect(() => new Plan(new Sequential(new Conv2d(1, 2, 3)), { batchSize: 2, sampleShape: [1, 5, 5] })).toThrow(/must end in \(batch, classes\) logits.*\[2,2,3,3\]/);
    const plan = new Plan(new Sequential(new Linear(4, 2)), { batchSize: 2, sampleShape: [4] });
    expect(() => plan.evaluate(3)).toThrow(/batch of 3 is larger than the plan's 2/);
    expect(() => new Plan(new Sequential(new Linear(4, 2)), { batchSize: 0, sampleShape: [4] })).toThrow(TorchletError);
  });
});

describe("Plan: .grad, dispose, optimizers, NaN", () => {
  const batch = (i: number, n: number) => [train.images.slice(i * n * 784, (i + 1) * n * 784), train.labels.slice(i * n, (i + 1) * n)] as const;
  const grads = (net: Module) => net.parameters().map((p) => Array.from(p.grad!.data));

  it(".grad: forwardBackward adds into it like loss.backward(); trainStep zeroes it first, like the eager trainStep", () => {
    const [eagerNet, planNet] = twins((g) => lenet({ generator: g }));
    const [x1, y1] = batch(0, 16), [x2, y2] = batch(1, 16);
    // The eager gradient of each batch on its own: zeroGrad, forward, loss, backward.
    const eagerGrads = (x: Float32Array, y: Int32Array) => {
      eagerNet.zeroGrad();
      crossEntropy(eagerNet.forward(new Tensor(x.slice(), [16, 784])), y).backward();
      return grads(eagerNet);
    };
    const g1 = eagerGrads(x1, y1), g2 = eagerGrads(x2, y2);
    const plan = new Plan(planNet, { batchSize: 16, sampleShape: [784] });
    plan.input.set(x1);
    plan.labels.set(y1);
    plan.forwardBackward();
    expect(grads(planNet)).toEqual(g1); // .grad was null: created at zero, then += g1
    plan.input.set(x2);
    plan.labels.set(y2);
    plan.forwardBackward();
    expect(grads(planNet)).toEqual(g1.map((g, i) => g.map((v, j) => Math.fround(v + g2[i]![j]!)))); // float32 g1 + g2, as PyTorch accumulates
    // trainStep zeroes the sum first: the same update and the same .grad as the eager trainStep.
    const eagerOpt = new SGD(eagerNet.parameters(), { lr: 0.5 }), planOpt = new SGD(planNet.parameters(), { lr: 0.5 });
    const eager = trainStep(eagerNet, eagerOpt, new Tensor(x1.slice(), [16, 784]), y1);
    plan.input.set(x1);
    plan.labels.set(y1);
    expect(plan.trainStep(planOpt)).toEqual(eager);
    expect(grads(planNet)).toEqual(grads(eagerNet));
    expectSameParameters(planNet, eagerNet);
  });

  it("refuses every use after dispose(), and a second dispose() frees nothing another plan holds", () => {
    const net = lenet({ generator: new Generator(4) });
    const opt = new SGD(net.parameters(), { lr: 0.1 });
    const make = () => new Plan(net, { batchSize: 8, sampleShape: [784] });
    const a = make();
    a.dispose();
    const uses: [string, () => unknown][] = [
      ["trainStep", () => a.trainStep(opt)], ["forwardBackward", () => a.forwardBackward()], ["evaluate", () => a.evaluate()],
      ["evaluateDataset", () => a.evaluateDataset(subset(test, 0, 8))], ["predict", () => a.predict()], ["input", () => a.input], ["labels", () => a.labels],
    ];
    for (const [name, use] of uses) expectError(use, "INVALID_STATE", `Plan: ${name} after dispose()`);
    const b = make(); // may take the memory a gave back
    const [x, y] = [test.images.slice(0, 8 * 784), test.labels.slice(0, 8)];
    b.input.set(x);
    b.labels.set(y);
    const before = b.evaluate();
    a.dispose(); // must not give back b's buffers
    const c = make(); // would be laid over b's buffers had a's second dispose freed them
    c.input.fill(1);
    c.labels.fill(9);
    c.evaluate(); // writes every activation of c
    expect(Array.from(b.input)).toEqual(Array.from(x));
    expect(Array.from(b.labels)).toEqual(Array.from(y));
    expect(b.evaluate()).toEqual(before);
    b.dispose();
    c.dispose();
  });

  it("trainStep refuses an optimizer that does not hold exactly this net's parameters, changing nothing", () => {
    const net = lenet({ generator: new Generator(6) }), other = lenet({ generator: new Generator(6) });
    const plan = new Plan(net, { batchSize: 4, sampleShape: [784] });
    const [x, y] = batch(0, 4);
    plan.input.set(x);
    plan.labels.set(y);
    const before = net.parameters().map((p) => Array.from(p.data));
    const exactly = "Plan: the optimizer must hold exactly this net's parameters";
    expectError(() => plan.trainStep(new SGD(other.parameters(), { lr: 0.1 })), "INVALID_ARGUMENT", exactly, "parameter 0");
    expectError(() => plan.trainStep(new SGD(net.parameters().slice(1), { lr: 0.1 })), "INVALID_ARGUMENT", exactly, `does not hold "${net.namedParameters()[0]![0]}"`);
    expectError(() => plan.trainStep(new SGD([...net.parameters(), other.parameters()[3]!], { lr: 0.1 })), "INVALID_ARGUMENT", exactly, "parameter 10");
    expect(net.parameters().map((p) => Array.from(p.data))).toEqual(before);
    expect(net.parameters().every((p) => p.grad === null)).toBe(true);
    // The same tensors in another order are this net's parameters.
    expect(plan.trainStep(new SGD([...net.parameters()].reverse(), { lr: 0.1 })).loss).toBeGreaterThan(0);
    expect(net.parameters().map((p) => Array.from(p.data))).not.toEqual(before);
  });

  it("a NaN input is a NON_FINITE error naming the example, not a NaN loss beside a correct count", () => {
    const net = lenet({ generator: new Generator(8) });
    const plan = new Plan(net, { batchSize: 4, sampleShape: [784] });
    plan.labels.set([0, 0, 0, 1]);
    plan.input.fill(Number.NaN); // every row of logits NaN: argmax's first index, 0, was counted correct 3 times
    expectError(() => plan.evaluate(), "NON_FINITE", "Plan: evaluate found a loss of NaN: the logits of example 0 are not finite");
    plan.input.set(test.images.subarray(0, 4 * 784));
    const finite = plan.evaluate();
    expect(Number.isFinite(finite.loss)).toBe(true);
    plan.input[2 * 784 + 300] = Number.NaN; // one pixel of example 2
    expectError(() => plan.evaluate(), "NON_FINITE", "the logits of example 2 are not finite");
    expectError(() => plan.forwardBackward(), "NON_FINITE", "Plan: forwardBackward found a loss of NaN: the logits of example 2");
    expect(net.parameters().every((p) => p.grad === null)).toBe(true); // refused before any gradient was added
    const images = test.images.slice(0, 8 * 784);
    images[5 * 784 + 400] = Number.NaN; // example 5: the second batch's second row
    expectError(() => plan.evaluateDataset({ images, labels: test.labels.slice(0, 8), count: 8 }), "NON_FINITE", "Plan: evaluateDataset found a loss of", "the logits of example 5 are not finite");
  });
});

/** Counts `new Float32Array`, `new Int32Array` and `new ArrayBuffer` calls made while fn runs. */
function countConstructions(fn: () => void): Record<string, number> {
  const counts: Record<string, number> = { Float32Array: 0, Int32Array: 0, ArrayBuffer: 0 };
  const originals = { Float32Array: globalThis.Float32Array, Int32Array: globalThis.Int32Array, ArrayBuffer: globalThis.ArrayBuffer };
  for (const name of Object.keys(originals) as (keyof typeof originals)[]) {
    (globalThis as Record<string, unknown>)[name] = new Proxy(originals[name], {
      construct(target, args, newTarget) {
        counts[name]!++;
        return Reflect.construct(target, args, newTarget === globalThis[name] ? target : newTarget);
      },
    });
  }
  try {
    fn();
  } finally {
    Object.assign(globalThis, originals);
  }
  return counts;
}
