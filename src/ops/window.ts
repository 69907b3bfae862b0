// Sliding-window geometry shared by conv2d, avgPool2d and maxPool2d (and im2col),
// and the pooling ops' own rules for their options (poolWindow, pool2dDims).
//
// Legend: N batch, C channels, H×W input, kH×kW window, P×Q output.
// A window of size k with stride s over an input of size H padded by p on
// both sides, its taps spread d apart (dilation: the window spans d·(k − 1) + 1),
// fits ⌊(H + 2p − d·(k − 1) − 1) / s⌋ + 1 times: PyTorch's output-size formula
// (floor mode). Pooling's ceil mode rounds up instead, keeping a last partial
// window only when it starts inside the input or its left padding (PyTorch's
// rule). Walk-through: docs/im2col.md (Geometry)

import { MAX_ELEMENTS, TorchletError, checkInt, checkShape, describe, formatShape, checkOptionKeys } from "../errors.js";

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
  /** Output height: ⌊(H + 2·padH − dilationH·(kH − 1) − 1) / strideH⌋ + 1, rounded up in ceil mode ({@link windowCount}). */
  P: number;
  /** Output width: ⌊(W + 2·padW − dilationW·(kW − 1) − 1) / strideW⌋ + 1, likewise. */
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
  /** Round the output size up (pooling's ceil_mode), keeping a last partial window. Default false. */
  ceilMode?: boolean;
}

/**
 * How many windows fit along one dimension: PyTorch's pooling_output_shape. Floor mode is
 * ⌊(size + 2·pad − span) / stride⌋ + 1; ceil mode rounds up, then drops a last window that
 * would start past the input and its left padding (it would hold right padding only).
 */
export function windowCount(size: number, pad: number, span: number, stride: number, ceilMode: boolean): number {
  const room = size + 2 * pad - span; // how far the window can slide
  let count = Math.floor((room + (ceilMode ? stride - 1 : 0)) / stride) + 1;
  if (ceilMode && (count - 1) * stride >= size + pad) count--;
  return count;
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
  const ceilMode = options.ceilMode === true;
  const P = windowCount(H, padH, spanH, strideH, ceilMode), Q = windowCount(W, padW, spanW, strideW, ceilMode);
  if (P < 1 || Q < 1) { // floor mode: the window is larger than the padded input; ceil mode allows up to stride − 1 more
    const dilated = dilationH === 1 && dilationW === 1 ? "" : ` (dilated to ${spanH}×${spanW})`;
    throw new TorchletError(op, "SHAPE_MISMATCH", `kernel ${kH}×${kW}${dilated} is larger than the padded input ${H + 2 * padH}×${W + 2 * padW} (input ${formatShape(xShape)}, padding ${padH}×${padW}${ceilMode ? ", ceilMode" : ""})`);
  }
  return { N, C, H, W, kH, kW, strideH, strideW, padH, padW, dilationH, dilationW, P, Q };
}

/** Options both pooling ops take, as in `torch.nn.functional.avg_pool2d` / `max_pool2d`. */
export interface Pool2dOptions {
  /** Step between windows; defaults to the kernel size, like PyTorch. */
  stride?: Size2;
  /** Padding on each side, at most half the kernel size. Default 0. */
  padding?: Size2;
  /** Round the output size up, keeping a last partial window that starts inside the input or its left padding. Default false. */
  ceilMode?: boolean;
}

/** avgPool2d's options: {@link Pool2dOptions} and how each window's sum is divided. */
export interface AvgPool2dOptions extends Pool2dOptions {
  /** Divide by the window's size counting its padding (true, PyTorch's default) or by its real pixels only (false). */
  countIncludePad?: boolean;
  /** Divide every window's sum by this nonzero integer instead. Default null (the window's size). */
  divisorOverride?: number | null;
}

/** maxPool2d's options: {@link Pool2dOptions}, the spacing of the taps, and whether to return the indices too. */
export interface MaxPool2dOptions extends Pool2dOptions {
  /** Spacing of the window's taps (the window spans dilation·(kernel − 1) + 1). Default 1. */
  dilation?: Size2;
  /** Return [values, indices]: each maximum's flat position in its (H·W) plane. Default false. */
  returnIndices?: boolean;
}

/** The option keys of each pooling op, by its lower-case name (layers use the op's class name). */
const POOL2D_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  avgpool2d: ["stride", "padding", "ceilMode", "countIncludePad", "divisorOverride"],
  maxpool2d: ["stride", "padding", "ceilMode", "dilation", "returnIndices"],
};
/** Every pooling option: what a caller that is neither op (benchmarks, tests) may pass. */
const ANY_POOL2D_OPTION = [...new Set(Object.values(POOL2D_OPTIONS).flat())];

/**
 * True when a pixel can lie in two windows: a window spans (k − 1)·dilation + 1 pixels on an axis, more than the
 * stride. The pools' backwards fused with an activation (avgPool2dActivationBackward, maxPool2dReluBackward) need
 * every pixel in one window or none.
 */
export function windowsOverlap(d: WindowDims): boolean {
  return d.strideH < (d.kH - 1) * d.dilationH + 1 || d.strideW < (d.kW - 1) * d.dilationW + 1;
}

/** The geometry of a pooling op over x (N, C, H, W): the window, plus how avgPool2d divides each sum. */
export interface Pool2dDims extends WindowDims {
  /** avgPool2d: 1 to divide by the window's size including padding (clipped to the padded input), 0 for its real pixels only. */
  countIncludePad: number;
  /** avgPool2d: the divisor of every window when nonzero; 0 when each window's own size divides. */
  divisorOverride: number;
}

/** A pooling window read from its arguments: each option as [height, width] or a plain value. */
export interface PoolWindow {
  /** Window height and width. */
  kernel: [number, number];
  /** Vertical and horizontal step. */
  stride: [number, number];
  /** Padding above/below and left/right. */
  padding: [number, number];
  /** Spacing of the taps. */
  dilation: [number, number];
  /** Round the output size up. */
  ceilMode: boolean;
  /** avgPool2d's divisor rule (see {@link Pool2dDims}). */
  countIncludePad: boolean;
  /** avgPool2d's fixed divisor, or 0. */
  divisorOverride: number;
  /** maxPool2d: return the indices too. */
  returnIndices: boolean;
}

/** Reads an optional boolean option, refusing anything but true, false or undefined. */
function flag(op: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw new TorchletError(op, "INVALID_ARGUMENT", `${name} must be true or false, got ${describe(value)}`);
  return value;
}

/**
 * Validates a pooling window's arguments by PyTorch's rules (sizes ≥ 1, padding ≤ kernel/2, a nonzero
 * integer divisorOverride; stride defaults to the kernel) without an input: what the layers check when built.
 * @throws TorchletError naming the bad option, or an option the op does not take (with a did-you-mean).
 */
export function poolWindow(op: string, kernelSize: Size2, options: AvgPool2dOptions & MaxPool2dOptions): PoolWindow {
  options = checkOptionKeys(op, options, POOL2D_OPTIONS[op.toLowerCase()] ?? ANY_POOL2D_OPTION);
  const kernel = pair(op, "kernelSize", kernelSize, 1);
  const stride = options.stride === undefined || options.stride === null ? kernel : pair(op, "stride", options.stride, 1);
  const padding = pair(op, "padding", options.padding ?? 0, 0);
  const dilation = pair(op, "dilation", options.dilation ?? 1, 1);
  if (padding[0] * 2 > kernel[0] || padding[1] * 2 > kernel[1]) {
    throw new TorchletError(op, "INVALID_ARGUMENT", `padding ${padding[0]}×${padding[1]} must be at most half the kernel size ${kernel[0]}×${kernel[1]}`);
  }
  let divisorOverride = 0; // none: each window's own size divides
  if (options.divisorOverride !== undefined && options.divisorOverride !== null) {
    divisorOverride = checkInt(op, "divisorOverride", options.divisorOverride, -MAX_ELEMENTS);
    if (divisorOverride === 0) throw new TorchletError(op, "INVALID_ARGUMENT", "divisorOverride must be a nonzero integer (or null for the window's size), got 0");
  }
  return {
    kernel, stride, padding, dilation, divisorOverride,
    ceilMode: flag(op, "ceilMode", options.ceilMode, false),
    countIncludePad: flag(op, "countIncludePad", options.countIncludePad, true),
    returnIndices: flag(op, "returnIndices", options.returnIndices, false),
  };
}

/**
 * Validates a pooling op's arguments (see {@link poolWindow}) against an input (N, C, H, W), or an
 * unbatched (C, H, W) read as N = 1, and returns its geometry.
 * @throws TorchletError on an input that is not 3-D or 4-D, bad sizes, or a window that does not fit.
 */
export function pool2dDims(op: string, xShape: readonly number[], kernelSize: Size2, options: AvgPool2dOptions & MaxPool2dOptions): Pool2dDims {
  const w = poolWindow(op, kernelSize, options);
  if (xShape.length !== 3 && xShape.length !== 4) {
    throw new TorchletError(op, "SHAPE_MISMATCH", `input must be 3-D (C, H, W) or 4-D (N, C, H, W), got shape ${formatShape(xShape)}`);
  }
  const batched = xShape.length === 3 ? [1, ...xShape] : xShape;
  const d = windowDims(op, batched, { kernelSize: w.kernel, stride: w.stride, padding: w.padding, dilation: w.dilation, ceilMode: w.ceilMode });
  checkShape(op, [d.N, d.C, d.P, d.Q], "output shape"); // refused by name before anything is allocated
  checkEveryWindowHasATap(op, d);
  return { ...d, countIncludePad: w.countIncludePad ? 1 : 0, divisorOverride: w.divisorOverride };
}

/** The output shape of a pooling op: (N, C, P, Q), or (C, P, Q) for an unbatched input. */
export function pool2dOutputShape(xShape: readonly number[], d: WindowDims): number[] {
  return xShape.length === 3 ? [d.C, d.P, d.Q] : [d.N, d.C, d.P, d.Q];
}

// With dilation and padding, a window's taps can all fall in the padding (e.g. kernel 2, dilation 2,
// padding 1 over one pixel). PyTorch returns −∞ there with an index outside the plane; torchlet refuses.
// Without dilation every window holds a pixel (padding ≤ kernel/2, and ceil mode's last window starts
// before the input ends), so only dilated windows are looked at, in O(1) each.
function checkEveryWindowHasATap(op: string, d: WindowDims): void {
  const axes = [
    { name: "row", size: d.H, count: d.P, k: d.kH, stride: d.strideH, pad: d.padH, dilation: d.dilationH, extent: "height" },
    { name: "column", size: d.W, count: d.Q, k: d.kW, stride: d.strideW, pad: d.padW, dilation: d.dilationW, extent: "width" },
  ];
  for (const a of axes) {
    if (a.dilation === 1) continue;
    for (let i = 0; i < a.count; i++) {
      const start = i * a.stride - a.pad;
      const first = start >= 0 ? 0 : Math.ceil(-start / a.dilation); // the first tap at or right of 0
      if (first >= a.k || start + first * a.dilation >= a.size) {
        throw new TorchletError(op, "INVALID_ARGUMENT", `window ${a.name} ${i} has no tap inside the input (${a.extent} ${a.size}, kernel ${a.k}, dilation ${a.dilation}, padding ${a.pad}): every tap falls in the padding`);
      }
    }
  }
}
