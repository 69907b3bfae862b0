// Optimizers, learning-rate schedulers and gradient clipping against PyTorch 1.13: the values
// torch.optim, torch.optim.lr_scheduler and torch.nn.utils produced for the same configurations,
// committed in test/parity/optim-fixtures.json. Regenerate with
//   /usr/bin/python3 test/parity/make_optim_fixtures.py
// Tolerance: |a − b| ≤ 1e-6·|b| + 1e-7 per value (float32 rounding of the same float32 formulas,
// which torchlet evaluates partly in float64).

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Tensor, tensor } from "../../src/tensor/index.js";
import { Adam, AdamW, SGD, clipGradNorm, clipGradValue, lrScheduler, type Optimizer } from "../../src/nn/optim.js";
import { expectAllClose } from "../helpers/close.js";
import { expectError } from "../helpers/errors.js";

const RTOL = 1e-6, ATOL = 1e-7;

type Options = Record<string, unknown>;
type GroupSpec = { params: number[] } & Options;
interface OptimizerCase { name: string; kind: "SGD" | "Adam" | "AdamW"; options: Options; groups: GroupSpec[] | null; params: number[][][] }
interface SchedulerCase { name: string; kind: "StepLR" | "CosineAnnealingLR" | "OneCycleLR"; options: Options; optimizer: { kind: OptimizerCase["kind"]; options: Options; groups: GroupSpec[] | null }; lrs: number[][]; momentum: number[][] }
interface ClipCase { name: string; fn: "clipGradNorm" | "clipGradValue"; args: Options; before: number[][]; after: number[][]; norm: number | null }
interface Fixtures { torch: string; init: number[][]; shapes: number[][]; grads: number[][][]; optimizers: OptimizerCase[]; schedulers: SchedulerCase[]; clip: ClipCase[] }

const fixtures = JSON.parse(readFileSync(new URL("../parity/optim-fixtures.json", import.meta.url), "utf8")) as Fixtures;

function makeParams(): Tensor[] {
  return fixtures.init.map((v, i) => tensor(v, fixtures.shapes[i], { requiresGrad: true }));
}

function makeOptimizer(kind: OptimizerCase["kind"], params: Tensor[], options: Options, groups: GroupSpec[] | null): Optimizer {
  const specs = groups === null ? params : groups.map((g) => ({ ...g, params: g.params.map((i) => params[i]!) }));
  const Kind = { SGD, Adam, AdamW }[kind];
  return new Kind(specs as never, options as never);
}

describe(`optimizers against PyTorch ${fixtures.torch}, ${fixtures.grads.length} steps each`, () => {
  it("covers every option of SGD, Adam and AdamW, and parameter groups", () => {
    const keys = new Set(fixtures.optimizers.flatMap((c) => [...Object.keys(c.options), ...(c.groups ?? []).flatMap((g) => Object.keys(g))]));
    for (const key of ["lr", "momentum", "dampening", "nesterov", "weightDecay", "maximize", "betas", "eps", "amsgrad"]) expect(keys).toContain(key);
    expect(new Set(fixtures.optimizers.map((c) => c.kind))).toEqual(new Set(["SGD", "Adam", "AdamW"]));
  });

  for (const c of fixtures.optimizers) {
    it(`${c.name}: ${c.kind}(${JSON.stringify(c.options)})${c.groups ? ` groups ${JSON.stringify(c.groups)}` : ""}`, () => {
      const params = makeParams();
      const optimizer = makeOptimizer(c.kind, params, c.options, c.groups);
      c.params.forEach((expected, step) => {
        optimizer.zeroGrad();
        params.forEach((p, i) => (p.grad = tensor(fixtures.grads[step]![i]!, p.shape)));
        optimizer.step();
        params.forEach((p, i) => expectAllClose(p.data, expected[i]!, RTOL, ATOL, `${c.name} step ${step + 1} param ${i}`));
      });
      // The parameters moved: the comparison was not vacuous.
      expect(Array.from(params[0]!.data)).not.toEqual(fixtures.init[0]!.map(Math.fround));
    });
  }
});

function makeScheduler(c: SchedulerCase): { optimizer: Optimizer; scheduler: lrScheduler.LRScheduler } {
  const optimizer = makeOptimizer(c.optimizer.kind, makeParams(), c.optimizer.options, c.optimizer.groups);
  const Kind = { StepLR: lrScheduler.StepLR, CosineAnnealingLR: lrScheduler.CosineAnnealingLR, OneCycleLR: lrScheduler.OneCycleLR }[c.kind];
  return { optimizer, scheduler: new Kind(optimizer, c.options as never) };
}

const momentumOf = (optimizer: Optimizer): number[] =>
  optimizer.paramGroups.map((g) => ("betas" in g ? (g.betas as number[])[0]! : (g as unknown as { momentum: number }).momentum));

describe(`lrScheduler against PyTorch ${fixtures.torch}`, () => {
  for (const c of fixtures.schedulers) {
    it(`${c.name}: ${c.kind}(${JSON.stringify(c.options)}) over ${c.lrs.length - 1} steps: lr and momentum of every group`, () => {
      const { optimizer, scheduler } = makeScheduler(c);
      c.lrs.forEach((expected, step) => {
        if (step > 0) scheduler.step();
        expectAllClose(scheduler.getLastLr(), expected, RTOL, 1e-12, `${c.name} lr after step ${step}`);
        expectAllClose(optimizer.paramGroups.map((g) => g.lr), expected, RTOL, 1e-12, `${c.name} group lr after step ${step}`);
        expectAllClose(momentumOf(optimizer), c.momentum[step]!, RTOL, 1e-12, `${c.name} momentum after step ${step}`);
      });
      expect(new Set(c.lrs.map((lrs) => lrs[0])).size).toBeGreaterThan(1); // the schedule moved
    });
  }

  it("OneCycleLR refuses a step past totalSteps, as PyTorch does", () => {
    const c = fixtures.schedulers.find((s) => s.name === "one_cycle_sgd")!;
    const { scheduler } = makeScheduler(c);
    for (let i = 0; i < 12; i++) scheduler.step();
    expectError(() => scheduler.step(), "OUT_OF_RANGE", "OneCycleLR.step", "14 times", "totalSteps 12");
  });

  it("the scheduled lr and momentum are what the next optimizer step uses", () => {
    const c = fixtures.schedulers.find((s) => s.name === "one_cycle_sgd")!;
    const { optimizer, scheduler } = makeScheduler(c);
    scheduler.step();
    const [p] = optimizer.params;
    const theta = Array.from(p!.data), grad = [1, -2, 0.5];
    p!.grad = tensor(grad);
    optimizer.step(); // first momentum step: the buffer is g, so θ −= lr·g with the scheduled lr
    expectAllClose(p!.data, theta.map((v, i) => v - c.lrs[1]![0]! * grad[i]!), 1e-6, 1e-7, "θ after the scheduled step");
  });
});

describe(`clipGradNorm / clipGradValue against PyTorch ${fixtures.torch}`, () => {
  for (const c of fixtures.clip) {
    it(`${c.name}: ${c.fn}(${JSON.stringify(c.args)})`, () => {
      const params = makeParams();
      params.forEach((p, i) => (p.grad = tensor(c.before[i]!, p.shape)));
      if (c.fn === "clipGradNorm") {
        const norm = clipGradNorm(params, c.args.maxNorm as number, (c.args.normType as number | "inf" | undefined) ?? 2);
        expect(norm.shape).toEqual([]);
        expectAllClose([norm.item()], [c.norm!], RTOL, 0, `${c.name} norm`);
      } else {
        clipGradValue(params, c.args.clipValue as number);
      }
      params.forEach((p, i) => expectAllClose(p.grad!.data, c.after[i]!, RTOL, ATOL, `${c.name} grad ${i}`));
    });
  }
});
