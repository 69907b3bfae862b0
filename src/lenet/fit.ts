// The resumable training loop behind `torchlet train`: d2l's train_ch6
// (epochs of shuffled minibatches, then test accuracy) through a Plan (or,
// for a network a Plan cannot lay out, the eager API: same bits), with
// the position a checkpoint needs to continue a run bit-identically, and
// callbacks for progress, checkpoints and epoch records. It prints and saves
// nothing: the caller (the CLI, a script) decides what to do at each callback.
//
// Resuming works because the shuffle of an epoch is drawn from the generator
// when the epoch's first batch is asked for: a checkpoint holds the
// generator's state from before that draw plus how many batches are done, and
// a resumed run redraws the same order and skips those batches.

import { TorchletError, checkArity, checkOptionKeys, describe } from "../errors.js";
import type { Generator, GeneratorState } from "../tensor/random.js";
import { DataLoader, type LabeledData } from "../nn/dataloader.js";
import type { Optimizer } from "../nn/optim.js";
import type { Module } from "../nn/module.js";
import { Sequential } from "../nn/layers.js";
import { StepLayer } from "../nn/step.js";
import { Plan } from "../nn/plan.js";
import { Tensor } from "../tensor/tensor.js";
import { trainStep, evaluate } from "./train.js";

/** One epoch's figures, as `torchlet train` prints them and a checkpoint keeps them. */
export interface EpochRecord {
  /** The epoch, 1-based. */
  epoch: number;
  /** Mean training loss over the epoch's examples. */
  loss: number;
  /** Fraction of training examples classified right (before each step's update). */
  trainAcc: number;
  /** Fraction of test examples classified right after the epoch. */
  testAcc: number;
  /** Training throughput. */
  examplesPerSec: number;
  /** Seconds spent training the epoch (test evaluation excluded). */
  seconds: number;
}

/** Running sums of the epoch in progress, so its record comes out the same after a resume. */
export interface EpochProgress {
  /** Σ loss × batch size over the batches trained so far. */
  lossSum: number;
  /** Examples classified right so far. */
  correct: number;
  /** Examples trained on so far. */
  seen: number;
  /** Seconds spent training this epoch so far. */
  seconds: number;
}

/** Where a run stands: enough, with the model, optimizer and generator state, to continue it. */
export interface FitPosition {
  /** The epoch in progress, 1-based (`epochs + 1` once training is done). */
  epoch: number;
  /** Batches of `epoch` already trained. */
  batch: number;
  /** Running sums of the epoch in progress (all 0 when `batch` is 0). */
  progress: EpochProgress;
  /** One record per finished epoch, epochs 1 … `epoch − 1`. */
  records: readonly EpochRecord[];
}

/** What {@link FitOptions.onCheckpoint} receives: the position plus the shuffling generator's state at the start of `epoch`. */
export interface FitCheckpoint extends FitPosition {
  /** Generator state from before `epoch`'s shuffle was drawn. */
  rng: GeneratorState;
}

/** Progress after one training step. */
export interface BatchReport {
  /** The epoch in progress, 1-based. */
  epoch: number;
  /** Batches of this epoch done, 1-based. */
  batch: number;
  /** Batches per epoch. */
  batches: number;
  /** Mean loss of the epoch so far. */
  loss: number;
  /** Examples per second trained by this call so far in this epoch. */
  examplesPerSec: number;
}

/** Options of {@link fit}. */
export interface FitOptions {
  /**
   * The classifier to train (its parameters are updated in place). A Sequential of StepLayers trains
   * through a {@link Plan}; any other Module (a custom forward, a layer without a planned form) through
   * the eager API, with the same results, more slowly.
   */
  net: Module;
  /** An optimizer over `net`'s parameters. */
  optimizer: Optimizer;
  /** Training examples; shuffled every epoch. Must not be empty. */
  train: LabeledData;
  /** Test examples, evaluated after every epoch. Must not be empty. */
  test: LabeledData;
  /** Epochs in the whole run (a resumed run counts the epochs already done). */
  epochs: number;
  /** Examples per step (the last batch of an epoch may be smaller). */
  batchSize: number;
  /** Draws each epoch's shuffle; its state is what a checkpoint saves. */
  generator: Generator;
  /** Continue from here (restore the model, optimizer and generator first); default: the beginning. */
  start?: FitPosition;
  /** Also call `onCheckpoint` every this many batches, counted over the whole run. */
  checkpointEvery?: number;
  /** Called as each epoch starts (a progress bar resets its clock). */
  onEpochStart?(epoch: number): void;
  /** Called after every training step. */
  onBatch?(report: BatchReport): void;
  /** Called every `checkpointEvery` batches and at every epoch end, when the model, optimizer and generator hold the state `position` describes. */
  onCheckpoint?(position: FitCheckpoint): void;
  /** Called with each finished epoch's record, after its end-of-epoch `onCheckpoint`. */
  onEpoch?(record: EpochRecord): void;
}

/** The keys of {@link FitOptions}. */
const FIT_OPTIONS: readonly string[] = [
  "net", "optimizer", "train", "test", "epochs", "batchSize", "generator", "start", "checkpointEvery",
  "onEpochStart", "onBatch", "onCheckpoint", "onEpoch",
];

/** Batches per epoch: every example once, the last batch possibly smaller (DataLoader without dropLast). */
export function batchesPerEpoch(examples: number, batchSize: number): number {
  checkArity("batchesPerEpoch", arguments, ["examples", "batchSize"]);
  return Math.ceil(examples / batchSize);
}

/** The position of a run that has not started. */
export function beginning(): FitPosition {
  checkArity("beginning", arguments, []);
  return { epoch: 1, batch: 0, progress: zeroProgress(), records: [] };
}

const zeroProgress = (): EpochProgress => ({ lossSum: 0, correct: 0, seen: 0, seconds: 0 });

/**
 * Trains `net` for `epochs` epochs (from `start`, if given) and returns every epoch's record,
 * the resumed ones included. A run interrupted at any checkpoint and continued with the saved
 * model, optimizer, generator state and position ends with the same bits as one never interrupted
 * (on the same backend and thread count).
 *
 * @throws TorchletError INVALID_ARGUMENT for an empty training or test set or a `start` that does not fit
 *   the run ({@link checkFitStart}); NON_FINITE, naming the epoch and batch, when a loss or gradient stops
 *   being finite (the weights keep the last good step and the last `onCheckpoint` is still valid).
 * @example
 * const records = fit({ net, optimizer, train, test, epochs: 10, batchSize: 256, generator: new Generator(0),
 *   onEpoch: (r) => console.log(r.epoch, r.loss, r.testAcc) });
 */
export function fit(options: FitOptions): EpochRecord[] {
  checkArity("fit", arguments, ["options"]);
  const { net, optimizer, train, test, epochs, batchSize, generator } = checkOptionKeys("fit", options, FIT_OPTIONS);
  for (const [name, data] of [["train", train], ["test", test]] as const) {
    if (data.count === 0) throw new TorchletError("fit", "INVALID_ARGUMENT", `the ${name} set holds no examples; there is nothing to ${name === "train" ? "train on" : "evaluate"}`);
  }
  const start = options.start ?? beginning();
  checkFitStart(start, { epochs, batchSize, examples: train.count, optimizerSteps: optimizer.stateDict().step });
  const loader = new DataLoader(train, { batchSize, shuffle: true, generator });
  const trainer = makeTrainer(net, batchSize, train.sampleShape ?? [train.images.length / train.count]);
  const records = [...start.records];
  try {
    for (let epoch = start.epoch; epoch <= epochs; epoch++) {
      const resumed = epoch === start.epoch ? start : { batch: 0, progress: zeroProgress() };
      const record = trainEpoch(options, trainer, loader, epoch, resumed, records);
      records.push(record);
      options.onCheckpoint?.({ epoch: epoch + 1, batch: 0, progress: zeroProgress(), records: [...records], rng: generator.getState() });
      options.onEpoch?.(record);
    }
  } finally {
    trainer.dispose();
  }
  return records;
}

/** What the loop trains through: a Plan's buffers and steps, or the same over the eager API. */
interface Trainer {
  /** Filled with a batch of inputs, (batchSize, ...sampleShape), before each step. */
  readonly input: Float32Array;
  /** Filled with the batch's labels, (batchSize), before each step. */
  readonly labels: Int32Array;
  trainStep(optimizer: Optimizer, n: number): { loss: number; correct: number };
  testAccuracy(test: LabeledData): number;
  dispose(): void;
}

// A Plan when every layer has a planned form; otherwise the eager trainStep and evaluate over the same batches.
// Both train in training mode and evaluate in evaluation mode (Dropout, BatchNorm).
function makeTrainer(net: Module, batchSize: number, sampleShape: readonly number[]): Trainer {
  if (net instanceof Sequential && net.layers.every((layer) => layer instanceof StepLayer)) {
    const plan = new Plan(net, { batchSize, sampleShape });
    return { input: plan.input, labels: plan.labels, trainStep: (optimizer, n) => { net.train(); return plan.trainStep(optimizer, n); }, testAccuracy: (test) => plan.evaluateDataset(test).acc, dispose: () => plan.dispose() };
  }
  const size = sampleShape.reduce((a, b) => a * b, 1);
  const input = new Float32Array(batchSize * size); // (batchSize, ...sampleShape)
  const labels = new Int32Array(batchSize); // (batchSize)
  return {
    input,
    labels,
    trainStep: (optimizer, n) => trainStep(net.train(), optimizer, new Tensor(input.slice(0, n * size), [n, ...sampleShape]), labels.slice(0, n)),
    testAccuracy: (test) => evaluate(net, test, batchSize).acc,
    dispose: () => {},
  };
}

// One epoch from batch `from.batch` on; `records` are the finished epochs (for mid-epoch checkpoints).
function trainEpoch(options: FitOptions, trainer: Trainer, loader: DataLoader, epoch: number, from: Pick<FitPosition, "batch" | "progress">, records: readonly EpochRecord[]): EpochRecord {
  // The epoch's shuffle is drawn from the generator when its first batch is asked for:
  // a checkpoint saves the state from before that draw, plus how many batches are done.
  const epochStart = options.generator.getState();
  let { lossSum, correct, seen } = from.progress;
  let batch = from.batch;
  options.onEpochStart?.(epoch);
  const startedAt = performance.now();
  const elapsed = () => from.progress.seconds + (performance.now() - startedAt) / 1000;
  for (const n of loader.batchesInto(trainer.input, trainer.labels, from.batch)) {
    batch++;
    const step = atPosition(() => trainer.trainStep(options.optimizer, n), epoch, batch);
    lossSum += step.loss * n;
    correct += step.correct;
    seen += n;
    const examplesPerSec = (seen - from.progress.seen) / ((performance.now() - startedAt) / 1000);
    options.onBatch?.({ epoch, batch, batches: loader.length, loss: lossSum / seen, examplesPerSec });
    const every = options.checkpointEvery;
    if (every !== undefined && ((epoch - 1) * loader.length + batch) % every === 0) {
      options.onCheckpoint?.({ epoch, batch, progress: { lossSum, correct, seen, seconds: elapsed() }, records: [...records], rng: epochStart });
    }
  }
  const seconds = elapsed();
  return { epoch, loss: lossSum / seen, trainAcc: correct / seen, testAcc: trainer.testAccuracy(options.test), examplesPerSec: seen / seconds, seconds };
}

// A failing step names the epoch and batch, so the user knows where a run diverged.
function atPosition<T>(step: () => T, epoch: number, batch: number): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof TorchletError && error.code === "NON_FINITE") {
      throw new TorchletError("train", "NON_FINITE", `${error.message.slice(error.op.length + 2)} at epoch ${epoch}, batch ${batch}; training stopped before that update`);
    }
    throw error;
  }
}

/** The run a {@link FitPosition} must fit. */
export interface FitRun {
  /** Epochs in the whole run. */
  epochs: number;
  /** Examples per step. */
  batchSize: number;
  /** Training examples. */
  examples: number;
  /** The optimizer's step count, which must equal the batches trained before the position. */
  optimizerSteps: number;
}

/**
 * Checks that `start` is a position the run can reach: integers in range, an epoch no later than
 * `epochs + 1`, a batch within the epoch, running sums that match the batches done, one finite
 * record per finished epoch, and an optimizer that has taken exactly one step per batch done.
 * @throws TorchletError OUT_OF_RANGE or INVALID_ARGUMENT naming the field, its value and what was expected.
 */
export function checkFitStart(start: FitPosition, run: FitRun): void {
  checkArity("checkFitStart", arguments, ["start", "run"]);
  const bad = (message: string): never => {
    throw new TorchletError("fit", "OUT_OF_RANGE", `start.${message}`);
  };
  const batches = batchesPerEpoch(run.examples, run.batchSize);
  const { epoch, batch, progress, records } = start;
  if (!Number.isSafeInteger(epoch) || epoch < 1 || epoch > run.epochs + 1) bad(`epoch is ${describe(epoch)}, expected an integer in [1, ${run.epochs + 1}] for a run of ${run.epochs} epochs`);
  const lastBatch = epoch === run.epochs + 1 ? 0 : batches;
  if (!Number.isSafeInteger(batch) || batch < 0 || batch > lastBatch) {
    bad(`batch is ${describe(batch)}, expected an integer in [0, ${lastBatch}]: ${run.examples} examples in batches of ${run.batchSize} make ${batches} batches per epoch${lastBatch === 0 ? ", and a finished run has none left" : ""}`);
  }
  const seen = Math.min(batch * run.batchSize, run.examples);
  const { lossSum, correct, seconds } = progress;
  if (progress.seen !== seen) bad(`progress.seen is ${describe(progress.seen)}, but ${batch} batches of ${run.batchSize} from ${run.examples} examples are ${seen} examples`);
  if (!Number.isSafeInteger(correct) || correct < 0 || correct > seen) bad(`progress.correct is ${describe(correct)}, expected an integer in [0, ${seen}]`);
  if (!Number.isFinite(lossSum) || lossSum < 0 || (seen === 0 && lossSum !== 0)) bad(`progress.lossSum is ${describe(lossSum)}, expected a finite number ≥ 0 (0 before the first batch)`);
  if (!Number.isFinite(seconds) || seconds < 0) bad(`progress.seconds is ${describe(seconds)}, expected a finite number ≥ 0`);
  if (records.length !== epoch - 1) bad(`records holds ${records.length} epochs, but ${epoch - 1} are done`);
  records.forEach((r, i) => checkRecord(r, i + 1, bad));
  const steps = (epoch - 1) * batches + batch;
  if (run.optimizerSteps !== steps) bad(`epoch ${epoch}, batch ${batch} is ${steps} steps into the run, but the optimizer has taken ${run.optimizerSteps} steps`);
}

function checkRecord(record: EpochRecord, epoch: number, bad: (message: string) => never): void {
  const at = `records[${epoch - 1}]`;
  if (record.epoch !== epoch) bad(`${at}.epoch is ${describe(record.epoch)}, expected ${epoch}`);
  for (const key of ["loss", "trainAcc", "testAcc", "examplesPerSec", "seconds"] as const) {
    const value = record[key];
    const max = key === "trainAcc" || key === "testAcc" ? 1 : Infinity;
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > max) bad(`${at}.${key} is ${describe(value)}, expected a finite number in [0, ${max}]`);
  }
}
