// What every compare peer gets: the same batches, the same initial weights
// (torchlet's seeded networks, converted to each peer's layout), and the
// reference logits to check the peer computes the same network. Two networks:
// d2l's LeNet (sigmoid, average pooling), which every peer runs, and lenet-modern
// (ReLU, max pooling), which torchlet and PyTorch run.

import { noGrad, type ModelName } from "../../src/index.js";
import { seededModel } from "../cases/e2e.js";
import { batchesOf, loadBenchData, type Batch } from "../lib/data.js";

/** LeNet's parameters as PyTorch/torchlet lay them out, by state-dict name. */
export interface LeNetWeights {
  /** "1.weight" (6,1,5,5), "1.bias", "4.weight" (16,6,5,5), "4.bias", "8.weight" (120,400), "8.bias", "10.weight" (84,120), "10.bias", "12.weight" (10,84), "12.bias". */
  tensors: Record<string, { shape: readonly number[]; data: Float32Array }>;
}

/** One of the compared networks, with what every peer needs to run it. */
export interface ComparedModel {
  /** torchlet's name for it (createModel), which bench/pytorch_lenet.py takes too. */
  model: ModelName;
  /** What its case names start with: "LeNet train step, batch 256", "lenet-modern inference, batch 1". */
  label: string;
  /** The training step's optimizer, built the same way by torchlet and PyTorch: d2l's SGD for LeNet, d2l's Adam for the modern one. */
  optimizer: { name: "sgd" | "adam"; lr: number };
  /** The initial weights every peer starts from. */
  weights: LeNetWeights;
  /** torchlet's logits for batches[0] at the initial weights, (batch, 10), on the active (reference "ts") backend. */
  referenceLogits: Float32Array;
}

export interface CompareContext {
  /** Batch size of the train and batch inference cases. */
  batch: number;
  /** Training batches (views into the data) the train cases cycle through. */
  batches: Batch[];
  /** One image for the latency case. */
  one: Batch;
  /** d2l's LeNet: every peer runs it. */
  lenet: ComparedModel;
  /** lenet-modern: torchlet and PyTorch run it (the "same ratios as d2l's LeNet"). */
  modern: ComparedModel;
  /** Which data set the images came from. */
  dataNote: string;
  quick: boolean;
  smoke: boolean;
}

export const TRAIN_BATCHES = 4;

/** The networks torchlet and PyTorch both run, d2l's first. */
export function comparedModels(ctx: CompareContext): ComparedModel[] {
  return [ctx.lenet, ctx.modern];
}

function comparedModel(model: ModelName, label: string, optimizer: ComparedModel["optimizer"], x: Batch["x"]): ComparedModel {
  const net = seededModel(model);
  const tensors: LeNetWeights["tensors"] = {};
  for (const [name, p] of net.namedParameters()) tensors[name] = { shape: [...p.shape], data: Float32Array.from(p.data) };
  net.eval();
  const referenceLogits = Float32Array.from(noGrad(() => net.forward(x)).data);
  return { model, label, optimizer, weights: { tensors }, referenceLogits };
}

export function compareContext(batch: number, quick: boolean, smoke: boolean): CompareContext {
  const data = loadBenchData(Math.max(TRAIN_BATCHES * batch, 1));
  const batches = batchesOf(data, batch, TRAIN_BATCHES);
  const [one] = batchesOf(data, 1, 1);
  const x = batches[0]!.x;
  return {
    batch, batches, one: one!, dataNote: data.note, quick, smoke,
    lenet: comparedModel("lenet", "LeNet", { name: "sgd", lr: 0.9 }, x),
    modern: comparedModel("lenet-modern", "lenet-modern", { name: "adam", lr: 0.001 }, x),
  };
}

/** Largest |a[i] − b[i]|. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** The group names shared by every peer, so rows line up for the ratios. */
export const GROUPS = {
  train: "train step",
  infer: "inference",
  latency: "latency b1",
} as const;
