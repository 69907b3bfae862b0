// ONNX's BatchNormalization and Dropout: the inference forms of torchlet's BatchNorm1d/2d and Dropout,
// a row each of the table in src/onnx/layers.ts.

import { TorchletError, formatShape } from "../errors.js";
import { BatchNorm1d, BatchNorm2d } from "../nn/batchnorm.js";
import type { Module } from "../nn/module.js";
import { attributesOf, refuse, nodeLabel, IMPORT_OP } from "./values.js";
import { one, requireConstant, setWeights, type ExportContext, type ExportStep, type ImportContext, type ImportResult } from "./mapping.js";

// BatchNormalization at inference (training_mode 0): y = scale·(x − mean)/√(var + epsilon) + B per channel.
// ONNX's momentum is PyTorch's 1 − momentum; the layer comes in eval mode, as the node computes.
export function batchNormImport(ctx: ImportContext): ImportResult {
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
export function dropoutImport(ctx: ImportContext): ImportResult {
  const { node } = ctx;
  attributesOf(node, ["seed", "ratio", "is_test"]);
  const training = ctx.constant(node, 2);
  if (node.input[2] !== undefined && node.input[2] !== "" && (training === undefined || training.values[0] !== 0)) {
    refuse(node, "training_mode", node.input[2], "torchlet imports the inference form (a constant false)");
  }
  if (node.output.length > 1 && node.output[1] !== "") refuse(node, "outputs", node.output, "torchlet's import has no mask output");
  return { layers: [], consumed: 1 };
}

export function batchNormExport({ layer, path, input }: ExportStep<Module>, ctx: ExportContext): string {
  const bn = layer as BatchNorm1d | BatchNorm2d;
  if (bn.runningMean === null || bn.runningVar === null) {
    throw new TorchletError("toOnnx", "INVALID_ARGUMENT", `layer "${path}" (${bn.typeName}) has trackRunningStats: false, so it always normalises with batch statistics; ONNX's inference BatchNormalization needs running statistics`);
  }
  const C = bn.numFeatures;
  const [scale, shift] = [bn.weight?.data ?? new Float32Array(C).fill(1), bn.bias?.data ?? new Float32Array(C)];
  const inputs = [input, ctx.floats(`${path}.weight`, scale, [C]), ctx.floats(`${path}.bias`, shift, [C]), ctx.floats(`${path}.running_mean`, bn.runningMean.data, [C]), ctx.floats(`${path}.running_var`, bn.runningVar.data, [C])];
  return ctx.node("BatchNormalization", inputs, { epsilon: { float: bn.eps }, momentum: { float: 1 - (bn.momentum ?? 0.1) } });
}
