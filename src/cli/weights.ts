// Loading a weights file for `eval` and `predict`: which network it holds
// (from --model or the file's metadata, never guessed), and weights that
// would make every score meaningless (NaN, ±Infinity) refused by name.

import { existsSync } from "node:fs";
import { TorchletError } from "../errors.js";
import { loadWithMetadata } from "../io/files.js";
import type { Module, StateDict } from "../nn/module.js";
import { MODEL_NAMES, type ModelName } from "../lenet/models.js";
import { MODULE_PREFIX, buildNetwork, loadNetworkModule, networkLabel, networkName, type NetworkSource } from "./network.js";

/** The datasets the CLI trains and evaluates on. */
export const DATASET_NAMES = ["mnist", "fashion-mnist"] as const;

/** A dataset the CLI knows: one of {@link DATASET_NAMES}. */
export type CliDatasetName = (typeof DATASET_NAMES)[number];

/** How `eval` and `predict` read a weights file. */
export interface LoadModelOptions {
  /** The network the file holds (--model, a module loaded); required when the file's metadata does not say. */
  model?: NetworkSource;
  /** Load weights holding NaN or ±Infinity anyway (--allow-nonfinite). */
  allowNonFinite?: boolean;
}

/**
 * A model and its weights from a .safetensors file. The network is --model or the file's `model`
 * metadata (they must agree); a file without that metadata needs --model, because lenet and
 * lenet-modern have the same tensor names and shapes and the bytes cannot tell them apart.
 * Metadata `module:<absolute path>` (a user's network) loads that module; when it has moved, the
 * error says to pass --model with its new path, which is then used instead.
 * @throws TorchletError naming the file: an unknown model name, a mismatch, no way to tell the
 *   model, a recorded module that is gone, weights that do not fit it, or (unless allowed) a NaN or ±Infinity weight.
 */
export async function loadModel(weights: string, options: LoadModelOptions): Promise<{ net: Module; metadata: Record<string, string> }> {
  const op = `weights: ${weights}`;
  const { tensors, metadata } = loadWithMetadata(weights);
  const saved = metadata.model;
  const savedModule = saved?.startsWith(MODULE_PREFIX) ? saved.slice(MODULE_PREFIX.length) : undefined;
  if (saved !== undefined && savedModule === undefined && !(MODEL_NAMES as readonly string[]).includes(saved)) {
    throw new TorchletError(op, "BAD_FORMAT", `holds a model named ${JSON.stringify(saved)} in its metadata, which torchlet cannot build (it knows ${MODEL_NAMES.join(", ")})`);
  }
  const { model } = options;
  // A module given for a module-built file may be the same one moved: its tensor names and shapes are checked below.
  const bothModules = typeof model === "object" && savedModule !== undefined;
  if (model !== undefined && saved !== undefined && !bothModules && saved !== networkName(model)) {
    throw new TorchletError(op, "SHAPE_MISMATCH", `holds ${savedModule === undefined ? `a ${saved} model` : `the network built by ${savedModule}`} but --model ${networkLabel(model)} was given`);
  }
  if (model === undefined && saved === undefined) {
    throw new TorchletError(op, "INVALID_ARGUMENT", `does not say which network it holds (no "model" in its metadata), and lenet and lenet-modern have the same tensor names and shapes: give --model lenet or --model lenet-modern`);
  }
  if (options.allowNonFinite !== true) checkFiniteWeights(tensors, op);
  const source = model ?? (savedModule === undefined ? (saved as ModelName) : await recordedModule(op, savedModule));
  const net = buildNetwork(source);
  try {
    net.loadStateDict(tensors);
  } catch (error) {
    if (error instanceof TorchletError) throw new TorchletError(op, error.code, `does not fit ${networkLabel(source)}: ${error.message}`);
    throw error;
  }
  return { net, metadata };
}

// The module a weights file says built its network, if it is still where it was.
async function recordedModule(op: string, path: string): Promise<NetworkSource> {
  if (!existsSync(path)) {
    throw new TorchletError(op, "NOT_FOUND", `was trained with the network built by ${path} (its "model" metadata), which is not there anymore; pass --model PATH with the module that builds it`);
  }
  return loadNetworkModule(path);
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
