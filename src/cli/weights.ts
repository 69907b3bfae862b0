// Loading a weights file for `eval` and `predict`: which network it holds
// (from --model or the file's metadata, never guessed), and weights that
// would make every score meaningless (NaN, ±Infinity) refused by name.

import { TorchletError } from "../errors.js";
import { loadWithMetadata } from "../io/files.js";
import type { StateDict } from "../nn/module.js";
import type { Sequential } from "../nn/layers.js";
import { createModel, MODEL_NAMES, type ModelName } from "../lenet/models.js";

/** The datasets the CLI trains and evaluates on. */
export const DATASET_NAMES = ["mnist", "fashion-mnist"] as const;

/** A dataset the CLI knows: one of {@link DATASET_NAMES}. */
export type CliDatasetName = (typeof DATASET_NAMES)[number];

/** How `eval` and `predict` read a weights file. */
export interface LoadModelOptions {
  /** The network the file holds (--model); required when the file's metadata does not say. */
  model?: ModelName;
  /** Load weights holding NaN or ±Infinity anyway (--allow-nonfinite). */
  allowNonFinite?: boolean;
}

/**
 * A model and its weights from a .safetensors file. The network is --model or the file's `model`
 * metadata (they must agree); a file without that metadata needs --model, because lenet and
 * lenet-modern have the same tensor names and shapes and the bytes cannot tell them apart.
 * @throws TorchletError naming the file: an unknown model name, a mismatch, no way to tell the
 *   model, weights that do not fit it, or (unless allowed) a NaN or ±Infinity weight.
 */
export function loadModel(weights: string, options: LoadModelOptions): { net: Sequential; metadata: Record<string, string> } {
  const op = `weights: ${weights}`;
  const { tensors, metadata } = loadWithMetadata(weights);
  const saved = metadata.model;
  if (saved !== undefined && !(MODEL_NAMES as readonly string[]).includes(saved)) {
    throw new TorchletError(op, "BAD_FORMAT", `holds a model named ${JSON.stringify(saved)} in its metadata, which torchlet cannot build (it knows ${MODEL_NAMES.join(", ")})`);
  }
  const { model } = options;
  if (model !== undefined && saved !== undefined && saved !== model) {
    throw new TorchletError(op, "SHAPE_MISMATCH", `holds a ${saved} model but --model ${model} was given`);
  }
  const name = model ?? (saved as ModelName | undefined);
  if (name === undefined) {
    throw new TorchletError(op, "INVALID_ARGUMENT", `does not say which network it holds (no "model" in its metadata), and lenet and lenet-modern have the same tensor names and shapes: give --model lenet or --model lenet-modern`);
  }
  if (options.allowNonFinite !== true) checkFiniteWeights(tensors, op);
  const net = createModel(name);
  try {
    net.loadStateDict(tensors);
  } catch (error) {
    if (error instanceof TorchletError) throw new TorchletError(op, error.code, `does not fit ${name}: ${error.message}`);
    throw error;
  }
  return { net, metadata };
}

/**
 * Refuses weights holding NaN or ±Infinity, naming the first such tensor and index: a network with
 * one scores like chance (or says nothing) instead of failing, so the run that wrote it went wrong.
 * @throws TorchletError NON_FINITE with `op` at the start of the message.
 */
export function checkFiniteWeights(tensors: StateDict, op: string): void {
  for (const [name, tensor] of Object.entries(tensors)) {
    const values = tensor.data;
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i]!)) {
        throw new TorchletError(op, "NON_FINITE", `tensor "${name}" holds ${values[i]} at index ${i}: weights from a run that diverged or a damaged file (pass --allow-nonfinite to use them anyway)`);
      }
    }
  }
}

/** The dataset `eval`/`predict` use: --dataset, else the file's `dataset` metadata, else mnist. */
export function datasetFor(weights: string, given: CliDatasetName | undefined, metadata: Record<string, string>): CliDatasetName {
  if (given !== undefined) return given;
  const saved = metadata.dataset;
  if (saved === undefined) return "mnist";
  if (!(DATASET_NAMES as readonly string[]).includes(saved)) {
    throw new TorchletError(`weights: ${weights}`, "BAD_FORMAT", `was trained on a dataset named ${JSON.stringify(saved)} in its metadata, which torchlet does not know (it knows ${DATASET_NAMES.join(", ")}); give --dataset`);
  }
  return saved as CliDatasetName;
}
