// The playground's model code and the weights it ships (playground/public/lenet-modern.safetensors).

import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { nn } from "../../src/index.js";
import { loadBundledMnist } from "../../src/node.js";
import { SOURCES, STAGES, loadLeNet, read } from "../../playground/model.js";
import { decodeDigits, encodeDigits, unpackDigits } from "../../playground/digits.js";
import { toMnist } from "../../playground/preprocess.js";
import { TEST_DIGITS, TRAIN_DIGITS, packDigits } from "../../vite.playground.config.js";
import { expectAllClose } from "../helpers/close.js";

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

describe("the digits file", () => {
  const sample = {
    train: { images: Float32Array.from({ length: 2 * 784 }, (_, i) => (i % 256) / 255), labels: Int32Array.from([3, 9]), count: 2 },
    test: { images: Float32Array.from({ length: 784 }, (_, i) => ((i * 7) % 256) / 255), labels: Int32Array.from([5]), count: 1 },
  };

  it("round-trips digits and labels through uint8 pixels, plain or gzipped", async () => {
    const bytes = encodeDigits(sample);
    expect(bytes.length).toBe(16 + 3 * 785);
    for (const decoded of [decodeDigits(bytes), await unpackDigits(gzipSync(bytes))]) {
      expect(Array.from(decoded.train.labels)).toEqual([3, 9]);
      expect(Array.from(decoded.test.labels)).toEqual([5]);
      expect(decoded.train.images).toEqual(sample.train.images.map((v) => Math.fround(Math.round(v * 255) / 255)));
      expect(decoded.test.count).toBe(1);
    }
  });

  it("refuses bytes that are not a digits file", () => {
    expect(() => decodeDigits(new Uint8Array(20))).toThrow(/not a digits file/);
    expect(() => decodeDigits(encodeDigits(sample).subarray(0, 100))).toThrow(/need/);
  });

  it("the build packs the first 4,000 training and 500 test digits of the embedded split, class-balanced, to within 1/255", async () => {
    const { train, test } = await unpackDigits(readFileSync(packDigits()));
    expect([train.count, test.count]).toEqual([TRAIN_DIGITS, TEST_DIGITS]);
    expect([TRAIN_DIGITS, TEST_DIGITS]).toEqual([4000, 500]);
    const source = loadBundledMnist();
    for (const [packed, original] of [[train, source.train], [test, source.test]] as const) {
      expect(Array.from(packed.labels)).toEqual(Array.from(original.labels.subarray(0, packed.count)));
      const perClass = new Array(10).fill(0);
      for (const label of packed.labels) perClass[label]++;
      expect(new Set(perClass).size).toBe(1);
      expectAllClose(packed.images, original.images.subarray(0, packed.images.length), 0, 0.5 / 255 + 1e-6, "packed vs original pixels", { requireFinite: true });
    }
  });
});
