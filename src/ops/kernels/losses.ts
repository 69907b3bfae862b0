// Entry-checked loss kernels: nllLoss and probability targets over classes, and the
// elementwise mseLoss, l1Loss, binaryCrossEntropyWithLogits (see src/ops/kernels.ts).

import * as nll from "../nll-loss.js";
import * as reg from "../regression-loss.js";
import * as bce from "../bce-with-logits.js";
import type { LossDims as ElementwiseLossDims } from "../loss-reduction.js";
import { checkedKernel, type ArrayArg, type DimsArg } from "../kernel-checks.js";

const classes: DimsArg<nll.LossDims> = {
  name: "d", role: "dims", integers: { N: 0, J: 1, inner: 1 },
  consistent: (d) => (typeof d.smoothing === "number" && d.smoothing >= 0 && d.smoothing <= 1 ? null : `smoothing must be a number in [0, 1], got ${String(d.smoothing)}`),
};
const nji = (name: string, role: "out" | "in", nullable?: true): ArrayArg<nll.LossDims> => ({ name, role, length: { text: "N·J·inner", of: (d) => d.N * d.J * d.inner }, nullable });
const ni = (name: string, role: "out" | "in"): ArrayArg<nll.LossDims> => ({ name, role, length: { text: "N·inner", of: (d) => d.N * d.inner } });
const labels: ArrayArg<nll.LossDims> = { name: "labels", role: "in", length: { text: "N·inner", of: (d) => d.N * d.inner }, int32: true };
const weight: ArrayArg<nll.LossDims> = { name: "weight", role: "in", length: { text: "J", of: (d) => d.J } };

// A label is a class in [0, J) or −1 (ignored: the op maps ignoreIndex to −1).
function labelsProblem({ labels: l }: Record<string, unknown>, d: nll.LossDims): string | null {
  const values = l as Int32Array;
  for (let s = 0; s < values.length; s++) {
    if (values[s]! < -1 || values[s]! >= d.J) return `labels[${s}] = ${values[s]} is outside [0, ${d.J}) and is not −1 (ignored)`;
  }
  return null;
}
/** nll, smooth (N, inner) = the class-target loss terms of logProbs (N, J, inner); labels −1 are ignored. @function */
export const nllLossForward = checkedKernel("nllLossForward", nll.nllLossForward, {
  args: [ni("nll", "out"), ni("smooth", "out"), nji("logProbs", "in"), labels, weight, classes], contents: labelsProblem,
});
/** dlogProbs += the gradient of the nll and smooth terms, given gNll and gSmooth (N, inner). @function */
export const nllLossBackward = checkedKernel("nllLossBackward", nll.nllLossBackward, {
  args: [nji("dlogProbs", "out"), ni("gNll", "in"), ni("gSmooth", "in"), labels, weight, classes], contents: labelsProblem,
});
/** loss (N, inner) = −Σ_c w·t'·logProbs, t' = (1 − ε)·target + ε/J. @function */
export const probabilityLossForward = checkedKernel("probabilityLossForward", nll.probabilityLossForward, {
  args: [ni("loss", "out"), nji("logProbs", "in"), nji("target", "in"), weight, classes],
});
/** dlogProbs, dtarget += the probability-target loss's gradients (either may be null). @function */
export const probabilityLossBackward = checkedKernel("probabilityLossBackward", nll.probabilityLossBackward, {
  args: [nji("dlogProbs", "out", true), nji("dtarget", "out", true), ni("g", "in"), nji("logProbs", "in"), nji("target", "in"), weight, classes],
});

const elements: DimsArg<ElementwiseLossDims> = {
  name: "d", role: "dims", integers: { count: 0 },
  consistent: (d) => (["mean", "sum", "none"].includes(d.reduction) ? null : `reduction must be "mean", "sum" or "none", got ${JSON.stringify(d.reduction)}`),
};
const n = (name: string, role: "out" | "in", nullable?: true): ArrayArg<ElementwiseLossDims> => ({ name, role, length: { text: "count", of: (d) => d.count }, nullable });
const reduced = (name: string, role: "out" | "in"): ArrayArg<ElementwiseLossDims> =>
  ({ name, role, length: { text: "count for reduction \"none\", else 1", of: (d) => (d.reduction === "none" ? d.count : 1) } });
const regressionForward = { args: [reduced("loss", "out"), n("input", "in"), n("target", "in"), elements] };
const regressionBackward = { args: [n("dinput", "out", true), n("dtarget", "out", true), reduced("dloss", "in"), n("input", "in"), n("target", "in"), elements] };
/** loss = reduce((input − target)²). @function */ export const mseLossForward = checkedKernel("mseLossForward", reg.mseLossForward, regressionForward);
/** dinput += g·2(input − target), dtarget −= the same (either may be null). @function */ export const mseLossBackward = checkedKernel("mseLossBackward", reg.mseLossBackward, regressionBackward);
/** loss = reduce(|input − target|). @function */ export const l1LossForward = checkedKernel("l1LossForward", reg.l1LossForward, regressionForward);
/** dinput += g·sign(input − target), dtarget −= the same (either may be null). @function */ export const l1LossBackward = checkedKernel("l1LossBackward", reg.l1LossBackward, regressionBackward);
/** loss = reduce(binary cross-entropy of sigmoid(logits) and target), weight and posWeight broadcast or null. @function */
export const bceWithLogitsForward = checkedKernel("bceWithLogitsForward", bce.bceWithLogitsForward, {
  args: [reduced("loss", "out"), n("logits", "in"), n("target", "in"), n("weight", "in", true), n("posWeight", "in", true), elements],
});
/** dlogits, dtarget += its gradients (either may be null). @function */
export const bceWithLogitsBackward = checkedKernel("bceWithLogitsBackward", bce.bceWithLogitsBackward, {
  args: [n("dlogits", "out", true), n("dtarget", "out", true), reduced("dloss", "in"), n("logits", "in"), n("target", "in"), n("weight", "in", true), n("posWeight", "in", true), elements],
});
