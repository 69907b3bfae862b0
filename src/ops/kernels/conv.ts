// Entry-checked gemm, im2col/col2im and conv2d (see src/ops/kernels.ts).

import * as conv from "../conv2d.js";
import * as gemmOps from "../gemm.js";
import * as cols from "../im2col.js";
import { checkedKernel, input, output, type ArrayArg, type DimsArg, type KernelArg } from "../kernel-checks.js";
import type { WindowDims } from "../window.js";
import { WINDOW_FIELDS, windowArg, windowProblem, xNCHW } from "./window.js";

// "same" padding with an even kernel hangs the last window one row (column) over the bottom (right) edge, where
// PyTorch pads one more zero: so P may be one more than the floor formula, as pooling's ceil mode makes it.
const convArg: DimsArg<conv.Conv2dDims> = {
  name: "d", role: "dims", integers: { ...WINDOW_FIELDS, K: 1, groups: 1 },
  consistent: (d) => (d.C % d.groups !== 0 || d.K % d.groups !== 0 ? `groups ${d.groups} must divide C = ${d.C} and K = ${d.K}` : windowProblem(d)),
};
const convY = (name: string, role: "out" | "in"): ArrayArg<conv.Conv2dDims> => ({ name, role, length: { text: "N·K·P·Q", of: (d) => d.N * d.K * d.P * d.Q } });
const convW = (name: string, role: "out" | "in", nullable?: true): ArrayArg<conv.Conv2dDims> =>
  ({ name, role, length: { text: "K·(C/groups)·kH·kW", of: (d) => (d.K * d.C * d.kH * d.kW) / d.groups }, nullable });
const convCols = (name: string): ArrayArg<conv.Conv2dDims> => ({ name, role: "scratch", length: { text: "conv2dColsLength(d)", of: conv.conv2dColsLength } });

const gemmArgs: readonly KernelArg<gemmOps.GemmDims>[] = [
  output("c", "M·N", (d) => d.M * d.N),
  input("a", "M·K", (d) => d.M * d.K),
  input("b", "K·N", (d) => d.K * d.N),
  { name: "dims", role: "dims", integers: { M: 0, N: 0, K: 0 }, flags: ["transA", "transB", "accumulate"] },
];
/** C (M, N) (+)= op(A) · op(B), register-blocked. @function */
export const gemm = checkedKernel("gemm", gemmOps.gemm, { args: gemmArgs });
/** The three-loop reference gemm (float64 sums). @function */
export const gemmNaive = checkedKernel("gemmNaive", gemmOps.gemmNaive, { args: gemmArgs });

const colsArg = (name: string, role: "out" | "in"): ArrayArg<WindowDims> =>
  ({ name, role, length: { text: "C·kH·kW·N·P·Q", of: (d) => d.C * d.kH * d.kW * d.N * d.P * d.Q } });
/** cols (C·kH·kW, N·P·Q) = the receptive fields of x (N, C, H, W). @function */
export const im2col = checkedKernel("im2col", cols.im2col, { args: [colsArg("cols", "out"), xNCHW("x", "in"), windowArg] });
/** dx (N, C, H, W) += col2im(dcols), im2col's adjoint. @function */
export const col2im = checkedKernel("col2im", cols.col2im, { args: [xNCHW("dx", "out"), colsArg("dcols", "in"), windowArg] });

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
