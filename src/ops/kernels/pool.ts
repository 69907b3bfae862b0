// Entry-checked pooling kernels (see src/ops/kernels.ts).

import * as avg from "../avgpool2d.js";
import * as max from "../maxpool2d.js";
import * as unpool from "../maxunpool2d.js";
import * as adaptive from "../adaptive-avgpool2d.js";
import { describe } from "../../errors.js";
import { checkedKernel, firstOutside, type ArrayArg, type DimsArg } from "../kernel-checks.js";
import { windowsOverlap, type Pool2dDims, type WindowDims } from "../window.js";
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
// The same window, with the activation before it; the fused backward needs windows that do not overlap.
const activationPoolArg: DimsArg<avg.ActivationPool2dDims> = {
  ...(poolArg as DimsArg<avg.ActivationPool2dDims>),
  flags: ["accumulate"],
  consistent: (d) => {
    if (!(avg.OUTPUT_ACTIVATIONS as readonly unknown[]).includes(d.activation)) return `activation must be ${avg.OUTPUT_ACTIVATIONS.map((a) => `"${a}"`).join(" or ")}, got ${describe(d.activation)}`;
    if (windowsOverlap(d)) return `the windows overlap (stride ${d.strideH}×${d.strideW} < kernel ${d.kH}×${d.kW}); use avgPool2dBackward, then the activation's backward`;
    return poolArg.consistent!(d);
  },
};
/** dx += ∂L/∂x (or dx = it: d.accumulate false) through a sigmoid or tanh (y, its output) and the average pool after it, in one pass. @function */
export const avgPool2dActivationBackward = checkedKernel("avgPool2dActivationBackward", avg.avgPool2dActivationBackward, {
  args: [xNCHW("dx", "out"), yNCPQ("dy", "in"), xNCHW("y", "in"), activationPoolArg],
});
/** y (N, C, P, Q) = the max of each window of x; argmax records where it came from. @function */
export const maxPool2dForward = checkedKernel("maxPool2dForward", max.maxPool2dForward, {
  args: [yNCPQ("y", "out"), { ...yNCPQ<WindowDims>("argmax", "out"), int32: true }, xNCHW("x", "in"), windowArg],
});
/** dx[plane, argmax[i]] += dy[i], argmax a position in its plane. @function */
export const maxPool2dBackward = checkedKernel("maxPool2dBackward", max.maxPool2dBackward, {
  args: [xNCHW("dx", "out"), yNCPQ("dy", "in"), { ...yNCPQ<WindowDims>("argmax", "in"), int32: true }, windowArg],
  contents: ({ argmax }, d) => firstOutside(argmax as Int32Array, d.H * d.W, "argmax"),
});
// The same window and whether to add into dx; the fused backward needs windows that do not overlap.
const reluPoolArg: DimsArg<max.ReluPool2dDims> = {
  ...(windowArg as DimsArg<max.ReluPool2dDims>),
  flags: ["accumulate"],
  consistent: (d) => {
    if (windowsOverlap(d)) return `the windows overlap (stride ${d.strideH}×${d.strideW} < span ${(d.kH - 1) * d.dilationH + 1}×${(d.kW - 1) * d.dilationW + 1}); use maxPool2dBackward, then reluBackward`;
    return windowArg.consistent!(d);
  },
};
/** dx += ∂L/∂x (or dx = it: d.accumulate false) through a relu (y, its output) and the max pool after it, in one pass. @function */
export const maxPool2dReluBackward = checkedKernel("maxPool2dReluBackward", max.maxPool2dReluBackward, {
  args: [xNCHW("dx", "out"), yNCPQ("dy", "in"), { ...yNCPQ<WindowDims>("argmax", "in"), int32: true }, xNCHW("y", "in"), reluPoolArg],
  contents: ({ argmax }, d) => firstOutside(argmax as Int32Array, d.H * d.W, "argmax"),
});

const unpoolArg: DimsArg<unpool.MaxUnpool2dDims> = { name: "d", role: "dims", integers: { planes: 0, inputs: 0, outputs: 1 } };
const unpoolArray = (name: string, role: "out" | "in", which: "inputs" | "outputs", int32?: true): ArrayArg<unpool.MaxUnpool2dDims> =>
  ({ name, role, length: { text: `planes·${which}`, of: (d) => d.planes * d[which] }, int32 });
const positionsInPlane = ({ indices }: Record<string, unknown>, d: unpool.MaxUnpool2dDims) => firstOutside(indices as Int32Array, d.outputs, "indices");
/** y (planes, outputs) = x (planes, inputs) placed at each plane's indices, zero elsewhere. @function */
export const maxUnpool2dForward = checkedKernel("maxUnpool2dForward", unpool.maxUnpool2dForward, {
  args: [unpoolArray("y", "out", "outputs"), unpoolArray("x", "in", "inputs"), unpoolArray("indices", "in", "inputs", true), unpoolArg], contents: positionsInPlane,
});
/** dx (planes, inputs) += dy gathered from where each input went. @function */
export const maxUnpool2dBackward = checkedKernel("maxUnpool2dBackward", unpool.maxUnpool2dBackward, {
  args: [unpoolArray("dx", "out", "inputs"), unpoolArray("dy", "in", "outputs"), unpoolArray("indices", "in", "inputs", true), unpoolArg], contents: positionsInPlane,
});

const adaptiveArg: DimsArg<adaptive.AdaptiveAvgPool2dDims> = { name: "d", role: "dims", integers: { N: 0, C: 0, H: 1, W: 1, P: 0, Q: 0 } };
const adaptiveArray = (name: string, role: "out" | "in", which: "x" | "y"): ArrayArg<adaptive.AdaptiveAvgPool2dDims> =>
  (which === "x" ? { name, role, length: { text: "N·C·H·W", of: (d) => d.N * d.C * d.H * d.W } } : { name, role, length: { text: "N·C·P·Q", of: (d) => d.N * d.C * d.P * d.Q } });
/** y (N, C, P, Q) = the mean of each adaptive window of x (N, C, H, W). @function */
export const adaptiveAvgPool2dForward = checkedKernel("adaptiveAvgPool2dForward", adaptive.adaptiveAvgPool2dForward, {
  args: [adaptiveArray("y", "out", "y"), adaptiveArray("x", "in", "x"), adaptiveArg],
});
/** dx (N, C, H, W) += dy spread evenly over each adaptive window. @function */
export const adaptiveAvgPool2dBackward = checkedKernel("adaptiveAvgPool2dBackward", adaptive.adaptiveAvgPool2dBackward, {
  args: [adaptiveArray("dx", "out", "x"), adaptiveArray("dy", "in", "y"), adaptiveArg],
});
