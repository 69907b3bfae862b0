// The shapes of the ONNX table (src/onnx/layers.ts) and what its import rules share:
// the contexts a rule sees, its result, and the helpers that read constants and weights.

import { TorchletError, formatShape } from "../errors.js";
import type { Generator } from "../tensor/random.js";
import type { Module } from "../nn/module.js";
import type { NodeProto } from "./proto.js";
import { nodeLabel, IMPORT_OP, type ConstantValue } from "./values.js";

/** What a layer's export writes into: the graph being built. */
export interface ExportContext {
  /** Adds a float32 initializer (a weight) and returns its name. */
  floats(name: string, data: Float32Array, dims: readonly number[]): string;
  /** Adds an int64 initializer (a shape) and returns its name. */
  ints(name: string, values: readonly number[]): string;
  /** Adds a node reading `inputs`; returns the name of its one output. A number is an INT attribute, `{ float }` a FLOAT one. */
  node(opType: string, inputs: readonly string[], attributes?: Readonly<Record<string, number | readonly number[] | { readonly float: number }>>): string;
}

/** One layer to export: where it sits ("1", "0.3"), the value it reads and that value's shape. */
export interface ExportStep<L> {
  layer: L;
  path: string;
  input: string;
  inputShape: readonly number[];
}

/** What an import rule sees: the node, the one after it, the shape flowing in (batch as 1), the graph's constants. */
export interface ImportContext {
  readonly node: NodeProto;
  readonly next: NodeProto | undefined;
  readonly inputShape: readonly number[];
  /** Zero padding [height, width] a Pad node just before left for this node to fold in. */
  readonly padding: readonly [number, number] | null;
  /** The constant at input `i` of `node` (an initializer or a Constant node), undefined when the input is absent. */
  constant(node: NodeProto, i: number): ConstantValue | undefined;
  /** Initial weights are drawn from here (then overwritten), so importing leaves the global generator alone. */
  readonly generator: Generator;
}

/** What an import rule made: the layers (maybe none), how many chain nodes it used, padding left for the next node. */
export interface ImportResult {
  layers: Module[];
  consumed: number;
  padding?: readonly [number, number];
}

/** One row of the table. */
export interface OnnxMapping {
  /** The layer's type name, for messages. */
  readonly name: string;
  /** The layer class; exported only on an exact class match, so a subclass that changes forward is never mis-exported. */
  readonly layer: (abstract new (...args: never[]) => Module) | null;
  /** Writes the layer's nodes; returns the name of the value it produces. */
  export?(step: ExportStep<Module>, ctx: ExportContext): string;
  /** Import rules by ONNX operator. */
  readonly imports: Readonly<Record<string, (ctx: ImportContext) => ImportResult>>;
}

/** An import rule's result of one node made into `layers`. */
export const one = (...layers: Module[]): ImportResult => ({ layers, consumed: 1 });

// The input at `i` must be a constant of the given rank (a weight, a shape).
export function requireConstant(ctx: ImportContext, i: number, role: string, rank?: number): ConstantValue {
  const c = ctx.constant(ctx.node, i);
  if (c === undefined) throw new TorchletError(IMPORT_OP, "BAD_FORMAT", `${nodeLabel(ctx.node)}: input ${i} (${role}) is missing; torchlet needs it as an initializer or a Constant`);
  if (rank !== undefined && c.dims.length !== rank) throw new TorchletError(IMPORT_OP, "SHAPE_MISMATCH", `${nodeLabel(ctx.node)}: ${role} has shape ${formatShape(c.dims)}, expected ${rank} dimensions`);
  return c;
}

// A constant's values into a layer's weight (and bias), when the node has them.
export function setWeights(ctx: ImportContext, weight: Float32Array, w: ConstantValue, bias: Float32Array | undefined, b: ConstantValue | undefined): void {
  for (const [target, source, role] of [[weight, w, "weight"], [bias, b, "bias"]] as const) {
    if (target === undefined || source === undefined) continue;
    if (!(source.values instanceof Float32Array)) throw new TorchletError(IMPORT_OP, "BAD_FORMAT", `${nodeLabel(ctx.node)}: ${role} is not FLOAT`);
    target.set(source.values);
  }
}
