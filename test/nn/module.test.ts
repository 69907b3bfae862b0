// Module: PyTorch parameter names, state dicts (shared data, atomic strict
// loads), train/eval, zeroGrad, and the printed layer tree.

import { describe, expect, it } from "vitest";
import { Generator, Tensor, randn, tensor, zeros } from "../../src/tensor/index.js";
import { sum } from "../../src/ops/index.js";
import { Conv2d, Flatten, Linear, Module, ReLU, Sequential, Sigmoid, type StateDict } from "../../src/nn/index.js";
import { lenet, lenetModern } from "../../src/lenet/index.js";
import { expectError } from "../helpers/errors.js";

const LENET_NAMES = ["1.weight", "1.bias", "4.weight", "4.bias", "8.weight", "8.bias", "10.weight", "10.bias", "12.weight", "12.bias"];
const LENET_SHAPES = [[6, 1, 5, 5], [6], [16, 6, 5, 5], [16], [120, 400], [120], [84, 120], [84], [10, 84], [10]];

function snapshot(net: Module): Float32Array[] {
  return net.parameters().map((p) => Float32Array.from(p.data));
}

function expectParamsEqual(net: Module, saved: Float32Array[]): void {
  const params = net.parameters();
  expect(params.length).toBe(saved.length);
  params.forEach((p, i) => expect(Array.from(p.data), `parameter ${i}`).toEqual(Array.from(saved[i]!)));
}

describe("parameter names", () => {
  it("lenet() has PyTorch's state_dict names and shapes", () => {
    const named = lenet({ generator: new Generator(0) }).namedParameters();
    expect(named.map(([name]) => name)).toEqual(LENET_NAMES);
    expect(named.map(([, p]) => [...p.shape])).toEqual(LENET_SHAPES);
    expect(lenetModern().namedParameters().map(([name]) => name)).toEqual(LENET_NAMES);
  });

  it("lenet() has 61,706 parameters (156 + 2,416 + 48,120 + 10,164 + 850)", () => {
    const counts = LENET_SHAPES.map((s) => s.reduce((a, b) => a * b, 1));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(61_706);
    expect(lenet().parameterCount()).toBe(61_706);
    expect(lenetModern().parameterCount()).toBe(61_706);
  });

  it("Sequential names children by index, nesting with dots; layers without parameters contribute none", () => {
    const net = new Sequential(new ReLU(), new Linear(3, 2), new Sequential(new Sigmoid(), new Linear(2, 2, { bias: false })), new Flatten());
    expect(net.namedParameters().map(([n]) => n)).toEqual(["1.weight", "1.bias", "2.1.weight"]);
    expect(net.parameterCount()).toBe(3 * 2 + 2 + 2 * 2);
    expect(net.length).toBe(4);
    expect(net.namedChildren().map(([n, m]) => `${n}:${m.typeName}`)).toEqual(["0:ReLU", "1:Linear", "2:Sequential", "3:Flatten"]);
  });

  it("parameters are leaf tensors with requiresGrad", () => {
    for (const p of lenet().parameters()) {
      expect(p.isLeaf).toBe(true);
      expect(p.requiresGrad).toBe(true);
    }
  });

  it("a custom Module registers parameters and children under its own names", () => {
    class Affine extends Module {
      readonly scale = this.registerParameter("scale", tensor([2, 3]));
      readonly inner = this.registerModule("inner", new Linear(2, 1));
      forward(x: Tensor): Tensor {
        return this.inner.forward(x);
      }
    }
    const m = new Affine();
    expect(m.scale.requiresGrad).toBe(true);
    expect(m.namedParameters().map(([n]) => n)).toEqual(["scale", "inner.weight", "inner.bias"]);
    expect(m.namedParameters("model.").map(([n]) => n)).toEqual(["model.scale", "model.inner.weight", "model.inner.bias"]);
  });

  it("rejects names with dots, empty names and non-leaf parameters", () => {
    class Bad extends Module {
      constructor(kind: "dot" | "empty" | "nonleaf" | "child") {
        super();
        if (kind === "dot") this.registerParameter("a.b", zeros(1));
        if (kind === "empty") this.registerParameter("", zeros(1));
        if (kind === "nonleaf") this.registerParameter("w", sum(zeros([2], { requiresGrad: true })));
        if (kind === "child") this.registerModule("c", {} as Module);
      }
      forward(x: Tensor): Tensor {
        return x;
      }
    }
    expectError(() => new Bad("dot"), "INVALID_ARGUMENT", "without dots", '"a.b"');
    expectError(() => new Bad("empty"), "INVALID_ARGUMENT", "non-empty");
    expectError(() => new Bad("nonleaf"), "INVALID_ARGUMENT", '"w"', "leaf");
    expectError(() => new Bad("child"), "INVALID_ARGUMENT", '"c"', "Module");
  });
});

describe("stateDict / loadStateDict", () => {
  const input = randn([2, 1, 28, 28], { generator: new Generator(5) });

  it("stateDict shares data with the parameters and is detached", () => {
    const net = lenet({ generator: new Generator(1) });
    const state = net.stateDict();
    expect(Object.keys(state)).toEqual(LENET_NAMES);
    const params = net.namedParameters();
    for (const [name, p] of params) {
      expect(state[name]!.data).toBe(p.data);
      expect(state[name]!.shape).toEqual(p.shape);
      expect(state[name]!.gradFn).toBeNull();
      expect(state[name]!.requiresGrad).toBe(false);
    }
    state["12.bias"]!.data[3] = 42;
    expect(params[9]![1].data[3]).toBe(42);
  });

  it("round trip between two differently seeded nets gives identical outputs", () => {
    const a = lenet({ generator: new Generator(1) });
    const b = lenet({ generator: new Generator(2) });
    const ya = a.forward(input);
    expect(Array.from(b.forward(input).data)).not.toEqual(Array.from(ya.data));
    expect(b.loadStateDict(a.stateDict())).toBe(b);
    expect(Array.from(b.forward(input).data)).toEqual(Array.from(ya.data));
    // Loading copies: the two nets do not share buffers afterwards.
    a.parameters()[0]!.data[0] = 123;
    expect(b.parameters()[0]!.data[0]).not.toBe(123);
  });

  it("a missing name is NOT_FOUND naming it, and leaves the target unchanged", () => {
    const target = lenet({ generator: new Generator(3) });
    const before = snapshot(target);
    const state: StateDict = { ...lenet({ generator: new Generator(4) }).stateDict() };
    delete state["4.bias"];
    expectError(() => target.loadStateDict(state), "NOT_FOUND", "missing", '"4.bias"');
    expectParamsEqual(target, before);
  });

  it("an unexpected name is NOT_FOUND naming it, and leaves the target unchanged", () => {
    const target = lenet({ generator: new Generator(3) });
    const before = snapshot(target);
    const state: StateDict = { ...lenet({ generator: new Generator(4) }).stateDict(), "13.weight": zeros(2, 2) };
    expectError(() => target.loadStateDict(state), "NOT_FOUND", "unexpected", '"13.weight"');
    expectParamsEqual(target, before);
  });

  it("both missing and unexpected names are listed together", () => {
    const target = new Sequential(new Linear(2, 2));
    expectError(() => target.loadStateDict({ "0.weight": zeros(2, 2), "0.b": zeros(2) }), "NOT_FOUND", 'missing "0.bias"', 'unexpected "0.b"');
  });

  it("a wrong shape (even in the last entry) is SHAPE_MISMATCH naming the name and both shapes; nothing is loaded", () => {
    const target = lenet({ generator: new Generator(3) });
    const before = snapshot(target);
    // Every other entry differs from the target, so a partial load would show.
    const state: StateDict = { ...lenet({ generator: new Generator(4) }).stateDict(), "12.bias": zeros(11) };
    expectError(() => target.loadStateDict(state), "SHAPE_MISMATCH", '"12.bias"', "[11]", "[10]");
    expectParamsEqual(target, before);
    const state2: StateDict = { ...lenet({ generator: new Generator(4) }).stateDict(), "8.weight": zeros(120, 401) };
    expectError(() => target.loadStateDict(state2), "SHAPE_MISMATCH", '"8.weight"', "[120,401]", "[120,400]");
    expectParamsEqual(target, before);
  });

  it("a non-tensor value or a non-object state is INVALID_ARGUMENT", () => {
    const target = new Sequential(new Linear(2, 2));
    const before = snapshot(target);
    expectError(() => target.loadStateDict({ "0.weight": zeros(2, 2), "0.bias": [1, 2] as unknown as Tensor }), "INVALID_ARGUMENT", '"0.bias"', "Tensor");
    expectError(() => target.loadStateDict(null as unknown as StateDict), "INVALID_ARGUMENT", "null");
    expectParamsEqual(target, before);
  });

  it("strict: false ignores extra and missing names but still loads the matching ones", () => {
    const target = lenet({ generator: new Generator(3) });
    const before = snapshot(target);
    const source = lenet({ generator: new Generator(4) }).stateDict();
    target.loadStateDict({ "1.weight": source["1.weight"]!, "99.weight": zeros(3) }, { strict: false });
    const after = target.parameters();
    expect(Array.from(after[0]!.data)).toEqual(Array.from(source["1.weight"]!.data));
    for (let i = 1; i < after.length; i++) expect(Array.from(after[i]!.data)).toEqual(Array.from(before[i]!));
    // A wrong shape is still an error with strict: false.
    expectError(() => target.loadStateDict({ "1.bias": zeros(5) }, { strict: false }), "SHAPE_MISMATCH", '"1.bias"');
  });

  it("loading does not record autograd history on the parameters", () => {
    const target = new Sequential(new Linear(2, 2));
    target.loadStateDict(new Sequential(new Linear(2, 2)).stateDict());
    for (const p of target.parameters()) {
      expect(p.isLeaf).toBe(true);
      expect(p.requiresGrad).toBe(true);
    }
  });
});

describe("modes, gradients, printing", () => {
  it("train() / eval() propagate to every descendant", () => {
    const net = new Sequential(new Linear(2, 2), new Sequential(new ReLU(), new Linear(2, 1)));
    const all = (m: Module): Module[] => [m, ...m.namedChildren().flatMap(([, c]) => all(c))];
    expect(all(net)).toHaveLength(5);
    expect(all(net).every((m) => m.training)).toBe(true);
    expect(net.eval()).toBe(net);
    expect(all(net).every((m) => !m.training)).toBe(true);
    expect(net.train()).toBe(net);
    expect(all(net).every((m) => m.training)).toBe(true);
    net.train(false);
    expect(all(net).every((m) => !m.training)).toBe(true);
  });

  it("zeroGrad zeroes every parameter's gradient", () => {
    const net = new Sequential(new Linear(3, 4, { generator: new Generator(1) }), new Sigmoid(), new Linear(4, 2, { generator: new Generator(2) }));
    sum(net.forward(randn([5, 3], { generator: new Generator(3) }))).backward();
    const grads = net.parameters().map((p) => p.grad!);
    for (const g of grads) expect(g.data.some((v) => v !== 0)).toBe(true);
    net.zeroGrad();
    net.parameters().forEach((p, i) => {
      expect(p.grad).toBe(grads[i]);
      expect(p.grad!.data.every((v) => v === 0)).toBe(true);
    });
  });

  it("toString prints the layer tree like PyTorch's print(net)", () => {
    expect(lenet().toString()).toBe(
      [
        "Sequential(",
        "  (0): Reshape(-1, 1, 28, 28)",
        "  (1): Conv2d(1, 6, kernelSize=[5, 5], stride=[1, 1], padding=[2, 2])",
        "  (2): Sigmoid()",
        "  (3): AvgPool2d(kernelSize=2, stride=2)",
        "  (4): Conv2d(6, 16, kernelSize=[5, 5], stride=[1, 1], padding=[0, 0])",
        "  (5): Sigmoid()",
        "  (6): AvgPool2d(kernelSize=2, stride=2)",
        "  (7): Flatten()",
        "  (8): Linear(inFeatures=400, outFeatures=120)",
        "  (9): Sigmoid()",
        "  (10): Linear(inFeatures=120, outFeatures=84)",
        "  (11): Sigmoid()",
        "  (12): Linear(inFeatures=84, outFeatures=10)",
        ")",
      ].join("\n"),
    );
  });

  it("toString indents nested modules and shows bias=false", () => {
    const net = new Sequential(new Sequential(new ReLU(), new Conv2d(3, 8, [3, 1], { stride: 2, padding: [1, 0], bias: false })), new Linear(2, 1, { bias: false }));
    expect(net.toString()).toBe(
      [
        "Sequential(",
        "  (0): Sequential(",
        "    (0): ReLU()",
        "    (1): Conv2d(3, 8, kernelSize=[3, 1], stride=[2, 2], padding=[1, 0], bias=false)",
        "  )",
        "  (1): Linear(inFeatures=2, outFeatures=1, bias=false)",
        ")",
      ].join("\n"),
    );
    expect(new ReLU().toString()).toBe("ReLU()");
  });
});
