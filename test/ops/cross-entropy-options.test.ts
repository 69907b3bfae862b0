// crossEntropy's options (reduction, weight, ignoreIndex, labelSmoothing),
// probability targets, K-dimensional and unbatched logits, and nllLoss: values
// and float64 gradient checks against a per-sample reference written straight
// from PyTorch's documented formulas, the modules, and typed errors.

import { describe, expect, it } from "vitest";
import { crossEntropy } from "../../src/ops/cross-entropy.js";
import { nllLoss } from "../../src/ops/nll-loss.js";
import { logSoftmax } from "../../src/ops/softmax.js";
import { nn } from "../../src/index.js";
import { tensor, zeros, ones } from "../../src/tensor/create.js";
import type { CrossEntropyOptions, Reduction } from "../../src/ops/loss-options.js";
import { checkGradients } from "../helpers/gradcheck.js";
import { expectError } from "../helpers/errors.js";
import { randn64, rng, uniform64 } from "../helpers/random.js";

interface RefOptions {
  reduction?: Reduction;
  weight?: number[];
  ignoreIndex?: number;
  labelSmoothing?: number;
  /** nllLoss: the input already holds log-probabilities. */
  logProbsGiven?: boolean;
}

/**
 * Float64 cross-entropy (or NLL) per PyTorch's docs: sample s = (n, i) of input (N, C, I) or (C);
 * l_s = −w[y]·((1−ε)·lp[y] + ε/C·Σ_c w[c]/w[y]·lp[c]) for labels, −Σ_c w[c]·t'[c]·lp[c] for probabilities;
 * mean divides by Σ w[y] over samples not ignored (labels), or by the sample count (probabilities).
 */
function lossRef(x: ArrayLike<number>, shape: readonly number[], target: { labels: number[] } | { probs: ArrayLike<number> }, o: RefOptions): number[] {
  const C = shape.length === 1 ? shape[0]! : shape[1]!, N = shape.length === 1 ? 1 : shape[0]!;
  const I = shape.slice(2).reduce((a, b) => a * b, 1);
  const w = o.weight ?? new Array<number>(C).fill(1), eps = o.labelSmoothing ?? 0, ignore = o.ignoreIndex ?? -100;
  const losses: number[] = [];
  let denominator = 0;
  for (let s = 0; s < N * I; s++) {
    const at = (c: number) => (Math.floor(s / I) * C + c) * I + (s % I);
    const z = Array.from({ length: C }, (_, c) => x[at(c)]!);
    const m = Math.max(...z), lse = m + Math.log(z.reduce((a, v) => a + Math.exp(v - m), 0));
    const lp = z.map((v) => (o.logProbsGiven ? v : v - lse));
    if ("labels" in target) {
      const y = target.labels[s]!;
      if (y === ignore) { losses.push(0); continue; }
      denominator += w[y]!;
      losses.push(-(1 - eps) * w[y]! * lp[y]! - (eps / C) * lp.reduce((a, v, c) => a + w[c]! * v, 0));
    } else {
      denominator += 1;
      losses.push(-lp.reduce((a, v, c) => a + w[c]! * ((1 - eps) * target.probs[at(c)]! + eps / C) * v, 0));
    }
  }
  const total = losses.reduce((a, b) => a + b, 0);
  return o.reduction === "none" ? losses : [o.reduction === "sum" ? total : total / denominator];
}

interface Case {
  name: string;
  shape: number[];
  options: RefOptions;
  /** Labels per sample (−100 or options.ignoreIndex: ignored), or "probs" for a probability target. */
  labels: number[] | "probs";
}

const CASES: Case[] = [
  { name: "sum", shape: [4, 3], options: { reduction: "sum" }, labels: [0, 2, 1, 2] },
  { name: "none", shape: [4, 3], options: { reduction: "none" }, labels: [0, 2, 1, 2] },
  { name: "ignoreIndex default −100", shape: [4, 3], options: {}, labels: [0, -100, 1, -100] },
  { name: "ignoreIndex 1, mean", shape: [5, 3], options: { ignoreIndex: 1 }, labels: [0, 1, 2, 1, 2] },
  { name: "labelSmoothing 0.1", shape: [4, 3], options: { labelSmoothing: 0.1 }, labels: [0, 2, 1, 2] },
  { name: "weight", shape: [4, 3], options: { weight: [0.5, 2, 1.25] }, labels: [0, 2, 1, 2] },
  { name: "weight + labelSmoothing + ignoreIndex, mean", shape: [5, 3], options: { weight: [0.5, 2, 1.25], labelSmoothing: 0.2, ignoreIndex: 0 }, labels: [0, 2, 1, 0, 2] },
  { name: "weight + labelSmoothing + ignoreIndex, none", shape: [5, 3], options: { weight: [0.5, 2, 1.25], labelSmoothing: 0.3, ignoreIndex: 2, reduction: "none" }, labels: [0, 2, 1, 0, 2] },
  { name: "labelSmoothing + ignoreIndex, sum", shape: [5, 3], options: { labelSmoothing: 0.25, reduction: "sum" }, labels: [0, -100, 1, 0, 2] },
  { name: "K-dim (2, 3, 2, 2), mean (the fused path)", shape: [2, 3, 2, 2], options: {}, labels: [0, 1, 2, 0, 1, 1, 2, 0] },
  { name: "K-dim (2, 3, 4), weight + ignoreIndex, none", shape: [2, 3, 4], options: { weight: [1, 3, 0.5], ignoreIndex: 1, reduction: "none" }, labels: [0, 1, 2, 0, 2, 1, 2, 0] },
  { name: "unbatched (4), labelSmoothing", shape: [4], options: { labelSmoothing: 0.1 }, labels: [3] },
  { name: "probabilities", shape: [3, 4], options: {}, labels: "probs" },
  { name: "probabilities + weight + labelSmoothing, sum", shape: [3, 4], options: { weight: [1, 2, 0.5, 1.5], labelSmoothing: 0.2, reduction: "sum" }, labels: "probs" },
  { name: "probabilities, K-dim (2, 3, 2), none", shape: [2, 3, 2], options: { reduction: "none" }, labels: "probs" },
  { name: "probabilities, unbatched (5)", shape: [5], options: { labelSmoothing: 0.05 }, labels: "probs" },
];

function torchletOptions(o: RefOptions): CrossEntropyOptions {
  const { weight, logProbsGiven: _, ...rest } = o;
  return weight === undefined ? rest : { ...rest, weight: tensor(weight) };
}

describe("crossEntropy options: values and float64 gradchecks against the per-sample reference", () => {
  for (const c of CASES) {
    it(c.name, () => {
      const g = rng(c.name.length * 31 + c.shape.length);
      const numel = c.shape.reduce((a, b) => a * b, 1);
      const logits = { name: "logits", data: randn64(g, numel, 2), shape: c.shape };
      if (c.labels === "probs") {
        // random positive targets normalised over the classes are not needed: PyTorch takes any real target, so does the reference
        const probs = { name: "target", data: uniform64(g, numel, 0, 1), shape: c.shape };
        checkGradients({
          inputs: [logits, probs],
          reference: ([x, t]) => lossRef(x!, c.shape, { probs: t! }, c.options),
          op: ([x, t]) => crossEntropy(x!, t!, torchletOptions(c.options)),
          generator: g,
        });
        return;
      }
      const labels = c.labels;
      const target = c.shape.length === 1 ? labels[0]! : tensor(labels, [c.shape[0]!, ...c.shape.slice(2)]);
      checkGradients({
        inputs: [logits],
        reference: ([x]) => lossRef(x!, c.shape, { labels }, c.options),
        op: ([x]) => crossEntropy(x!, target, torchletOptions(c.options)),
        generator: g,
      });
    });
  }

  it("a batch whose every label is ignored has a NaN mean and a 0 sum, as PyTorch", () => {
    expect(crossEntropy(zeros(2, 3), [-100, -100]).item()).toBeNaN();
    expect(crossEntropy(zeros(2, 3), [-100, -100], { reduction: "sum" }).item()).toBe(0);
  });

  it("the LeNet call (mean, no options) still takes the fused path: same values as the general path with an unused option", () => {
    const g = rng(5);
    const logits = tensor(Array.from(randn64(g, 40, 3)), [10, 4]);
    const labels = [0, 1, 2, 3, 0, 1, 2, 3, 1, 1];
    const fused = crossEntropy(logits, labels).item();
    const general = crossEntropy(logits, labels, { labelSmoothing: 0, weight: ones(4) }).item();
    expect(Math.abs(fused - general)).toBeLessThan(1e-6);
  });
});

describe("nllLoss", () => {
  const nllCases: Case[] = [
    { name: "mean", shape: [4, 3], options: {}, labels: [0, 2, 1, 2] },
    { name: "weight + ignoreIndex, sum", shape: [5, 3], options: { weight: [0.5, 2, 1.25], ignoreIndex: 1, reduction: "sum" }, labels: [0, 1, 2, 1, 2] },
    { name: "K-dim (2, 3, 2), weight, none", shape: [2, 3, 2], options: { weight: [1, 2, 3], reduction: "none" }, labels: [0, 1, 2, 2] },
    { name: "unbatched (4), weight", shape: [4], options: { weight: [1, 2, 3, 4] }, labels: [2] },
  ];
  for (const c of nllCases) {
    it(`${c.name}: values and float64 gradcheck`, () => {
      const g = rng(c.name.length + 7);
      const labels = c.labels as number[];
      const target = c.shape.length === 1 ? labels[0]! : tensor(labels, [c.shape[0]!, ...c.shape.slice(2)]);
      checkGradients({
        inputs: [{ name: "input", data: randn64(g, c.shape.reduce((a, b) => a * b, 1)), shape: c.shape }],
        reference: ([x]) => lossRef(x!, c.shape, { labels }, { ...c.options, logProbsGiven: true }),
        op: ([x]) => nllLoss(x!, target, torchletOptions(c.options)),
        generator: g,
      });
    });
  }

  it("nllLoss(logSoftmax(x, 1)) is crossEntropy(x), with the same options", () => {
    const x = tensor(Array.from(randn64(rng(3), 12)), [4, 3]);
    const o = { weight: tensor([1, 2, 0.5]), ignoreIndex: 2, reduction: "sum" as const };
    expect(nllLoss(logSoftmax(x, 1), [0, 2, 1, 1], o).item()).toBeCloseTo(crossEntropy(x, [0, 2, 1, 1], o).item(), 5);
  });
});

describe("nn.CrossEntropyLoss and nn.NLLLoss keep their options", () => {
  it("forward passes them to the function", () => {
    const x = tensor(Array.from(randn64(rng(9), 12)), [4, 3]);
    const options = { reduction: "none" as const, labelSmoothing: 0.1, weight: tensor([1, 2, 3]), ignoreIndex: 0 };
    expect(new nn.CrossEntropyLoss(options).forward(x, [0, 1, 2, 1]).toArray()).toEqual(crossEntropy(x, [0, 1, 2, 1], options).toArray());
    expect(new nn.NLLLoss({ reduction: "sum" }).forward(x, [0, 1, 2, 1]).item()).toBeCloseTo(-(x.data[0]! + x.data[4]! + x.data[8]! + x.data[10]!), 5);
  });

  it("bad options are refused when the module is built", () => {
    expectError(() => new nn.CrossEntropyLoss({ reduction: "avg" as Reduction }), "INVALID_ARGUMENT", ["CrossEntropyLoss:", 'reduction must be "mean", "sum" or "none", got "avg"']);
    expectError(() => new nn.NLLLoss({ weight: tensor([[1, 2]]) }), "SHAPE_MISMATCH", ["NLLLoss:", "weight must have one value per class"]);
  });
});

describe("crossEntropy and nllLoss typed errors", () => {
  const logits = zeros(3, 4);
  it("a label out of range names ignoreIndex", () => {
    expectError(() => crossEntropy(logits, [0, 4, 1]), "OUT_OF_RANGE", ["crossEntropy:", "label 4 at index 1", "[0, 4)", "not ignoreIndex (-100)"]);
    expectError(() => crossEntropy(logits, [0, -1, 1], { ignoreIndex: 3 }), "OUT_OF_RANGE", ["label -1 at index 1", "not ignoreIndex (3)"]);
    expectError(() => nllLoss(logits, [7, 0, 0]), "OUT_OF_RANGE", ["nllLoss:", "label 7 at index 0"]);
  });

  it("a weight of the wrong length or kind", () => {
    expectError(() => crossEntropy(logits, [0, 1, 2], { weight: ones(3) }), "SHAPE_MISMATCH", ["crossEntropy:", "weight must have one value per class, shape [4], got shape [3]"]);
    expectError(() => crossEntropy(logits, [0, 1, 2], { weight: [1, 1, 1, 1] as unknown as ReturnType<typeof ones> }), "INVALID_ARGUMENT", ["weight must be a Tensor of 4 class weights"]);
    expectError(() => crossEntropy(logits, [0, 1, 2], { weight: ones([4], { requiresGrad: true }) }), "INVALID_ARGUMENT", ["weight requires grad", "weight.detach()"]);
  });

  it("a target shape that fits neither class indices nor probabilities", () => {
    expectError(() => crossEntropy(logits, zeros(3, 1)), "SHAPE_MISMATCH", ["target shape [3,1] does not fit input shape [3,4]", "class indices of shape [3]", "probabilities of shape [3,4]"]);
    expectError(() => crossEntropy(zeros(2, 4, 5), tensor([0, 1, 2, 3, 0, 1, 2, 3, 0, 1], [5, 2])), "SHAPE_MISMATCH", ["target shape [5,2]", "class indices of shape [2,5]"]);
    expectError(() => nllLoss(logits, zeros(3, 4)), "SHAPE_MISMATCH", ["nllLoss:", "got 12 labels for a batch of 3"]);
  });

  it("bad option values", () => {
    expectError(() => crossEntropy(logits, [0, 1, 2], { labelSmoothing: 1.5 }), "INVALID_ARGUMENT", ["labelSmoothing must be a number in [0, 1], got 1.5"]);
    expectError(() => crossEntropy(logits, [0, 1, 2], { ignoreIndex: 0.5 }), "INVALID_ARGUMENT", ["ignoreIndex must be an integer, got 0.5"]);
    expectError(() => crossEntropy(logits, [0, 1, 2], { reduction: "batchmean" as Reduction }), "INVALID_ARGUMENT", ['reduction must be "mean", "sum" or "none"']);
    expectError(() => crossEntropy(logits, zeros(3, 4), { ignoreIndex: 1 }), "INVALID_ARGUMENT", ["ignoreIndex applies to class-index targets", "probabilities"]);
  });
});
