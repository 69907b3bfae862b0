// Nothing an optimizer, scheduler or clipping function is given is silently ignored: unknown keys
// (with PyTorch's spellings suggested back), extra positional arguments, PyTorch-only options,
// out-of-range values, and parameter groups changed between steps. Plus the state of groups,
// the settable lr, and state dicts of the lazily kept buffers (SGD momentum, AMSGrad maxima).

import { describe, expect, it } from "vitest";
import { Tensor, tensor } from "../../src/tensor/index.js";
import { Adam, AdamW, SGD, clipGradNorm, clipGradValue, lrScheduler } from "../../src/nn/optim.js";
import { expectError } from "../helpers/errors.js";

const params = (): Tensor[] => [tensor([0.5, -1.25, 2], [3], { requiresGrad: true }), tensor([0.1, 0.2, -0.3, 4], [2, 2], { requiresGrad: true })];
const junk = <T>(value: unknown): T => value as T;
const withGrads = (ps: Tensor[], scale = 1): Tensor[] => {
  ps.forEach((p, i) => (p.grad = tensor(Array.from({ length: p.numel }, (_, j) => scale * (j + 1) * (i % 2 === 0 ? 1 : -1)), p.shape)));
  return ps;
};

describe("unknown options, extra arguments, PyTorch-only options", () => {
  it("PyTorch spellings are refused with the torchlet name suggested", () => {
    expectError(() => new SGD(params(), junk({ lr: 0.1, weight_decay: 0.1 })), "INVALID_ARGUMENT", 'SGD: unknown option "weight_decay"', 'did you mean "weightDecay"?');
    expectError(() => new Adam(params(), junk({ amsGrad: true })), "INVALID_ARGUMENT", 'Adam: unknown option "amsGrad"', '"amsgrad"');
    expectError(() => new AdamW(params(), junk({ beta: [0.9, 0.99] })), "INVALID_ARGUMENT", 'AdamW: unknown option "beta"', '"betas"');
    expectError(() => new SGD(params(), junk({ lr: 0.1, nestrov: true })), "INVALID_ARGUMENT", '"nesterov"');
    expectError(() => new lrScheduler.StepLR(new SGD(params(), { lr: 1 }), junk({ step_size: 3 })), "INVALID_ARGUMENT", 'StepLR: unknown option "step_size"', '"stepSize"');
    expectError(() => new lrScheduler.CosineAnnealingLR(new SGD(params(), { lr: 1 }), junk({ T_max: 3 })), "INVALID_ARGUMENT", '"tMax"');
    expectError(() => new lrScheduler.OneCycleLR(new SGD(params(), { lr: 1 }), junk({ max_lr: 1, totalSteps: 3 })), "INVALID_ARGUMENT", '"maxLr"');
    expectError(() => clipGradNorm(params(), 1, 2, junk({ error_if_nonfinite: true })), "INVALID_ARGUMENT", '"errorIfNonfinite"');
  });

  it("an option inside a parameter group is checked the same way, naming the group", () => {
    const [a, b] = params();
    expectError(() => new SGD([{ params: [a!] }, junk<{ params: Tensor[] }>({ params: [b!], weight_decay: 0.1 })], { lr: 0.1 }), "INVALID_ARGUMENT", "paramGroups[1]", '"weight_decay"', '"weightDecay"');
  });

  it("extra positional arguments are refused, naming the first extra one", () => {
    const extra = (fn: (...args: unknown[]) => unknown) => fn;
    expectError(() => extra((...a) => new (SGD as unknown as new (...args: unknown[]) => SGD)(...a))(params(), { lr: 0.1 }, 0.9), "INVALID_ARGUMENT", "SGD: takes 2 arguments (params, options) but got 3", "0.9");
    expectError(() => new (Adam as unknown as new (...args: unknown[]) => Adam)(params(), {}, [0.9, 0.99]), "INVALID_ARGUMENT", "Adam: takes 2 arguments", "an array of length 2");
    expectError(() => new (AdamW as unknown as new (...args: unknown[]) => AdamW)(params(), {}, 0.01), "INVALID_ARGUMENT", "AdamW: takes 2 arguments");
    const opt = new SGD(params(), { lr: 1 });
    expectError(() => new (lrScheduler.StepLR as unknown as new (...args: unknown[]) => unknown)(opt, { stepSize: 1 }, 0.5), "INVALID_ARGUMENT", "StepLR: takes 2 arguments");
    const scheduler = new lrScheduler.StepLR(opt, { stepSize: 1 });
    expectError(() => (scheduler.step as (...a: unknown[]) => void)(5), "INVALID_ARGUMENT", "StepLR.step: takes no arguments", "5");
    expectError(() => (clipGradValue as (...a: unknown[]) => void)(params(), 1, 2), "INVALID_ARGUMENT", "clipGradValue: takes 2 arguments");
    expectError(() => (clipGradNorm as (...a: unknown[]) => unknown)(params(), 1, 2, {}, true), "INVALID_ARGUMENT", "clipGradNorm: takes 4 arguments");
  });

  it("options PyTorch has that torchlet does not implement say so", () => {
    expectError(() => new SGD(params(), junk({ lr: 0.1, foreach: true })), "INVALID_ARGUMENT", "SGD: option foreach is not supported");
    expectError(() => new Adam(params(), junk({ fused: true })), "INVALID_ARGUMENT", "Adam: option fused is not supported");
    expectError(() => new AdamW(params(), junk({ capturable: false })), "INVALID_ARGUMENT", "AdamW: option capturable is not supported");
    expectError(() => new lrScheduler.StepLR(new SGD(params(), { lr: 1 }), junk({ stepSize: 2, lastEpoch: 4 })), "INVALID_ARGUMENT", "StepLR: option lastEpoch is not supported");
  });
});

describe("bad values, each named", () => {
  it("SGD: dampening, nesterov's requirements, flags", () => {
    expectError(() => new SGD(params(), { lr: 0.1, dampening: 1.5 }), "INVALID_ARGUMENT", "dampening must be in [0, 1]", "1.5");
    expectError(() => new SGD(params(), { lr: 0.1, dampening: Number.NaN }), "INVALID_ARGUMENT", "dampening", "NaN");
    expectError(() => new SGD(params(), { lr: 0.1, nesterov: true }), "INVALID_ARGUMENT", "nesterov requires a momentum > 0 and zero dampening", "momentum 0");
    expectError(() => new SGD(params(), { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }), "INVALID_ARGUMENT", "dampening 0.1");
    expectError(() => new SGD(params(), junk({ lr: 0.1, nesterov: "yes" })), "INVALID_ARGUMENT", "nesterov must be true or false", '"yes"');
    expectError(() => new SGD(params(), junk({ lr: 0.1, maximize: 1 })), "INVALID_ARGUMENT", "maximize must be true or false", "1");
  });

  it("Adam and AdamW: amsgrad, maximize, eps, weight decay", () => {
    expectError(() => new Adam(params(), junk({ amsgrad: "true" })), "INVALID_ARGUMENT", "amsgrad must be true or false");
    expectError(() => new AdamW(params(), { weightDecay: -0.01 }), "INVALID_ARGUMENT", "AdamW", "weightDecay", "-0.01");
    expectError(() => new AdamW(params(), { eps: Infinity }), "INVALID_ARGUMENT", "eps", "Infinity");
    expectError(() => new AdamW(params(), { betas: [0.9, 1] }), "INVALID_ARGUMENT", "betas[1]", "got 1");
  });

  it("params: a tensor in two groups, a group without tensors, a group that is not an object", () => {
    const [a, b] = params();
    expectError(() => new SGD([{ params: [a!] }, { params: [a!, b!] }], { lr: 0.1 }), "INVALID_ARGUMENT", "appears twice");
    expectError(() => new SGD([a!, a!], { lr: 0.1 }), "INVALID_ARGUMENT", "appears twice");
    expectError(() => new SGD([{ params: [] }], { lr: 0.1 }), "INVALID_ARGUMENT", "paramGroups[0].params must be a non-empty array of Tensors");
    expectError(() => new Adam(junk([{ params: [a!] }, 3])), "INVALID_ARGUMENT", "groups { params, ...options }", "holding 3");
  });

  it("schedulers: sizes, factors, strategies and cycle lengths", () => {
    const opt = (): SGD => new SGD(params(), { lr: 0.1 });
    expectError(() => new lrScheduler.StepLR(opt(), { stepSize: 0 }), "INVALID_ARGUMENT", "stepSize", "≥ 1");
    expectError(() => new lrScheduler.StepLR(opt(), { stepSize: 2, gamma: -1 }), "INVALID_ARGUMENT", "gamma", "-1");
    expectError(() => new lrScheduler.StepLR(junk({ paramGroups: [] }), { stepSize: 2 }), "INVALID_ARGUMENT", "optimizer must be an Optimizer", "a plain object");
    expectError(() => new lrScheduler.CosineAnnealingLR(opt(), { tMax: 1.5 }), "INVALID_ARGUMENT", "tMax must be an integer");
    expectError(() => new lrScheduler.OneCycleLR(opt(), { maxLr: 0.1 }), "INVALID_ARGUMENT", "give totalSteps, or epochs and stepsPerEpoch");
    expectError(() => new lrScheduler.OneCycleLR(opt(), { maxLr: 0.1, totalSteps: 10, epochs: 2 }), "INVALID_ARGUMENT", "not both");
    expectError(() => new lrScheduler.OneCycleLR(opt(), { maxLr: [0.1, 0.2], totalSteps: 10 }), "INVALID_ARGUMENT", "maxLr must be one number or one per parameter group (1)");
    expectError(() => new lrScheduler.OneCycleLR(opt(), { maxLr: 0.1, totalSteps: 10, pctStart: 1.2 }), "INVALID_ARGUMENT", "pctStart must be in [0, 1]", "1.2");
    expectError(() => new lrScheduler.OneCycleLR(opt(), junk({ maxLr: 0.1, totalSteps: 10, annealStrategy: "cosine" })), "INVALID_ARGUMENT", 'annealStrategy must be "cos" or "linear"', '"cosine"');
    expectError(() => new lrScheduler.OneCycleLR(opt(), { maxLr: 0.1, totalSteps: 10, maxMomentum: 1 }), "INVALID_ARGUMENT", "maxMomentum must be in [0, 1)");
    expectError(() => new lrScheduler.OneCycleLR(opt(), { maxLr: 0.1, totalSteps: 10, pctStart: 0.1 }), "INVALID_ARGUMENT", "phase 1 of the cycle has zero length");
  });

  it("clipping: params, maxNorm, normType, clipValue", () => {
    expectError(() => clipGradNorm(junk([params()[0], "w"]), 1), "INVALID_ARGUMENT", "clipGradNorm: params must be a Tensor or an array of Tensors", '"w" at index 1');
    expectError(() => clipGradNorm(params(), -1), "INVALID_ARGUMENT", "maxNorm", "-1");
    expectError(() => clipGradNorm(params(), 1, 0), "INVALID_ARGUMENT", "normType", "got 0");
    expectError(() => clipGradNorm(params(), 1, junk("max")), "INVALID_ARGUMENT", "normType", '"max"');
    expectError(() => clipGradValue(params(), Number.NaN), "INVALID_ARGUMENT", "clipValue", "NaN");
  });
});

describe("parameter groups and the settable lr", () => {
  it("each group takes the options it names and the defaults otherwise, like PyTorch's param_groups", () => {
    const [a, b] = params();
    const opt = new SGD([{ params: [a!] }, { params: [b!], lr: 0.01, nesterov: true }], { lr: 0.1, momentum: 0.9 });
    expect(opt.paramGroups.map(({ params: ps, ...rest }) => [ps.length, rest])).toEqual([
      [1, { lr: 0.1, momentum: 0.9, dampening: 0, nesterov: false, weightDecay: 0, maximize: false }],
      [1, { lr: 0.01, momentum: 0.9, dampening: 0, nesterov: true, weightDecay: 0, maximize: false }],
    ]);
    expect(opt.params).toEqual([a, b]);
    expect(opt.lr).toBe(0.1);
  });

  it("setting lr sets every group's, and takes effect on the next step; a bad lr is refused", () => {
    const [a, b] = params();
    const opt = new SGD([{ params: [a!] }, { params: [b!], lr: 0.5 }], { lr: 0.1 });
    opt.lr = 0.25;
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.25, 0.25]);
    withGrads([a!, b!]);
    const before = Array.from(a!.data);
    opt.step();
    expect(Array.from(a!.data)).toEqual(before.map((v, i) => Math.fround(v - 0.25 * (i + 1))));
    expectError(() => (opt.lr = -1), "INVALID_ARGUMENT", "lr", "-1");
    expect(opt.lr).toBe(0.25);
  });

  it("a group changed by hand is checked at the next step, before anything moves", () => {
    const ps = withGrads(params());
    const opt = new Adam([{ params: [ps[0]!] }, { params: [ps[1]!] }]);
    const before = ps.map((p) => Array.from(p.data));
    opt.paramGroups[1]!.lr = Number.NaN;
    expectError(() => opt.step(), "INVALID_ARGUMENT", "paramGroups[1].lr", "NaN");
    opt.paramGroups[1]!.lr = 0.1;
    (opt.paramGroups[0] as unknown as Record<string, unknown>).weight_decay = 0.1;
    expectError(() => opt.step(), "INVALID_ARGUMENT", '"weight_decay"', '"weightDecay"');
    expect(ps.map((p) => Array.from(p.data))).toEqual(before);
    expect(opt.stateDict().step).toBe(0);
    expect(() => (opt.paramGroups[0]!.params as Tensor[]).push(ps[1]!)).toThrow(TypeError); // frozen: buffers are laid out by them
  });
});

describe("state dicts of lazily kept buffers", () => {
  it("SGD turned to momentum by OneCycleLR keeps a momentum buffer, saved and loaded", () => {
    const ps = params();
    const opt = new SGD(ps, { lr: 0.1 });
    expect(Object.keys(opt.stateDict().buffers)).toEqual([]);
    const scheduler = new lrScheduler.OneCycleLR(opt, { maxLr: 0.1, totalSteps: 10 });
    withGrads(ps);
    opt.step();
    scheduler.step();
    const state = opt.stateDict();
    expect(Object.keys(state.buffers)).toEqual(["momentum"]);
    const other = new SGD(params(), { lr: 0.1 });
    other.loadStateDict(state);
    expect(other.stateDict()).toEqual(state);
  });

  it("SGD momentum before a parameter's first update is an empty buffer (PyTorch's no state); dampening starts from it", () => {
    const ps = params();
    const opt = new SGD(ps, { lr: 1, momentum: 0.5, dampening: 0.5 });
    expect(opt.stateDict().buffers.momentum!.map((b) => b.length)).toEqual([0, 0]);
    ps[0]!.grad = tensor([1, 1, 1]);
    opt.step(); // first update of ps[0]: b = g (no dampening), ps[1] has no gradient
    expect(opt.stateDict().buffers.momentum!.map((b) => Array.from(b))).toEqual([[1, 1, 1], []]);
    opt.step(); // b = 0.5·1 + 0.5·1
    expect(Array.from(opt.stateDict().buffers.momentum![0]!)).toEqual([1, 1, 1]);
    expectError(() => opt.loadStateDict({ step: 1, buffers: { momentum: [new Float32Array(2), new Float32Array(0)] } }), "SHAPE_MISMATCH", 'buffer "momentum"[0] must be a Float32Array of 3 (or 0 before its first update)');
  });

  it("Adam with amsgrad saves its running maxima; a state with a buffer the optimizer does not keep is refused", () => {
    const ps = withGrads(params());
    const opt = new Adam(ps, { amsgrad: true });
    opt.step();
    const state = opt.stateDict();
    expect(Object.keys(state.buffers).sort()).toEqual(["m", "maxS", "s", "step"]);
    const plain = new Adam(params());
    plain.loadStateDict(state); // an Adam may take AMSGrad state (amsgrad can be turned on per group)
    state.buffers.maxS![0]![0] = -1;
    expectError(() => new Adam(params(), { amsgrad: true }).loadStateDict(state), "OUT_OF_RANGE", 'buffer "maxS"[0][0] is -1', "never negative");
    const sgdState = new SGD(withGrads(params()), { lr: 0.1, momentum: 0.9 });
    sgdState.step();
    expectError(() => new Adam(params()).loadStateDict(sgdState.stateDict()), "INVALID_ARGUMENT", 'state holds buffer "momentum", which Adam does not keep', "m, s, step, maxS");
  });
});

describe("clipping edge cases, as PyTorch 1.13", () => {
  it("parameters without a gradient are skipped; none at all gives norm 0", () => {
    const ps = params();
    expect(clipGradNorm(ps, 1).item()).toBe(0);
    ps[1]!.grad = tensor([3, 4, 0, 0], [2, 2]);
    expect(clipGradNorm(ps[1]!, 10).item()).toBeCloseTo(5, 6); // one tensor, not an array, works too
    expect(ps[0]!.grad).toBeNull();
  });

  it("a NaN gradient makes every gradient NaN unless errorIfNonfinite, which refuses and changes nothing", () => {
    const ps = params();
    ps[0]!.grad = tensor([1, Number.NaN, 2]);
    ps[1]!.grad = tensor([1, 2, 3, 4], [2, 2]);
    expectError(() => clipGradNorm(ps, 1, 2, { errorIfNonfinite: true }), "NON_FINITE", "total norm of order 2", "NaN");
    expect(Array.from(ps[1]!.grad.data)).toEqual([1, 2, 3, 4]);
    expect(Number.isNaN(clipGradNorm(ps, 1).item())).toBe(true);
    expect(Array.from(ps[1]!.grad.data).every(Number.isNaN)).toBe(true);
  });

  it("clipGradValue keeps NaN and clamps ±Infinity", () => {
    const p = tensor([0, 0, 0], [3], { requiresGrad: true });
    p.grad = tensor([Number.NaN, Infinity, -Infinity]);
    clipGradValue([p], 2);
    expect(Array.from(p.grad.data)).toEqual([Number.NaN, 2, -2]);
  });
});
