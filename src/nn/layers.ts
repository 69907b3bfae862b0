// The layers, each a thin Module around one op from src/ops, named and
// initialised as in PyTorch so that state_dicts line up name for name.

import { MAX_ELEMENTS, TorchletError, checkInt, checkOptions, describe } from "../errors.js";
import { Tensor, zeros, type Generator } from "../tensor/index.js";
import { checkGenerator } from "../tensor/random.js";
import { conv2d } from "../ops/conv2d.js";
import { avgPool2d } from "../ops/avgpool2d.js";
import { maxPool2d } from "../ops/maxpool2d.js";
import { sigmoid } from "../ops/sigmoid.js";
import { relu } from "../ops/relu.js";
import { tanh } from "../ops/tanh.js";
import { linear } from "../ops/linear.js";
import { pair, poolWindow, type Pool2dOptions, type Size2 } from "../ops/window.js";
import { Module } from "./module.js";
import { kaimingUniform, uniform, fans } from "./init.js";

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
export class Conv2d extends Module {
  /** The filters, shape (out, in, kH, kW); parameter `"weight"`. */
  readonly weight: Tensor;
  /** One bias per output channel, shape (out); parameter `"bias"`, or null with `bias: false`. */
  readonly bias: Tensor | null;
  /** Stride as [height, width]. */
  readonly stride: [number, number];
  /** Zero padding on each side as [height, width]. */
  readonly padding: [number, number];

  constructor(inChannels: number, outChannels: number, kernelSizeOrOptions: Size2 | Conv2dLayerOptions, maybeOptions: Conv2dLayerOptions = {}) {
    super("Conv2d");
    const options = isSize(kernelSizeOrOptions) ? { ...checkOptions("Conv2d", maybeOptions, "{ stride: 2, padding: 1 }"), kernelSize: kernelSizeOrOptions } : kernelSizeOrOptions;
    if (typeof options !== "object" || options === null || options.kernelSize === undefined) {
      throw new TorchletError("Conv2d", "INVALID_ARGUMENT", `kernelSize is required, e.g. new Conv2d(1, 6, { kernelSize: 5 }); got ${describe(kernelSizeOrOptions)}`);
    }
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

  override forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding });
  }

  protected override extraRepr(): string {
    const [K, C, kH, kW] = this.weight.shape;
    return `${C}, ${K}, kernelSize=[${kH}, ${kW}], stride=[${this.stride.join(", ")}], padding=[${this.padding.join(", ")}]${this.bias ? "" : ", bias=false"}`;
  }
}

/** Fully connected layer: y = x·Wᵀ + b, weight (out, in), bias (out). */
export class Linear extends Module {
  /** The weight, shape (out, in); parameter `"weight"`. */
  readonly weight: Tensor;
  /** The bias, shape (out); parameter `"bias"`, or null with `bias: false`. */
  readonly bias: Tensor | null;

  constructor(inFeatures: number, outFeatures: number, options: ParameterOptions = {}) {
    super("Linear");
    checkOptions("Linear", options, "{ bias: false }"); // new Linear(4, 8, false), PyTorch-style, must not pass silently
    checkGenerator("Linear", options.generator);
    const I = checkInt("Linear", "inFeatures", inFeatures, 1);
    const O = checkInt("Linear", "outFeatures", outFeatures, 1);
    this.weight = this.registerParameter("weight", zeros(O, I));
    this.bias = options.bias === false ? null : this.registerParameter("bias", zeros(O));
    defaultInit(this.weight, this.bias, options.generator);
  }

  override forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }

  protected override extraRepr(): string {
    return `inFeatures=${this.weight.shape[1]}, outFeatures=${this.weight.shape[0]}${this.bias ? "" : ", bias=false"}`;
  }
}

/** What the two pooling layers share: a window size, stride and padding, checked when built. */
abstract class Pool2dLayer extends Module {
  /** Window size, one number or [height, width]. */
  readonly kernelSize: Size2;
  /** Stride (default: the kernel size) and padding (default 0). */
  readonly options: Pool2dOptions;

  constructor(typeName: string, kernelSize: Size2, options: Pool2dOptions) {
    super(typeName);
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
    super("AvgPool2d", kernelSize, options);
  }

  override forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, this.options);
  }
}

/** Max pooling layer; stride defaults to the kernel size. */
export class MaxPool2d extends Pool2dLayer {
  /**
   * @param kernelSize window size, one number or [height, width].
   * @param options stride (default: the kernel size) and padding (default 0).
   */
  constructor(kernelSize: Size2, options: Pool2dOptions = {}) {
    super("MaxPool2d", kernelSize, options);
  }

  override forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, this.options);
  }
}

/** Elementwise logistic sigmoid. */
export class Sigmoid extends Module {
  constructor() {
    super("Sigmoid");
  }

  override forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
}

/** Elementwise max(0, x). */
export class ReLU extends Module {
  constructor() {
    super("ReLU");
  }

  override forward(x: Tensor): Tensor {
    return relu(x);
  }
}

/** Elementwise hyperbolic tangent. */
export class Tanh extends Module {
  constructor() {
    super("Tanh");
  }

  override forward(x: Tensor): Tensor {
    return tanh(x);
  }
}

/** Flattens dimensions startDim..endDim (default 1..-1: everything but the batch), like nn.Flatten. */
export class Flatten extends Module {
  /**
   * @param startDim first dimension to merge (default 1, keeping the batch dimension).
   * @param endDim last dimension to merge, inclusive; negative counts from the end (default -1).
   */
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super("Flatten");
    for (const [name, dim] of [["startDim", startDim], ["endDim", endDim]] as const) {
      if (!Number.isInteger(dim)) throw new TorchletError("Flatten", "INVALID_ARGUMENT", `${name} must be an integer, got ${describe(dim)}`);
    }
  }

  override forward(x: Tensor): Tensor {
    return x.flatten(this.startDim, this.endDim);
  }
}

/** Views the input with a fixed shape (one -1 allowed), like d2l's `Reshape` module: `new Reshape(-1, 1, 28, 28)`. */
export class Reshape extends Module {
  /** The target shape; at most one entry is -1 (inferred from the element count). */
  readonly shape: readonly number[];

  constructor(...shape: number[]) {
    super("Reshape");
    shape.forEach((d, i) => {
      if (!Number.isInteger(d) || d < -1 || d > MAX_ELEMENTS) throw new TorchletError("Reshape", "INVALID_ARGUMENT", `shape[${i}] must be -1 or an integer in [0, ${MAX_ELEMENTS}], got ${describe(d)}`);
    });
    if (shape.filter((d) => d === -1).length > 1) throw new TorchletError("Reshape", "INVALID_ARGUMENT", `only one dimension can be -1, got [${shape.join(", ")}]`);
    this.shape = shape;
  }

  override forward(x: Tensor): Tensor {
    return x.reshape(...this.shape);
  }

  protected override extraRepr(): string {
    return this.shape.join(", ");
  }
}

// The checks pooling runs at forward time that need no input: refuse a bad layer when it is made.
function isSize(value: unknown): value is Size2 {
  return typeof value === "number" || Array.isArray(value);
}
