// Faults during `torchlet train`: a diverging run stops at the batch where
// the loss or a gradient stopped being finite, says where and what to do,
// exits 1, and overwrites nothing; --resume refuses a checkpoint that does not
// belong to the command line, and continues one that does.

import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readCheckpoint } from "../../src/io/checkpoint.js";
import { tinyMnistWorkspace, torchlet } from "./helpers.js";

const { work, data } = tinyMnistWorkspace("faults", 512, 64);

const base = () => ["train", "--data", data, "--model", "lenet-modern", "--batch-size", "64", "--threads", "1", "--seed", "5"];
const noStack = (stderr: string) => expect(stderr).not.toMatch(/\n\s+at /);

describe("a loss or gradient that becomes NaN or ±Infinity", () => {
  it("stops training at that batch, names epoch and batch, suggests a lower learning rate, exits 1, and overwrites nothing", () => {
    const dir = mkdtempSync(join(work, "nan-"));
    const out = join(dir, "weights.safetensors");
    const checkpoint = join(dir, "ck.safetensors");
    writeFileSync(out, "weights from an earlier run");
    const r = torchlet([...base(), "--lr", "1e6", "--epochs", "3", "--out", out, "--checkpoint", checkpoint, "--checkpoint-every", "1"], dir);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split("\n");
    const message = lines[lines.length - 1]!;
    expect(message).toMatch(/^torchlet: train: the (loss became (NaN|Infinity|-Infinity)|gradient of \S+ became non-finite) at epoch \d+, batch \d+; training stopped before that update, and no weights file was written \(the last checkpoint, .*ck\.safetensors, is intact\)\. Try a lower learning rate \(--lr 100000\)\.$/);
    noStack(r.stderr);
    // --out is untouched; the checkpoint holds the last good step, before the failing batch
    expect(readFileSync(out, "utf8")).toBe("weights from an earlier run");
    const [, epoch, batch] = /at epoch (\d+), batch (\d+)/.exec(message)!.map(Number);
    const saved = readCheckpoint(readFileSync(checkpoint));
    const perEpoch = 512 / 64;
    expect((saved.epoch - 1) * perEpoch + saved.batch).toBe((epoch! - 1) * perEpoch + batch! - 1);
  });

  it("also without checkpoints: the same stop, and no file appears", () => {
    const dir = mkdtempSync(join(work, "nan-plain-"));
    const r = torchlet([...base(), "--lr", "1e6", "--epochs", "3", "--out", "w.safetensors", "--plot", "p.svg"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/at epoch \d+, batch \d+; training stopped before that update, and no weights file was written\. Try a lower learning rate/);
    expect(existsSync(join(dir, "w.safetensors"))).toBe(false);
    expect(existsSync(join(dir, "p.svg"))).toBe(false);
  });
});

describe("--resume", () => {
  const runOptions = () => [...base(), "--optimizer", "adam", "--lr", "0.003", "--json"];

  it("continues a finished 1-epoch run to 2 epochs with the bits of an uninterrupted 2-epoch run", () => {
    const dir = mkdtempSync(join(work, "extend-"));
    expect(torchlet([...runOptions(), "--epochs", "2", "--out", "straight.safetensors"], dir).code).toBe(0);
    expect(torchlet([...runOptions(), "--epochs", "1", "--checkpoint", "ck.safetensors"], dir).code).toBe(0);
    const resumed = torchlet([...runOptions(), "--epochs", "2", "--resume", "ck.safetensors", "--out", "resumed.safetensors"], dir);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain("resuming from ck.safetensors: 1 epoch done, continuing epoch 2 at batch 0 of 8");
    expect(readFileSync(join(dir, "resumed.safetensors")).equals(readFileSync(join(dir, "straight.safetensors")))).toBe(true);
    // the checkpoint kept going: it now records both epochs
    expect(readCheckpoint(readFileSync(join(dir, "ck.safetensors"))).records).toHaveLength(2);
  });

  it("refuses a checkpoint written with other options, listing every difference", () => {
    const dir = mkdtempSync(join(work, "mismatch-"));
    expect(torchlet([...runOptions(), "--epochs", "1", "--checkpoint", "ck.safetensors"], dir).code).toBe(0);
    const before = readFileSync(join(dir, "ck.safetensors"));
    const r = torchlet([...base(), "--optimizer", "sgd", "--lr", "0.1", "--epochs", "2", "--resume", "ck.safetensors"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      "torchlet: checkpoint: ck.safetensors: was written by a different run: --lr 0.003 in the checkpoint but 0.1 here; --optimizer adam in the checkpoint but sgd here. Resume with the same options, or start a new run without --resume",
    );
    expect(readFileSync(join(dir, "ck.safetensors")).equals(before)).toBe(true);
    const fewer = torchlet([...runOptions(), "--epochs", "1", "--resume", "ck.safetensors", "--limit", "100"], dir);
    expect(fewer.stderr).toContain("--limit (not given) in the checkpoint but 100 here");
  });

  it("refuses a file that is not a checkpoint, a torn one and a missing one, naming the file", () => {
    const dir = mkdtempSync(join(work, "bad-ck-"));
    expect(torchlet([...runOptions(), "--epochs", "1", "--out", "weights.safetensors", "--checkpoint", "ck.safetensors"], dir).code).toBe(0);
    const weights = torchlet([...runOptions(), "--epochs", "1", "--resume", "weights.safetensors"], dir);
    expect(weights.code).toBe(1);
    expect(weights.stderr).toContain('torchlet: checkpoint: weights.safetensors: is not a torchlet training checkpoint: its metadata has no format marker, expected "format": "torchlet-checkpoint". It looks like a weights file (train --out); --resume needs a file written by --checkpoint.');
    const bytes = readFileSync(join(dir, "ck.safetensors"));
    writeFileSync(join(dir, "torn.safetensors"), bytes.subarray(0, bytes.length - 100));
    const torn = torchlet([...runOptions(), "--epochs", "1", "--resume", "torn.safetensors"], dir);
    expect(torn.code).toBe(1);
    expect(torn.stderr).toMatch(/^torchlet: checkpoint: torn\.safetensors: tensor "\S+" has data_offsets \[\d+, \d+\] but the data buffer has only \d+ bytes\n$/);
    const missing = torchlet([...runOptions(), "--epochs", "1", "--resume", "nope.safetensors"], dir);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^torchlet: checkpoint: nope\.safetensors: could not read: no such file or directory\n$/);
    noStack(missing.stderr);
  });

  it("notes that a different thread count will not reproduce the bits", () => {
    const dir = mkdtempSync(join(work, "threads-"));
    expect(torchlet([...runOptions(), "--epochs", "1", "--checkpoint", "ck.safetensors"], dir).code).toBe(0);
    copyFileSync(join(dir, "ck.safetensors"), join(dir, "ck2.safetensors"));
    const r = torchlet([...runOptions().filter((a, i, all) => a !== "--threads" && all[i - 1] !== "--threads"), "--threads", "2", "--epochs", "2", "--resume", "ck2.safetensors"], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("note: the checkpoint was written by the wasm backend on 1 thread(s) and this run uses wasm on 2; the result will be close to, not bit-identical with, an uninterrupted run");
  });
});
