// Training checkpoints (Node only): everything `torchlet train --resume` needs
// to continue a run and end with the same bits as a run never interrupted.
//
// A checkpoint is a safetensors file, so any safetensors reader can open it:
//   tensors   model.<name>          the weights, PyTorch state_dict names ("model.1.weight")
//             optimizer.<buf>.<i>   optimizer buffer <buf> of parameter i (SGD "momentum";
//                                   Adam "m", "s" and "step", its per-parameter step count)
//   __metadata__ (strings; JSON where noted)
//             format "torchlet-checkpoint", version "1", torchlet (the package version)
//             options        JSON: the training options a resumed run must repeat
//             epoch, batch   the epoch in progress (1-based) and the batches of it already trained
//             rng            JSON [4 × uint32]: the shuffling generator's state at the START of
//                            that epoch (the epoch's order is drawn from it, then `batch` batches skipped)
//             optimizerStep  the optimizer's step count
//             progress       JSON {lossSum, correct, seen, seconds} of the epoch in progress
//             records        JSON: one record per finished epoch
//             backend, threads  the kernels that wrote it (results are bit-identical only on the same)
//             checkpointEvery  batches between checkpoints ("" for epoch ends only)
// Written with writeFileAtomic (temporary file, fsync, rename, directory fsync): a
// crash or SIGKILL at any moment leaves the previous checkpoint or the new one.

import { readdirSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { TorchletError, describe } from "../errors.js";
import { Tensor } from "../tensor/tensor.js";
import type { GeneratorState } from "../tensor/random.js";
import type { OptimizerState } from "../nn/optim.js";
import type { StateDict } from "../nn/module.js";
import type { EpochProgress } from "../lenet/fit.js";
import { deserialize, serialize } from "./safetensors.js";
import { loadWithMetadata, outputTarget, writeFileAtomic } from "./files.js";

/** The value of `__metadata__.format` that marks a torchlet checkpoint. */
export const CHECKPOINT_FORMAT = "torchlet-checkpoint";
/** The checkpoint layout version this code writes and reads. */
export const CHECKPOINT_VERSION = "1";

export type { EpochProgress };

/** Everything a checkpoint holds. */
export interface TrainingCheckpoint {
  /** The options that define the run; a resumed run must give the same ones. */
  options: Record<string, string | number | null>;
  /** The epoch in progress, 1-based (epochs + 1 once training is done). */
  epoch: number;
  /** Batches of `epoch` already trained. */
  batch: number;
  /** State of the shuffling generator at the start of `epoch`. */
  rng: GeneratorState;
  /** Optimizer step count and buffers. */
  optimizer: OptimizerState;
  /** Model weights by parameter name. */
  model: StateDict;
  /** Running sums of the epoch in progress. */
  progress: EpochProgress;
  /** One record per finished epoch (as the CLI prints them). */
  records: unknown[];
  /** Backend that wrote it: "ts" or "wasm". */
  backend: string;
  /** Threads the wasm kernels used. */
  threads: number;
  /** Batches between checkpoints, or null for epoch ends only. */
  checkpointEvery: number | null;
  /** torchlet version that wrote it. */
  version: string;
}

/** Encodes a checkpoint as safetensors bytes (see the file comment for the layout). */
export function checkpointBytes(checkpoint: TrainingCheckpoint): Uint8Array {
  const tensors: StateDict = {};
  for (const [name, t] of Object.entries(checkpoint.model)) tensors[`model.${name}`] = t;
  for (const [buffer, list] of Object.entries(checkpoint.optimizer.buffers)) {
    list.forEach((values, i) => (tensors[`optimizer.${buffer}.${i}`] = new Tensor(values, [values.length])));
  }
  return serialize(tensors, {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    torchlet: checkpoint.version,
    options: JSON.stringify(checkpoint.options),
    epoch: String(checkpoint.epoch),
    batch: String(checkpoint.batch),
    rng: JSON.stringify(checkpoint.rng),
    optimizerStep: String(checkpoint.optimizer.step),
    progress: JSON.stringify(checkpoint.progress),
    records: JSON.stringify(checkpoint.records),
    backend: checkpoint.backend,
    threads: String(checkpoint.threads),
    checkpointEvery: checkpoint.checkpointEvery === null ? "" : String(checkpoint.checkpointEvery),
  });
}

/**
 * Writes a checkpoint atomically (temporary file, fsync, rename), after removing
 * temporary files that killed runs left next to it.
 * @throws TorchletError naming `path` when it cannot be written.
 */
export function saveCheckpoint(path: string, checkpoint: TrainingCheckpoint): void {
  removeStaleTemporaries(path);
  writeFileAtomic(path, checkpointBytes(checkpoint));
}

/**
 * Reads and validates the checkpoint at `path`.
 * @throws TorchletError NOT_FOUND for a missing file, BAD_FORMAT for anything that is not a
 *   complete torchlet checkpoint; every message starts with `checkpoint: <path>`.
 */
export function loadCheckpoint(path: string): TrainingCheckpoint {
  const op = `checkpoint: ${path}`;
  let contents;
  try {
    contents = loadWithMetadata(path);
  } catch (error) {
    if (error instanceof TorchletError) throw new TorchletError(op, error.code, error.message.slice(path.length + 2));
    throw error;
  }
  return parseCheckpoint(contents.tensors, contents.metadata, op);
}

/** Decodes checkpoint bytes (see {@link loadCheckpoint}); `source` starts every error message. */
export function readCheckpoint(bytes: Uint8Array, source = "checkpoint"): TrainingCheckpoint {
  const { tensors, metadata } = deserialize(bytes, source);
  return parseCheckpoint(tensors, metadata, source);
}

function parseCheckpoint(tensors: StateDict, metadata: Record<string, string>, op: string): TrainingCheckpoint {
  const bad = (message: string): never => {
    throw new TorchletError(op, "BAD_FORMAT", message);
  };
  if (metadata.format !== CHECKPOINT_FORMAT) {
    const hint = Object.keys(tensors).some((name) => !name.startsWith("model.") && !name.startsWith("optimizer."))
      ? " It looks like a weights file (train --out); --resume needs a file written by --checkpoint."
      : "";
    const found = metadata.format === undefined ? "has no format marker" : `has format ${describe(metadata.format)}`;
    bad(`is not a torchlet training checkpoint: its metadata ${found}, expected "format": "${CHECKPOINT_FORMAT}".${hint}`);
  }
  if (metadata.version !== CHECKPOINT_VERSION) bad(`has checkpoint version ${describe(metadata.version)}; this torchlet reads version ${CHECKPOINT_VERSION}`);
  const json = (key: string): unknown => {
    const text = metadata[key];
    if (text === undefined) return bad(`has no "${key}" in its metadata`);
    try {
      return JSON.parse(text);
    } catch {
      return bad(`has metadata "${key}" that is not valid JSON: ${describe(text)}`);
    }
  };
  // Decimal digits only: "1e3", "0x10", " 2" or "2.0" is not a count torchlet wrote.
  const int = (key: string, min: number): number => {
    const text = metadata[key];
    if (text === undefined) return bad(`has no "${key}" in its metadata`);
    const value = /^\d{1,15}$/.test(text) ? Number(text) : NaN;
    if (!(value >= min)) bad(`has metadata "${key}" = ${describe(text)}, expected an integer ≥ ${min} in decimal digits`);
    return value;
  };
  const options = json("options");
  if (typeof options !== "object" || options === null || Array.isArray(options)) bad(`has metadata "options" that is not an object`);
  const rng = json("rng");
  if (!Array.isArray(rng) || rng.length !== 4 || !rng.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32) || rng.every((w) => w === 0)) {
    bad(`has metadata "rng" = ${describe(metadata.rng)}, expected four unsigned 32-bit integers, not all zero`);
  }
  const progress = json("progress") as Record<string, unknown>;
  if (typeof progress !== "object" || progress === null || !["lossSum", "correct", "seen", "seconds"].every((k) => typeof progress[k] === "number" && Number.isFinite(progress[k]) && (progress[k] as number) >= 0)) {
    bad(`has metadata "progress" = ${describe(metadata.progress)}, expected {lossSum, correct, seen, seconds} of finite numbers ≥ 0`);
  }
  const records = json("records");
  const isRecord = (r: unknown) => typeof r === "object" && r !== null && !Array.isArray(r) && Object.values(r).every((v) => typeof v === "number" && Number.isFinite(v));
  if (!Array.isArray(records) || !records.every(isRecord)) bad(`has metadata "records" that is not an array of per-epoch records (objects of finite numbers)`);
  const everyText = metadata.checkpointEvery;
  const checkpointEvery = everyText === undefined || everyText === "" ? null : int("checkpointEvery", 1);

  const model: StateDict = {};
  const buffers: Record<string, Tensor[]> = {};
  for (const [name, t] of Object.entries(tensors)) {
    const match = /^optimizer\.(.+)\.(\d+)$/.exec(name);
    if (name.startsWith("model.")) model[name.slice("model.".length)] = t;
    else if (match) (buffers[match[1]!] ??= [])[Number(match[2])] = t;
    else bad(`has tensor "${name}", which is neither model.<name> nor optimizer.<buffer>.<index>`);
  }
  if (Object.keys(model).length === 0) bad("holds no model.* tensors");
  const optimizerBuffers: Record<string, Float32Array[]> = {};
  for (const [buffer, list] of Object.entries(buffers)) {
    for (let i = 0; i < list.length; i++) if (list[i] === undefined) bad(`lacks tensor "optimizer.${buffer}.${i}"`);
    optimizerBuffers[buffer] = list.map((t) => t.data);
  }
  return {
    options: options as TrainingCheckpoint["options"],
    epoch: int("epoch", 1),
    batch: int("batch", 0),
    rng: rng as unknown as GeneratorState,
    optimizer: { step: int("optimizerStep", 0), buffers: optimizerBuffers },
    model,
    progress: progress as unknown as EpochProgress,
    records: records as unknown[],
    backend: metadata.backend ?? "",
    threads: metadata.threads === undefined ? 1 : int("threads", 1),
    checkpointEvery,
    version: metadata.torchlet ?? "",
  };
}

/**
 * Removes `.<base>.<pid>.<random>.tmp` files next to `path` whose process is
 * gone: what writeFileAtomic leaves when a run is killed mid-write.
 */
export function removeStaleTemporaries(path: string): void {
  let names: string[], target: string;
  try {
    target = outputTarget(path).path; // where writeFileAtomic puts its temporary files (a link's target's directory)
    names = readdirSync(dirname(target));
  } catch {
    return; // writing will report the real problem
  }
  const base = basename(target);
  const directory = dirname(target);
  for (const name of names) {
    if (!name.startsWith(`.${base}.`) || !name.endsWith(".tmp")) continue;
    const pid = Number(/^\.(?:.*)\.(\d+)\.[0-9a-f]+\.tmp$/.exec(name)?.[1]);
    if (!Number.isInteger(pid) || pid === process.pid || isAlive(pid)) continue;
    try {
      rmSync(join(directory, name), { force: true });
    } catch {
      // best effort: a leftover temporary file is harmless
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
