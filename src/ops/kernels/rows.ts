// Entry-checked row kernels: linear, softmax, the fused cross-entropy (see src/ops/kernels.ts).

import * as lin from "../linear.js";
import * as soft from "../softmax.js";
import * as xent from "../cross-entropy.js";
import { checkedKernel, firstOutside, type ArrayArg, type DimsArg, type Length } from "../kernel-checks.js";

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

const rows: DimsArg<soft.SoftmaxDims> = { name: "d", role: "dims", integers: { N: 0, J: 1, inner: 1 } };
const nj = (name: string, role: "out" | "in"): ArrayArg<soft.SoftmaxDims> => ({ name, role, length: { text: "N·J·inner", of: (d) => d.N * d.J * d.inner } });
/** y = softmax of x (N, J, inner) over J. @function */ export const softmaxForward = checkedKernel("softmaxForward", soft.softmaxForward, { args: [nj("y", "out"), nj("x", "in"), rows] });
/** dx += softmax's gradient. @function */ export const softmaxBackward = checkedKernel("softmaxBackward", soft.softmaxBackward, { args: [nj("dx", "out"), nj("dy", "in"), nj("y", "in"), rows] });
/** y = log-softmax of x (N, J, inner) over J. @function */ export const logSoftmaxForward = checkedKernel("logSoftmaxForward", soft.logSoftmaxForward, { args: [nj("y", "out"), nj("x", "in"), rows] });
/** dx += log-softmax's gradient. @function */ export const logSoftmaxBackward = checkedKernel("logSoftmaxBackward", soft.logSoftmaxBackward, { args: [nj("dx", "out"), nj("dy", "in"), nj("y", "in"), rows] });

const one = (name: string, role: "out" | "in"): ArrayArg<soft.SoftmaxDims> => ({ name, role, length: { text: "1", of: () => 1 } });
const labels: ArrayArg<soft.SoftmaxDims> = { name: "labels", role: "in", length: { text: "N·inner", of: (d) => d.N * d.inner }, int32: true };
const labelsInRange = ({ labels: l }: Record<string, unknown>, d: soft.SoftmaxDims) => firstOutside(l as Int32Array, d.J, "labels");
/** loss (1) = mean −log softmax(logits)[label]; logProbs (N, J, inner) kept for the backward. @function */
export const softmaxCrossEntropyForward = checkedKernel("softmaxCrossEntropyForward", xent.softmaxCrossEntropyForward, {
  args: [one("loss", "out"), nj("logProbs", "out"), nj("logits", "in"), labels, rows], contents: labelsInRange,
});
/** dlogits += dloss · (softmax − onehot(labels)) / N. @function */
export const softmaxCrossEntropyBackward = checkedKernel("softmaxCrossEntropyBackward", xent.softmaxCrossEntropyBackward, {
  args: [nj("dlogits", "out"), one("dloss", "in"), nj("logProbs", "in"), labels, rows], contents: labelsInRange,
});
