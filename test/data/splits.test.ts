// Loading one split (loadSplit, and the CLI's eval and predict) reads only that
// split's files; the data-folder option has one name, `data`, like the CLI's --data.

import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EMBEDDED_MNIST_DIR, loadDataset, loadSplit, type LoadDatasetOptions } from "../../src/data/files.js";
import { save } from "../../src/io/files.js";
import { createModel } from "../../src/lenet/models.js";
import { run } from "../../src/cli/main.js";
import type { Output } from "../../src/cli/commands.js";
import { expectError } from "../helpers/errors.js";

const work = mkdtempSync(join(tmpdir(), "torchlet-splits-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// A data folder with the embedded test files and the given train files.
function dataDir(name: string, train: Record<string, Uint8Array>): string {
  const dir = join(work, name);
  mkdirSync(dir);
  for (const file of ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]) copyFileSync(join(EMBEDDED_MNIST_DIR, file), join(dir, file));
  for (const [file, bytes] of Object.entries(train)) writeFileSync(join(dir, file), bytes);
  return dir;
}

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "", err = "";
  const io: Output = { out: { write: (text: string) => (out += text) }, err: { write: (text: string) => (err += text), isTTY: false } };
  const code = await run(argv, io);
  return { code, out, err };
}

describe("loadSplit", () => {
  it("loads one split, the same examples loadDataset gives", () => {
    const both = loadDataset("mnist");
    const test = loadSplit("mnist", "test");
    expect([test.name, test.count]).toEqual(["mnist/test", 2000]);
    expect(Buffer.from(test.images.buffer).equals(Buffer.from(both.test.images.buffer))).toBe(true);
    expect(Array.from(test.labels)).toEqual(Array.from(both.test.labels));
    expect(loadSplit("mnist", "train").count).toBe(8000);
  });

  it("reads only that split's files: a folder without training files still gives its test split", () => {
    const dir = dataDir("test-only", {});
    expect(loadSplit("mnist", "test", { data: dir }).count).toBe(2000);
    expectError(() => loadSplit("mnist", "train", { data: dir }), "NOT_FOUND", "found neither train-images-idx3-ubyte nor train-images-idx3-ubyte.gz");
    expectError(() => loadDataset("mnist", { data: dir }), "NOT_FOUND", "train-images-idx3-ubyte");
  });

  it("refuses a split other than train or test", () => {
    expectError(() => loadSplit("mnist", "validation" as never), "INVALID_ARGUMENT", 'split must be "train" or "test", got "validation"');
  });
});

describe("the data-folder option is `data`, like the CLI's --data", () => {
  it("refuses the old name dataDir, and any other unknown option, with a did-you-mean instead of loading the default data", () => {
    const dir = dataDir("renamed", {});
    expectError(() => loadDataset("mnist", { dataDir: dir } as LoadDatasetOptions), "INVALID_ARGUMENT", 'unknown option "dataDir"; did you mean "data"');
    expectError(() => loadSplit("fashion-mnist", "test", { datadir: dir } as LoadDatasetOptions), "INVALID_ARGUMENT", 'unknown option "datadir"; did you mean "data"');
    expectError(() => loadSplit("mnist", "test", { data: "" }), "INVALID_ARGUMENT", 'option "data" must be a non-empty directory path, got ""');
    expectError(() => loadSplit("mnist", "test", { data: 3 } as never), "INVALID_ARGUMENT", 'option "data" must be a non-empty directory path, got 3');
    expectError(() => loadSplit("mnist", "test", "dir" as never), "INVALID_ARGUMENT", "options must be an object");
  });

  it("the CLI names its flag --data and points --data-dir and --dataDir at it", async () => {
    for (const wrong of ["--data-dir", "--dataDir"]) {
      const r = await cli("eval", "--weights", "w.safetensors", wrong, work);
      expect(r.code).toBe(2);
      expect(r.err).toContain(`unknown option ${wrong} for "torchlet eval" (did you mean --data?)`);
    }
  });
});

describe("eval and predict load only the test split", () => {
  const weights = join(work, "lenet.safetensors");
  save(createModel("lenet"), weights, { model: "lenet", dataset: "mnist" });
  const corrupt = { "train-images-idx3-ubyte.gz": new Uint8Array([0x1f, 0x8b, 8, 0, 1, 2, 3]), "train-labels-idx1-ubyte": new Uint8Array([0, 0, 8, 1]) };

  it("a corrupt training file breaks train, as it should", async () => {
    const r = await cli("train", "--data", dataDir("corrupt-for-train", corrupt), "--epochs", "1", "--backend", "ts");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^torchlet: idx: \S+train-images-idx3-ubyte\.gz: corrupt or truncated gzip data/);
  });

  it("but not eval or predict, which never read it", async () => {
    const dir = dataDir("corrupt-train", corrupt);
    const evaluated = await cli("eval", "--weights", weights, "--data", dir, "--json");
    expect(evaluated.code, evaluated.err).toBe(0);
    expect(JSON.parse(evaluated.out)).toMatchObject({ dataset: "mnist", examples: 2000 });
    const predicted = await cli("predict", "--weights", weights, "--data", dir, "7", "--json");
    expect(predicted.code, predicted.err).toBe(0);
    expect(JSON.parse(predicted.out)).toMatchObject({ input: "7", label: 7 }); // test example i is a digit i mod 10
  });
});
