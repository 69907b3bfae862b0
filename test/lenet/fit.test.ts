// fit, the resumable training loop behind `torchlet train`: the same bits as a
// hand-written eager loop, the same bits when resumed from any checkpoint, its
// callbacks in order, and every refusal (empty data, a start position that
// does not fit the run, a diverging step).

import { beforeAll, describe, expect, it } from "vitest";
import { Generator, Tensor } from "../../src/tensor/index.js";
import { Adam, SGD, type Optimizer } from "../../src/nn/optim.js";
import { DataLoader } from "../../src/nn/dataloader.js";
import type { StateDict } from "../../src/nn/module.js";
import { lenetModern, trainStep, evaluateAccuracy } from "../../src/lenet/index.js";
import { fit, checkFitStart, beginning, batchesPerEpoch, type FitCheckpoint, type FitOptions, type EpochRecord } from "../../src/lenet/fit.js";
import { loadDataset } from "../../src/data/files.js";
import { subset, type Dataset } from "../../src/data/dataset.js";
import { expectError } from "../helpers/errors.js";

let train: Dataset, test: Dataset;
beforeAll(() => {
  const mnist = loadDataset("mnist");
  train = subset(mnist.train, 0, 80); // batches of 32: 32, 32, 16
  test = subset(mnist.test, 0, 40);
});

const copy = (state: StateDict): StateDict => Object.fromEntries(Object.entries(state).map(([k, t]) => [k, new Tensor(Float32Array.from(t.data), t.shape)]));
const bits = (state: StateDict) => Object.values(state).flatMap((t) => Array.from(new Uint32Array(Float32Array.from(t.data).buffer)));

/** A fresh run: the same seeds every time. */
function setup(lr = 3e-3) {
  const net = lenetModern({ generator: new Generator(4) });
  const optimizer = new Adam(net.parameters(), { lr });
  return { net, optimizer, generator: new Generator(9) };
}

const base = (run: { net: ReturnType<typeof lenetModern>; optimizer: Optimizer; generator: Generator }): FitOptions => ({ ...run, train, test, epochs: 2, batchSize: 32 });

describe("fit", () => {
  it("trains exactly like a hand-written eager loop: same weights, same per-epoch figures", () => {
    const run = setup();
    const records = fit(base(run));

    const ref = setup();
    const loader = new DataLoader(train, { batchSize: 32, shuffle: true, generator: ref.generator });
    const expected: Pick<EpochRecord, "epoch" | "loss" | "trainAcc" | "testAcc">[] = [];
    for (let epoch = 1; epoch <= 2; epoch++) {
      let lossSum = 0, correct = 0;
      for (const [x, y] of loader) {
        const step = trainStep(ref.net, ref.optimizer, x, y);
        lossSum += step.loss * y.length;
        correct += step.correct;
      }
      expected.push({ epoch, loss: lossSum / train.count, trainAcc: correct / train.count, testAcc: evaluateAccuracy(ref.net, test) });
    }
    expect(records.map(({ epoch, loss, trainAcc, testAcc }) => ({ epoch, loss, trainAcc, testAcc }))).toEqual(expected);
    expect(bits(run.net.stateDict())).toEqual(bits(ref.net.stateDict()));
    for (const r of records) expect(r.examplesPerSec).toBeGreaterThan(0);
  });

  it("calls onEpochStart, onBatch, onCheckpoint and onEpoch in order, at the positions a resume needs", () => {
    const run = setup();
    const events: string[] = [];
    fit({
      ...base(run),
      checkpointEvery: 2,
      onEpochStart: (e) => events.push(`start ${e}`),
      onBatch: (b) => events.push(`batch ${b.epoch}:${b.batch}/${b.batches}`),
      onCheckpoint: (c) => events.push(`checkpoint ${c.epoch}:${c.batch} seen ${c.progress.seen} records ${c.records.length}`),
      onEpoch: (r) => events.push(`epoch ${r.epoch}`),
    });
    expect(events).toEqual([
      "start 1", "batch 1:1/3", "batch 1:2/3", "checkpoint 1:2 seen 64 records 0", "batch 1:3/3", "checkpoint 2:0 seen 0 records 1", "epoch 1",
      "start 2", "batch 2:1/3", "checkpoint 2:1 seen 32 records 1", "batch 2:2/3", "batch 2:3/3", "checkpoint 2:3 seen 80 records 1", "checkpoint 3:0 seen 0 records 2", "epoch 2",
    ]);
  });

  it("continued from any checkpoint, ends with the bits of the uninterrupted run", () => {
    const straight = setup();
    const saved: { at: FitCheckpoint; model: StateDict; optimizer: ReturnType<typeof straight.optimizer.stateDict> }[] = [];
    const records = fit({ ...base(straight), checkpointEvery: 1, onCheckpoint: (at) => saved.push({ at, model: copy(straight.net.stateDict()), optimizer: straight.optimizer.stateDict() }) });
    expect(saved.map((s) => `${s.at.epoch}:${s.at.batch}`)).toEqual(["1:1", "1:2", "1:3", "2:0", "2:1", "2:2", "2:3", "3:0"]);
    for (const k of [0, 2, 3, 5]) {
      const { at, model, optimizer } = saved[k]!;
      const resumed = setup();
      resumed.net.loadStateDict(model);
      resumed.optimizer.loadStateDict(optimizer);
      resumed.generator.setState(at.rng);
      const all = fit({ ...base(resumed), start: at });
      expect(bits(resumed.net.stateDict()), `resumed at ${at.epoch}:${at.batch}`).toEqual(bits(straight.net.stateDict()));
      expect(all.map((r) => [r.epoch, r.loss, r.trainAcc, r.testAcc])).toEqual(records.map((r) => [r.epoch, r.loss, r.trainAcc, r.testAcc]));
    }
  });

  it("refuses an empty training or test set before any step", () => {
    const run = setup();
    let calls = 0;
    const count = () => void calls++;
    expectError(() => fit({ ...base(run), train: subset(train, 0, 0), onBatch: count, onCheckpoint: count }), "INVALID_ARGUMENT", "fit: the train set holds no examples");
    expectError(() => fit({ ...base(run), test: subset(test, 0, 0), onBatch: count, onCheckpoint: count }), "INVALID_ARGUMENT", "fit: the test set holds no examples");
    expect(calls).toBe(0);
  });

  it("names the epoch and batch where a step diverged; the last checkpoint is the step before", () => {
    const net = lenetModern({ generator: new Generator(1) });
    const run = { net, optimizer: new SGD(net.parameters(), { lr: 1e6 }), generator: new Generator(2) };
    let last: FitCheckpoint | undefined;
    const error = expectError(() => fit({ ...base(run), epochs: 5, checkpointEvery: 1, onCheckpoint: (at) => (last = at) }), "NON_FINITE", "training stopped before that update");
    const [, epoch, batch] = /at epoch (\d+), batch (\d+);/.exec(error.message)!.map(Number);
    const steps = (epoch! - 1) * 3 + batch!;
    expect(steps).toBeGreaterThan(1);
    expect((last!.epoch - 1) * 3 + last!.batch).toBe(steps - 1);
  });
});

describe("checkFitStart: a start position must fit the run", () => {
  const run = { epochs: 2, batchSize: 32, examples: 80, optimizerSteps: 4 }; // 3 batches per epoch; 4 steps = epoch 2, batch 1
  const at = (changes: Partial<FitCheckpoint> = {}) => ({ ...beginning(), epoch: 2, batch: 1, progress: { lossSum: 70, correct: 3, seen: 32, seconds: 1 }, records: [{ epoch: 1, loss: 2.2, trainAcc: 0.1, testAcc: 0.2, examplesPerSec: 100, seconds: 0.8 }], ...changes });

  it("accepts a consistent position, and the beginning of a fresh run", () => {
    expect(batchesPerEpoch(80, 32)).toBe(3);
    checkFitStart(at(), run);
    checkFitStart(beginning(), { ...run, optimizerSteps: 0 });
    checkFitStart(at({ epoch: 3, batch: 0, progress: { lossSum: 0, correct: 0, seen: 0, seconds: 0 }, records: [at().records[0]!, { ...at().records[0]!, epoch: 2 }] }), { ...run, optimizerSteps: 6 });
  });

  const cases: [string, Partial<FitCheckpoint>, Partial<typeof run>, string][] = [
    ["a batch past the epoch's end", { batch: 99999 }, {}, "start.batch is 99999, expected an integer in [0, 3]: 80 examples in batches of 32 make 3 batches per epoch"],
    ["a fractional batch", { batch: 1.5 }, {}, "start.batch is 1.5"],
    ["a batch given as a string", { batch: "1" as unknown as number }, {}, 'start.batch is "1"'],
    ["an epoch beyond the run", { epoch: 4 }, {}, "start.epoch is 4, expected an integer in [1, 3] for a run of 2 epochs"],
    ["epoch 0", { epoch: 0 }, {}, "start.epoch is 0"],
    ["batches left in a finished run", { epoch: 3, batch: 1 }, {}, "start.batch is 1, expected an integer in [0, 0]"],
    ["running sums of another position", { progress: { lossSum: 70, correct: 3, seen: 64, seconds: 1 } }, {}, "start.progress.seen is 64, but 1 batches of 32 from 80 examples are 32 examples"],
    ["more correct than seen", { progress: { lossSum: 70, correct: 33, seen: 32, seconds: 1 } }, {}, "start.progress.correct is 33, expected an integer in [0, 32]"],
    ["a NaN loss sum", { progress: { lossSum: NaN, correct: 3, seen: 32, seconds: 1 } }, {}, "start.progress.lossSum is NaN"],
    ["a record missing", { records: [] }, {}, "start.records holds 0 epochs, but 1 are done"],
    ["an accuracy above 1", { records: [{ epoch: 1, loss: 2.2, trainAcc: 0.1, testAcc: 1.5, examplesPerSec: 100, seconds: 0.8 }] }, {}, "start.records[0].testAcc is 1.5, expected a finite number in [0, 1]"],
    ["a record of the wrong epoch", { records: [{ epoch: 7, loss: 2.2, trainAcc: 0.1, testAcc: 0.1, examplesPerSec: 100, seconds: 0.8 }] }, {}, "start.records[0].epoch is 7, expected 1"],
    ["an optimizer with other steps", {}, { optimizerSteps: 9 }, "start.epoch 2, batch 1 is 4 steps into the run, but the optimizer has taken 9 steps"],
    ["another batch size", {}, { batchSize: 64 }, "start.progress.seen is 32, but 1 batches of 64 from 80 examples are 64 examples"],
  ];
  it.each(cases)("refuses %s", (_, changes, runChanges, message) => {
    expectError(() => checkFitStart(at(changes), { ...run, ...runChanges }), "OUT_OF_RANGE", `fit: ${message}`);
  });

  it("fit itself refuses a start that does not fit, before any step", () => {
    const r = setup();
    let steps = 0;
    expectError(() => fit({ ...base(r), start: at({ batch: 99999 }), onBatch: () => steps++ }), "OUT_OF_RANGE", "start.batch is 99999");
    expect(steps).toBe(0);
  });
});
