// Plan's chunked forward (chunkedSteps in src/nn/plan-layout.ts): the leading per-example layers run a
// few examples at a time so their activations stay in cache. Checked: the chunks really happen (the
// convolutions and max pools see batches of at most the chunk size), the logits and, through max
// pooling's saved argmax, the gradients are bit for bit the eager ones on a batch that does not divide
// into chunks, and a layer that claims perExample falsely (output or saved buffer) is refused.

import { describe, expect, it } from "vitest";
import { Plan } from "../../src/nn/plan.js";
import { CHUNK_EXAMPLES_PER_THREAD } from "../../src/nn/plan-layout.js";
import { Sequential, Linear, Flatten } from "../../src/nn/layers.js";
import { StepLayer, type LayerStep } from "../../src/nn/step.js";
import { lenet, lenetModern } from "../../src/lenet/models.js";
import { crossEntropy } from "../../src/ops/cross-entropy.js";
import type { WindowDims } from "../../src/ops/window.js";
import { getBackend, type Backend } from "../../src/backend/index.js";
import type { Conv2dDims } from "../../src/ops/conv2d.js";
import { loadDataset } from "../../src/data/files.js";
import { Tensor, noGrad } from "../../src/tensor/tensor.js";
import { Generator } from "../../src/tensor/random.js";
import { expectError } from "../helpers/errors.js";

const { test } = loadDataset("mnist");

// A layer whose step is `step`: the layers below that claim perExample falsely.
function layerOf(name: string, step: (inputShape: readonly number[]) => LayerStep): StepLayer {
  return new (class extends StepLayer {
    constructor() {
      super(name, name.toLowerCase());
    }
    step(inputShape: readonly number[]): LayerStep {
      return step(inputShape);
    }
  })();
}

describe("Plan: the chunked forward", () => {
  it("runs LeNet's convolutions, sigmoids and pools a chunk at a time, bit for bit the eager logits", () => {
    const backend = getBackend(), size = CHUNK_EXAMPLES_PER_THREAD * backend.threads;
    const n = 3 * size + 5; // three whole chunks and a ragged one
    const batches: number[] = [];
    const counting: Backend = Object.create(backend);
    (counting as { conv2dForward: Backend["conv2dForward"] }).conv2dForward = (y, x, w, b, d: Conv2dDims, cols) => {
      batches.push(d.N);
      backend.conv2dForward(y, x, w, b, d, cols);
    };
    const net = lenet({ generator: new Generator(5) });
    const plan = new Plan(net, { batchSize: n, sampleShape: [784], backend: counting });
    const images = test.images.slice(0, n * 784);
    plan.input.set(images);
    const logits = Array.from(plan.predict());
    expect(batches).toEqual([size, size, size, size, size, size, 5, 5]); // conv1 and conv2 per chunk
    const eager = noGrad(() => net.forward(new Tensor(images, [n, 784])));
    expect(logits).toEqual(Array.from(eager.data));
  });

  it("runs lenet-modern's max pools in the chunks too: argmax saved chunk by chunk, gradients bit for bit the eager ones", () => {
    const backend = getBackend(), size = CHUNK_EXAMPLES_PER_THREAD * backend.threads;
    const n = 2 * size + 3;
    const pooled: number[] = [];
    const counting: Backend = Object.create(backend);
    (counting as { maxPool2dForward: Backend["maxPool2dForward"] }).maxPool2dForward = (y, argmax, x, d: WindowDims) => {
      pooled.push(d.N);
      backend.maxPool2dForward(y, argmax, x, d);
    };
    const [planNet, eagerNet] = [lenetModern({ generator: new Generator(6) }), lenetModern({ generator: new Generator(6) })];
    const plan = new Plan(planNet, { batchSize: n, sampleShape: [784], backend: counting });
    const images = test.images.slice(0, n * 784), labels = test.labels.slice(0, n);
    plan.input.set(images);
    plan.labels.set(labels);
    const result = plan.forwardBackward();
    expect(pooled).toEqual([size, size, size, size, 3, 3]); // pool1 and pool2 per chunk
    const loss = crossEntropy(eagerNet.forward(new Tensor(images, [n, 784])), labels);
    loss.backward();
    expect(result.loss).toBe(loss.data[0]);
    planNet.parameters().forEach((p, i) => expect(Array.from(p.grad!.data)).toEqual(Array.from(eagerNet.parameters()[i]!.grad!.data)));
  });

  it("refuses a layer that says perExample but saves a buffer that does not scale with the batch", () => {
    const size = CHUNK_EXAMPLES_PER_THREAD * getBackend().threads;
    const hoarder = layerOf("Hoarder", (inputShape) => ({ outputShape: inputShape, saved: 7, perExample: true, forward: () => {}, backward: () => {} }));
    const plan = new Plan(new Sequential(hoarder, new Linear(4, 2)), { batchSize: 2 * size, sampleShape: [4] });
    expectError(() => plan.predict(), "SHAPE_MISMATCH", "says it computes each example on its own (perExample)", `its saved buffer at a batch of ${size} is not ${size}/${2 * size}`);
  });

  it("refuses a layer that says perExample but does not scale with the batch", () => {
    // (n, 1, 4) at the plan's batch, but (c, 2, 4) at a chunk's batch c: not each example on its own.
    const size = CHUNK_EXAMPLES_PER_THREAD * getBackend().threads;
    const liar = layerOf("Liar", ([n]) => ({ outputShape: [n!, n === 2 * size ? 1 : 2, 4], perExample: true, forward: () => {}, backward: () => {} }));
    const plan = new Plan(new Sequential(liar, new Linear(4, 2), new Flatten()), { batchSize: 2 * size, sampleShape: [4] });
    expectError(() => plan.predict(), "SHAPE_MISMATCH", "says it computes each example on its own (perExample)", `at a batch of ${size}`);
  });
});
