// Plan: a Sequential classifier laid out once for a batch size, in the style
// of llm.c: every activation, gradient and scratch buffer is allocated up
// front in the backend's memory, and a training step is a fixed list of
// kernel calls over them. Nothing is allocated per step (after the first step
// at each batch size), no tensors or graph are built, and with the wasm
// backend no array is copied in or out of WebAssembly memory except the
// parameters (61,706 floats for LeNet) and their gradients.
//
// A plan runs each layer's step (step.ts), the very closures the eager
// layers run, in the same order, so a plan's loss and gradients are bit for
// bit those of net.forward + backward. Like loss.backward(), it adds the
// gradients into each parameter's .grad; trainStep zeroes them first, as the
// eager trainStep does. Use the eager API to explore; use a plan to train fast.
//
//   const plan = new Plan(net, { batchSize: 256, sampleShape: [784] });
//   for (const n of loader.batchesInto(plan.input, plan.labels)) plan.trainStep(optimizer, n);

import { TorchletError, checkArity, checkInt, checkOptionKeys, checkShape, describe, formatShape } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";
import { getBackend, type Backend } from "../backend/index.js";
import type { Optimizer } from "./optim.js";
import { DataLoader, type LabeledData } from "./dataloader.js";
import { checkFiniteLoss, checkFiniteGradient } from "./finite.js";
import { Sequential } from "./layers.js";
import { StepLayer, count, type LayerStep, type StepBuffers } from "./step.js";
import { CHUNK_EXAMPLES_PER_THREAD, backwardCalls, chunkedSteps, countCorrect, runForward, scratchSlots, type Binding, type Buffers, mapBuffers } from "./plan-layout.js";

/** Options of a {@link Plan}. */
export interface PlanOptions {
  /** The largest batch the plan runs (smaller batches, like an epoch's last, work too). */
  batchSize: number;
  /** Shape of one example, e.g. [784] or [1, 28, 28]. */
  sampleShape: readonly number[];
  /** Kernels to use (default: the current backend). */
  backend?: Backend;
}

/** What one training or evaluation batch measured. */
export interface BatchResult {
  /** Mean loss over the batch. */
  loss: number;
  /** Examples whose largest logit is at their label. */
  correct: number;
}

/** What {@link Plan.evaluateDataset} measured over a whole dataset. */
export interface DatasetResult {
  /** Mean loss per example. */
  loss: number;
  /** Fraction of examples classified right. */
  acc: number;
  /** Examples classified right. */
  correct: number;
}

/**
 * A Sequential classifier compiled for one batch size and one backend: any layer that
 * describes its step (a StepLayer: Conv2d, Linear, AvgPool2d, MaxPool2d, Sigmoid, ReLU,
 * Tanh, Flatten, Reshape, Identity, Unflatten, Dropout, BatchNorm1d, BatchNorm2d, or your
 * own), bit for bit the eager result. A layer that is not a StepLayer is refused by name.
 *
 * Modes follow the eager API too: {@link Plan.trainStep} and {@link Plan.forwardBackward}
 * run the layers in the net's current mode (call `net.train()` first, as before an eager
 * training step), while {@link Plan.evaluate}, {@link Plan.evaluateDataset} and
 * {@link Plan.predict} run them in evaluation mode (Dropout off, BatchNorm on its running
 * statistics) and then restore the net's mode, as the eager `evaluate` does.
 *
 * Gradients follow the eager API: {@link Plan.forwardBackward} adds them into each
 * parameter's `.grad` like `loss.backward()`, and {@link Plan.trainStep} first calls
 * `optimizer.zeroGrad()`, like the eager `trainStep`. After {@link Plan.dispose} every
 * method refuses to run. A batch whose loss is NaN or ±Infinity is an error
 * (NON_FINITE), never a loss reported beside an accuracy.
 */
export class Plan {
  /** The largest batch the plan runs (from {@link PlanOptions.batchSize}). */
  readonly batchSize: number;
  /** Shape of one example (from {@link PlanOptions.sampleShape}). */
  readonly sampleShape: readonly number[];
  private readonly backend: Backend;
  private readonly params: Tensor[]; // the net's parameters, each once (a shared one is listed once)
  private readonly steps: LayerStep[]; // each layer's step at the full batch size
  private full: Buffers;
  private owned: (Float32Array | Int32Array)[] = []; // every buffer taken from the backend, for dispose
  private readonly bindings = new Map<number, Binding>();
  private disposed = false;

  /**
   * Lays out every buffer for `net` at `options.batchSize` in the backend's memory.
   * @param net the classifier; its parameters stay the source of truth (copied in each step, gradients added to their .grad).
   * @param options batch size, sample shape and backend.
   * @throws TorchletError when net is not a Sequential, does not end in (batch, classes) logits, or has a layer that is not a StepLayer.
   */
  constructor(readonly net: Sequential, options: PlanOptions) {
    if (!(net instanceof Sequential)) throw new TorchletError("Plan", "INVALID_ARGUMENT", "net must be a Sequential");
    checkArity("Plan", arguments, ["net", "options"]);
    options = checkOptionKeys("Plan", options, ["batchSize", "sampleShape", "backend"]);
    this.batchSize = checkInt("Plan", "batchSize", options.batchSize, 1);
    checkShape("Plan", options.sampleShape, "sampleShape");
    checkShape("Plan", [this.batchSize, ...options.sampleShape], "a batch of batchSize examples"); // before any buffer is allocated
    this.sampleShape = [...options.sampleShape];
    this.backend = options.backend ?? getBackend();
    this.steps = this.stepsFor(this.batchSize);
    this.params = [...new Set(net.parameters())];
    try {
      this.full = this.allocate();
    } catch (error) {
      this.dispose(); // what was allocated before the failure
      throw error;
    }
  }

  /** Fill with a batch of inputs, (batchSize, ...sampleShape), before each step. */
  get input(): Float32Array {
    this.checkLive("input");
    return this.full.acts[0]!;
  }

  /** Fill with the batch's labels, (batchSize), before each step. */
  get labels(): Int32Array {
    this.checkLive("labels");
    return this.full.labels;
  }

  /**
   * One step of training on the first `n` examples of {@link Plan.input}/{@link Plan.labels}, as the eager
   * `trainStep` does it: `optimizer.zeroGrad()`, forward, loss, backward (into `.grad`), then `optimizer.step()`.
   * Refuses to update when the loss or a gradient is NaN or ±Infinity.
   * @param optimizer must hold exactly this net's parameters.
   * @throws TorchletError NON_FINITE, leaving the parameters as they were; INVALID_ARGUMENT for another net's optimizer.
   */
  trainStep(optimizer: Optimizer, n = this.batchSize): BatchResult {
    checkArity("Plan.trainStep", arguments, ["optimizer", "n"]);
    this.checkLive("trainStep");
    this.checkOptimizer(optimizer);
    const b = this.bind(n);
    optimizer.zeroGrad();
    const result = this.forward(b);
    checkFiniteLoss(result.loss);
    this.backward(b);
    for (const p of this.params) checkFiniteGradient(() => this.nameOf(p), p.gradBuffer());
    optimizer.step();
    return result;
  }

  /**
   * Forward, loss and backward on the first `n` examples, adding each parameter's gradient into its
   * `.grad` (`.grad += ∂loss/∂p`), exactly like `loss.backward()` after an eager forward. No update:
   * call `optimizer.zeroGrad()` before, unless you mean to sum the gradients of several batches.
   * @throws TorchletError NON_FINITE when the loss is NaN or ±Infinity, naming the first example whose logits are not finite.
   */
  forwardBackward(n = this.batchSize): BatchResult {
    checkArity("Plan.forwardBackward", arguments, ["n"]);
    this.checkLive("forwardBackward");
    const b = this.bind(n);
    const result = this.checkLoss("forwardBackward", b, this.forward(b));
    this.backward(b);
    return result;
  }

  /**
   * Loss and correct count of the first `n` examples (no gradients, no update).
   * @throws TorchletError NON_FINITE when the loss is NaN or ±Infinity (a NaN or infinite input or weight),
   *   naming the first example whose logits are not finite: such a batch has no meaningful accuracy.
   */
  evaluate(n = this.batchSize): BatchResult {
    checkArity("Plan.evaluate", arguments, ["n"]);
    this.checkLive("evaluate");
    const b = this.bind(n);
    return this.inEvalMode(() => this.checkLoss("evaluate", b, this.forward(b)));
  }

  /**
   * Mean loss and accuracy over a whole dataset, batch by batch through {@link Plan.input} (overwriting it).
   * @returns `loss` (mean over the examples), `acc` (fraction correct) and `correct` (count); all 0 for an empty dataset.
   * @throws TorchletError when the examples do not have the plan's sample shape, or NON_FINITE as {@link Plan.evaluate}.
   */
  evaluateDataset(data: LabeledData): DatasetResult {
    checkArity("Plan.evaluateDataset", arguments, ["data"]);
    this.checkLive("evaluateDataset");
    const sample = count(this.sampleShape);
    if (data.images.length !== data.count * sample) {
      throw new TorchletError("Plan.evaluateDataset", "SHAPE_MISMATCH", `${data.count} examples of ${data.images.length / Math.max(1, data.count)} values do not fit the plan's examples of shape ${formatShape(this.sampleShape)}`);
    }
    let lossSum = 0, correct = 0, seen = 0;
    this.inEvalMode(() => {
      for (const n of new DataLoader(data, { batchSize: this.batchSize }).batchesInto(this.input, this.labels)) {
        const b = this.bind(n);
        const r = this.checkLoss("evaluateDataset", b, this.forward(b), seen);
        lossSum += r.loss * n;
        correct += r.correct;
        seen += n;
      }
    });
    return { loss: data.count === 0 ? 0 : lossSum / data.count, acc: data.count === 0 ? 0 : correct / data.count, correct };
  }

  /** Logits of the first `n` inputs, (n, classes): a view of the plan's buffer, overwritten by the next call. */
  predict(n = this.batchSize): Float32Array {
    checkArity("Plan.predict", arguments, ["n"]);
    this.checkLive("predict");
    const b = this.bind(n);
    this.copyParameters();
    this.inEvalMode(() => runForward(b));
    return b.acts[b.acts.length - 1]!;
  }

  /**
   * Gives the plan's buffers back to the backend (WebAssembly memory is not garbage-collected).
   * A second call does nothing; any other use of the plan afterwards is an INVALID_STATE error.
   */
  dispose(): void {
    if (this.disposed) return; // the memory may already belong to another plan
    this.disposed = true;
    for (const buffer of this.owned) this.backend.release(buffer);
    this.owned.length = 0;
    this.bindings.clear();
  }

  // Inference runs in evaluation mode, then the net's mode comes back (eager evaluate does the same).
  private inEvalMode<T>(run: () => T): T {
    const wasTraining = this.net.training;
    this.net.eval();
    try {
      return run();
    } finally {
      this.net.train(wasTraining);
    }
  }

  private checkLive(method: string): void {
    if (this.disposed) throw new TorchletError("Plan", "INVALID_STATE", `${method} after dispose(): the plan's buffers were given back; make a new Plan`);
    this.reattach();
  }

  // Growing WebAssembly memory that is not shared (an eager op's scratch, another plan, in a browser page
  // that is not cross-origin isolated) detaches every view of it: view the same blocks again. Nothing moves
  // and nothing is lost; arrays read from `input` or `labels` before the growth must be read again.
  private reattach(): void {
    const first = this.owned[0];
    if (first === undefined || this.backend.reattach(first) === first) return;
    const moved = new Map<Float32Array | Int32Array, Float32Array | Int32Array>(this.owned.map((b) => [b, this.backend.reattach(b)]));
    const again = <T extends Float32Array | Int32Array>(b: T): T => (moved.get(b) as T | undefined) ?? b;
    this.owned = this.owned.map(again);
    this.full = mapBuffers(this.full, again);
    this.bindings.clear();
  }

  // The optimizer updates the net's tensors from their .grad: one that holds other tensors would
  // step on gradients this plan never wrote, and one that misses some would leave them untrained.
  private checkOptimizer(optimizer: Optimizer): void {
    const held: unknown = (optimizer as { params?: unknown } | null)?.params;
    if (typeof (optimizer as { step?: unknown } | null)?.step !== "function" || !Array.isArray(held)) {
      throw new TorchletError("Plan", "INVALID_ARGUMENT", `optimizer must be an Optimizer (SGD, Adam), got ${describe(optimizer)}`);
    }
    const foreign = held.findIndex((p) => !this.params.includes(p as Tensor));
    const missing = this.params.find((p) => !held.includes(p));
    if (foreign !== -1 || missing !== undefined) {
      const problem = foreign !== -1 ? `its parameter ${foreign} (${describe(held[foreign])}) is not one of them` : `it does not hold "${this.nameOf(missing!)}"`;
      throw new TorchletError("Plan", "INVALID_ARGUMENT", `the optimizer must hold exactly this net's parameters (e.g. new SGD(net.parameters(), ...)), but ${problem}`);
    }
  }

  // A NaN loss beside a count of "correct" rows would be a score of nothing: refuse it, naming the example (counted from `first`).
  private checkLoss(method: string, b: Binding, result: BatchResult, first = 0): BatchResult {
    if (Number.isFinite(result.loss)) return result;
    const logits = b.acts[b.acts.length - 1]!;
    const bad = logits.findIndex((v) => !Number.isFinite(v));
    const where = bad === -1 ? "" : `: the logits of example ${first + Math.floor(bad / b.classes)} are not finite`;
    throw new TorchletError("Plan", "NON_FINITE", `${method} found a loss of ${result.loss}${where} (a NaN or infinite input or weight), so the batch has no loss or accuracy`);
  }

  private forward(b: Binding): BatchResult {
    // Kernels index logProbs by label: one outside [0, classes) would read past the row (NaN in TypeScript, stray memory in wasm).
    for (let i = 0; i < b.n; i++) {
      const label = b.labels[i]!;
      if (label < 0 || label >= b.classes) throw new TorchletError("Plan", "OUT_OF_RANGE", `label ${label} at index ${i} is out of range for ${b.classes} classes [0, ${b.classes})`);
    }
    this.copyParameters();
    runForward(b);
    const logits = b.acts[b.acts.length - 1]!;
    this.backend.softmaxCrossEntropyForward(this.full.loss, b.logProbs, logits, b.labels, { N: b.n, J: b.classes, inner: 1 });
    return { loss: this.full.loss[0]!, correct: countCorrect(logits, b.labels, b.n, b.classes) };
  }

  // Backward from the loss of the last forward; then .grad += ∂L/∂p, as the eager backward accumulates.
  private backward(b: Binding): void {
    const { paramGrads, dloss } = this.full;
    for (const g of paramGrads) g.fill(0);
    for (const g of b.cleared) this.backend.zero(g); // every thread clears a share
    dloss[0] = 1;
    this.backend.softmaxCrossEntropyBackward(b.grads[b.grads.length - 1]!, dloss, b.logProbs, b.labels, { N: b.n, J: b.classes, inner: 1 });
    for (const { run, buffers } of b.backward) run(buffers); // last layer first, an activation and its pool as one call (backwardCalls)
    this.params.forEach((p, i) => {
      const grad = p.gradBuffer(), g = paramGrads[i]!;
      for (let j = 0; j < g.length; j++) grad[j] += g[j]!;
    });
  }

  private copyParameters(): void {
    this.params.forEach((p, i) => this.full.params[i]!.set(p.data));
  }

  private nameOf(p: Tensor): string {
    return this.net.namedParameters().find(([, q]) => q === p)?.[0] ?? "a parameter";
  }

  // Each layer's step for a batch of n, walking the shapes through the net.
  private stepsFor(n: number): LayerStep[] {
    let shape: readonly number[] = [n, ...this.sampleShape];
    const steps = this.net.layers.map((layer) => {
      if (!(layer instanceof StepLayer)) throw new TorchletError("Plan", "INVALID_ARGUMENT", `layer ${layer.typeName} has no planned form (it is not a StepLayer); use net.forward for it`);
      const step = layer.step(shape, this.backend);
      shape = step.outputShape;
      return step;
    });
    if (shape.length !== 2) {
      throw new TorchletError("Plan", "SHAPE_MISMATCH", `the network must end in (batch, classes) logits for the loss, but it outputs ${formatShape(shape)}`);
    }
    if (shape[0] !== n) {
      // e.g. a Reshape(-1, ...) that folds examples together: labels would no longer line up with rows
      throw new TorchletError("Plan", "SHAPE_MISMATCH", `the network maps a batch of ${n} examples of shape ${formatShape(this.sampleShape)} to logits ${formatShape(shape)}; it must keep one row per example`);
    }
    return steps;
  }

  // Every buffer at the full batch size. A view layer's output and gradient are its input's arrays.
  private allocate(): Buffers {
    const f32 = (length: number) => this.own(this.backend.alloc(checkInt("Plan", "buffer length", length)));
    const i32 = (length: number) => this.own(this.backend.allocInt32(checkInt("Plan", "buffer length", length)));
    const acts: Float32Array[] = [f32(this.batchSize * count(this.sampleShape))];
    const grads: Float32Array[] = [new Float32Array(0)]; // the input needs no gradient
    this.steps.forEach((step, i) => {
      acts.push(step.view ? acts[i]! : f32(count(step.outputShape)));
      grads.push(step.view ? grads[i]! : f32(count(step.outputShape)));
    });
    // The loss writes ∂L/∂logits even when the logits are a view of the input.
    if (grads[grads.length - 1]!.length === 0) grads[grads.length - 1] = f32(acts[acts.length - 1]!.length);
    return {
      acts, grads,
      saved: this.steps.map((step) => (step.saved ? i32(step.saved) : new Int32Array(0))),
      scratch: scratchSlots(this.steps).map(f32),
      params: this.params.map((p) => f32(p.numel)),
      paramGrads: this.params.map((p) => f32(p.numel)),
      labels: i32(this.batchSize),
      logProbs: f32(acts[acts.length - 1]!.length),
      loss: f32(1),
      dloss: f32(1),
    };
  }

  private own<T extends Float32Array | Int32Array>(buffer: T): T {
    this.owned.push(buffer);
    return buffer;
  }

  // Views of the full-size buffers for batch size n, and each layer's step over them; made once per n.
  private bind(n: number): Binding {
    const cached = this.bindings.get(n);
    if (cached) return cached;
    checkInt("Plan", "batch", n, 1);
    if (n > this.batchSize) throw new TorchletError("Plan", "OUT_OF_RANGE", `batch of ${n} is larger than the plan's ${this.batchSize}`);
    const steps = n === this.batchSize ? this.steps : this.stepsFor(n);
    const lengths = [n * count(this.sampleShape), ...steps.map((s) => count(s.outputShape))];
    const over = lengths.findIndex((length, i) => length > this.full.acts[i]!.length); // only a Reshape that moves the batch can do this
    if (over !== -1) throw new TorchletError("Plan", "SHAPE_MISMATCH", `at a batch of ${n}, layer ${over - 1} outputs more values than at the plan's batch of ${this.batchSize}`);
    const view = <T extends Float32Array | Int32Array>(a: T, length: number): T => (a.length === 0 ? a : (a.subarray(0, length) as T));
    const acts = this.full.acts.map((a, i) => view(a, lengths[i]!));
    const grads = this.full.grads.map((g, i) => view(g, lengths[i]!));
    const paramOf = new Map(this.params.map((p, i) => [p, i]));
    const bound = steps.map((step, i) => {
      const own = (this.net.layers[i] as StepLayer).parameters().map((p) => paramOf.get(p)!);
      const buffers: StepBuffers = {
        x: acts[i]!, y: acts[i + 1]!, dx: grads[i]!.length > 0 ? grads[i]! : null, dy: grads[i + 1]!,
        params: own.map((j) => this.full.params[j]!), dparams: own.map((j) => this.full.paramGrads[j]!),
        scratch: this.full.scratch, saved: view(this.full.saved[i]!, step.saved ?? 0),
      };
      return { step, buffers };
    });
    const classes = steps[steps.length - 1]?.outputShape[1] ?? this.sampleShape[0]!;
    const { chunks, lead } = chunkedSteps(n, CHUNK_EXAMPLES_PER_THREAD * this.backend.threads, bound, acts, (c) => this.stepsFor(c));
    const binding: Binding = { n, steps: bound, ...backwardCalls(bound, grads), chunks, lead, acts, grads, labels: this.full.labels.subarray(0, n), logProbs: this.full.logProbs.subarray(0, n * classes), classes };
    this.bindings.set(n, binding);
    return binding;
  }
}
