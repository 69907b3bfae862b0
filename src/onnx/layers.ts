// The one table between torchlet's layers and ONNX operators: each entry says
// how a layer class is written as ONNX node(s) and which ONNX operators are
// read back as that layer. A new layer adds one entry here; a layer without
// one is refused by toOnnx, an operator without one by fromOnnx.
//
//   Conv2d     ↔ Conv (a zero Pad before it is folded into its padding)
//   Linear     ↔ Gemm (2-D input), MatMul [+ Add] (any rank)
//   AvgPool2d  ↔ AveragePool, count_include_pad=1 (a zero Pad before it is folded in, as torch writes it)
//   MaxPool2d  ↔ MaxPool
//   Sigmoid, ReLU, Tanh ↔ Sigmoid, Relu, Tanh
//   Flatten    ↔ Flatten (axis 1), else Reshape
//   Reshape    ↔ Reshape with a constant shape
//   BatchNorm1d/2d → BatchNormalization (inference: running statistics), ← as a layer in eval mode
//   Identity   ↔ Identity (read back as no layer)
//   Dropout    → Identity (dropout is the identity at inference); Dropout (inference) ← no layer

import { TorchletError, formatShape } from "../errors.js";
import { Generator } from "../tensor/random.js";
import { Conv2d, Linear, AvgPool2d, MaxPool2d, Sigmoid, ReLU, Tanh, Flatten, Reshape } from "../nn/layers.js";
import { BatchNorm1d, BatchNorm2d } from "../nn/batchnorm.js";
import { Dropout } from "../nn/dropout.js";
import { Identity } from "../nn/views.js";
import type { Module } from "../nn/module.js";
import type { NodeProto } from "./proto.js";
import { attributesOf, refuse, nodeLabel, IMPORT_OP, type ConstantValue } from "./values.js";

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

const one = (...layers: Module[]): ImportResult => ({ layers, consumed: 1 });

// The input at `i` must be a constant of the given rank (a weight, a shape).
function requireConstant(ctx: ImportContext, i: number, role: string, rank?: number): ConstantValue {
  const c = ctx.constant(ctx.node, i);
  if (c === undefined) throw new TorchletError(IMPORT_OP, "BAD_FORMAT", `${nodeLabel(ctx.node)}: input ${i} (${role}) is missing; torchlet needs it as an initializer or a Constant`);
  if (rank !== undefined && c.dims.length !== rank) throw new TorchletError(IMPORT_OP, "SHAPE_MISMATCH", `${nodeLabel(ctx.node)}: ${role} has shape ${formatShape(c.dims)}, expected ${rank} dimensions`);
  return c;
}

// ONNX pads are [top, left, bottom, right]; torchlet pads both sides alike.
function symmetricPads(node: NodeProto, pads: readonly number[]): [number, number] {
  if (pads.length !== 4 || pads[0] !== pads[2] || pads[1] !== pads[3] || pads.some((p) => p < 0)) refuse(node, "pads", pads, "torchlet pads top and bottom (left and right) alike, and 2-D only");
  return [pads[0]!, pads[1]!];
}

// The window attributes every 2-D sliding-window op shares, checked against what torchlet can do.
function windowAttributes(ctx: ImportContext, extra: readonly string[]): { a: ReturnType<typeof attributesOf>; stride: [number, number]; padding: [number, number]; ownPadding: boolean } {
  const { node } = ctx;
  const a = attributesOf(node, ["kernel_shape", "strides", "pads", "dilations", "auto_pad", ...extra]);
  if (a.string("auto_pad", "NOTSET") !== "NOTSET") refuse(node, "auto_pad", a.string("auto_pad", ""), "torchlet takes explicit pads only (NOTSET)");
  const dilations = a.ints("dilations", [1, 1]);
  if (dilations.some((d) => d !== 1)) refuse(node, "dilations", dilations, "torchlet has no dilation yet (needs 1)");
  const strides = a.ints("strides", [1, 1]);
  if (strides.length !== 2) refuse(node, "strides", strides, "torchlet's windows are 2-D");
  const [pH, pW] = symmetricPads(node, a.ints("pads", [0, 0, 0, 0]));
  const folded = ctx.padding ?? [0, 0];
  return { a, stride: [strides[0]!, strides[1]!], padding: [pH + folded[0], pW + folded[1]], ownPadding: pH > 0 || pW > 0 };
}

function poolImport(kind: "avg" | "max") {
  return (ctx: ImportContext): ImportResult => {
    const { node } = ctx;
    if (kind === "max" && ctx.padding !== null) throw new TorchletError(IMPORT_OP, "INVALID_ARGUMENT", `${nodeLabel(node)} follows a Pad node: zero padding before a max would change its result, and torchlet does not fold it`);
    const { a, stride, padding, ownPadding } = windowAttributes(ctx, kind === "avg" ? ["ceil_mode", "count_include_pad"] : ["ceil_mode", "storage_order"]);
    if (a.int("ceil_mode", 0) !== 0) refuse(node, "ceil_mode", a.int("ceil_mode", 0), "torchlet's pooling rounds the output size down (ceil_mode 0)");
    // A zero Pad node before it pads with real zeros, which every window counts; its own pads count only with count_include_pad 1.
    if (kind === "avg" && a.int("count_include_pad", 0) === 0 && ownPadding) {
      refuse(node, "count_include_pad", 0, "torchlet averages over the whole window, padding included (count_include_pad 1)");
    }
    if (kind === "max" && a.int("storage_order", 0) !== 0) refuse(node, "storage_order", a.int("storage_order", 0), "torchlet has no column-major indices");
    if (node.output.length !== 1) refuse(node, "outputs", node.output, "torchlet's MaxPool2d has one output (no Indices)");
    const kernel = a.ints("kernel_shape", []);
    if (kernel.length !== 2) refuse(node, "kernel_shape", kernel, "torchlet pools 2-D windows");
    // square windows as one number, as they are usually written (and printed)
    const size = (p: readonly number[]): number | [number, number] => (p[0] === p[1] ? p[0]! : [p[0]!, p[1]!]);
    const options = { stride: size(stride), padding: size(padding) };
    return one(kind === "avg" ? new AvgPool2d(size(kernel), options) : new MaxPool2d(size(kernel), options));
  };
}

function convImport(ctx: ImportContext): ImportResult {
  const { node } = ctx;
  const { a, stride, padding } = windowAttributes(ctx, ["group"]);
  if (a.int("group", 1) !== 1) refuse(node, "group", a.int("group", 1), "torchlet's Conv2d has no groups yet (needs 1)");
  const w = requireConstant(ctx, 1, "weight", 4);
  const b = ctx.constant(node, 2);
  const [K, C, kH, kW] = w.dims as [number, number, number, number];
  const kernel = a.ints("kernel_shape", [kH, kW]);
  if (kernel[0] !== kH || kernel[1] !== kW) refuse(node, "kernel_shape", kernel, `the weight is ${formatShape(w.dims)}`);
  const conv = new Conv2d(C, K, { kernelSize: [kH, kW], stride, padding, bias: b !== undefined, generator: ctx.generator });
  setWeights(ctx, conv.weight.data, w, conv.bias?.data, b);
  return one(conv);
}

function gemmImport(ctx: ImportContext): ImportResult {
  const { node } = ctx;
  const a = attributesOf(node, ["alpha", "beta", "transA", "transB"]);
  if (a.int("transA", 0) !== 0) refuse(node, "transA", a.int("transA", 0), "the input must not be transposed");
  if (a.float("alpha", 1) !== 1) refuse(node, "alpha", a.float("alpha", 1), "torchlet's Linear does not scale (needs 1)");
  const w = requireConstant(ctx, 1, "weight", 2);
  const b = ctx.constant(node, 2);
  if (b !== undefined && a.float("beta", 1) !== 1) refuse(node, "beta", a.float("beta", 1), "torchlet's Linear adds its bias unscaled (needs 1)");
  const weight = a.int("transB", 0) === 1 ? w : transpose(w);
  return one(linearFrom(ctx, weight, b));
}

// MatMul(x, W (in, out)), and an Add of a constant right after it, is one Linear.
function matMulImport(ctx: ImportContext): ImportResult {
  attributesOf(ctx.node, []);
  const w = requireConstant(ctx, 1, "weight", 2);
  const next = ctx.next;
  const output = ctx.node.output[0];
  if (next?.opType === "Add" && next.input.includes(output!)) {
    attributesOf(next, []);
    const b = ctx.constant(next, next.input[0] === output ? 1 : 0);
    if (b !== undefined) return { layers: [linearFrom(ctx, transpose(w), b, next)], consumed: 2 };
  }
  return one(linearFrom(ctx, transpose(w), undefined));
}

function linearFrom(ctx: ImportContext, w: ConstantValue, b: ConstantValue | undefined, biasNode = ctx.node): Linear {
  const [O, I] = w.dims as [number, number];
  if (b !== undefined && !(b.dims.length === 1 && b.dims[0] === O) && !(b.dims.length === 2 && b.dims[0] === 1 && b.dims[1] === O)) {
    throw new TorchletError(IMPORT_OP, "SHAPE_MISMATCH", `${nodeLabel(biasNode)}: bias has shape ${formatShape(b.dims)}, expected [${O}] for a weight ${formatShape(w.dims)}`);
  }
  const linear = new Linear(I, O, { bias: b !== undefined, generator: ctx.generator });
  setWeights(ctx, linear.weight.data, w, linear.bias?.data, b);
  return linear;
}

function setWeights(ctx: ImportContext, weight: Float32Array, w: ConstantValue, bias: Float32Array | undefined, b: ConstantValue | undefined): void {
  for (const [target, source, role] of [[weight, w, "weight"], [bias, b, "bias"]] as const) {
    if (target === undefined || source === undefined) continue;
    if (!(source.values instanceof Float32Array)) throw new TorchletError(IMPORT_OP, "BAD_FORMAT", `${nodeLabel(ctx.node)}: ${role} is not FLOAT`);
    target.set(source.values);
  }
}

function transpose(w: ConstantValue): ConstantValue {
  const [R, C] = w.dims as [number, number];
  const values = new Float32Array(R * C);
  for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) values[c * R + r] = (w.values as Float32Array)[r * C + c]!;
  return { dims: [C, R], values, dataType: w.dataType };
}

// A zero Pad over the spatial dimensions only: nothing at all, or padding the next Conv or AveragePool folds in.
function padImport(ctx: ImportContext): ImportResult {
  const { node } = ctx;
  const a = attributesOf(node, ["mode"]);
  if (a.string("mode", "constant") !== "constant") refuse(node, "mode", a.string("mode", ""), "torchlet pads with zeros only");
  const pads = requireConstant(ctx, 1, "pads", 1).values as number[];
  const value = ctx.constant(node, 2);
  if (value !== undefined && value.values[0] !== 0) refuse(node, "constant_value", value.values[0], "torchlet pads with zeros only");
  if (node.input.length > 3) refuse(node, "axes", node.input[3], "torchlet pads all dimensions as listed");
  if (pads.every((p) => p === 0)) return { layers: [], consumed: 1 };
  const next = ctx.next?.opType;
  if (pads.length !== 8 || pads[0] || pads[1] || pads[4] || pads[5] || (next !== "Conv" && next !== "AveragePool")) {
    refuse(node, "pads", pads, "torchlet folds only a zero Pad of height and width, right before a Conv or AveragePool");
  }
  return { layers: [], consumed: 1, padding: symmetricPads(node, [pads[2]!, pads[3]!, pads[6]!, pads[7]!]) };
}

function flattenImport(ctx: ImportContext): ImportResult {
  const rank = ctx.inputShape.length;
  const axis0 = attributesOf(ctx.node, ["axis"]).int("axis", 1);
  const axis = axis0 < 0 ? axis0 + rank : axis0;
  if (axis < 0 || axis > rank) refuse(ctx.node, "axis", axis0, `the input has ${rank} dimensions`);
  // ONNX Flatten always gives (product of dims before axis, product of the rest)
  if (axis === 0) return one(new Reshape(1, -1));
  if (axis === rank) return one(new Reshape(-1, 1));
  if (axis === 1) return one(new Flatten(1, -1));
  return one(new Flatten(0, axis - 1), new Flatten(1, -1));
}

// ONNX's 0 copies the input's dimension (unless allowzero): at dimension 0 that is the batch, so it becomes
// torchlet's -1, and a -1 elsewhere becomes its value, known from the shapes past the batch.
function reshapeImport(ctx: ImportContext): ImportResult {
  const { node, inputShape } = ctx;
  const allowZero = attributesOf(node, ["allowzero"]).int("allowzero", 0) === 1;
  const shape = [...(requireConstant(ctx, 1, "shape", 1).values as number[])];
  if (!allowZero) {
    shape.forEach((d, i) => {
      if (d === 0 && i > 0) {
        if (i >= inputShape.length) refuse(node, "shape", shape, `it copies dimension ${i} of a ${inputShape.length}-D input`);
        shape[i] = inputShape[i]!;
      }
    });
    if (shape[0] === 0) {
      const inferred = shape.indexOf(-1);
      if (inferred !== -1) {
        const rest = inputShape.slice(1).reduce((p, d) => p * d, 1);
        const known = shape.slice(1).filter((d) => d !== -1).reduce((p, d) => p * d, 1);
        if (known === 0 || rest % known !== 0) refuse(node, "shape", shape, `it does not fit an input of shape ${formatShape(inputShape)}`);
        shape[inferred] = rest / known;
      }
      shape[0] = -1;
    }
  }
  return one(new Reshape(...shape));
}

// BatchNormalization at inference (training_mode 0): y = scale·(x − mean)/√(var + epsilon) + B per channel.
// ONNX's momentum is PyTorch's 1 − momentum; the layer comes in eval mode, as the node computes.
function batchNormImport(ctx: ImportContext): ImportResult {
  const { node, inputShape } = ctx;
  const a = attributesOf(node, ["epsilon", "momentum", "training_mode", "spatial"]);
  if (a.int("training_mode", 0) !== 0) refuse(node, "training_mode", a.int("training_mode", 0), "torchlet imports the inference form (0)");
  if (a.int("spatial", 1) !== 1) refuse(node, "spatial", a.int("spatial", 1), "torchlet normalises per channel (1)");
  if (node.output.length !== 1) refuse(node, "outputs", node.output, "torchlet's BatchNorm has one output (no running-statistics outputs)");
  const rank = inputShape.length;
  if (rank < 2 || rank > 4) refuse(node, "input rank", rank, "torchlet has BatchNorm1d ((N, C), (N, C, L)) and BatchNorm2d ((N, C, H, W))");
  const C = inputShape[1]!;
  const [scale, bias, mean, variance] = ["scale", "B", "input_mean", "input_var"].map((role, i) => requireConstant(ctx, i + 1, role, 1));
  for (const [role, c] of [["scale", scale], ["B", bias], ["input_mean", mean], ["input_var", variance]] as const) {
    if (c!.dims[0] !== C) throw new TorchletError(IMPORT_OP, "SHAPE_MISMATCH", `${nodeLabel(node)}: ${role} has shape ${formatShape(c!.dims)}, expected [${C}] (the input's channels)`);
  }
  const options = { eps: a.float("epsilon", 1e-5), momentum: 1 - a.float("momentum", 0.9) };
  const layer = rank === 4 ? new BatchNorm2d(C, options) : new BatchNorm1d(C, options);
  setWeights(ctx, layer.weight!.data, scale!, layer.bias!.data, bias);
  setWeights(ctx, layer.runningMean!.data, mean!, layer.runningVar!.data, variance);
  return one(layer.eval());
}

// Dropout at inference is the identity: no layer. Its mask output, or a training_mode that may be true, is refused.
function dropoutImport(ctx: ImportContext): ImportResult {
  const { node } = ctx;
  attributesOf(node, ["seed", "ratio", "is_test"]);
  const training = ctx.constant(node, 2);
  if (node.input[2] !== undefined && node.input[2] !== "" && (training === undefined || training.values[0] !== 0)) {
    refuse(node, "training_mode", node.input[2], "torchlet imports the inference form (a constant false)");
  }
  if (node.output.length > 1 && node.output[1] !== "") refuse(node, "outputs", node.output, "torchlet's import has no mask output");
  return { layers: [], consumed: 1 };
}

function batchNormExport({ layer, path, input }: ExportStep<Module>, ctx: ExportContext): string {
  const bn = layer as BatchNorm1d | BatchNorm2d;
  if (bn.runningMean === null || bn.runningVar === null) {
    throw new TorchletError("toOnnx", "INVALID_ARGUMENT", `layer "${path}" (${bn.typeName}) has trackRunningStats: false, so it always normalises with batch statistics; ONNX's inference BatchNormalization needs running statistics`);
  }
  const C = bn.numFeatures;
  const [scale, shift] = [bn.weight?.data ?? new Float32Array(C).fill(1), bn.bias?.data ?? new Float32Array(C)];
  const inputs = [input, ctx.floats(`${path}.weight`, scale, [C]), ctx.floats(`${path}.bias`, shift, [C]), ctx.floats(`${path}.running_mean`, bn.runningMean.data, [C]), ctx.floats(`${path}.running_var`, bn.runningVar.data, [C])];
  return ctx.node("BatchNormalization", inputs, { epsilon: { float: bn.eps }, momentum: { float: 1 - (bn.momentum ?? 0.1) } });
}

const noAttributes = (make: () => Module) => (ctx: ImportContext): ImportResult => {
  attributesOf(ctx.node, []);
  return one(make());
};

function pool2dExport(op: "AveragePool" | "MaxPool") {
  return ({ layer, input }: ExportStep<Module>, ctx: ExportContext): string => {
    const { kernelSize, options } = layer as AvgPool2d | MaxPool2d;
    const kernel = typeof kernelSize === "number" ? [kernelSize, kernelSize] : [...kernelSize];
    const pair = (v: number | readonly [number, number] | undefined, fallback: number[]) => (v === undefined ? fallback : typeof v === "number" ? [v, v] : [...v]);
    const [pH, pW] = pair(options.padding, [0, 0]) as [number, number];
    const attributes = { kernel_shape: kernel, strides: pair(options.stride, kernel), pads: [pH, pW, pH, pW] };
    return ctx.node(op, [input], op === "AveragePool" ? { ...attributes, count_include_pad: 1 } : attributes);
  };
}

/** The table: one entry per layer type, plus the operators that import as no layer at all. */
export const ONNX_MAPPINGS: readonly OnnxMapping[] = [
  {
    name: "Conv2d", layer: Conv2d,
    export({ layer, path, input }, ctx) {
      const conv = layer as Conv2d;
      const [, , kH, kW] = conv.weight.shape;
      const [pH, pW] = conv.padding;
      const inputs = [input, ctx.floats(`${path}.weight`, conv.weight.data, conv.weight.shape)];
      if (conv.bias) inputs.push(ctx.floats(`${path}.bias`, conv.bias.data, conv.bias.shape));
      return ctx.node("Conv", inputs, { kernel_shape: [kH!, kW!], strides: [...conv.stride], pads: [pH, pW, pH, pW], dilations: [1, 1], group: 1 });
    },
    imports: { Conv: convImport, Pad: padImport },
  },
  {
    name: "Linear", layer: Linear,
    // Gemm takes 2-D inputs only; MatMul + Add broadcasts over any leading dimensions, as Linear does.
    export({ layer, path, input, inputShape }, ctx) {
      const { weight, bias } = layer as Linear;
      if (inputShape.length === 2) {
        const inputs = [input, ctx.floats(`${path}.weight`, weight.data, weight.shape)];
        if (bias) inputs.push(ctx.floats(`${path}.bias`, bias.data, bias.shape));
        return ctx.node("Gemm", inputs, { transB: 1 });
      }
      const t = transpose({ dims: weight.shape, values: weight.data, dataType: 1 });
      const product = ctx.node("MatMul", [input, ctx.floats(`${path}.weight.T`, t.values as Float32Array, t.dims)]);
      return bias ? ctx.node("Add", [product, ctx.floats(`${path}.bias`, bias.data, bias.shape)]) : product;
    },
    imports: { Gemm: gemmImport, MatMul: matMulImport },
  },
  { name: "AvgPool2d", layer: AvgPool2d, export: pool2dExport("AveragePool"), imports: { AveragePool: poolImport("avg") } },
  { name: "MaxPool2d", layer: MaxPool2d, export: pool2dExport("MaxPool"), imports: { MaxPool: poolImport("max") } },
  { name: "Sigmoid", layer: Sigmoid, export: ({ input }, ctx) => ctx.node("Sigmoid", [input]), imports: { Sigmoid: noAttributes(() => new Sigmoid()) } },
  { name: "ReLU", layer: ReLU, export: ({ input }, ctx) => ctx.node("Relu", [input]), imports: { Relu: noAttributes(() => new ReLU()) } },
  { name: "Tanh", layer: Tanh, export: ({ input }, ctx) => ctx.node("Tanh", [input]), imports: { Tanh: noAttributes(() => new Tanh()) } },
  {
    name: "Flatten", layer: Flatten,
    // ONNX Flatten(axis 1) is nn.Flatten's default; any other range is a Reshape, 0 copying the batch dimension.
    export({ layer, path, input, inputShape }, ctx) {
      const { startDim, endDim } = layer as Flatten;
      const rank = inputShape.length;
      const start = startDim < 0 ? startDim + rank : startDim, end = endDim < 0 ? endDim + rank : endDim;
      if (start === 1 && end === rank - 1) return ctx.node("Flatten", [input], { axis: 1 });
      const shape = [...(start === 0 ? [] : [0, ...inputShape.slice(1, start)]), -1, ...inputShape.slice(end + 1)];
      return ctx.node("Reshape", [input, ctx.ints(`${path}.shape`, shape)]);
    },
    imports: { Flatten: flattenImport },
  },
  {
    name: "Reshape", layer: Reshape,
    export({ layer, path, input }, ctx) {
      const { shape } = layer as Reshape;
      if (shape.includes(0)) throw new TorchletError("toOnnx", "INVALID_ARGUMENT", `layer "${path}" (Reshape) has a dimension of size 0 in [${shape.join(", ")}], which ONNX's Reshape reads as "copy the input's"`);
      return ctx.node("Reshape", [input, ctx.ints(`${path}.shape`, shape)]);
    },
    imports: { Reshape: reshapeImport },
  },
  { name: "Identity", layer: Identity, export: ({ input }, ctx) => ctx.node("Identity", [input]), imports: { Identity: (ctx) => (attributesOf(ctx.node, []), { layers: [], consumed: 1 }) } },
  { name: "BatchNorm1d", layer: BatchNorm1d, export: batchNormExport, imports: { BatchNormalization: batchNormImport } },
  { name: "BatchNorm2d", layer: BatchNorm2d, export: batchNormExport, imports: {} },
  { name: "Dropout", layer: Dropout, export: ({ input }, ctx) => ctx.node("Identity", [input]), imports: { Dropout: dropoutImport } },
];
