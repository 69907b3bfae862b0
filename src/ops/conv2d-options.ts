// conv2d's options, read by PyTorch's rules into a Conv2dDims (src/ops/conv2d.ts).
//
// Legend: N batch, C in-channels, K out-channels, G groups, H×W input, kH×kW kernel,
//         sH×sW stride, dH×dW dilation, P×Q output.
//
//   padding  a number or [height, width] (zeros on both sides), "valid" (= 0), or
//            "same": stride 1 only, total = d·(k − 1) zeros per dimension, ⌊total/2⌋
//            before and the rest after (PyTorch puts the odd one at the bottom/right),
//            so P×Q = H×W. im2col needs only the padding before (padH, padW) and P×Q:
//            a window reaching into the padding after reads zeros either way.
//   groups   C and K divisible by G; weight (K, C/G, kH, kW).
//   input    (N, C, H, W), or unbatched (C, H, W): run as N = 1, output (K, P, Q).
// Walk-through: docs/conv2d.md (Dilation, groups, "same" padding and padding modes).

import { TorchletError, checkInt, checkShape, closestName, formatShape } from "../errors.js";
import { pair, windowDims, type Size2, type WindowDims } from "./window.js";

/** Geometry of one conv2d: the sliding window plus K, the number of output channels, and the groups. */
export interface Conv2dDims extends WindowDims {
  /** Output channels (filters). */
  K: number;
  /** Groups G: filter k sees only the Cg = C/G input channels of its group ⌊k / (K/G)⌋. 1: all of them. */
  groups: number;
}

/** conv2d's padding: zeros on each side (one number or [height, width]), or PyTorch's "same" / "valid". */
export type Conv2dPadding = Size2 | "same" | "valid";

/** Options of {@link conv2d}, as in `torch.nn.functional.conv2d`. */
export interface Conv2dOptions {
  /** Step between windows, one number or [height, width]. Default 1. */
  stride?: Size2;
  /** Zero padding on each side, one number or [height, width]; "valid" (none) or "same" (output size = input size, stride 1). Default 0. */
  padding?: Conv2dPadding;
  /** Spacing of the kernel's taps, one number or [height, width]. Default 1. */
  dilation?: Size2;
  /** Split the channels into this many groups, each convolved with its own K/groups filters. Default 1. */
  groups?: number;
}

/** The keys of {@link Conv2dOptions}. */
export const CONV2D_OPTIONS: readonly string[] = ["stride", "padding", "dilation", "groups"];

/** conv2d options PyTorch has and torchlet does not implement yet: none left. */
export const CONV2D_OPTIONS_NOT_YET: readonly string[] = [];

/** Zeros added before and after each spatial dimension: [top, bottom, left, right]. */
export type Pads4 = [number, number, number, number];

/**
 * The padding a conv2d `padding` option means for this kernel, stride and dilation, as [top, bottom, left, right].
 * @throws TorchletError on "same" with a stride other than 1, or an unknown padding string.
 */
export function convPads(op: string, padding: Conv2dPadding, kernel: readonly [number, number], stride: readonly [number, number], dilation: readonly [number, number]): Pads4 {
  if (typeof padding !== "string") {
    const [pH, pW] = pair(op, "padding", padding, 0);
    return [pH, pH, pW, pW];
  }
  if (padding !== "same" && padding !== "valid") {
    const guess = closestName(padding, ["same", "valid"]);
    throw new TorchletError(op, "INVALID_ARGUMENT", `padding must be a number or [height, width], got ${JSON.stringify(padding)} (or the string "same" or "valid")${guess === undefined ? "" : `; did you mean ${JSON.stringify(guess)}?`}`);
  }
  if (padding === "valid") return [0, 0, 0, 0];
  if (stride[0] !== 1 || stride[1] !== 1) {
    throw new TorchletError(op, "INVALID_ARGUMENT", `padding "same" needs stride 1, as in PyTorch (got stride ${stride[0]}×${stride[1]}); give the padding as numbers instead`);
  }
  const totalH = dilation[0] * (kernel[0] - 1), totalW = dilation[1] * (kernel[1] - 1);
  const top = Math.floor(totalH / 2), left = Math.floor(totalW / 2);
  return [top, totalH - top, left, totalW - left];
}

// The weight, the groups and the bias against the input's channels.
function checkChannels(xShape: readonly number[], wShape: readonly number[], bShape: readonly number[] | null, groups: number): void {
  const shapes = `(input ${formatShape(xShape)}, weight ${formatShape(wShape)})`;
  const [K, Cg, kH, kW] = wShape as [number, number, number, number];
  const C = xShape[xShape.length - 3]!;
  if (K < 1 || Cg < 1 || kH < 1 || kW < 1) {
    throw new TorchletError("conv2d", "SHAPE_MISMATCH", `weight dimensions must all be ≥ 1, got ${formatShape(wShape)}`);
  }
  if (C % groups !== 0) throw new TorchletError("conv2d", "INVALID_ARGUMENT", `input channels ${C} must be divisible by groups ${groups} ${shapes}`);
  if (K % groups !== 0) throw new TorchletError("conv2d", "INVALID_ARGUMENT", `output channels ${K} (the weight's first dimension) must be divisible by groups ${groups} ${shapes}`);
  if (C !== Cg * groups) {
    const expects = groups === 1 ? `${Cg}` : `${Cg * groups} (${Cg} per group × ${groups} groups)`;
    throw new TorchletError("conv2d", "SHAPE_MISMATCH", `input has ${C} channels but weight expects ${expects} ${shapes}`);
  }
  if (bShape !== null && (bShape.length !== 1 || bShape[0] !== K)) {
    throw new TorchletError("conv2d", "SHAPE_MISMATCH", `bias must have shape [${K}] (one per output channel), got ${formatShape(bShape)}`);
  }
}

/**
 * Validates conv2d's arguments and returns its geometry (an unbatched (C, H, W) input counts as N = 1).
 * @throws TorchletError naming the mismatched shapes or bad options.
 */
export function conv2dDims(xShape: readonly number[], wShape: readonly number[], bShape: readonly number[] | null, options: Conv2dOptions = {}): Conv2dDims {
  if (wShape.length !== 4) {
    throw new TorchletError("conv2d", "SHAPE_MISMATCH", `weight must be 4-D (K, C/groups, kH, kW), got shape ${formatShape(wShape)}`);
  }
  if (xShape.length !== 4 && xShape.length !== 3) {
    throw new TorchletError("conv2d", "SHAPE_MISMATCH", `input must be 4-D (N, C, H, W) or 3-D (C, H, W), got shape ${formatShape(xShape)}`);
  }
  const groups = checkInt("conv2d", "groups", options.groups ?? 1, 1);
  checkChannels(xShape, wShape, bShape, groups);
  const [K, Cg, kH, kW] = wShape as [number, number, number, number];
  const stride = pair("conv2d", "stride", options.stride ?? 1, 1);
  const dilation = pair("conv2d", "dilation", options.dilation ?? 1, 1);
  const [top, bottom, left, right] = convPads("conv2d", options.padding ?? 0, [kH, kW], stride, dilation);
  const batched = xShape.length === 4 ? xShape : [1, ...xShape];
  // Checked with the padding after (the larger side for "same"); only the padding before moves the windows.
  const window = windowDims("conv2d", batched, { kernelSize: [kH, kW], stride, padding: [bottom, right], dilation });
  const P = Math.floor((window.H + top + bottom - dilation[0] * (kH - 1) - 1) / stride[0]) + 1;
  const Q = Math.floor((window.W + left + right - dilation[1] * (kW - 1) - 1) / stride[1]) + 1;
  // Named refusals before anything is allocated: huge padding makes both the output and the im2col scratch explode.
  checkShape("conv2d", [window.N, K, P, Q], "output shape");
  checkShape("conv2d", [Cg * groups * kH * kW, P * Q], "im2col columns");
  return { ...window, padH: top, padW: left, P, Q, K, groups };
}

/** conv2d's output shape: (N, K, P, Q), or (K, P, Q) for an unbatched (C, H, W) input. */
export function conv2dOutputShape(xShape: readonly number[], d: Conv2dDims): number[] {
  return xShape.length === 3 ? [d.K, d.P, d.Q] : [d.N, d.K, d.P, d.Q];
}
