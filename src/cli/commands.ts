// The `torchlet` commands: train, eval, predict, summary.
// Each takes parsed options and the two output streams, so tests can run them
// in-process and the binary can run them as a process.

import { readFileSync } from "node:fs";
import { save, loadWithMetadata, writeFileAtomic } from "../io/files.js";
import { loadDataset, type DatasetName } from "../data/files.js";
import { subset, MNIST_CLASSES, FASHION_MNIST_CLASSES, type Dataset } from "../data/dataset.js";
import { readImageFile } from "../data/image-node.js";
import { toMnistInput } from "../data/image.js";
import { TorchletError } from "../errors.js";
import { Generator } from "../tensor/random.js";
import { Tensor, noGrad } from "../tensor/tensor.js";
import { softmax } from "../ops/softmax.js";
import { DataLoader } from "../nn/dataloader.js";
import { SGD, Adam, type Optimizer } from "../nn/optim.js";
import { summary } from "../nn/summary.js";
import type { Sequential } from "../nn/layers.js";
import { createModel, type ModelName } from "../lenet/models.js";
import { evaluate } from "../lenet/train.js";
import { Plan } from "../nn/plan.js";
import { getBackend } from "../backend/index.js";
import { trainingPlotSvg } from "../lenet/plot.js";
import { Progress, formatCount, formatDuration, type ProgressStream } from "./progress.js";

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
  model: ModelName;
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
}

/** One epoch's figures, as printed and as written by --json. */
export interface EpochRecord {
  epoch: number;
  loss: number;
  trainAcc: number;
  testAcc: number;
  examplesPerSec: number;
  seconds: number;
}

/** The training and test data a command works on: `--data`, then `--limit`. */
function loadData(dataset: DatasetName, dataDir: string | undefined, limit?: number): { train: Dataset; test: Dataset } {
  const { train, test } = loadDataset(dataset, dataDir === undefined ? {} : { dataDir });
  return { train: limit === undefined ? train : subset(train, 0, Math.min(limit, train.count)), test };
}

function makeOptimizer(net: Sequential, options: TrainOptions): Optimizer {
  const { lr, momentum, weightDecay } = options;
  return options.optimizer === "adam"
    ? new Adam(net.parameters(), { lr: lr ?? 1e-3, weightDecay })
    : new SGD(net.parameters(), { lr: lr ?? 0.9, momentum, weightDecay });
}

/** `torchlet train`: d2l's train_ch6 with progress, an epoch line, and optional weights and plot files. */
export function trainCommand(options: TrainOptions, io: Output): EpochRecord[] {
  const { train, test } = loadData(options.dataset, options.data, options.limit);
  const generator = new Generator(options.seed);
  const net = createModel(options.model, { generator });
  const optimizer = makeOptimizer(net, options);
  const loader = new DataLoader(train, { batchSize: options.batchSize, shuffle: true, generator });
  const plan = new Plan(net, { batchSize: options.batchSize, sampleShape: [784] });
  const lr = options.lr ?? (options.optimizer === "adam" ? 1e-3 : 0.9);
  if (!options.json) {
    io.out.write(
      `training ${options.model} on ${options.dataset}: ${formatCount(train.count)} train / ${formatCount(test.count)} test examples, ` +
        `${options.optimizer} lr ${lr}, batch ${options.batchSize}, ${options.epochs} epochs, seed ${options.seed}, ${describeBackend()}\n`,
    );
  }
  const progress = new Progress(io.err, options.epochs);
  const records: EpochRecord[] = [];
  let trainSeconds = 0;
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    let lossSum = 0, correct = 0, seen = 0, batch = 0;
    progress.startEpoch();
    const start = performance.now();
    for (const n of loader.batchesInto(plan.input, plan.labels)) {
      batch++;
      const step = withPosition(() => plan.trainStep(optimizer, n), epoch, batch, lr);
      lossSum += step.loss * n;
      correct += step.correct;
      seen += n;
      progress.update(epoch, batch, loader.length, lossSum / seen, seen / ((performance.now() - start) / 1000));
    }
    const seconds = (performance.now() - start) / 1000;
    trainSeconds += seconds;
    progress.clear();
    const record: EpochRecord = { epoch, loss: lossSum / seen, trainAcc: correct / seen, testAcc: plan.evaluateDataset(test).acc, examplesPerSec: seen / seconds, seconds };
    records.push(record);
    io.out.write(options.json ? JSON.stringify(record) + "\n" : formatEpoch(record) + "\n");
  }
  plan.dispose();
  const last = records[records.length - 1]!;
  if (!options.json) {
    const total = records.reduce((n, r) => n + r.examplesPerSec * r.seconds, 0);
    io.out.write(`done: loss ${last.loss.toFixed(3)}, train acc ${last.trainAcc.toFixed(3)}, test acc ${last.testAcc.toFixed(3)}, ${formatCount(total / trainSeconds)} examples/sec, ${formatDuration(trainSeconds)} training\n`);
  }
  if (options.out !== undefined) {
    save(net, options.out, { model: options.model, dataset: options.dataset, epochs: String(options.epochs), testAcc: last.testAcc.toFixed(4), torchlet: version() });
    io.err.write(`saved weights to ${options.out}\n`);
  }
  if (options.plot !== undefined) {
    writeFileAtomic(options.plot, new TextEncoder().encode(trainingPlotSvg(records, { title: `${options.model} on ${options.dataset}` })));
    io.err.write(`wrote plot to ${options.plot}\n`);
  }
  return records;
}

function describeBackend(): string {
  const k = getBackend();
  return k.name === "ts" ? "TypeScript kernels" : `WebAssembly SIMD kernels on ${k.threads} thread${k.threads === 1 ? "" : "s"}`;
}

// A failing step names the epoch and batch, so the user knows where a run diverged.
function withPosition<T>(step: () => T, epoch: number, batch: number, lr: number): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof TorchletError && error.code === "NON_FINITE") {
      throw new TorchletError("train", "NON_FINITE", `${error.message.replace(/^train: /, "")} at epoch ${epoch}, batch ${batch}; training stopped before that update. Try a lower learning rate (--lr ${lr / 10}).`);
    }
    throw error;
  }
}

/** `epoch 3: loss 0.812, train acc 0.689, test acc 0.702, 2,345 examples/sec` (d2l's figures, one line). */
export function formatEpoch(r: EpochRecord): string {
  return `epoch ${r.epoch}: loss ${r.loss.toFixed(3)}, train acc ${r.trainAcc.toFixed(3)}, test acc ${r.testAcc.toFixed(3)}, ${formatCount(r.examplesPerSec)} examples/sec`;
}

/** A model and its weights from a .safetensors file; the model name comes from --model or the file's metadata. */
function loadModel(weights: string, model: ModelName | undefined): { net: Sequential; metadata: Record<string, string> } {
  const { tensors, metadata } = loadWithMetadata(weights);
  const saved = metadata.model;
  if (model !== undefined && saved !== undefined && saved !== model) {
    throw new TorchletError(`weights: ${weights}`, "SHAPE_MISMATCH", `holds a ${saved} model but --model ${model} was given`);
  }
  const name = model ?? (saved === "lenet-modern" ? "lenet-modern" : "lenet");
  const net = createModel(name);
  try {
    net.loadStateDict(tensors);
  } catch (error) {
    if (error instanceof TorchletError) throw new TorchletError(`weights: ${weights}`, error.code, `does not fit ${name}: ${error.message}`);
    throw error;
  }
  return { net, metadata };
}

/** Options of `torchlet eval`. */
export interface EvalOptions {
  weights: string;
  model?: ModelName;
  dataset?: DatasetName;
  data?: string;
  batchSize: number;
  json: boolean;
}

/** `torchlet eval`: test loss and accuracy of saved weights. */
export function evalCommand(options: EvalOptions, io: Output): { loss: number; acc: number } {
  const { net, metadata } = loadModel(options.weights, options.model);
  const dataset = options.dataset ?? (metadata.dataset === "fashion-mnist" ? "fashion-mnist" : "mnist");
  const { test } = loadData(dataset, options.data);
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
  model?: ModelName;
  dataset?: DatasetName;
  data?: string;
  json: boolean;
}

/** `torchlet predict`: class probabilities for one test example (by index) or one 28×28 image file. */
export function predictCommand(options: PredictOptions, input: string, io: Output): { predicted: number; probabilities: number[] } {
  const { net, metadata } = loadModel(options.weights, options.model);
  const dataset = options.dataset ?? (metadata.dataset === "fashion-mnist" ? "fashion-mnist" : "mnist");
  let pixels: Float32Array;
  let label: number | undefined;
  let classes: readonly string[];
  if (/^\d+$/.test(input)) {
    const { test } = loadData(dataset, options.data);
    const index = Number(input);
    if (index >= test.count) {
      throw new TorchletError("predict", "OUT_OF_RANGE", `index ${index} is past the end of the ${dataset} test set (${test.count} examples, 0–${test.count - 1})`);
    }
    pixels = test.images.subarray(index * 784, (index + 1) * 784);
    label = test.labels[index];
    classes = test.classes;
  } else {
    pixels = toMnistInput(readImageFile(input), input);
    classes = dataset === "fashion-mnist" ? FASHION_MNIST_CLASSES : MNIST_CLASSES;
  }
  net.eval();
  const probabilities = [...noGrad(() => softmax(net.forward(new Tensor(Float32Array.from(pixels), [1, 784])))).data];
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

/** `torchlet summary`: the layer-by-layer shape table of d2l's lesson. */
export function summaryCommand(options: { model: ModelName }, io: Output): void {
  const net = createModel(options.model);
  summary(net, [1, 1, 28, 28], (line) => io.out.write(line + "\n"));
  io.out.write(`${formatCount(net.parameterCount())} parameters\n`);
}
