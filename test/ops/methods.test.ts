// Tensor methods (issue 14): every method is its free function with the tensor first,
// values and gradients alike; it checks its arguments like the free function (an extra
// one is refused); `x.T` reverses the dimensions as PyTorch's does.

import { describe, expect, expectTypeOf, it } from "vitest";
import * as torchlet from "../../src/index.js";
import { TENSOR_METHODS, Tensor, arange, tensor, zeros } from "../../src/index.js";
import { TorchletError } from "../../src/errors.js";
import { expectError } from "../helpers/errors.js";
import { randn64, rng } from "../helpers/random.js";

type Call = (x: Tensor, ...args: unknown[]) => unknown;

/** x.name(...args), the method called on x. */
function callMethod(x: Tensor, name: string, args: unknown[]): unknown {
  const method = (x as unknown as Record<string, (...rest: unknown[]) => unknown>)[name]!;
  return method.apply(x, args);
}

const g = rng(1430);
const input = (shape: number[]) => (): Tensor => new Tensor(Float32Array.from(randn64(g, shape.reduce((a, b) => a * b, 1))), shape, { requiresGrad: true });

/** One valid call of each method: its input and the arguments after it. */
const CALLS: Record<string, { x: () => Tensor; args: () => unknown[]; rest?: true }> = {
  add: { x: input([2, 3]), args: () => [tensor([[1, 2, 3], [4, 5, 6]])] },
  sub: { x: input([2, 3]), args: () => [2.5] },
  mul: { x: input([2, 3]), args: () => [tensor([[1, -2, 3], [0, 5, 6]])] },
  matmul: { x: input([2, 3]), args: () => [tensor([[1, 2], [3, 4], [5, 6]])] },
  sum: { x: input([2, 3]), args: () => [] },
  mean: { x: input([2, 3]), args: () => [] },
  relu: { x: input([2, 3]), args: () => [] },
  sigmoid: { x: input([2, 3]), args: () => [] },
  tanh: { x: input([2, 3]), args: () => [] },
  softmax: { x: input([2, 3]), args: () => [] },
  logSoftmax: { x: input([2, 3]), args: () => [] },
  argmax: { x: input([2, 3]), args: () => [] },
  max: { x: input([2, 3]), args: () => [] },
  div: { x: input([2, 3]), args: () => [tensor([[1, 2, 4]])] },
  exp: { x: input([2, 3]), args: () => [] },
  log: { x: input([2, 3]), args: () => [] },
  sqrt: { x: input([2, 3]), args: () => [] },
  abs: { x: input([2, 3]), args: () => [] },
  neg: { x: input([2, 3]), args: () => [] },
  pow: { x: input([2, 3]), args: () => [2] },
  clamp: { x: input([2, 3]), args: () => [-0.5, 0.5] },
  maximum: { x: input([2, 3]), args: () => [tensor([[0], [0.25]])] },
  minimum: { x: input([2, 3]), args: () => [tensor([[0], [0.25]])] },
  eq: { x: input([2, 3]), args: () => [0] },
  ne: { x: input([2, 3]), args: () => [0] },
  lt: { x: input([2, 3]), args: () => [0] },
  le: { x: input([2, 3]), args: () => [0] },
  gt: { x: input([2, 3]), args: () => [0] },
  ge: { x: input([2, 3]), args: () => [0] },
  transpose: { x: input([2, 3, 4]), args: () => [0, 2] },
  permute: { x: input([2, 3, 4]), args: () => [1, 2, 0], rest: true },
  unsqueeze: { x: input([2, 3]), args: () => [1] },
  squeeze: { x: input([2, 1, 3]), args: () => [1] },
  narrow: { x: input([2, 5]), args: () => [1, 1, 3] },
  slice: { x: input([2, 5]), args: () => [1, -4, null, 2] },
  indexSelect: { x: input([2, 5]), args: () => [1, [4, 0, 4]] },
  gather: { x: input([2, 5]), args: () => [1, [[4, 0], [1, 1]]] },
};

/** Methods the class itself defines, each also a free function: the same check applies. */
const CLASS_METHODS: Record<string, { x: () => Tensor; args: () => unknown[] }> = {
  reshape: { x: input([2, 3]), args: () => [[3, 2]] },
  view: { x: input([2, 3]), args: () => [[6]] },
  flatten: { x: input([2, 3, 2]), args: () => [1] },
};

// Runs `fn`, and backward through its result when it is a tensor that records gradients: the output and x's gradient.
function outcome(fn: () => unknown, x: Tensor): { value: unknown; grad: unknown } {
  const y = fn();
  if (!(y instanceof Tensor)) return { value: y, grad: null };
  if (y.requiresGrad) y.backward(new Tensor(Float32Array.from(y.data, (_, i) => (i % 3) - 1), y.shape));
  return { value: y.toArray(), grad: x.grad?.toArray() ?? null };
}

describe("Tensor methods", () => {
  it("cover the ops of issue 14's list, and every method has a call below", () => {
    const wanted = ["add", "sub", "mul", "matmul", "sum", "mean", "relu", "sigmoid", "tanh", "softmax", "logSoftmax", "argmax", "transpose", "permute", "unsqueeze", "squeeze", "flatten", "narrow", "indexSelect", "gather"];
    for (const name of wanted) expect(typeof (tensor([1]) as unknown as Record<string, unknown>)[name], name).toBe("function");
    expect(Object.keys(TENSOR_METHODS).sort()).toEqual(Object.keys(CALLS).sort());
  });

  it.each(Object.keys(CALLS))("x.%s(...) is the free function with x first: values and gradients", (name) => {
    const { x, args } = CALLS[name]!;
    const free = (torchlet as unknown as Record<string, Call>)[name]!;
    const a = x(), b = new Tensor(Float32Array.from(a.data), a.shape, { requiresGrad: true });
    const viaMethod = outcome(() => callMethod(a, name, args()), a);
    const viaFunction = outcome(() => free(b, ...args()), b);
    expect(viaMethod).toEqual(viaFunction);
    expect(free).toBe(TENSOR_METHODS[name as keyof typeof TENSOR_METHODS]);
  });

  it.each(Object.keys(CLASS_METHODS))("x.%s(...) (a class method) is the free function with x first", (name) => {
    const { x, args } = CLASS_METHODS[name]!;
    const a = x(), b = new Tensor(Float32Array.from(a.data), a.shape, { requiresGrad: true });
    const viaMethod = outcome(() => callMethod(a, name, args()), a);
    const viaFunction = outcome(() => (torchlet as unknown as Record<string, Call>)[name]!(b, ...args()), b);
    expect(viaMethod).toEqual(viaFunction);
  });

  it.each(Object.keys(CALLS))("x.%s(...) refuses an extra argument as its free function does", (name) => {
    const { x, args, rest } = CALLS[name]!;
    const a = x();
    let caught: unknown;
    try {
      callMethod(a, name, [...args(), "extra"]);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TorchletError);
    expect((caught as TorchletError).code).toBe("INVALID_ARGUMENT");
    expect((caught as TorchletError).op).toBe(name);
    if (!rest) expect((caught as TorchletError).message).toContain('"extra"');
  });

  it("x.max() and x.max(dim, keepdim) keep both of max's overloads, typed (MethodOf alone sees only the last)", () => {
    const x = tensor([[1, 5, 2], [7, 0, 3]], { requiresGrad: true });
    const all = x.max();
    expectTypeOf(all).toEqualTypeOf<Tensor>();
    expect(all.item()).toBe(7);
    const byRow = x.max(1, true);
    expectTypeOf(byRow).toEqualTypeOf<torchlet.MaxResult>();
    const [values, indices] = byRow;
    expect(values.toArray()).toEqual([[5], [7]]);
    expect(indices.toArray()).toEqual([[1], [0]]);
    expect(byRow.values).toBe(values);
    values.sum().backward();
    expect(x.grad!.toArray()).toEqual([[0, 1, 0], [1, 0, 0]]);
    expect(x.max(0).values.toArray()).toEqual(torchlet.max(x, 0).values.toArray());
    // @ts-expect-error keepdim without dim: max(x) has no keepdim, as torch.max
    expectError(() => x.max(undefined, true), "INVALID_ARGUMENT", "keepdim needs a dim");
  });

  it("read like PyTorch's in a chain", () => {
    const w = tensor([[1, 2], [3, 4], [5, 6]], { requiresGrad: true });
    const x = arange(6).reshape(2, 3);
    const loss = x.matmul(w).relu().add(1).mul(0.5).sum();
    expect(loss.item()).toBe((13 + 16 + 40 + 52 + 4) * 0.5); // x·w = [[13, 16], [40, 52]]
    loss.backward();
    expect(w.grad!.toArray()).toEqual([[1.5, 1.5], [2.5, 2.5], [3.5, 3.5]]);
    expect(x.transpose(0, 1).narrow(0, 1, 2).indexSelect(1, [1]).toArray()).toEqual([[4], [5]]);
  });

  it("x.T reverses the dimensions, like PyTorch's .T", () => {
    const m = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    expect(m.T.toArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(m.T.gradFn?.name).toBe("T");
    m.T.mul(tensor([[1, 2], [3, 4], [5, 6]])).sum().backward();
    expect(m.grad!.toArray()).toEqual([[1, 3, 5], [2, 4, 6]]);
    const cube = arange(24).reshape(2, 3, 4);
    expect(cube.T.shape).toEqual([4, 3, 2]);
    expect(cube.T.toArray()).toEqual(cube.permute(2, 1, 0).toArray());
    expect(tensor([1, 2, 3]).T.toArray()).toEqual([1, 2, 3]);
    expect(tensor(5).T.toArray()).toBe(5);
    expect(zeros(0, 3).T.shape).toEqual([3, 0]);
  });

  it("are not own properties, so printing or spreading a tensor shows none of them", () => {
    const x = tensor([1, 2]);
    expect(Object.keys(x)).not.toContain("add");
    expect(Object.keys(x)).not.toContain("T");
    expect(x.toString()).toBe("tensor([1,2], shape=[2])");
  });

  it("check their arguments like the free functions", () => {
    expectError(() => zeros(2, 3).transpose(0, 5), "OUT_OF_RANGE", "transpose: dim1 5 is out of range for shape [2,3]");
    expectError(() => zeros(2, 3).add(zeros(3, 2)), "SHAPE_MISMATCH", "add: cannot broadcast shapes [2,3] and [3,2]");
    expectError(() => (zeros(2, 3).sum as (...a: unknown[]) => Tensor)(1, true, 0), "INVALID_ARGUMENT", "sum: takes 3 arguments");
  });
});
