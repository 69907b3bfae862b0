// The memory layout of a Plan (plan.ts): its buffers at the full batch size,
// the views of them one batch size binds, and the helpers that size and read them.

import { argmaxRow } from "../ops/max.js";
import type { LayerStep, StepBuffers } from "./step.js";

// Every buffer at the full batch size, allocated once in the backend's memory; a Binding views them.
export interface Buffers {
  acts: Float32Array[]; // acts[0] = input (batchSize, ...sampleShape); acts[i + 1] = output of layer i; a view layer's is its input's array
  grads: Float32Array[]; // grads[i] = ∂L/∂acts[i], same shape; empty where no gradient is needed (the input, and views of it)
  saved: Int32Array[]; // saved[i] = what layer i's forward keeps for its backward, (step.saved), e.g. max pooling's argmax
  scratch: Float32Array[]; // slot j: the longest scratch j any layer asks for, e.g. conv2d's cols and dcols (C·kH·kW, N·P·Q)
  params: Float32Array[]; // params[i]: a copy of the net's parameter i, (its shape), refreshed before every forward
  paramGrads: Float32Array[]; // paramGrads[i]: ∂L/∂params[i] of the last backward, (its shape), then added to .grad
  labels: Int32Array; // (batchSize)
  logProbs: Float32Array; // (batchSize, classes): log-softmax of the logits, kept for the loss backward
  loss: Float32Array; // (1)
  dloss: Float32Array; // (1): ∂L/∂loss = 1
}

/** Buffers with every array passed through `again` (each array once, so shared views stay shared). */
export function mapBuffers(b: Buffers, again: <T extends Float32Array | Int32Array>(a: T) => T): Buffers {
  return {
    acts: b.acts.map(again), grads: b.grads.map(again), saved: b.saved.map(again), scratch: b.scratch.map(again),
    params: b.params.map(again), paramGrads: b.paramGrads.map(again),
    labels: again(b.labels), logProbs: again(b.logProbs), loss: again(b.loss), dloss: again(b.dloss),
  };
}

// The layers' steps and views of the buffers for one batch size n.
export interface Binding {
  n: number;
  steps: { step: LayerStep; buffers: StepBuffers }[];
  acts: Float32Array[]; // as Buffers.acts, (n, ...)
  grads: Float32Array[]; // as Buffers.grads, (n, ...)
  labels: Int32Array; // (n)
  logProbs: Float32Array; // (n, classes)
  classes: number;
}

// Scratch slot j is shared by every layer: as long as the longest scratch j any step asks for, forward or backward.
export function scratchSlots(steps: readonly LayerStep[]): number[] {
  const slots: number[] = [];
  for (const { scratch } of steps) {
    for (const lengths of [scratch?.forward ?? [], scratch?.backward ?? []]) lengths.forEach((length, j) => (slots[j] = Math.max(slots[j] ?? 0, length)));
  }
  return slots;
}

export function countCorrect(logits: Float32Array, labels: Int32Array, n: number, classes: number): number {
  let correct = 0;
  for (let i = 0; i < n; i++) if (argmaxRow(logits, i, classes) === labels[i]) correct++;
  return correct;
}
