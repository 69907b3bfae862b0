// The raw kernels: plain functions over Float32Arrays plus a dims object,
// outputs first, never allocating. `import { kernels } from "torchlet"`.
//
// Each kernel exported here is the one in src/ops/<op>.ts wrapped with its
// entry checks (src/ops/kernel-checks.ts): arrays must be Float32Arrays
// (Int32Array for labels and argmax positions) of exactly the length the dims
// give (scratch: at least), dims fields integers in range, and no output may
// share memory with another argument. The only exceptions, where an output may
// be the very same array as an input (in place), are the pointwise kernels:
//   addForward, subForward, mulForward   y = a or y = b
//   sigmoidForward, reluForward, tanhForward   y = x
//   axpy                                 dx = dy (dx += scale·dx)
// `kernels.unchecked(kernels.gemm)` (and so on) is the kernel without the
// checks, for a caller that checked its buffers once and calls it in a loop.

import * as conv from "./conv2d.js";
import * as gemmOps from "./gemm.js";
import * as cols from "./im2col.js";
import * as avg from "./avgpool2d.js";
import * as max from "./maxpool2d.js";
import * as sig from "./sigmoid.js";
import * as rel from "./relu.js";
import * as th from "./tanh.js";
import * as lin from "./linear.js";
import * as soft from "./softmax.js";
import * as xent from "./cross-entropy.js";
import * as ew from "./elementwise.js";
import { checkedKernel, type ArrayArg, type DimsArg, type KernelArg, type Length } from "./kernel-checks.js";
import type { WindowDims } from "./window.js";

export { windowDims, pool2dDims, poolWindow, type WindowDims, type PoolWindow } from "./window.js";
export { conv2dDims, conv2dColsLength, type Conv2dDims } from "./conv2d.js";
export type { GemmDims } from "./gemm.js";
export type { LinearDims } from "./linear.js";
export type { SoftmaxDims } from "./softmax.js";
export { unchecked } from "./kernel-checks.js";

// ---- argument descriptions shared by several kernels ------------------------

const out = <D>(name: string, text: string, of: (d: D) => number, nullable?: true): ArrayArg<D> => ({ name, role: "out", length: { text, of }, nullable });
const inp = <D>(name: string, text: string, of: (d: D) => number, nullable?: true): ArrayArg<D> => ({ name, role: "in", length: { text, of }, nullable });
const same = <D>(name: string, role: "out" | "in", as: string): ArrayArg<D> => ({ name, role, length: { same: as } });
const any = <D>(name: string, role: "out" | "in"): ArrayArg<D> => ({ name, role, length: "any" });

/** The output size a window gives: floor mode, or one more (ceil mode) when the pooling op allows it. */
function windowProblem(d: WindowDims, allowCeil: boolean): string | null {
  const size = (n: number, pad: number, k: number, dil: number, s: number) => Math.floor((n + 2 * pad - dil * (k - 1) - 1) / s) + 1;
  const P = size(d.H, d.padH, d.kH, d.dilationH, d.strideH), Q = size(d.W, d.padW, d.kW, d.dilationW, d.strideW);
  const fits = (got: number, floor: number) => got === floor || (allowCeil && got === floor + 1);
  if (P >= 1 && Q >= 1 && fits(d.P, P) && fits(d.Q, Q)) return null;
  return `P×Q = ${d.P}×${d.Q} is not the output size of this window (${P}×${Q}); build dims with windowDims or pool2dDims`;
}

const WINDOW_FIELDS = { N: 0, C: 1, H: 1, W: 1, kH: 1, kW: 1, strideH: 1, strideW: 1, padH: 0, padW: 0, dilationH: 1, dilationW: 1, P: 1, Q: 1 };
const windowArg = (allowCeil: boolean): DimsArg<WindowDims> => ({ name: "d", role: "dims", integers: WINDOW_FIELDS, consistent: (d) => windowProblem(d, allowCeil) });
const convArg: DimsArg<conv.Conv2dDims> = { name: "d", role: "dims", integers: { ...WINDOW_FIELDS, K: 1 }, consistent: (d) => windowProblem(d, false) };
const planes = (what: "x" | "y") => (d: WindowDims) => (what === "x" ? d.N * d.C * d.H * d.W : d.N * d.C * d.P * d.Q);
const xNCHW = <D extends WindowDims>(name: string, role: "out" | "in", nullable?: true): ArrayArg<D> =>
  ({ name, role, length: { text: "N·C·H·W", of: planes("x") }, nullable });
const yNCPQ = <D extends WindowDims>(name: string, role: "out" | "in"): ArrayArg<D> => ({ name, role, length: { text: "N·C·P·Q", of: planes("y") } });
const convY = (name: string, role: "out" | "in"): ArrayArg<conv.Conv2dDims> => ({ name, role, length: { text: "N·K·P·Q", of: (d) => d.N * d.K * d.P * d.Q } });
const convW = (name: string, role: "out" | "in", nullable?: true): ArrayArg<conv.Conv2dDims> =>
  ({ name, role, length: { text: "K·C·kH·kW", of: (d) => d.K * d.C * d.kH * d.kW }, nullable });
const convCols = (name: string): ArrayArg<conv.Conv2dDims> => ({ name, role: "scratch", length: { text: "conv2dColsLength(d)", of: conv.conv2dColsLength } });

// ---- gemm, im2col, conv2d ---------------------------------------------------

const gemmArgs: readonly KernelArg<gemmOps.GemmDims>[] = [
  out("c", "M·N", (d) => d.M * d.N),
  inp("a", "M·K", (d) => d.M * d.K),
  inp("b", "K·N", (d) => d.K * d.N),
  { name: "dims", role: "dims", integers: { M: 0, N: 0, K: 0 }, flags: ["transA", "transB", "accumulate"] },
];
/** C (M, N) (+)= op(A) · op(B), register-blocked. @function */
export const gemm = checkedKernel("gemm", gemmOps.gemm, { args: gemmArgs });
/** The three-loop reference gemm (float64 sums). @function */
export const gemmNaive = checkedKernel("gemmNaive", gemmOps.gemmNaive, { args: gemmArgs });

const colsArg = (name: string, role: "out" | "in"): ArrayArg<WindowDims> =>
  ({ name, role, length: { text: "C·kH·kW·N·P·Q", of: (d) => d.C * d.kH * d.kW * d.N * d.P * d.Q } });
/** cols (C·kH·kW, N·P·Q) = the receptive fields of x (N, C, H, W). @function */
export const im2col = checkedKernel("im2col", cols.im2col, { args: [colsArg("cols", "out"), xNCHW("x", "in"), windowArg(false)] });
/** dx (N, C, H, W) += col2im(dcols), im2col's adjoint. @function */
export const col2im = checkedKernel("col2im", cols.col2im, { args: [xNCHW("dx", "out"), colsArg("dcols", "in"), windowArg(false)] });

const bias = (name: string, role: "out" | "in"): ArrayArg<conv.Conv2dDims> => ({ name, role, length: { text: "K", of: (d) => d.K }, nullable: true });
/** y (N, K, P, Q) = conv(x, w) + b, im2col + gemm one image at a time. @function */
export const conv2dForward = checkedKernel("conv2dForward", conv.conv2dForward, {
  args: [convY("y", "out"), xNCHW("x", "in"), convW("w", "in"), bias("b", "in"), convArg, convCols("cols")],
});
/** dx, dw, db += conv2d's gradients (each may be null). @function */
export const conv2dBackward = checkedKernel("conv2dBackward", conv.conv2dBackward, {
  args: [xNCHW("dx", "out", true), convW("dw", "out", true), bias("db", "out"), convY("dy", "in"), xNCHW("x", "in"), convW("w", "in"), convArg, convCols("cols"), convCols("dcols")],
});
/** The six-loop definition of conv2d, the reference conv2dForward is tested against. @function */
export const conv2dNaive = checkedKernel("conv2dNaive", conv.conv2dNaive, {
  args: [convY("y", "out"), xNCHW("x", "in"), convW("w", "in"), bias("b", "in"), convArg],
});

// ---- pooling ----------------------------------------------------------------

/** y (N, C, P, Q) = the mean of each window of x. @function */
export const avgPool2dForward = checkedKernel("avgPool2dForward", avg.avgPool2dForward, { args: [yNCPQ("y", "out"), xNCHW("x", "in"), windowArg(true)] });
/** dx += avgPool2d's gradient. @function */
export const avgPool2dBackward = checkedKernel("avgPool2dBackward", avg.avgPool2dBackward, { args: [xNCHW("dx", "out"), yNCPQ("dy", "in"), windowArg(true)] });
/** y (N, C, P, Q) = the max of each window of x; argmax records where it came from. @function */
export const maxPool2dForward = checkedKernel("maxPool2dForward", max.maxPool2dForward, {
  args: [yNCPQ("y", "out"), { ...yNCPQ<WindowDims>("argmax", "out"), int32: true }, xNCHW("x", "in"), windowArg(true)],
});
/** dx[argmax[i]] += dy[i]. @function */
export const maxPool2dBackward = checkedKernel("maxPool2dBackward", max.maxPool2dBackward, {
  args: [any("dx", "out"), any("dy", "in"), { ...same("argmax", "in", "dy"), int32: true }],
  contents: ({ dx, argmax }) => firstOutside(argmax as Int32Array, (dx as Float32Array).length, "argmax"),
});

/** The first value of `values` outside [0, end), described, or null. */
function firstOutside(values: Int32Array, end: number, name: string): string | null {
  for (let i = 0; i < values.length; i++) {
    if (values[i]! < 0 || values[i]! >= end) return `${name}[${i}] = ${values[i]} is outside [0, ${end})`;
  }
  return null;
}

// ---- pointwise --------------------------------------------------------------

const unary = (forward: boolean) => forward
  ? { args: [any("y", "out"), same("x", "in", "y")], inPlace: [["y", "x"]] as const }
  : { args: [any("dx", "out"), same("dy", "in", "dx"), same("y", "in", "dx")] };
/** y = σ(x), elementwise. @function */ export const sigmoidForward = checkedKernel("sigmoidForward", sig.sigmoidForward, unary(true));
/** dx += dy · y(1 − y). @function */ export const sigmoidBackward = checkedKernel("sigmoidBackward", sig.sigmoidBackward, unary(false));
/** y = max(x, 0). @function */ export const reluForward = checkedKernel("reluForward", rel.reluForward, unary(true));
/** dx += dy where y > 0. @function */ export const reluBackward = checkedKernel("reluBackward", rel.reluBackward, unary(false));
/** y = tanh(x). @function */ export const tanhForward = checkedKernel("tanhForward", th.tanhForward, unary(true));
/** dx += dy · (1 − y²). @function */ export const tanhBackward = checkedKernel("tanhBackward", th.tanhBackward, unary(false));

const binaryForward = { args: [any("y", "out"), same("a", "in", "y"), same("b", "in", "y")], inPlace: [["y", "a"], ["y", "b"]] as const };
const nullableSame = (name: string, as: string): ArrayArg<never> => ({ name, role: "out", length: { same: as }, nullable: true });
/** y = a + b. @function */ export const addForward = checkedKernel("addForward", ew.addForward, binaryForward);
/** y = a − b. @function */ export const subForward = checkedKernel("subForward", ew.subForward, binaryForward);
/** y = a · b. @function */ export const mulForward = checkedKernel("mulForward", ew.mulForward, binaryForward);
const sumBackward = { args: [nullableSame("da", "dy"), nullableSame("db", "dy"), any("dy", "in")] };
/** da += dy, db += dy. @function */ export const addBackward = checkedKernel("addBackward", ew.addBackward, sumBackward);
/** da += dy, db −= dy. @function */ export const subBackward = checkedKernel("subBackward", ew.subBackward, sumBackward);
/** da += dy · b, db += dy · a. @function */
export const mulBackward = checkedKernel("mulBackward", ew.mulBackward, { args: [...sumBackward.args, same("a", "in", "dy"), same("b", "in", "dy")] });
/** dx += scale · dy. @function */
export const axpy = checkedKernel("axpy", ew.axpy, { args: [any("dx", "out"), same("dy", "in", "dx"), { name: "scale", role: "number" }], inPlace: [["dx", "dy"]] });

// ---- linear, softmax, cross-entropy -----------------------------------------

const linearDims: DimsArg<lin.LinearDims> = { name: "d", role: "dims", integers: { N: 0, I: 1, O: 1 } };
const linearArray = (name: string, role: "out" | "in", which: "x" | "w" | "b" | "y", nullable?: true): ArrayArg<lin.LinearDims> => {
  const lengths: Record<typeof which, Length<lin.LinearDims>> = {
    x: { text: "N·I", of: (d) => d.N * d.I }, w: { text: "O·I", of: (d) => d.O * d.I },
    b: { text: "O", of: (d) => d.O }, y: { text: "N·O", of: (d) => d.N * d.O },
  };
  return { name, role, length: lengths[which], nullable };
};
/** y (N, O) = x · Wᵀ + b. @function */
export const linearForward = checkedKernel("linearForward", lin.linearForward, {
  args: [linearArray("y", "out", "y"), linearArray("x", "in", "x"), linearArray("w", "in", "w"), linearArray("b", "in", "b", true), linearDims],
});
/** dx, dw, db += linear's gradients (each may be null). @function */
export const linearBackward = checkedKernel("linearBackward", lin.linearBackward, {
  args: [
    linearArray("dx", "out", "x", true), linearArray("dw", "out", "w", true), linearArray("db", "out", "b", true),
    linearArray("dy", "in", "y"), linearArray("x", "in", "x"), linearArray("w", "in", "w"), linearDims,
  ],
});

const rows: DimsArg<soft.SoftmaxDims> = { name: "d", role: "dims", integers: { N: 0, J: 1 } };
const nj = (name: string, role: "out" | "in"): ArrayArg<soft.SoftmaxDims> => ({ name, role, length: { text: "N·J", of: (d) => d.N * d.J } });
/** y = softmax of each row of x (N, J). @function */ export const softmaxForward = checkedKernel("softmaxForward", soft.softmaxForward, { args: [nj("y", "out"), nj("x", "in"), rows] });
/** dx += softmax's gradient. @function */ export const softmaxBackward = checkedKernel("softmaxBackward", soft.softmaxBackward, { args: [nj("dx", "out"), nj("dy", "in"), nj("y", "in"), rows] });
/** y = log-softmax of each row of x (N, J). @function */ export const logSoftmaxForward = checkedKernel("logSoftmaxForward", soft.logSoftmaxForward, { args: [nj("y", "out"), nj("x", "in"), rows] });
/** dx += log-softmax's gradient. @function */ export const logSoftmaxBackward = checkedKernel("logSoftmaxBackward", soft.logSoftmaxBackward, { args: [nj("dx", "out"), nj("dy", "in"), nj("y", "in"), rows] });

const one = (name: string, role: "out" | "in"): ArrayArg<soft.SoftmaxDims> => ({ name, role, length: { text: "1", of: () => 1 } });
const labels: ArrayArg<soft.SoftmaxDims> = { name: "labels", role: "in", length: { text: "N", of: (d) => d.N }, int32: true };
const labelsInRange = ({ labels: l }: Record<string, unknown>, d: soft.SoftmaxDims) => firstOutside(l as Int32Array, d.J, "labels");
/** loss (1) = mean −log softmax(logits)[label]; logProbs (N, J) kept for the backward. @function */
export const softmaxCrossEntropyForward = checkedKernel("softmaxCrossEntropyForward", xent.softmaxCrossEntropyForward, {
  args: [one("loss", "out"), nj("logProbs", "out"), nj("logits", "in"), labels, rows], contents: labelsInRange,
});
/** dlogits += dloss · (softmax − onehot(labels)) / N. @function */
export const softmaxCrossEntropyBackward = checkedKernel("softmaxCrossEntropyBackward", xent.softmaxCrossEntropyBackward, {
  args: [nj("dlogits", "out"), one("dloss", "in"), nj("logProbs", "in"), labels, rows], contents: labelsInRange,
});
