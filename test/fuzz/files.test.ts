// Fuzzing the file parsers with random mutations of valid files: safetensors
// (deserialize), IDX (parseIdx / parseImages / parseLabels), PNG and PGM
// (decodeImage). Every mutated file must either parse into something
// self-consistent or be refused with a TorchletError whose message starts
// with the file name; never a crash from inside, a hang, or a huge allocation.

import fc from "fast-check";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect } from "vitest";
import { Tensor } from "../../src/tensor/tensor.js";
import { serialize, deserialize } from "../../src/io/safetensors.js";
import { checkpointBytes, readCheckpoint } from "../../src/io/checkpoint.js";
import { Generator } from "../../src/tensor/random.js";
import { Sequential, Linear, ReLU } from "../../src/nn/layers.js";
import { Adam } from "../../src/nn/optim.js";
import { loadWithMetadata } from "../../src/io/files.js";
import { encodeIdx, parseIdx, parseImages, parseLabels } from "../../src/data/idx.js";
import { readIdxFile } from "../../src/data/files.js";
import { decodeImage, readImageFile } from "../../src/data/image-node.js";
import { toMnistInput } from "../../src/data/preprocess.js";
import { crc32, encodeGrayPng } from "../helpers/png.js";
import { attempt, fuzz, mutate, mutation, mutations, notNumbers, numel, refusedValid, unchanged, type Mutation } from "./helpers.js";

const work = mkdtempSync(join(tmpdir(), "torchlet-fuzz-files-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// ---------------------------------------------------------------------------
// safetensors

/** A hand-built file (any dtype), as the reference crate lays it out. */
function rawSafetensors(entries: [string, string, number[], Uint8Array][], metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = metadata ? { __metadata__: metadata } : {};
  let offset = 0;
  for (const [name, dtype, shape, data] of entries) {
    header[name] = { dtype, shape, data_offsets: [offset, offset + data.length] };
    offset += data.length;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const [, , , data] of entries) {
    out.set(data, at);
    at += data.length;
  }
  return out;
}

const tensorArb = fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }).chain((shape) =>
  fc.array(fc.float({ noDefaultInfinity: false }), { minLength: numel(shape), maxLength: numel(shape) }).map((values) => new Tensor(Float32Array.from(values), shape)));
const validSafetensors: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.tuple(fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }).filter((k) => k !== "__metadata__"), tensorArb, { maxKeys: 4 }), fc.option(fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 6 }), { maxKeys: 2 }), { nil: undefined }))
    .map(([tensors, metadata]) => serialize(tensors, metadata)),
  fc.constant(rawSafetensors([
    ["h", "F16", [2], Uint8Array.of(0x00, 0x3c, 0x00, 0xfc)],
    ["b", "BF16", [1, 2], Uint8Array.of(0x80, 0x3f, 0xc0, 0x7f)],
    ["d", "F64", [1], new Uint8Array(Float64Array.of(Math.PI).buffer)],
    ["z", "F32", [0, 5], new Uint8Array(0)],
  ], { epoch: "3" })),
);

/** Checks what deserialize returned is self-consistent. */
function checkTensors(tensors: Record<string, unknown>): void {
  for (const [name, t] of Object.entries(tensors)) {
    expect(t, name).toBeInstanceOf(Tensor);
    expect((t as Tensor).data.length).toBe(numel((t as Tensor).shape));
  }
}

describe("fuzz: safetensors", () => {
  fuzz("deserialize of randomly mutated valid files", 1500, 15_000,
    fc.property(validSafetensors, mutations, (valid, ms) => {
      const bytes = ms.reduce(mutate, valid);
      const r = attempt("mutated.safetensors", () => deserialize(bytes, "mutated.safetensors"));
      if (r.ok) {
        checkTensors(r.value.tensors);
        for (const v of Object.values(r.value.metadata)) expect(typeof v).toBe("string");
      } else {
        expect(unchanged(bytes, valid), refusedValid).toBe(false);
        expect(["BAD_FORMAT", "OUT_OF_RANGE"]).toContain(r.error.code);
      }
    }));

  // Structure-aware: valid JSON whose entries are wrong in every way the format can be.
  const jsonValue = fc.oneof(fc.integer({ min: -2, max: 40 }), fc.constantFrom<unknown>(null, true, "F32", "I8", 1.5, -0, 2 ** 53, 1e300, [], {}, [0], [0, 4], [4, 0], [0, 4, 8]));
  const entryArb = fc.record({
    dtype: fc.oneof(fc.constantFrom<unknown>("F32", "F16", "BF16", "F64", "I64", "f32", "", "BOOL"), jsonValue),
    shape: fc.oneof(fc.array(fc.oneof(fc.integer({ min: 0, max: 4 }), jsonValue), { maxLength: 3 }), jsonValue),
    data_offsets: fc.oneof(fc.tuple(fc.integer({ min: -1, max: 40 }), fc.integer({ min: -1, max: 40 })), jsonValue),
  }, { requiredKeys: [] });
  fuzz("deserialize of random headers (every field wrong in every way)", 1000, 10_000,
    fc.property(fc.dictionary(fc.oneof(fc.string({ maxLength: 4 }), fc.constant("__metadata__"), fc.constant("__proto__")), fc.oneof(entryArb, jsonValue), { maxKeys: 4 }), fc.integer({ min: 0, max: 40 }), (header, dataLength) => {
      const json = new TextEncoder().encode(JSON.stringify(header));
      const bytes = new Uint8Array(8 + json.length + dataLength);
      new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
      bytes.set(json, 8);
      const r = attempt("header.safetensors", () => deserialize(bytes, "header.safetensors"));
      if (r.ok) checkTensors(r.value.tensors);
    }));

  fuzz("loadWithMetadata of mutated files on disk names the path", 60, 8000,
    fc.property(validSafetensors, mutations, fc.nat(), (valid, ms, n) => {
      const path = join(work, `m${n % 8}.safetensors`);
      const bytes = ms.reduce(mutate, valid);
      writeFileSync(path, bytes);
      const r = attempt(path, () => loadWithMetadata(path));
      if (r.ok) checkTensors(r.value.tensors);
      else expect(unchanged(bytes, valid), refusedValid).toBe(false);
    }));

  fuzz("deserialize given something that is not bytes", 100, 3000,
    fc.property(notNumbers, (junk) => {
      const r = attempt("x.safetensors", () => deserialize(junk as Uint8Array, "x.safetensors"));
      if (!(junk instanceof Uint8Array)) expect(r.ok).toBe(false);
    }));
});

// ---------------------------------------------------------------------------
// Training checkpoints (what `torchlet train --resume` reads)

describe("fuzz: checkpoints", () => {
  const model = () => new Sequential(new Linear(4, 3, { generator: new Generator(1) }), new ReLU(), new Linear(3, 2, { generator: new Generator(2) }));
  const valid = (() => {
    const net = model();
    const optimizer = new Adam(net.parameters(), { lr: 0.01 });
    for (const p of net.parameters()) p.grad = new Tensor(Float32Array.from(p.data, (v) => v / 2), p.shape);
    optimizer.step();
    return checkpointBytes({
      options: { model: "tiny", lr: 0.01, limit: null }, epoch: 2, batch: 3, rng: new Generator(9).getState(), optimizer: optimizer.stateDict(), model: net.stateDict(),
      progress: { lossSum: 1.5, correct: 3, seen: 8, seconds: 0.25 }, records: [{ epoch: 1, loss: 2.25, trainAcc: 0.5, testAcc: 0.5, examplesPerSec: 100, seconds: 0.1 }],
      backend: "ts", threads: 1, checkpointEvery: 1, version: "0.1.0",
    });
  })();
  const metadataKeys = ["format", "version", "options", "epoch", "batch", "rng", "optimizerStep", "progress", "records", "threads", "checkpointEvery"];
  const junkText = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom("", "null", "[]", "{}", "-1", "1.5", "1e400", "[0,0,0,0]", "[1,2,3]", '{"lossSum":-1}', '[{"epoch":"1"}]', "NaN", '"x"'));

  fuzz("readCheckpoint + restore of byte-mutated and metadata-spoiled checkpoints", 600, 10_000,
    fc.property(fc.oneof(mutations.map((ms) => ({ ms, key: undefined, text: undefined })), fc.record({ ms: fc.constant([] as Mutation[]), key: fc.constantFrom(...metadataKeys), text: junkText })), ({ ms, key, text }) => {
      let bytes = ms.reduce(mutate, valid);
      if (key !== undefined) {
        const { tensors, metadata } = deserialize(valid);
        bytes = serialize(tensors, { ...metadata, [key]: text! });
      }
      const r = attempt("ck.safetensors", () => readCheckpoint(bytes, "ck.safetensors"));
      if (!r.ok) {
        expect(unchanged(bytes, valid), refusedValid).toBe(false);
        return;
      }
      // what --resume does next: every failure is still a TorchletError
      const net = model();
      const optimizer = new Adam(net.parameters(), { lr: 0.01 });
      attempt(["Sequential.loadStateDict"], () => net.loadStateDict(r.value.model));
      attempt(["Adam.loadStateDict"], () => optimizer.loadStateDict(r.value.optimizer));
      attempt(["Generator.setState"], () => new Generator(0).setState(r.value.rng));
      expect(Number.isInteger(r.value.epoch) && r.value.epoch >= 1 && Number.isInteger(r.value.batch) && r.value.batch >= 0).toBe(true);
    }));
});

// ---------------------------------------------------------------------------
// IDX

const validIdx: fc.Arbitrary<{ bytes: Uint8Array; dims: number[] }> = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 })).map(([n, r, c]) => [n, r, c]),
  fc.integer({ min: 0, max: 20 }).map((n) => [n]),
  fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 5 }),
).map((dims) => ({ bytes: encodeIdx(dims, Uint8Array.from({ length: numel(dims) }, (_, i) => (i * 37) & 0xff)), dims }));

describe("fuzz: IDX", () => {
  fuzz("parseIdx / parseImages / parseLabels of randomly mutated valid files", 1500, 10_000,
    fc.property(validIdx, mutations, fc.constantFrom("idx", "images", "labels"), ({ bytes: valid, dims: validDims }, ms, kind) => {
      const bytes = ms.reduce(mutate, valid);
      const name = "mutated-idx3-ubyte";
      const r = attempt(`idx: ${name}`, () => (kind === "idx" ? parseIdx(bytes, name) : kind === "images" ? parseImages(bytes, name) : parseLabels(bytes, name)));
      if (!r.ok) {
        // images need 3 dimensions (count, rows, cols) and labels 1; any IDX file is an IDX file.
        const fits = kind === "idx" || validDims.length === (kind === "images" ? 3 : 1);
        if (fits) expect(unchanged(bytes, valid), refusedValid).toBe(false);
        return;
      }
      if (kind === "idx") {
        const { dims, data } = r.value as { dims: number[]; data: Uint8Array };
        expect(data.length).toBe(numel(dims));
      } else if (kind === "images") {
        const { count, rows, cols, pixels } = r.value as { count: number; rows: number; cols: number; pixels: Uint8Array };
        expect(pixels.length).toBe(count * rows * cols);
      }
    }));

  fuzz("readIdxFile of mutated, gzipped and misnamed files names the path", 80, 8000,
    fc.property(validIdx, fc.array(mutation, { maxLength: 3 }), fc.constantFrom("plain", "gz", "gz-plain", "gz-mutated"), fc.nat(), ({ bytes: valid }, ms, how, n) => {
      const mutated = ms.reduce(mutate, valid);
      const content = how === "plain" ? mutated : how === "gz" ? gzipSync(mutated) : how === "gz-plain" ? mutated : ms.reduce(mutate, gzipSync(valid));
      const path = join(work, `f${n % 8}-idx1-ubyte${how === "plain" ? "" : ".gz"}`);
      writeFileSync(path, content);
      const r = attempt(`idx: ${path}`, () => parseIdx(readIdxFile(path), path));
      if (how === "gz-plain" && !(content[0] === 0x1f && content[1] === 0x8b)) {
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.error.message).toContain("named .gz but is not gzip data");
      } else if (!r.ok) {
        // plain and gz hold the mutated file; gz-mutated mutates the gzip stream itself
        const source = how === "gz-mutated" ? content : mutated;
        expect(unchanged(source, how === "gz-mutated" ? gzipSync(valid) : valid), refusedValid).toBe(false);
      }
    }));

  fuzz("parseIdx given something that is not bytes", 100, 3000,
    fc.property(notNumbers.filter((v) => !(v instanceof Uint8Array)), (junk) => {
      const r = attempt("idx: x", () => parseIdx(junk as Uint8Array, "x"));
      expect(r.ok).toBe(false);
    }));
});

// ---------------------------------------------------------------------------
// Images

const validImage: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.tuple(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 30 }), fc.nat()).map(([w, h, seed]) => encodeGrayPng(w, h, Uint8Array.from({ length: w * h }, (_, i) => (i * 31 + seed) & 0xff))),
  fc.constant(encodeGrayPng(28, 28, Uint8Array.from({ length: 784 }, (_, i) => (i % 28 > 10 && i % 28 < 18 ? 255 : 0)))),
  fc.tuple(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 8 })).map(([w, h]) => Uint8Array.from([...new TextEncoder().encode(`P5\n# digit\n${w} ${h}\n255\n`), ...Array.from({ length: w * h }, (_, i) => (i * 13) & 0xff)])),
  fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 })).map(([w, h]) => new TextEncoder().encode(`P2\n${w} ${h}\n15\n${Array.from({ length: w * h }, (_, i) => i % 16).join(" ")}\n`)),
);

// PNG chunks carry a CRC, so random byte changes almost never get past it. This
// mutation edits a chunk's data and then repairs its CRC, so the decoder's
// deeper checks (header fields, filters, inflated sizes) get exercised too.
function mutatePngChunk(bytes: Uint8Array, pick: number, m: Mutation): Uint8Array {
  if (bytes[0] !== 0x89) return mutate(bytes, m);
  const chunks: { type: Uint8Array; data: Uint8Array }[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 8; at + 12 <= bytes.length;) {
    const length = view.getUint32(at);
    chunks.push({ type: bytes.slice(at + 4, at + 8), data: bytes.slice(at + 8, at + 8 + length) });
    at += 12 + length;
  }
  const chosen = chunks[pick % chunks.length]!;
  chosen.data = mutate(chosen.data, m);
  const parts: number[] = [...bytes.subarray(0, 8)];
  for (const { type, data } of chunks) {
    const length = data.length;
    parts.push((length >>> 24) & 0xff, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff, ...type, ...data);
    const crc = crc32(Uint8Array.from([...type, ...data]));
    parts.push((crc >>> 24) & 0xff, (crc >>> 16) & 0xff, (crc >>> 8) & 0xff, crc & 0xff);
  }
  return Uint8Array.from(parts);
}

function checkImage(image: { width: number; height: number; gray: Float32Array }): void {
  expect(image.gray.length).toBe(image.width * image.height);
  for (const v of image.gray) expect(v >= 0 && v <= 1, `gray value ${v}`).toBe(true);
}

describe("fuzz: images", () => {
  fuzz("decodeImage of randomly mutated PNG and PGM files", 1500, 15_000,
    fc.property(validImage, mutations, (valid, ms) => {
      const bytes = ms.reduce(mutate, valid);
      const r = attempt("image: mutated.png", () => decodeImage(bytes, "mutated.png"));
      if (r.ok) checkImage(r.value);
    }));

  fuzz("decodeImage of PNGs with a chunk mutated and its CRC repaired", 1000, 15_000,
    fc.property(validImage.filter((b) => b[0] === 0x89), fc.nat(), mutations, (valid, pick, ms) => {
      const bytes = ms.reduce((b, m) => mutatePngChunk(b, pick, m), valid);
      const r = attempt("image: fixed-crc.png", () => decodeImage(bytes, "fixed-crc.png"));
      if (r.ok) checkImage(r.value);
    }));

  fuzz("readImageFile + toMnistInput (what predict runs) on mutated files names the path", 60, 8000,
    fc.property(validImage, fc.array(mutation, { maxLength: 2 }), fc.nat(), (valid, ms, n) => {
      const path = join(work, `img${n % 8}.png`);
      writeFileSync(path, ms.reduce(mutate, valid));
      const r = attempt(`image: ${path}`, () => toMnistInput(readImageFile(path), path));
      if (r.ok) expect(r.value.length).toBe(784);
      else if (r.error.code === "SHAPE_MISMATCH") expect(r.error.message).toMatch(/is \d+×\d+ pixels .* but MNIST digits are 28×28/);
    }));

  fuzz("decodeImage given something that is not bytes", 100, 3000,
    fc.property(notNumbers.filter((v) => !(v instanceof Uint8Array)), (junk) => {
      const r = attempt("image: x", () => decodeImage(junk as Uint8Array, "x"));
      expect(r.ok).toBe(false);
    }));
});
