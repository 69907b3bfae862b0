// The memory layout of a Plan (plan.ts): its buffers at the full batch size,
// the views of them one batch size binds, and the helpers that size and read them.

import { TorchletError } from "../errors.js";
import { argmaxRow } from "../ops/max.js";
import { NO_GRADIENT, NOTHING_SAVED, count, type LayerStep, type StepBuffers } from "./step.js";

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

/** A layer's step bound to its buffers. */
export interface BoundStep {
  step: LayerStep;
  buffers: StepBuffers;
}

/** One call of a Plan's backward: one layer's, or an activation's and the next layer's together. */
export interface BackwardCall {
  run: (b: StepBuffers) => void;
  buffers: StepBuffers;
}

// The layers' steps and views of the buffers for one batch size n.
export interface Binding {
  n: number;
  steps: BoundStep[];
  backward: BackwardCall[]; // backwardCalls: last layer first
  cleared: Float32Array[]; // the gradients the backward adds into, zeroed before it
  chunks: BoundStep[][]; // the forward of steps [0, lead) over slices of the batch (chunkedSteps); [] runs them whole
  lead: number; // how many leading steps the chunks cover (0 without chunks)
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

/**
 * Examples per thread in a chunk: 32 LeNet examples' activations (about 60 KB each, conv1 to pool2) fill
 * about 2 MB, one core's L2 cache on the Xeon measured. Running separate Plans of 8, 16, 32 and 64 examples
 * over a batch of 256 (one thread) took 11.2, 10.7, 10.3 and 10.3 ms against 13.1 for one Plan of 256;
 * with 2 threads, chunks of 64 (32 each) matched the unchunked time and smaller ones were slower.
 * The backward is not chunked: doing so (input gradients chunk by chunk, parameter gradients in one
 * whole-batch pass) measured within 1% of the unchunked step, not worth its code.
 */
export const CHUNK_EXAMPLES_PER_THREAD = 32;

/**
 * The forward of the leading per-example steps (LayerStep.perExample: LeNet's convolutions, activations and
 * pools) as chunks of `size` examples, each chunk through all of them before the next: a chunk's activations
 * stay in cache between layers instead of the whole batch streaming through memory at every layer. What a
 * step saves for its backward (max pooling's argmax) is per example too, so a chunk fills its slice of it.
 * `chunkSteps(c)` is the net's steps at batch c; `bound` the whole batch's. Each example is computed the
 * same way as in the whole batch, so the outputs and what is saved are bit for bit the same.
 * @returns the chunks and how many leading steps they cover; none when nothing leads or n ≤ size.
 */
export function chunkedSteps(n: number, size: number, bound: readonly BoundStep[], acts: readonly Float32Array[], chunkSteps: (c: number) => readonly LayerStep[]): { chunks: BoundStep[][]; lead: number } {
  let lead = 0;
  while (lead < bound.length && bound[lead]!.step.perExample && bound[lead]!.step.outputShape[0] === n) lead++;
  if (lead === 0 || n <= size) return { chunks: [], lead: 0 };
  const chunks: BoundStep[][] = [], stepsAt = new Map<number, readonly LayerStep[]>(); // at most two chunk sizes
  for (let start = 0; start < n; start += size) {
    const c = Math.min(size, n - start);
    if (!stepsAt.has(c)) stepsAt.set(c, chunkSteps(c));
    const steps = stepsAt.get(c)!;
    const slice = <T extends Float32Array | Int32Array>(a: T) => a.subarray((start * a.length) / n, ((start + c) * a.length) / n) as T; // examples [start, start + c)
    chunks.push(steps.slice(0, lead).map((step, i) => {
      const { params, scratch, saved } = bound[i]!.buffers;
      for (const [what, chunk, whole] of [["output", count(step.outputShape), acts[i + 1]!.length], ["saved buffer", step.saved ?? 0, saved.length]] as const) {
        if (chunk !== (c * whole) / n) {
          throw new TorchletError("Plan", "SHAPE_MISMATCH", `layer ${i} says it computes each example on its own (perExample), but its ${what} at a batch of ${c} is not ${c}/${n} of its ${what} at ${n}`);
        }
      }
      return { step, buffers: { x: slice(acts[i]!), y: slice(acts[i + 1]!), params, scratch, dx: null, dy: NO_GRADIENT, dparams: [], saved: saved.length > 0 ? slice(saved) : NOTHING_SAVED } };
    }));
  }
  return { chunks, lead };
}

/**
 * The backward of the bound steps as calls, last layer first, and the gradients to zero before them. Where an
 * activation whose derivative needs only its output (LayerStep.activation: Sigmoid, Tanh, ReLU) feeds a layer that
 * can take its backward along (LayerStep.backwardThrough: an AvgPool2d after a sigmoid or tanh, a MaxPool2d after a
 * ReLU, their windows not overlapping), one call does both, from the pool's output gradient straight to the
 * activation's input gradient: the gradient between them is never cleared, written or read, and the one the call
 * sets is not cleared either. d2l's LeNet and lenet-modern have two such pairs each; on C1's output (4.8 MB at
 * batch 256) that is five passes over memory fewer. Bit for bit the unfused backward (LayerStep.backwardThrough).
 */
export function backwardCalls(bound: readonly BoundStep[], grads: readonly Float32Array[]): { backward: BackwardCall[]; cleared: Float32Array[] } {
  const backward: BackwardCall[] = [], unused = new Set<Float32Array>(); // gradients no call adds into
  for (let i = bound.length - 1; i >= 0; i--) {
    const { step, buffers } = bound[i]!, before = bound[i - 1];
    const activation = before?.buffers.dx ? before.step.activation : undefined;
    const both = activation === undefined ? undefined : step.backwardThrough?.(activation);
    if (both === undefined) {
      backward.push({ run: (b) => step.backward(b), buffers });
      continue;
    }
    backward.push({ run: both, buffers: { ...buffers, dx: before!.buffers.dx } });
    unused.add(buffers.dx!); // the activation's output gradient
    unused.add(before!.buffers.dx!); // set by the call, not added into
    i--; // the activation's backward is done too
  }
  return { backward, cleared: grads.filter((g) => !unused.has(g)) };
}

/** Every step's forward, the leading ones chunk by chunk (chunkedSteps). */
export function runForward(b: Binding): void {
  for (const chunk of b.chunks) for (const { step, buffers } of chunk) step.forward(buffers);
  for (let i = b.lead; i < b.steps.length; i++) b.steps[i]!.step.forward(b.steps[i]!.buffers);
}
