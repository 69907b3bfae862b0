// Entry-checked pad2d (see src/ops/kernels.ts).

import * as pad from "../pad2d.js";
import { checkedKernel, type ArrayArg, type DimsArg } from "../kernel-checks.js";

// What pad2dDims would refuse in dims built by hand: an unknown mode or a fill value that is not a finite
// number, then pads too large for the mode or a value outside "constant" (padProblem).
function padDimsProblem(d: pad.Pad2dDims): string | null {
  if (!pad.PAD_MODES.includes(d.mode)) return `mode must be one of ${pad.PAD_MODES.map((m) => `"${m}"`).join(", ")}, got ${JSON.stringify(d.mode)}`;
  if (typeof d.value !== "number" || !Number.isFinite(d.value)) return `value must be a finite number, got ${String(d.value)}`;
  return pad.padProblem(d);
}

const padArg: DimsArg<pad.Pad2dDims> = {
  name: "d", role: "dims", integers: { M: 0, H: 0, W: 0, top: 0, bottom: 0, left: 0, right: 0 }, consistent: padDimsProblem,
};
const input = (name: string, role: "out" | "in"): ArrayArg<pad.Pad2dDims> => ({ name, role, length: { text: "M·H·W", of: (d) => d.M * d.H * d.W } });
const padded = (name: string, role: "out" | "in"): ArrayArg<pad.Pad2dDims> =>
  ({ name, role, length: { text: "M·(top + H + bottom)·(left + W + right)", of: (d) => d.M * (d.top + d.H + d.bottom) * (d.left + d.W + d.right) } });

/** y (M, Ho, Wo) = x (M, H, W) with its border filled by d.mode. @function */
export const pad2dForward = checkedKernel("pad2dForward", pad.pad2dForward, { args: [padded("y", "out"), input("x", "in"), padArg] });
/** dx (M, H, W) += dy sent back to the input each output copied. @function */
export const pad2dBackward = checkedKernel("pad2dBackward", pad.pad2dBackward, { args: [input("dx", "out"), padded("dy", "in"), padArg] });
