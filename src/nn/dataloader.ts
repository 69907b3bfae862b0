// DataLoader: mini-batches of (inputs, labels), optionally reshuffled every epoch.

import { TorchletError, checkInt, checkShape, describe, formatShape } from "../errors.js";
import { Tensor } from "../tensor/tensor.js";
import { defaultGenerator, type Generator } from "../tensor/random.js";

/** Examples stored row by row: inputs (count, ...sampleShape) and one integer label each. */
export interface LabeledData {
  /** Example i occupies inputs[i·size, (i+1)·size), size = product of sampleShape. */
  images: Float32Array;
  /** Class index of each example. */
  labels: Int32Array;
  /** Number of examples. */
  count: number;
  /** Shape of one example (default: flat, [images.length / count]). */
  sampleShape?: readonly number[];
}

/** Options of {@link DataLoader}. */
export interface DataLoaderOptions {
  /** Examples per batch (default 1). The last batch may be smaller unless dropLast. */
  batchSize?: number;
  /** Visit examples in a new random order every epoch (default false). */
  shuffle?: boolean;
  /** Generator for the shuffle (default: the global one). */
  generator?: Generator;
  /** Skip a last batch smaller than batchSize (default false). */
  dropLast?: boolean;
}

/** One batch: inputs (B, ...sampleShape) and labels (B). */
export type Batch = [inputs: Tensor, labels: Int32Array];

/**
 * Iterates over data in mini-batches, like `torch.utils.data.DataLoader`.
 * @example for (const [x, y] of new DataLoader(train, { batchSize: 256, shuffle: true })) { ... }
 */
export class DataLoader implements Iterable<Batch> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  private readonly generator: Generator;
  private readonly sampleShape: readonly number[];
  private readonly sampleSize: number;

  constructor(readonly data: LabeledData, options: DataLoaderOptions = {}) {
    if (typeof data !== "object" || data === null || !(data.images instanceof Float32Array) || !(data.labels instanceof Int32Array)) {
      throw new TorchletError("DataLoader", "INVALID_ARGUMENT", `data must be { images: Float32Array, labels: Int32Array, count }, got ${describe(data)}`);
    }
    const count = checkInt("DataLoader", "count", data.count, 0);
    if (data.labels.length !== count) {
      throw new TorchletError("DataLoader", "SHAPE_MISMATCH", `${data.labels.length} labels for ${count} examples`);
    }
    if (data.sampleShape !== undefined) {
      checkShape("DataLoader", data.sampleShape, "sampleShape");
    } else if (count > 0 && data.images.length % count !== 0) {
      throw new TorchletError("DataLoader", "SHAPE_MISMATCH", `${data.images.length} values do not split evenly into ${count} examples`);
    }
    this.sampleShape = data.sampleShape ?? [count === 0 ? 0 : data.images.length / count];
    this.sampleSize = this.sampleShape.reduce((a, b) => a * b, 1);
    if (this.sampleSize * count !== data.images.length) {
      throw new TorchletError("DataLoader", "SHAPE_MISMATCH", `${count} examples of shape ${formatShape(this.sampleShape)} need ${this.sampleSize * count} values, got ${data.images.length}`);
    }
    this.batchSize = checkInt("DataLoader", "batchSize", options.batchSize ?? 1, 1);
    this.shuffle = options.shuffle ?? false;
    this.dropLast = options.dropLast ?? false;
    this.generator = options.generator ?? defaultGenerator;
  }

  /** Number of batches per epoch. */
  get length(): number {
    const full = Math.floor(this.data.count / this.batchSize);
    return this.dropLast || this.data.count % this.batchSize === 0 ? full : full + 1;
  }

  *[Symbol.iterator](): Iterator<Batch> {
    const { count, images, labels } = this.data;
    // The order is drawn when iteration starts, so each epoch gets a fresh shuffle.
    const order = new Int32Array(count);
    for (let i = 0; i < count; i++) order[i] = i;
    if (this.shuffle) this.generator.shuffle(order);
    const size = this.sampleSize;
    for (let start = 0; start < count; start += this.batchSize) {
      const B = Math.min(this.batchSize, count - start);
      if (B < this.batchSize && this.dropLast) return;
      const x = new Float32Array(B * size); // (B, ...sampleShape)
      const y = new Int32Array(B); // (B)
      for (let b = 0; b < B; b++) {
        const i = order[start + b]!;
        x.set(images.subarray(i * size, (i + 1) * size), b * size);
        y[b] = labels[i]!;
      }
      yield [new Tensor(x, [B, ...this.sampleShape]), y];
    }
  }
}
