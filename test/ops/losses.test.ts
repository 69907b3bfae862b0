// mseLoss, l1Loss and binaryCrossEntropyWithLogits: hand-computed values, float64
// gradchecks for every reduction (input and target), L1's zero gradient at an
// exact fit, BCE's stability at huge logits, weight/posWeight broadcasting,
// the nn modules, and bad input.

import { describe, expect, it } from "vitest";
import { binaryCrossEntropyWithLogits, l1Loss, mseLoss, type Reduction } from "../../src/ops/index.js";
import { BCEWithLogitsLoss, L1Loss, MSELoss } from "../../src/nn/index.js";
import { Tensor, ones, tensor, zeros } from "../../src/tensor/index.js";
import { checkGradients } from "../helpers/gradcheck.js";
import { awayFromZero64, randn64, rng, uniform64, f32 } from "../helpers/random.js";
import { expectError } from "../helpers/errors.js";

const REDUCTIONS: Reduction[] = ["mean", "sum", "none"];

/** Reduces float64 per-element losses as PyTorch's reduction does. */
function reduce64(values: number[], reduction: Reduction): number[] {
  if (reduction === "none") return values;
  const total = values.reduce((a, b) => a + b, 0);
  return [reduction === "mean" ? total / values.length : total];
}

const softplus64 = (z: number): number => Math.log(1 + Math.exp(z)); // direct form: fine for the moderate logits of a gradcheck

describe("mseLoss and l1Loss", () => {
  it("by hand, each reduction", () => {
    const x = tensor([1, 2, 3]), t = tensor([1, 4, 0]);
    expect(mseLoss(x, t).item()).toBeCloseTo((0 + 4 + 9) / 3, 6);
    expect(mseLoss(x, t, { reduction: "sum" }).item()).toBe(13);
    expect(Array.from(mseLoss(x, t, { reduction: "none" }).data)).toEqual([0, 4, 9]);
    expect(l1Loss(x, t).item()).toBeCloseTo(5 / 3, 6);
    expect(l1Loss(x, t, { reduction: "sum" }).item()).toBe(5);
    expect(mseLoss(x, t).shape).toEqual([]);
    expect(l1Loss(tensor([[1, 2]]), tensor([[0, 0]]), { reduction: "none" }).shape).toEqual([1, 2]);
  });

  for (const reduction of REDUCTIONS) {
    it(`mseLoss gradcheck (input and target), reduction ${reduction}`, () => {
      const g = rng(11);
      checkGradients({
        inputs: [{ name: "input", data: randn64(g, 12), shape: [3, 4] }, { name: "target", data: randn64(g, 12), shape: [3, 4] }],
        reference: ([x, t]) => reduce64(Array.from(x!, (v, i) => (v - t![i]!) ** 2), reduction),
        op: ([x, t]) => mseLoss(x!, t!, { reduction }),
        generator: g,
      });
    });

    it(`l1Loss gradcheck (input and target), reduction ${reduction}`, () => {
      const g = rng(12);
      const t = randn64(g, 12);
      const x = Float64Array.from(awayFromZero64(g, 12, 0.05, 2), (d, i) => t[i]! + d); // |x − t| ≥ 0.05: away from the kink
      checkGradients({
        inputs: [{ name: "input", data: Float64Array.from(f32(x)), shape: [12] }, { name: "target", data: t, shape: [12] }],
        reference: ([a, b]) => reduce64(Array.from(a!, (v, i) => Math.abs(v - b![i]!)), reduction),
        op: ([a, b]) => l1Loss(a!, b!, { reduction }),
        generator: g,
      });
    });
  }

  it("l1Loss has gradient 0 at an exact fit (sign(0) = 0, as PyTorch)", () => {
    const x = tensor([1, 2, 3], [3], { requiresGrad: true });
    l1Loss(x, tensor([1, 0, 5]), { reduction: "sum" }).backward();
    expect(Array.from(x.grad!.data)).toEqual([0, 1, -1]);
  });

  it("the modules match the functions", () => {
    const x = tensor([0.5, -1, 2]), t = tensor([0, 1, 2]);
    expect(new MSELoss().forward(x, t).item()).toBe(mseLoss(x, t).item());
    expect(new L1Loss({ reduction: "sum" }).forward(x, t).item()).toBe(l1Loss(x, t, { reduction: "sum" }).item());
    expect(new MSELoss({ reduction: "none" }).reduction).toBe("none");
  });
});

describe("binaryCrossEntropyWithLogits", () => {
  it("by hand: logit 0 gives ln 2 whatever the target; a confident right answer gives ≈ 0", () => {
    expect(binaryCrossEntropyWithLogits(tensor([0, 0]), tensor([0, 1])).item()).toBeCloseTo(Math.LN2, 6);
    expect(binaryCrossEntropyWithLogits(tensor([20]), tensor([1])).item()).toBeCloseTo(0, 6);
    // x = ln 3: σ = 3/4, target 1 → −ln(3/4)
    expect(binaryCrossEntropyWithLogits(tensor([Math.log(3)]), tensor([1])).item()).toBeCloseTo(-Math.log(0.75), 6);
  });

  it("is finite and exact at huge logits (the log-sum-exp form never takes log 0)", () => {
    const x = tensor([1e4, -1e4, 1e4, -1e4], [4], { requiresGrad: true });
    const loss = binaryCrossEntropyWithLogits(x, tensor([1, 0, 0, 1]), { reduction: "none" });
    expect(Array.from(loss.data)).toEqual([0, 0, 1e4, 1e4]);
    loss.backward(ones(4));
    expect(Array.from(x.grad!.data)).toEqual([0, 0, 1, -1]);
  });

  for (const reduction of REDUCTIONS) {
    it(`gradcheck with weight and posWeight (broadcast), reduction ${reduction}`, () => {
      const g = rng(13);
      const w = f32(uniform64(g, 3, 0.5, 2)), p = f32(uniform64(g, 4, 0.5, 3));
      checkGradients({
        inputs: [{ name: "logits", data: randn64(g, 12, 2), shape: [3, 4] }, { name: "target", data: uniform64(g, 12, 0, 1), shape: [3, 4] }],
        reference: ([x, t]) => reduce64(Array.from(x!, (v, i) => {
          const wi = w[Math.floor(i / 4)]!, pi = p[i % 4]!, ti = t![i]!;
          return -wi * (pi * ti * Math.log(1 / (1 + Math.exp(-v))) + (1 - ti) * Math.log(1 - 1 / (1 + Math.exp(-v))));
        }), reduction),
        op: ([x, t]) => binaryCrossEntropyWithLogits(x!, t!, { reduction, weight: new Tensor(w, [3, 1]), posWeight: new Tensor(p, [4]) }),
        generator: g,
      });
    });
  }

  it("gradcheck without weights matches the softplus form", () => {
    const g = rng(14);
    checkGradients({
      inputs: [{ name: "logits", data: randn64(g, 6, 3), shape: [6] }, { name: "target", data: uniform64(g, 6, 0, 1), shape: [6] }],
      reference: ([x, t]) => reduce64(Array.from(x!, (v, i) => (1 - t![i]!) * v + softplus64(-v)), "mean"),
      op: ([x, t]) => binaryCrossEntropyWithLogits(x!, t!),
      generator: g,
    });
  });

  it("the module passes its options through", () => {
    const x = tensor([[0.3, -2]]), t = tensor([[1, 0]]), posWeight = tensor([2, 1]);
    expect(new BCEWithLogitsLoss({ posWeight, reduction: "sum" }).forward(x, t).item()).toBe(binaryCrossEntropyWithLogits(x, t, { posWeight, reduction: "sum" }).item());
  });
});

describe("loss bad input", () => {
  it("names the op, the shapes and the option", () => {
    expectError(() => mseLoss(zeros(2, 3), zeros(3, 2)), "SHAPE_MISMATCH", "mseLoss", "[2,3]", "[3,2]");
    expectError(() => l1Loss(zeros(2), [1, 2] as unknown as Tensor), "INVALID_ARGUMENT", "l1Loss", "target must be a Tensor");
    expectError(() => mseLoss(zeros(2), zeros(2), { reduction: "avg" as Reduction }), "INVALID_ARGUMENT", "mseLoss", '"avg"', '"mean", "sum" or "none"');
    expectError(() => mseLoss(zeros(0), zeros(0)), "SHAPE_MISMATCH", "empty");
    expect(mseLoss(zeros(0), zeros(0), { reduction: "sum" }).item()).toBe(0);
    expectError(() => mseLoss(zeros(2), zeros(2), { size_average: true } as object), "INVALID_ARGUMENT", 'unknown option "size_average", PyTorch\'s deprecated sizeAverage; did you mean "reduction"?');
    expectError(() => new MSELoss({ reduction: "max" as Reduction }), "INVALID_ARGUMENT", "MSELoss", '"max"');
    expectError(() => binaryCrossEntropyWithLogits(zeros(2, 3), zeros(2, 3), { weight: zeros(2) }), "SHAPE_MISMATCH", "weight [2]", "[2,3]", "dimension 0");
    expectError(() => binaryCrossEntropyWithLogits(zeros(3), zeros(3), { posWeight: zeros(2, 3) }), "SHAPE_MISMATCH", "posWeight [2,3]", "more dimensions");
    expectError(() => binaryCrossEntropyWithLogits(zeros(3), zeros(3), { weight: zeros(3, { requiresGrad: true }) }), "INVALID_ARGUMENT", "weight requires grad", "detach");
    expectError(() => new BCEWithLogitsLoss({ pos_weight: zeros(1) } as object), "INVALID_ARGUMENT", "pos_weight", "posWeight");
  });
});
