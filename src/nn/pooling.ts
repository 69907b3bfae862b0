// The pooling layers, named and spelled as PyTorch's: AvgPool2d and MaxPool2d
// (every option of F.avg_pool2d / F.max_pool2d), AdaptiveAvgPool2d, and
// MaxUnpool2d. Each pooling layer describes its step (step.ts) once, so its
// eager forward and a Plan run the same kernels; MaxUnpool2d takes two inputs
// and MaxPool2d with returnIndices gives two outputs, which a Plan (one tensor
// from layer to layer) cannot run: those say so by name.

import { TorchletError, checkArity, checkOptionKeys } from "../errors.js";
import type { Tensor } from "../tensor/index.js";
import { poolWindow, pool2dDims, pool2dOutputShape, windowsOverlap, type AvgPool2dOptions, type MaxPool2dOptions, type Size2 } from "../ops/window.js";
import { maxPool2d } from "../ops/maxpool2d.js";
import { maxUnpool2d, type MaxUnpool2dOptions } from "../ops/maxunpool2d.js";
import { adaptiveAvgPool2dDims, type AdaptiveSize } from "../ops/adaptive-avgpool2d.js";
import type { Kernels } from "../backend/index.js";
import { Module } from "./module.js";
import { StepLayer, count, type LayerStep } from "./step.js";

/** What AvgPool2d and MaxPool2d share: a window size and the op's options, checked when built. */
abstract class Pool2dLayer<Options extends AvgPool2dOptions | MaxPool2dOptions> extends StepLayer {
  /** Window size, one number or [height, width]. */
  readonly kernelSize: Size2;
  /** The op's options: stride (default: the kernel size), padding (default 0), and the rest as the op's. */
  readonly options: Options;

  constructor(typeName: string, op: string, kernelSize: Size2, options: Options) {
    super(typeName, op);
    poolWindow(typeName, kernelSize, options);
    this.kernelSize = kernelSize;
    this.options = options;
  }

  protected override extraRepr(): string {
    const { stride, padding, dilation, ceilMode, countIncludePad, divisorOverride, returnIndices } = { ...this.options } as AvgPool2dOptions & MaxPool2dOptions;
    // the options that differ from PyTorch's defaults, so a layer built from ONNX prints like the one written
    const given: [string, unknown, boolean][] = [
      ["padding", padding, padding !== undefined && String(padding) !== "0,0" && padding !== 0],
      ["dilation", dilation, dilation !== undefined && String(dilation) !== "1,1" && dilation !== 1],
      ["ceilMode", ceilMode, ceilMode === true],
      ["countIncludePad", countIncludePad, countIncludePad === false],
      ["divisorOverride", divisorOverride, divisorOverride !== undefined && divisorOverride !== null],
      ["returnIndices", returnIndices, returnIndices === true],
    ];
    const more = given.filter(([, , shown]) => shown).map(([key, value]) => `, ${key}=${value}`).join("");
    return `kernelSize=${this.kernelSize}, stride=${stride ?? this.kernelSize}${more}`;
  }
}

/** Average pooling layer, like `nn.AvgPool2d`: stride defaults to the kernel size; ceilMode, countIncludePad, divisorOverride as the op. */
export class AvgPool2d extends Pool2dLayer<AvgPool2dOptions> {
  /**
   * @param kernelSize window size, one number or [height, width].
   * @param options stride (default: the kernel size), padding (default 0), ceilMode, countIncludePad, divisorOverride.
   */
  constructor(kernelSize: Size2, options: AvgPool2dOptions = {}) {
    super("AvgPool2d", "avgPool2d", kernelSize, options);
    checkArity("AvgPool2d", arguments, ["kernelSize", "options"]);
  }

  /** y (N, C, P, Q) = window means of x (N, C, H, W), or unbatched (C, H, W) → (C, P, Q); see docs/avgpool2d.md. */
  override step(inputShape: readonly number[], k: Kernels): LayerStep {
    const d = pool2dDims(this.op, inputShape, this.kernelSize, this.options);
    return {
      outputShape: pool2dOutputShape(inputShape, d),
      perExample: true,
      forward: (b) => k.avgPool2dForward(b.y, b.x, d),
      backward: (b) => {
        if (b.dx) k.avgPool2dBackward(b.dx, b.dy, d);
      },
      backwardThrough: (activation) => {
        if (activation === "relu" || windowsOverlap(d)) return undefined; // relu: its fused backward is max pooling's
        const fused = { ...d, activation, accumulate: false }; // sets dx: the Plan skips clearing it
        return (b) => {
          if (b.dx) k.avgPool2dActivationBackward(b.dx, b.dy, b.x, fused);
        };
      },
    };
  }
}

/**
 * Max pooling layer, like `nn.MaxPool2d`: stride defaults to the kernel size; dilation, ceilMode as the op.
 * With `returnIndices`, call {@link MaxPool2d.forwardWithIndices} for [values, indices]: `forward` returns one tensor.
 */
export class MaxPool2d extends Pool2dLayer<MaxPool2dOptions> {
  /**
   * @param kernelSize window size, one number or [height, width].
   * @param options stride (default: the kernel size), padding (default 0), dilation, ceilMode, returnIndices.
   */
  constructor(kernelSize: Size2, options: MaxPool2dOptions = {}) {
    super("MaxPool2d", "maxPool2d", kernelSize, options);
    checkArity("MaxPool2d", arguments, ["kernelSize", "options"]);
  }

  /** y (N, C, P, Q) = window maxima of x (N, C, H, W), saving where each came from; see docs/maxpool2d.md. */
  override step(inputShape: readonly number[], k: Kernels): LayerStep {
    if (this.options.returnIndices === true) {
      throw new TorchletError("MaxPool2d", "INVALID_ARGUMENT", "with returnIndices it outputs two tensors, [values, indices], but forward, a Sequential and a Plan pass one tensor from layer to layer: call forwardWithIndices(x), or leave returnIndices out");
    }
    const d = pool2dDims(this.op, inputShape, this.kernelSize, this.options);
    const outputShape = pool2dOutputShape(inputShape, d);
    return {
      outputShape,
      saved: count(outputShape), // argmax: (N, C, P, Q), each window's maximum as a position h·W + w in its plane
      perExample: true, // argmax is plane-relative, so a slice of the batch saves its own slice of it
      forward: (b) => k.maxPool2dForward(b.y, b.saved, b.x, d),
      backward: (b) => {
        if (b.dx) k.maxPool2dBackward(b.dx, b.dy, b.saved, d);
      },
      backwardThrough: (activation) => {
        if (activation !== "relu" || windowsOverlap(d)) return undefined; // a pixel in two windows: its gradient is a sum first
        const fused = { ...d, accumulate: false }; // sets dx: the Plan skips clearing it
        return (b) => {
          if (b.dx) k.maxPool2dReluBackward(b.dx, b.dy, b.saved, b.x, fused);
        };
      },
    };
  }

  /** [values, indices] as `maxPool2d(x, kernelSize, { ...options, returnIndices: true })`: PyTorch's `return_indices=True` call. */
  forwardWithIndices(x: Tensor): [Tensor, Tensor] {
    checkArity("MaxPool2d.forwardWithIndices", arguments, ["input"]);
    return maxPool2d(x, this.kernelSize, { ...this.options, returnIndices: true });
  }
}

/** Adaptive average pooling layer, like `nn.AdaptiveAvgPool2d`: any H×W in, outputSize out (null keeps that input size). */
export class AdaptiveAvgPool2d extends StepLayer {
  /**
   * @param outputSize P×Q, one number or [height, width]; a null entry keeps that input size. 1 is global average pooling.
   */
  constructor(readonly outputSize: AdaptiveSize) {
    super("AdaptiveAvgPool2d", "adaptiveAvgPool2d");
    checkArity("AdaptiveAvgPool2d", arguments, ["outputSize"]);
    adaptiveAvgPool2dDims("AdaptiveAvgPool2d", [1, 1, 1, 1], outputSize); // refuses a bad outputSize when built
  }

  /** y (N, C, P, Q) = adaptive window means of x (N, C, H, W), or unbatched; see docs/avgpool2d.md. */
  override step(inputShape: readonly number[], k: Kernels): LayerStep {
    const d = adaptiveAvgPool2dDims(this.op, inputShape, this.outputSize);
    return {
      outputShape: inputShape.length === 3 ? [d.C, d.P, d.Q] : [d.N, d.C, d.P, d.Q],
      perExample: true,
      forward: (b) => k.adaptiveAvgPool2dForward(b.y, b.x, d),
      backward: (b) => {
        if (b.dx) k.adaptiveAvgPool2dBackward(b.dx, b.dy, d);
      },
    };
  }

  protected override extraRepr(): string {
    return `outputSize=${JSON.stringify(this.outputSize)}`;
  }
}

/**
 * Max unpooling layer, like `nn.MaxUnpool2d`: `forward(x, indices)` with the indices of a
 * `MaxPool2d.forwardWithIndices` (or `maxPool2d(..., { returnIndices: true })`). It takes two inputs, so a
 * Sequential or a Plan cannot run it; call it yourself.
 */
export class MaxUnpool2d extends Module {
  /** The pooling's stride (default: the kernel size) and padding (default 0). */
  readonly options: Omit<MaxUnpool2dOptions, "outputSize">;

  /**
   * @param kernelSize the pooling's window size, one number or [height, width].
   * @param options the pooling's stride and padding.
   */
  constructor(readonly kernelSize: Size2, options: Omit<MaxUnpool2dOptions, "outputSize"> = {}) {
    super("MaxUnpool2d");
    checkArity("MaxUnpool2d", arguments, ["kernelSize", "options"]);
    this.options = checkOptionKeys("MaxUnpool2d", options, ["stride", "padding"]);
    poolWindow("MaxUnpool2d", kernelSize, { stride: options.stride, padding: options.padding });
  }

  /** y (N, C, H, W): each value of x (N, C, P, Q) at the position indices names, zeros elsewhere; outputSize as `maxUnpool2d`. */
  override forward(x: Tensor, indices?: Tensor, outputSize?: readonly number[]): Tensor {
    checkArity("MaxUnpool2d.forward", arguments, ["input", "indices", "outputSize"]);
    if (indices === undefined) throw new TorchletError("MaxUnpool2d.forward", "INVALID_ARGUMENT", "takes the indices of the max pooling as its second argument: forward(x, indices)");
    return maxUnpool2d(x, indices, this.kernelSize, { ...this.options, ...(outputSize === undefined ? {} : { outputSize }) });
  }

  protected override extraRepr(): string {
    return `kernelSize=${JSON.stringify(this.kernelSize)}, stride=${JSON.stringify(this.options.stride ?? this.kernelSize)}`;
  }
}
