// Entry-checked pooling kernels (see src/ops/kernels.ts).

import * as avg from "../avgpool2d.js";
import * as max from "../maxpool2d.js";
import { anyLength, checkedKernel, firstOutside, sameAs, type DimsArg } from "../kernel-checks.js";
import type { Pool2dDims, WindowDims } from "../window.js";
import { WINDOW_FIELDS, windowArg, windowProblem, xNCHW, yNCPQ } from "./window.js";

// avgPool2d's window plus its divisor rule: countIncludePad 0 or 1, divisorOverride 0 (none) or the divisor.
const poolArg: DimsArg<Pool2dDims> = {
  name: "d", role: "dims", integers: { ...WINDOW_FIELDS, countIncludePad: 0, divisorOverride: 0 },
  consistent: (d) => (d.countIncludePad > 1 ? `countIncludePad must be 0 or 1, got ${d.countIncludePad}` : windowProblem(d)),
};

/** y (N, C, P, Q) = the mean of each window of x. @function */
export const avgPool2dForward = checkedKernel("avgPool2dForward", avg.avgPool2dForward, { args: [yNCPQ("y", "out"), xNCHW("x", "in"), poolArg] });
/** dx += avgPool2d's gradient. @function */
export const avgPool2dBackward = checkedKernel("avgPool2dBackward", avg.avgPool2dBackward, { args: [xNCHW("dx", "out"), yNCPQ("dy", "in"), poolArg] });
/** y (N, C, P, Q) = the max of each window of x; argmax records where it came from. @function */
export const maxPool2dForward = checkedKernel("maxPool2dForward", max.maxPool2dForward, {
  args: [yNCPQ("y", "out"), { ...yNCPQ<WindowDims>("argmax", "out"), int32: true }, xNCHW("x", "in"), windowArg],
});
/** dx[argmax[i]] += dy[i]. @function */
export const maxPool2dBackward = checkedKernel("maxPool2dBackward", max.maxPool2dBackward, {
  args: [anyLength("dx", "out"), anyLength("dy", "in"), { ...sameAs("argmax", "in", "dy"), int32: true }],
  contents: ({ dx, argmax }) => firstOutside(argmax as Int32Array, (dx as Float32Array).length, "argmax"),
});
