// The `torchlet` binary as users run it: spawned as a process from the built dist/.

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, readFileSync, existsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { adam7GrayScanlines, encodeGrayPng, png as pngFile } from "../helpers/png.js";
import { loadDataset } from "../../src/data/files.js";
import { deserialize } from "../../src/io/safetensors.js";
import { Progress, formatDuration, formatCount } from "../../src/cli/progress.js";

const root = resolve(import.meta.dirname, "../..");
const bin = join(root, "dist/cli/main.js");
const work = mkdtempSync(join(tmpdir(), "torchlet-cli-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function torchlet(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: work, encoding: "utf8", timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("torchlet CLI", () => {
  it("prints d2l's shape table for `summary`", () => {
    const r = torchlet("summary");
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[1]).toBe("Conv2d output shape:\t [1, 6, 28, 28]");
    expect(lines[12]).toBe("Linear output shape:\t [1, 10]");
    expect(lines[13]).toBe("61,706 parameters");
  });

  it("ends quietly when the reader closes the pipe early (`torchlet summary | true`): no EPIPE stack trace", () => {
    for (let i = 0; i < 3; i++) {
      const r = spawnSync("bash", ["-c", `"${process.execPath}" "${bin}" summary | true`], { cwd: work, encoding: "utf8", timeout: 60_000 });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
    }
  });

  const weights = join(work, "w.safetensors");
  const plot = join(work, "curve.svg");
  let reportedTestAcc = Number.NaN;

  it("trains a small run, saves weights and a plot, and reports per-epoch JSON", () => {
    const r = torchlet("train", "--model", "lenet-modern", "--optimizer", "adam", "--lr", "0.003", "--limit", "600", "--epochs", "2", "--batch-size", "64", "--out", weights, "--plot", plot, "--json");
    expect(r.code, r.stderr).toBe(0);
    const records = r.stdout.trim().split("\n").map((line) => JSON.parse(line));
    expect(records.map((e) => e.epoch)).toEqual([1, 2]);
    expect(records[1].loss).toBeLessThan(records[0].loss);
    expect(records[1].testAcc).toBeGreaterThan(0.5); // chance is 0.1
    reportedTestAcc = records[1].testAcc;
    const { tensors, metadata } = deserialize(readFileSync(weights));
    expect(Object.keys(tensors)).toEqual(["1.weight", "1.bias", "4.weight", "4.bias", "8.weight", "8.bias", "10.weight", "10.bias", "12.weight", "12.bias"]);
    expect(metadata.model).toBe("lenet-modern");
    const svg = readFileSync(plot, "utf8");
    expect(svg).toContain("<svg");
    expect(svg).toContain("test acc");
  });

  it("prints the d2l-style epoch line in text mode", () => {
    const r = torchlet("train", "--limit", "256", "--epochs", "1", "--batch-size", "128");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^epoch 1: loss \d\.\d{3}, train acc \d\.\d{3}, test acc \d\.\d{3}, [\d,]+ examples\/sec$/m);
    // Node 20 validates relaxed SIMD only behind a V8 flag, which the CLI sets (enableRelaxedSimd)
    expect(r.stdout).toMatch(/, WebAssembly relaxed SIMD \(fused multiply-add\) kernels on \d+ threads?$/m);
  });

  it("evaluates saved weights with the same accuracy the training reported", () => {
    const r = torchlet("eval", "--weights", weights, "--json");
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.examples).toBe(2000);
    expect(result.testAcc).toBe(reportedTestAcc);
  });

  it("predicts a test digit by index and from a PNG of the same digit, plain or Adam7-interlaced, identically", () => {
    const byIndex = JSON.parse(torchlet("predict", "--weights", weights, "--json", "5").stdout);
    const { test } = loadDataset("mnist");
    const pixels = Uint8Array.from(test.images.subarray(5 * 784, 6 * 784), (v) => Math.round(v * 255));
    const png = join(work, "digit.png");
    writeFileSync(png, encodeGrayPng(28, 28, pixels));
    const byFile = JSON.parse(torchlet("predict", "--weights", weights, "--json", png).stdout);
    const interlaced = join(work, "interlaced.png");
    writeFileSync(interlaced, pngFile({ width: 28, height: 28, bitDepth: 8, colorType: 0, interlace: 1, scanlines: adam7GrayScanlines(28, 28, pixels) }));
    const byInterlacedFile = torchlet("predict", "--weights", weights, "--json", interlaced);
    expect(byInterlacedFile.code, byInterlacedFile.stderr).toBe(0);
    expect(JSON.parse(byInterlacedFile.stdout)).toEqual({ ...byFile, input: interlaced });
    expect(byIndex.label).toBe(test.labels[5]);
    expect(byFile.predicted).toBe(byIndex.predicted);
    byFile.probabilities.forEach((p: number, i: number) => expect(p).toBeCloseTo(byIndex.probabilities[i], 2));
    expect(byIndex.probabilities.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 5);
  });

  describe("mistakes on the command line: one line, a hint, exit code 2, no stack", () => {
    const cases: [string[], string][] = [
      [["train", "--bogus"], 'unknown option --bogus for "torchlet train"'],
      [["train", "--lr"], "--lr needs a value"],
      [["train", "--epochs", "ten"], '--epochs must be an integer; got "ten"'],
      [["train", "--epochs", "0"], "--epochs must be ≥ 1; got 0"],
      [["train", "--lr", "-1"], "--lr must be > 0; got -1"],
      [["train", "--model", "resnet"], "--model must be one of lenet, lenet-modern"],
      [["eval"], "--weights is required"],
      [["predict", "--weights", "w.safetensors"], "missing <index-or-image>"],
      [["fly"], 'unknown command "fly"'],
    ];
    it.each(cases)("torchlet %j", (args, message) => {
      const r = torchlet(...args);
      expect(r.code).toBe(2);
      const lines = r.stderr.trim().split("\n");
      expect(lines).toHaveLength(2);
      expect(lines[0]).toBe(`torchlet: ${lines[0]!.slice("torchlet: ".length)}`);
      expect(lines[0]).toContain(message);
      expect(lines[1]).toMatch(/--help/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  });

  it("reports a missing weights file by name with exit code 1, and a stack only with --verbose", () => {
    const r = torchlet("eval", "--weights", "nope.safetensors");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("nope.safetensors");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const verbose = torchlet("eval", "--weights", "nope.safetensors", "--verbose");
    expect(verbose.stderr).toMatch(/\n\s+at /);
  });

  it("refuses weights of another model", () => {
    const r = torchlet("eval", "--weights", weights, "--model", "lenet");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("holds a lenet-modern model but --model lenet was given");
  });

  it("prints usage for --help", () => {
    const r = torchlet("train", "--help");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("--batch-size");
    expect(existsSync(bin)).toBe(true);
  });
});

describe("progress reporting", () => {
  function recorder(isTTY: boolean) {
    const chunks: string[] = [];
    return { stream: { isTTY, columns: 100, write: (s: string) => chunks.push(s) }, chunks };
  }

  it("draws a bar in place on a terminal, at most every 100 ms", () => {
    let now = 0;
    const { stream, chunks } = recorder(true);
    const progress = new Progress(stream, 10, () => now);
    progress.startEpoch();
    now = 50;
    progress.update(1, 1, 4, 2.3, 1000); // too soon: nothing
    now = 150;
    progress.update(1, 2, 4, 2.2, 1000);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]).toMatch(/^\r\x1b\[2Kepoch 1\/10 \[#+-+\] 2\/4 loss 2\.200 1,000 ex\/s ETA 0:00$/);
    progress.clear();
    expect(chunks[1]).toBe("\r\x1b[2K");
  });

  it("writes plain lines every ten seconds when not a terminal", () => {
    let now = 0;
    const { stream, chunks } = recorder(false);
    const progress = new Progress(stream, 3, () => now);
    progress.startEpoch();
    now = 5_000;
    progress.update(2, 10, 100, 1.5, 500);
    now = 10_001;
    progress.update(2, 20, 100, 1.4, 500);
    expect(chunks).toEqual(["epoch 2/3: batch 20/100 loss 1.400 500 ex/s ETA 0:40\n"]);
  });

  it("formats counts and durations", () => {
    expect(formatCount(12345.6)).toBe("12,346");
    expect(formatDuration(65)).toBe("1:05");
    expect(formatDuration(3723)).toBe("1:02:03");
  });
});
