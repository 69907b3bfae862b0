// The layers, named and initialised as in PyTorch so that state_dicts line up
// name for name. Each describes its computation once, as a step (step.ts):
// the kernels it calls for an input shape. Its eager forward runs that step,
// and a Plan compiles it, so the two cannot drift apart.

import { MAX_ELEMENTS, TorchletError, checkArity, checkInt, checkOptionKeys, describe, formatShape } from "../errors.js";
import { Tensor, zeros, type Generator } from "../tensor/index.js";
import { checkGenerator } from "../tensor/random.js";
import { inferShape, normalizeDim } from "../tensor/tensor.js";
import { conv2dDims, conv2dColsLength } from "../ops/conv2d.js";
import type { LinearDims } from "../ops/linear.js";
import { pair, poolWindow, pool2dDims, type Pool2dOptions, type Size2 } from "../ops/window.js";
import type { Kernels } from "../backend/index.js";
import { Module } from "./module.js";
import { StepLayer, count, viewStep, type LayerStep } from "./step.js";
import { kaimingUniform, uniform, fans } from "./init.js";

/** Layer options PyTorch has and torchlet does not implement yet (parameters are float32 on the CPU). */
const LAYER_OPTIONS_NOT_YET: readonly string[] = ["device", "dtype"];

/** The keys of {@link Conv2dLayerOptions}, and the Conv2d options torchlet does not implement yet. */
const CONV2D_LAYER_OPTIONS: readonly string[] = ["kernelSize", "stride", "padding", "bias", "generator"];
const CONV2D_LAYER_OPTIONS_NOT_YET: readonly string[] = ["dilation", "groups", "paddingMode", ...LAYER_OPTIONS_NOT_YET];

/** Options shared by layers with weights. */
export interface ParameterOptions {
  /** Add a learnable bias (default true). */
  bias?: boolean;
  /** Draw the initial weights from this generator (default: the global one, see manualSeed). */
  generator?: Generator;
}

// PyTorch's default init for Linear and Conv2d: weight kaiming_uniform(a=√5) = U(±1/√fanIn), bias U(±1/√fanIn).
function defaultInit(weight: Tensor, bias: Tensor | null, generator?: Generator): void {
  kaimingUniform(weight, generator ? { generator } : {});
  if (bias) uniform(bias, 1 / Math.sqrt(fans(weight)[0]), generator);
}

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

/** Options of {@link Conv2d}. */
export interface Conv2dLayerOptions extends ParameterOptions {
  /** Kernel size, one number or [height, width]. */
  kernelSize?: Size2;
  /** Stride (default 1). */
  stride?: Size2;
  /** Zero padding on each side (default 0). */
  padding?: Size2;
}

/**
 * 2-D convolution layer: weight (out, in, kH, kW), bias (out).
 * @example new Conv2d(1, 6, { kernelSize: 5, padding: 2 }) // or new Conv2d(1, 6, 5, { padding: 2 })
 */
export class Conv2d extends StepLayer {
  /** The filters, shape (out, in, kH, kW); parameter `"weight"`. */
  readonly weight: Tensor;
  /** One bias per output channel, shape (out); parameter `"bias"`, or null with `bias: false`. */
  readonly bias: Tensor | null;
  /** Stride as [height, width]. */
  readonly stride: [number, number];
  /** Zero padding on each side as [height, width]. */
  readonly padding: [number, number];

  constructor(inChannels: number, outChannels: number, kernelSizeOrOptions: Size2 | Conv2dLayerOptions, maybeOptions: Conv2dLayerOptions = {}) {
    super("Conv2d", "conv2d");
    const sized = isSize(kernelSizeOrOptions); // new Conv2d(1, 6, 5, options) or new Conv2d(1, 6, options)
    const check = (given: Conv2dLayerOptions) => checkOptionKeys("Conv2d", given, CONV2D_LAYER_OPTIONS, CONV2D_LAYER_OPTIONS_NOT_YET);
    const options = sized ? { ...check(maybeOptions), kernelSize: kernelSizeOrOptions } : typeof kernelSizeOrOptions === "object" && kernelSizeOrOptions !== null ? check(kernelSizeOrOptions) : undefined;
    if (options?.kernelSize === undefined) {
      throw new TorchletError("Conv2d", "INVALID_ARGUMENT", `kernelSize is required, e.g. new Conv2d(1, 6, { kernelSize: 5 }); got ${describe(kernelSizeOrOptions)}`);
    }
    checkArity("Conv2d", arguments, sized ? ["inChannels", "outChannels", "kernelSize", "options"] : ["inChannels", "outChannels", "options"]);
    const C = checkInt("Conv2d", "inChannels", inChannels, 1);
    const K = checkInt("Conv2d", "outChannels", outChannels, 1);
    const [kH, kW] = pair("Conv2d", "kernelSize", options.kernelSize, 1);
    this.stride = pair("Conv2d", "stride", options.stride ?? 1, 1);
    this.padding = pair("Conv2d", "padding", options.padding ?? 0, 0);
    this.weight = this.registerParameter("weight", zeros(K, C, kH, kW));
    checkGenerator("Conv2d", options.generator);
    this.bias = options.bias === false ? null : this.registerParameter("bias", zeros(K));
    defaultInit(this.weight, this.bias, options.generator);
  }

  /** y (N, K, P, Q) = conv(x (N, C, H, W), weight) + bias, with im2col scratch; see docs/conv2d.md. */
  override step(inputShape: readonly number[], k: Kernels): LayerStep {
    const d = conv2dDims(inputShape, this.weight.shape, this.bias?.shape ?? null, { stride: this.stride, padding: this.padding });
    const cols = conv2dColsLength(d); // cols and dcols: (C·kH·kW, N·P·Q)
    return {
      outputShape: [d.N, d.K, d.P, d.Q],
      scratch: { forward: [cols], backward: [cols, cols] },
      forward: (b) => k.conv2dForward(b.y, b.x, b.params[0]!, b.params[1] ?? null, d, b.scratch[0]!),
      backward: (b) => k.conv2dBackward(b.dx, b.dparams[0] ?? null, b.dparams[1] ?? null, b.dy, b.x, b.params[0]!, d, b.scratch[0]!, b.scratch[1]!),
    };
  }

  protected override extraRepr(): string {
    const [K, C, kH, kW] = this.weight.shape;
    return `${C}, ${K}, kernelSize=[${kH}, ${kW}], stride=[${this.stride.join(", ")}], padding=[${this.padding.join(", ")}]${this.bias ? "" : ", bias=false"}`;
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

/** What the two pooling layers share: a window size, stride and padding, checked when built. */
abstract class Pool2dLayer extends StepLayer {
  /** Window size, one number or [height, width]. */
  readonly kernelSize: Size2;
  /** Stride (default: the kernel size) and padding (default 0). */
  readonly options: Pool2dOptions;

  constructor(typeName: string, op: string, kernelSize: Size2, options: Pool2dOptions) {
    super(typeName, op);
    poolWindow(typeName, kernelSize, options);
    this.kernelSize = kernelSize;
    this.options = options;
  }

  protected override extraRepr(): string {
    return `kernelSize=${this.kernelSize}, stride=${this.options.stride ?? this.kernelSize}`;
  }
}

/** Average pooling layer; stride defaults to the kernel size. */
export class AvgPool2d extends Pool2dLayer {
  /**
   * @param kernelSize window size, one number or [height, width].
   * @param options stride (default: the kernel size) and padding (default 0).
   */
  constructor(kernelSize: Size2, options: Pool2dOptions = {}) {
    super("AvgPool2d", "avgPool2d", kernelSize, options);
    checkArity("AvgPool2d", arguments, ["kernelSize", "options"]);
  }

  /** y (N, C, P, Q) = window means of x (N, C, H, W); see docs/avgpool2d.md. */
  override step(inputShape: readonly number[], k: Kernels): LayerStep {
    const d = pool2dDims(this.op, inputShape, this.kernelSize, this.options);
    return {
      outputShape: [d.N, d.C, d.P, d.Q],
      forward: (b) => k.avgPool2dForward(b.y, b.x, d),
      backward: (b) => {
        if (b.dx) k.avgPool2dBackward(b.dx, b.dy, d);
      },
    };
  }
}

/** Max pooling layer; stride defaults to the kernel size. */
export class MaxPool2d extends Pool2dLayer {
  /**
   * @param kernelSize window size, one number or [height, width].
   * @param options stride (default: the kernel size) and padding (default 0).
   */
  constructor(kernelSize: Size2, options: Pool2dOptions = {}) {
    super("MaxPool2d", "maxPool2d", kernelSize, options);
    checkArity("MaxPool2d", arguments, ["kernelSize", "options"]);
  }

  /** y (N, C, P, Q) = window maxima of x (N, C, H, W), saving where each came from; see docs/maxpool2d.md. */
  override step(inputShape: readonly number[], k: Kernels): LayerStep {
    const d = pool2dDims(this.op, inputShape, this.kernelSize, this.options);
    const outputShape = [d.N, d.C, d.P, d.Q];
    return {
      outputShape,
      saved: count(outputShape), // argmax: (N, C, P, Q), the flat index into x of each window's maximum
      forward: (b) => k.maxPool2dForward(b.y, b.saved, b.x, d),
      backward: (b) => {
        if (b.dx) k.maxPool2dBackward(b.dx, b.dy, b.saved);
      },
    };
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
  constructor(typeName: string, op: string, private readonly kernels: (k: Kernels) => ActivationKernels) {
    super(typeName, op);
  }

  /** y = f(x) elementwise with the same shape; the backward reads only y. */
  override step(inputShape: readonly number[], k: Kernels): LayerStep {
    const [forward, backward] = this.kernels(k);
    return {
      outputShape: inputShape,
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
    super("Sigmoid", "sigmoid", (k) => [k.sigmoidForward, k.sigmoidBackward]);
    checkArity("Sigmoid", arguments, []);
  }
}

/** Elementwise max(0, x); see docs/relu.md. */
export class ReLU extends ActivationLayer {
  constructor() {
    super("ReLU", "relu", (k) => [k.reluForward, k.reluBackward]);
    checkArity("ReLU", arguments, [], "PyTorch's inplace is not supported yet");
  }
}

/** Elementwise hyperbolic tangent, y = tanh(x); see docs/tanh.md. */
export class Tanh extends ActivationLayer {
  constructor() {
    super("Tanh", "tanh", (k) => [k.tanhForward, k.tanhBackward]);
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

// Conv2d's third argument: a kernel size (number or [height, width]), or else the options object.
function isSize(value: unknown): value is Size2 {
  return typeof value === "number" || Array.isArray(value);
}
