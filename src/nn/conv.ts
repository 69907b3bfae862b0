// nn.Conv2d: weight (K, C/groups, kH, kW) and bias (K), named and initialised as
// in PyTorch, with PyTorch's options. Its step is conv2d's kernels; with a
// paddingMode other than "zeros" it first pads the input with pad2d in that mode
// and then convolves with padding 0, exactly as PyTorch's Conv2d.forward does
// (F.pad, then F.conv2d).

import { TorchletError, checkArity, checkChoice, checkInt, checkOptionKeys, describe } from "../errors.js";
import { Tensor, zeros } from "../tensor/index.js";
import { checkGenerator } from "../tensor/random.js";
import { conv2dDims, conv2dColsLength, conv2dOutputShape, convPads, type Conv2dPadding } from "../ops/conv2d.js";
import { pad2dDims } from "../ops/pad2d.js";
import { pair, type Size2 } from "../ops/window.js";
import type { Kernels } from "../backend/index.js";
import { StepLayer, count, type LayerStep } from "./step.js";
import { LAYER_OPTIONS_NOT_YET, defaultInit, type ParameterOptions } from "./parameters.js";

/** How Conv2d pads its input: zeros, or PyTorch's reflect, replicate and circular modes. */
export type PaddingMode = "zeros" | "reflect" | "replicate" | "circular";

const PADDING_MODES: readonly PaddingMode[] = ["zeros", "reflect", "replicate", "circular"];

/** The keys of {@link Conv2dLayerOptions}, and the Conv2d options torchlet does not implement yet. */
const CONV2D_LAYER_OPTIONS: readonly string[] = ["kernelSize", "stride", "padding", "dilation", "groups", "paddingMode", "bias", "generator"];

/** Options of {@link Conv2d}, as torch.nn.Conv2d's (camelCase). */
export interface Conv2dLayerOptions extends ParameterOptions {
  /** Kernel size, one number or [height, width]. */
  kernelSize?: Size2;
  /** Stride (default 1). */
  stride?: Size2;
  /** Padding on each side, one number or [height, width]; "valid" (none) or "same" (output size = input size, stride 1). Default 0. */
  padding?: Conv2dPadding;
  /** Spacing of the kernel's taps (default 1). */
  dilation?: Size2;
  /** Channel groups: inChannels and outChannels must be divisible by it (default 1; inChannels for depthwise). */
  groups?: number;
  /** What the padding holds: "zeros" (default), "reflect", "replicate" or "circular". */
  paddingMode?: PaddingMode;
}

/**
 * 2-D convolution layer: weight (out, in/groups, kH, kW), bias (out).
 * @example new Conv2d(1, 6, { kernelSize: 5, padding: 2 }) // or new Conv2d(1, 6, 5, { padding: 2 })
 * @example new Conv2d(8, 8, 3, { padding: "same", groups: 8, paddingMode: "reflect" }) // depthwise, reflected border
 */
export class Conv2d extends StepLayer {
  /** The filters, shape (out, in/groups, kH, kW); parameter `"weight"`. */
  readonly weight: Tensor;
  /** One bias per output channel, shape (out); parameter `"bias"`, or null with `bias: false`. */
  readonly bias: Tensor | null;
  /** Stride as [height, width]. */
  readonly stride: [number, number];
  /** Padding on each side as [height, width] ("valid" reads as [0, 0]), or "same". */
  readonly padding: [number, number] | "same";
  /** Spacing of the kernel's taps as [height, width]. */
  readonly dilation: [number, number];
  /** Channel groups. */
  readonly groups: number;
  /** What the padding holds. */
  readonly paddingMode: PaddingMode;

  constructor(inChannels: number, outChannels: number, kernelSizeOrOptions: Size2 | Conv2dLayerOptions, maybeOptions: Conv2dLayerOptions = {}) {
    super("Conv2d", "conv2d");
    const sized = isSize(kernelSizeOrOptions); // new Conv2d(1, 6, 5, options) or new Conv2d(1, 6, options)
    const check = (given: Conv2dLayerOptions) => checkOptionKeys("Conv2d", given, CONV2D_LAYER_OPTIONS, LAYER_OPTIONS_NOT_YET);
    const options = sized ? { ...check(maybeOptions), kernelSize: kernelSizeOrOptions } : typeof kernelSizeOrOptions === "object" && kernelSizeOrOptions !== null ? check(kernelSizeOrOptions) : undefined;
    if (options?.kernelSize === undefined) {
      throw new TorchletError("Conv2d", "INVALID_ARGUMENT", `kernelSize is required, e.g. new Conv2d(1, 6, { kernelSize: 5 }); got ${describe(kernelSizeOrOptions)}`);
    }
    checkArity("Conv2d", arguments, sized ? ["inChannels", "outChannels", "kernelSize", "options"] : ["inChannels", "outChannels", "options"]);
    const C = checkInt("Conv2d", "inChannels", inChannels, 1);
    const K = checkInt("Conv2d", "outChannels", outChannels, 1);
    const kernel = pair("Conv2d", "kernelSize", options.kernelSize, 1);
    this.stride = pair("Conv2d", "stride", options.stride ?? 1, 1);
    this.dilation = pair("Conv2d", "dilation", options.dilation ?? 1, 1);
    this.groups = checkInt("Conv2d", "groups", options.groups ?? 1, 1);
    if (C % this.groups !== 0 || K % this.groups !== 0) {
      throw new TorchletError("Conv2d", "INVALID_ARGUMENT", `inChannels ${C} and outChannels ${K} must both be divisible by groups ${this.groups}`);
    }
    const pads = convPads("Conv2d", options.padding ?? 0, kernel, this.stride, this.dilation); // checks "same" against the stride
    this.padding = options.padding === "same" ? "same" : [pads[0], pads[2]];
    this.paddingMode = checkChoice("Conv2d", "paddingMode", options.paddingMode ?? "zeros", PADDING_MODES);
    this.weight = this.registerParameter("weight", zeros(K, C / this.groups, kernel[0], kernel[1]));
    checkGenerator("Conv2d", options.generator);
    this.bias = options.bias === false ? null : this.registerParameter("bias", zeros(K));
    defaultInit(this.weight, this.bias, options.generator);
  }

  /** y (N, K, P, Q) = conv(x (N, C, H, W), weight) + bias (or (C, H, W) → (K, P, Q)), with im2col scratch; see docs/conv2d.md. */
  override step(inputShape: readonly number[], k: Kernels): LayerStep {
    if (this.paddingMode !== "zeros") return this.paddedStep(inputShape, k);
    const d = conv2dDims(inputShape, this.weight.shape, this.bias?.shape ?? null, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
    const cols = conv2dColsLength(d); // cols and dcols: (C·kH·kW, P·Q)
    return {
      outputShape: conv2dOutputShape(inputShape, d),
      perExample: true,
      scratch: { forward: [cols], backward: [cols, cols] },
      forward: (b) => k.conv2dForward(b.y, b.x, b.params[0]!, b.params[1] ?? null, d, b.scratch[0]!),
      backward: (b) => k.conv2dBackward(b.dx, b.dparams[0] ?? null, b.dparams[1] ?? null, b.dy, b.x, b.params[0]!, d, b.scratch[0]!, b.scratch[1]!),
    };
  }

  // PyTorch's non-zeros padding modes: xpad = pad2d(x) in that mode, then y = conv(xpad) with padding 0.
  private paddedStep(inputShape: readonly number[], k: Kernels): LayerStep {
    const [, , kH, kW] = this.weight.shape as [number, number, number, number];
    const [top, bottom, left, right] = convPads("Conv2d", this.padding, [kH, kW], this.stride, this.dilation);
    const pd = pad2dDims("conv2d", inputShape, [left, right, top, bottom], this.paddingMode as Exclude<PaddingMode, "zeros">);
    const paddedShape = [...inputShape.slice(0, -2), pd.top + pd.H + pd.bottom, pd.left + pd.W + pd.right];
    const d = conv2dDims(paddedShape, this.weight.shape, this.bias?.shape ?? null, { stride: this.stride, dilation: this.dilation, groups: this.groups });
    const padded = count(paddedShape), cols = conv2dColsLength(d); // xpad and dxpad: (paddedShape); cols and dcols: (C·kH·kW, P·Q)
    return {
      outputShape: conv2dOutputShape(paddedShape, d),
      perExample: true,
      scratch: { forward: [padded, cols], backward: [padded, padded, cols, cols] },
      forward: (b) => {
        k.pad2dForward(b.scratch[0]!, b.x, pd);
        k.conv2dForward(b.y, b.scratch[0]!, b.params[0]!, b.params[1] ?? null, d, b.scratch[1]!);
      },
      backward: (b) => {
        const [xpad, dxpad, cols, dcols] = b.scratch as [Float32Array, Float32Array, Float32Array, Float32Array];
        k.pad2dForward(xpad, b.x, pd); // again: a Plan lends the forward's scratch to other layers in between
        if (b.dx) dxpad.fill(0, 0, padded); // conv2dBackward adds into it
        k.conv2dBackward(b.dx ? dxpad : null, b.dparams[0] ?? null, b.dparams[1] ?? null, b.dy, xpad, b.params[0]!, d, cols, dcols);
        if (b.dx) k.pad2dBackward(b.dx, dxpad, pd);
      },
    };
  }

  protected override extraRepr(): string {
    const [K, Cg, kH, kW] = this.weight.shape as [number, number, number, number];
    const padding = this.padding === "same" ? "same" : `[${this.padding.join(", ")}]`;
    const dilation = this.dilation[0] === 1 && this.dilation[1] === 1 ? "" : `, dilation=[${this.dilation.join(", ")}]`;
    const groups = this.groups === 1 ? "" : `, groups=${this.groups}`;
    const mode = this.paddingMode === "zeros" ? "" : `, paddingMode=${this.paddingMode}`;
    return `${Cg * this.groups}, ${K}, kernelSize=[${kH}, ${kW}], stride=[${this.stride.join(", ")}], padding=${padding}${dilation}${groups}${this.bias ? "" : ", bias=false"}${mode}`;
  }
}

// Conv2d's third argument: a kernel size (number or [height, width]), or else the options object.
function isSize(value: unknown): value is Size2 {
  return typeof value === "number" || Array.isArray(value);
}
