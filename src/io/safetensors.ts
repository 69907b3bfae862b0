// safetensors, the Hugging Face tensor file format, read and written in memory.
//
// Layout: an 8-byte little-endian u64 header length n, then n bytes of UTF-8
// JSON (padded with spaces to a multiple of 8 so the data after it stays
// aligned), then one byte buffer that the tensors' data_offsets must tile
// exactly. This module only touches bytes, so it runs in browsers too; disk
// access lives in files.ts.
//
// Reading follows the rules of the reference Rust crate (`Metadata::validate`):
// sorted by offset, each tensor begins where the previous one ended, the first
// begins at 0, the last ends at the end of the file, and each byte range is
// exactly shape × dtype size. A file it accepts is one torchlet accepts.

import { TorchletError, describe, formatShape, type ErrorCode, checkArity } from "../errors.js";
import { Tensor } from "../tensor/tensor.js";
import type { StateDict } from "../nn/module.js";

/** Named tensors in PyTorch `state_dict` order, e.g. `{"1.weight": w, "1.bias": b}`. */
export type { StateDict };

/** What {@link deserialize} returns: the tensors in header order and the `__metadata__` map (empty when absent). */
export interface SafetensorsContents {
  /** The tensors, each owning a fresh float32 copy of its data. */
  tensors: StateDict;
  /** The file's free-form `__metadata__` strings. */
  metadata: Record<string, string>;
}

/** The reserved header key for free-form string metadata; never a tensor name. */
const METADATA_KEY = "__metadata__";

/** Bytes of the u64 header length that starts every file. */
const LENGTH_BYTES = 8;

/** Same cap as the reference crate: a bigger header is far likelier garbage than a model, and parsing it would be slow. */
const MAX_HEADER_BYTES = 100_000_000;

/** Bytes per element of each dtype torchlet can read; everything is converted to float32. */
const DTYPE_SIZES = { F32: 4, F16: 2, BF16: 2, F64: 8, I64: 8 } as const;
type Dtype = keyof typeof DTYPE_SIZES;

/** Typed arrays use host byte order while the format is little-endian, so big-endian hosts must swap. */
const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** One validated header entry. */
interface Entry {
  name: string;
  dtype: Dtype;
  shape: number[];
  begin: number;
  end: number;
}

/**
 * Encodes `tensors` as a safetensors file: F32, in the given key order, with
 * contiguous data offsets and the header padded with spaces to a multiple of 8.
 * `__metadata__` is written (first, as the reference crate does) only when `metadata` is given.
 *
 * @example
 * const bytes = serialize({ "0.weight": w, "0.bias": b }, { epoch: "3" });
 */
export function serialize(tensors: StateDict, metadata?: Record<string, string>): Uint8Array {
  checkArity("serialize", arguments, ["tensors", "metadata"]);
  const op = "serialize";
  if (!isPlainObject(tensors)) {
    throw new TorchletError(op, "INVALID_ARGUMENT", `tensors must be a plain object of named Tensors, got ${describe(tensors)}`);
  }
  const named = Object.entries(tensors);
  const header: [string, unknown][] = [];
  if (metadata !== undefined) header.push([METADATA_KEY, checkMetadata(op, "INVALID_ARGUMENT", metadata)]);
  let dataLength = 0;
  for (const [name, tensor] of named) {
    checkTensorName(op, name, tensor);
    const end = dataLength + tensor.data.byteLength;
    header.push([name, { dtype: "F32", shape: [...tensor.shape], data_offsets: [dataLength, end] }]);
    dataLength = end;
  }

  // fromEntries (not assignment) so a tensor named "__proto__" stays an ordinary key.
  const json = new TextEncoder().encode(JSON.stringify(Object.fromEntries(header)));
  const headerLength = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(LENGTH_BYTES + headerLength + dataLength);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, LENGTH_BYTES);
  out.fill(0x20, LENGTH_BYTES + json.length, LENGTH_BYTES + headerLength);
  let at = LENGTH_BYTES + headerLength;
  for (const [, tensor] of named) {
    out.set(littleEndianBytes(tensor.data), at);
    at += tensor.data.byteLength;
  }
  return out;
}

/**
 * Decodes a safetensors file, validating every field first so a corrupt or
 * hostile file gets a clear {@link TorchletError} instead of a crash or a huge allocation.
 * F16, BF16, F64 and I64 tensors are converted to float32 (I64: PyTorch's counters such as
 * BatchNorm's num_batches_tracked; exact up to 2^24); other dtypes are refused.
 * The returned tensors own their data (nothing aliases `bytes`), and `bytes`
 * may sit at any byteOffset.
 *
 * @param source the file name that starts every error message.
 * @throws TorchletError BAD_FORMAT for anything malformed or unsupported,
 *   OUT_OF_RANGE for a header over 100 MB, INVALID_ARGUMENT if `bytes` is not a Uint8Array.
 */
export function deserialize(bytes: Uint8Array, source = "safetensors"): SafetensorsContents {
  checkArity("deserialize", arguments, ["bytes", "source"]);
  if (!(bytes instanceof Uint8Array)) {
    throw new TorchletError(source, "INVALID_ARGUMENT", `expected the file's bytes as a Uint8Array, got ${describe(bytes)}`);
  }
  // A plain Uint8Array view: a Node Buffer's slice() aliases instead of copying.
  const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { header, dataStart } = readHeader(view, source);
  const dataLength = view.length - dataStart;

  const entries: Entry[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(header)) {
    if (name === METADATA_KEY) metadata = checkMetadata(source, "BAD_FORMAT", value);
    else entries.push(parseEntry(source, name, value, dataLength));
  }
  checkTiling(source, entries, dataLength);

  const tensors: StateDict = Object.fromEntries(entries.map((entry) => {
    const region = view.subarray(dataStart + entry.begin, dataStart + entry.end);
    return [entry.name, new Tensor(decode(entry.dtype, region), entry.shape)];
  }));
  return { tensors, metadata };
}

/** Reads the length prefix and parses the JSON header, returning it and where the data buffer starts. */
function readHeader(bytes: Uint8Array, source: string): { header: Record<string, unknown>; dataStart: number } {
  if (bytes.length < LENGTH_BYTES) {
    throw new TorchletError(source, "BAD_FORMAT", `file has ${bytes.length} bytes, fewer than the ${LENGTH_BYTES}-byte header length every safetensors file starts with`);
  }
  const declared = new DataView(bytes.buffer, bytes.byteOffset, LENGTH_BYTES).getBigUint64(0, true);
  const available = bytes.length - LENGTH_BYTES;
  if (declared > BigInt(available)) {
    throw new TorchletError(source, "BAD_FORMAT", `header length is ${declared} bytes but only ${available} bytes follow the ${LENGTH_BYTES}-byte length prefix`);
  }
  const length = Number(declared);
  if (length > MAX_HEADER_BYTES) {
    throw new TorchletError(source, "OUT_OF_RANGE", `header length is ${length} bytes, more than the ${MAX_HEADER_BYTES}-byte (100 MB) limit`);
  }

  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(LENGTH_BYTES, LENGTH_BYTES + length));
  } catch {
    throw new TorchletError(source, "BAD_FORMAT", `the ${length}-byte header is not valid UTF-8`);
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (error) {
    throw new TorchletError(source, "BAD_FORMAT", `the ${length}-byte header is not valid JSON (${(error as Error).message})`);
  }
  if (!isPlainObject(header)) {
    throw new TorchletError(source, "BAD_FORMAT", `the header must be a JSON object, got ${describe(header)}`);
  }
  return { header, dataStart: LENGTH_BYTES + length };
}

/** Validates one `{dtype, shape, data_offsets}` entry on its own (tiling is checked across entries later). */
function parseEntry(source: string, name: string, info: unknown, dataLength: number): Entry {
  const what = `tensor ${JSON.stringify(name)}`;
  const fail = (message: string): never => {
    throw new TorchletError(source, "BAD_FORMAT", `${what} ${message}`);
  };
  if (!isPlainObject(info)) return fail(`must be an object {dtype, shape, data_offsets}, got ${describe(info)}`);
  const missing = ["dtype", "shape", "data_offsets"].filter((key) => !Object.hasOwn(info, key));
  if (missing.length > 0) return fail(`is missing ${missing.join(", ")}; each entry must be {dtype, shape, data_offsets}`);

  const { dtype, shape, data_offsets: offsets } = info;
  if (typeof dtype !== "string") return fail(`has dtype ${describe(dtype)}, expected a string such as "F32"`);
  if (!Object.hasOwn(DTYPE_SIZES, dtype)) return fail(`has dtype ${dtype}; torchlet reads only F32, F16, BF16, F64 and I64`);

  if (!Array.isArray(shape)) return fail(`has shape ${describe(shape)}, expected an array of integers ≥ 0`);
  const badDim = shape.findIndex((dim) => !isIndex(dim));
  if (badDim >= 0) return fail(`has shape ${JSON.stringify(shape)}: dimension ${badDim} is ${describe(shape[badDim])}, expected an integer ≥ 0`);

  if (!Array.isArray(offsets) || offsets.length !== 2 || !isIndex(offsets[0]) || !isIndex(offsets[1])) {
    return fail(`has data_offsets ${JSON.stringify(offsets)}, expected [begin, end] with integers ≥ 0`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end) return fail(`has data_offsets [${begin}, ${end}]: begin is after end`);
  if (end > dataLength) return fail(`has data_offsets [${begin}, ${end}] but the data buffer has only ${dataLength} bytes`);

  const size = DTYPE_SIZES[dtype as Dtype];
  // Dimensions are safe integers, so a product past 2^53 is merely inexact, and still far larger than any real byte range.
  const count = (shape as number[]).reduce((a, b) => a * b, 1);
  if (count * size !== end - begin) {
    return fail(`has shape ${formatShape(shape)} of ${dtype} (${count} elements × ${size} bytes = ${count * size} bytes) but data_offsets [${begin}, ${end}] span ${end - begin} bytes`);
  }
  return { name, dtype: dtype as Dtype, shape: shape as number[], begin, end };
}

/** Checks that the entries' byte ranges cover the data buffer exactly once: no holes, no overlaps, nothing after the last. */
function checkTiling(source: string, entries: readonly Entry[], dataLength: number): void {
  const range = (entry: Entry) => `${JSON.stringify(entry.name)} (data_offsets [${entry.begin}, ${entry.end}])`;
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let previous: Entry | undefined;
  for (const entry of sorted) {
    const covered = previous?.end ?? 0;
    if (previous !== undefined && entry.begin < covered) {
      throw new TorchletError(source, "BAD_FORMAT", `tensors ${range(previous)} and ${range(entry)} overlap`);
    }
    if (entry.begin > covered) {
      const where = previous === undefined ? `before the first tensor ${range(entry)}` : `between tensors ${range(previous)} and ${range(entry)}`;
      throw new TorchletError(source, "BAD_FORMAT", `bytes [${covered}, ${entry.begin}) of the data buffer belong to no tensor: a hole ${where}`);
    }
    previous = entry;
  }
  const covered = previous?.end ?? 0;
  if (covered !== dataLength) {
    throw new TorchletError(source, "BAD_FORMAT", `the data buffer has ${dataLength} bytes but the tensors cover only the first ${covered}; the last ${dataLength - covered} bytes belong to no tensor`);
  }
}

/** Checks that `value` maps strings to strings (the only metadata safetensors allows) and returns it. */
function checkMetadata(op: string, code: ErrorCode, value: unknown): Record<string, string> {
  if (!isPlainObject(value)) {
    throw new TorchletError(op, code, `${METADATA_KEY} must be an object of strings, got ${describe(value)}`);
  }
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== "string") {
      throw new TorchletError(op, code, `${METADATA_KEY}[${JSON.stringify(key)}] must be a string, got ${describe(entry)}`);
    }
  }
  return value as Record<string, string>;
}

/** Checks one name → tensor pair handed to {@link serialize}. */
function checkTensorName(op: string, name: string, tensor: unknown): asserts tensor is Tensor {
  if (name === "") throw new TorchletError(op, "INVALID_ARGUMENT", `tensor names must be non-empty`);
  if (name === METADATA_KEY) {
    throw new TorchletError(op, "INVALID_ARGUMENT", `"${METADATA_KEY}" is reserved for metadata and cannot name a tensor`);
  }
  if (!(tensor instanceof Tensor)) {
    throw new TorchletError(op, "INVALID_ARGUMENT", `tensor ${JSON.stringify(name)} is ${describe(tensor)}, expected a Tensor`);
  }
}

/** Converts one validated region to a fresh float32 array. */
function decode(dtype: Dtype, region: Uint8Array): Float32Array {
  switch (dtype) {
    case "F32":
      return new Float32Array(littleEndianWords(region, 4));
    case "F64":
      // The typed-array constructor rounds each value to nearest float32 (ties to even).
      return new Float32Array(new Float64Array(littleEndianWords(region, 8)));
    case "I64":
      return Float32Array.from(new BigInt64Array(littleEndianWords(region, 8)), (v) => Number(v));
    case "BF16":
      return halvesToFloat32(new Uint16Array(littleEndianWords(region, 2)), (bits) => bits << 16);
    case "F16":
      return halvesToFloat32(new Uint16Array(littleEndianWords(region, 2)), float16ToFloat32Bits);
  }
}

/** Widens 16-bit floats to float32 by writing the bit pattern `widen` computes for each. */
function halvesToFloat32(halves: Uint16Array, widen: (bits: number) => number): Float32Array {
  const out = new Float32Array(halves.length);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < halves.length; i++) bits[i] = widen(halves[i]!);
  return out;
}

/** The float32 bit pattern of an IEEE half (1 sign, 5 exponent, 10 mantissa bits); exact for every input. */
function float16ToFloat32Bits(half: number): number {
  const sign = (half & 0x8000) << 16;
  const exponent = (half >> 10) & 0x1f;
  let mantissa = half & 0x3ff;
  if (exponent === 0x1f) return sign | 0x7f800000 | (mantissa << 13); // ±inf, or NaN keeping its payload
  if (exponent !== 0) return sign | ((exponent + 127 - 15) << 23) | (mantissa << 13);
  if (mantissa === 0) return sign; // ±0
  // Subnormal half: shift the leading 1 up to the implicit-bit position; every one is a normal float32.
  let biased = 127 - 15 + 1;
  while ((mantissa & 0x400) === 0) {
    mantissa <<= 1;
    biased--;
  }
  return sign | (biased << 23) | ((mantissa & 0x3ff) << 13);
}

/** A fresh, aligned copy of little-endian `width`-byte words, in host order. */
function littleEndianWords(region: Uint8Array, width: number): ArrayBuffer {
  const copy = region.slice();
  if (!HOST_IS_LITTLE_ENDIAN) reverseWords(copy, width);
  return copy.buffer;
}

/** The little-endian bytes of `data`: a view on little-endian hosts, a swapped copy otherwise. */
function littleEndianBytes(data: Float32Array): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return HOST_IS_LITTLE_ENDIAN ? bytes : reverseWords(bytes.slice(), 4);
}

/** Reverses the byte order of each `width`-byte word of `bytes` in place. */
function reverseWords(bytes: Uint8Array, width: number): Uint8Array {
  for (let i = 0; i < bytes.length; i += width) bytes.subarray(i, i + width).reverse();
  return bytes;
}

/** True for an integer ≥ 0 that a double holds exactly (a dimension or a byte offset). */
function isIndex(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/** True for `{...}` (what JSON.parse makes), not an array, null, Map or class instance. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
