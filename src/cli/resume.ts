// `torchlet train --resume`: a checkpoint is trusted only as far as it fits
// the run on the command line. Every field is checked: the options that define
// the run, the position (epoch, batch, running sums, records, optimizer step
// count) against the data and batch size, the weights, optimizer buffers and
// generator state against the network, and the kernels that wrote it.

import { TorchletError } from "../errors.js";
import type { Generator } from "../tensor/random.js";
import type { Optimizer } from "../nn/optim.js";
import type { Module } from "../nn/module.js";
import { loadCheckpoint, type TrainingCheckpoint } from "../io/checkpoint.js";
import { batchesPerEpoch, checkFitStart, type EpochRecord, type FitPosition } from "../lenet/fit.js";

/** The options that define a run, by their command-line names (null when not given). */
export type RunIdentity = Record<string, string | number | null>;

/** The run a checkpoint must continue. */
export interface ResumeTarget {
  net: Module;
  optimizer: Optimizer;
  generator: Generator;
  identity: RunIdentity;
  epochs: number;
  batchSize: number;
  /** Training examples of this run. */
  examples: number;
}

/** What a checkpoint restores beyond the model, optimizer and generator (which it loads in place). */
export interface Resumed {
  start: FitPosition;
  checkpointEvery: number | undefined;
  /** The kernels that wrote it: "ts" or "wasm", and thread count. */
  backend: string;
  threads: number;
  /** Human summary: "1 epoch done, continuing epoch 2 at batch 0 of 8". */
  summary: string;
}

const BACKENDS = ["ts", "wasm"];

/**
 * Loads the checkpoint at `path`, checks it against `run`, and loads its weights, optimizer state and
 * generator state into `run`'s objects.
 * @throws TorchletError whose message starts with `checkpoint: <path>` and names what does not fit.
 */
export function resumeFrom(path: string, run: ResumeTarget): Resumed {
  const op = `checkpoint: ${path}`;
  const saved = loadCheckpoint(path);
  checkIdentity(op, saved, run.identity);
  if (saved.epoch - 1 > run.epochs) {
    throw new TorchletError(op, "INVALID_ARGUMENT", `has already trained ${saved.epoch - 1} epochs, more than --epochs ${run.epochs}`);
  }
  if (!BACKENDS.includes(saved.backend)) throw new TorchletError(op, "BAD_FORMAT", `names backend ${JSON.stringify(saved.backend)}; torchlet writes "ts" or "wasm"`);
  restore(op, () => run.net.loadStateDict(saved.model));
  restore(op, () => run.optimizer.loadStateDict(saved.optimizer));
  restore(op, () => run.generator.setState(saved.rng));
  const start: FitPosition = { epoch: saved.epoch, batch: saved.batch, progress: saved.progress, records: saved.records as EpochRecord[] };
  restore(op, () => checkFitStart(start, { epochs: run.epochs, batchSize: run.batchSize, examples: run.examples, optimizerSteps: saved.optimizer.step }));
  const done = start.epoch - 1;
  const where = start.epoch > run.epochs ? "training is complete" : `continuing epoch ${start.epoch} at batch ${start.batch} of ${batchesPerEpoch(run.examples, run.batchSize)}`;
  return {
    start,
    checkpointEvery: saved.checkpointEvery ?? undefined,
    backend: saved.backend,
    threads: saved.threads,
    summary: `${done} epoch${done === 1 ? "" : "s"} done, ${where}`,
  };
}

// Every option that defines the run must be in the checkpoint with the same value, and nothing else.
function checkIdentity(op: string, saved: TrainingCheckpoint, identity: RunIdentity): void {
  const shown = (v: unknown) => (v === null || v === undefined ? "(not given)" : typeof v === "string" || typeof v === "number" ? String(v) : JSON.stringify(v));
  const differences = Object.entries(identity)
    .filter(([name, value]) => saved.options[name] !== value)
    .map(([name, value]) => {
      const was = saved.options[name];
      const wrongType = was !== null && was !== undefined && value !== null && typeof was !== typeof value;
      return `--${name} ${wrongType ? `${JSON.stringify(was)} (a ${typeof was})` : shown(was)} in the checkpoint but ${shown(value)} here`;
    });
  const unknown = Object.keys(saved.options).filter((name) => !(name in identity));
  if (unknown.length > 0) differences.push(`the checkpoint records option${unknown.length === 1 ? "" : "s"} ${unknown.map((n) => JSON.stringify(n)).join(", ")}, which this torchlet does not have`);
  if (differences.length > 0) {
    throw new TorchletError(op, "INVALID_ARGUMENT", `was written by a different run: ${differences.join("; ")}. Resume with the same options, or start a new run without --resume`);
  }
}

// Loading a checkpoint's state into the model, optimizer or generator: a failure names the file.
function restore(op: string, load: () => unknown): void {
  try {
    load();
  } catch (error) {
    if (error instanceof TorchletError) throw new TorchletError(op, error.code, `does not fit this run: ${error.message}`);
    throw error;
  }
}
