// The ONNX messages torchlet reads and writes, as plain objects, with their
// field numbers from onnx.proto (github.com/onnx/onnx/blob/main/onnx/onnx.proto).
// Only the fields torchlet needs are listed; a schema drives both directions,
// so a field number is written down exactly once.
//
// Reading skips unknown fields (protobuf's rule: newer writers add fields),
// but the fields that would change what a tensor holds (external data,
// segments, sparse initializers) are read so the importer can refuse them.

import { TorchletError } from "../errors.js";
import { FIXED32, LENGTH_DELIMITED, ProtoWriter, VARINT, readFields, readVarint } from "./wire.js";

/** How one field is stored: an integer (int32/int64/enum), a float, a string, raw bytes, or a nested message. */
type Kind = "int" | "float" | "string" | "bytes" | Schema;

interface FieldSpec {
  readonly name: string;
  readonly kind: Kind;
  readonly repeated?: boolean;
}

/** A message type: its name (for errors) and its fields by number. */
export interface Schema {
  readonly name: string;
  readonly fields: Readonly<Record<number, FieldSpec>>;
}

const field = (name: string, kind: Kind, repeated = false): FieldSpec => ({ name, kind, repeated });

const OPERATOR_SET_ID: Schema = { name: "OperatorSetIdProto", fields: { 1: field("domain", "string"), 2: field("version", "int") } };
const DIMENSION: Schema = { name: "TensorShapeProto.Dimension", fields: { 1: field("dimValue", "int"), 2: field("dimParam", "string") } };
const TENSOR_SHAPE: Schema = { name: "TensorShapeProto", fields: { 1: field("dim", DIMENSION, true) } };
const TENSOR_TYPE: Schema = { name: "TypeProto.Tensor", fields: { 1: field("elemType", "int"), 2: field("shape", TENSOR_SHAPE) } };
const TYPE: Schema = { name: "TypeProto", fields: { 1: field("tensorType", TENSOR_TYPE) } };
const VALUE_INFO: Schema = { name: "ValueInfoProto", fields: { 1: field("name", "string"), 2: field("type", TYPE) } };
const TENSOR: Schema = {
  name: "TensorProto",
  fields: {
    1: field("dims", "int", true), 2: field("dataType", "int"), 3: field("segment", "bytes"), 4: field("floatData", "float", true),
    5: field("int32Data", "int", true), 7: field("int64Data", "int", true), 8: field("name", "string"), 9: field("rawData", "bytes"),
    13: field("externalData", "bytes", true), 14: field("dataLocation", "int"),
  },
};
const ATTRIBUTE: Schema = {
  name: "AttributeProto",
  fields: {
    1: field("name", "string"), 20: field("type", "int"), 2: field("f", "float"), 3: field("i", "int"), 4: field("s", "bytes"),
    5: field("t", TENSOR), 6: field("g", "bytes"), 7: field("floats", "float", true), 8: field("ints", "int", true), 9: field("strings", "bytes", true),
  },
};
const NODE: Schema = {
  name: "NodeProto",
  fields: { 1: field("input", "string", true), 2: field("output", "string", true), 3: field("name", "string"), 4: field("opType", "string"), 7: field("domain", "string"), 5: field("attribute", ATTRIBUTE, true) },
};
const GRAPH: Schema = {
  name: "GraphProto",
  fields: {
    1: field("node", NODE, true), 2: field("name", "string"), 5: field("initializer", TENSOR, true), 15: field("sparseInitializer", "bytes", true),
    11: field("input", VALUE_INFO, true), 12: field("output", VALUE_INFO, true), 13: field("valueInfo", VALUE_INFO, true),
  },
};
export const MODEL: Schema = {
  name: "ModelProto",
  fields: { 1: field("irVersion", "int"), 8: field("opsetImport", OPERATOR_SET_ID, true), 2: field("producerName", "string"), 3: field("producerVersion", "string"), 7: field("graph", GRAPH), 25: field("functions", "bytes", true) },
};

/** TensorProto.DataType values torchlet reads and writes. */
export const DataType = { FLOAT: 1, INT64: 7 } as const;
/** AttributeProto.AttributeType values torchlet reads and writes. */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

export interface Dimension { dimValue: number; dimParam: string }
export interface ValueInfo { name: string; type?: { tensorType?: { elemType: number; shape?: { dim: Dimension[] } } } }
export interface TensorProto {
  dims: number[]; dataType: number; name: string; rawData: Uint8Array; floatData: number[]; int32Data: number[]; int64Data: number[];
  segment: Uint8Array; externalData: Uint8Array[]; dataLocation: number;
}
export interface AttributeProto { name: string; type: number; f: number; i: number; s: Uint8Array; t?: TensorProto; g: Uint8Array; floats: number[]; ints: number[]; strings: Uint8Array[] }
export interface NodeProto { input: string[]; output: string[]; name: string; opType: string; domain: string; attribute: AttributeProto[] }
export interface GraphProto { node: NodeProto[]; name: string; initializer: TensorProto[]; sparseInitializer: Uint8Array[]; input: ValueInfo[]; output: ValueInfo[]; valueInfo: ValueInfo[] }
export interface ModelProto { irVersion: number; opsetImport: { domain: string; version: number }[]; producerName: string; producerVersion: string; graph?: GraphProto; functions: Uint8Array[] }

/** Writes `message` (a plain object shaped like `schema`) as protobuf bytes; empty and zero fields are left out, as proto3 does. */
export function encode(message: object, schema: Schema): Uint8Array {
  const w = new ProtoWriter();
  const values = message as Record<string, unknown>;
  for (const [number, spec] of Object.entries(schema.fields).sort(([a], [b]) => Number(a) - Number(b))) {
    const n = Number(number), value = values[spec.name];
    if (value === undefined) continue;
    if (spec.repeated) {
      const list = value as ArrayLike<unknown> & Iterable<unknown>;
      if (list.length === 0) continue;
      if (spec.kind === "int") w.packedInts(n, list as number[]);
      else if (spec.kind === "float") w.packedFloats(n, list as ArrayLike<number>);
      else for (const item of list) writeOne(w, n, spec.kind, item);
    } else writeOne(w, n, spec.kind, value);
  }
  return w.finish();
}

function writeOne(w: ProtoWriter, n: number, kind: Kind, value: unknown): void {
  if (kind === "int") {
    if (value !== 0) w.int(n, value as number);
  } else if (kind === "float") {
    if (value !== 0) w.float(n, value as number);
  } else if (kind === "string") {
    if (value !== "") w.string(n, value as string);
  } else if (kind === "bytes") {
    if ((value as Uint8Array).length > 0) w.bytes(n, value as Uint8Array);
  } else w.bytes(n, encode(value as object, kind));
}

const WIRE_NAMES = ["varint", "fixed64", "length-delimited", "group start", "group end", "fixed32"];

/**
 * Reads protobuf bytes as a plain object shaped like `schema`: every listed field present
 * (repeated ones as arrays, absent scalars as 0, "" or empty bytes, absent messages undefined).
 * @throws TorchletError BAD_FORMAT naming the message and field for a wrong wire type, bad UTF-8,
 *   an integer beyond 2^53 or a malformed encoding.
 */
export function decode<T>(bytes: Uint8Array, schema: Schema, op = "onnx"): T {
  const out: Record<string, unknown> = {};
  for (const spec of Object.values(schema.fields)) out[spec.name] = spec.repeated ? [] : defaultOf(spec.kind);
  for (const { field: n, wireType, value } of readFields(bytes, `${op}: ${schema.name}`)) {
    const spec = schema.fields[n];
    if (spec === undefined) continue; // a field torchlet does not need
    const where = `${schema.name}.${spec.name} (field ${n})`;
    const packed = spec.repeated && wireType === LENGTH_DELIMITED && (spec.kind === "int" || spec.kind === "float");
    const expected = spec.kind === "int" ? VARINT : spec.kind === "float" ? FIXED32 : LENGTH_DELIMITED;
    if (wireType !== expected && !packed) {
      throw new TorchletError(op, "BAD_FORMAT", `${where} has wire type ${WIRE_NAMES[wireType] ?? wireType}, expected ${WIRE_NAMES[expected]}`);
    }
    const items = packed ? unpack(value as Uint8Array, spec.kind as "int" | "float", op, where) : [readOne(value, spec.kind, op, where)];
    if (spec.repeated) (out[spec.name] as unknown[]).push(...items);
    else out[spec.name] = items[0]; // the last occurrence wins, as in protobuf
  }
  return out as T;
}

function defaultOf(kind: Kind): unknown {
  return kind === "int" || kind === "float" ? 0 : kind === "string" ? "" : kind === "bytes" ? new Uint8Array(0) : undefined;
}

function readOne(value: bigint | Uint8Array, kind: Kind, op: string, where: string): unknown {
  if (kind === "int") return toSafeInteger(value as bigint, op, where);
  const bytes = value as Uint8Array;
  if (kind === "float") return new DataView(bytes.buffer, bytes.byteOffset, 4).getFloat32(0, true);
  if (kind === "bytes") return bytes;
  if (kind === "string") {
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      throw new TorchletError(op, "BAD_FORMAT", `${where} is not valid UTF-8`);
    }
  }
  return decode(bytes, kind, op);
}

function unpack(bytes: Uint8Array, kind: "int" | "float", op: string, where: string): number[] {
  const out: number[] = [];
  if (kind === "float") {
    if (bytes.length % 4 !== 0) throw new TorchletError(op, "BAD_FORMAT", `${where} holds ${bytes.length} bytes of packed floats, not a multiple of 4`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    for (let i = 0; i < bytes.length; i += 4) out.push(view.getFloat32(i, true));
    return out;
  }
  for (let at = 0; at < bytes.length;) {
    const [value, next] = readVarint(bytes, at, `${op}: ${where}`);
    out.push(toSafeInteger(value, op, where));
    at = next;
  }
  return out;
}

// int64 fields arrive as unsigned 64-bit; reinterpret as signed and refuse what a JavaScript number cannot hold exactly.
function toSafeInteger(value: bigint, op: string, where: string): number {
  const signed = Number(BigInt.asIntN(64, value));
  if (!Number.isSafeInteger(signed)) throw new TorchletError(op, "BAD_FORMAT", `${where} holds ${BigInt.asIntN(64, value)}, beyond the integers torchlet reads exactly (±2^53)`);
  return signed;
}
