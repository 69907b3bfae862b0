// Messages between the page and the training worker.

import type { BackendName } from "../src/index.js";
import type { DigitsUrls } from "./digits.js";

/** Page → worker. */
export type ToWorker = {
  type: "train";
  /** Absolute URLs of the embedded MNIST files (a worker resolves relative URLs against its own script, not the page). */
  digits: DigitsUrls;
  examples: number;
  epochs: number;
  batchSize: number;
  optimizer: "adam" | "sgd";
  lr: number;
  seed: number;
  /** Kernel threads: more than 1 only on a cross-origin isolated page (the worker checks it). */
  threads: number;
};

/** One trained parameter, by its state_dict name. */
export interface WeightMessage {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** Worker → page. */
export type FromWorker =
  | { type: "ready"; backend: BackendName }
  | { type: "start"; backend: BackendName; threads: number; steps: number; examples: number; epochs: number }
  // losses: every step's loss since the previous "step" message (the worker posts at most every PROGRESS_MS)
  | { type: "step"; step: number; steps: number; epoch: number; losses: number[]; examples: number; examplesPerSecond: number }
  | { type: "done"; weights: WeightMessage[]; seconds: number; examplesPerSecond: number; testAccuracy: number; testCount: number; threads: number; threadCalls: number[] }
  | { type: "error"; message: string };
