// What every compare peer gets: the same batches, the same initial weights
// (torchlet's seeded d2l LeNet, converted to each peer's layout), and the
// reference logits to check the peer computes the same network.

import { noGrad } from "../../src/index.js";
import { seededLenet } from "../cases/e2e.js";
import { batchesOf, loadBenchData, type Batch } from "../lib/data.js";

/** LeNet's parameters as PyTorch/torchlet lay them out, by state-dict name. */
export interface LeNetWeights {
  /** "1.weight" (6,1,5,5), "1.bias", "4.weight" (16,6,5,5), "4.bias", "8.weight" (120,400), "8.bias", "10.weight" (84,120), "10.bias", "12.weight" (10,84), "12.bias". */
  tensors: Record<string, { shape: readonly number[]; data: Float32Array }>;
}

export interface CompareContext {
  /** Batch size of the train and batch inference cases. */
  batch: number;
  /** Training batches (views into the data) the train cases cycle through. */
  batches: Batch[];
  /** One image for the latency case. */
  one: Batch;
  /** The initial weights every peer starts from. */
  weights: LeNetWeights;
  /** torchlet's logits for batches[0] at the initial weights, (batch, 10), on the active (reference "ts") backend. */
  referenceLogits: Float32Array;
  /** Which data set the images came from. */
  dataNote: string;
  quick: boolean;
  smoke: boolean;
}

export const TRAIN_BATCHES = 4;

export function compareContext(batch: number, quick: boolean, smoke: boolean): CompareContext {
  const data = loadBenchData(Math.max(TRAIN_BATCHES * batch, 1));
  const batches = batchesOf(data, batch, TRAIN_BATCHES);
  const [one] = batchesOf(data, 1, 1);
  const net = seededLenet();
  const tensors: LeNetWeights["tensors"] = {};
  for (const [name, p] of net.namedParameters()) tensors[name] = { shape: [...p.shape], data: Float32Array.from(p.data) };
  net.eval();
  const referenceLogits = Float32Array.from(noGrad(() => net.forward(batches[0]!.x)).data);
  return { batch, batches, one: one!, weights: { tensors }, referenceLogits, dataNote: data.note, quick, smoke };
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
