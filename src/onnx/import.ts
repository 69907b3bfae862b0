// fromOnnx: a torchlet Sequential from the bytes of an ONNX model whose graph
// is a chain of operators torchlet has layers for (the table in layers.ts),
// as torch.onnx.export writes such models (opsets 11–17).
//
// The chain is found by walking back from the graph's output to its input:
// every node must take exactly one computed input (the rest are initializers
// or Constant nodes). A node off that path, a cycle, a value nobody produces,
// an operator or attribute torchlet cannot honour, and shapes that do not fit
// are each a TorchletError naming the node.

import { TorchletError, checkArity, describe, formatShape } from "../errors.js";
import { getBackend } from "../backend/index.js";
import { Generator } from "../tensor/random.js";
import { Sequential } from "../nn/layers.js";
import type { Module } from "../nn/module.js";
import type { StepLayer } from "../nn/step.js";
import { DataType, MODEL, decode, type GraphProto, type ModelProto, type NodeProto, type ValueInfo } from "./proto.js";
import { ONNX_MAPPINGS, type ImportContext, type ImportResult } from "./layers.js";
import { ONNX_OPSETS } from "./export.js";
import { IMPORT_OP, attributesOf, nodeLabel, tensorValue, type ConstantValue } from "./values.js";

const fail = (code: "BAD_FORMAT" | "INVALID_ARGUMENT" | "SHAPE_MISMATCH", message: string): never => {
  throw new TorchletError(IMPORT_OP, code, message);
};

/** Import rules by ONNX operator, gathered from the table. */
const RULES = new Map<string, (ctx: ImportContext) => ImportResult>(ONNX_MAPPINGS.flatMap((m) => Object.entries(m.imports)));

/** The graph's constants (initializers and Constant nodes) by value name. */
function constantsOf(graph: GraphProto): Map<string, ConstantValue> {
  if (graph.sparseInitializer.length > 0) fail("BAD_FORMAT", "the graph has sparse initializers, which torchlet does not read");
  const constants = new Map<string, ConstantValue>();
  const add = (name: string, value: ConstantValue, what: string) => {
    if (name === "" || constants.has(name)) fail("BAD_FORMAT", `${what}: the name ${JSON.stringify(name)} is empty or given twice`);
    constants.set(name, value);
  };
  for (const t of graph.initializer) add(t.name, tensorValue(t, `initializer ${JSON.stringify(t.name)}`), `initializer ${JSON.stringify(t.name)}`);
  for (const node of graph.node.filter((n) => n.opType === "Constant")) {
    const value = attributesOf(node, ["value"]).tensor("value");
    if (value === undefined || node.output.length !== 1) fail("BAD_FORMAT", `${nodeLabel(node)} needs a "value" tensor attribute and one output`);
    add(node.output[0]!, tensorValue(value!, nodeLabel(node)), nodeLabel(node));
  }
  return constants;
}

/** The graph's one computed input with its shape (batch as 1), refusing any other kind of input. */
function dataInput(graph: GraphProto, constants: Map<string, ConstantValue>): { name: string; shape: number[] } {
  const inputs = graph.input.filter((i) => !constants.has(i.name));
  if (inputs.length !== 1) fail("INVALID_ARGUMENT", `the graph has ${inputs.length} inputs (${inputs.map((i) => JSON.stringify(i.name)).join(", ")}); torchlet imports models with exactly one`);
  const input = inputs[0]!;
  const shape = declaredShape(input, "input");
  if (shape === undefined || shape.length === 0) return fail("INVALID_ARGUMENT", `input ${JSON.stringify(input.name)} has no shape; torchlet needs it to check the layers`);
  if (shape.slice(1).some((d) => d === null)) fail("INVALID_ARGUMENT", `input ${JSON.stringify(input.name)} has dynamic dimensions past the batch: ${describeShape(shape)}`);
  return { name: input.name, shape: shape.map((d) => d ?? 1) };
}

/** A value's declared tensor shape, null for a dynamic dimension; undefined when it declares none. */
function declaredShape(info: ValueInfo, role: string): (number | null)[] | undefined {
  const tensorType = info.type?.tensorType;
  if (tensorType === undefined) return fail("INVALID_ARGUMENT", `${role} ${JSON.stringify(info.name)} is not a tensor`);
  if (tensorType.elemType !== DataType.FLOAT) fail("INVALID_ARGUMENT", `${role} ${JSON.stringify(info.name)} has element type ${tensorType.elemType}; torchlet computes in FLOAT (1)`);
  return tensorType.shape?.dim.map((d) => (d.dimParam !== "" || d.dimValue <= 0 ? null : d.dimValue));
}

const describeShape = (shape: readonly (number | null)[]): string => `[${shape.map((d) => d ?? "?").join(",")}]`;

/** The nodes from the input to the output, in order: found by walking back from the output. */
function chainOf(graph: GraphProto, constants: Map<string, ConstantValue>, input: string): NodeProto[] {
  const computed = graph.node.filter((n) => n.opType !== "Constant");
  const producers = new Map<string, NodeProto>();
  for (const node of computed) {
    if (node.domain !== "" && node.domain !== "ai.onnx") fail("INVALID_ARGUMENT", `${nodeLabel(node)} is from operator domain ${JSON.stringify(node.domain)}; torchlet knows the standard ONNX operators only`);
    for (const out of node.output) {
      if (producers.has(out) || constants.has(out) || out === input) fail("BAD_FORMAT", `${nodeLabel(node)} writes ${JSON.stringify(out)}, which another node, constant or the input already defines`);
      producers.set(out, node);
    }
  }
  if (graph.output.length !== 1) fail("INVALID_ARGUMENT", `the graph has ${graph.output.length} outputs; torchlet imports models with exactly one`);
  const chain: NodeProto[] = [];
  const seen = new Set<NodeProto>();
  for (let value = graph.output[0]!.name; value !== input;) {
    const node = producers.get(value);
    if (node === undefined) return fail("BAD_FORMAT", `value ${JSON.stringify(value)} is used but no node produces it, and it is neither the input nor an initializer`);
    if (seen.has(node)) fail("BAD_FORMAT", `the graph has a cycle through ${nodeLabel(node)}`);
    seen.add(node);
    chain.push(node);
    const flowing = node.input.filter((name) => name !== "" && !constants.has(name));
    const unknown = flowing.find((name) => name !== input && !producers.has(name));
    if (unknown !== undefined) fail("BAD_FORMAT", `${nodeLabel(node)} reads ${JSON.stringify(unknown)}, which is neither the input, an initializer, a Constant nor a node's output (a missing initializer?)`);
    if (flowing.length !== 1) fail("INVALID_ARGUMENT", `${nodeLabel(node)} takes ${flowing.length} computed inputs (${flowing.join(", ")}); torchlet imports a chain of layers, each reading the one before`);
    value = flowing[0]!;
  }
  chain.reverse();
  const off = computed.find((n) => !seen.has(n));
  if (off !== undefined) fail("INVALID_ARGUMENT", `${nodeLabel(off)} is not on the path from the input to the output; torchlet imports a single chain of layers`);
  return chain;
}

/** The model's ONNX operator set version, which must be one torchlet reads. */
function checkOpset(model: ModelProto): void {
  const standard = model.opsetImport.find((o) => o.domain === "" || o.domain === "ai.onnx");
  if (standard === undefined) return fail("BAD_FORMAT", "the model imports no standard ONNX operator set");
  if (standard.version < ONNX_OPSETS.min || standard.version > ONNX_OPSETS.max) {
    fail("INVALID_ARGUMENT", `the model uses ONNX operator set ${standard.version}; torchlet reads ${ONNX_OPSETS.min} to ${ONNX_OPSETS.max} (re-export with torch.onnx.export(..., opset_version=${ONNX_OPSETS.default}))`);
  }
}

/** Runs the import rule of every node in `chain`, checking the shapes layer by layer. */
function buildLayers(chain: readonly NodeProto[], constants: Map<string, ConstantValue>, inputShape: readonly number[]): { layers: Module[]; shape: readonly number[] } {
  const layers: Module[] = [];
  const kernels = getBackend();
  const generator = new Generator(0);
  let shape = inputShape;
  let padding: readonly [number, number] | null = null;
  for (let i = 0; i < chain.length;) {
    const node = chain[i]!;
    const rule = RULES.get(node.opType);
    if (rule === undefined) return fail("INVALID_ARGUMENT", `${nodeLabel(node)}: operator ${node.opType} has no torchlet layer (torchlet imports ${[...RULES.keys()].join(", ")})`);
    if (node.output.length !== 1 && node.opType !== "MaxPool") fail("INVALID_ARGUMENT", `${nodeLabel(node)} has ${node.output.length} outputs; torchlet's layers have one`);
    const constant = (n: NodeProto, k: number) => (n.input[k] === undefined || n.input[k] === "" ? undefined : constants.get(n.input[k]!));
    let result: ImportResult;
    try {
      result = rule({ node, next: chain[i + 1], inputShape: shape, padding, constant, generator });
      for (const layer of result.layers) shape = (layer as StepLayer).step(shape, kernels).outputShape;
    } catch (error) {
      if (!(error instanceof TorchletError) || error.op === IMPORT_OP) throw error;
      throw new TorchletError(IMPORT_OP, error.code, `${nodeLabel(node)}: ${error.message}`);
    }
    layers.push(...result.layers);
    padding = result.padding ?? null;
    i += result.consumed;
  }
  return { layers, shape };
}

/**
 * A torchlet Sequential from the bytes of an ONNX model (e.g. written by `torch.onnx.export` or {@link toOnnx}),
 * with its weights. The graph must be one chain from one input to one output of operators torchlet has layers
 * for: Conv, Gemm, MatMul (+ Add), AveragePool, MaxPool, GlobalAveragePool, Sigmoid, Relu, Tanh, Flatten, Reshape, Identity,
 * BatchNormalization (inference; the layer comes in eval mode), Dropout (inference: no layer), and zero Pad
 * before Conv or AveragePool; ONNX operator sets 11–17.
 * @throws TorchletError BAD_FORMAT for malformed bytes (naming the message and field), INVALID_ARGUMENT naming
 *   the node, operator and attribute torchlet cannot honour, SHAPE_MISMATCH for shapes that do not fit.
 * @example const net = fromOnnx(new Uint8Array(await (await fetch("lenet.onnx")).arrayBuffer()));
 */
export function fromOnnx(bytes: Uint8Array): Sequential {
  checkArity(IMPORT_OP, arguments, ["bytes"]);
  if (!(bytes instanceof Uint8Array)) fail("INVALID_ARGUMENT", `bytes must be a Uint8Array of an .onnx file, got ${describe(bytes)}`);
  if (bytes.length === 0) fail("BAD_FORMAT", "the file is empty");
  const model = decode<ModelProto>(bytes, MODEL, IMPORT_OP);
  const graph = model.graph;
  if (graph === undefined) return fail("BAD_FORMAT", "the model has no graph (ModelProto field 7)");
  checkOpset(model);
  const constants = constantsOf(graph);
  const input = dataInput(graph, constants);
  const chain = chainOf(graph, constants, input.name);
  const { layers, shape } = buildLayers(chain, constants, input.shape);
  const declared = declaredShape(graph.output[0]!, "output");
  if (declared !== undefined && (declared.length !== shape.length || declared.some((d, i) => i > 0 && d !== null && d !== shape[i]))) {
    fail("SHAPE_MISMATCH", `the layers give ${formatShape(shape)} (batch 1) but the graph declares its output as ${describeShape(declared)}`);
  }
  return new Sequential(...layers);
}
