// A Plan folds a Sigmoid's or Tanh's backward into the AvgPool2d after it
// (avgPool2dActivationBackward) when the pool's windows do not overlap. The
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
import type { AvgPool2dOptions, MaxPool2dOptions, Size2 } from "../../src/ops/window.js";

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

const net = (activation: () => Sigmoid | Tanh | ReLU, kernel: Size2, options: AvgPool2dOptions, features: number) => () => {
  const g = new Generator(5);
  return new Sequential(new Conv2d(2, 3, 3, { padding: 1, generator: g }), activation(), new AvgPool2d(kernel, options), new Flatten(), new Linear(features, 10, { generator: g }));
};

describe("Plan: an activation's backward folded into the average pool after it", () => {
  it("d2l's LeNet: both sigmoid + pool pairs run as one call each, with eager's gradients bit for bit", () => {
    const { backend, calls, zeroed } = counting();
    expectPlanGradientsEager(() => lenet({ generator: new Generator(3) }), [1, 28, 28], 20, backend);
    expect(calls).toEqual({ avgPool2dBackward: 0, avgPool2dActivationBackward: 4, maxPool2dBackward: 0, maxPool2dReluBackward: 0 }); // two runs
    // the fused calls set the convolutions' output gradients: neither C1's (20·6·28·28) nor C3's (20·16·10·10) is cleared, nor the sigmoids' between
    expect(zeroed.filter((n) => n === 20 * 6 * 28 * 28 || n === 20 * 16 * 10 * 10)).toEqual([]);
    expect(zeroed).toContain(20 * 6 * 14 * 14); // S2's output gradient, which C3's backward adds into, still is
  });

  // input (2, 9, 7); features = 3 channels · P · Q of each pool
  const cases = [
    { name: "tanh, 2×2 window (the last row and column in no window)", activation: () => new Tanh(), kernel: 2, options: {}, features: 3 * 4 * 3, fused: true },
    { name: "sigmoid, 3×2 window, stride 4×3, padding 1, ceil mode, padding not counted", activation: () => new Sigmoid(), kernel: [3, 2] as Size2, options: { stride: [4, 3] as Size2, padding: 1, ceilMode: true, countIncludePad: false }, features: 3 * 3 * 3, fused: true },
    { name: "sigmoid, divisorOverride 5", activation: () => new Sigmoid(), kernel: 2, options: { divisorOverride: 5 }, features: 3 * 4 * 3, fused: true },
    { name: "sigmoid, overlapping 3×3 windows at stride 2: not fused", activation: () => new Sigmoid(), kernel: 3, options: { stride: 2 }, features: 3 * 4 * 3, fused: false },
    { name: "ReLU before the pool: not fused", activation: () => new ReLU(), kernel: 2, options: {}, features: 3 * 4 * 3, fused: false },
  ];
  it.each(cases)("$name: eager's gradients bit for bit", ({ activation, kernel, options, features, fused }) => {
    const { backend, calls } = counting();
    expectPlanGradientsEager(net(activation, kernel, options, features), [2, 9, 7], 3, backend);
    expect(calls).toEqual({ avgPool2dBackward: fused ? 0 : 2, avgPool2dActivationBackward: fused ? 2 : 0, maxPool2dBackward: 0, maxPool2dReluBackward: 0 }); // two runs
  });
});

const maxNet = (activation: () => Sigmoid | ReLU, kernel: Size2, options: MaxPool2dOptions, features: number) => () => {
  const g = new Generator(6);
  return new Sequential(new Conv2d(2, 3, 3, { padding: 1, generator: g }), activation(), new MaxPool2d(kernel, options), new Flatten(), new Linear(features, 10, { generator: g }));
};

describe("Plan: a ReLU's backward folded into the max pool after it", () => {
  it("lenet-modern: both relu + max pool pairs run as one call each, with eager's gradients bit for bit", () => {
    const { backend, calls, zeroed } = counting();
    expectPlanGradientsEager(() => lenetModern({ generator: new Generator(3) }), [1, 28, 28], 20, backend);
    expect(calls).toEqual({ avgPool2dBackward: 0, avgPool2dActivationBackward: 0, maxPool2dBackward: 0, maxPool2dReluBackward: 4 }); // two runs
    expect(zeroed.filter((n) => n === 20 * 6 * 28 * 28 || n === 20 * 16 * 10 * 10)).toEqual([]); // the convolutions' output gradients are set, not cleared
  });

  // input (2, 9, 7); features = 3 channels · P · Q of each pool
  const cases = [
    { name: "2×2 window (the last row and column in no window)", activation: () => new ReLU(), kernel: 2, options: {}, features: 3 * 4 * 3, fused: true },
    { name: "2×2 window two apart (dilation 2) at stride 3, padding 1, ceil mode", activation: () => new ReLU(), kernel: 2, options: { stride: 3, dilation: 2, padding: 1, ceilMode: true }, features: 3 * 4 * 3, fused: true },
    { name: "overlapping 3×3 windows at stride 2: not fused", activation: () => new ReLU(), kernel: 3, options: { stride: 2 }, features: 3 * 4 * 3, fused: false },
    { name: "sigmoid before the max pool: not fused", activation: () => new Sigmoid(), kernel: 2, options: {}, features: 3 * 4 * 3, fused: false },
  ];
  it.each(cases)("$name: eager's gradients bit for bit", ({ activation, kernel, options, features, fused }) => {
    const { backend, calls } = counting();
    expectPlanGradientsEager(maxNet(activation, kernel, options, features), [2, 9, 7], 3, backend);
    expect(calls).toEqual({ avgPool2dBackward: 0, avgPool2dActivationBackward: 0, maxPool2dBackward: fused ? 0 : 2, maxPool2dReluBackward: fused ? 2 : 0 }); // two runs
  });
});
