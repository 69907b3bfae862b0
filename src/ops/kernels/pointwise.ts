// Entry-checked pointwise kernels: activations, elementwise arithmetic, the math
// kernels (exp … neg, pow, clamp, maximum/minimum, comparisons, where) and dropout
// (see src/ops/kernels.ts). The forwards may run in place (element i reads only element i).

import * as sig from "../sigmoid.js";
import * as rel from "../relu.js";
import * as th from "../tanh.js";
import * as ew from "../elementwise.js";
import * as math from "../math.js";
import * as pw from "../pow.js";
import * as clp from "../clamp.js";
import * as cmp from "../compare.js";
import * as drop from "../dropout.js";
import { anyLength, checkedKernel, sameAs, type ArrayArg, type DimsArg, type KernelSpec } from "../kernel-checks.js";

const unary = (forward: boolean) => forward
  ? { args: [anyLength("y", "out"), sameAs("x", "in", "y")], inPlace: [["y", "x"]] as const }
  : { args: [anyLength("dx", "out"), sameAs("dy", "in", "dx"), sameAs("y", "in", "dx")] };
/** y = σ(x), elementwise. @function */ export const sigmoidForward = checkedKernel("sigmoidForward", sig.sigmoidForward, unary(true));
/** dx += dy · y(1 − y). @function */ export const sigmoidBackward = checkedKernel("sigmoidBackward", sig.sigmoidBackward, unary(false));
/** y = max(x, 0). @function */ export const reluForward = checkedKernel("reluForward", rel.reluForward, unary(true));
/** dx += dy where y > 0. @function */ export const reluBackward = checkedKernel("reluBackward", rel.reluBackward, unary(false));
/** y = tanh(x). @function */ export const tanhForward = checkedKernel("tanhForward", th.tanhForward, unary(true));
/** dx += dy · (1 − y²). @function */ export const tanhBackward = checkedKernel("tanhBackward", th.tanhBackward, unary(false));

const binaryForward = { args: [anyLength("y", "out"), sameAs("a", "in", "y"), sameAs("b", "in", "y")], inPlace: [["y", "a"], ["y", "b"]] as const };
const nullableSame = (name: string, as: string): ArrayArg<never> => ({ name, role: "out", length: { same: as }, nullable: true });
/** y = a + b. @function */ export const addForward = checkedKernel("addForward", ew.addForward, binaryForward);
/** y = a − b. @function */ export const subForward = checkedKernel("subForward", ew.subForward, binaryForward);
/** y = a · b. @function */ export const mulForward = checkedKernel("mulForward", ew.mulForward, binaryForward);
const sumBackward = { args: [nullableSame("da", "dy"), nullableSame("db", "dy"), anyLength("dy", "in")] };
/** da += dy, db += dy. @function */ export const addBackward = checkedKernel("addBackward", ew.addBackward, sumBackward);
/** da += dy, db −= dy. @function */ export const subBackward = checkedKernel("subBackward", ew.subBackward, sumBackward);
/** da += dy · b, db += dy · a. @function */
export const mulBackward = checkedKernel("mulBackward", ew.mulBackward, { args: [...sumBackward.args, sameAs("a", "in", "dy"), sameAs("b", "in", "dy")] });
/** dx += scale · dy. @function */
export const axpy = checkedKernel("axpy", ew.axpy, { args: [anyLength("dx", "out"), sameAs("dy", "in", "dx"), { name: "scale", role: "number" }], inPlace: [["dx", "dy"]] });

// ---- the math kernels and dropout.

/** y = eˣ. @function */ export const expForward = checkedKernel("expForward", math.expForward, unary(true));
/** dx += dy · y. @function */ export const expBackward = checkedKernel("expBackward", math.expBackward, unary(false));
/** y = ln x. @function */ export const logForward = checkedKernel("logForward", math.logForward, unary(true));
const withX = { args: [...unary(false).args, sameAs("x", "in", "dx")] };
/** dx += dy / x (y unused). @function */ export const logBackward = checkedKernel("logBackward", math.logBackward, withX);
/** y = √x. @function */ export const sqrtForward = checkedKernel("sqrtForward", math.sqrtForward, unary(true));
/** dx += dy / (2y). @function */ export const sqrtBackward = checkedKernel("sqrtBackward", math.sqrtBackward, unary(false));
/** y = |x|. @function */ export const absForward = checkedKernel("absForward", math.absForward, unary(true));
/** dx += dy · sign(x) (y unused). @function */ export const absBackward = checkedKernel("absBackward", math.absBackward, withX);
/** y = −x. @function */ export const negForward = checkedKernel("negForward", math.negForward, unary(true));
/** dx −= dy. @function */ export const negBackward = checkedKernel("negBackward", math.negBackward, { args: [anyLength("dx", "out"), sameAs("dy", "in", "dx")] });

/** y = a / b. @function */ export const divForward = checkedKernel("divForward", ew.divForward, binaryForward);
/** da += dy / b, db −= dy · y / b (either may be null). @function */
export const divBackward = checkedKernel("divBackward", ew.divBackward, { args: [...sumBackward.args, sameAs("b", "in", "dy"), sameAs("y", "in", "dy")] });

const power = { name: "power", role: "function" } as const;
/** y = power(b, e), elementwise: pass the power function (`kernels.powC`, C's pow as the op uses, or Math.pow). @function */
export const powForward = checkedKernel("powForward", pw.powForward, { ...binaryForward, args: [anyLength("y", "out"), sameAs("b", "in", "y"), sameAs("e", "in", "y"), power], inPlace: [["y", "b"], ["y", "e"]] });
/** db += dy · e·power(b, e − 1), de += dy · y·ln b (either may be null). @function */
export const powBackward = checkedKernel("powBackward", pw.powBackward, {
  args: [nullableSame("db", "dy"), nullableSame("de", "dy"), anyLength("dy", "in"), sameAs("b", "in", "dy"), sameAs("e", "in", "dy"), sameAs("y", "in", "dy"), power],
});

// clamp's bounds are any numbers but NaN (−∞ or +∞ for none).
const bounds: DimsArg<clp.ClampDims> = {
  name: "dims", role: "dims", integers: {},
  consistent: (d) => ([d.min, d.max].every((v) => typeof v === "number" && !Number.isNaN(v)) ? null : `min and max must be numbers (−Infinity or Infinity for none), got ${String(d.min)} and ${String(d.max)}`),
};
/** y = min(max(x, min), max). @function */
export const clampForward = checkedKernel("clampForward", clp.clampForward, { args: [anyLength("y", "out"), sameAs("x", "in", "y"), bounds], inPlace: [["y", "x"]] });
/** dx += dy where min ≤ x ≤ max. @function */
export const clampBackward = checkedKernel("clampBackward", clp.clampBackward, { args: [anyLength("dx", "out"), sameAs("dy", "in", "dx"), sameAs("x", "in", "dx"), bounds] });
const signIsOne = ({ sign }: Record<string, unknown>) => (sign === 1 || sign === -1 ? null : `sign must be 1 (maximum) or −1 (minimum), got ${String(sign)}`);
const sign = { name: "sign", role: "number" } as const;
/** y = maximum (sign 1) or minimum (sign −1) of a and b. @function */
export const extremumForward = checkedKernel("extremumForward", clp.extremumForward, { ...binaryForward, args: [...binaryForward.args, sign], contents: signIsOne });
/** da, db += dy to the operand that won, half each on a tie (either may be null). @function */
export const extremumBackward = checkedKernel("extremumBackward", clp.extremumBackward, {
  args: [...sumBackward.args, sameAs("a", "in", "dy"), sameAs("b", "in", "dy"), sign], contents: signIsOne,
});

/** y = 1 where test(a, b), else 0. @function */
export const compareForward = checkedKernel("compareForward", cmp.compareForward, { ...binaryForward, args: [...binaryForward.args, { name: "test", role: "function" }] });
/** y = condition ≠ 0 ? a : b. @function */
export const whereForward = checkedKernel("whereForward", cmp.whereForward, {
  args: [anyLength("y", "out"), sameAs("condition", "in", "y"), sameAs("a", "in", "y"), sameAs("b", "in", "y")], inPlace: [["y", "condition"], ["y", "a"], ["y", "b"]],
});
/** da += dy where condition ≠ 0, db += dy elsewhere (either may be null). @function */
export const whereBackward = checkedKernel("whereBackward", cmp.whereBackward, { args: [...sumBackward.args, sameAs("condition", "in", "dy")] });

// dropout's mask is 0 or 1 per element and its scale a finite number ≥ 0; count is the arrays' length.
const dropArgs = (out: string, from: string): KernelSpec<drop.DropoutDims> => ({
  args: [
    { name: out, role: "out", length: { text: "count", of: (d) => d.count } }, { name: from, role: "in", length: { text: "count", of: (d) => d.count } },
    { name: "keep", role: "in", length: { text: "count", of: (d) => d.count }, int32: true },
    { name: "d", role: "dims", integers: { count: 0 }, consistent: (d) => (Number.isFinite(d.scale) && d.scale >= 0 ? null : `scale must be a finite number ≥ 0, got ${String(d.scale)}`) },
  ],
  contents: ({ keep }) => {
    const k = keep as Int32Array, bad = k.findIndex((v) => v !== 0 && v !== 1);
    return bad < 0 ? null : `keep[${bad}] = ${k[bad]} is neither 0 (dropped) nor 1 (kept)`;
  },
});
/** y = x · keep · scale. @function */ export const dropoutForward = checkedKernel("dropoutForward", drop.dropoutForward, { ...dropArgs("y", "x"), inPlace: [["y", "x"]] });
/** dx += dy · keep · scale. @function */ export const dropoutBackward = checkedKernel("dropoutBackward", drop.dropoutBackward, dropArgs("dx", "dy"));
