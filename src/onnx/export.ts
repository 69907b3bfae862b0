// toOnnx: a torchlet model as the bytes of an ONNX model (a graph plus its
// weights as initializers), for ONNX Runtime and the engines that read ONNX.
//
// The model is walked as a chain of layers (nested Sequentials flattened);
// each layer is written by its entry in the table of layers.ts. Shapes come
// from the layers' own steps, so a model that does not fit the input shape
// fails here, naming the layer, before any bytes are written.

import { TorchletError, checkArity, checkInt, checkOptionKeys, describe, formatShape } from "../errors.js";
import { getBackend } from "../backend/index.js";
import { Module } from "../nn/module.js";
import { Sequential } from "../nn/layers.js";
import type { StepLayer } from "../nn/step.js";
import { AttributeType, DataType, MODEL, encode, type AttributeProto, type NodeProto, type TensorProto, type ValueInfo } from "./proto.js";
import { float32Bytes } from "./wire.js";
import { ONNX_MAPPINGS, type ExportContext, type OnnxMapping } from "./layers.js";

/** Options of {@link toOnnx}. */
export interface OnnxExportOptions {
  /** Shape of an input batch, e.g. [1, 1, 28, 28]; dimension 0 is the batch, written as the dynamic dimension "batch". */
  inputShape: readonly number[];
  /** ONNX operator set version, 11–17 (default 13). */
  opset?: number;
  /** Name of the graph's input (default "input"). */
  inputName?: string;
  /** Name of the graph's output (default "output"). */
  outputName?: string;
}

/** The ONNX operator sets torchlet writes and reads (the ones its tests check against ONNX Runtime and PyTorch). */
export const ONNX_OPSETS = {
  /** The oldest operator set read and written. */
  min: 11,
  /** The newest. */
  max: 17,
  /** What toOnnx and `torchlet export` write unless told otherwise. */
  default: 13,
} as const;

const OP = "toOnnx";

/** A layer of the chain with its dotted path ("1", "0.3"), as in state-dict names. */
interface Placed {
  layer: Module;
  path: string;
  mapping: OnnxMapping;
}

/** The mapped layers of `module` in forward order; nested Sequentials are opened. */
function chainOf(module: Module, path: string, out: Placed[] = []): Placed[] {
  if (module instanceof Sequential && module.constructor === Sequential) {
    for (const [name, child] of module.namedChildren()) chainOf(child, path === "" ? name : `${path}.${name}`, out);
    return out;
  }
  const mapping = ONNX_MAPPINGS.find((m) => m.export !== undefined && m.layer === module.constructor);
  if (mapping === undefined) {
    const known = ONNX_MAPPINGS.filter((m) => m.export !== undefined).map((m) => m.name).join(", ");
    throw new TorchletError(OP, "INVALID_ARGUMENT", `layer ${JSON.stringify(path || "(root)")} (${module.typeName}) has no ONNX mapping; torchlet exports Sequential of ${known}`);
  }
  out.push({ layer: module, path, mapping });
  return out;
}

/** The input shape of every layer and the output shape, for one batch size. */
function shapesOf(chain: readonly Placed[], inputShape: readonly number[]): (readonly number[])[] {
  const kernels = getBackend();
  const shapes = [inputShape];
  for (const { layer } of chain) shapes.push((layer as StepLayer).step(shapes[shapes.length - 1]!, kernels).outputShape);
  return shapes;
}

// Dimensions that change with the batch size are written as named (dynamic) dimensions.
function valueInfo(name: string, shape: readonly number[], shapeAtNextBatch: readonly number[]): ValueInfo {
  const dim = shape.map((d, i) => (d === shapeAtNextBatch[i] ? { dimValue: d, dimParam: "" } : { dimValue: 0, dimParam: i === 0 ? "batch" : `${name}_dim${i}` }));
  return { name, type: { tensorType: { elemType: DataType.FLOAT, shape: { dim } } } };
}

function checkExportOptions(options: OnnxExportOptions): { inputShape: number[]; opset: number; inputName: string; outputName: string } {
  checkOptionKeys(OP, options, ["inputShape", "opset", "inputName", "outputName"]);
  const { inputShape } = options;
  if (!Array.isArray(inputShape) || inputShape.length === 0) throw new TorchletError(OP, "INVALID_ARGUMENT", `inputShape must be the shape of an input batch such as [1, 1, 28, 28], got ${describe(inputShape)}`);
  inputShape.forEach((d, i) => checkInt(OP, `inputShape[${i}]`, d, 1));
  const opset = options.opset ?? ONNX_OPSETS.default;
  if (!Number.isInteger(opset) || opset < ONNX_OPSETS.min || opset > ONNX_OPSETS.max) {
    throw new TorchletError(OP, "INVALID_ARGUMENT", `opset must be an integer from ${ONNX_OPSETS.min} to ${ONNX_OPSETS.max}, got ${describe(opset)}`);
  }
  const names = [options.inputName ?? "input", options.outputName ?? "output"] as const;
  for (const n of names) if (typeof n !== "string" || n === "") throw new TorchletError(OP, "INVALID_ARGUMENT", `inputName and outputName must be non-empty strings, got ${describe(n)}`);
  if (names[0] === names[1]) throw new TorchletError(OP, "INVALID_ARGUMENT", `inputName and outputName must differ, both are ${JSON.stringify(names[0])}`);
  return { inputShape: [...inputShape], opset, inputName: names[0], outputName: names[1] };
}

/** The graph under construction: what {@link ExportContext} writes into. */
function graphBuilder(): { ctx: ExportContext; nodes: NodeProto[]; initializers: TensorProto[] } {
  const nodes: NodeProto[] = [], initializers: TensorProto[] = [];
  const tensor = (name: string, dims: readonly number[], dataType: number, rawData: Uint8Array): string => {
    initializers.push({ name, dims: [...dims], dataType, rawData } as TensorProto);
    return name;
  };
  const ctx: ExportContext = {
    floats: (name, data, dims) => tensor(name, dims, DataType.FLOAT, float32Bytes(data)),
    ints(name, values) {
      const raw = new Uint8Array(values.length * 8);
      values.forEach((v, i) => new DataView(raw.buffer).setBigInt64(i * 8, BigInt(v), true));
      return tensor(name, [values.length], DataType.INT64, raw);
    },
    node(opType, inputs, attributes = {}) {
      const output = `${opType}_${nodes.length}`;
      const attribute = Object.entries(attributes).map(([name, v]): Partial<AttributeProto> =>
        typeof v === "number" ? { name, type: AttributeType.INT, i: v } : "float" in v ? { name, type: AttributeType.FLOAT, f: v.float } : { name, type: AttributeType.INTS, ints: [...v] });
      nodes.push({ name: output, opType, input: [...inputs], output: [output], attribute } as unknown as NodeProto);
      return output;
    },
  };
  return { ctx, nodes, initializers };
}

/**
 * The ONNX model of `module` as bytes, for ONNX Runtime and other engines: one graph, the weights as
 * initializers, input `options.inputName` (default "input") and output `options.outputName` (default "output"),
 * the batch dimension dynamic. The module must be built from layers with an ONNX mapping (nested Sequentials
 * are fine); it is exported as it computes in eval mode.
 * @throws TorchletError naming the layer with no ONNX mapping, or the layer whose shapes do not fit `inputShape`.
 * @example const bytes = toOnnx(lenet(), { inputShape: [1, 1, 28, 28] });
 */
export function toOnnx(module: Module, options: OnnxExportOptions): Uint8Array {
  checkArity(OP, arguments, ["module", "options"]);
  if (!(module instanceof Module)) throw new TorchletError(OP, "INVALID_ARGUMENT", `module must be a torchlet Module, got ${describe(module)}`);
  const { inputShape, opset, inputName, outputName } = checkExportOptions(options);
  const chain = chainOf(module, "");
  const shapes = shapesOf(chain, inputShape);
  let nextBatch: (readonly number[])[];
  try {
    nextBatch = shapesOf(chain, [inputShape[0]! + 1, ...inputShape.slice(1)]);
  } catch (error) {
    if (!(error instanceof TorchletError)) throw error;
    throw new TorchletError(OP, error.code, `the model takes ${formatShape(inputShape)} but not a batch of ${inputShape[0]! + 1}, so its batch dimension cannot be dynamic: ${error.message}`);
  }
  const { ctx, nodes, initializers } = graphBuilder();
  let value = inputName;
  chain.forEach(({ layer, path, mapping }, i) => {
    value = mapping.export!({ layer, path, input: value, inputShape: shapes[i]! }, ctx);
  });
  if (value === inputName) value = ctx.node("Identity", [inputName]); // an empty Sequential still needs one node
  nodes[nodes.length - 1]!.output = [outputName];
  const last = shapes.length - 1;
  const graph = { name: "torchlet", node: nodes, initializer: initializers, input: [valueInfo(inputName, shapes[0]!, nextBatch[0]!)], output: [valueInfo(outputName, shapes[last]!, nextBatch[last]!)] };
  return encode({ irVersion: irVersionFor(opset), opsetImport: [{ domain: "", version: opset }], producerName: "torchlet", graph }, MODEL);
}

// The IR version that came with each operator set (the table in ONNX's versioning document): opset 11 ↔ IR 6, 12–14 ↔ 7, 15–17 ↔ 8.
function irVersionFor(opset: number): number {
  return opset <= 11 ? 6 : opset <= 14 ? 7 : 8;
}
