// Data for models beyond LeNet: loadDataset's splits batch as (B, 1, 28, 28) and
// feed a convnet directly; TensorDataset takes any integer labels and batches
// any sample shape.

import { describe, expect, it } from "vitest";
import { loadDataset } from "../../src/data/files.js";
import { subset } from "../../src/data/dataset.js";
import { Conv2d, DataLoader, Flatten, Linear, MaxPool2d, ReLU, Sequential, TensorDataset } from "../../src/nn/index.js";
import { Generator, Tensor, tensor } from "../../src/tensor/index.js";
import { evaluate } from "../../src/lenet/train.js";
import { expectError } from "../helpers/errors.js";

describe("loadDataset's splits", () => {
  it("come out as documented, (count, 1, 28, 28): a DataLoader batch feeds a convnet with no Reshape", () => {
    const { test } = loadDataset("mnist");
    expect(test.sampleShape).toEqual([1, 28, 28]);
    expect(subset(test, 0, 10).sampleShape).toEqual([1, 28, 28]);
    const [x, y] = new DataLoader(subset(test, 0, 70), { batchSize: 64 })[Symbol.iterator]().next().value!;
    expect(x.shape).toEqual([64, 1, 28, 28]);
    expect(Array.from(x.data.subarray(0, 784))).toEqual(Array.from(test.images.subarray(0, 784)));
    const g = new Generator(0);
    const convnet = new Sequential(new Conv2d(1, 4, 5, { padding: 2, generator: g }), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(4 * 14 * 14, 10, { generator: g }));
    expect(convnet.forward(x).shape).toEqual([64, 10]);
    expect(y).toHaveLength(64);
    expect(evaluate(convnet, subset(test, 0, 70), 32).acc).toBeGreaterThanOrEqual(0); // the eager evaluate batches it the same way
  });
});

describe("TensorDataset", () => {
  const inputs = () => new Tensor(Float32Array.from({ length: 5 * 2 * 3 }, (_, i) => i), [5, 2, 3]);

  it("takes any integer labels and batches any sample shape", () => {
    for (const labels of [[0, 4, 2, 7, 1], Uint8Array.of(0, 4, 2, 7, 1), Int32Array.of(0, 4, 2, 7, 1), tensor([0, 4, 2, 7, 1])]) {
      const data = new TensorDataset(inputs(), labels);
      expect(data.length).toBe(5);
      expect(data.sampleShape).toEqual([2, 3]);
      const batches = [...new DataLoader(data, { batchSize: 2 })];
      expect(batches.map(([x]) => x.shape)).toEqual([[2, 2, 3], [2, 2, 3], [1, 2, 3]]);
      expect(batches.flatMap(([, y]) => Array.from(y))).toEqual([0, 4, 2, 7, 1]);
    }
  });

  it("get(i) is example i (sharing the data) and its label, as dataset[i]", () => {
    const data = new TensorDataset(inputs(), [9, 8, 7, 6, 5]);
    const [x, y] = data.get(1);
    expect(x.shape).toEqual([2, 3]);
    expect(Array.from(x.data)).toEqual([6, 7, 8, 9, 10, 11]);
    expect(y).toBe(8);
    expectError(() => data.get(5), "OUT_OF_RANGE", "index 5", "5 examples");
  });

  it("refuses labels that do not fit", () => {
    expectError(() => new TensorDataset(inputs(), [1, 2]), "SHAPE_MISMATCH", "2 labels for 5 examples", "[5,2,3]");
    expectError(() => new TensorDataset(inputs(), [0, 1, 2.5, 3, 4]), "INVALID_ARGUMENT", "label 2.5 at index 2");
    expectError(() => new TensorDataset(inputs(), "01234" as unknown as number[]), "INVALID_ARGUMENT", "labels must be an array");
    expectError(() => new TensorDataset(tensor(3), [1]), "SHAPE_MISMATCH", "scalar");
    expectError(() => new TensorDataset([1, 2] as unknown as Tensor, [1, 2]), "INVALID_ARGUMENT", "inputs must be a Tensor");
  });
});
