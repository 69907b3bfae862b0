// Creation like torch (issue 14): `tensor(data, { requiresGrad: true })` is
// `torch.tensor(data, requires_grad=True)`, the shape form keeps working, and every
// constructor takes the same options, refusing unknown ones by name.

import { describe, expect, it } from "vitest";
import { Generator, full, ones, rand, randn, tensor, zeros, zerosLike } from "../../src/index.js"; // the package entry: it installs the Tensor methods used below
import { expectError } from "../helpers/errors.js";

describe("tensor(data, options) as torch.tensor(data, requires_grad=True)", () => {
  it("takes the options second when there is no shape", () => {
    const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    expect(x.shape).toEqual([2, 2]);
    expect(x.requiresGrad).toBe(true);
    expect(x.isLeaf).toBe(true);
    x.mul(x).sum().backward();
    expect(x.grad!.toArray()).toEqual([[2, 4], [6, 8]]);
    expect(tensor(Float32Array.of(1, 2, 3), { requiresGrad: true }).requiresGrad).toBe(true);
    expect(tensor(3, { requiresGrad: true }).shape).toEqual([]);
    expect(tensor([1, 2], { requiresGrad: false }).requiresGrad).toBe(false);
    expect(tensor([1, 2], {}).requiresGrad).toBe(false);
  });

  it("keeps the shape form, with or without options", () => {
    expect(tensor([1, 2, 3, 4], [2, 2]).toArray()).toEqual([[1, 2], [3, 4]]);
    const x = tensor([1, 2, 3, 4], [2, 2], { requiresGrad: true });
    expect([x.shape, x.requiresGrad]).toEqual([[2, 2], true]);
    expect(tensor(Float32Array.of(1, 2), undefined, { requiresGrad: true }).requiresGrad).toBe(true);
  });

  it("refuses what it cannot honour, by name", () => {
    expectError(() => tensor([1], { requires_grad: true } as object), "INVALID_ARGUMENT", 'tensor: unknown option "requires_grad"; did you mean "requiresGrad"?');
    expectError(() => tensor([1], { dtype: "float64" } as object), "INVALID_ARGUMENT", "tensor: option dtype is not supported yet");
    expectError(() => (tensor as (...a: unknown[]) => unknown)([1], {}, { requiresGrad: true }), "INVALID_ARGUMENT", "tensor: takes 2 arguments (values, options) but got 3; the third is a plain object {requiresGrad}");
    expectError(() => tensor([1, 2], [3]), "SHAPE_MISMATCH", "tensor: shape [3] needs 3 elements but 2 values were given");
    expectError(() => tensor([1], null as never), "INVALID_ARGUMENT", "tensor: shape must be an array of integers, got null");
    expectError(() => tensor([1], tensor([1]) as never), "INVALID_ARGUMENT", "tensor: shape must be an array of integers, got a Tensor");
  });
});

describe("zeros, ones, full, rand, randn, zerosLike take the same options", () => {
  it("make leaves that require grad", () => {
    const made = [
      zeros(2, 3, { requiresGrad: true }), zeros([2, 3], { requiresGrad: true }), ones(2, { requiresGrad: true }),
      full([2], 7, { requiresGrad: true }), rand(2, { requiresGrad: true, generator: new Generator(1) }),
      randn([2, 2], { requiresGrad: true }), zerosLike(ones(3), { requiresGrad: true }),
    ];
    for (const t of made) expect([t.requiresGrad, t.isLeaf], t.toString()).toEqual([true, true]);
    expect(zeros(2).requiresGrad).toBe(false);
  });

  it("refuse unknown keys, naming the constructor", () => {
    expectError(() => ones(2, { requires_grad: true } as object), "INVALID_ARGUMENT", 'ones: unknown option "requires_grad"; did you mean "requiresGrad"?');
    expectError(() => full([2], 1, { device: "cuda" } as object), "INVALID_ARGUMENT", "full: option device is not supported yet");
    expectError(() => randn(2, { generator: 3 } as object), "INVALID_ARGUMENT", "randn: generator must be a Generator");
  });
});
