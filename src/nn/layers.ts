// The layers, named and initialised as in PyTorch so that state_dicts line up
// name for name. Each describes its computation once, as a step (step.ts):
// the kernels it calls for an input shape. Its eager forward runs that step,
// and a Plan compiles it, so the two cannot drift apart.

import { MAX_ELEMENTS, TorchletError, checkArity, checkInt, checkOptionKeys, describe, formatShape } from "../errors.js";
import { Tensor, zeros } from "../tensor/index.js";
import { checkGenerator } from "../tensor/random.js";
import { inferShape, normalizeDim } from "../tensor/tensor.js";
import type { LinearDims } from "../ops/linear.js";
import type { Kernels } from "../backend/index.js";
import { Module } from "./module.js";
import { StepLayer, count, viewStep, type LayerStep, type StepActivation } from "./step.js";
import { LAYER_OPTIONS_NOT_YET, defaultInit, type ParameterOptions } from "./parameters.js";

export type { ParameterOptions } from "./parameters.js";
// Conv2d has its own file (its options fill it); listed here with the other layers.
export { Conv2d, type Conv2dLayerOptions, type PaddingMode } from "./conv.js";
// The pooling layers live in pooling.ts; re-exported here beside the other layers.
export { AvgPool2d, MaxPool2d } from "./pooling.js";

/** Runs child modules in order: `new Sequential(a, b, c).forward(x)` is `c(b(a(x)))`. Children are named "0", "1", ... */
export class Sequential extends Module {
  /** The layers, in order. */
  readonly layers: readonly Module[];

  constructor(...layers: Module[]) {
    super("Sequential");
    layers.forEach((layer, i) => this.registerModule(String(i), layer));
    this.layers = layers;
  }

  override forward(x: Tensor): Tensor {
    checkArity("Sequential.forward", arguments, ["input"]);
    let y = x;
    for (const layer of this.layers) y = layer.forward(y);
    return y;
  }

  /** Number of layers. */
  get length(): number {
    return this.layers.length;
  }
}

/** Fully connected layer: y = x·Wᵀ + b, weight (out, in), bias (out). */
export class Linear extends StepLayer {
  /** The weight, shape (out, in); parameter `"weight"`. */
  readonly weight: Tensor;
  /** The bias, shape (out); parameter `"bias"`, or null with `bias: false`. */
  readonly bias: Tensor | null;

  constructor(inFeatures: number, outFeatures: number, options: ParameterOptions = {}) {
    super("Linear", "linear");
    checkArity("Linear", arguments, ["inFeatures", "outFeatures", "options"]);
    checkOptionKeys("Linear", options, ["bias", "generator"], LAYER_OPTIONS_NOT_YET); // new Linear(4, 8, false), PyTorch-style, must not pass silently
    checkGenerator("Linear", options.generator);
    const I = checkInt("Linear", "inFeatures", inFeatures, 1);
    const O = checkInt("Linear", "outFeatures", outFeatures, 1);
    this.weight = this.registerParameter("weight", zeros(O, I));
    this.bias = options.bias === false ? null : this.registerParameter("bias", zeros(O));
    defaultInit(this.weight, this.bias, options.generator);
  }

  /** y (*, out) = x (*, in) · weightᵀ + bias, over every leading index; see docs/linear.md. */
  override step(inputShape: readonly number[], k: Kernels): LayerStep {
    const [O, I] = this.weight.shape as [number, number];
    if (inputShape.length < 1 || inputShape[inputShape.length - 1] !== I) {
      throw new TorchletError("linear", "SHAPE_MISMATCH", `input's last dimension must be ${I} (weight ${formatShape(this.weight.shape)}), got input ${formatShape(inputShape)}`);
    }
    // N is the product of the leading dimensions (not numel / I, which loses them when I = 0)
    const d: LinearDims = { N: count(inputShape.slice(0, -1)), I, O };
    return {
      outputShape: [...inputShape.slice(0, -1), O],
      forward: (b) => k.linearForward(b.y, b.x, b.params[0]!, b.params[1] ?? null, d),
      backward: (b) => k.linearBackward(b.dx, b.dparams[0] ?? null, b.dparams[1] ?? null, b.dy, b.x, b.params[0]!, d),
    };
  }

  protected override extraRepr(): string {
    return `inFeatures=${this.weight.shape[1]}, outFeatures=${this.weight.shape[0]}${this.bias ? "" : ", bias=false"}`;
  }
}

/** Forward and backward kernels of an elementwise activation; its derivative is written in terms of the output y. */
type ActivationKernels = readonly [
  forward: (y: Float32Array, x: Float32Array) => void,
  backward: (dx: Float32Array, dy: Float32Array, y: Float32Array) => void,
];

/** What the three activation layers share: y = f(x) elementwise, any shape, a backward that needs only y. */
abstract class ActivationLayer extends StepLayer {
  /**
   * @param typeName the class name, e.g. "Sigmoid"; `op` the op it runs, e.g. "sigmoid".
   * @param kernels picks the layer's forward and backward kernels from the active backend's set.
   */
  constructor(typeName: string, op: string, private readonly kernels: (k: Kernels) => ActivationKernels, private readonly activation?: StepActivation) {
    super(typeName, op);
  }

  /** y = f(x) elementwise with the same shape; the backward reads only y. */
  override step(inputShape: readonly number[], k: Kernels): LayerStep {
    const [forward, backward] = this.kernels(k);
    return {
      outputShape: inputShape,
      perExample: true,
      activation: this.activation,
      forward: (b) => forward(b.y, b.x),
      backward: (b) => {
        if (b.dx) backward(b.dx, b.dy, b.y);
      },
    };
  }
}

/** Elementwise logistic sigmoid, y = σ(x); see docs/sigmoid.md. */
export class Sigmoid extends ActivationLayer {
  constructor() {
    super("Sigmoid", "sigmoid", (k) => [k.sigmoidForward, k.sigmoidBackward], "sigmoid");
    checkArity("Sigmoid", arguments, []);
  }
}

/** Elementwise max(0, x); see docs/relu.md. */
export class ReLU extends ActivationLayer {
  constructor() {
    super("ReLU", "relu", (k) => [k.reluForward, k.reluBackward], "relu");
    checkArity("ReLU", arguments, [], "PyTorch's inplace is not supported yet");
  }
}

/** Elementwise hyperbolic tangent, y = tanh(x); see docs/tanh.md. */
export class Tanh extends ActivationLayer {
  constructor() {
    super("Tanh", "tanh", (k) => [k.tanhForward, k.tanhBackward], "tanh");
    checkArity("Tanh", arguments, []);
  }
}

/** Flattens dimensions startDim..endDim (default 1..-1: everything but the batch), like nn.Flatten. */
export class Flatten extends StepLayer {
  /**
   * @param startDim first dimension to merge (default 1, keeping the batch dimension).
   * @param endDim last dimension to merge, inclusive; negative counts from the end (default -1).
   */
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super("Flatten", "flatten");
    checkArity("Flatten", arguments, ["startDim", "endDim"]);
    for (const [name, dim] of [["startDim", startDim], ["endDim", endDim]] as const) {
      if (!Number.isInteger(dim)) throw new TorchletError("Flatten", "INVALID_ARGUMENT", `${name} must be an integer, got ${describe(dim)}`);
    }
  }

  /** A view: the same values with dimensions startDim..endDim merged (Tensor.flatten's rule; a scalar becomes [1]). */
  override step(inputShape: readonly number[]): LayerStep {
    if (inputShape.length === 0) return viewStep([1]);
    const start = normalizeDim("flatten", this.startDim, inputShape.length);
    const end = normalizeDim("flatten", this.endDim, inputShape.length);
    if (start > end) {
      throw new TorchletError("flatten", "INVALID_ARGUMENT", `startDim ${this.startDim} comes after endDim ${this.endDim} for shape ${formatShape(inputShape)}`);
    }
    return viewStep([...inputShape.slice(0, start), count(inputShape.slice(start, end + 1)), ...inputShape.slice(end + 1)]);
  }
}

/** Views the input with a fixed shape (one -1 allowed), like d2l's `Reshape` module: `new Reshape(-1, 1, 28, 28)`. */
export class Reshape extends StepLayer {
  /** The target shape; at most one entry is -1 (inferred from the element count). */
  readonly shape: readonly number[];

  constructor(...shape: number[]) {
    super("Reshape", "reshape");
    shape.forEach((d, i) => {
      if (!Number.isInteger(d) || d < -1 || d > MAX_ELEMENTS) throw new TorchletError("Reshape", "INVALID_ARGUMENT", `shape[${i}] must be -1 or an integer in [0, ${MAX_ELEMENTS}], got ${describe(d)}`);
    });
    if (shape.filter((d) => d === -1).length > 1) throw new TorchletError("Reshape", "INVALID_ARGUMENT", `only one dimension can be -1, got [${shape.join(", ")}]`);
    this.shape = shape;
  }

  /** A view: the same values with the target shape, its -1 inferred as Tensor.reshape does. */
  override step(inputShape: readonly number[]): LayerStep {
    return viewStep(inferShape("reshape", inputShape, this.shape));
  }

  protected override extraRepr(): string {
    return this.shape.join(", ");
  }
}

