// Entry-checked pointwise kernels: activations and elementwise arithmetic (see src/ops/kernels.ts).
// The forwards may run in place (element i reads only element i).

import * as sig from "../sigmoid.js";
import * as rel from "../relu.js";
import * as th from "../tanh.js";
import * as ew from "../elementwise.js";
import { anyLength, checkedKernel, sameAs, type ArrayArg } from "../kernel-checks.js";

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
