// The sliding-window arguments several kernels share (im2col, conv2d, pooling):
// their dims, checked to agree with each other, and the input and output planes.

import type { ArrayArg, DimsArg } from "../kernel-checks.js";
import type { WindowDims } from "../window.js";

/** What is wrong with dims whose P×Q is neither the floor-mode output size of the window nor one more (pooling's ceil mode, conv2d's "same" padding with an even kernel), or null. */
export function windowProblem(d: WindowDims): string | null {
  const size = (n: number, pad: number, k: number, dil: number, s: number) => Math.floor((n + 2 * pad - dil * (k - 1) - 1) / s) + 1;
  const P = size(d.H, d.padH, d.kH, d.dilationH, d.strideH), Q = size(d.W, d.padW, d.kW, d.dilationW, d.strideW);
  const fits = (got: number, floor: number) => got === floor || got === floor + 1;
  if (P >= 1 && Q >= 1 && fits(d.P, P) && fits(d.Q, Q)) return null;
  return `P×Q = ${d.P}×${d.Q} is not the output size of this window (${P}×${Q}); build dims with windowDims or pool2dDims`;
}

export const WINDOW_FIELDS = { N: 0, C: 1, H: 1, W: 1, kH: 1, kW: 1, strideH: 1, strideW: 1, padH: 0, padW: 0, dilationH: 1, dilationW: 1, P: 1, Q: 1 };
export const windowArg: DimsArg<WindowDims> = { name: "d", role: "dims", integers: WINDOW_FIELDS, consistent: windowProblem };
const planes = (what: "x" | "y") => (d: WindowDims) => (what === "x" ? d.N * d.C * d.H * d.W : d.N * d.C * d.P * d.Q);
export const xNCHW = <D extends WindowDims>(name: string, role: "out" | "in", nullable?: true): ArrayArg<D> =>
  ({ name, role, length: { text: "N·C·H·W", of: planes("x") }, nullable });
export const yNCPQ = <D extends WindowDims>(name: string, role: "out" | "in"): ArrayArg<D> => ({ name, role, length: { text: "N·C·P·Q", of: planes("y") } });
