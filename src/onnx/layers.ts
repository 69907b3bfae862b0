// The one table between torchlet's layers and ONNX operators: each entry says
// how a layer class is written as ONNX node(s) and which ONNX operators are
// read back as that layer. A new layer adds one entry here; a layer without
// one is refused by toOnnx, an operator without one by fromOnnx.
//
//   Conv2d     ↔ Conv with dilations and group; pads as given, or asymmetric for "same" (a zero Pad before it
//                is folded into its padding); a paddingMode other than zeros is refused on export
//   Linear     ↔ Gemm (2-D input), MatMul [+ Add] (any rank)
//   AvgPool2d  ↔ AveragePool: ceil_mode, count_include_pad (a zero Pad before it is folded in, as torch
//                writes it); divisorOverride has no ONNX form and is refused
//   MaxPool2d  ↔ MaxPool: dilations, ceil_mode (returnIndices, a second output, is refused)
//   AdaptiveAvgPool2d ↔ GlobalAveragePool, for an output of 1×1 only
//   Sigmoid, ReLU, Tanh ↔ Sigmoid, Relu, Tanh
//   Flatten    ↔ Flatten (axis 1), else Reshape
//   Reshape    ↔ Reshape with a constant shape
//   BatchNorm1d/2d → BatchNormalization (inference: running statistics), ← as a layer in eval mode
//   Identity   ↔ Identity (read back as no layer)
//   Dropout    → Identity (dropout is the identity at inference); Dropout (inference) ← no layer

import { TorchletError, formatShape } from "../errors.js";
import { poolWindow } from "../ops/window.js";
import { Conv2d, Linear, AvgPool2d, MaxPool2d, Sigmoid, ReLU, Tanh, Flatten, Reshape } from "../nn/layers.js";
import { convPads } from "../ops/conv2d.js";
import { AdaptiveAvgPool2d } from "../nn/pooling.js";
import { BatchNorm1d, BatchNorm2d } from "../nn/batchnorm.js";
import { Dropout } from "../nn/dropout.js";
import { Identity } from "../nn/views.js";
import type { Module } from "../nn/module.js";
import type { NodeProto } from "./proto.js";
import { attributesOf, refuse, nodeLabel, IMPORT_OP, type ConstantValue } from "./values.js";
import { one, requireConstant, setWeights, type ExportContext, type ExportStep, type ImportContext, type ImportResult, type OnnxMapping } from "./mapping.js";
import { batchNormExport, batchNormImport, dropoutImport } from "./norm-layers.js";

export type { ExportContext, ExportStep, ImportContext, ImportResult, OnnxMapping } from "./mapping.js";


// ONNX pads are [top, left, bottom, right]; torchlet pads both sides alike.
function symmetricPads(node: NodeProto, pads: readonly number[]): [number, number] {
  if (pads.length !== 4 || pads[0] !== pads[2] || pads[1] !== pads[3] || pads.some((p) => p < 0)) refuse(node, "pads", pads, "torchlet pads top and bottom (left and right) alike, and 2-D only");
  return [pads[0]!, pads[1]!];
}

// The window attributes every 2-D sliding-window op shares, checked against what torchlet can do.
// A Conv (`conv`) may pad asymmetrically (its "same"): it gets the raw pads to judge.
function windowAttributes(ctx: ImportContext, extra: readonly string[], conv = false): { a: ReturnType<typeof attributesOf>; stride: [number, number]; padding: [number, number]; ownPadding: boolean; dilation: [number, number]; pads: readonly number[] } {
  const { node } = ctx;
  const a = attributesOf(node, ["kernel_shape", "strides", "pads", "dilations", "auto_pad", ...extra]);
  if (a.string("auto_pad", "NOTSET") !== "NOTSET") refuse(node, "auto_pad", a.string("auto_pad", ""), "torchlet takes explicit pads only (NOTSET)");
  const dilations = a.ints("dilations", [1, 1]);
  if (dilations.length !== 2 || dilations.some((d) => d < 1)) refuse(node, "dilations", dilations, "torchlet's windows are 2-D, dilations ≥ 1");
  const strides = a.ints("strides", [1, 1]);
  if (strides.length !== 2) refuse(node, "strides", strides, "torchlet's windows are 2-D");
  const pads = a.ints("pads", [0, 0, 0, 0]);
  const [pH, pW] = conv && pads.length === 4 && pads.every((p) => p >= 0) ? [pads[0]!, pads[1]!] : symmetricPads(node, pads);
  const folded = ctx.padding ?? [0, 0];
  const dilation: [number, number] = [dilations[0]!, dilations[1]!];
  return { a, stride: [strides[0]!, strides[1]!], padding: [pH + folded[0], pW + folded[1]], ownPadding: pH > 0 || pW > 0, dilation, pads };
}

function poolImport(kind: "avg" | "max") {
  return (ctx: ImportContext): ImportResult => {
    const { node } = ctx;
    if (kind === "max" && ctx.padding !== null) throw new TorchletError(IMPORT_OP, "INVALID_ARGUMENT", `${nodeLabel(node)} follows a Pad node: zero padding before a max would change its result, and torchlet does not fold it`);
    const { a, stride, padding, dilation, ownPadding } = windowAttributes(ctx, kind === "avg" ? ["ceil_mode", "count_include_pad"] : ["ceil_mode", "storage_order"]);
    const ceilMode = a.int("ceil_mode", 0) !== 0;
    // A zero Pad node before it pads with real zeros: every window counts them (as count_include_pad 1 would count its
    // own pads), but ceil mode's rule for the last window, or own pads not counted, would set them apart from pixels.
    const folded = ctx.padding !== null, excludesOwnPads = a.int("count_include_pad", 0) === 0 && (ownPadding || ceilMode);
    if (kind === "avg" && folded && (ceilMode || excludesOwnPads)) {
      refuse(node, ceilMode ? "ceil_mode" : "count_include_pad", ceilMode ? 1 : 0, "it follows a Pad node, whose zeros torchlet would have to count as pixels (it folds one only with ceil_mode 0 and count_include_pad 1)");
    }
    if (kind === "avg" && dilation.some((d) => d !== 1)) refuse(node, "dilations", dilation, "average pooling has no dilation in PyTorch or torchlet");
    if (kind === "max" && a.int("storage_order", 0) !== 0) refuse(node, "storage_order", a.int("storage_order", 0), "torchlet has no column-major indices");
    if (node.output.length !== 1) refuse(node, "outputs", node.output, "torchlet's MaxPool2d has one output in a Sequential (no Indices)");
    const kernel = a.ints("kernel_shape", []);
    if (kernel.length !== 2) refuse(node, "kernel_shape", kernel, "torchlet pools 2-D windows");
    // square windows as one number, as they are usually written (and printed); defaults left out
    const size = (p: readonly number[]): number | [number, number] => (p[0] === p[1] ? p[0]! : [p[0]!, p[1]!]);
    const options = { stride: size(stride), padding: size(padding), ...(ceilMode ? { ceilMode } : {}) };
    if (kind === "avg") return one(new AvgPool2d(size(kernel), { ...options, ...(excludesOwnPads && !folded ? { countIncludePad: false } : {}) }));
    return one(new MaxPool2d(size(kernel), { ...options, ...(dilation.some((d) => d !== 1) ? { dilation: size(dilation) } : {}) }));
  };
}

function convImport(ctx: ImportContext): ImportResult {
  const { node } = ctx;
  const { a, stride, padding, dilation, pads } = windowAttributes(ctx, ["group"], true);
  const groups = a.int("group", 1);
  const w = requireConstant(ctx, 1, "weight", 4);
  const b = ctx.constant(node, 2);
  const [K, Cg, kH, kW] = w.dims as [number, number, number, number];
  const kernel = a.ints("kernel_shape", [kH, kW]);
  if (kernel[0] !== kH || kernel[1] !== kW) refuse(node, "kernel_shape", kernel, `the weight is ${formatShape(w.dims)}`);
  if (groups < 1 || K % groups !== 0) refuse(node, "group", groups, `it must divide the weight's ${K} output channels`);
  const options = { kernelSize: [kH, kW] as [number, number], stride, dilation, groups, bias: b !== undefined, generator: ctx.generator };
  const conv = new Conv2d(Cg * groups, K, { ...options, padding: convPadding(ctx, pads, padding, options) });
  setWeights(ctx, conv.weight.data, w, conv.bias?.data, b);
  return one(conv);
}

// ONNX Conv pads [top, left, bottom, right]: alike on both sides, or PyTorch's "same" (the odd one after, stride 1).
function convPadding(ctx: ImportContext, pads: readonly number[], padding: [number, number], o: { kernelSize: [number, number]; stride: [number, number]; dilation: [number, number] }): [number, number] | "same" {
  if (pads[0] === pads[2] && pads[1] === pads[3]) return padding;
  const same = o.stride[0] === 1 && o.stride[1] === 1 && ctx.padding === null ? convPads("fromOnnx", "same", o.kernelSize, o.stride, o.dilation) : null;
  if (same === null || same[0] !== pads[0] || same[1] !== pads[2] || same[2] !== pads[1] || same[3] !== pads[3]) {
    refuse(ctx.node, "pads", pads, "torchlet pads top and bottom (left and right) alike, or as PyTorch's \"same\" (stride 1, the odd one at the bottom/right)");
  }
  return "same";
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

const noAttributes = (make: () => Module) => (ctx: ImportContext): ImportResult => {
  attributesOf(ctx.node, []);
  return one(make());
};

function pool2dExport(op: "AveragePool" | "MaxPool") {
  return ({ layer, path, input }: ExportStep<Module>, ctx: ExportContext): string => {
    const { kernelSize, options } = layer as AvgPool2d | MaxPool2d;
    const w = poolWindow(layer.typeName, kernelSize, options);
    const cannot = (option: string, value: unknown, why: string) => new TorchletError("toOnnx", "INVALID_ARGUMENT", `layer "${path}" (${layer.typeName}) has ${option} ${JSON.stringify(value)}, which ${why}`);
    if (w.divisorOverride !== 0) throw cannot("divisorOverride", w.divisorOverride, "ONNX's AveragePool cannot express (it divides by the window's size)");
    const [pH, pW] = w.padding;
    const attributes: Record<string, number | number[]> = { kernel_shape: w.kernel, strides: w.stride, pads: [pH, pW, pH, pW] };
    if (w.ceilMode) attributes.ceil_mode = 1;
    if (op === "AveragePool") attributes.count_include_pad = w.countIncludePad ? 1 : 0;
    if (op === "MaxPool" && (w.dilation[0] !== 1 || w.dilation[1] !== 1)) attributes.dilations = w.dilation;
    return ctx.node(op, [input], attributes);
  };
}

// AdaptiveAvgPool2d to 1×1 is ONNX's GlobalAveragePool; any other output size has no ONNX operator.
function adaptiveExport({ layer, path, input, inputShape }: ExportStep<Module>, ctx: ExportContext): string {
  const { outputSize } = layer as AdaptiveAvgPool2d;
  const [P, Q] = Array.isArray(outputSize) ? outputSize.map((s, i) => s ?? inputShape[inputShape.length - 2 + i]) : [outputSize, outputSize];
  if (P !== 1 || Q !== 1) throw new TorchletError("toOnnx", "INVALID_ARGUMENT", `layer "${path}" (AdaptiveAvgPool2d) pools to ${P}×${Q}; ONNX has GlobalAveragePool for 1×1 only`);
  return ctx.node("GlobalAveragePool", [input]);
}

/** The table: one entry per layer type, plus the operators that import as no layer at all. */
export const ONNX_MAPPINGS: readonly OnnxMapping[] = [
  {
    name: "Conv2d", layer: Conv2d,
    export({ layer, path, input }, ctx) {
      const conv = layer as Conv2d;
      if (conv.paddingMode !== "zeros") {
        throw new TorchletError("toOnnx", "INVALID_ARGUMENT", `layer "${path}" (Conv2d) pads in mode "${conv.paddingMode}"; torchlet exports zero padding only (paddingMode "zeros")`);
      }
      const [, , kH, kW] = conv.weight.shape as [number, number, number, number];
      const [top, bottom, left, right] = convPads("toOnnx", conv.padding, [kH, kW], conv.stride, conv.dilation);
      const inputs = [input, ctx.floats(`${path}.weight`, conv.weight.data, conv.weight.shape)];
      if (conv.bias) inputs.push(ctx.floats(`${path}.bias`, conv.bias.data, conv.bias.shape));
      return ctx.node("Conv", inputs, { kernel_shape: [kH, kW], strides: [...conv.stride], pads: [top, left, bottom, right], dilations: [...conv.dilation], group: conv.groups });
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
  { name: "AdaptiveAvgPool2d", layer: AdaptiveAvgPool2d, export: adaptiveExport, imports: { GlobalAveragePool: noAttributes(() => new AdaptiveAvgPool2d(1)) } },
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
