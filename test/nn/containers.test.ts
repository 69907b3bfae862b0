// Identity, Unflatten, ModuleList, buffers in the state dict, and the check
// that refuses a Module or trainable tensor held in an unregistered field.

import { describe, expect, it } from "vitest";
import { Tensor, randn, tensor, zeros } from "../../src/tensor/index.js";
import { sum } from "../../src/ops/index.js";
import { Flatten, Identity, Linear, Module, ModuleList, ReLU, Sequential, Unflatten } from "../../src/nn/index.js";
import { expectError } from "../helpers/errors.js";

describe("Identity and Unflatten", () => {
  it("Identity returns the same values and shape, and passes the gradient through", () => {
    const x = randn(2, 3, { requiresGrad: true });
    const y = new Identity().forward(x);
    expect(y.shape).toEqual([2, 3]);
    expect(Array.from(y.data)).toEqual(Array.from(x.data));
    sum(y).backward();
    expect(Array.from(x.grad!.data)).toEqual([1, 1, 1, 1, 1, 1]);
    expectError(() => new (Identity as unknown as new (a: number) => Identity)(54), "INVALID_ARGUMENT", "Identity", "54");
  });

  it("Unflatten splits one dimension (with an inferred -1) and undoes Flatten", () => {
    const x = tensor(Array.from({ length: 24 }, (_, i) => i), [2, 12]);
    expect(new Unflatten(1, [3, 4]).forward(x).shape).toEqual([2, 3, 4]);
    expect(new Unflatten(-1, [2, -1, 2]).forward(x).shape).toEqual([2, 2, 3, 2]);
    expect(new Unflatten(0, [1, 2]).forward(x).shape).toEqual([1, 2, 12]);
    const round = new Flatten().forward(new Unflatten(1, [1, 3, 4]).forward(x));
    expect(round.shape).toEqual([2, 12]);
    expect(Array.from(round.data)).toEqual(Array.from(x.data));
    expect(new Unflatten(1, [3, 4]).toString()).toBe("Unflatten(dim=1, sizes=[3, 4])");
  });

  it("Unflatten refuses sizes that do not fit", () => {
    const x = zeros(2, 12);
    expectError(() => new Unflatten(1, [5, 2]).forward(x), "SHAPE_MISMATCH", "unflatten", "[5, 2]", "12", "[2,12]");
    expectError(() => new Unflatten(1, [5, -1]).forward(x), "SHAPE_MISMATCH", "[5, -1]");
    expectError(() => new Unflatten(2, [3, 4]).forward(x), "OUT_OF_RANGE");
    expectError(() => new Unflatten(1, [-1, -1]), "INVALID_ARGUMENT", "only one size can be -1");
    expectError(() => new Unflatten(1, []), "INVALID_ARGUMENT", "sizes must be a non-empty array");
    expectError(() => new Unflatten(1, [2.5]), "INVALID_ARGUMENT", "sizes[0]", "2.5");
    expectError(() => new Unflatten(0.5, [2]), "INVALID_ARGUMENT", "dim must be an integer");
  });
});

describe("ModuleList", () => {
  it("is indexable, iterable and appendable, and registers its modules' parameters", () => {
    const list = new ModuleList([new Linear(4, 3), new ReLU()]);
    list.append(new Linear(3, 2));
    expect(list.length).toBe(3);
    expect(list[0]).toBeInstanceOf(Linear);
    expect(list.at(-1)).toBe(list[2]);
    expect([...list].map((m) => m.typeName)).toEqual(["Linear", "ReLU", "Linear"]);
    expect(list.namedParameters().map(([n]) => n)).toEqual(["0.weight", "0.bias", "2.weight", "2.bias"]);
    class Mlp extends Module {
      readonly layers = this.registerModule("layers", new ModuleList([new Linear(4, 8), new Linear(8, 2)]));
      forward(x: Tensor): Tensor {
        for (const layer of this.layers) x = layer.forward(x);
        return x;
      }
    }
    const mlp = new Mlp();
    expect(mlp.namedParameters().map(([n]) => n)).toEqual(["layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"]);
    expect(mlp.forward(zeros(5, 4)).shape).toEqual([5, 2]);
  });

  it("refuses bad indices, non-modules and a forward call", () => {
    const list = new ModuleList().extend([new ReLU()]);
    expectError(() => list.at(1), "OUT_OF_RANGE", "index 1", "1 modules");
    expectError(() => list.at(-2), "OUT_OF_RANGE", "index -2");
    expectError(() => list.at(0.5), "INVALID_ARGUMENT", "index");
    expectError(() => list.append(3 as unknown as Module), "INVALID_ARGUMENT", "must be a Module", "3");
    expectError(() => new ModuleList(7 as unknown as Module[]), "INVALID_ARGUMENT", "iterable of Modules", "7");
    expectError(() => list.forward(zeros(1)), "INVALID_STATE", "has no forward");
  });
});

describe("registration cannot be forgotten", () => {
  class Forgetful extends Module {
    readonly fc = new Linear(2, 2); // never registered
    forward(x: Tensor): Tensor {
      return this.fc.forward(x);
    }
  }

  it("an unregistered child module is reported by name on parameters() and stateDict()", () => {
    const net = new Forgetful();
    expectError(() => net.parameters(), "INVALID_STATE", "Forgetful", 'field "fc"', "a Linear", "not registered", 'registerModule("fc"');
    expectError(() => net.stateDict(), "INVALID_STATE", 'field "fc"');
    // inside a Sequential, the parent's parameters() reaches it too
    expectError(() => new Sequential(new Forgetful()).parameters(), "INVALID_STATE", 'field "fc"');
  });

  it("an unregistered trainable tensor and a plain array of modules are reported with the fix", () => {
    class StrayWeight extends Module {
      readonly scale = randn(3, { requiresGrad: true });
      readonly constant = zeros(3); // no requiresGrad: a constant, allowed
      forward(x: Tensor): Tensor {
        return x;
      }
    }
    expectError(() => new StrayWeight().parameters(), "INVALID_STATE", 'field "scale"', "tensor with requiresGrad", 'registerParameter("scale"');
    class StrayArray extends Module {
      readonly blocks = [new Linear(2, 2), new Linear(2, 2)];
      forward(x: Tensor): Tensor {
        return x;
      }
    }
    expectError(() => new StrayArray().parameters(), "INVALID_STATE", 'field "blocks"', "an array holding a Linear", "ModuleList");
  });

  it("registered fields (also under another name) pass", () => {
    class Fine extends Module {
      readonly fc = this.registerModule("linear", new Linear(2, 2));
      readonly w = this.registerParameter("w", zeros(2));
      forward(x: Tensor): Tensor {
        return x;
      }
    }
    expect(new Fine().namedParameters().map(([n]) => n)).toEqual(["w", "linear.weight", "linear.bias"]);
  });
});

describe("buffers", () => {
  class Counter extends Module {
    readonly weight = this.registerParameter("weight", zeros(2));
    readonly steps = this.registerBuffer("steps", zeros(1));
    readonly inner = this.registerModule("inner", new Linear(2, 1));
    forward(x: Tensor): Tensor {
      return x;
    }
  }

  it("join the state dict after the module's parameters, but not parameters()", () => {
    const net = new Counter();
    expect(Object.keys(net.stateDict())).toEqual(["weight", "steps", "inner.weight", "inner.bias"]);
    expect(net.namedParameters().map(([n]) => n)).toEqual(["weight", "inner.weight", "inner.bias"]);
    expect(net.namedBuffers().map(([n]) => n)).toEqual(["steps"]);
    expect(net.buffers()).toEqual([net.steps]);
  });

  it("load with the parameters, strictly by name", () => {
    const a = new Counter(), b = new Counter();
    a.steps.data[0] = 7;
    b.loadStateDict(a.stateDict());
    expect(b.steps.data[0]).toBe(7);
    const { steps: _dropped, ...withoutSteps } = a.stateDict();
    expectError(() => b.loadStateDict(withoutSteps), "NOT_FOUND", 'missing "steps"');
  });

  it("must be leaf tensors without requiresGrad", () => {
    class Bad extends Module {
      readonly b = this.registerBuffer("b", zeros(1, { requiresGrad: true }));
      forward(x: Tensor): Tensor {
        return x;
      }
    }
    expectError(() => new Bad(), "INVALID_ARGUMENT", 'buffer "b"', "without requiresGrad");
  });
});
