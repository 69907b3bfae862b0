// The IDX file format of MNIST and Fashion-MNIST: parsing, writing, and
// turning an images file plus a labels file into a Dataset.
// Pure (no Node imports), so it runs in the browser on fetched bytes.
//
// Layout: a 4-byte magic [0, 0, type, ndims], then ndims big-endian uint32
// sizes, then the elements row-major. MNIST only uses type 0x08 (uint8).

import { MAX_ELEMENTS, TorchletError, checkShape, describe, formatShape, checkArity } from "../errors.js";
import { IMAGE_SHAPE, IMAGE_SIZE, type Dataset } from "./dataset.js";

/** IDX element type code for unsigned bytes, the only type torchlet reads. */
export const IDX_UNSIGNED_BYTE = 0x08;

/** Magic number of an IDX images file: unsigned bytes, 3 dimensions (count, rows, cols). */
export const IDX_IMAGES_MAGIC = 0x00000803;

/** Magic number of an IDX labels file: unsigned bytes, 1 dimension (count). */
export const IDX_LABELS_MAGIC = 0x00000801;

// Names of the other IDX element types, so an error can say what was found.
const IDX_TYPE_NAMES: Readonly<Record<number, string>> = {
  0x08: "unsigned byte",
  0x09: "signed byte",
  0x0b: "int16",
  0x0c: "int32",
  0x0d: "float32",
  0x0e: "float64",
};

const MAGIC_BYTES = 4;
const BYTES_PER_DIM = 4;
const MAX_DIMS = 255; // ndims is one byte

/** The contents of an IDX file: its dimensions and its elements row-major. */
export interface IdxArray {
  /** Size of each dimension, e.g. `[60000, 28, 28]`. */
  dims: number[];
  /** The elements, a view into the parsed bytes (not a copy). */
  data: Uint8Array;
}

/** The contents of an IDX images file. */
export interface IdxImages {
  /** Number of images. */
  count: number;
  /** Image height in pixels. */
  rows: number;
  /** Image width in pixels. */
  cols: number;
  /** Pixels, shape (count, rows, cols) row-major, 0 … 255; a view into the parsed bytes. */
  pixels: Uint8Array;
}

/**
 * Parses an IDX file of unsigned bytes (magic `0x000008NN`, NN = number of dimensions).
 *
 * Zero-copy: `data` is a `subarray` of `bytes`.
 *
 * @param fileName named in every error message.
 * @throws TorchletError BAD_FORMAT if the header is truncated, the first two bytes
 *   are not zero, the element type is not 0x08, there are no dimensions, or the
 *   data is shorter or longer than the dimensions say; OUT_OF_RANGE if the
 *   dimensions describe more than 2^30 elements (`MAX_ELEMENTS`).
 */
export function parseIdx(bytes: Uint8Array, fileName: string): IdxArray {
  checkArity("parseIdx", arguments, ["bytes", "fileName"]);
  const op = `idx: ${fileName}`;
  if (!(bytes instanceof Uint8Array)) {
    throw new TorchletError(op, "INVALID_ARGUMENT", `expected the file's bytes as a Uint8Array, got ${describe(bytes)}`);
  }
  if (bytes.length < MAGIC_BYTES) {
    throw new TorchletError(op, "BAD_FORMAT", `file is ${bytes.length} bytes long, too short for the ${MAGIC_BYTES}-byte IDX magic number (truncated header)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    // A gzip stream starts 1f 8b; saying so saves a puzzled look at the hex.
    const gzipHint = bytes[0] === 0x1f && bytes[1] === 0x8b ? " (this looks like gzip data: decompress it first)" : "";
    throw new TorchletError(op, "BAD_FORMAT", `magic number is ${hex(magic)}, expected 0x000008NN (two zero bytes, type 0x08, number of dimensions)${gzipHint}`);
  }
  const type = bytes[2]!;
  if (type !== IDX_UNSIGNED_BYTE) {
    const typeName = IDX_TYPE_NAMES[type] ?? "an unknown type";
    throw new TorchletError(op, "BAD_FORMAT", `element type code is ${hex(type, 2)} (${typeName}, magic ${hex(magic)}); only 0x08 (unsigned byte) is supported`);
  }
  const rank = bytes[3]!;
  if (rank === 0) {
    throw new TorchletError(op, "BAD_FORMAT", `magic number ${hex(magic)} declares 0 dimensions; an IDX file needs at least 1`);
  }
  const headerBytes = MAGIC_BYTES + BYTES_PER_DIM * rank;
  if (bytes.length < headerBytes) {
    throw new TorchletError(op, "BAD_FORMAT", `header declares ${dimensions(rank)}, so it needs ${headerBytes} bytes, but the file has only ${bytes.length} (truncated header)`);
  }
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(MAGIC_BYTES + BYTES_PER_DIM * i));

  // BigInt: a product of up to 255 uint32s is exact here, never Infinity or NaN.
  const elements = dims.reduce((product, d) => product * BigInt(d), 1n);
  if (elements > BigInt(MAX_ELEMENTS)) {
    throw new TorchletError(op, "OUT_OF_RANGE", `dimensions ${formatShape(dims)} describe ${elements} elements, more than the ${MAX_ELEMENTS} torchlet allows (corrupt header?)`);
  }
  const expected = Number(elements);
  const found = bytes.length - headerBytes;
  if (found < expected) {
    throw new TorchletError(op, "BAD_FORMAT", `truncated: dimensions ${formatShape(dims)} need ${expected} data bytes (${headerBytes + expected} with the header) but the file has ${found} (${bytes.length} with the header), ${expected - found} missing`);
  }
  if (found > expected) {
    throw new TorchletError(op, "BAD_FORMAT", `${found - expected} unexpected trailing bytes: dimensions ${formatShape(dims)} need ${expected} data bytes (${headerBytes + expected} with the header) but the file has ${found} (${bytes.length} with the header)`);
  }
  return { dims, data: bytes.subarray(headerBytes) };
}

/**
 * Parses an IDX images file (magic 0x00000803: count × rows × cols unsigned bytes).
 *
 * @throws TorchletError BAD_FORMAT if the file is not valid IDX (see {@link parseIdx})
 *   or does not have exactly 3 dimensions.
 */
export function parseImages(bytes: Uint8Array, fileName: string): IdxImages {
  checkArity("parseImages", arguments, ["bytes", "fileName"]);
  const { dims, data } = parseIdxWithRank(bytes, fileName, IDX_IMAGES_MAGIC, "an images file (count, rows, cols)");
  const [count, rows, cols] = dims as [number, number, number];
  return { count, rows, cols, pixels: data };
}

/**
 * Parses an IDX labels file (magic 0x00000801: count unsigned bytes).
 *
 * @returns the labels, a view into `bytes`.
 * @throws TorchletError BAD_FORMAT if the file is not valid IDX (see {@link parseIdx})
 *   or does not have exactly 1 dimension.
 */
export function parseLabels(bytes: Uint8Array, fileName: string): Uint8Array {
  checkArity("parseLabels", arguments, ["bytes", "fileName"]);
  return parseIdxWithRank(bytes, fileName, IDX_LABELS_MAGIC, "a labels file (count)").data;
}

// parseIdx, then insist on the rank that `expectedMagic` encodes.
function parseIdxWithRank(bytes: Uint8Array, fileName: string, expectedMagic: number, what: string): IdxArray {
  const parsed = parseIdx(bytes, fileName);
  const expectedRank = expectedMagic & 0xff;
  if (parsed.dims.length !== expectedRank) {
    const magic = (IDX_UNSIGNED_BYTE << 8) | parsed.dims.length;
    throw new TorchletError(`idx: ${fileName}`, "BAD_FORMAT", `magic number is ${hex(magic)} (${dimensions(parsed.dims.length)}, ${formatShape(parsed.dims)}) but ${what} needs ${hex(expectedMagic)} (${dimensions(expectedRank)})`);
  }
  return parsed;
}

/**
 * Encodes `data` as an IDX file of unsigned bytes with dimensions `dims`
 * (the inverse of {@link parseIdx}).
 *
 * @throws TorchletError INVALID_ARGUMENT if `dims` is empty, has more than 255
 *   entries, or holds a non-integer or negative size; SHAPE_MISMATCH if
 *   `data.length` is not the product of `dims`; OUT_OF_RANGE past 2^30 elements (`MAX_ELEMENTS`).
 * @example encodeIdx([2], new Uint8Array([7, 3])) // a labels file with two labels
 */
export function encodeIdx(dims: number[], data: Uint8Array): Uint8Array {
  checkArity("encodeIdx", arguments, ["dims", "data"]);
  const count = checkShape("encodeIdx", dims, "dims");
  if (dims.length === 0 || dims.length > MAX_DIMS) {
    throw new TorchletError("encodeIdx", "INVALID_ARGUMENT", `IDX needs 1 to ${MAX_DIMS} dimensions, got ${dims.length}`);
  }
  if (data.length !== count) {
    throw new TorchletError("encodeIdx", "SHAPE_MISMATCH", `dims ${formatShape(dims)} need ${count} bytes but data has ${data.length}`);
  }
  const headerBytes = MAGIC_BYTES + BYTES_PER_DIM * dims.length;
  const out = new Uint8Array(headerBytes + count);
  const view = new DataView(out.buffer);
  view.setUint32(0, (IDX_UNSIGNED_BYTE << 8) | dims.length);
  dims.forEach((d, i) => view.setUint32(MAGIC_BYTES + BYTES_PER_DIM * i, d));
  out.set(data, headerBytes);
  return out;
}

// value / 255 for every byte: a lookup beats a division per pixel on 47M pixels.
const BYTE_TO_UNIT: Float32Array = Float32Array.from({ length: 256 }, (_, v) => v / 255);

/**
 * Scales bytes 0 … 255 to floats in [0, 1] (value / 255), as torchvision's
 * `ToTensor` does: 0 → 0, 51 → 0.2, 255 → 1.
 */
export function bytesToUnit(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = BYTE_TO_UNIT[bytes[i]!]!;
  return out;
}

/**
 * Builds a {@link Dataset} from a parsed images file and labels file:
 * pixels scaled to [0, 1] (value / 255, as torchvision's `ToTensor`), labels widened to Int32Array.
 *
 * @param name the dataset's name, e.g. `"fashion-mnist/train"`.
 * @param imagesFile named in errors about the images.
 * @param labelsFile named in errors about the labels.
 * @param classes class names; every label must index into it.
 * @throws TorchletError SHAPE_MISMATCH if the image and label counts differ or
 *   the images are not 28×28; OUT_OF_RANGE if a label is ≥ `classes.length`.
 */
export function makeDataset(
  name: string,
  images: IdxImages,
  labels: Uint8Array,
  imagesFile: string,
  labelsFile: string,
  classes: readonly string[],
): Dataset {
  checkArity("makeDataset", arguments, ["name", "images", "labels", "imagesFile", "labelsFile", "classes"]);
  const op = `dataset ${name}`;
  if (images.count !== labels.length) {
    throw new TorchletError(op, "SHAPE_MISMATCH", `${imagesFile} has ${images.count} images but ${labelsFile} has ${labels.length} labels`);
  }
  if (images.rows !== IMAGE_SIZE || images.cols !== IMAGE_SIZE) {
    throw new TorchletError(op, "SHAPE_MISMATCH", `${imagesFile} holds ${images.rows}×${images.cols} images; expected ${IMAGE_SIZE}×${IMAGE_SIZE}`);
  }
  for (let i = 0; i < labels.length; i++) {
    if (labels[i]! >= classes.length) {
      throw new TorchletError(op, "OUT_OF_RANGE", `${labelsFile}: label ${i} is ${labels[i]}, but there are only ${classes.length} classes (labels 0 … ${classes.length - 1})`);
    }
  }
  return {
    name,
    images: bytesToUnit(images.pixels),
    labels: Int32Array.from(labels),
    count: images.count,
    sampleShape: IMAGE_SHAPE,
    classes,
  };
}

/**
 * A {@link Dataset} from the bytes of an IDX images file and an IDX labels file
 * (both already gunzipped): {@link parseImages}, {@link parseLabels}, then {@link makeDataset}.
 * What `loadDataset` does in Node after reading the files, and what a browser does with fetched ones.
 *
 * @param imagesFile named in errors about the images.
 * @param labelsFile named in errors about the labels.
 * @throws TorchletError as {@link parseImages}, {@link parseLabels} and {@link makeDataset}.
 */
export function datasetFromIdx(
  name: string,
  imagesBytes: Uint8Array,
  labelsBytes: Uint8Array,
  imagesFile: string,
  labelsFile: string,
  classes: readonly string[],
): Dataset {
  checkArity("datasetFromIdx", arguments, ["name", "imagesBytes", "labelsBytes", "imagesFile", "labelsFile", "classes"]);
  return makeDataset(name, parseImages(imagesBytes, imagesFile), parseLabels(labelsBytes, labelsFile), imagesFile, labelsFile, classes);
}

// A magic number or type code in hex, zero-padded: 0x00000803, 0x0d.
function hex(value: number, digits = 8): string {
  return "0x" + value.toString(16).padStart(digits, "0");
}

// "1 dimension", "3 dimensions".
function dimensions(count: number): string {
  return `${count} dimension${count === 1 ? "" : "s"}`;
}
