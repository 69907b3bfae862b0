// Plan: a Sequential classifier laid out once for a batch size, in the style
// of llm.c: every activation, gradient and scratch buffer is allocated up
// front in the backend's memory, and a training step is a fixed list of
// kernel calls over them. Nothing is allocated per step (after the first step
// at each batch size), no tensors or graph are built, and with the wasm
// backend no array is copied in or out of WebAssembly memory except the
// parameters (61,706 floats for LeNet) and their gradients.
//
// It runs exactly the kernels the eager ops run, in the same order, so a
// plan's loss and gradients are bit-for-bit those of net.forward + backward.
// Use the eager API to explore; use a plan to train fast.
//
//   const plan = new Plan(net, { batchSize: 256, sampleShape: [784] });
//   for (const n of loader.batchesInto(plan.input, plan.labels)) plan.trainStep(optimizer, n);

import { TorchletError, checkInt, checkShape, describe, formatShape } from "../errors.js";
import { Tensor, noGrad } from "../tensor/tensor.js";
import { zeros } from "../tensor/create.js";
import { getBackend, type Backend } from "../backend/index.js";
import { conv2dDims, conv2dColsLength, type Conv2dDims } from "../ops/conv2d.js";
import { pool2dDims, type WindowDims } from "../ops/window.js";
import type { LinearDims } from "../ops/linear.js";
import { argmaxRow } from "../ops/softmax.js";
import type { Optimizer } from "./optim.js";
import type { Module } from "./module.js";
import { DataLoader, type LabeledData } from "./dataloader.js";
import { checkFiniteLoss, checkFiniteGradient } from "./finite.js";
import { Sequential, Conv2d, Linear, AvgPool2d, MaxPool2d, Sigmoid, ReLU, Tanh, Flatten, Reshape } from "./layers.js";

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

// One layer's kernel calls, bound to its buffers for one batch size.
interface BoundLayer {
  forward(): void;
  /** Adds ∂L/∂input into dx (null for the first layer, whose input needs no gradient). */
  backward(dx: Float32Array | null): void;
}

// The buffers and layers for one batch size n (views of the plan's full-size buffers).
interface Binding {
  n: number;
  layers: BoundLayer[];
  acts: Float32Array[]; // acts[0] = input (n, sample); acts[i + 1] = output of layer i
  grads: Float32Array[]; // grads[i] = ∂L/∂acts[i], empty where no gradient is needed (the input, and aliases of it)
  labels: Int32Array;
  logProbs: Float32Array;
  classes: number;
}

/**
 * A Sequential classifier compiled for one batch size and one backend.
 * Layers supported: Conv2d, Linear, AvgPool2d, MaxPool2d, Sigmoid, ReLU, Tanh, Flatten, Reshape.
 */
export class Plan {
  /** Fill with a batch of inputs, (batchSize, ...sampleShape), before each step. */
  readonly input: Float32Array;
  /** Fill with the batch's labels before each step. */
  readonly labels: Int32Array;
  /** The largest batch the plan runs (from {@link PlanOptions.batchSize}). */
  readonly batchSize: number;
  /** Shape of one example (from {@link PlanOptions.sampleShape}). */
  readonly sampleShape: readonly number[];
  private readonly backend: Backend;
  private readonly params: Tensor[];
  private readonly mirrors: Float32Array[]; // the parameters, copied into backend memory each step
  private readonly gradMirrors: Float32Array[];
  private readonly mirrorOf = new Map<Tensor, [Float32Array, Float32Array]>();
  private readonly shapes: number[][]; // shapes[i] = shape of acts[i] at the full batch size
  private readonly full: { acts: Float32Array[]; grads: Float32Array[]; logProbs: Float32Array; cols: Float32Array; dcols: Float32Array; argmax: Int32Array[] };
  private readonly loss: Float32Array;
  private readonly dloss: Float32Array;
  private readonly bindings = new Map<number, Binding>();

  /**
   * Lays out every buffer for `net` at `options.batchSize` in the backend's memory.
   * @param net the classifier; its parameters stay the source of truth (copied in each step, gradients copied out).
   * @param options batch size, sample shape and backend.
   * @throws TorchletError when net is not a Sequential, does not end in (batch, classes) logits, or has a layer without a planned form.
   */
  constructor(readonly net: Sequential, options: PlanOptions) {
    if (!(net instanceof Sequential)) throw new TorchletError("Plan", "INVALID_ARGUMENT", "net must be a Sequential");
    if (typeof options !== "object" || options === null) throw new TorchletError("Plan", "INVALID_ARGUMENT", `options must be { batchSize, sampleShape }, got ${describe(options)}`);
    this.batchSize = checkInt("Plan", "batchSize", options.batchSize, 1);
    checkShape("Plan", options.sampleShape, "sampleShape");
    checkShape("Plan", [this.batchSize, ...options.sampleShape], "a batch of batchSize examples"); // before any buffer is allocated
    this.sampleShape = [...options.sampleShape];
    const k = (this.backend = options.backend ?? getBackend());
    this.shapes = outputShapes(net, [this.batchSize, ...this.sampleShape]);
    const last = this.shapes[this.shapes.length - 1]!;
    if (last.length !== 2) {
      throw new TorchletError("Plan", "SHAPE_MISMATCH", `the network must end in (batch, classes) logits for the loss, but it outputs ${formatShape(last)}`);
    }
    if (last[0] !== this.batchSize) {
      // e.g. a Reshape(-1, ...) that folds examples together: labels would no longer line up with rows
      throw new TorchletError("Plan", "SHAPE_MISMATCH", `the network maps a batch of ${this.batchSize} examples of shape ${formatShape(this.sampleShape)} to logits ${formatShape(last)}; it must keep one row per example`);
    }
    this.params = net.parameters();
    this.mirrors = this.params.map((p) => k.alloc(p.numel));
    this.gradMirrors = this.params.map((p) => k.alloc(p.numel));
    this.params.forEach((p, i) => this.mirrorOf.set(p, [this.mirrors[i]!, this.gradMirrors[i]!]));

    // Reshape and Flatten only relabel the shape: their output shares the input's buffer, and their
    // gradient the input's gradient. The input needs no gradient: an empty array stands for "none".
    const acts: Float32Array[] = [k.alloc(count(this.shapes[0]!))];
    const grads: Float32Array[] = [new Float32Array(0)];
    const argmax: Int32Array[] = [];
    let colsLength = 0;
    net.layers.forEach((layer, i) => {
      const aliases = layer instanceof Reshape || layer instanceof Flatten;
      acts.push(aliases ? acts[i]! : k.alloc(count(this.shapes[i + 1]!)));
      grads.push(aliases ? grads[i]! : k.alloc(count(this.shapes[i + 1]!)));
      argmax.push(layer instanceof MaxPool2d ? k.allocInt32(count(this.shapes[i + 1]!)) : new Int32Array(0));
      if (layer instanceof Conv2d) colsLength = Math.max(colsLength, conv2dColsLength(convDims(layer, this.shapes[i]!)));
    });
    this.input = acts[0]!;
    this.labels = k.allocInt32(this.batchSize);
    this.loss = k.alloc(1);
    this.dloss = k.alloc(1);
    this.full = { acts, grads, logProbs: k.alloc(count(last)), cols: k.alloc(colsLength), dcols: k.alloc(colsLength), argmax };
    try {
      this.bind(this.batchSize); // checks every layer has a planned form now, not at the first step
    } catch (error) {
      this.dispose();
      throw error;
    }
  }

  /**
   * One step of training on the first `n` examples of {@link Plan.input}/{@link Plan.labels}:
   * forward, loss, backward, then `optimizer.step()` (which must hold this net's parameters).
   * Refuses to update when the loss or a gradient is NaN or ±Infinity.
   * @throws TorchletError NON_FINITE, leaving the parameters as they were.
   */
  trainStep(optimizer: Optimizer, n = this.batchSize): BatchResult {
    if (typeof (optimizer as { step?: unknown } | null)?.step !== "function") {
      throw new TorchletError("Plan", "INVALID_ARGUMENT", `optimizer must be an Optimizer (SGD, Adam), got ${describe(optimizer)}`);
    }
    const b = this.bind(n);
    const result = this.forward(b);
    checkFiniteLoss(result.loss);
    for (const g of this.gradMirrors) g.fill(0);
    for (const g of b.grads) g.fill(0);
    this.dloss[0] = 1;
    const last = b.acts.length - 1;
    this.backend.softmaxCrossEntropyBackward(b.grads[last]!, this.dloss, b.logProbs, b.labels, { N: n, J: b.classes });
    for (let i = b.layers.length - 1; i >= 0; i--) b.layers[i]!.backward(b.grads[i]!.length > 0 ? b.grads[i]! : null);
    this.params.forEach((p, i) => {
      const g = this.gradMirrors[i]!;
      checkFiniteGradient(() => this.nameOf(p), g);
      p.gradBuffer().set(g);
    });
    optimizer.step();
    return result;
  }

  /** Loss and correct count of the first `n` examples (no gradients, no update). */
  evaluate(n = this.batchSize): BatchResult {
    return this.forward(this.bind(n));
  }

  /**
   * Mean loss and accuracy over a whole dataset, batch by batch through {@link Plan.input} (overwriting it).
   * @returns `loss` (mean over the examples), `acc` (fraction correct) and `correct` (count); all 0 for an empty dataset.
   * @throws TorchletError when the examples do not have the plan's sample shape.
   */
  evaluateDataset(data: LabeledData): DatasetResult {
    const sample = count(this.sampleShape);
    if (data.images.length !== data.count * sample) {
      throw new TorchletError("Plan.evaluateDataset", "SHAPE_MISMATCH", `${data.count} examples of ${data.images.length / Math.max(1, data.count)} values do not fit the plan's examples of shape ${formatShape(this.sampleShape)}`);
    }
    let lossSum = 0, correct = 0;
    for (const n of new DataLoader(data, { batchSize: this.batchSize }).batchesInto(this.input, this.labels)) {
      const r = this.evaluate(n);
      lossSum += r.loss * n;
      correct += r.correct;
    }
    return { loss: data.count === 0 ? 0 : lossSum / data.count, acc: data.count === 0 ? 0 : correct / data.count, correct };
  }

  /** Logits of the first `n` inputs, (n, classes): a view of the plan's buffer, overwritten by the next call. */
  predict(n = this.batchSize): Float32Array {
    const b = this.bind(n);
    this.copyParameters();
    for (const layer of b.layers) layer.forward();
    return b.acts[b.acts.length - 1]!;
  }

  /** Gives the plan's buffers back to the backend (WebAssembly memory is not garbage-collected). */
  dispose(): void {
    const seen = new Set<Float32Array | Int32Array>();
    const all = [...this.full.acts, ...this.full.grads, ...this.full.argmax, ...this.mirrors, ...this.gradMirrors, this.full.logProbs, this.full.cols, this.full.dcols, this.labels, this.loss, this.dloss];
    for (const buffer of all) {
      if (buffer.length > 0 && !seen.has(buffer)) this.backend.release(buffer);
      seen.add(buffer);
    }
    this.bindings.clear();
  }

  private forward(b: Binding): BatchResult {
    // Kernels index logProbs by label: one outside [0, classes) would read past the row (NaN in TypeScript, stray memory in wasm).
    for (let i = 0; i < b.n; i++) {
      const label = b.labels[i]!;
      if (label < 0 || label >= b.classes) throw new TorchletError("Plan", "OUT_OF_RANGE", `label ${label} at index ${i} is out of range for ${b.classes} classes [0, ${b.classes})`);
    }
    this.copyParameters();
    for (const layer of b.layers) layer.forward();
    const last = b.acts.length - 1;
    this.backend.softmaxCrossEntropyForward(this.loss, b.logProbs, b.acts[last]!, b.labels, { N: b.n, J: b.classes });
    return { loss: this.loss[0]!, correct: countCorrect(b.acts[last]!, b.labels, b.n, b.classes) };
  }

  private copyParameters(): void {
    this.params.forEach((p, i) => this.mirrors[i]!.set(p.data));
  }

  private nameOf(p: Tensor): string {
    return this.net.namedParameters().find(([, q]) => q === p)?.[0] ?? "a parameter";
  }

  // Views of the full-size buffers for batch size n, and each layer's kernel calls over them; made once per n.
  private bind(n: number): Binding {
    const cached = this.bindings.get(n);
    if (cached) return cached;
    checkInt("Plan", "batch", n, 1);
    if (n > this.batchSize) throw new TorchletError("Plan", "OUT_OF_RANGE", `batch of ${n} is larger than the plan's ${this.batchSize}`);
    const shapes = this.shapes.map((s) => [n, ...s.slice(1)]);
    const view = (a: Float32Array, i: number) => a.subarray(0, count(shapes[i]!));
    const acts = this.full.acts.map(view);
    const grads = this.full.grads.map((g, i) => (g.length === 0 ? g : view(g, i)));
    const layers = this.net.layers.map((layer, i) => this.bindLayer(layer, shapes[i]!, acts[i]!, acts[i + 1]!, grads[i + 1]!, this.full.argmax[i]!.subarray(0, count(shapes[i + 1]!))));
    const last = shapes[shapes.length - 1]!;
    const binding: Binding = { n, layers, acts, grads, labels: this.labels.subarray(0, n), logProbs: this.full.logProbs.subarray(0, count(last)), classes: last[1]! };
    this.bindings.set(n, binding);
    return binding;
  }

  private bindLayer(layer: Module, inShape: number[], x: Float32Array, y: Float32Array, dy: Float32Array, argmax: Int32Array): BoundLayer {
    const k = this.backend;
    const { cols, dcols } = this.full;
    if (layer instanceof Conv2d) {
      const d = convDims(layer, inShape);
      const [w, dw] = this.mirrorOf.get(layer.weight)!;
      const [b, db] = layer.bias ? this.mirrorOf.get(layer.bias)! : [null, null];
      return {
        forward: () => k.conv2dForward(y, x, w, b, d, cols),
        backward: (dx) => k.conv2dBackward(dx, dw, db, dy, x, w, d, cols, dcols),
      };
    }
    if (layer instanceof Linear) {
      const I = layer.weight.shape[1]!, O = layer.weight.shape[0]!;
      const d: LinearDims = { N: count(inShape) / I, I, O };
      const [w, dw] = this.mirrorOf.get(layer.weight)!;
      const [b, db] = layer.bias ? this.mirrorOf.get(layer.bias)! : [null, null];
      return {
        forward: () => k.linearForward(y, x, w, b, d),
        backward: (dx) => k.linearBackward(dx, dw, db, dy, x, w, d),
      };
    }
    if (layer instanceof AvgPool2d) {
      const d: WindowDims = pool2dDims("avgPool2d", inShape, layer.kernelSize, layer.options);
      return {
        forward: () => k.avgPool2dForward(y, x, d),
        backward: (dx) => dx && k.avgPool2dBackward(dx, dy, d),
      };
    }
    if (layer instanceof MaxPool2d) {
      const d: WindowDims = pool2dDims("maxPool2d", inShape, layer.kernelSize, layer.options);
      return {
        forward: () => k.maxPool2dForward(y, argmax, x, d),
        backward: (dx) => dx && k.maxPool2dBackward(dx, dy, argmax),
      };
    }
    for (const [type, name] of [[Sigmoid, "sigmoid"], [ReLU, "relu"], [Tanh, "tanh"]] as const) {
      if (layer instanceof type) {
        return {
          forward: () => k[`${name}Forward`](y, x),
          backward: (dx) => dx && k[`${name}Backward`](dx, dy, y),
        };
      }
    }
    if (layer instanceof Reshape || layer instanceof Flatten) {
      // Same buffer in and out, and the same gradient buffer: nothing to do either way.
      return { forward: () => {}, backward: () => {} };
    }
    throw new TorchletError("Plan", "INVALID_ARGUMENT", `layer ${layer.typeName} has no planned form; use net.forward for it`);
  }
}

function count(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function convDims(layer: Conv2d, inShape: readonly number[]): Conv2dDims {
  return conv2dDims(inShape, layer.weight.shape, layer.bias?.shape ?? null, { stride: layer.stride, padding: layer.padding });
}

// Shapes of the input and of every layer's output, found by running the eager layers once on zeros.
function outputShapes(net: Sequential, inputShape: number[]): number[][] {
  const shapes = [inputShape];
  noGrad(() => {
    let x = zeros(inputShape);
    for (const layer of net.layers) {
      x = layer.forward(x);
      shapes.push([...x.shape]);
    }
  });
  return shapes;
}

function countCorrect(logits: Float32Array, labels: Int32Array, n: number, classes: number): number {
  let correct = 0;
  for (let i = 0; i < n; i++) if (argmaxRow(logits, i, classes) === labels[i]) correct++;
  return correct;
}
