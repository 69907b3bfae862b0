// The playground's model code and the weights it ships (playground/public/lenet-modern.safetensors).

import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { encodeIdx, nn } from "../../src/index.js";
import { EMBEDDED_MNIST_DIR, loadBundledMnist } from "../../src/node.js";
import { SOURCES, STAGES, loadLeNet, read } from "../../playground/model.js";
import { decodeDigits, fetchDigits, type DigitsUrls } from "../../playground/digits.js";
import { toMnist } from "../../playground/preprocess.js";
import { serveStatic } from "../../playground/server/serve.js";

const root = resolve(import.meta.dirname, "../..");
const weights = readFileSync(join(root, "playground/public/lenet-modern.safetensors"));

describe("the shipped weights", () => {
  const { test } = loadBundledMnist();

  it("are lenet-modern and score what the CLI printed (0.977) on the 2,000 embedded test digits", () => {
    const net = loadLeNet(weights, "lenet-modern");
    const plan = new nn.Plan(net, { batchSize: 250, sampleShape: [784] });
    const { acc } = plan.evaluateDataset(test);
    plan.dispose();
    expect(acc).toBeGreaterThanOrEqual(0.97);
  });

  it("still score ≥ 0.95 after the page's preprocessing (bounding box → 20 px → centre of mass)", () => {
    const net = loadLeNet(weights, "lenet-modern");
    let correct = 0;
    const n = 500;
    for (let i = 0; i < n; i++) {
      const input = toMnist(test.images.subarray(i * 784, (i + 1) * 784), 28, 28)!;
      if (read(net, input).digit === test.labels[i]) correct++;
    }
    expect(correct / n).toBeGreaterThanOrEqual(0.95);
  });
});

describe("read", () => {
  it("returns every stage the layer panel draws, with LeNet's shapes, and probabilities that sum to 1", () => {
    const net = loadLeNet(weights, "lenet-modern");
    const { test } = loadBundledMnist();
    const reading = read(net, test.images.subarray(0, 784));
    expect(reading.stages.map((s) => [s.stage.id, s.shape])).toEqual([
      ["conv1", [1, 6, 28, 28]],
      ["pool1", [1, 6, 14, 14]],
      ["conv2", [1, 16, 10, 10]],
      ["pool2", [1, 16, 5, 5]],
      ["fc1", [1, 120]],
      ["fc2", [1, 84]],
      ["fc3", [1, 10]],
    ]);
    expect(reading.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(reading.digit).toBe(test.labels[0]);
    expect(reading.stages[0]!.ops.map((o) => o.source)).toEqual(["src/ops/conv2d.ts", "src/ops/relu.ts"]);
    expect(reading.stages[0]!.ops[0]!.op).toMatch(/^Conv2d\(1, 6, /);
  });

  it("links only to source files that exist", () => {
    for (const path of Object.values(SOURCES)) expect(existsSync(join(root, path)), path).toBe(true);
    expect(STAGES.flatMap((s) => s.layers)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });
});

describe("the digits (torchlet's embedded MNIST files)", () => {
  const files = {
    trainImages: "train-images-idx3-ubyte.gz",
    trainLabels: "train-labels-idx1-ubyte.gz",
    testImages: "t10k-images-idx3-ubyte.gz",
    testLabels: "t10k-labels-idx1-ubyte.gz",
  };

  it("are fetched over HTTP, inflated with DecompressionStream and parsed into exactly what loadDataset(\"mnist\") gives", async () => {
    const server = await serveStatic(EMBEDDED_MNIST_DIR);
    try {
      const urls = Object.fromEntries(Object.entries(files).map(([key, file]) => [key, new URL(file, server.url).href])) as unknown as DigitsUrls;
      const { train, test } = await fetchDigits(urls);
      const source = loadBundledMnist();
      for (const [fetched, original] of [[train, source.train], [test, source.test]] as const) {
        expect([fetched.name, fetched.count]).toEqual([original.name, original.count]);
        expect(Buffer.from(fetched.images.buffer).equals(Buffer.from(original.images.buffer))).toBe(true);
        expect(Buffer.from(fetched.labels.buffer).equals(Buffer.from(original.labels.buffer))).toBe(true);
      }
      await expect(fetchDigits({ ...urls, testLabels: new URL("missing.gz", server.url).href })).rejects.toThrow(/missing\.gz: HTTP 404/);
    } finally {
      await server.close();
    }
  });

  it("read plain IDX bytes as well as gzipped ones: pixels byte / 255", async () => {
    const images = encodeIdx([1, 28, 28], Uint8Array.from({ length: 784 }, (_, i) => i % 256));
    const labels = encodeIdx([1], Uint8Array.of(7));
    const { train, test } = await decodeDigits({ trainImages: gzipSync(images), trainLabels: labels, testImages: images, testLabels: gzipSync(labels) });
    for (const split of [train, test]) {
      expect([split.count, split.labels[0], split.images[255], split.images[256]]).toEqual([1, 7, 1, 0]);
      expect(split.images[51]).toBe(Math.fround(0.2));
    }
  });

  it("refuses bytes that are not IDX files, naming which file", async () => {
    const labels = encodeIdx([1], Uint8Array.of(7));
    await expect(decodeDigits({ trainImages: new Uint8Array(20), trainLabels: labels, testImages: new Uint8Array(20), testLabels: labels })).rejects.toThrow(/^idx: train images: element type code is 0x00/);
  });
});
