// The IDX reader and writer, and loading an IDX dataset from (gzipped) files,
// including every malformed-file error a user is likely to hit.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MNIST_CLASSES } from "../../src/data/dataset.js";
import { bytesToUnit, encodeIdx, makeDataset, parseIdx, parseImages, parseLabels } from "../../src/data/idx.js";
import { loadIdxDataset, readIdxFile } from "../../src/data/files.js";
import { expectError } from "../helpers/errors.js";

// `count` images of rows×cols whose pixel j of image i is (i + j) mod 256.
function imagePixels(count: number, rows = 28, cols = 28): Uint8Array {
  return Uint8Array.from({ length: count * rows * cols }, (_, k) => (Math.floor(k / (rows * cols)) + (k % (rows * cols))) % 256);
}

const IMAGES = "train-images-idx3-ubyte";
const LABELS = "train-labels-idx1-ubyte";

let root: string;
let dirCount = 0;

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "torchlet-idx-"));
});

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

// A fresh directory holding the given files (name → bytes).
function writeDir(files: Record<string, Uint8Array>): string {
  const dir = path.join(root, `case-${dirCount++}`);
  fs.mkdirSync(dir);
  for (const [name, bytes] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), bytes);
  return dir;
}

// A valid train split of 3 images with labels 7, 0, 9.
function validFiles(): { images: Uint8Array; labels: Uint8Array } {
  return { images: encodeIdx([3, 28, 28], imagePixels(3)), labels: encodeIdx([3], new Uint8Array([7, 0, 9])) };
}

describe("encodeIdx", () => {
  it("writes the header byte by byte as the IDX spec says", () => {
    // Magic 0x00000803 (zero, zero, type 0x08, 3 dims), then 60000 = 0x0000ea60, 1, 2 big-endian.
    const header = [0x00, 0x00, 0x08, 0x03, 0x00, 0x00, 0xea, 0x60, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02];
    const data = imagePixels(60000, 1, 2);
    const encoded = encodeIdx([60000, 1, 2], data);
    expect(Array.from(encoded.subarray(0, 16))).toEqual(header);
    expect(encoded.length).toBe(16 + 120000);
    expect(encoded.subarray(16)).toEqual(data);
  });

  it("writes a labels file as magic 0x00000801 and one count", () => {
    expect(Array.from(encodeIdx([2], new Uint8Array([5, 9])))).toEqual([0, 0, 8, 1, 0, 0, 0, 2, 5, 9]);
  });

  it("rejects data whose length is not the product of dims", () => {
    expectError(() => encodeIdx([2, 3], new Uint8Array(5)), "SHAPE_MISMATCH", ["[2,3]", "6", "5"]);
  });

  it("rejects zero dimensions", () => {
    expectError(() => encodeIdx([], new Uint8Array(1)), "INVALID_ARGUMENT", ["got 0"]);
  });
});

describe("parseIdx", () => {
  it("round-trips encodeIdx, as a view into the bytes", () => {
    const bytes = encodeIdx([2, 3], new Uint8Array([1, 2, 3, 4, 5, 6]));
    const parsed = parseIdx(bytes, "x.idx");
    expect(parsed.dims).toEqual([2, 3]);
    expect(Array.from(parsed.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(parsed.data.buffer).toBe(bytes.buffer);
  });

  it("parses images and labels files", () => {
    const images = parseImages(encodeIdx([2, 28, 28], imagePixels(2)), "imgs");
    expect([images.count, images.rows, images.cols, images.pixels.length]).toEqual([2, 28, 28, 2 * 784]);
    expect(Array.from(parseLabels(encodeIdx([3], new Uint8Array([4, 1, 2])), "labels"))).toEqual([4, 1, 2]);
  });

  it("rejects a header too short for the magic number", () => {
    expectError(() => parseIdx(new Uint8Array([0, 0, 8]), "tiny.idx"), "BAD_FORMAT", ["tiny.idx", "3 bytes", "4-byte"]);
  });

  it("rejects a header too short for its dimensions", () => {
    // 3 dimensions need 4 + 3·4 = 16 header bytes; give 10.
    const bytes = encodeIdx([1, 1, 1], new Uint8Array(1)).subarray(0, 10);
    expectError(() => parseIdx(bytes, "short.idx"), "BAD_FORMAT", ["short.idx", "3 dimensions", "16 bytes", "only 10"]);
  });

  it("rejects nonzero leading bytes, printing the magic in hex", () => {
    const bytes = new Uint8Array([0x12, 0x34, 0x08, 0x01, 0, 0, 0, 0]);
    expectError(() => parseIdx(bytes, "bad.idx"), "BAD_FORMAT", ["bad.idx", "0x12340801", "0x000008NN"]);
  });

  it("says so when handed gzip data", () => {
    expectError(() => parseIdx(gzipSync(new Uint8Array(10)), "raw.gz"), "BAD_FORMAT", ["raw.gz", "gzip"]);
  });

  it("rejects an element type other than unsigned byte, naming the type found", () => {
    const bytes = encodeIdx([1], new Uint8Array(1));
    bytes[2] = 0x0d;
    expectError(() => parseIdx(bytes, "floats.idx"), "BAD_FORMAT", ["floats.idx", "0x0d", "float32", "0x00000d01", "only 0x08"]);
  });

  it("rejects zero dimensions", () => {
    expectError(() => parseIdx(new Uint8Array([0, 0, 8, 0]), "scalar.idx"), "BAD_FORMAT", ["scalar.idx", "0x00000800", "0 dimensions"]);
  });

  it("rejects truncated data, with expected and actual byte counts", () => {
    const bytes = encodeIdx([2, 28, 28], imagePixels(2)).subarray(0, 16 + 1500);
    expectError(() => parseIdx(bytes, "cut.idx"), "BAD_FORMAT", ["cut.idx", "truncated", "[2,28,28]", "1568 data bytes", "has 1500", "68 missing"]);
  });

  it("rejects trailing bytes", () => {
    const valid = encodeIdx([3], new Uint8Array([1, 2, 3]));
    const bytes = new Uint8Array([...valid, 0, 0]);
    expectError(() => parseIdx(bytes, "long.idx"), "BAD_FORMAT", ["long.idx", "2 unexpected trailing bytes", "need 3 data bytes", "has 5"]);
  });

  it("rejects absurd dimensions before allocating anything", () => {
    const bytes = new Uint8Array([0, 0, 8, 2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    expectError(() => parseIdx(bytes, "huge.idx"), "OUT_OF_RANGE", ["huge.idx", "[4294967295,4294967295]", "18446744065119617025 elements", "1073741824"]);
  });

  it("rejects a labels file where images are expected, and the reverse", () => {
    const labels = encodeIdx([3], new Uint8Array(3));
    expectError(() => parseImages(labels, "labels.idx"), "BAD_FORMAT", ["labels.idx", "0x00000801", "needs 0x00000803"]);
    const images = encodeIdx([1, 28, 28], imagePixels(1));
    expectError(() => parseLabels(images, "images.idx"), "BAD_FORMAT", ["images.idx", "0x00000803", "needs 0x00000801"]);
  });
});

describe("pixel scaling", () => {
  it("maps bytes to value / 255 like ToTensor", () => {
    const scaled = bytesToUnit(new Uint8Array([0, 255, 51, 102, 1]));
    expect(scaled[0]).toBe(0);
    expect(scaled[1]).toBe(1);
    expect(scaled[2]).toBe(Math.fround(0.2));
    expect(scaled[3]).toBe(Math.fround(0.4));
    expect(scaled[4]).toBe(Math.fround(1 / 255));
  });

  it("is what makeDataset stores", () => {
    const pixels = new Uint8Array(784);
    pixels.set([0, 255, 51]);
    const dataset = makeDataset("t/train", { count: 1, rows: 28, cols: 28, pixels }, new Uint8Array([3]), "imgs", "lbls", MNIST_CLASSES);
    expect(Array.from(dataset.images.subarray(0, 4))).toEqual([0, 1, Math.fround(0.2), 0]);
    expect(dataset.labels).toEqual(new Int32Array([3]));
    expect(dataset.count).toBe(1);
  });
});

describe("loadIdxDataset", () => {
  it("loads raw IDX files", () => {
    const { images, labels } = validFiles();
    const dataset = loadIdxDataset(writeDir({ [IMAGES]: images, [LABELS]: labels }), "train", "mnist", MNIST_CLASSES);
    expect(dataset.name).toBe("mnist/train");
    expect(dataset.count).toBe(3);
    expect(dataset.images).toBeInstanceOf(Float32Array);
    expect(dataset.images.length).toBe(3 * 784);
    expect(dataset.labels).toEqual(new Int32Array([7, 0, 9]));
    expect(dataset.classes).toBe(MNIST_CLASSES);
    // Image 1, pixel 2 is (1 + 2) mod 256 = 3.
    expect(dataset.images[784 + 2]).toBe(Math.fround(3 / 255));
  });

  it("loads gzipped files to the same result as raw ones", () => {
    const { images, labels } = validFiles();
    const raw = loadIdxDataset(writeDir({ [IMAGES]: images, [LABELS]: labels }), "train", "mnist", MNIST_CLASSES);
    const gzDir = writeDir({ [`${IMAGES}.gz`]: gzipSync(images), [`${LABELS}.gz`]: gzipSync(labels) });
    expect(loadIdxDataset(gzDir, "train", "mnist", MNIST_CLASSES)).toEqual(raw);
    expect(readIdxFile(path.join(gzDir, `${IMAGES}.gz`))).toEqual(images);
  });

  it("reads the t10k files for the test split", () => {
    const { images, labels } = validFiles();
    const dataset = loadIdxDataset(writeDir({ "t10k-images-idx3-ubyte": images, "t10k-labels-idx1-ubyte.gz": gzipSync(labels) }), "test", "mnist", MNIST_CLASSES);
    expect(dataset.name).toBe("mnist/test");
    expect(dataset.count).toBe(3);
  });

  it("rejects a truncated images file, naming it", () => {
    const { images, labels } = validFiles();
    const dir = writeDir({ [`${IMAGES}.gz`]: gzipSync(images.subarray(0, images.length - 100)), [LABELS]: labels });
    expectError(() => loadIdxDataset(dir, "train", "mnist", MNIST_CLASSES), "BAD_FORMAT", [path.join(dir, `${IMAGES}.gz`), "truncated", "2352 data bytes", "has 2252", "100 missing"]);
  });

  it("rejects a truncated header, naming the file", () => {
    const { images } = validFiles();
    const dir = writeDir({ [IMAGES]: images, [LABELS]: new Uint8Array([0, 0, 8, 1, 0, 0]) });
    expectError(() => loadIdxDataset(dir, "train", "mnist", MNIST_CLASSES), "BAD_FORMAT", [path.join(dir, LABELS), "1 dimension,", "8 bytes", "only 6"]);
  });

  it("rejects the wrong magic number, printing it and the expected one in hex", () => {
    const { labels } = validFiles();
    const dir = writeDir({ [IMAGES]: encodeIdx([3, 28, 28, 1], imagePixels(3)), [LABELS]: labels });
    expectError(() => loadIdxDataset(dir, "train", "mnist", MNIST_CLASSES), "BAD_FORMAT", [path.join(dir, IMAGES), "0x00000804", "needs 0x00000803"]);
  });

  it("rejects an unsupported element type, naming the type code", () => {
    const { images, labels } = validFiles();
    const int32Labels = labels.slice();
    int32Labels[2] = 0x0c;
    const dir = writeDir({ [IMAGES]: images, [LABELS]: int32Labels });
    expectError(() => loadIdxDataset(dir, "train", "mnist", MNIST_CLASSES), "BAD_FORMAT", [path.join(dir, LABELS), "0x0c", "int32"]);
  });

  it("rejects trailing bytes", () => {
    const { images, labels } = validFiles();
    const dir = writeDir({ [IMAGES]: images, [LABELS]: new Uint8Array([...labels, 1, 2, 3, 4]) });
    expectError(() => loadIdxDataset(dir, "train", "mnist", MNIST_CLASSES), "BAD_FORMAT", [path.join(dir, LABELS), "4 unexpected trailing bytes", "need 3 data bytes", "has 7"]);
  });

  it("rejects different image and label counts, naming both files and counts", () => {
    const { images } = validFiles();
    const dir = writeDir({ [IMAGES]: images, [LABELS]: encodeIdx([4], new Uint8Array([1, 2, 3, 4])) });
    expectError(() => loadIdxDataset(dir, "train", "mnist", MNIST_CLASSES), "SHAPE_MISMATCH", [
      `${path.join(dir, IMAGES)} has 3 images`,
      `${path.join(dir, LABELS)} has 4 labels`,
    ]);
  });

  it("rejects images that are not 28×28, saying the size found", () => {
    const { labels } = validFiles();
    const dir = writeDir({ [IMAGES]: encodeIdx([3, 27, 28], imagePixels(3, 27, 28)), [LABELS]: labels });
    expectError(() => loadIdxDataset(dir, "train", "mnist", MNIST_CLASSES), "SHAPE_MISMATCH", [path.join(dir, IMAGES), "27×28", "expected 28×28"]);
  });

  it("rejects a label past the last class, naming its index and value", () => {
    const { images } = validFiles();
    const dir = writeDir({ [IMAGES]: images, [LABELS]: encodeIdx([3], new Uint8Array([1, 2, 10])) });
    expectError(() => loadIdxDataset(dir, "train", "mnist", MNIST_CLASSES), "OUT_OF_RANGE", [path.join(dir, LABELS), "label 2 is 10", "only 10 classes"]);
  });

  it("rejects a missing file with NOT_FOUND, naming the directory and both names tried", () => {
    const { images } = validFiles();
    const dir = writeDir({ [IMAGES]: images });
    expectError(() => loadIdxDataset(dir, "train", "mnist", MNIST_CLASSES), "NOT_FOUND", [dir, LABELS, `${LABELS}.gz`]);
  });
});

describe("readIdxFile", () => {
  it("returns raw bytes unchanged", () => {
    const { labels } = validFiles();
    const dir = writeDir({ [LABELS]: labels });
    expect(readIdxFile(path.join(dir, LABELS))).toEqual(labels);
  });

  it("rejects a file named .gz that is not gzip data", () => {
    const { labels } = validFiles();
    const file = path.join(writeDir({ [`${LABELS}.gz`]: labels }), `${LABELS}.gz`);
    expectError(() => readIdxFile(file), "BAD_FORMAT", [file, "named .gz but is not gzip data", "[00 00 08 01]"]);
  });

  it("rejects a corrupt gzip stream, naming the file", () => {
    const { images } = validFiles();
    const gz = gzipSync(images);
    const file = path.join(writeDir({ [`${IMAGES}.gz`]: gz.subarray(0, gz.length >> 1) }), `${IMAGES}.gz`);
    expectError(() => readIdxFile(file), "BAD_FORMAT", [file, "corrupt or truncated gzip data", `${gz.length >> 1} compressed bytes`]);
    const garbled = gz.slice();
    garbled.fill(0xff, 10, 30);
    const garbledFile = path.join(writeDir({ [`${IMAGES}.gz`]: garbled }), `${IMAGES}.gz`);
    expectError(() => readIdxFile(garbledFile), "BAD_FORMAT", [garbledFile, "corrupt or truncated gzip data"]);
  });

  it("rejects a missing file with NOT_FOUND, naming the path", () => {
    const file = path.join(root, "nowhere", "train-images-idx3-ubyte.gz");
    expectError(() => readIdxFile(file), "NOT_FOUND", [file]);
  });
});
