// SGD and Adam against float64 reimplementations written here from PyTorch's
// documented update rules (torch.optim.SGD / torch.optim.Adam, dampening 0,
// nesterov false, amsgrad false), over several steps with a fixed gradient sequence.

import { describe, expect, it } from "vitest";
import { Tensor, tensor } from "../../src/tensor/index.js";
import { mul, sum } from "../../src/ops/index.js";
import { Adam, SGD, type Optimizer, type OptimizerState } from "../../src/nn/optim.js";
import { expectError } from "../helpers/errors.js";

// Two parameters (3 + 4 values) and a fixed sequence of gradients for 6 steps.
const INIT = [
  [0.5, -1.25, 2],
  [0.1, 0.2, -0.3, 4],
];
const SHAPES = [[3], [2, 2]];
const GRADS = [
  [[1, -2, 0.5], [0.25, 0, -1, 3]],
  [[0.5, -1, 0.25], [-0.5, 1, 2, -3]],
  [[-1, 4, 1], [1e-3, -1e-3, 0.5, 0]],
  [[2, 2, -2], [0, 0, 0, 0]],
  [[0.1, -0.1, 0.3], [7, -7, 1, 1]],
  [[-0.75, 0.6, 0], [0.2, 0.3, -0.4, 0.5]],
].map((step) => step.map((g) => g.map(Math.fround)));

function makeParams(): Tensor[] {
  return INIT.map((v, i) => tensor(v, SHAPES[i], { requiresGrad: true }));
}

/** Sets each parameter's gradient through autograd: L = Σ_p Σ g_p ⊙ p, so ∂L/∂p = g_p exactly. */
function setGrads(params: Tensor[], grads: number[][], optimizer: Optimizer): void {
  optimizer.zeroGrad();
  params.forEach((p, i) => sum(mul(p, tensor(grads[i]!, p.shape))).backward());
}

/** θ in float64 after each step of a reference update rule. */
type Rule = (theta: number[][], grads: number[][], t: number) => void;

function sgdRule(lr: number, momentum = 0, weightDecay = 0): Rule {
  const buf: (number[] | null)[] = INIT.map(() => null);
  return (theta, grads) => {
    theta.forEach((th, p) => {
      // g_t = ∇ + λθ;  b_1 = g_1, b_t = μ b_{t−1} + g_t;  θ_t = θ_{t−1} − γ b_t
      const g = th.map((v, i) => grads[p]![i]! + weightDecay * v);
      let d = g;
      if (momentum !== 0) {
        buf[p] = buf[p] === null ? g : buf[p]!.map((b, i) => momentum * b + g[i]!);
        d = buf[p]!;
      }
      th.forEach((v, i) => (th[i] = v - lr * d[i]!));
    });
  };
}

function adamRule(lr: number, beta1: number, beta2: number, eps: number, weightDecay = 0): Rule {
  const m = INIT.map((v) => v.map(() => 0));
  const v2 = INIT.map((v) => v.map(() => 0));
  return (theta, grads, t) => {
    theta.forEach((th, p) => {
      for (let i = 0; i < th.length; i++) {
        // g = ∇ + λθ; m = β1 m + (1−β1) g; v = β2 v + (1−β2) g²; m̂ = m/(1−β1^t); v̂ = v/(1−β2^t); θ −= γ m̂/(√v̂ + ε)
        const g = grads[p]![i]! + weightDecay * th[i]!;
        m[p]![i] = beta1 * m[p]![i]! + (1 - beta1) * g;
        v2[p]![i] = beta2 * v2[p]![i]! + (1 - beta2) * g * g;
        const mHat = m[p]![i]! / (1 - beta1 ** t);
        const vHat = v2[p]![i]! / (1 - beta2 ** t);
        th[i] = th[i]! - (lr * mHat) / (Math.sqrt(vHat) + eps);
      }
    });
  };
}

/** Runs `steps` steps of the optimizer and of the reference, comparing θ after every step. */
function compare(makeOptimizer: (params: Tensor[]) => Optimizer, rule: Rule, steps: number, tol: number): void {
  const params = makeParams();
  const optimizer = makeOptimizer(params);
  const theta = INIT.map((v) => [...v]);
  for (let t = 1; t <= steps; t++) {
    setGrads(params, GRADS[t - 1]!, optimizer);
    optimizer.step();
    rule(theta, GRADS[t - 1]!, t);
    params.forEach((p, i) =>
      p.data.forEach((v, j) => {
        const e = theta[i]![j]!;
        expect(Math.abs(v - e), `step ${t}, param ${i}[${j}]: ${v} vs ${e}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(e)));
      }),
    );
  }
  // The parameters moved: the comparison was not vacuous.
  expect(Array.from(params[0]!.data)).not.toEqual(INIT[0]!.map(Math.fround));
}

describe("SGD against PyTorch's update rule", () => {
  it("plain SGD: θ −= lr·∇", () => {
    compare((ps) => new SGD(ps, { lr: 0.1 }), sgdRule(0.1), 6, 1e-6);
  });

  it("the first plain step by hand", () => {
    const [p] = makeParams();
    const opt = new SGD([p!], { lr: 0.5 });
    setGrads([p!], [GRADS[0]![0]!], opt);
    opt.step();
    // [0.5, −1.25, 2] − 0.5·[1, −2, 0.5]
    expect(Array.from(p!.data)).toEqual([0, -0.25, 1.75]);
  });

  it("SGD with momentum and weight decay", () => {
    compare((ps) => new SGD(ps, { lr: 0.05, momentum: 0.9, weightDecay: 0.01 }), sgdRule(0.05, 0.9, 0.01), 6, 1e-6);
  });

  it("SGD with momentum only, lr 0 leaves θ unchanged", () => {
    compare((ps) => new SGD(ps, { lr: 0.2, momentum: 0.5 }), sgdRule(0.2, 0.5), 6, 1e-6);
    const params = makeParams();
    const opt = new SGD(params, { lr: 0, momentum: 0.9 });
    setGrads(params, GRADS[0]!, opt);
    opt.step();
    expect(Array.from(params[1]!.data)).toEqual(INIT[1]!.map(Math.fround));
  });
});

describe("Adam against PyTorch's update rule", () => {
  it("default hyper-parameters (lr 1e-3, betas 0.9/0.999, eps 1e-8)", () => {
    compare((ps) => new Adam(ps), adamRule(1e-3, 0.9, 0.999, 1e-8), 6, 1e-6);
  });

  it("custom lr, betas, eps and weight decay", () => {
    compare((ps) => new Adam(ps, { lr: 0.1, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.05 }), adamRule(0.1, 0.8, 0.99, 1e-6, 0.05), 6, 2e-6);
  });

  it("the first step moves each θ by about lr·sign(g) (bias correction makes m̂/√v̂ = g/|g|)", () => {
    const [p] = makeParams();
    const opt = new Adam([p!], { lr: 0.01 });
    setGrads([p!], [GRADS[0]![0]!], opt);
    opt.step();
    const expected = [0.5 - 0.01, -1.25 + 0.01, 2 - 0.01];
    p!.data.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
  });
});

describe("Adam counts steps per parameter, as PyTorch does", () => {
  it("a parameter that first gets a gradient on step 3 takes a first-step-sized update (bias correction with t = 1)", () => {
    const [early, late] = makeParams();
    const opt = new Adam([early!, late!], { lr: 0.01 });
    for (let t = 0; t < 2; t++) {
      opt.zeroGrad();
      sum(mul(early!, tensor(GRADS[t]![0]!))).backward(); // late has no gradient yet
      opt.step();
    }
    expect([...late!.data]).toEqual(INIT[1]!.map(Math.fround)); // untouched while it had no gradient
    setGrads([early!, late!], GRADS[2]!, opt);
    opt.step();
    // first update of `late`: m̂/√v̂ = g/|g| exactly, so θ moves by lr·sign(g) (0 where g = 0)
    const expected = INIT[1]!.map((v, i) => v - 0.01 * Math.sign(GRADS[2]![1]![i]!));
    late!.data.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
  });
});

describe("parameters without a gradient", () => {
  for (const [name, make] of [
    ["SGD", (ps: Tensor[]) => new SGD(ps, { lr: 0.1, momentum: 0.9, weightDecay: 0.1 })],
    ["Adam", (ps: Tensor[]) => new Adam(ps, { lr: 0.1, weightDecay: 0.1 })],
  ] as const) {
    it(`${name} skips a parameter whose grad is null, and still updates the others`, () => {
      const params = makeParams();
      const opt = make(params);
      for (let t = 0; t < 3; t++) {
        opt.zeroGrad();
        sum(mul(params[0]!, tensor(GRADS[t]![0]!))).backward();
        expect(params[1]!.grad).toBeNull();
        opt.step();
      }
      // Weight decay would have moved it if it were not skipped.
      expect(Array.from(params[1]!.data)).toEqual(INIT[1]!.map(Math.fround));
      expect(Array.from(params[0]!.data)).not.toEqual(INIT[0]!.map(Math.fround));
    });
  }

  it("zeroGrad zeroes every parameter's gradient in place", () => {
    const params = makeParams();
    const opt = new SGD(params, { lr: 0.1 });
    setGrads(params, GRADS[0]!, opt);
    const buffers = params.map((p) => p.grad!.data);
    opt.zeroGrad();
    params.forEach((p, i) => {
      expect(p.grad!.data).toBe(buffers[i]);
      expect(p.grad!.data.every((v) => v === 0)).toBe(true);
    });
  });
});

describe("stateDict / loadStateDict", () => {
  const cases: [string, (ps: Tensor[]) => Optimizer][] = [
    ["SGD with momentum", (ps) => new SGD(ps, { lr: 0.05, momentum: 0.9, weightDecay: 0.01 })],
    ["Adam", (ps) => new Adam(ps, { lr: 0.05, betas: [0.8, 0.95] })],
    ["plain SGD", (ps) => new SGD(ps, { lr: 0.05 })],
  ];

  for (const [name, make] of cases) {
    it(`${name}: 5 steps equal 2 steps + save + new optimizer + load + 3 steps, bit for bit`, () => {
      const straight = makeParams();
      const a = make(straight);
      for (let t = 0; t < 5; t++) {
        setGrads(straight, GRADS[t]!, a);
        a.step();
      }

      const first = makeParams();
      const b = make(first);
      for (let t = 0; t < 2; t++) {
        setGrads(first, GRADS[t]!, b);
        b.step();
      }
      const saved = b.stateDict();
      const resumed = first.map((p) => tensor(Float32Array.from(p.data), p.shape, { requiresGrad: true }));
      const c = make(resumed);
      c.loadStateDict(saved);
      for (let t = 2; t < 5; t++) {
        setGrads(resumed, GRADS[t]!, c);
        c.step();
      }
      resumed.forEach((p, i) => expect(Array.from(p.data)).toEqual(Array.from(straight[i]!.data)));
      expect(c.stateDict().step).toBe(5);
    });
  }

  it("without loading the state, resuming gives different numbers (the state matters)", () => {
    const straight = makeParams();
    const a = new Adam(straight, { lr: 0.05 });
    for (let t = 0; t < 5; t++) {
      setGrads(straight, GRADS[t]!, a);
      a.step();
    }
    const first = makeParams();
    const b = new Adam(first, { lr: 0.05 });
    for (let t = 0; t < 2; t++) {
      setGrads(first, GRADS[t]!, b);
      b.step();
    }
    const c = new Adam(first, { lr: 0.05 });
    for (let t = 2; t < 5; t++) {
      setGrads(first, GRADS[t]!, c);
      c.step();
    }
    expect(Array.from(first[0]!.data)).not.toEqual(Array.from(straight[0]!.data));
  });

  it("stateDict is a copy: later steps do not change it", () => {
    const params = makeParams();
    const opt = new Adam(params, { lr: 0.1 });
    setGrads(params, GRADS[0]!, opt);
    opt.step();
    const saved = opt.stateDict();
    const m0 = Array.from(saved.buffers.m![0]!);
    expect(saved.step).toBe(1);
    expect(Object.keys(saved.buffers).sort()).toEqual(["m", "s", "step"]);
    setGrads(params, GRADS[1]!, opt);
    opt.step();
    expect(Array.from(saved.buffers.m![0]!)).toEqual(m0);
    expect(saved.step).toBe(1);
  });

  it("rejects a state with missing or wrong-sized buffers or a bad step, changing nothing", () => {
    const params = makeParams();
    const opt = new Adam(params, { lr: 0.1 });
    setGrads(params, GRADS[0]!, opt);
    opt.step();
    const before = opt.stateDict();
    const good = opt.stateDict();
    expectError(() => opt.loadStateDict({ step: 3, buffers: { m: good.buffers.m! } }), "SHAPE_MISMATCH", 'buffer "s"');
    expectError(
      () => opt.loadStateDict({ step: 3, buffers: { m: [new Float32Array(3), new Float32Array(5)], s: good.buffers.s! } }),
      "SHAPE_MISMATCH",
      'buffer "m"[1]',
      "4",
      "[2,2]",
    );
    expectError(() => opt.loadStateDict({ step: -1, buffers: good.buffers }), "INVALID_ARGUMENT", "step");
    expectError(() => opt.loadStateDict(null as unknown as OptimizerState), "INVALID_ARGUMENT");
    expect(opt.stateDict()).toEqual(before);
  });
});

describe("invalid options", () => {
  const params = (): Tensor[] => makeParams();

  it("SGD: negative, NaN or missing lr; momentum outside [0, 1); negative weight decay", () => {
    expectError(() => new SGD(params(), { lr: -0.1 }), "INVALID_ARGUMENT", "lr", "-0.1");
    expectError(() => new SGD(params(), { lr: Number.NaN }), "INVALID_ARGUMENT", "lr", "NaN");
    expectError(() => new SGD(params(), { lr: Infinity }), "INVALID_ARGUMENT", "lr", "Infinity");
    expectError(() => new SGD(params(), {} as { lr: number }), "INVALID_ARGUMENT", "lr", "undefined");
    expectError(() => new SGD(params(), undefined as unknown as { lr: number }), "INVALID_ARGUMENT", "options");
    expectError(() => new SGD(params(), { lr: 0.1, momentum: 1 }), "INVALID_ARGUMENT", "momentum", "[0, 1)", "got 1");
    expectError(() => new SGD(params(), { lr: 0.1, momentum: -0.5 }), "INVALID_ARGUMENT", "momentum", "-0.5");
    expectError(() => new SGD(params(), { lr: 0.1, weightDecay: -1 }), "INVALID_ARGUMENT", "weightDecay", "-1");
  });

  it("Adam: bad lr, betas out of range or malformed, negative eps", () => {
    expectError(() => new Adam(params(), { lr: -1 }), "INVALID_ARGUMENT", "lr", "-1");
    expectError(() => new Adam(params(), { lr: Number.NaN }), "INVALID_ARGUMENT", "lr", "NaN");
    expectError(() => new Adam(params(), { betas: [1, 0.999] }), "INVALID_ARGUMENT", "betas[0]", "got 1");
    expectError(() => new Adam(params(), { betas: [0.9, 1.5] }), "INVALID_ARGUMENT", "betas[1]", "1.5");
    expectError(() => new Adam(params(), { betas: [-0.1, 0.999] }), "INVALID_ARGUMENT", "betas[0]", "-0.1");
    expectError(() => new Adam(params(), { betas: [0.9] as unknown as [number, number] }), "INVALID_ARGUMENT", "betas");
    expectError(() => new Adam(params(), { eps: -1e-8 }), "INVALID_ARGUMENT", "eps");
    expectError(() => new Adam(params(), { weightDecay: Number.NaN }), "INVALID_ARGUMENT", "weightDecay");
  });

  it("empty or non-tensor params", () => {
    expectError(() => new SGD([], { lr: 0.1 }), "INVALID_ARGUMENT", "non-empty array of Tensors", "length 0");
    expectError(() => new Adam([]), "INVALID_ARGUMENT", "non-empty");
    expectError(() => new Adam([new Float32Array(3)] as unknown as Tensor[]), "INVALID_ARGUMENT", "Tensors");
    expectError(() => new SGD(undefined as unknown as Tensor[], { lr: 0.1 }), "INVALID_ARGUMENT", "undefined");
  });
});
