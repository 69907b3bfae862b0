// optimizer.addParamGroup (PyTorch's add_param_group) and the schedulers'
// stateDict/loadStateDict: a resumed schedule continues exactly as one never
// interrupted; states of another schedule, and groups added after a scheduler,
// are refused by name.

import { describe, expect, it } from "vitest";
import { Adam, SGD, lrScheduler } from "../../src/nn/optim.js";
import { Tensor, tensor } from "../../src/tensor/index.js";
import { expectError } from "../helpers/errors.js";

const param = (values: number[]) => tensor(values, undefined, { requiresGrad: true });
const withGrad = (p: Tensor, g: number[]): Tensor => {
  p.gradBuffer().set(g);
  return p;
};

describe("addParamGroup", () => {
  it("adds a group with its own lr, the defaults for the rest, and fresh state, as torch", () => {
    const a = param([1, 1]), b = param([1, 1]);
    const opt = new SGD([a], { lr: 0.1, momentum: 0.9 });
    opt.addParamGroup({ params: [b], lr: 0.5 });
    expect(opt.paramGroups).toHaveLength(2);
    expect(opt.paramGroups[1]!.lr).toBe(0.5);
    expect(opt.paramGroups[1]!.momentum).toBe(0.9);
    expect(opt.params).toEqual([a, b]);
    withGrad(a, [1, 1]);
    withGrad(b, [1, 1]);
    opt.step();
    opt.step(); // the momentum buffer of b exists and works: 1 − 0.5·1 − 0.5·(0.9 + 1)
    expect(a.data[0]).toBeCloseTo(1 - 0.1 - 0.1 * 1.9, 6); // the first group keeps lr 0.1
    expect(b.data[0]).toBeCloseTo(1 - 0.5 - 0.5 * 1.9, 6);
  });

  it("gives Adam's eagerly allocated moments to the new parameters", () => {
    const a = param([1]), b = param([2, 3]);
    const opt = new Adam([a], { lr: 0.1 });
    opt.addParamGroup({ params: [b] });
    withGrad(a, [1]);
    withGrad(b, [1, -1]);
    opt.step();
    expect(b.data[0]).toBeCloseTo(2 - 0.1, 5); // Adam's first step moves by lr·sign(g)
    expect(b.data[1]).toBeCloseTo(3 + 0.1, 5);
    expect(opt.stateDict().buffers.m!.map((m) => m.length)).toEqual([1, 2]);
    expect(opt.stateDict().buffers.s!.map((s) => s.length)).toEqual([1, 2]);
  });

  it("refuses a shared parameter, a bad group and an unknown option, leaving the optimizer unchanged", () => {
    const a = param([1]);
    const opt = new SGD([a], { lr: 0.1 });
    expectError(() => opt.addParamGroup({ params: [a] }), "INVALID_ARGUMENT", "SGD.addParamGroup", "already in another group");
    expectError(() => opt.addParamGroup([param([1])] as unknown as { params: Tensor[] }), "INVALID_ARGUMENT", "group must be an object { params");
    expectError(() => opt.addParamGroup({ params: [param([1])], lr: -1 }), "INVALID_ARGUMENT", "paramGroups[1].lr");
    expectError(() => opt.addParamGroup({ params: [param([1])], learningRate: 1 }), "INVALID_ARGUMENT", '"learningRate"');
    expect(opt.paramGroups).toHaveLength(1);
    expect(opt.params).toEqual([a]);
  });
});

describe("scheduler stateDict / loadStateDict", () => {
  const schedules: [string, (opt: SGD) => lrScheduler.LRScheduler][] = [
    ["StepLR", (opt) => new lrScheduler.StepLR(opt, { stepSize: 2, gamma: 0.5 })],
    ["CosineAnnealingLR", (opt) => new lrScheduler.CosineAnnealingLR(opt, { tMax: 4, etaMin: 0.01 })],
    ["OneCycleLR", (opt) => new lrScheduler.OneCycleLR(opt, { maxLr: 1, totalSteps: 10 })],
  ];

  for (const [name, make] of schedules) {
    it(`${name}: a schedule resumed from its state continues exactly as one never interrupted`, () => {
      const reference = new SGD([param([1])], { lr: 0.1, momentum: 0.9 });
      const schedule = make(reference);
      const lrs: number[] = [];
      for (let i = 0; i < 8; i++) {
        schedule.step();
        lrs.push(reference.paramGroups[0]!.lr);
      }
      const first = new SGD([param([1])], { lr: 0.1, momentum: 0.9 });
      const interrupted = make(first);
      for (let i = 0; i < 3; i++) interrupted.step();
      const saved = JSON.parse(JSON.stringify(interrupted.stateDict())) as lrScheduler.SchedulerState; // plain JSON
      expect(saved.last_epoch).toBe(3);
      expect(saved._step_count).toBe(4);
      const second = new SGD([param([1])], { lr: 0.1, momentum: 0.9 });
      const resumed = make(second);
      resumed.loadStateDict(saved);
      expect(resumed.lastEpoch).toBe(3);
      expect(second.paramGroups[0]!.lr).toBe(lrs[2]);
      expect(second.paramGroups[0]!.momentum).toBe(first.paramGroups[0]!.momentum);
      for (let i = 3; i < 8; i++) {
        resumed.step();
        expect(second.paramGroups[0]!.lr, `step ${i + 1}`).toBe(lrs[i]);
      }
    });
  }

  it("StepLR's state has PyTorch's keys", () => {
    const state = new lrScheduler.StepLR(new SGD([param([1])], { lr: 0.1 }), { stepSize: 3 }).stateDict();
    expect(Object.keys(state).sort()).toEqual(["_last_lr", "_step_count", "base_lrs", "gamma", "last_epoch", "step_size"]);
    expect(state).toMatchObject({ step_size: 3, gamma: 0.1, base_lrs: [0.1], last_epoch: 0, _last_lr: [0.1] });
  });

  it("refuses the state of another schedule, an unknown key, and a bad step count", () => {
    const opt = new SGD([param([1])], { lr: 0.1 });
    const scheduler = new lrScheduler.StepLR(opt, { stepSize: 3 });
    const other = new lrScheduler.StepLR(new SGD([param([1])], { lr: 0.1 }), { stepSize: 5 }).stateDict();
    expectError(() => scheduler.loadStateDict(other), "INVALID_ARGUMENT", "StepLR.loadStateDict", "step_size 5", "has 3");
    expectError(() => scheduler.loadStateDict({ ...scheduler.stateDict(), T_max: 3 }), "INVALID_ARGUMENT", '"T_max"');
    const { gamma: _gamma, ...withoutGamma } = scheduler.stateDict();
    expectError(() => scheduler.loadStateDict(withoutGamma as lrScheduler.SchedulerState), "NOT_FOUND", '"gamma"');
    expectError(() => scheduler.loadStateDict({ ...scheduler.stateDict(), last_epoch: 2 }), "INVALID_ARGUMENT", "_step_count 1 does not follow last_epoch 2");
    expectError(() => scheduler.loadStateDict({ ...scheduler.stateDict(), _last_lr: [0.1, 0.2] }), "INVALID_ARGUMENT", "_last_lr must hold 1");
    expect(scheduler.lastEpoch).toBe(0);
  });

  it("a group added after the scheduler was made is refused by name on step()", () => {
    const opt = new SGD([param([1])], { lr: 0.1 });
    const scheduler = new lrScheduler.StepLR(opt, { stepSize: 3 });
    opt.addParamGroup({ params: [param([2])] });
    expectError(() => scheduler.step(), "INVALID_STATE", "2 parameter groups", "had 1", "after addParamGroup");
  });
});
