// A Plan folds a Sigmoid's or Tanh's backward into the AvgPool2d after it
// (avgPool2dActivationBackward), and a ReLU's into the MaxPool2d after it
// (maxPool2dReluBackward), when the pool's windows do not overlap. The
// gradients must stay bit for bit the eager ones, fused or not; a backend that
// counts kernel calls shows which pairs were fused.

import { describe, expect, it } from "vitest";
import { getBackend, type Backend } from "../../src/backend/index.js";
import { Plan } from "../../src/nn/plan.js";
import { AvgPool2d, MaxPool2d } from "../../src/nn/pooling.js";
import { Sequential, Conv2d, Sigmoid, Tanh, ReLU, Flatten, Linear } from "../../src/nn/layers.js";
import { lenet, lenetModern } from "../../src/lenet/models.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { Generator } from "../../src/tensor/random.js";
import { crossEntropy } from "../../src/ops/cross-entropy.js";

const POOL_BACKWARDS = ["avgPool2dBackward", "avgPool2dActivationBackward", "maxPool2dBackward", "maxPool2dReluBackward"] as const;

/** The active backend, counting the calls of the pooling backwards and noting the length of each array it zeroes. */
function counting(): { backend: Backend; calls: Record<string, number>; zeroed: number[] } {
  const base = getBackend(), calls: Record<string, number> = Object.fromEntries(POOL_BACKWARDS.map((name) => [name, 0])), zeroed: number[] = [];
  const backend = Object.create(base) as Backend;
  backend.zero = (a) => {
    zeroed.push(a.length);
    base.zero(a);
  };
  for (const name of POOL_BACKWARDS) {
    const kernel = base[name] as (...args: unknown[]) => void;
    (backend as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
      calls[name]!++;
      kernel.apply(base, args);
    };
  }
  return { backend, calls, zeroed };
}

/**
 * Eager loss.backward() and the plan's forwardBackward on the same batch: every parameter's .grad, bit for bit, on
 * the plan's first run and again on its second (.grad zeroed between): a gradient buffer the fused call sets
 * rather than the plan clearing it must carry nothing over from the run before.
 */
function expectPlanGradientsEager(make: () => Sequential, sampleShape: number[], batch: number, backend: Backend): void {
  const eagerNet = make(), planNet = make();
  const g = new Generator(11), x = Float32Array.from({ length: batch * sampleShape.reduce((a, b) => a * b) }, () => g.normal());
  const labels = Int32Array.from({ length: batch }, (_, i) => (i * 7) % 10);
  crossEntropy(eagerNet.forward(new Tensor(x, [batch, ...sampleShape])), labels).backward();
  const plan = new Plan(planNet, { batchSize: batch, sampleShape, backend });
  plan.input.set(x);
  plan.labels.set(labels);
  const eager = eagerNet.parameters();
  for (const run of ["first", "second"]) {
    planNet.parameters().forEach((p) => p.grad?.data.fill(0));
    plan.forwardBackward();
    planNet.parameters().forEach((p, i) => expect(Array.from(p.grad!.data), `${run} run, parameter ${i}`).toEqual(Array.from(eager[i]!.grad!.data)));
  }
  plan.dispose();
}

/** conv → activation → pool → flatten → linear on input (2, 9, 7); features = 3 channels · P · Q of the pool. */
const net = (activation: () => Sigmoid | Tanh | ReLU, pool: () => AvgPool2d | MaxPool2d, features: number) => () => {
  const g = new Generator(5);
  return new Sequential(new Conv2d(2, 3, 3, { padding: 1, generator: g }), activation(), pool(), new Flatten(), new Linear(features, 10, { generator: g }));
};

const NONE = Object.fromEntries(POOL_BACKWARDS.map((name) => [name, 0])) as Record<(typeof POOL_BACKWARDS)[number], number>;
/** The calls of two runs of a net whose pool's backward is `name`. */
const twice = (name: (typeof POOL_BACKWARDS)[number]) => ({ ...NONE, [name]: 2 });
/** The convolutions' output gradients at a batch of 20: C1's and C3's. */
const CONV_OUTPUT_GRADIENTS = [20 * 6 * 28 * 28, 20 * 16 * 10 * 10];

describe("Plan: an activation's backward folded into the pool after it", () => {
  it("d2l's LeNet: both sigmoid + average pool pairs run as one call each, with eager's gradients bit for bit", () => {
    const { backend, calls, zeroed } = counting();
    expectPlanGradientsEager(() => lenet({ generator: new Generator(3) }), [1, 28, 28], 20, backend);
    expect(calls).toEqual({ ...NONE, avgPool2dActivationBackward: 4 }); // two runs
    // the fused calls set the convolutions' output gradients: neither is cleared, nor the sigmoids' between
    expect(zeroed.filter((n) => CONV_OUTPUT_GRADIENTS.includes(n))).toEqual([]);
    expect(zeroed).toContain(20 * 6 * 14 * 14); // S2's output gradient, which C3's backward adds into, still is
  });

  it("lenet-modern: both relu + max pool pairs run as one call each, with eager's gradients bit for bit", () => {
    const { backend, calls, zeroed } = counting();
    expectPlanGradientsEager(() => lenetModern({ generator: new Generator(3) }), [1, 28, 28], 20, backend);
    expect(calls).toEqual({ ...NONE, maxPool2dReluBackward: 4 }); // two runs
    expect(zeroed.filter((n) => CONV_OUTPUT_GRADIENTS.includes(n))).toEqual([]);
  });

  const cases = [
    { name: "tanh, 2×2 average (the last row and column in no window)", activation: () => new Tanh(), pool: () => new AvgPool2d(2), features: 3 * 4 * 3, calls: twice("avgPool2dActivationBackward") },
    { name: "sigmoid, 3×2 average, stride 4×3, padding 1, ceil mode, padding not counted", activation: () => new Sigmoid(), pool: () => new AvgPool2d([3, 2], { stride: [4, 3], padding: 1, ceilMode: true, countIncludePad: false }), features: 3 * 3 * 3, calls: twice("avgPool2dActivationBackward") },
    { name: "sigmoid, 2×2 average, divisorOverride 5", activation: () => new Sigmoid(), pool: () => new AvgPool2d(2, { divisorOverride: 5 }), features: 3 * 4 * 3, calls: twice("avgPool2dActivationBackward") },
    { name: "sigmoid, overlapping 3×3 average windows at stride 2: not fused", activation: () => new Sigmoid(), pool: () => new AvgPool2d(3, { stride: 2 }), features: 3 * 4 * 3, calls: twice("avgPool2dBackward") },
    { name: "ReLU before an average pool: not fused", activation: () => new ReLU(), pool: () => new AvgPool2d(2), features: 3 * 4 * 3, calls: twice("avgPool2dBackward") },
    { name: "ReLU, 2×2 max (the last row and column in no window)", activation: () => new ReLU(), pool: () => new MaxPool2d(2), features: 3 * 4 * 3, calls: twice("maxPool2dReluBackward") },
    { name: "ReLU, 2×2 max two apart (dilation 2) at stride 3, padding 1, ceil mode", activation: () => new ReLU(), pool: () => new MaxPool2d(2, { stride: 3, dilation: 2, padding: 1, ceilMode: true }), features: 3 * 4 * 3, calls: twice("maxPool2dReluBackward") },
    { name: "ReLU, overlapping 3×3 max windows at stride 2: not fused", activation: () => new ReLU(), pool: () => new MaxPool2d(3, { stride: 2 }), features: 3 * 4 * 3, calls: twice("maxPool2dBackward") },
    { name: "sigmoid before a max pool: not fused", activation: () => new Sigmoid(), pool: () => new MaxPool2d(2), features: 3 * 4 * 3, calls: twice("maxPool2dBackward") },
  ];
  it.each(cases)("$name: eager's gradients bit for bit", ({ activation, pool, features, calls: expected }) => {
    const { backend, calls } = counting();
    expectPlanGradientsEager(net(activation, pool, features), [2, 9, 7], 3, backend);
    expect(calls).toEqual(expected);
  });
});
