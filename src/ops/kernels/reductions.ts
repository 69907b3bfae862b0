// Entry-checked reduction kernels: sum/mean, max, argmax (see src/ops/kernels.ts).

import * as red from "../reduce.js";
import * as mx from "../max.js";
import type { AxisDims } from "../axis.js";
import { checkedKernel, firstOutside, overlaps, type ArrayArg, type DimsArg } from "../kernel-checks.js";

// ReduceDims holds two offset lists and a scale: checked as such, since the dims checker only knows integer fields.
const reduceArg: DimsArg<red.ReduceDims> = {
  name: "d", role: "dims", integers: {},
  consistent: (d) => {
    if (!(d.kept instanceof Int32Array) || !(d.reduced instanceof Int32Array)) return "kept and reduced must be Int32Arrays of offsets; build dims with reduceDims";
    return typeof d.scale === "number" && Number.isFinite(d.scale) ? null : `scale must be a finite number, got ${String(d.scale)}`;
  },
};
const outputs = (name: string, role: "out" | "in"): ArrayArg<red.ReduceDims> => ({ name, role, length: { text: "d.kept.length", of: (d) => d.kept.length } });
// reduceDims visits every position of x exactly once: O·R of them.
const positions = (name: string, role: "out" | "in"): ArrayArg<red.ReduceDims> =>
  ({ name, role, length: { text: "d.kept.length·d.reduced.length", of: (d) => d.kept.length * d.reduced.length } });

// [smallest, largest] of a non-empty list (a loop: spreading a long list into Math.min overflows the stack).
function span(list: Int32Array): [number, number] {
  let low = list[0]!, high = low;
  for (const v of list) [low, high] = [Math.min(low, v), Math.max(high, v)];
  return [low, high];
}

// Every offset kept[o] + reduced[r] must land inside the positions array, which may not overlap the offset lists.
function offsetsProblem(positionsName: string) {
  return (values: Record<string, unknown>, d: red.ReduceDims): string | null => {
    const at = values[positionsName] as Float32Array;
    const out = values[positionsName === "x" ? "y" : "dx"] as Float32Array;
    if ([d.kept, d.reduced].some((list) => overlaps(list, at) || overlaps(list, out))) return `d.kept and d.reduced may not share memory with ${positionsName} or the output`;
    if (d.kept.length === 0 || d.reduced.length === 0) return null;
    const [lowK, highK] = span(d.kept), [lowR, highR] = span(d.reduced);
    if (lowK + lowR >= 0 && highK + highR < at.length) return null;
    return `offsets kept + reduced span [${lowK + lowR}, ${highK + highR}], outside [0, ${at.length}) of ${positionsName}`;
  };
}
/** y (O) = scale · Σ over each output's reduced positions of x (sum, mean; see reduceDims). @function */
export const sumForward = checkedKernel("sumForward", red.sumForward, { args: [outputs("y", "out"), positions("x", "in"), reduceArg], contents: offsetsProblem("x") });
/** dx += scale · dy at every position output o summed. @function */
export const sumBackward = checkedKernel("sumBackward", red.sumBackward, { args: [positions("dx", "out"), outputs("dy", "in"), reduceArg], contents: offsetsProblem("dx") });

const axis: DimsArg<AxisDims> = { name: "d", role: "dims", integers: { N: 0, J: 1, inner: 1 } };
const nji = (name: string, role: "out" | "in"): ArrayArg<AxisDims> => ({ name, role, length: { text: "N·J·inner", of: (d) => d.N * d.J * d.inner } });
const ni = (name: string, role: "out" | "in", int32?: true): ArrayArg<AxisDims> => ({ name, role, length: { text: "N·inner", of: (d) => d.N * d.inner }, int32 });
/** indices (N, inner) = where x (N, J, inner) is largest over J: the first NaN, else the first of ties. @function */
export const argmaxForward = checkedKernel("argmaxForward", mx.argmaxForward, { args: [ni("indices", "out", true), nji("x", "in"), axis] });
/** values, indices (N, inner) = the maximum of x (N, J, inner) over J and where it is. @function */
export const maxForward = checkedKernel("maxForward", mx.maxForward, { args: [ni("values", "out"), ni("indices", "out", true), nji("x", "in"), axis] });
/** dx (N, J, inner) += dy (N, inner) at each maximum's index. @function */
export const maxBackward = checkedKernel("maxBackward", mx.maxBackward, {
  args: [nji("dx", "out"), ni("dy", "in"), ni("indices", "in", true), axis],
  contents: ({ indices }, d) => firstOutside(indices as Int32Array, d.J, "indices"),
});
/** dx += dy[0] / count at each of the count elements of x equal to value (max(x)'s gradient, shared by ties). @function */
export const maxAllBackward = checkedKernel("maxAllBackward", mx.maxAllBackward, {
  args: [{ name: "dx", role: "out", length: "any" }, { name: "dy", role: "in", length: { text: "1", of: () => 1 } }, { name: "x", role: "in", length: { same: "dx" } }, { name: "value", role: "number", anyValue: true }],
});
