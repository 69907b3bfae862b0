// Reading the values an ONNX graph carries besides its nodes: tensors
// (initializers and Constant nodes) and node attributes. Every way a value can
// be malformed or out of torchlet's reach is a TorchletError naming it.

import { TorchletError, checkShape, formatShape } from "../errors.js";
import { AttributeType, DataType, type AttributeProto, type NodeProto, type TensorProto } from "./proto.js";

/** The op name of every import error. */
export const IMPORT_OP = "fromOnnx";

/** A constant tensor's values: float32 weights or int64 integers (shapes, pads). */
export interface ConstantValue {
  readonly dims: readonly number[];
  readonly values: Float32Array | readonly number[];
  readonly dataType: number;
}

/** How a node is named in messages: `node "conv1" (Conv)`. */
export function nodeLabel(node: NodeProto): string {
  return `node ${JSON.stringify(node.name || node.output[0] || "?")} (${node.opType})`;
}

/**
 * The values of a TensorProto: FLOAT as a Float32Array, INT64 as numbers, from raw_data or the typed field.
 * @throws TorchletError BAD_FORMAT for external or segmented data, another data type, or a count that does not match dims.
 */
export function tensorValue(t: TensorProto, what: string): ConstantValue {
  const bad = (message: string): never => {
    throw new TorchletError(IMPORT_OP, "BAD_FORMAT", `${what}: ${message}`);
  };
  if (t.dataLocation !== 0 || t.externalData.length > 0) bad("its data is stored in an external file; torchlet reads self-contained .onnx files only");
  if (t.segment.length > 0) bad("it is split into segments, which torchlet does not read");
  const count = checkShape(IMPORT_OP, t.dims, `${what}: dims`);
  const raw = t.rawData;
  if (t.dataType === DataType.FLOAT) {
    if (raw.length > 0) {
      if (raw.length !== count * 4) bad(`raw_data holds ${raw.length} bytes but dims ${formatShape(t.dims)} need ${count * 4}`);
      const view = new DataView(raw.buffer, raw.byteOffset, raw.length);
      const values = new Float32Array(count);
      for (let i = 0; i < count; i++) values[i] = view.getFloat32(i * 4, true);
      return { dims: t.dims, values, dataType: t.dataType };
    }
    if (t.floatData.length !== count) bad(`float_data holds ${t.floatData.length} values but dims ${formatShape(t.dims)} need ${count}`);
    return { dims: t.dims, values: Float32Array.from(t.floatData), dataType: t.dataType };
  }
  if (t.dataType === DataType.INT64) {
    if (raw.length > 0) {
      if (raw.length !== count * 8) bad(`raw_data holds ${raw.length} bytes but dims ${formatShape(t.dims)} need ${count * 8}`);
      const view = new DataView(raw.buffer, raw.byteOffset, raw.length);
      const values: number[] = [];
      for (let i = 0; i < count; i++) {
        const v = view.getBigInt64(i * 8, true);
        if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) bad(`holds ${v}, beyond the integers torchlet reads exactly`);
        values.push(Number(v));
      }
      return { dims: t.dims, values, dataType: t.dataType };
    }
    if (t.int64Data.length !== count) bad(`int64_data holds ${t.int64Data.length} values but dims ${formatShape(t.dims)} need ${count}`);
    return { dims: t.dims, values: t.int64Data, dataType: t.dataType };
  }
  return bad(`has data type ${t.dataType}; torchlet reads FLOAT (1) weights and INT64 (7) shapes`);
}

/** What an attribute holds, by the reader that asks for it. */
const ATTRIBUTE_KINDS = { int: AttributeType.INT, ints: AttributeType.INTS, float: AttributeType.FLOAT, string: AttributeType.STRING, tensor: AttributeType.TENSOR } as const;

/** Reads a node's attributes by name with defaults; built by {@link attributesOf}. */
export interface Attributes {
  int(name: string, fallback: number): number;
  ints(name: string, fallback: readonly number[]): readonly number[];
  float(name: string, fallback: number): number;
  string(name: string, fallback: string): string;
  tensor(name: string): TensorProto | undefined;
}

/**
 * The attributes of `node`, refusing any name not in `known` (an attribute torchlet does not
 * understand would otherwise be silently dropped) and any stored with another type than asked.
 */
export function attributesOf(node: NodeProto, known: readonly string[]): Attributes {
  const byName = new Map<string, AttributeProto>();
  for (const a of node.attribute) {
    if (!known.includes(a.name)) {
      const takes = known.length === 0 ? "it takes none" : `it takes ${known.join(", ")}`;
      throw new TorchletError(IMPORT_OP, "INVALID_ARGUMENT", `${nodeLabel(node)} has attribute ${JSON.stringify(a.name)}, which torchlet cannot honour (${takes})`);
    }
    if (byName.has(a.name)) throw new TorchletError(IMPORT_OP, "BAD_FORMAT", `${nodeLabel(node)} has attribute ${JSON.stringify(a.name)} twice`);
    byName.set(a.name, a);
  }
  const get = (name: string, kind: keyof typeof ATTRIBUTE_KINDS): AttributeProto | undefined => {
    const a = byName.get(name);
    if (a !== undefined && a.type !== ATTRIBUTE_KINDS[kind]) {
      throw new TorchletError(IMPORT_OP, "BAD_FORMAT", `${nodeLabel(node)}: attribute ${name} has type ${a.type}, expected ${kind} (${ATTRIBUTE_KINDS[kind]})`);
    }
    return a;
  };
  return {
    int: (name, fallback) => get(name, "int")?.i ?? fallback,
    ints: (name, fallback) => get(name, "ints")?.ints ?? fallback,
    float: (name, fallback) => get(name, "float")?.f ?? fallback,
    string: (name, fallback) => {
      const a = get(name, "string");
      return a === undefined ? fallback : new TextDecoder().decode(a.s);
    },
    tensor: (name) => get(name, "tensor")?.t,
  };
}

/** An attribute value torchlet cannot honour: names the node, the operator, the attribute and its value. */
export function refuse(node: NodeProto, attribute: string, value: unknown, why: string): never {
  throw new TorchletError(IMPORT_OP, "INVALID_ARGUMENT", `${nodeLabel(node)}: ${attribute} ${JSON.stringify(value)} cannot be honoured: ${why}`);
}
