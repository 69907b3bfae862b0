// Reverse-mode autograd: accumulation, shared subexpressions, graph release,
// seeds, noGrad, detach, views, deep graphs, zeroGrad — gradients hand-computed.

import { describe, expect, it } from "vitest";
import { Tensor, isGradEnabled, noGrad, tensor, zeros } from "../../src/tensor/index.js";
import { add, mul, sub, sum } from "../../src/ops/index.js";
import { expectError } from "../helpers/errors.js";

const values = (t: Tensor | null): number[] => {
  if (t === null) return expect.fail("expected a gradient tensor, got null");
  return Array.from(t.data);
};

describe("accumulation", () => {
  it("gradients accumulate across two backward calls on fresh forwards", () => {
    const x = tensor([1, -2, 3], undefined, { requiresGrad: true });
    // L = Σ x², dL/dx = 2x
    sum(mul(x, x)).backward();
    expect(values(x.grad)).toEqual([2, -4, 6]);
    sum(mul(x, x)).backward();
    expect(values(x.grad)).toEqual([4, -8, 12]);
    // A different loss adds on top: L = Σ 3x, dL/dx = 3.
    sum(mul(x, 3)).backward();
    expect(values(x.grad)).toEqual([7, -5, 15]);
  });

  it("a diamond graph (y = a·b; z = y + y·a) gets the hand-computed gradient", () => {
    const a = tensor([3, -1.5, 0.5], undefined, { requiresGrad: true });
    const b = tensor([4, 2, -8], undefined, { requiresGrad: true });
    const y = mul(a, b);
    const z = add(y, mul(y, a));
    // z = ab + a²b  ⇒  ∂z/∂a = b + 2ab,  ∂z/∂b = a + a²
    sum(z).backward();
    const expectA = [4 + 2 * 3 * 4, 2 + 2 * -1.5 * 2, -8 + 2 * 0.5 * -8]; // [28, -4, -16]
    const expectB = [3 + 9, -1.5 + 2.25, 0.5 + 0.25]; // [12, 0.75, 0.75]
    expect(values(a.grad)).toEqual(expectA);
    expect(values(b.grad)).toEqual(expectB);
  });

  it("a tensor used twice in one op (x·x) gets both contributions", () => {
    const x = tensor([0.5, -3], undefined, { requiresGrad: true });
    sum(mul(x, x)).backward();
    expect(values(x.grad)).toEqual([1, -6]);
  });

  it("a tensor reused through several paths of different lengths", () => {
    // L = Σ (x + x·x)·x − x = Σ x² + x³ − x  ⇒  dL/dx = 2x + 3x² − 1
    const x = tensor([2, -1, 0.5], undefined, { requiresGrad: true });
    sum(sub(mul(add(x, mul(x, x)), x), x)).backward();
    expect(values(x.grad)).toEqual([2 * 2 + 3 * 4 - 1, -2 + 3 - 1, 1 + 0.75 - 1]);
  });
});

describe("graph release and retainGraph", () => {
  it("backward twice on the same graph is INVALID_STATE", () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    const loss = sum(mul(x, x));
    loss.backward();
    expectError(() => loss.backward(), "INVALID_STATE", "already used", "retainGraph");
    // The refused backward added nothing.
    expect(values(x.grad)).toEqual([2, 4]);
  });

  it("{ retainGraph: true } allows a second backward, which accumulates", () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    const loss = sum(mul(x, x));
    loss.backward(undefined, { retainGraph: true });
    loss.backward(undefined, { retainGraph: true });
    expect(values(x.grad)).toEqual([4, 8]);
    loss.backward(); // releases
    expect(values(x.grad)).toEqual([6, 12]);
    expectError(() => loss.backward(), "INVALID_STATE", "sum");
  });

  it("a second loss through a released subgraph is refused, naming the op", () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    const y = mul(x, x);
    sum(y).backward();
    expectError(() => sum(mul(y, 2)).backward(), "INVALID_STATE", "mul");
  });
});

describe("seeds", () => {
  it("backward without a gradient needs a one-element tensor", () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]], undefined, { requiresGrad: true });
    const y = mul(x, 2);
    expectError(() => y.backward(), "SHAPE_MISMATCH", "one-element", "[2,3]");
    expect(x.grad).toBeNull();
  });

  it("backward with an explicit gradient computes the vector–Jacobian product", () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]], undefined, { requiresGrad: true });
    const y = mul(mul(x, x), 3); // y = 3x², dy/dx = 6x
    const g = tensor([[1, 0, -1], [0.5, 2, 0]]);
    y.backward(g);
    expect(values(x.grad)).toEqual([6 * 1 * 1, 0, 6 * 3 * -1, 6 * 4 * 0.5, 6 * 5 * 2, 0]);
    expect(x.grad!.shape).toEqual([2, 3]);
  });

  it("a wrong-shaped or non-tensor gradient is rejected", () => {
    const x = zeros([2, 3], { requiresGrad: true });
    const y = mul(x, 2);
    expectError(() => y.backward(zeros(3, 2)), "SHAPE_MISMATCH", "[3,2]", "[2,3]");
    expectError(() => y.backward(Float32Array.of(1, 1, 1, 1, 1, 1) as unknown as Tensor), "INVALID_ARGUMENT", "gradient", "Float32Array");
  });

  it("backward on a leaf adds the seed to its own grad", () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    x.backward(tensor([0.5, -1]));
    expect(values(x.grad)).toEqual([0.5, -1]);
    const s = tensor(4, undefined, { requiresGrad: true });
    s.backward();
    expect(values(s.grad)).toEqual([1]);
  });

  it("backward on a tensor that does not require grad is INVALID_STATE", () => {
    const x = tensor([1, 2]);
    expectError(() => sum(mul(x, x)).backward(), "INVALID_STATE", "does not require grad");
    expectError(() => tensor(1).backward(), "INVALID_STATE", "does not require grad");
  });
});

describe("noGrad and detach", () => {
  it("noGrad records nothing", () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    expect(isGradEnabled()).toBe(true);
    const y = noGrad(() => {
      expect(isGradEnabled()).toBe(false);
      return mul(x, x);
    });
    expect(isGradEnabled()).toBe(true);
    expect(y.gradFn).toBeNull();
    expect(y.requiresGrad).toBe(false);
    expect(y.isLeaf).toBe(true);
    expect(Array.from(y.data)).toEqual([1, 4]);
    expectError(() => sum(y).backward(), "INVALID_STATE");
    // Outside, recording is back on.
    expect(mul(x, x).gradFn).not.toBeNull();
  });

  it("noGrad restores the mode when the callback throws, and nests", () => {
    expect(() =>
      noGrad(() => {
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(isGradEnabled()).toBe(true);
    noGrad(() => {
      expect(() =>
        noGrad(() => {
          throw new Error("inner");
        }),
      ).toThrow("inner");
      expect(isGradEnabled()).toBe(false);
    });
    expect(isGradEnabled()).toBe(true);
    const x = tensor([1], undefined, { requiresGrad: true });
    expect(mul(x, 2).requiresGrad).toBe(true);
  });

  it("detach shares data but cuts the graph", () => {
    const a = tensor([1, 2, 3], undefined, { requiresGrad: true });
    const b = tensor([4, 5, 6], undefined, { requiresGrad: true });
    const y = mul(a, 2);
    const d = y.detach();
    expect(d.data).toBe(y.data);
    expect(d.gradFn).toBeNull();
    expect(d.requiresGrad).toBe(false);
    sum(mul(d, b)).backward();
    expect(values(b.grad)).toEqual([2, 4, 6]);
    expect(a.grad).toBeNull();
  });

  it("requiresGrad can be set on leaves only", () => {
    const x = tensor([1]);
    x.requiresGrad = true;
    expect(x.requiresGrad).toBe(true);
    const y = mul(x, 2);
    expectError(() => {
      y.requiresGrad = false;
    }, "INVALID_STATE", "leaf", "mul");
  });
});

describe("views, leaves, deep graphs, zeroGrad", () => {
  it("gradients flow through reshape, view and flatten back to the original shape", () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]], undefined, { requiresGrad: true });
    const w = tensor([10, 20, 30, 40, 50, 60]);
    const y = x.reshape(3, 2).view(1, 6, 1).flatten();
    expect(y.shape).toEqual([6]);
    // L = Σ w ⊙ flat(x)  ⇒  dL/dx = w in x's layout.
    sum(mul(y, w)).backward();
    expect(x.grad!.shape).toEqual([2, 3]);
    expect(values(x.grad)).toEqual([10, 20, 30, 40, 50, 60]);
  });

  it("leaves without requiresGrad get no .grad", () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    const c = tensor([3, 4]);
    sum(mul(x, c)).backward();
    expect(values(x.grad)).toEqual([3, 4]);
    expect(c.grad).toBeNull();
  });

  it("a leaf the loss does not depend on keeps grad null", () => {
    const x = tensor([1], undefined, { requiresGrad: true });
    const unused = tensor([1], undefined, { requiresGrad: true });
    sum(mul(x, x)).backward();
    expect(unused.grad).toBeNull();
  });

  it("a chain of 20,000 ops runs backward without a stack overflow", () => {
    const x = tensor([1.5], undefined, { requiresGrad: true });
    let y: Tensor = x;
    // y = x + x + ... (20,001 terms), with a view in every 100th step  ⇒  dy/dx = 20001.
    for (let i = 0; i < 20_000; i++) {
      y = add(y, x);
      if (i % 100 === 0) y = y.reshape(1);
    }
    sum(y).backward();
    expect(values(x.grad)).toEqual([20_001]);
  });

  it("a deep multiplicative chain y = c^20000 · x has dy/dx = c^20000", () => {
    // y = c^n · x, dy/dx = c^n with c = 1 + 2^-10 (exact in float32), n = 20,000.
    const c = 1 + 2 ** -10;
    const x = tensor([1], undefined, { requiresGrad: true });
    let y: Tensor = x;
    for (let i = 0; i < 20_000; i++) y = mul(y, c);
    sum(y).backward();
    // Each backward step multiplies by c in float32: compare to the float64 power with a float32-sized tolerance.
    expect(x.grad!.data[0]! / c ** 20_000).toBeCloseTo(1, 3);
  });

  it("zeroGrad zeroes the gradient in place and backward accumulates into the same buffer", () => {
    const x = tensor([1, 2, 3], undefined, { requiresGrad: true });
    x.zeroGrad(); // no gradient yet: a no-op
    expect(x.grad).toBeNull();
    sum(mul(x, x)).backward();
    const buffer = x.grad!;
    const data = buffer.data;
    x.zeroGrad();
    expect(x.grad).toBe(buffer);
    expect(x.grad!.data).toBe(data);
    expect(Array.from(data)).toEqual([0, 0, 0]);
    sum(mul(x, 5)).backward();
    expect(x.grad!.data).toBe(data);
    expect(Array.from(data)).toEqual([5, 5, 5]);
  });

  it("toString shows gradFn or requiresGrad", () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    expect(x.toString()).toBe("tensor([1,2], shape=[2], requiresGrad=true)");
    expect(mul(x, 2).toString()).toBe("tensor([2,4], shape=[2], gradFn=mul)");
    expect(tensor([[1], [2]]).toString()).toBe("tensor([[1],[2]], shape=[2,1])");
  });
});
