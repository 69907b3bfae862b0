// pad2d — pads the last two dimensions (height, width), as torch.nn.functional.pad
// does with a 4-element pad: what nn.Conv2d runs before convolving when its
// paddingMode is not "zeros".
//
// Legend: M planes (the product of all leading dimensions, N·C for (N, C, H, W)),
//         H×W input, top/bottom/left/right the rows and columns added, Ho×Wo output:
//         Ho = top + H + bottom, Wo = left + W + right.
//
//   y[m, i, j] = x[m, src(i − top, H), src(j − left, W)]     (value where src gives none)
//
// where src(t, size) is the input index output offset t reads (t < 0 or t ≥ size lie in the padding):
//   constant   t itself inside, none outside (y = value)                   a b c | ·
//   reflect    mirrored about the edge, the edge once: −1 → 1, size → size − 2   … b | a b c | b …
//   replicate  clamped to the edge: −1 → 0, size → size − 1                … a | a b c | c …
//   circular   wrapped around: −1 → size − 1, size → 0                      … c | a b c | a …
// Each output reads one input (or none), so the backward sends dy back to
// that input, adding where several outputs read the same one (the edges).
// The wasm twin (src/wasm/pad2d.ts) copies each input row whole and runs only the borders through src(t, size).
// Walk-through: docs/conv2d.md (Dilation, groups, "same" padding and padding modes).

import { TorchletError, allocFloat32, checkArity, checkChoice, checkFinite, checkInt, checkOptionKeys, checkShape, formatShape } from "../errors.js";
import { Tensor, expectTensor, record } from "../tensor/tensor.js";
import { activeBackend, kernel } from "../backend/dispatch.js";

/** How pad2d fills the border, as F.pad's modes. */
export type PadMode = "constant" | "reflect" | "replicate" | "circular";

/** The pad2d modes. */
export const PAD_MODES: readonly PadMode[] = ["constant", "reflect", "replicate", "circular"];

/** Geometry of one pad2d. */
export interface Pad2dDims {
  /** Planes: the product of the leading dimensions. */
  M: number;
  /** Input height. */
  H: number;
  /** Input width. */
  W: number;
  /** Rows added above. */
  top: number;
  /** Rows added below. */
  bottom: number;
  /** Columns added on the left. */
  left: number;
  /** Columns added on the right. */
  right: number;
  /** How the border is filled. */
  mode: PadMode;
  /** The constant mode's fill value (0 for the other modes). */
  value: number;
}

/** The input index output offset t reads in a dimension of `size` (t < 0 or t ≥ size: the padding), or −1 for the fill value. */
function source(t: number, size: number, mode: PadMode): number {
  if (t >= 0 && t < size) return t;
  switch (mode) {
    case "constant":
      return -1;
    case "reflect":
      return t < 0 ? -t : 2 * (size - 1) - t;
    case "replicate":
      return t < 0 ? 0 : size - 1;
    case "circular":
      return ((t % size) + size) % size;
  }
}

/** y (M, Ho, Wo) = x (M, H, W) with its border filled by `d.mode`. Overwrites y. Never allocates. */
export function pad2dForward(y: Float32Array, x: Float32Array, d: Pad2dDims): void {
  const { M, H, W, top, bottom, left, right, mode, value } = d;
  const Ho = top + H + bottom, Wo = left + W + right;
  for (let m = 0; m < M; m++) {
    for (let i = 0; i < Ho; i++) {
      const h = source(i - top, H, mode);
      const out = (m * Ho + i) * Wo; // y[m, i, 0]
      for (let j = 0; j < Wo; j++) {
        const w = source(j - left, W, mode);
        y[out + j] = h < 0 || w < 0 ? value : x[(m * H + h) * W + w]!;
      }
    }
  }
}

/** dx (M, H, W) += dy (M, Ho, Wo) sent back to the inputs each output read. Accumulates. Never allocates. */
export function pad2dBackward(dx: Float32Array, dy: Float32Array, d: Pad2dDims): void {
  const { M, H, W, top, bottom, left, right, mode } = d;
  const Ho = top + H + bottom, Wo = left + W + right;
  for (let m = 0; m < M; m++) {
    for (let i = 0; i < Ho; i++) {
      const h = source(i - top, H, mode);
      if (h < 0) continue; // a row of fill values: no input to return to
      const out = (m * Ho + i) * Wo;
      // ∂y[m,i,j]/∂x[m,h,w] = 1 for the one (h, w) that y[m,i,j] copies
      for (let j = 0; j < Wo; j++) {
        const w = source(j - left, W, mode);
        if (w >= 0) dx[(m * H + h) * W + w] += dy[out + j]!;
      }
    }
  }
}

/** Options of {@link pad2d}, as F.pad's. */
export interface Pad2dOptions {
  /** How the border is filled (default "constant"). */
  mode?: PadMode;
  /** The constant mode's fill value (default 0). */
  value?: number;
}

/** The keys of {@link Pad2dOptions}. */
export const PAD2D_OPTIONS: readonly string[] = ["mode", "value"];

/** [left, right, top, bottom], F.pad's order for the last two dimensions, or one number for all four. */
export type Pad2dPadding = number | readonly [number, number, number, number];

/**
 * Validates pad2d's arguments and returns its geometry. Reflect needs each pad < the size it mirrors, circular ≤ it
 * (PyTorch's limits); padding is ≥ 0 (PyTorch's negative pads, which crop, are refused).
 * @throws TorchletError naming the bad padding, mode or shape.
 */
export function pad2dDims(op: string, xShape: readonly number[], padding: Pad2dPadding, mode: PadMode, value = 0): Pad2dDims {
  if (xShape.length < 2) throw new TorchletError(op, "SHAPE_MISMATCH", `input must have at least 2 dimensions (…, H, W) to pad, got shape ${formatShape(xShape)}`);
  if (Array.isArray(padding) && padding.length !== 4) {
    throw new TorchletError(op, "INVALID_ARGUMENT", `padding must be a number or [left, right, top, bottom], got an array of length ${padding.length}`);
  }
  const four = typeof padding === "number" ? [padding, padding, padding, padding] : (padding as readonly unknown[]);
  const [left, right, top, bottom] = four.map((p, i) => checkInt(op, `padding[${i}]`, p, 0)) as [number, number, number, number];
  const H = xShape[xShape.length - 2]!, W = xShape[xShape.length - 1]!;
  const M = xShape.slice(0, -2).reduce((a, b) => a * b, 1);
  const d = { M, H, W, top, bottom, left, right, mode, value };
  const problem = padProblem(d);
  if (problem !== null) throw new TorchletError(op, "INVALID_ARGUMENT", `${problem} (input ${formatShape(xShape)})`);
  return d;
}

/**
 * What is wrong with pads and a fill value that are each valid but do not suit the mode, or null: reflect needs
 * each pad < the size it mirrors, circular ≤ it (PyTorch's limits), and only "constant" takes a value other than 0.
 * pad2dDims and the raw kernels' entry checks (src/ops/kernels/pad.ts) both ask it.
 */
export function padProblem(d: Pad2dDims): string | null {
  const { H, W, top, bottom, left, right, mode, value } = d;
  const limit = mode === "reflect" ? "smaller than" : "at most";
  for (const [pad, size, side] of [[top, H, "top"], [bottom, H, "bottom"], [left, W, "left"], [right, W, "right"]] as const) {
    if ((mode === "reflect" && pad >= size) || (mode === "circular" && pad > size)) {
      return `${mode} padding ${side} ${pad} must be ${limit} the input's ${side === "top" || side === "bottom" ? "height" : "width"} ${size}`;
    }
  }
  return mode !== "constant" && value !== 0 ? `value ${value} is for mode "constant" only, got mode "${mode}"` : null;
}

/**
 * Pads the last two dimensions of x, as `F.pad(x, [left, right, top, bottom], mode, value)`.
 * @throws TorchletError on a bad padding, mode or value, or a pad too large for reflect/circular.
 * @example pad2d(x, [1, 1, 2, 2], { mode: "reflect" }) // (N, C, H, W) → (N, C, H + 4, W + 2)
 */
export function pad2d(x: Tensor, padding: Pad2dPadding, options: Pad2dOptions = {}): Tensor {
  checkArity("pad2d", arguments, ["input", "padding", "options"]);
  expectTensor("pad2d", "input", x);
  checkOptionKeys("pad2d", options, PAD2D_OPTIONS);
  const mode = checkChoice("pad2d", "mode", options.mode ?? "constant", PAD_MODES);
  const d = pad2dDims("pad2d", x.shape, padding, mode, checkFinite("pad2d", "value", options.value ?? 0));
  const outputShape = [...x.shape.slice(0, -2), d.top + d.H + d.bottom, d.left + d.W + d.right];
  const y = allocFloat32("pad2d", checkShape("pad2d", outputShape, "output shape"));
  const backend = activeBackend(); // one backend for the forward and its backward
  kernel(pad2dForward, backend)(y, x.data, d);
  return record("pad2d", y, outputShape, [x], (dy, [dx]) => {
    if (dx) kernel(pad2dBackward, backend)(dx, dy, d);
  });
}
