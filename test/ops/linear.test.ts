// linear: y = x·Wᵀ + b against the float64 reference, gradient checks for x,
// W and b, leading dimensions flattened, the no-bias path, and the kernels'
// accumulate contract.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { linear, linearBackward } from "../../src/ops/linear.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { tensor, zeros } from "../../src/tensor/create.js";
import { checkGradients } from "../helpers/gradcheck.js";
import { expectAllClose } from "../helpers/close.js";
import { linearRef } from "../helpers/reference.js";
import { f32, randn64, rng } from "../helpers/random.js";

const dims = fc.record({
  N: fc.integer({ min: 1, max: 7 }),
  I: fc.integer({ min: 1, max: 9 }),
  O: fc.integer({ min: 1, max: 9 }),
  bias: fc.boolean(),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

describe("linear forward", () => {
  it("matches the reference on random sizes, with and without bias", () => {
    fc.assert(
      fc.property(dims, ({ N, I, O, bias, seed }) => {
        const g = rng(seed);
        const x = f32(randn64(g, N * I));
        const w = f32(randn64(g, O * I));
        const b = bias ? f32(randn64(g, O)) : null;
        const y = linear(new Tensor(x, [N, I]), new Tensor(w, [O, I]), b && new Tensor(b, [O]));
        expect(y.shape).toEqual([N, O]);
        const scale = linearRef(x.map(Math.abs), N, I, w.map(Math.abs), O, b && b.map(Math.abs));
        const ref = linearRef(x, N, I, w, O, b);
        for (let i = 0; i < ref.length; i++) expect(Math.abs(y.data[i]! - ref[i]!)).toBeLessThanOrEqual(1e-6 * scale[i]! + 1e-30);
      }),
      { numRuns: 30 },
    );
  });

  it("by hand: x [[1,2]], W [[3,4],[5,6],[−1,0]], b [10,20,30] → [[21, 37, 29]]", () => {
    // 1·3 + 2·4 + 10 = 21;  1·5 + 2·6 + 20 = 37;  −1 + 0 + 30 = 29
    const y = linear(tensor([[1, 2]]), tensor([[3, 4], [5, 6], [-1, 0]]), tensor([10, 20, 30]));
    expect(y.toArray()).toEqual([[21, 37, 29]]);
  });

  it("flattens leading dimensions: (2, 3, 4) → (2, 3, O), row by row like a (6, 4) input", () => {
    const g = rng(234);
    const O = 5;
    const x = f32(randn64(g, 2 * 3 * 4));
    const w = f32(randn64(g, O * 4));
    const b = f32(randn64(g, O));
    const y = linear(new Tensor(x, [2, 3, 4]), new Tensor(w, [O, 4]), new Tensor(b, [O]));
    expect(y.shape).toEqual([2, 3, O]);
    expectAllClose(y.data, linearRef(x, 6, 4, w, O, b), 1e-6, 1e-6, "(2,3,4) input");
    const flat = linear(new Tensor(x, [6, 4]), new Tensor(w, [O, 4]), new Tensor(b, [O]));
    expect(Array.from(y.data)).toEqual(Array.from(flat.data));
  });

  it("a 1-D input (I) gives a 1-D output (O)", () => {
    const y = linear(tensor([1, 2]), tensor([[3, 4], [5, 6]]));
    expect(y.shape).toEqual([2]);
    expect(Array.from(y.data)).toEqual([11, 17]);
  });

  it("zero in-features (an empty sum, as in PyTorch) gives y = b for every row", () => {
    // x (3, 0), W (2, 0): y[n,o] = b[o] + Σ over nothing
    const b = tensor([1, 2], undefined, { requiresGrad: true });
    const y = linear(zeros(3, 0), zeros(2, 0), b);
    expect(y.shape).toEqual([3, 2]);
    expect(y.toArray()).toEqual([[1, 2], [1, 2], [1, 2]]);
    y.backward(tensor([[1, 1], [1, 1], [1, 1]]));
    expect(b.grad!.toArray()).toEqual([3, 3]);
    expect(linear(zeros(2, 5, 0), zeros(4, 0)).shape).toEqual([2, 5, 4]);
  });

  it("an empty batch (0, I) gives (0, O)", () => {
    expect(linear(zeros(0, 4), zeros(2, 4)).shape).toEqual([0, 2]);
  });

  it("no bias is the same as a zero bias", () => {
    const g = rng(77);
    const x = new Tensor(f32(randn64(g, 12)), [3, 4]);
    const w = new Tensor(f32(randn64(g, 8)), [2, 4]);
    expect(Array.from(linear(x, w).data)).toEqual(Array.from(linear(x, w, tensor([0, 0])).data));
  });
});

describe("linear gradients", () => {
  it("gradcheck of x, W and b on random sizes", () => {
    fc.assert(
      fc.property(dims, ({ N, I, O, bias, seed }) => {
        const g = rng(seed);
        checkGradients({
          inputs: [
            { name: "x", data: randn64(g, N * I), shape: [N, I] },
            { name: "W", data: randn64(g, O * I), shape: [O, I] },
            ...(bias ? [{ name: "b", data: randn64(g, O), shape: [O] }] : []),
          ],
          reference: ([x, w, b]) => linearRef(x!, N, I, w!, O, b ?? null),
          op: ([x, w, b]) => linear(x!, w!, b ?? null),
          generator: g,
        });
      }),
      { numRuns: 20 },
    );
  });

  it("gradcheck through a (2, 3, 4) input", () => {
    const g = rng(2304);
    checkGradients({
      inputs: [
        { name: "x", data: randn64(g, 24), shape: [2, 3, 4] },
        { name: "W", data: randn64(g, 20), shape: [5, 4] },
        { name: "b", data: randn64(g, 5), shape: [5] },
      ],
      reference: ([x, w, b]) => linearRef(x!, 6, 4, w!, 5, b!),
      op: ([x, w, b]) => linear(x!, w!, b!),
      generator: g,
    });
  });

  it("the no-bias path gives x and W gradients; an x without requiresGrad gets none", () => {
    const g = rng(5);
    checkGradients({
      inputs: [
        { name: "x", data: randn64(g, 12), shape: [3, 4], grad: false },
        { name: "W", data: randn64(g, 8), shape: [2, 4] },
      ],
      reference: ([x, w]) => linearRef(x!, 3, 4, w!, 2, null),
      op: ([x, w]) => linear(x!, w!),
      generator: g,
    });
  });

  it("by hand: sum loss gives dW rows = Σ_n x[n], db = N, dx rows = Σ_o W[o]", () => {
    const x = tensor([[1, 2], [3, 4]], undefined, { requiresGrad: true });
    const w = tensor([[1, 0], [2, -1], [0, 5]], undefined, { requiresGrad: true });
    const b = tensor([0, 0, 0], undefined, { requiresGrad: true });
    linear(x, w, b).backward(tensor([[1, 1, 1], [1, 1, 1]]));
    expect(w.grad!.toArray()).toEqual([[4, 6], [4, 6], [4, 6]]);
    expect(b.grad!.toArray()).toEqual([2, 2, 2]);
    expect(x.grad!.toArray()).toEqual([[3, 4], [3, 4]]);
  });

  it("linearBackward accumulates (+=)", () => {
    const g = rng(31);
    const d = { N: 5, I: 6, O: 7 };
    const x = f32(randn64(g, 30));
    const w = f32(randn64(g, 42));
    const dy = f32(randn64(g, 35));
    const fresh = () => [new Float32Array(30), new Float32Array(42), new Float32Array(7)] as const;
    const once = fresh();
    linearBackward(once[0], once[1], once[2], dy, x, w, d);
    const twice = fresh();
    linearBackward(twice[0], twice[1], twice[2], dy, x, w, d);
    linearBackward(twice[0], twice[1], twice[2], dy, x, w, d);
    once.forEach((a, k) => expectAllClose(twice[k]!, a.map((v) => 2 * v), 1e-6, 1e-6, `grad ${k}`));
  });
});
