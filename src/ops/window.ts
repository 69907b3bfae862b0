// Sliding-window geometry shared by conv2d, avgPool2d and maxPool2d (and im2col),
// and the pooling ops' own rules for their options (poolWindow, pool2dDims).
//
// Legend: N batch, C channels, H×W input, kH×kW window, P×Q output.
// A window of size k with stride s over an input of size H padded by p on
// both sides, its taps spread d apart (dilation: the window spans d·(k − 1) + 1),
// fits ⌊(H + 2p − d·(k − 1) − 1) / s⌋ + 1 times: PyTorch's output-size formula
// (floor mode). Walk-through: docs/im2col.md (Geometry)

import { TorchletError, checkInt, checkShape, describe, formatShape, checkOptionKeys } from "../errors.js";

/** Geometry of a sliding-window op over x (N, C, H, W) producing (N, ·, P, Q). */
export interface WindowDims {
  /** Batch size. */
  N: number;
  /** Channels of the input. */
  C: number;
  /** Input height. */
  H: number;
  /** Input width. */
  W: number;
  /** Window (kernel) height. */
  kH: number;
  /** Window (kernel) width. */
  kW: number;
  /** Vertical stride. */
  strideH: number;
  /** Horizontal stride. */
  strideW: number;
  /** Zero padding added above and below. */
  padH: number;
  /** Zero padding added left and right. */
  padW: number;
  /** Vertical spacing of the window's taps (1: adjacent rows). */
  dilationH: number;
  /** Horizontal spacing of the window's taps (1: adjacent columns). */
  dilationW: number;
  /** Output height: ⌊(H + 2·padH − dilationH·(kH − 1) − 1) / strideH⌋ + 1. */
  P: number;
  /** Output width: ⌊(W + 2·padW − dilationW·(kW − 1) − 1) / strideW⌋ + 1. */
  Q: number;
}

/** A size given as one number for both dimensions or as [height, width]. */
export type Size2 = number | readonly [number, number];

/** Options of a sliding-window op, as PyTorch spells them. */
export interface WindowOptions {
  /** Window size (required for pooling; conv2d takes it from the weight). */
  kernelSize: Size2;
  /** Step between windows. */
  stride: Size2;
  /** Zero padding on each side. */
  padding: Size2;
  /** Spacing of the window's taps. Default 1. */
  dilation?: Size2;
}

/** Reads a Size2 option as [height, width], each an integer ≥ min. */
export function pair(op: string, name: string, value: unknown, min: number): [number, number] {
  if (Array.isArray(value)) {
    if (value.length !== 2) {
      throw new TorchletError(op, "INVALID_ARGUMENT", `${name} must be a number or [height, width], got an array of length ${value.length}`);
    }
    return [checkInt(op, `${name}[0]`, value[0], min), checkInt(op, `${name}[1]`, value[1], min)];
  }
  if (typeof value !== "number") {
    throw new TorchletError(op, "INVALID_ARGUMENT", `${name} must be a number or [height, width], got ${describe(value)}`);
  }
  const v = checkInt(op, name, value, min);
  return [v, v];
}

/**
 * Validates a sliding window over an input of shape (N, C, H, W) and returns its geometry.
 * @throws TorchletError when x is not 4-D, an option is not a valid integer, or the window does not fit the padded input.
 */
export function windowDims(op: string, xShape: readonly number[], options: WindowOptions): WindowDims {
  if (xShape.length !== 4) {
    throw new TorchletError(op, "SHAPE_MISMATCH", `input must be 4-D (N, C, H, W), got shape ${formatShape(xShape)}`);
  }
  const [N, C, H, W] = xShape as [number, number, number, number];
  if (H < 1 || W < 1) {
    // As in PyTorch: only the batch may be empty. An empty plane would leave windows of padding alone (a max of −∞).
    throw new TorchletError(op, "SHAPE_MISMATCH", `input ${formatShape(xShape)} has an empty plane (height ${H}, width ${W}); height and width must be ≥ 1`);
  }
  const [kH, kW] = pair(op, "kernelSize", options.kernelSize, 1);
  const [strideH, strideW] = pair(op, "stride", options.stride, 1);
  const [padH, padW] = pair(op, "padding", options.padding, 0);
  const [dilationH, dilationW] = pair(op, "dilation", options.dilation ?? 1, 1);
  const spanH = dilationH * (kH - 1) + 1, spanW = dilationW * (kW - 1) + 1; // what the window covers
  if (H + 2 * padH < spanH || W + 2 * padW < spanW) {
    const dilated = dilationH === 1 && dilationW === 1 ? "" : ` (dilated to ${spanH}×${spanW})`;
    throw new TorchletError(op, "SHAPE_MISMATCH", `kernel ${kH}×${kW}${dilated} is larger than the padded input ${H + 2 * padH}×${W + 2 * padW} (input ${formatShape(xShape)}, padding ${padH}×${padW})`);
  }
  const P = Math.floor((H + 2 * padH - spanH) / strideH) + 1;
  const Q = Math.floor((W + 2 * padW - spanW) / strideW) + 1;
  return { N, C, H, W, kH, kW, strideH, strideW, padH, padW, dilationH, dilationW, P, Q };
}

/** Options of the pooling ops, as in `torch.nn.functional.avg_pool2d` / `max_pool2d`. */
export interface Pool2dOptions {
  /** Step between windows; defaults to the kernel size, like PyTorch. */
  stride?: Size2;
  /** Padding on each side, at most half the kernel size. Default 0. */
  padding?: Size2;
}

/** The keys of {@link Pool2dOptions}. */
export const POOL2D_OPTIONS: readonly string[] = ["stride", "padding"];

/** Pooling options PyTorch has and torchlet does not implement yet, by op (layers use the op's lower-case name). */
const POOL2D_OPTIONS_NOT_YET: Readonly<Record<string, readonly string[]>> = {
  avgpool2d: ["ceilMode", "countIncludePad", "divisorOverride"],
  maxpool2d: ["ceilMode", "dilation", "returnIndices"],
};

/** A pooling window read from its arguments: kernel, stride and padding as [height, width]. */
export interface PoolWindow {
  /** Window height and width. */
  kernel: [number, number];
  /** Vertical and horizontal step. */
  stride: [number, number];
  /** Padding above/below and left/right. */
  padding: [number, number];
}

/**
 * Validates a pooling window's arguments by PyTorch's rules (sizes ≥ 1, padding ≤ kernel/2;
 * stride defaults to the kernel) without an input: what the layers check when built.
 * @throws TorchletError naming the bad option.
 */
export function poolWindow(op: string, kernelSize: Size2, options: Pool2dOptions): PoolWindow {
  options = checkOptionKeys(op, options, POOL2D_OPTIONS, POOL2D_OPTIONS_NOT_YET[op.toLowerCase()]);
  const kernel = pair(op, "kernelSize", kernelSize, 1);
  const stride = options.stride === undefined || options.stride === null ? kernel : pair(op, "stride", options.stride, 1);
  const padding = pair(op, "padding", options.padding ?? 0, 0);
  if (padding[0] * 2 > kernel[0] || padding[1] * 2 > kernel[1]) {
    throw new TorchletError(op, "INVALID_ARGUMENT", `padding ${padding[0]}×${padding[1]} must be at most half the kernel size ${kernel[0]}×${kernel[1]}`);
  }
  return { kernel, stride, padding };
}

/**
 * Validates a pooling op's arguments (see {@link poolWindow}) against an input and returns its geometry.
 * @throws TorchletError on a non-4-D input, bad sizes, or a window that does not fit.
 */
export function pool2dDims(op: string, xShape: readonly number[], kernelSize: Size2, options: Pool2dOptions): WindowDims {
  const { kernel, stride, padding } = poolWindow(op, kernelSize, options);
  const d = windowDims(op, xShape, { kernelSize: kernel, stride, padding });
  checkShape(op, [d.N, d.C, d.P, d.Q], "output shape"); // refused by name before anything is allocated
  return d;
}
