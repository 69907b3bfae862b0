// What a user sees for every kind of bad input to the `torchlet` binary:
//   command-line mistakes: one line naming the flag and value, a usage hint, exit 2, no stack;
//   bad files and data: one line naming the file and what is wrong with it, exit 1, no stack
//   (the stack only with --verbose).

import { gzipSync } from "node:zlib";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SIGNATURE, concat, encodeGrayPng, ihdr } from "../helpers/png.js";
import { encodeIdx } from "../../src/data/idx.js";
import { ensureBuilt, makeTinyMnist, start } from "./helpers.js";

const work = mkdtempSync(join(tmpdir(), "torchlet-cli-errors-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let data = "";
let weights = "";
beforeAll(async () => {
  ensureBuilt();
  data = makeTinyMnist(join(work, "data"), 128, 32);
  weights = join(work, "w.safetensors");
  const r = await start(["train", "--data", data, "--epochs", "1", "--batch-size", "64", "--threads", "1", "--model", "lenet-modern", "--out", weights], work).done;
  expect(r.code, r.stderr).toBe(0);
});

const run = (args: string[]) => start(args, work).done;
const hasStack = (stderr: string) => /\n\s+at /.test(stderr);

describe("command-line mistakes: one line and a usage hint on stderr, exit code 2, no stack trace", () => {
  const cases: [string[], string][] = [
    // unknown flags and commands
    [["train", "--epoch", "3"], 'unknown option --epoch for "torchlet train" (did you mean --epochs?)'],
    [["train", "--learning-rate", "0.1"], 'unknown option --learning-rate for "torchlet train"'],
    [["train", "-e", "3"], "unknown option -e (options start with two dashes, e.g. --epochs)"],
    [["eval", "--lr", "0.1"], 'unknown option --lr for "torchlet eval"'],
    [["trian"], 'unknown command "trian" (commands: train, eval, predict, export, summary)'],
    // missing values
    [["train", "--lr"], "--lr needs a value"],
    [["train", "--lr", "--epochs", "2"], "--lr needs a value"],
    [["train", "--out"], "--out needs a value"],
    [["train", "--out="], "--out needs a non-empty value"],
    [["eval"], "--weights is required"],
    [["predict", "--weights", "w.safetensors"], "missing <index-or-image>"],
    // wrong types
    [["train", "--epochs", "ten"], '--epochs must be an integer; got "ten"'],
    [["train", "--epochs", "1.5"], '--epochs must be an integer; got "1.5"'],
    [["train", "--epochs="], '--epochs must be an integer; got ""'],
    [["train", "--lr", "abc"], '--lr must be a number; got "abc"'],
    [["train", "--lr", "NaN"], '--lr must be a number; got "NaN"'],
    [["train", "--lr", "Infinity"], '--lr must be a number; got "Infinity"'],
    [["train", "--seed", "9007199254740993"], '--seed must be an integer; got "9007199254740993"'],
    [["train", "--json=yes"], "--json takes no value"],
    [["train", "--model", "resnet"], '--model must be one of lenet, lenet-modern; got "resnet"'],
    [["train", "--optimizer", "rmsprop"], '--optimizer must be one of sgd, adam; got "rmsprop"'],
    [["train", "--backend", "gpu"], '--backend must be one of wasm, ts; got "gpu"'],
    // out of range
    [["train", "--epochs", "0"], "--epochs must be ≥ 1; got 0"],
    [["train", "--lr", "0"], "--lr must be > 0; got 0"],
    [["train", "--lr", "-0.1"], "--lr must be > 0; got -0.1"],
    [["train", "--lr", "1e-400"], "--lr must be > 0; got 1e-400"],
    [["train", "--batch-size", "100000"], "--batch-size must be ≤ 65536; got 100000"],
    [["train", "--momentum", "1"], "--momentum must be ≤ 0.999999; got 1"],
    [["train", "--seed", "-1"], "--seed must be ≥ 0; got -1"],
    [["train", "--limit", "0"], "--limit must be ≥ 1; got 0"],
    [["train", "--threads", "0"], "--threads must be ≥ 1; got 0"],
    [["train", "--threads", "1000"], "--threads must be ≤ 256; got 1000"],
    [["train", "--checkpoint-every", "0"], "--checkpoint-every must be ≥ 1; got 0"],
    // flags that do not go together
    [["train", "--epochs", "1", "--epochs", "2"], "--epochs is given twice; give it once"],
    [["train", "--checkpoint-every", "5"], "--checkpoint-every needs --checkpoint FILE (or --resume FILE) to write to"],
    [["train", "--out", "a.safetensors", "--checkpoint", "a.safetensors"], "--out and --checkpoint name the same file (a.safetensors)"],
    [["train", "--optimizer", "adam", "--momentum", "0.9"], "--momentum applies to --optimizer sgd only"],
    [["train", "--backend", "ts", "--threads", "2"], "--threads applies to the wasm backend only"],
    [["train", "mnist"], 'unexpected argument "mnist"'],
    [["predict", "--weights", "w.safetensors", "1", "2"], 'unexpected argument "2"'],
  ];

  it.concurrent.each(cases)("torchlet %j", async (args, message) => {
    const r = await run(args);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe("");
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]!.startsWith(`torchlet: ${message}`), lines[0]).toBe(true);
    expect(lines[1]).toMatch(/^run "torchlet (\w+ )?--help" for/);
    expect(hasStack(r.stderr)).toBe(false);
  });
});

describe("bad files: one line naming the file and the problem, exit code 1, a stack only with --verbose", () => {
  const files = () => join(work, "files");
  beforeAll(() => {
    mkdirSync(files(), { recursive: true });
    writeFileSync(join(files(), "notes.txt"), "these are not pixels\n");
    writeFileSync(join(files(), "small.png"), encodeGrayPng(20, 20, new Uint8Array(400)));
    const png = encodeGrayPng(28, 28, new Uint8Array(784));
    writeFileSync(join(files(), "cut.png"), png.subarray(0, png.length - 20));
    // Only the header of a 16384×16384 16-bit RGBA PNG: enough to be refused before any decoding.
    writeFileSync(join(files(), "huge.png"), concat([SIGNATURE, ihdr(16384, 16384, 16, 6)]));
    const safetensors = readFileSync(weights);
    writeFileSync(join(files(), "cut.safetensors"), safetensors.subarray(0, 1000));
    writeFileSync(join(files(), "garbage.safetensors"), "{}not safetensors at all");
  });
  const image = (name: string) => join(files(), name);

  /** A copy of the tiny data directory with one file replaced. */
  function brokenData(name: string, bytes: Uint8Array, remove?: string): string {
    const dir = mkdtempSync(join(work, "data-"));
    for (const f of ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]) {
      if (f !== remove) copyFileSync(join(data, f), join(dir, f));
    }
    writeFileSync(join(dir, name), bytes);
    return dir;
  }

  const cases: [string, () => string[], RegExp][] = [
    ["predict on a file that is not an image", () => ["predict", "--weights", weights, image("notes.txt")], /^torchlet: image: \S+notes\.txt: is not a PNG or PGM \(P5\/P2\) image: .+$/],
    ["predict on an image of the wrong size", () => ["predict", "--weights", weights, image("small.png")], /^torchlet: image: \S+small\.png: is 20×20 pixels \(width×height\), but MNIST digits are 28×28: resize it to 28×28 first$/],
    ["predict on a huge PNG", () => ["predict", "--weights", weights, image("huge.png")], /^torchlet: image: \S+huge\.png: the PNG header gives a size of 16384×16384 pixels \(width×height\); torchlet decodes at most 1024×1024, and MNIST digits are 28×28: resize it to 28×28 first$/],
    ["predict on a truncated PNG", () => ["predict", "--weights", weights, image("cut.png")], /^torchlet: image: \S+cut\.png: is truncated: .+$/],
    ["predict on a missing image", () => ["predict", "--weights", weights, image("nope.png")], /^torchlet: image: \S+nope\.png: could not read: no such file or directory$/],
    ["predict past the end of the test set", () => ["predict", "--weights", weights, "--data", data, "32"], /^torchlet: predict: index 32 is past the end of the mnist test set \(32 examples, 0–31\)$/],
    ["eval of truncated weights", () => ["eval", "--weights", image("cut.safetensors")], /^torchlet: \S+cut\.safetensors: .*(header length|data_offsets).+$/],
    ["eval of a file that is not safetensors", () => ["eval", "--weights", image("garbage.safetensors")], /^torchlet: \S+garbage\.safetensors: .+$/],
    ["IDX with the wrong magic number", () => ["train", "--data", brokenData("train-labels-idx1-ubyte", encodeIdx([128, 1], new Uint8Array(128)))], /^torchlet: idx: \S+train-labels-idx1-ubyte: magic number is 0x00000802 .+$/],
    ["truncated IDX", () => ["train", "--data", brokenData("train-images-idx3-ubyte", readFileSync(join(data, "train-images-idx3-ubyte")).subarray(0, 5000))], /^torchlet: idx: \S+train-images-idx3-ubyte: truncated: dimensions \[128,28,28\] need 100352 data bytes .+$/],
    ["IDX image and label counts that differ", () => ["train", "--data", brokenData("train-labels-idx1-ubyte", encodeIdx([100], new Uint8Array(100)))], /^torchlet: dataset mnist\/train: \S+train-images-idx3-ubyte has 128 images but \S+train-labels-idx1-ubyte has 100 labels$/],
    ["IDX images that are not 28×28", () => ["train", "--data", brokenData("train-images-idx3-ubyte", encodeIdx([128, 14, 56], new Uint8Array(128 * 784)))], /^torchlet: dataset mnist\/train: \S+train-images-idx3-ubyte holds 14×56 images; expected 28×28$/],
    ["a .gz IDX file that is not gzip", () => ["train", "--data", brokenData("train-labels-idx1-ubyte.gz", encodeIdx([128], new Uint8Array(128)), "train-labels-idx1-ubyte")], /^torchlet: idx: \S+train-labels-idx1-ubyte\.gz: named \.gz but is not gzip data: it starts with bytes \[00 00 08 01\], gzip starts with \[1f 8b\]$/],
    ["a truncated .gz IDX file", () => ["train", "--data", brokenData("train-labels-idx1-ubyte.gz", gzipSync(encodeIdx([128], new Uint8Array(128))).subarray(0, 20), "train-labels-idx1-ubyte")], /^torchlet: idx: \S+train-labels-idx1-ubyte\.gz: corrupt or truncated gzip data .+$/],
    ["a data directory without the files", () => ["train", "--data", join(work, "empty-dir")], /^torchlet: mnist: found neither train-images-idx3-ubyte nor train-images-idx3-ubyte\.gz in \S+empty-dir\. .+$/],
  ];

  it.concurrent.each(cases)("%s", async (_, args, pattern) => {
    mkdirSync(join(work, "empty-dir"), { recursive: true });
    const argv = args();
    const r = await run(argv);
    expect(r.code, r.stderr).toBe(1);
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(pattern);
    expect(hasStack(r.stderr)).toBe(false);
    const verbose = await run([...argv, "--verbose"]);
    expect(verbose.code).toBe(1);
    expect(verbose.stderr.split("\n")[0]).toBe(lines[0]);
    expect(hasStack(verbose.stderr)).toBe(true);
  });
});
