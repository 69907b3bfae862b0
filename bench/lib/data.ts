// The images the end-to-end cases train and infer on: real Fashion-MNIST when
// it is installed (/usr/share/datasets/fashion-mnist), else the embedded MNIST digits.

import { loadDataset } from "../../src/data/files.js";
import { Tensor } from "../../src/index.js";

export interface BenchData {
  /** "fashion-mnist/train" or "mnist/train". */
  name: string;
  /** (count, 1, 28, 28), in [0, 1]. Its own copy: nothing else of the dataset is kept alive. */
  images: Float32Array;
  labels: Int32Array;
  count: number;
  /** Said in the rows' notes. */
  note: string;
}

const PIXELS = 28 * 28;
let cached: BenchData | undefined;

/**
 * The first `count` training examples (copied out, so the rest of the dataset can be
 * garbage-collected before anything is measured).
 */
export function loadBenchData(count = 4096): BenchData {
  if (cached && cached.count >= count) return cached;
  let name: string, images: Float32Array, labels: Int32Array, note: string;
  try {
    const { train } = loadDataset("fashion-mnist");
    ({ name, images, labels } = train);
    note = "Fashion-MNIST";
  } catch (error) {
    const { train } = loadDataset("mnist");
    ({ name, images, labels } = train);
    note = `embedded MNIST (Fashion-MNIST unavailable: ${(error as Error).message.split(".")[0]})`;
  }
  const n = Math.min(count, labels.length);
  cached = { name, images: images.slice(0, n * PIXELS), labels: labels.slice(0, n), count: n, note };
  return cached;
}

export interface Batch {
  /** (B, 1, 28, 28): a view of the data, not a copy. */
  x: Tensor;
  labels: Int32Array;
  /** The same pixels as a plain view (for other libraries). */
  pixels: Float32Array;
}

/** Up to `howMany` consecutive batches of `batchSize` (views into data). */
export function batchesOf(data: BenchData, batchSize: number, howMany: number): Batch[] {
  const out: Batch[] = [];
  for (let b = 0; b < howMany && (b + 1) * batchSize <= data.count; b++) {
    const pixels = data.images.subarray(b * batchSize * PIXELS, (b + 1) * batchSize * PIXELS);
    out.push({ x: new Tensor(pixels, [batchSize, 1, 28, 28]), labels: data.labels.subarray(b * batchSize, (b + 1) * batchSize), pixels });
  }
  if (out.length === 0) throw new Error(`need at least ${batchSize} examples, have ${data.count}`);
  return out;
}
