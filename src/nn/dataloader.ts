// DataLoader: mini-batches of (inputs, labels), optionally reshuffled every epoch.

import { TorchletError, checkInt, checkShape, describe, formatShape, checkArity, checkOptionKeys } from "../errors.js";
import { Tensor } from "../tensor/tensor.js";
import { checkGenerator, type Generator } from "../tensor/random.js";

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

/** The keys of {@link DataLoaderOptions}. */
const DATALOADER_OPTIONS: readonly string[] = ["batchSize", "shuffle", "generator", "dropLast"];

/** DataLoader options PyTorch has and torchlet does not implement yet. */
const DATALOADER_OPTIONS_NOT_YET: readonly string[] = [
  "sampler", "batchSampler", "numWorkers", "collateFn", "pinMemory", "timeout", "workerInitFn",
  "multiprocessingContext", "prefetchFactor", "persistentWorkers", "pinMemoryDevice", "inOrder",
];

/** One batch: inputs (B, ...sampleShape) and labels (B). */
export type Batch = [inputs: Tensor, labels: Int32Array];

/**
 * Iterates over data in mini-batches, like `torch.utils.data.DataLoader`.
 * @example for (const [x, y] of new DataLoader(train, { batchSize: 256, shuffle: true })) { ... }
 */
export class DataLoader implements Iterable<Batch> {
  /** Examples per batch. */
  readonly batchSize: number;
  /** Whether each epoch visits the examples in a fresh random order. */
  readonly shuffle: boolean;
  /** Whether a last batch smaller than batchSize is skipped. */
  readonly dropLast: boolean;
  private readonly generator: Generator;
  private readonly sampleShape: readonly number[];
  private readonly sampleSize: number;

  /**
   * @param data the examples to batch (not copied).
   * @param options batch size, shuffling, generator and dropLast.
   * @throws TorchletError when the label count, sample shape or value count do not fit together, or batchSize is not an integer ≥ 1.
   */
  constructor(readonly data: LabeledData, options: DataLoaderOptions = {}) {
    checkArity("DataLoader", arguments, ["data", "options"]);
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
    checkOptionKeys("DataLoader", options, DATALOADER_OPTIONS, DATALOADER_OPTIONS_NOT_YET);
    this.batchSize = checkInt("DataLoader", "batchSize", options.batchSize ?? 1, 1);
    this.shuffle = options.shuffle ?? false;
    this.dropLast = options.dropLast ?? false;
    this.generator = checkGenerator("DataLoader", options.generator);
  }

  /** Number of batches per epoch. */
  get length(): number {
    const full = Math.floor(this.data.count / this.batchSize);
    return this.dropLast || this.data.count % this.batchSize === 0 ? full : full + 1;
  }

  /** One epoch: yields [inputs (B, ...sampleShape), labels (B)] batch by batch, each in freshly allocated arrays. */
  *[Symbol.iterator](): Iterator<Batch> {
    const order = this.epochOrder();
    for (let start = 0; start < this.data.count; start += this.batchSize) {
      const B = Math.min(this.batchSize, this.data.count - start);
      if (B < this.batchSize && this.dropLast) return;
      const x = new Float32Array(B * this.sampleSize); // (B, ...sampleShape)
      const y = new Int32Array(B); // (B)
      this.gather(order, start, B, x, y);
      yield [new Tensor(x, [B, ...this.sampleShape]), y];
    }
  }

  /**
   * One epoch that fills the caller's buffers instead of allocating: for each
   * batch, copies the inputs into `x` (batchSize × sample) and labels into `y`,
   * then yields the batch's size. Skips the first `startBatch` batches (to
   * resume an epoch) after drawing the same shuffle the full epoch would.
   */
  *batchesInto(x: Float32Array, y: Int32Array, startBatch = 0): IterableIterator<number> {
    if (!(x instanceof Float32Array) || !(y instanceof Int32Array)) {
      throw new TorchletError("DataLoader.batchesInto", "INVALID_ARGUMENT", `buffers must be a Float32Array and an Int32Array, got ${describe(x)} and ${describe(y)}`);
    }
    if (x.length < this.batchSize * this.sampleSize || y.length < this.batchSize) {
      throw new TorchletError("DataLoader.batchesInto", "SHAPE_MISMATCH", `buffers hold ${x.length} inputs and ${y.length} labels; a batch needs ${this.batchSize * this.sampleSize} and ${this.batchSize}`);
    }
    checkInt("DataLoader.batchesInto", "startBatch", startBatch, 0);
    const order = this.epochOrder();
    for (let start = startBatch * this.batchSize; start < this.data.count; start += this.batchSize) {
      const B = Math.min(this.batchSize, this.data.count - start);
      if (B < this.batchSize && this.dropLast) return;
      this.gather(order, start, B, x, y);
      yield B;
    }
  }

  // The visiting order of one epoch, drawn when the epoch starts so each epoch gets a fresh shuffle.
  private epochOrder(): Int32Array {
    const order = new Int32Array(this.data.count);
    for (let i = 0; i < order.length; i++) order[i] = i;
    if (this.shuffle) this.generator.shuffle(order);
    return order;
  }

  // x[b] = images[order[start + b]], y[b] = labels[order[start + b]] for b < B.
  private gather(order: Int32Array, start: number, B: number, x: Float32Array, y: Int32Array): void {
    const { images, labels } = this.data;
    const size = this.sampleSize;
    for (let b = 0; b < B; b++) {
      const i = order[start + b]!;
      const from = i * size, to = b * size;
      for (let j = 0; j < size; j++) x[to + j] = images[from + j]!;
      y[b] = labels[i]!;
    }
  }
}
