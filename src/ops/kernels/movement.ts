// Entry-checked data-movement kernels: the strided copy (transpose, permute,
// narrow, slice), cat and stack, and the gathers behind indexSelect and gather
// and broadcasting's expand (see src/ops/kernels.ts). Each reads or writes x at computed offsets, so the
// checks prove every offset lands inside x before the first copy.

import * as str from "../strided.js";
import * as ct from "../cat.js";
import * as tk from "../take.js";
import * as bc from "../broadcast.js";
import { anyLength, checkedKernel, firstOutside, sameAs, type ArrayArg, type DimsArg, type ListArg } from "../kernel-checks.js";

const isCount = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
const isStep = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v);

const strided: DimsArg<str.StridedDims> = {
  name: "d", role: "dims", integers: { offset: 0 },
  consistent: (d) => {
    if (!Array.isArray(d.shape) || !d.shape.every(isCount)) return `shape must be an array of integers ≥ 0, got ${String(d.shape)}`;
    if (!Array.isArray(d.strides) || d.strides.length !== d.shape.length || !d.strides.every(isStep)) return `strides must be ${d.shape.length} integers, one per dimension of shape, got ${String(d.strides)}`;
    return null;
  },
};
const viewLength = (d: str.StridedDims): number => d.shape.reduce((a, b) => a * b, 1);
const view = (name: string, role: "out" | "in"): ArrayArg<str.StridedDims> => ({ name, role, length: { text: "the product of d.shape", of: viewLength } });
// The lowest and highest offsets the view reaches must lie in [0, length of the strided array).
const reachProblem = (stridedName: string) => (values: Record<string, unknown>, d: str.StridedDims): string | null => {
  if (viewLength(d) === 0) return null;
  let low = d.offset, high = d.offset;
  d.shape.forEach((size, i) => (d.strides[i]! < 0 ? (low += (size - 1) * d.strides[i]!) : (high += (size - 1) * d.strides[i]!)));
  const length = (values[stridedName] as Float32Array).length;
  return low >= 0 && high < length ? null : `the view reaches offsets [${low}, ${high}], outside [0, ${length}) of ${stridedName}`;
};
/** y (shape) = x read at offset + Σ c_i·strides_i. @function */
export const stridedForward = checkedKernel("stridedForward", str.stridedForward, { args: [view("y", "out"), anyLength("x", "in"), strided], contents: reachProblem("x") });
/** dx at offset + Σ c_i·strides_i += dy (shape). @function */
export const stridedBackward = checkedKernel("stridedBackward", str.stridedBackward, { args: [anyLength("dx", "out"), view("dy", "in"), strided], contents: reachProblem("dx") });

const catDims: DimsArg<ct.CatDims> = {
  name: "d", role: "dims", integers: { outer: 0, inner: 0 },
  consistent: (d) => (Array.isArray(d.sizes) && d.sizes.every(isCount) ? null : `sizes must be an array of integers ≥ 0, got ${String(d.sizes)}`),
};
const joined = (name: string, role: "out" | "in"): ArrayArg<ct.CatDims> =>
  ({ name, role, length: { text: "outer·Σ sizes·inner", of: (d) => d.outer * d.sizes.reduce((a, b) => a + b, 0) * d.inner } });
const parts = (name: string, role: "outs" | "ins", nullable?: true): ListArg<ct.CatDims> =>
  ({ name, role, count: (d) => d.sizes.length, length: (d, i) => d.outer * d.sizes[i]! * d.inner, text: "outer·sizes[i]·inner", nullable });
/** y (outer, Σ sizes, inner) = the xs[i] (outer, sizes[i], inner) side by side. @function */
export const catForward = checkedKernel("catForward", ct.catForward, { args: [joined("y", "out"), parts("xs", "ins"), catDims] });
/** dxs[i] += input i's block of dy (a null dxs[i] is skipped). @function */
export const catBackward = checkedKernel("catBackward", ct.catBackward, { args: [parts("dxs", "outs", true), joined("dy", "in"), catDims] });

const offsets = (as: string): ArrayArg<never> => ({ ...sameAs("offsets", "in", as), int32: true });
// y[p] = x[offsets[p]] and its adjoint: take (indexSelect, gather) and broadcasting's expand are the same gather.
const gatherSpec = {
  args: [anyLength("y", "out"), anyLength("x", "in"), offsets("y")],
  contents: ({ x, offsets: o }: Record<string, unknown>) => firstOutside(o as Int32Array, (x as Float32Array).length, "offsets"),
};
const scatterSpec = {
  args: [anyLength("dx", "out"), anyLength("dy", "in"), offsets("dy")],
  contents: ({ dx, offsets: o }: Record<string, unknown>) => firstOutside(o as Int32Array, (dx as Float32Array).length, "offsets"),
};
/** y[p] = x[offsets[p]] (indexSelect, gather). @function */ export const takeForward = checkedKernel("takeForward", tk.takeForward, gatherSpec);
/** dx[offsets[p]] += dy[p]. @function */ export const takeBackward = checkedKernel("takeBackward", tk.takeBackward, scatterSpec);
/** y[i] = x[offsets[i]], x stretched to the output shape (offsets from broadcastOffsets). @function */
export const expandForward = checkedKernel("expandForward", bc.expandForward, gatherSpec);
/** dx[offsets[i]] += dy[i]: the gradient summed back over the stretched dimensions. @function */
export const sumToShape = checkedKernel("sumToShape", bc.sumToShape, scatterSpec);
