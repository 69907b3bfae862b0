import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Tensor } from "../../src/tensor/tensor.js";
import { deserialize, serialize, type StateDict } from "../../src/io/safetensors.js";
import { load, loadWithMetadata, save, writeFileAtomic } from "../../src/io/files.js";
import { expectError } from "../helpers/errors.js";

const SOURCE = "bad.safetensors";

/** Builds a file by hand: LE u64 length, the header (JSON-encoded unless already a string or bytes), the data. */
function file(header: unknown, data: ArrayLike<number> = []): Uint8Array {
  const json = header instanceof Uint8Array ? header : new TextEncoder().encode(typeof header === "string" ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/** Little-endian bytes of `values` written with `set` (e.g. DataView.prototype.setUint16), independent of host order. */
function le(width: number, values: number[], set: (view: DataView, at: number, value: number) => void): Uint8Array {
  const out = new Uint8Array(width * values.length);
  const view = new DataView(out.buffer);
  values.forEach((value, i) => set(view, i * width, value));
  return out;
}
const f32 = (values: number[]) => le(4, values, (v, at, x) => v.setFloat32(at, x, true));
const u16 = (values: number[]) => le(2, values, (v, at, x) => v.setUint16(at, x, true));
const f64 = (values: number[]) => le(8, values, (v, at, x) => v.setFloat64(at, x, true));

/** The float32 bit patterns of `data`, so comparisons are exact for NaN and -0. */
function bits(data: Float32Array): number[] {
  return Array.from(new Uint32Array(Float32Array.from(data).buffer));
}

/** Asserts `run` throws a TorchletError with `code` whose message contains every fragment. */
/** Expects deserialize(bytes) to fail with BAD_FORMAT, a message starting with the source, and the fragments. */
function expectBad(bytes: Uint8Array, ...fragments: string[]): void {
  const error = expectError(() => deserialize(bytes, SOURCE), "BAD_FORMAT", ...fragments);
  expect(error.message.startsWith(`${SOURCE}: `)).toBe(true);
}

const entry = (dtype: string, shape: number[], begin: number, end: number) => ({ dtype, shape, data_offsets: [begin, end] });

function sampleDict(): StateDict {
  const special = [0, -0, 1.5, -2.25, Infinity, -Infinity, NaN, 1e-45, 3.4028234663852886e38, Math.fround(Math.PI)];
  return {
    "conv1.weight": new Tensor(Float32Array.from({ length: 24 }, (_, i) => Math.fround(Math.sin(i) * 10)), [2, 1, 3, 4]),
    "conv1.bias": new Tensor(Float32Array.from(special), [10]),
    "1.running_mean": new Tensor(new Float32Array(0), [0, 3]),
    "num_batches_tracked": new Tensor(Float32Array.of(7), []),
    "fc.2.weight": new Tensor(Float32Array.from({ length: 6 }, (_, i) => i - 2.5), [3, 2]),
  };
}

describe("serialize / deserialize round trip", () => {
  it("preserves names, order, shapes, bit-exact values and metadata", () => {
    const tensors = sampleDict();
    const metadata = { format: "pt", epoch: "3", note: "ünïcødé ✓" };
    const bytes = serialize(tensors, metadata);
    const back = deserialize(bytes);
    expect(Object.keys(back.tensors)).toEqual(Object.keys(tensors));
    for (const [name, t] of Object.entries(tensors)) {
      const got = back.tensors[name]!;
      expect(got).toBeInstanceOf(Tensor);
      expect(got.shape).toEqual(t.shape);
      expect(bits(got.data)).toEqual(bits(t.data));
    }
    expect(back.metadata).toEqual(metadata);
  });

  it("gives empty metadata and writes no __metadata__ key when none is given", () => {
    const bytes = serialize(sampleDict());
    expect(new TextDecoder().decode(bytes)).not.toContain("__metadata__");
    expect(deserialize(bytes).metadata).toEqual({});
  });

  it("pads the header with spaces to a multiple of 8 for every name length", () => {
    for (let n = 1; n <= 9; n++) {
      const bytes = serialize({ ["x".repeat(n)]: new Tensor(Float32Array.of(n), [1]) });
      const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
      expect(headerLength % 8).toBe(0);
      expect(bytes.length).toBe(8 + headerLength + 4);
      expect(deserialize(bytes).tensors["x".repeat(n)]!.data[0]).toBe(n);
    }
  });

  it("round-trips an empty dict and a large tensor", () => {
    expect(deserialize(serialize({}))).toEqual({ tensors: {}, metadata: {} });
    const big = Float32Array.from({ length: 1 << 20 }, (_, i) => i * 0.5);
    const back = deserialize(serialize({ big: new Tensor(big, [1024, 1024]) })).tensors.big!;
    expect(back.shape).toEqual([1024, 1024]);
    // Compare bytes: toEqual on a million-element array is slow.
    expect(Buffer.from(back.data.buffer).equals(Buffer.from(big.buffer))).toBe(true);
  });

  it("keeps a tensor named __proto__ as an ordinary entry", () => {
    const tensors = Object.fromEntries([["__proto__", new Tensor(Float32Array.of(1, 2), [2])]]) as StateDict;
    const back = deserialize(serialize(tensors)).tensors;
    expect(Object.keys(back)).toEqual(["__proto__"]);
    expect(Array.from(Object.getOwnPropertyDescriptor(back, "__proto__")!.value.data)).toEqual([1, 2]);
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
  });
});

describe("serialize byte layout", () => {
  it("matches a hand-built file for {a: [1, 2]}", () => {
    const header = '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}'; // 54 bytes → padded to 56
    expect(header.length).toBe(54);
    const expected = [
      56, 0, 0, 0, 0, 0, 0, 0,
      ...Array.from(header, (c) => c.charCodeAt(0)),
      0x20, 0x20,
      0x00, 0x00, 0x80, 0x3f, // 1.0f little-endian
      0x00, 0x00, 0x00, 0x40, // 2.0f
    ];
    expect(Array.from(serialize({ a: new Tensor(Float32Array.of(1, 2), [2]) }))).toEqual(expected);
  });

  it("matches the reference crate's bytes for an empty dict, with and without metadata", () => {
    const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));
    expect(Array.from(serialize({}))).toEqual([8, 0, 0, 0, 0, 0, 0, 0, ...ascii("{}      ")]);
    expect(Array.from(serialize({}, { framework: "pt" }))).toEqual([40, 0, 0, 0, 0, 0, 0, 0, ...ascii('{"__metadata__":{"framework":"pt"}}     ')]);
  });
});

describe("deserialize input handling", () => {
  it("reads bytes at an odd byteOffset inside a larger buffer, returning tensors that own their data", () => {
    const bytes = serialize(sampleDict(), { k: "v" });
    const host = new Uint8Array(bytes.length + 10).fill(0xee);
    host.set(bytes, 3);
    const view = host.subarray(3, 3 + bytes.length);
    expect(view.byteOffset % 4).toBe(3);
    const back = deserialize(view);
    const expected = sampleDict();
    for (const [name, t] of Object.entries(back.tensors)) {
      expect(bits(t.data)).toEqual(bits(expected[name]!.data));
      expect(t.data.buffer).not.toBe(host.buffer);
    }
    host.fill(0);
    expect(bits(back.tensors["fc.2.weight"]!.data)).toEqual(bits(expected["fc.2.weight"]!.data));
    expect(back.metadata).toEqual({ k: "v" });
  });

  it("accepts a Node Buffer and still copies", () => {
    const buffer = Buffer.from(serialize({ a: new Tensor(Float32Array.of(1, 2), [2]) }));
    const a = deserialize(buffer).tensors.a!;
    buffer.fill(0);
    expect(Array.from(a.data)).toEqual([1, 2]);
  });

  it("accepts tensors listed out of offset order, keeping header order", () => {
    const bytes = file({ b: entry("F32", [1], 4, 8), a: entry("F32", [1], 0, 4) }, f32([1, 2]));
    const { tensors } = deserialize(bytes);
    expect(Object.keys(tensors)).toEqual(["b", "a"]);
    expect(tensors.a!.data[0]).toBe(1);
    expect(tensors.b!.data[0]).toBe(2);
  });

  it("accepts several zero-size tensors sharing an offset", () => {
    const bytes = file({ e1: entry("F32", [0], 0, 0), x: entry("F32", [1], 0, 4), e2: entry("F16", [2, 0], 4, 4) }, f32([5]));
    const { tensors } = deserialize(bytes);
    expect(tensors.e2!.shape).toEqual([2, 0]);
    expect(tensors.x!.data[0]).toBe(5);
  });
});

describe("dtype conversion to float32", () => {
  it("converts F16 exactly, including subnormals, ±inf, NaN and -0", () => {
    const halves = [0x3c00, 0xc100, 0x7bff, 0x0001, 0x03ff, 0x8001, 0x0400, 0x7c00, 0xfc00, 0x7e00, 0x8000, 0x3555];
    const expected = [1, -2.5, 65504, 2 ** -24, 1023 * 2 ** -24, -(2 ** -24), 2 ** -14, Infinity, -Infinity, NaN, -0, 0.333251953125];
    const t = deserialize(file({ h: entry("F16", [12], 0, 24) }, u16(halves))).tensors.h!;
    expect(bits(t.data)).toEqual(bits(Float32Array.from(expected)));
    expect(bits(t.data).slice(0, 5)).toEqual([0x3f800000, 0xc0200000, 0x477fe000, 0x33800000, 0x387fc000]);
    expect(bits(t.data)[9]).toBe(0x7fc00000); // quiet NaN, payload kept
  });

  it("converts BF16 exactly, including subnormals, ±inf and NaN", () => {
    const halves = [0x3f80, 0xc020, 0x477f, 0x0001, 0x7f80, 0xff80, 0x7fc0, 0x8000];
    const expected = [1, -2.5, 65280, 2 ** -133, Infinity, -Infinity, NaN, -0];
    const t = deserialize(file({ b: entry("BF16", [2, 4], 0, 16) }, u16(halves))).tensors.b!;
    expect(t.shape).toEqual([2, 4]);
    expect(bits(t.data)).toEqual(bits(Float32Array.from(expected)));
    expect(bits(t.data)[3]).toBe(0x00010000);
  });

  it("rounds F64 to the nearest float32", () => {
    const doubles = [1, -2.5, 65504, 0.1, 1e-40, 5e-324, 1e300, -Infinity, NaN];
    const expected = [1, -2.5, 65504, Math.fround(0.1), Math.fround(1e-40), 0, Infinity, -Infinity, NaN];
    const t = deserialize(file({ d: entry("F64", [9], 0, 72) }, f64(doubles))).tensors.d!;
    expect(bits(t.data)).toEqual(bits(Float32Array.from(expected)));
    expect(t.data[4]).not.toBe(0); // a float32 subnormal survives
  });

  it("reads I64 (PyTorch's num_batches_tracked) as float32: exact up to 2^24, rounded beyond", () => {
    const words = new BigInt64Array([0n, 3n, -7n, 16777217n]);
    const t = deserialize(file({ n: entry("I64", [4], 0, 32) }, new Uint8Array(words.buffer))).tensors.n!;
    expect(Array.from(t.data)).toEqual([0, 3, -7, 16777216]);
    expectBad(file({ n: entry("I64", [1], 0, 4) }, [0, 0, 0, 0]), 'tensor "n"', "I64");
  });

  it("reads F16 correctly at an odd byteOffset", () => {
    const bytes = file({ h: entry("F16", [2], 0, 4) }, u16([0x3c00, 0xc100]));
    const host = new Uint8Array(bytes.length + 1);
    host.set(bytes, 1);
    expect(Array.from(deserialize(host.subarray(1)).tensors.h!.data)).toEqual([1, -2.5]);
  });
});

describe("deserialize rejects malformed files", () => {
  it("rejects fewer than 8 bytes", () => {
    expectBad(new Uint8Array(5), "5 bytes", "8-byte");
  });

  it("rejects a header length past the end of the file, saying both numbers", () => {
    const bytes = new Uint8Array(18);
    new DataView(bytes.buffer).setBigUint64(0, 1000n, true);
    expectBad(bytes, "1000 bytes", "only 10 bytes");
    new DataView(bytes.buffer).setBigUint64(0, 2n ** 64n - 1n, true);
    expectBad(bytes, "18446744073709551615 bytes", "only 10 bytes");
  });

  it("rejects a header over 100 MB with OUT_OF_RANGE, saying both numbers", () => {
    const bytes = new Uint8Array(8 + 100_000_008);
    new DataView(bytes.buffer).setBigUint64(0, 100_000_008n, true);
    const error = expectError(() => deserialize(bytes, SOURCE), "OUT_OF_RANGE", SOURCE, "100000008 bytes", "100000000-byte");
    expect(error.message.startsWith(SOURCE)).toBe(true);
  });

  it("rejects a header that is not UTF-8", () => {
    expectBad(file(Uint8Array.of(0x7b, 0xff, 0xfe, 0x7d)), "4-byte header is not valid UTF-8");
  });

  it("rejects a header that is not JSON", () => {
    expectBad(file('{"a": '), "6-byte header is not valid JSON");
  });

  it("rejects a header that is not an object", () => {
    expectBad(file("[1,2]"), "must be a JSON object", "array of length 2");
    expectBad(file("null"), "must be a JSON object", "null");
    expectBad(file('"F32"'), "must be a JSON object", '"F32"');
  });

  it("rejects an entry that is not {dtype, shape, data_offsets}", () => {
    expectBad(file({ "layer.w": 5 }), 'tensor "layer.w"', "must be an object {dtype, shape, data_offsets}", "5");
    expectBad(file({ w: { dtype: "F32", shape: [1] } }), 'tensor "w"', "missing data_offsets");
    expectBad(file({ w: { offsets: [0, 4] } }), 'tensor "w"', "missing dtype, shape, data_offsets");
  });

  it("rejects every dtype other than F32/F16/BF16/F64/I64, naming it and the tensor", () => {
    for (const dtype of ["I8", "I16", "I32", "U8", "U16", "U32", "U64", "BOOL", "F8_E4M3", "F8_E5M2", "float32"]) {
      expectBad(file({ "fc.weight": entry(dtype, [1], 0, 1) }, [0]), 'tensor "fc.weight"', `dtype ${dtype}`, "only F32, F16, BF16, F64 and I64");
    }
    expectBad(file({ w: entry(32 as unknown as string, [1], 0, 4) }, f32([0])), 'tensor "w"', "dtype 32", "expected a string");
  });

  it("rejects a shape that is not an array of integers ≥ 0", () => {
    expectBad(file({ w: { dtype: "F32", shape: 4, data_offsets: [0, 16] } }, f32([1, 2, 3, 4])), 'tensor "w"', "shape 4");
    expectBad(file({ w: entry("F32", [2, -1], 0, 0) }), 'tensor "w"', "[2,-1]", "dimension 1 is -1");
    expectBad(file({ w: entry("F32", [1.5], 0, 0) }), 'tensor "w"', "dimension 0 is 1.5");
    expectBad(file({ w: { dtype: "F32", shape: ["2"], data_offsets: [0, 8] } }, f32([1, 2])), "dimension 0 is \"2\"");
  });

  it("rejects offsets that are not two integers with begin ≤ end", () => {
    expectBad(file({ w: { dtype: "F32", shape: [1], data_offsets: [4] } }, f32([1])), 'tensor "w"', "data_offsets [4]", "[begin, end]");
    expectBad(file({ w: { dtype: "F32", shape: [1], data_offsets: [0, "4"] } }, f32([1])), 'data_offsets [0,"4"]');
    expectBad(file({ w: { dtype: "F32", shape: [1], data_offsets: [0, 4.5] } }, f32([1])), "data_offsets [0,4.5]");
    expectBad(file({ w: { dtype: "F32", shape: [1], data_offsets: "0-4" } }, f32([1])), 'data_offsets "0-4"');
    expectBad(file({ w: entry("F32", [0], 8, 4) }, f32([1, 2])), 'tensor "w"', "[8, 4]", "begin is after end");
  });

  it("rejects offsets past the end of the data buffer", () => {
    expectBad(file({ w: entry("F32", [4], 0, 16) }, f32([1, 2])), 'tensor "w"', "[0, 16]", "only 8 bytes");
  });

  it("rejects overlapping tensors, naming both", () => {
    expectBad(file({ a: entry("F32", [2], 0, 8), b: entry("F32", [2], 4, 12) }, f32([1, 2, 3])),
      'tensors "a" (data_offsets [0, 8]) and "b" (data_offsets [4, 12]) overlap');
    expectBad(file({ a: entry("F32", [2], 0, 8), b: entry("F32", [2], 0, 8) }, f32([1, 2])), '"a"', '"b"', "overlap");
  });

  it("rejects holes between tensors and before the first, naming the tensors", () => {
    expectBad(file({ a: entry("F32", [2], 0, 8), b: entry("F32", [2], 12, 20) }, f32([1, 2, 3, 4, 5])),
      "bytes [8, 12)", 'between tensors "a" (data_offsets [0, 8]) and "b" (data_offsets [12, 20])');
    expectBad(file({ a: entry("F32", [2], 4, 12) }, f32([1, 2, 3])), "bytes [0, 4)", 'before the first tensor "a"');
    expectBad(file({ a: entry("F16", [1], 0, 2), b: entry("F16", [1], 3, 5) }, [0, 0, 0, 0, 0]), "bytes [2, 3)", '"a"', '"b"');
  });

  it("rejects bytes left over after the last tensor", () => {
    expectBad(file({ a: entry("F32", [2], 0, 8) }, f32([1, 2, 3])), "12 bytes", "only the first 8", "last 4 bytes");
    expectBad(file({}, [1, 2, 3]), "3 bytes", "only the first 0");
  });

  it("rejects a byte range that does not match the element count, saying both sizes", () => {
    expectBad(file({ w: entry("F32", [3], 0, 8) }, f32([1, 2])), 'tensor "w"', "[3]", "3 elements × 4 bytes = 12 bytes", "span 8 bytes");
    expectBad(file({ w: entry("F16", [2, 2], 0, 4) }, u16([1, 2])), "4 elements × 2 bytes = 8 bytes", "span 4 bytes");
  });

  it("rejects metadata that is not string → string", () => {
    expectBad(file({ __metadata__: { epoch: 3 } }), '__metadata__["epoch"] must be a string', "got 3");
    expectBad(file({ __metadata__: ["pt"] }), "__metadata__ must be an object of strings", "array of length 1");
    expectBad(file({ __metadata__: null }), "__metadata__ must be an object of strings", "null");
  });

  it("rejects input that is not a Uint8Array", () => {
    expectError(() => deserialize([1, 2, 3] as unknown as Uint8Array, SOURCE), "INVALID_ARGUMENT", SOURCE, "Uint8Array", "array of length 3");
  });

  it("uses 'safetensors' as the default source", () => {
    expectError(() => deserialize(new Uint8Array(2)), "BAD_FORMAT", "safetensors: file has 2 bytes");
  });
});

describe("serialize rejects bad input", () => {
  const one = () => new Tensor(Float32Array.of(1), [1]);

  it("rejects empty and reserved names", () => {
    expectError(() => serialize({ "": one() }), "INVALID_ARGUMENT", "non-empty");
    expectError(() => serialize({ __metadata__: one() }), "INVALID_ARGUMENT", '"__metadata__" is reserved');
  });

  it("rejects values that are not Tensors, naming them", () => {
    expectError(() => serialize({ "fc.weight": [1, 2] as unknown as Tensor }), "INVALID_ARGUMENT", 'tensor "fc.weight"', "array of length 2", "expected a Tensor");
    expectError(() => serialize({ w: Float32Array.of(1) as unknown as Tensor }), "INVALID_ARGUMENT", "a Float32Array of length 1");
  });

  it("rejects a non-object state dict and metadata that is not string → string", () => {
    expectError(() => serialize(null as unknown as StateDict), "INVALID_ARGUMENT", "plain object", "null");
    expectError(() => serialize(new Map() as unknown as StateDict), "INVALID_ARGUMENT", "a Map");
    expectError(() => serialize({ w: one() }, { epoch: 3 } as unknown as Record<string, string>), "INVALID_ARGUMENT", '__metadata__["epoch"] must be a string', "got 3");
    expectError(() => serialize({ w: one() }, "pt" as unknown as Record<string, string>), "INVALID_ARGUMENT", "__metadata__ must be an object");
  });
});

describe("files: writeFileAtomic, save, load", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "torchlet-safetensors-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("writeFileAtomic writes exactly the bytes and leaves no temporary file", () => {
    const path = join(dir, "raw.bin");
    writeFileAtomic(path, Uint8Array.of(1, 2, 3));
    expect(Array.from(readFileSync(path))).toEqual([1, 2, 3]);
    writeFileAtomic(path, new Uint8Array(0));
    expect(readFileSync(path).length).toBe(0);
    expect(readdirSync(dir)).toEqual(["raw.bin"]);
  });

  it("save/load round-trips a state dict and metadata", () => {
    const path = join(dir, "model.safetensors");
    save(sampleDict(), path, { epoch: "10" });
    const tensors = load(path);
    expect(Object.keys(tensors)).toEqual(Object.keys(sampleDict()));
    expect(bits(tensors["conv1.bias"]!.data)).toEqual(bits(sampleDict()["conv1.bias"]!.data));
    expect(loadWithMetadata(path).metadata).toEqual({ epoch: "10" });
    expect(readdirSync(dir)).toEqual(["model.safetensors"]);
  });

  it("save accepts a module with stateDict()", () => {
    const path = join(dir, "module.safetensors");
    const module = { stateDict: (): StateDict => ({ "0.weight": new Tensor(Float32Array.of(4, 5), [1, 2]) }) };
    save(module, path);
    expect(Array.from(load(path)["0.weight"]!.data)).toEqual([4, 5]);
  });

  it("saving over an existing file replaces it", () => {
    const path = join(dir, "model.safetensors");
    writeFileSync(path, "old contents that are much longer than the new file will be ".repeat(10));
    save({ a: new Tensor(Float32Array.of(1, 2), [2]) }, path);
    expect(Array.from(readFileSync(path))).toEqual(Array.from(serialize({ a: new Tensor(Float32Array.of(1, 2), [2]) })));
    save({ b: new Tensor(Float32Array.of(3), [1]) }, path);
    expect(Object.keys(load(path))).toEqual(["b"]);
    expect(readdirSync(dir)).toEqual(["model.safetensors"]);
  });

  it("leaves the existing file untouched and no temporary file when serialization fails", () => {
    const path = join(dir, "model.safetensors");
    save({ a: new Tensor(Float32Array.of(1, 2), [2]) }, path);
    const before = readFileSync(path);
    expectError(() => save({ a: "not a tensor" as unknown as Tensor }, path), "INVALID_ARGUMENT", 'tensor "a"');
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(readdirSync(dir)).toEqual(["model.safetensors"]);
  });

  it("removes the temporary file when the final rename fails", () => {
    const path = join(dir, "taken");
    mkdirSync(join(path, "child"), { recursive: true }); // a non-empty directory cannot be renamed over
    const error = expectError(() => writeFileAtomic(path, Uint8Array.of(1)), "INVALID_ARGUMENT", path, "could not write");
    expect(error.message.startsWith(`${path}: `)).toBe(true);
    expect(readdirSync(dir)).toEqual(["taken"]);
    expect(readdirSync(path)).toEqual(["child"]);
  });

  it("names the path when the target directory does not exist", () => {
    const path = join(dir, "missing", "model.safetensors");
    const error = expectError(() => save({}, path), "NOT_FOUND", path, "could not write");
    expect(error.message.startsWith(`${path}: `)).toBe(true);
    expect(error.cause).toBeInstanceOf(Error);
    expect(existsSync(join(dir, "missing"))).toBe(false);
  });

  it("load reports a missing file as NOT_FOUND naming the path", () => {
    const path = join(dir, "nope.safetensors");
    const error = expectError(() => load(path), "NOT_FOUND", path, "could not read");
    expect(error.message.startsWith(`${path}: `)).toBe(true);
  });

  it("load reports a corrupt file as BAD_FORMAT with the path as the source", () => {
    const path = join(dir, "corrupt.safetensors");
    const good = serialize({ a: new Tensor(Float32Array.of(1, 2), [2]) });
    writeFileSync(path, good.subarray(0, good.length - 4)); // truncated data
    const error = expectError(() => load(path), "BAD_FORMAT", "only 4 bytes");
    expect(error.message.startsWith(`${path}: `)).toBe(true);
  });
});
