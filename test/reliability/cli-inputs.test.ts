// Inputs that look valid but cannot give a meaningful answer: empty data
// sets, weights holding NaN or Infinity, weights of an unknown model or of no
// named model, a test-set index that is not one, and checkpoints edited to
// claim a position or a run they do not hold. Each is an error naming the
// problem (exit 1, no stack), and nothing is written.

import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeIdx } from "../../src/data/idx.js";
import { deserialize, serialize } from "../../src/io/safetensors.js";
import { ensureBuilt, makeTinyMnist, start, torchlet } from "./helpers.js";

const work = mkdtempSync(join(tmpdir(), "torchlet-cli-inputs-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let data = "";
const run = (args: string[], cwd = work) => start(args, cwd).done;
const noStack = (stderr: string) => expect(stderr).not.toMatch(/\n\s+at /);
const trainArgs = () => ["train", "--data", data, "--epochs", "1", "--batch-size", "64", "--threads", "1", "--model", "lenet-modern"];

/** A copy of the tiny data directory with one split replaced by 0 valid images. */
function emptySplit(prefix: "train" | "t10k"): string {
  const dir = mkdtempSync(join(work, `empty-${prefix}-`));
  for (const f of readdirSync(data)) copyFileSync(join(data, f), join(dir, f));
  writeFileSync(join(dir, `${prefix}-images-idx3-ubyte`), encodeIdx([0, 28, 28], new Uint8Array(0)));
  writeFileSync(join(dir, `${prefix}-labels-idx1-ubyte`), encodeIdx([0], new Uint8Array(0)));
  return dir;
}

/** The trained weights with their tensors and metadata changed. */
function edited(name: string, change: (tensors: ReturnType<typeof deserialize>["tensors"], metadata: Record<string, string>) => void, from = "w.safetensors"): string {
  const { tensors, metadata } = deserialize(readFileSync(join(work, from)));
  change(tensors, metadata);
  writeFileSync(join(work, name), serialize(tensors, metadata));
  return join(work, name);
}

beforeAll(async () => {
  ensureBuilt();
  data = makeTinyMnist(join(work, "data"), 128, 32);
  const r = await run([...trainArgs(), "--out", "w.safetensors", "--checkpoint", "ck.safetensors"]);
  expect(r.code, r.stderr).toBe(0);
});

describe("empty data sets", () => {
  it("train on 0 training images: a clear error before training, and no file written", async () => {
    const dir = mkdtempSync(join(work, "out-"));
    const r = await run([...trainArgs().map((a) => (a === data ? emptySplit("train") : a)), "--out", "w.st", "--checkpoint", "ck.st", "--plot", "p.svg"], dir);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr.trim()).toMatch(/^torchlet: dataset mnist\/train: the training set in \S+ holds 0 images; there is nothing to train on$/);
    expect(r.stdout).toBe("");
    expect(readdirSync(dir)).toEqual([]);
  });

  it("eval on 0 test images: a clear error, not a score of 0/0", async () => {
    const r = await run(["eval", "--weights", "w.safetensors", "--data", emptySplit("t10k")]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr.trim()).toMatch(/^torchlet: dataset mnist\/test: the test set in \S+ holds 0 images; there is nothing to test$/);
    expect(r.stdout).toBe("");
  });

  it("predict by index on 0 test images says the set is empty (no \"0–-1\")", async () => {
    const r = await run(["predict", "--weights", "w.safetensors", "--data", emptySplit("t10k"), "0"]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe("torchlet: predict: index 0: the mnist test set is empty, so there is no example to predict");
  });
});

describe("test-set indices", () => {
  const cases: [string, string][] = [
    ["-1", "torchlet: predict: index -1 is negative; the mnist test set has 32 examples, numbered 0–31"],
    ["1.5", "torchlet: predict: index 1.5 is not a whole number in decimal digits; the mnist test set has 32 examples, numbered 0–31"],
    ["+3", "torchlet: predict: index +3 is not a whole number in decimal digits; the mnist test set has 32 examples, numbered 0–31"],
    ["32", "torchlet: predict: index 32 is past the end of the mnist test set (32 examples, 0–31)"],
  ];
  it.concurrent.each(cases)("predict %s", async (index, message) => {
    const r = await run(["predict", "--weights", "w.safetensors", "--data", data, "--", index]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr.trim()).toBe(message);
  });
});

describe("weights that cannot give a meaningful answer", () => {
  it("NaN or Infinity in a tensor: eval and predict refuse, naming the tensor; --allow-nonfinite lets them run", async () => {
    const nan = edited("nan.safetensors", (t) => void (t["4.weight"]!.data[7] = NaN));
    const inf = edited("inf.safetensors", (t) => void (t["12.bias"]!.data[3] = -Infinity));
    const e = await run(["eval", "--weights", nan, "--data", data]);
    expect(e.code).toBe(1);
    expect(e.stderr.trim()).toBe(`torchlet: weights: ${nan}: tensor "4.weight" holds NaN at index 7: weights from a run that diverged or a damaged file (pass --allow-nonfinite to use them anyway)`);
    noStack(e.stderr);
    const p = await run(["predict", "--weights", inf, "--data", data, "--json", "3"]);
    expect(p.code).toBe(1);
    expect(p.stderr).toContain('tensor "12.bias" holds -Infinity at index 3');
    expect(p.stdout).toBe("");
    const allowed = await run(["eval", "--weights", nan, "--data", data, "--allow-nonfinite", "--json"]);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(JSON.parse(allowed.stdout).examples).toBe(32);
  });

  it("metadata naming an unknown model is an error naming it", async () => {
    const resnet = edited("resnet.safetensors", (_, m) => void (m.model = "resnet"));
    for (const args of [[], ["--model", "lenet"]]) {
      const r = await run(["eval", "--weights", resnet, "--data", data, ...args]);
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toBe(`torchlet: weights: ${resnet}: holds a model named "resnet" in its metadata, which torchlet cannot build (it knows lenet, lenet-modern)`);
    }
  });

  it("no model in the metadata: lenet-modern weights do not load silently into lenet; --model says which", async () => {
    const bare = edited("bare.safetensors", (_, m) => void delete m.model);
    const r = await run(["eval", "--weights", bare, "--data", data]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`torchlet: weights: ${bare}: does not say which network it holds (no "model" in its metadata), and lenet and lenet-modern have the same tensor names and shapes: give --model lenet or --model lenet-modern`);
    const named = await run(["eval", "--weights", bare, "--data", data, "--model", "lenet-modern", "--json"]);
    const original = await run(["eval", "--weights", "w.safetensors", "--data", data, "--json"]);
    expect(named.code, named.stderr).toBe(0);
    expect(JSON.parse(named.stdout)).toEqual(JSON.parse(original.stdout));
  });

  it("metadata naming an unknown dataset is an error unless --dataset says which", async () => {
    const cifar = edited("cifar.safetensors", (_, m) => void (m.dataset = "cifar10"));
    const r = await run(["eval", "--weights", cifar, "--data", data]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('was trained on a dataset named "cifar10" in its metadata, which torchlet does not know (it knows mnist, fashion-mnist); give --dataset');
    expect((await run(["eval", "--weights", cifar, "--data", data, "--dataset", "mnist"])).code).toBe(0);
  });
});

describe("a checkpoint is checked field by field against the run it continues", () => {
  const resume = (file: string, ...extra: string[]) => torchlet(["train", "--data", data, "--epochs", "2", "--batch-size", "64", "--threads", "1", "--model", "lenet-modern", "--resume", file, ...extra], work);
  const cases: [string, (t: ReturnType<typeof deserialize>["tensors"], m: Record<string, string>) => void, string][] = [
    ["a batch past the end of the epoch", (_, m) => void (m.epoch = "1", m.batch = "99999"), "start.batch is 99999, expected an integer in [0, 2]: 128 examples in batches of 64 make 2 batches per epoch"],
    ["a batch that is not decimal digits", (_, m) => void (m.batch = "1e0"), 'has metadata "batch" = "1e0", expected an integer ≥ 0 in decimal digits'],
    ["a batch given as text", (_, m) => void (m.batch = "\"0\""), 'has metadata "batch" = "\\"0\\"", expected an integer ≥ 0 in decimal digits'],
    ["an epoch beyond the run", (_, m) => void (m.epoch = "7"), "has already trained 6 epochs, more than --epochs 2"],
    ["a batch size of another type", (_, m) => void (m.options = JSON.stringify({ ...JSON.parse(m.options!), "batch-size": "64" })), '--batch-size "64" (a string) in the checkpoint but 64 here'],
    ["another seed", (_, m) => void (m.options = JSON.stringify({ ...JSON.parse(m.options!), seed: 1 })), "--seed 1 in the checkpoint but 0 here"],
    ["an option this torchlet does not have", (_, m) => void (m.options = JSON.stringify({ ...JSON.parse(m.options!), dropout: 0.5 })), 'the checkpoint records option "dropout", which this torchlet does not have'],
    ["an optimizer step count that does not match the position", (_, m) => void (m.optimizerStep = "5"), "start.epoch 2, batch 0 is 2 steps into the run, but the optimizer has taken 5 steps"],
    ["running sums of another position", (_, m) => void (m.epoch = "1", m.batch = "1", m.optimizerStep = "1", m.records = "[]"), "start.progress.seen is 0, but 1 batches of 64 from 128 examples are 64 examples"],
    ["a record with an accuracy above 1", (_, m) => void (m.records = JSON.stringify([{ ...JSON.parse(m.records!)[0], testAcc: 3 }])), "start.records[0].testAcc is 3, expected a finite number in [0, 1]"],
    ["an unknown backend", (_, m) => void (m.backend = "gpu"), 'names backend "gpu"; torchlet writes "ts" or "wasm"'],
    ["weights of another shape", (t) => void (t["model.1.weight"] = t["model.4.bias"]!), "does not fit this run"],
  ];
  it.each(cases)("refuses %s, naming the checkpoint and changing nothing", (name, change, message) => {
    const file = edited(`ck-${name.replace(/\W+/g, "-")}.safetensors`, change, "ck.safetensors");
    const before = readFileSync(file);
    const r = resume(file);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr.trim().startsWith(`torchlet: checkpoint: ${file}: `), r.stderr).toBe(true);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe("");
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it("the unedited checkpoint still resumes (the checks accept what train writes)", () => {
    const file = join(work, "ck-copy.safetensors");
    copyFileSync(join(work, "ck.safetensors"), file);
    const r = resume(file, "--json");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split("\n").map((l) => JSON.parse(l).epoch)).toEqual([2]);
    expect(existsSync(file)).toBe(true);
  });
});
