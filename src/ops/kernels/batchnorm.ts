// Entry-checked batch-norm kernels (see src/ops/kernels.ts). eps is a float, so the dims
// check takes it beside the integer fields N, C, L.

import * as bn from "../batchnorm.js";
import { checkedKernel, type ArrayArg, type DimsArg } from "../kernel-checks.js";

const dims: DimsArg<bn.BatchNormDims> = {
  name: "d", role: "dims", integers: { N: 0, C: 1, L: 0 },
  consistent: (d) => (typeof d.eps === "number" && Number.isFinite(d.eps) && d.eps >= 0 ? null : `eps must be a finite number ≥ 0, got ${String(d.eps)}`),
};
const values = (name: string, role: "out" | "in", nullable?: true): ArrayArg<bn.BatchNormDims> => ({ name, role, length: { text: "N·C·L", of: (d) => d.N * d.C * d.L }, nullable });
const channels = (name: string, role: "out" | "in", nullable?: true): ArrayArg<bn.BatchNormDims> => ({ name, role, length: { text: "C", of: (d) => d.C }, nullable });

/** mean (C), variance (C) = each channel's statistics of x (N, C, L), the variance biased. @function */
export const batchNormMoments = checkedKernel("batchNormMoments", bn.batchNormMoments, {
  args: [channels("mean", "out"), channels("variance", "out"), values("x", "in"), dims],
});
/** y (N, C, L) = γ·(x − mean)/√(variance + eps) + β per channel (weight, bias may be null). @function */
export const batchNormForward = checkedKernel("batchNormForward", bn.batchNormForward, {
  args: [values("y", "out"), values("x", "in"), channels("weight", "in", true), channels("bias", "in", true), channels("mean", "in"), channels("variance", "in"), dims],
});
/** dx, dweight, dbias += the batch-norm gradients (each may be null), with batch statistics or running ones. @function */
export const batchNormBackward = checkedKernel("batchNormBackward", bn.batchNormBackward, {
  args: [
    values("dx", "out", true), channels("dweight", "out", true), channels("dbias", "out", true), values("dy", "in"), values("x", "in"),
    channels("weight", "in", true), channels("mean", "in"), channels("variance", "in"), dims, { name: "batchStats", role: "flag" },
  ],
});
