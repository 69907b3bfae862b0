// DataLoader: batch counts, coverage, shuffling, shapes and argument errors.
// Every example's pixels encode its index, so each batch row can be checked
// against its label.

import { describe, expect, it } from "vitest";
import { Generator } from "../../src/tensor/index.js";
import { DataLoader, type Batch, type LabeledData } from "../../src/nn/index.js";
import { expectError } from "../helpers/errors.js";

/** `count` examples of shape [2, 3] (null: no sampleShape given); example i holds 1000·i + j at position j, and label i. */
function indexed(count: number, sampleShape: number[] | null = [2, 3]): LabeledData {
  const size = 6;
  const images = Float32Array.from({ length: count * size }, (_, k) => 1000 * Math.floor(k / size) + (k % size));
  const labels = Int32Array.from({ length: count }, (_, i) => i);
  return sampleShape === null ? { images, labels, count } : { images, labels, count, sampleShape };
}

/** The example indices of one epoch, checking that every row's pixels belong to its label. */
function epoch(loader: DataLoader): number[][] {
  const batches: number[][] = [];
  for (const [x, y] of loader as Iterable<Batch>) {
    const size = x.numel / x.shape[0]!;
    expect(y.length).toBe(x.shape[0]);
    for (let b = 0; b < y.length; b++) {
      for (let j = 0; j < size; j++) expect(x.data[b * size + j]).toBe(1000 * y[b]! + j);
    }
    batches.push(Array.from(y));
  }
  return batches;
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe("batches", () => {
  it("10 examples in batches of 4: sizes 4, 4, 2; with dropLast 4, 4", () => {
    const loader = new DataLoader(indexed(10), { batchSize: 4 });
    expect(loader.length).toBe(3);
    const batches = epoch(loader);
    expect(batches.map((b) => b.length)).toEqual([4, 4, 2]);
    const dropped = new DataLoader(indexed(10), { batchSize: 4, dropLast: true });
    expect(dropped.length).toBe(2);
    expect(epoch(dropped).map((b) => b.length)).toEqual([4, 4]);
  });

  it("an exact multiple has no partial batch, with or without dropLast", () => {
    for (const dropLast of [false, true]) {
      const loader = new DataLoader(indexed(10), { batchSize: 5, dropLast });
      expect(loader.length).toBe(2);
      expect(epoch(loader).map((b) => b.length)).toEqual([5, 5]);
    }
  });

  it("batchSize larger than the data gives one batch (none with dropLast)", () => {
    expect(epoch(new DataLoader(indexed(3), { batchSize: 8 }))).toEqual([[0, 1, 2]]);
    const dropped = new DataLoader(indexed(3), { batchSize: 8, dropLast: true });
    expect(dropped.length).toBe(0);
    expect(epoch(dropped)).toEqual([]);
  });

  it("the default batch size is 1; an empty dataset yields nothing", () => {
    expect(epoch(new DataLoader(indexed(3)))).toEqual([[0], [1], [2]]);
    const empty = new DataLoader({ images: new Float32Array(0), labels: new Int32Array(0), count: 0, sampleShape: [2, 3] }, { batchSize: 4 });
    expect(empty.length).toBe(0);
    expect(epoch(empty)).toEqual([]);
  });

  it("batch tensors have shape (B, ...sampleShape); without sampleShape, (B, size)", () => {
    const shapes = [...new DataLoader(indexed(5), { batchSize: 2 })].map(([x]) => [...x.shape]);
    expect(shapes).toEqual([
      [2, 2, 3],
      [2, 2, 3],
      [1, 2, 3],
    ]);
    const flat = [...new DataLoader(indexed(5, null), { batchSize: 2 })].map(([x]) => [...x.shape]);
    expect(flat).toEqual([
      [2, 6],
      [2, 6],
      [1, 6],
    ]);
    const images = [...new DataLoader({ ...indexed(4), sampleShape: [1, 2, 3] }, { batchSize: 4 })][0]![0];
    expect(images.shape).toEqual([4, 1, 2, 3]);
  });

  it("batches are copies: writing to one leaves the dataset alone", () => {
    const data = indexed(4);
    const [[x]] = [...new DataLoader(data, { batchSize: 4 })];
    x!.data.fill(-1);
    expect(data.images[7]).toBe(1001);
  });
});

describe("order", () => {
  it("without shuffle the order is the identity, every epoch", () => {
    const loader = new DataLoader(indexed(10), { batchSize: 3 });
    expect(epoch(loader).flat()).toEqual(range(10));
    expect(epoch(loader).flat()).toEqual(range(10));
  });

  it("with shuffle every example appears exactly once per epoch", () => {
    const loader = new DataLoader(indexed(37), { batchSize: 5, shuffle: true, generator: new Generator(1) });
    for (let e = 0; e < 3; e++) {
      const order = epoch(loader).flat();
      expect(order).toHaveLength(37);
      expect([...order].sort((a, b) => a - b)).toEqual(range(37));
    }
  });

  it("shuffling with a seeded generator is reproducible, and differs between epochs", () => {
    const a = new DataLoader(indexed(50), { batchSize: 7, shuffle: true, generator: new Generator(42) });
    const b = new DataLoader(indexed(50), { batchSize: 7, shuffle: true, generator: new Generator(42) });
    const a1 = epoch(a).flat();
    const a2 = epoch(a).flat();
    expect(epoch(b).flat()).toEqual(a1);
    expect(epoch(b).flat()).toEqual(a2);
    expect(a2).not.toEqual(a1);
    expect(a1).not.toEqual(range(50));
    const c = new DataLoader(indexed(50), { batchSize: 7, shuffle: true, generator: new Generator(43) });
    expect(epoch(c).flat()).not.toEqual(a1);
  });

  it("with shuffle and dropLast each epoch has distinct examples, and the dropped ones vary", () => {
    const loader = new DataLoader(indexed(10), { batchSize: 4, shuffle: true, dropLast: true, generator: new Generator(3) });
    const seen = new Set<number>();
    for (let e = 0; e < 10; e++) {
      const order = epoch(loader).flat();
      expect(order).toHaveLength(8);
      expect(new Set(order).size).toBe(8);
      order.forEach((i) => seen.add(i));
    }
    expect(seen.size).toBe(10);
  });
});

describe("errors", () => {
  it("labels that do not match the count", () => {
    const data = indexed(10);
    expectError(() => new DataLoader({ ...data, labels: new Int32Array(3) }), "SHAPE_MISMATCH", "3 labels", "10 examples");
  });

  it("images that do not match count × sampleShape", () => {
    const data = indexed(10);
    expectError(() => new DataLoader({ ...data, images: data.images.subarray(0, 59) }), "SHAPE_MISMATCH", "10 examples", "[2,3]", "60", "59");
    expectError(() => new DataLoader({ ...data, sampleShape: [7] }), "SHAPE_MISMATCH", "[7]", "70", "60");
  });

  it("images that do not split evenly into count examples (no sampleShape)", () => {
    // 10 values for 3 examples: 10/3·3 === 10 in float64, so a check of the product alone misses this.
    expectError(() => new DataLoader({ images: new Float32Array(10), labels: new Int32Array(3), count: 3 }), "SHAPE_MISMATCH", "10", "3 examples");
    expectError(() => new DataLoader({ images: new Float32Array(7), labels: new Int32Array(3), count: 3 }), "SHAPE_MISMATCH", "7", "3 examples");
  });

  it("a sampleShape with negative or fractional dims", () => {
    const data = indexed(2);
    // (−2)·(−3) = 6 matches the size, but it is no shape.
    expectError(() => new DataLoader({ ...data, sampleShape: [-2, -3] }), "INVALID_ARGUMENT", "sampleShape", "-2");
    expectError(() => new DataLoader({ ...data, sampleShape: [1.5, 4] }), "INVALID_ARGUMENT", "sampleShape", "1.5");
  });

  it("data of the wrong types", () => {
    const data = indexed(2);
    expectError(() => new DataLoader({ ...data, images: Array.from(data.images) as unknown as Float32Array }), "INVALID_ARGUMENT", "Float32Array");
    expectError(() => new DataLoader({ ...data, labels: Float32Array.from(data.labels) as unknown as Int32Array }), "INVALID_ARGUMENT", "Int32Array");
    expectError(() => new DataLoader(null as unknown as LabeledData), "INVALID_ARGUMENT", "null");
    expectError(() => new DataLoader({ ...data, count: 1.5 }), "INVALID_ARGUMENT", "count", "1.5");
  });

  it("batchSize 0, negative or fractional", () => {
    expectError(() => new DataLoader(indexed(4), { batchSize: 0 }), "INVALID_ARGUMENT", "batchSize", "≥ 1", "0");
    expectError(() => new DataLoader(indexed(4), { batchSize: -2 }), "INVALID_ARGUMENT", "batchSize", "-2");
    expectError(() => new DataLoader(indexed(4), { batchSize: 2.5 }), "INVALID_ARGUMENT", "batchSize", "2.5");
    expectError(() => new DataLoader(indexed(4), { batchSize: Number.NaN }), "INVALID_ARGUMENT", "batchSize", "NaN");
  });
});
