// End-to-end cases: d2l's LeNet-5 as a user runs it, through the public API,
// both ways torchlet offers:
//
//   eager   trainStep(net, SGD lr 0.9, x, labels): zero grads, forward,
//           softmax cross-entropy, backward (autograd), finite checks, update;
//           inference noGrad(() => net.forward(x)) in eval mode
//   Plan    nn.Plan: the same kernels over buffers laid out once per batch size
//           (what the CLI trains with); the batch is copied into plan.input
//           inside the timed step, as DataLoader.batchesInto does
//   fit     the CLI's own loop (src/lenet/fit.ts): one epoch over real examples,
//           shuffled by the DataLoader and gathered into the Plan's input, with
//           the per-step bookkeeping; what `torchlet train` reports as examples/s
//
// train step and inference in examples/s, batch-1 latency in ms.

import { lenet, createModel, trainStep, noGrad, optim, nn, fit, Generator, type ModelName } from "../../src/index.js";
import type { Sequential } from "../../src/nn/layers.js";
import { batchesOf, loadBenchData, type BenchData } from "../lib/data.js";
import type { BenchCase } from "../lib/runner.js";

/** A freshly initialised LeNet with a fixed seed (the same weights every run). */
export function seededLenet(seed = 0): Sequential {
  return lenet({ generator: new Generator(seed) });
}

/** seededLenet for either of torchlet's models (createModel's names). */
export function seededModel(model: ModelName, seed = 0): Sequential {
  return createModel(model, { generator: new Generator(seed) });
}

/** Consecutive training batches the train case cycles through (real images, so the loss moves like in training). */
const TRAIN_BATCHES = 8;

/** A Plan for `net` at batch size B, for 28×28 single-channel images. */
export function lenetPlan(net: Sequential, B: number): InstanceType<typeof nn.Plan> {
  return new nn.Plan(net, { batchSize: B, sampleShape: [1, 28, 28] });
}

/** Batches of the epoch the fit case trains per run. */
const FIT_BATCHES = 16;

export function e2eCases(B = 256, data: () => BenchData = () => loadBenchData(TRAIN_BATCHES * B)): BenchCase[] {
  return [...eagerCases(B, data), ...planCases(B, data), fitCase(B)];
}

// The CLI's loop: fit() for one epoch of FIT_BATCHES·B shuffled examples (a new Plan per run, as per
// `torchlet train`, and a fresh SGD), tested on one example so the evaluation it ends with costs next to nothing.
function fitCase(B: number): BenchCase {
  return {
    group: "e2e",
    name: `LeNet training, batch ${B}, the CLI's loop (fit: shuffled DataLoader + Plan), ${FIT_BATCHES} steps per run`,
    examples: FIT_BATCHES * B,
    setup: () => {
      const d = loadBenchData(FIT_BATCHES * B);
      const train = { images: d.images, labels: d.labels, count: d.count, sampleShape: [1, 28, 28] };
      const test = { images: d.images.subarray(0, 28 * 28), labels: d.labels.subarray(0, 1), count: 1, sampleShape: [1, 28, 28] };
      const net = seededLenet();
      const generator = new Generator(0);
      // A fresh optimizer per run: fit() checks that the optimizer's step count matches where the run starts.
      const run = () => fit({ net, optimizer: new optim.SGD(net.parameters(), { lr: 0.9 }), train, test, epochs: 1, batchSize: B, generator })[0]!.loss;
      return { note: d.note, run };
    },
  };
}

function planCases(B: number, data: () => BenchData): BenchCase[] {
  return [
    {
      group: "e2e",
      name: `LeNet train step, batch ${B}, Plan (fwd + bwd + SGD lr 0.9)`,
      examples: B,
      setup: () => {
        const d = data();
        const batches = batchesOf(d, B, TRAIN_BATCHES);
        const net = seededLenet();
        const optimizer = new optim.SGD(net.parameters(), { lr: 0.9 });
        const plan = lenetPlan(net, B);
        let i = 0;
        return {
          note: d.note,
          run: () => {
            const batch = batches[i++ % batches.length]!;
            plan.input.set(batch.pixels);
            plan.labels.set(batch.labels);
            return plan.trainStep(optimizer, B).loss;
          },
          teardown: () => plan.dispose(),
        };
      },
    },
    {
      group: "e2e",
      name: `LeNet inference, batch ${B}, Plan (predict)`,
      examples: B,
      setup: () => {
        const d = data();
        const [batch] = batchesOf(d, B, 1);
        const plan = lenetPlan(seededLenet(), B);
        plan.input.set(batch!.pixels);
        return { note: d.note, run: () => plan.predict(B), teardown: () => plan.dispose() };
      },
    },
    {
      group: "e2e",
      name: "LeNet inference latency, batch 1, Plan (predict)",
      setup: () => {
        const d = data();
        const [one] = batchesOf(d, 1, 1);
        const plan = lenetPlan(seededLenet(), 1);
        plan.input.set(one!.pixels);
        return { note: d.note, run: () => plan.predict(1), teardown: () => plan.dispose() };
      },
    },
  ];
}

function eagerCases(B: number, data: () => BenchData): BenchCase[] {
  return [
    {
      group: "e2e",
      name: `LeNet train step, batch ${B} (fwd + bwd + SGD lr 0.9)`,
      examples: B,
      setup: () => {
        const d = data();
        const batches = batchesOf(d, B, TRAIN_BATCHES);
        const net = seededLenet();
        const optimizer = new optim.SGD(net.parameters(), { lr: 0.9 });
        let i = 0;
        return {
          note: d.note,
          run: () => {
            const batch = batches[i++ % batches.length]!;
            return trainStep(net, optimizer, batch.x, batch.labels).loss;
          },
        };
      },
    },
    {
      group: "e2e",
      name: `LeNet inference, batch ${B} (noGrad forward)`,
      examples: B,
      setup: () => {
        const d = data();
        const [batch] = batchesOf(d, B, 1);
        const net = seededLenet().eval();
        return { note: d.note, run: () => noGrad(() => net.forward(batch!.x)) };
      },
    },
    {
      group: "e2e",
      name: "LeNet inference latency, batch 1",
      setup: () => {
        const d = data();
        const [one] = batchesOf(d, 1, 1);
        const net = seededLenet().eval();
        return { note: d.note, run: () => noGrad(() => net.forward(one!.x)) };
      },
    },
  ];
}
