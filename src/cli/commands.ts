// The `torchlet` commands: train, eval, predict, summary.
// Each takes parsed options and the two output streams, so tests can run them
// in-process and the binary can run them as a process.

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { save, writeFileAtomic } from "../io/files.js";
import { removeStaleTemporaries, saveCheckpoint } from "../io/checkpoint.js";
import { loadDataset, loadSplit, type DatasetName } from "../data/files.js";
import { subset, MNIST_CLASSES, FASHION_MNIST_CLASSES, type Dataset } from "../data/dataset.js";
import { readImageFile } from "../data/image-node.js";
import { toMnistInput } from "../data/preprocess.js";
import { TorchletError } from "../errors.js";
import { Generator } from "../tensor/random.js";
import { Tensor, noGrad } from "../tensor/tensor.js";
import { softmax } from "../ops/softmax.js";
import { SGD, Adam, type Optimizer } from "../nn/optim.js";
import { summary, formatRow } from "../nn/summary.js";
import { Sequential } from "../nn/layers.js";
import type { Module } from "../nn/module.js";
import { evaluate } from "../lenet/train.js";
import { fit, type EpochRecord } from "../lenet/fit.js";
import { getBackend } from "../backend/index.js";
import { trainingPlotSvg } from "../lenet/plot.js";
import { Progress, formatCount, formatDuration, type ProgressStream } from "./progress.js";
import { checkOutputs } from "./outputs.js";
import { resumeFrom, type RunIdentity } from "./resume.js";
import { loadModel, datasetFor } from "./weights.js";
import { buildNetwork, networkLabel, networkName, INPUT_FEATURES, type NetworkSource } from "./network.js";

/** Where a command writes: results to `out`, progress and notes to `err`. */
export interface Output {
  out: { write(text: string): unknown };
  err: ProgressStream;
}

/** The package version, read from package.json next to src/ or dist/. */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

/** Options of `torchlet train`; defaults follow d2l's LeNet chapter. */
export interface TrainOptions {
  /** A built-in LeNet by name, or a user's network module (loaded by {@link networkSource}). */
  model: NetworkSource;
  dataset: DatasetName;
  data?: string;
  epochs: number;
  batchSize: number;
  lr?: number;
  optimizer: "sgd" | "adam";
  momentum: number;
  weightDecay: number;
  seed: number;
  limit?: number;
  out?: string;
  plot?: string;
  json: boolean;
  /** Write a checkpoint here at the end of every epoch (and every `checkpointEvery` batches). */
  checkpoint?: string;
  /** Batches between checkpoints (default: epoch ends only). */
  checkpointEvery?: number;
  /** Continue the run saved in this checkpoint (and keep checkpointing to it unless `checkpoint` says otherwise). */
  resume?: string;
}

export type { EpochRecord };

/** Callbacks for programs that drive training (scripts/long-run.mjs records memory after each epoch). */
export interface TrainHooks {
  /** After each epoch's record is printed (and its checkpoint written). */
  onEpoch?(record: EpochRecord): void;
}

/** The training and test data a command works on: `--data`, then `--limit`; flat examples (see {@link flat}). */
function loadData(dataset: DatasetName, data: string | undefined, limit?: number): { train: Dataset; test: Dataset } {
  const { train, test } = loadDataset(dataset, { data });
  return { train: flat(limit === undefined ? train : subset(train, 0, Math.min(limit, train.count))), test: flat(test) };
}

/**
 * The CLI's contract with a network (README, "Your own network") is (N, 784) inputs, so it batches
 * examples flat, where the library's datasets come out as (count, 1, 28, 28).
 */
function flat(dataset: Dataset): Dataset {
  return { ...dataset, sampleShape: [INPUT_FEATURES] };
}

/** Refuses an empty split before any work: a mean over 0 examples is NaN, and "0/0 correct" is not a score. */
function requireExamples(split: Dataset, role: "training" | "test", dataDir: string | undefined): void {
  if (split.count > 0) return;
  const where = dataDir === undefined ? "" : ` in ${dataDir}`;
  throw new TorchletError(`dataset ${split.name}`, "INVALID_ARGUMENT", `the ${role} set${where} holds 0 images; there is nothing to ${role === "training" ? "train on" : "test"}`);
}

function makeOptimizer(net: Module, options: TrainOptions): Optimizer {
  const { lr, momentum, weightDecay } = options;
  return options.optimizer === "adam"
    ? new Adam(net.parameters(), { lr: lr ?? 1e-3, weightDecay })
    : new SGD(net.parameters(), { lr: lr ?? 0.9, momentum, weightDecay });
}

/** The options that define a run, by their command-line names: a resumed run must repeat every one. */
function runIdentity(options: TrainOptions, lr: number): RunIdentity {
  return {
    model: networkName(options.model),
    dataset: options.dataset,
    data: options.data === undefined ? null : resolve(options.data),
    "batch-size": options.batchSize,
    lr,
    optimizer: options.optimizer,
    momentum: options.momentum,
    "weight-decay": options.weightDecay,
    seed: options.seed,
    limit: options.limit ?? null,
  };
}

/**
 * `torchlet train`: checks every output path, loads the data, resumes from a checkpoint if asked, runs
 * {@link fit} with a progress bar, one line per epoch and checkpoints, then saves the weights and the plot.
 */
export function trainCommand(options: TrainOptions, io: Output, hooks: TrainHooks = {}): EpochRecord[] {
  const checkpointPath = options.checkpoint ?? options.resume;
  checkOutputs([["out", options.out], ["plot", options.plot], [options.checkpoint === undefined ? "resume" : "checkpoint", checkpointPath]], [["resume", options.resume]], options.checkpoint === undefined ? "resume" : "checkpoint");
  const { train, test } = loadData(options.dataset, options.data, options.limit);
  requireExamples(train, "training", options.data);
  requireExamples(test, "test", options.data);
  const generator = new Generator(options.seed);
  const net = buildNetwork(options.model, generator);
  const optimizer = makeOptimizer(net, options);
  const lr = options.lr ?? (options.optimizer === "adam" ? 1e-3 : 0.9);
  const identity = runIdentity(options, lr);
  const kernels = getBackend();
  const resumed = options.resume === undefined ? undefined : resumeFrom(options.resume, { net, optimizer, generator, identity, epochs: options.epochs, batchSize: options.batchSize, examples: train.count });
  if (resumed !== undefined) {
    io.err.write(`resuming from ${options.resume}: ${resumed.summary}\n`);
    if (resumed.backend !== kernels.name || resumed.threads !== kernels.threads) {
      io.err.write(`note: the checkpoint was written by the ${resumed.backend} backend on ${resumed.threads} thread(s) and this run uses ${kernels.name} on ${kernels.threads}; the result will be close to, not bit-identical with, an uninterrupted run\n`);
    }
  } else if (!options.json) {
    io.out.write(
      `training ${networkLabel(options.model)} on ${options.dataset}: ${formatCount(train.count)} train / ${formatCount(test.count)} test examples, ` +
        `${options.optimizer} lr ${lr}, batch ${options.batchSize}, ${options.epochs} epochs, seed ${options.seed}, ${describeBackend()}\n`,
    );
  }
  const checkpointEvery = options.checkpointEvery ?? resumed?.checkpointEvery;
  const progress = new Progress(io.err, options.epochs);
  const records = withAdvice(() => fit({
    net, optimizer, train, test, generator, epochs: options.epochs, batchSize: options.batchSize, start: resumed?.start, checkpointEvery,
    onEpochStart: () => progress.startEpoch(),
    onBatch: (b) => progress.update(b.epoch, b.batch, b.batches, b.loss, b.examplesPerSec),
    onCheckpoint: (at) => {
      if (checkpointPath === undefined) return;
      saveCheckpoint(checkpointPath, {
        options: identity, epoch: at.epoch, batch: at.batch, rng: at.rng, optimizer: optimizer.stateDict(), model: net.stateDict(), progress: at.progress, records: [...at.records],
        backend: kernels.name, threads: kernels.threads, checkpointEvery: checkpointEvery ?? null, version: version(),
      });
    },
    onEpoch: (record) => {
      progress.clear();
      io.out.write(options.json ? JSON.stringify(record) + "\n" : formatEpoch(record) + "\n");
      hooks.onEpoch?.(record);
    },
  }), lr, checkpointPath);
  saveOutputs(options, records, net, io);
  return records;
}

// The weights and the plot, once training is over (their paths were checked before it began).
function saveOutputs(options: TrainOptions, records: readonly EpochRecord[], net: Module, io: Output): void {
  const last = records[records.length - 1];
  if (last === undefined) return;
  if (!options.json) {
    const trainSeconds = records.reduce((n, r) => n + r.seconds, 0);
    const total = records.reduce((n, r) => n + r.examplesPerSec * r.seconds, 0);
    io.out.write(`done: loss ${last.loss.toFixed(3)}, train acc ${last.trainAcc.toFixed(3)}, test acc ${last.testAcc.toFixed(3)}, ${formatCount(total / trainSeconds)} examples/sec, ${formatDuration(trainSeconds)} training\n`);
  }
  if (options.out !== undefined) {
    removeStaleTemporaries(options.out); // left by a run killed while saving
    save(net, options.out, { model: networkName(options.model), dataset: options.dataset, epochs: String(options.epochs), testAcc: last.testAcc.toFixed(4), torchlet: version() });
    io.err.write(`saved weights to ${options.out}\n`);
  }
  if (options.plot !== undefined) {
    writeFileAtomic(options.plot, new TextEncoder().encode(trainingPlotSvg(records, { title: `${networkLabel(options.model)} on ${options.dataset}` })));
    io.err.write(`wrote plot to ${options.plot}\n`);
  }
}

function describeBackend(): string {
  const k = getBackend();
  const simd = k.relaxedSimd ? "relaxed SIMD (fused multiply-add)" : "SIMD";
  return k.name === "ts" ? "TypeScript kernels" : `WebAssembly ${simd} kernels on ${k.threads} thread${k.threads === 1 ? "" : "s"}`;
}

// A run that diverged: say what was kept and what to try.
function withAdvice<T>(run: () => T, lr: number, checkpoint: string | undefined): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof TorchletError && error.code === "NON_FINITE") {
      const kept = checkpoint === undefined ? "" : ` (the last checkpoint, ${checkpoint}, is intact)`;
      throw new TorchletError(error.op, "NON_FINITE", `${error.message.slice(error.op.length + 2)}, and no weights file was written${kept}. Try a lower learning rate (--lr ${lr / 10}).`);
    }
    throw error;
  }
}

/** `epoch 3: loss 0.812, train acc 0.689, test acc 0.702, 2,345 examples/sec` (d2l's figures, one line). */
export function formatEpoch(r: EpochRecord): string {
  return `epoch ${r.epoch}: loss ${r.loss.toFixed(3)}, train acc ${r.trainAcc.toFixed(3)}, test acc ${r.testAcc.toFixed(3)}, ${formatCount(r.examplesPerSec)} examples/sec`;
}

/** Options of `torchlet eval`. */
export interface EvalOptions {
  weights: string;
  model?: NetworkSource;
  dataset?: DatasetName;
  data?: string;
  batchSize: number;
  json: boolean;
  /** Evaluate weights holding NaN or ±Infinity instead of refusing them. */
  allowNonFinite?: boolean;
}

/** `torchlet eval`: test loss and accuracy of saved weights. */
export async function evalCommand(options: EvalOptions, io: Output): Promise<{ loss: number; acc: number }> {
  const { net, metadata } = await loadModel(options.weights, options);
  const dataset = datasetFor(options.weights, options.dataset, metadata);
  const test = flat(loadSplit(dataset, "test", { data: options.data })); // only the split it uses
  requireExamples(test, "test", options.data);
  const result = evaluate(net, test, options.batchSize);
  io.out.write(
    options.json
      ? JSON.stringify({ dataset, examples: test.count, loss: result.loss, testAcc: result.acc }) + "\n"
      : `test acc ${result.acc.toFixed(4)} (${formatCount(result.correct)}/${formatCount(test.count)}), loss ${result.loss.toFixed(4)} on ${dataset}\n`,
  );
  return { loss: result.loss, acc: result.acc };
}

/** Options of `torchlet predict`. */
export interface PredictOptions {
  weights: string;
  model?: NetworkSource;
  dataset?: DatasetName;
  data?: string;
  json: boolean;
  /** Predict with weights holding NaN or ±Infinity instead of refusing them. */
  allowNonFinite?: boolean;
}

/** `torchlet predict`: class probabilities for one test example (by index) or one 28×28 image file. */
export async function predictCommand(options: PredictOptions, input: string, io: Output): Promise<{ predicted: number; probabilities: number[] }> {
  const { net, metadata } = await loadModel(options.weights, options);
  const dataset = datasetFor(options.weights, options.dataset, metadata);
  let pixels: Float32Array;
  let label: number | undefined;
  let classes: readonly string[];
  if (looksLikeIndex(input)) {
    const test = loadSplit(dataset, "test", { data: options.data }); // only the split it uses
    const index = testIndex(input, test, dataset);
    pixels = test.images.subarray(index * 784, (index + 1) * 784);
    label = test.labels[index];
    classes = test.classes;
  } else {
    pixels = toMnistInput(readImageFile(input), input);
    classes = dataset === "fashion-mnist" ? FASHION_MNIST_CLASSES : MNIST_CLASSES;
  }
  net.eval();
  const probabilities = [...noGrad(() => softmax(net.forward(new Tensor(Float32Array.from(pixels), [1, INPUT_FEATURES])))).data];
  const predicted = probabilities.indexOf(Math.max(...probabilities));
  if (options.json) {
    io.out.write(JSON.stringify({ input, predicted, class: classes[predicted], label, probabilities }) + "\n");
  } else {
    const truth = label === undefined ? "" : ` (true label ${classes[label]})`;
    io.out.write(`prediction: ${classes[predicted]}${truth}\n`);
    probabilities.forEach((p, i) => io.out.write(`  ${classes[i]!.padEnd(12)} ${p.toFixed(4)} ${"#".repeat(Math.round(p * 40))}\n`));
  }
  return { predicted, probabilities };
}

// A number-like argument ("7", "-1", "+3", "1.5", "1e3") is meant as a test-set index, never as a file name:
// "-1" is a mistake about the index, not a missing image.
function looksLikeIndex(input: string): boolean {
  return /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(input);
}

/** The test-set index `input` names: decimal digits, within the set. */
function testIndex(input: string, test: Dataset, dataset: string): number {
  const range = test.count === 0 ? `the ${dataset} test set is empty, so there is no example to predict` : `the ${dataset} test set has ${formatCount(test.count)} examples, numbered 0–${test.count - 1}`;
  if (!/^\d+$/.test(input)) {
    const what = input.startsWith("-") ? "is negative" : "is not a whole number in decimal digits";
    throw new TorchletError("predict", "OUT_OF_RANGE", `index ${input} ${what}; ${range}`);
  }
  const index = Number(input);
  if (index >= test.count) {
    throw new TorchletError("predict", "OUT_OF_RANGE", test.count === 0 ? `index ${input}: ${range}` : `index ${input} is past the end of the ${dataset} test set (${test.count} examples, 0–${test.count - 1})`);
  }
  return index;
}

/**
 * `torchlet summary`: the layer-by-layer shape table of d2l's lesson for one example as the CLI feeds it,
 * (1, 784); a network that is not a Sequential shows one row, its output.
 */
export function summaryCommand(options: { model: NetworkSource }, io: Output): void {
  const net = buildNetwork(options.model);
  const print = (line: string) => io.out.write(line + "\n");
  const input = [1, INPUT_FEATURES];
  if (net instanceof Sequential) {
    summary(net, input, print);
  } else {
    const output = noGrad(() => net.eval().forward(new Tensor(new Float32Array(INPUT_FEATURES), input)));
    print(formatRow({ layer: net.typeName, outputShape: [...output.shape], parameters: net.parameterCount() }));
  }
  io.out.write(`${formatCount(net.parameterCount())} parameters\n`);
}
