// Shape ops (issue 14): reshape/view/flatten/unsqueeze/squeeze (views), permute/transpose
// and cat/stack (copies). Values against hand-computed answers and the index-by-index
// references of test/helpers/shape-reference.ts, float64 gradient checks, the kernels'
// accumulation and adjoints, and the errors for bad dims and mismatched shapes.

import { describe, expect, it } from "vitest";
import { cat, catBackward, catForward, stack } from "../../src/ops/cat.js";
import { permute, transpose } from "../../src/ops/permute.js";
import { flatten, reshape, squeeze, unsqueeze, view } from "../../src/ops/shape.js";
import { stridedBackward, stridedForward } from "../../src/ops/strided.js";
import { sum } from "../../src/ops/reduce.js";
import { mul } from "../../src/ops/elementwise.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { arange, ones, tensor, zeros } from "../../src/tensor/create.js";
import { checkGradients } from "../helpers/gradcheck.js";
import { expectAdjoint } from "../helpers/adjoint.js";
import { expectError } from "../helpers/errors.js";
import { f32, randn64, rng } from "../helpers/random.js";
import { catRef, permuteRef, stackRef, type Ref } from "../helpers/shape-reference.js";

const count = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
const M = [[1, 2, 3], [4, 5, 6]];

describe("views: reshape, view, flatten, unsqueeze, squeeze", () => {
  it("give the shapes PyTorch gives, sharing x's data", () => {
    const x = arange(24).reshape(2, 3, 4);
    expect(reshape(x, [4, -1]).shape).toEqual([4, 6]);
    expect(view(x, [24]).shape).toEqual([24]);
    expect(flatten(x).shape).toEqual([24]);
    expect(flatten(x, 1).shape).toEqual([2, 12]);
    expect(flatten(x, 0, 1).shape).toEqual([6, 4]);
    expect(unsqueeze(x, 0).shape).toEqual([1, 2, 3, 4]);
    expect(unsqueeze(x, 3).shape).toEqual([2, 3, 4, 1]);
    expect(unsqueeze(x, -1).shape).toEqual([2, 3, 4, 1]);
    expect(unsqueeze(x, -4).shape).toEqual([1, 2, 3, 4]);
    expect(unsqueeze(tensor(5), 0).shape).toEqual([1]);
    const y = zeros(1, 2, 1, 3);
    expect(squeeze(y).shape).toEqual([2, 3]);
    expect(squeeze(y, 0).shape).toEqual([2, 1, 3]);
    expect(squeeze(y, -2).shape).toEqual([1, 2, 3]);
    expect(squeeze(y, 1).shape).toEqual([1, 2, 1, 3]); // size 2: left as is, like PyTorch
    expect(squeeze(zeros(1, 1)).shape).toEqual([]);
    expect(squeeze(tensor(7), 0).shape).toEqual([]);
    for (const v of [reshape(x, [4, 6]), view(x, [24]), flatten(x), unsqueeze(x, 1), squeeze(unsqueeze(x, 1))]) expect(v.data).toBe(x.data);
  });

  it("pass the gradient straight through, named after the op", () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    const y = squeeze(unsqueeze(x, 1), 1);
    expect(y.gradFn?.name).toBe("squeeze");
    expect(unsqueeze(x, 0).gradFn?.name).toBe("unsqueeze");
    sum(mul(flatten(y), arange(6))).backward();
    expect(x.grad!.toArray()).toEqual([[0, 1, 2], [3, 4, 5]]);
  });

  it("refuse bad dims, naming the dim and the shape", () => {
    expectError(() => unsqueeze(zeros(2, 3), 3), "OUT_OF_RANGE", "unsqueeze: dim 3 is out of range for shape [2,3] (expected an integer in -3..2)");
    expectError(() => unsqueeze(zeros(2, 3), -4), "OUT_OF_RANGE", "dim -4", "[2,3]");
    expectError(() => squeeze(zeros(2, 3), 2), "OUT_OF_RANGE", "squeeze: dim 2 is out of range for shape [2,3]");
    expectError(() => squeeze(zeros(2, 3), 0.5), "INVALID_ARGUMENT", "squeeze: dim must be an integer, got 0.5, for shape [2,3]");
    expectError(() => reshape(zeros(2, 3), [4]), "SHAPE_MISMATCH", "reshape: cannot view shape [2,3] (6 elements) as [4]");
    expectError(() => reshape(zeros(2, 3), 6 as never), "INVALID_ARGUMENT", "reshape: shape must be an array of integers (one may be -1), got 6");
    expectError(() => view("x" as never, [1]), "INVALID_ARGUMENT", 'view: input must be a Tensor, got "x"');
    expectError(() => flatten(zeros(2, 3), 2), "OUT_OF_RANGE", "flatten: dim 2 is out of range");
  });
});

describe("permute and transpose", () => {
  it("give hand-computed values", () => {
    expect(transpose(tensor(M), 0, 1).toArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(transpose(tensor(M), -1, -2).toArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(transpose(tensor(M), 1, 1).toArray()).toEqual(M);
    expect(permute(arange(6).reshape(1, 2, 3), [2, 0, 1]).toArray()).toEqual([[[0, 3]], [[1, 4]], [[2, 5]]]);
    expect(permute(arange(6).reshape(1, 2, 3), 2, 0, 1).toArray()).toEqual([[[0, 3]], [[1, 4]], [[2, 5]]]);
    expect((permute as (...a: unknown[]) => Tensor)(arange(6).reshape(1, 2, 3), [2, 0, 1], undefined).shape).toEqual([3, 1, 2]);
    expect(transpose(tensor(3), 0, -1).toArray()).toBe(3);
    expect(permute(tensor(3), []).toArray()).toBe(3);
  });

  it("match the index-by-index reference on random shapes (empty ones too), copying", () => {
    const g = rng(14);
    const shapes = [[5], [2, 3], [3, 1, 4], [2, 3, 4, 5], [2, 0, 3], [1, 1, 1], [3, 2, 2, 1, 2]];
    for (const shape of shapes) {
      const x = f32(randn64(g, count(shape)));
      const perm = g.shuffle(Int32Array.from(shape.keys()));
      const y = permute(new Tensor(x, shape), [...perm]);
      const ref = permuteRef(x, shape, [...perm]);
      expect(y.shape, `${shape} by ${perm}`).toEqual(ref.shape);
      expect(Array.from(y.data)).toEqual(Array.from(ref.data));
      expect(y.data).not.toBe(x);
      for (let a = 0; a < shape.length; a++) {
        const b = (a + 1) % shape.length;
        const order = shape.map((_, i) => (i === a ? b : i === b ? a : i));
        expect(Array.from(transpose(new Tensor(x, shape), a, b).data)).toEqual(Array.from(permuteRef(x, shape, order).data));
      }
    }
  });

  it("float64 gradient checks", () => {
    const g = rng(1401);
    const shape = [2, 3, 4];
    const data = randn64(g, 24);
    for (const perm of [[2, 0, 1], [1, 2, 0], [0, 2, 1]]) {
      checkGradients({ generator: g, inputs: [{ name: "x", data, shape }], reference: ([x]) => permuteRef(x!, shape, perm).data, op: ([x]) => permute(x!, perm) });
    }
    checkGradients({ generator: g, inputs: [{ name: "x", data, shape }], reference: ([x]) => permuteRef(x!, shape, [2, 1, 0]).data, op: ([x]) => transpose(x!, 0, -1) });
  });

  it("refuse bad dims, naming the dim and the shape", () => {
    expectError(() => transpose(zeros(2, 3), 0, 2), "OUT_OF_RANGE", "transpose: dim1 2 is out of range for shape [2,3] (expected an integer in -2..1)");
    expectError(() => transpose(zeros(2, 3), "0" as never, 1), "INVALID_ARGUMENT", 'transpose: dim0 must be an integer, got "0", for shape [2,3]');
    expectError(() => permute(zeros(2, 3), [0]), "INVALID_ARGUMENT", "permute: dims [0] must list each of the 2 dimensions of shape [2,3] once, got 1");
    expectError(() => permute(zeros(2, 3), [1, -1]), "INVALID_ARGUMENT", "permute: dims [1, -1] repeats dimension 1 (shape [2,3])");
    expectError(() => permute(zeros(2, 3), [0, 2]), "OUT_OF_RANGE", "permute: dims[1] 2 is out of range for shape [2,3]");
    expectError(() => (transpose as (...a: unknown[]) => Tensor)(zeros(2, 3), 0, 1, 2), "INVALID_ARGUMENT", "transpose: takes 3 arguments (input, dim0, dim1) but got 4");
  });
});

describe("cat and stack", () => {
  it("give hand-computed values", () => {
    expect(cat([tensor(M), tensor([[7, 8, 9]])]).toArray()).toEqual([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
    expect(cat([tensor(M), tensor([[0], [-1]])], 1).toArray()).toEqual([[1, 2, 3, 0], [4, 5, 6, -1]]);
    expect(cat([tensor(M), tensor([[0], [-1]])], -1).shape).toEqual([2, 4]);
    expect(cat([tensor([1, 2])]).toArray()).toEqual([1, 2]);
    expect(cat([zeros(2, 0), ones(2, 2)], 1).toArray()).toEqual([[1, 1], [1, 1]]);
    expect(stack([tensor([1, 2]), tensor([3, 4])]).toArray()).toEqual([[1, 2], [3, 4]]);
    expect(stack([tensor([1, 2]), tensor([3, 4])], 1).toArray()).toEqual([[1, 3], [2, 4]]);
    expect(stack([tensor([1, 2]), tensor([3, 4])], -1).toArray()).toEqual([[1, 3], [2, 4]]);
    expect(stack([tensor(1), tensor(2)]).toArray()).toEqual([1, 2]);
  });

  it("match the index-by-index reference along every dim", () => {
    const g = rng(1402);
    const make = (shape: number[]): Ref => ({ data: randn64(g, count(shape)), shape });
    for (let dim = 0; dim < 3; dim++) {
      const sizes = [2, 0, 3];
      const xs = sizes.map((s) => make([2, 3, 4].map((d, i) => (i === dim ? s : d))));
      const y = cat(xs.map((x) => new Tensor(f32(x.data), x.shape)), dim);
      const ref = catRef(xs, dim);
      expect(y.shape).toEqual(ref.shape);
      expect(Array.from(y.data)).toEqual(Array.from(ref.data));
    }
    for (let dim = 0; dim <= 3; dim++) {
      const xs = [make([2, 3, 4]), make([2, 3, 4]), make([2, 3, 4])];
      const y = stack(xs.map((x) => new Tensor(f32(x.data), x.shape)), dim);
      const ref = stackRef(xs, dim);
      expect(y.shape).toEqual(ref.shape);
      expect(Array.from(y.data)).toEqual(Array.from(ref.data));
    }
  });

  it("float64 gradient checks, the same tensor twice included", () => {
    const g = rng(1403);
    const shapes = [[2, 1, 3], [2, 4, 3], [2, 2, 3]];
    checkGradients({
      generator: g,
      inputs: shapes.map((shape, i) => ({ name: `x${i}`, data: randn64(g, count(shape)), shape })),
      reference: (xs) => catRef(xs.map((data, i) => ({ data, shape: shapes[i]! })), 1).data,
      op: (xs) => cat(xs, 1),
    });
    checkGradients({
      generator: g,
      inputs: [0, 1].map((i) => ({ name: `x${i}`, data: randn64(g, 6), shape: [3, 2] })),
      reference: (xs) => stackRef(xs.map((data) => ({ data, shape: [3, 2] })), 2).data,
      op: (xs) => stack(xs, 2),
    });
    const x = tensor([1, 2], { requiresGrad: true });
    sum(mul(cat([x, x, mul(x, 3)]), arange(6))).backward();
    expect(x.grad!.toArray()).toEqual([0 + 2 + 3 * 4, 1 + 3 + 3 * 5]);
    const leaf = tensor([5], { requiresGrad: true });
    sum(mul(stack([leaf, zeros(1)]), tensor([[2], [7]]))).backward();
    expect(leaf.grad!.toArray()).toEqual([2]);
  });

  it("refuse mismatched shapes, naming both, and bad lists and dims", () => {
    expectError(() => cat([zeros(2, 3), zeros(3, 2)], 1), "SHAPE_MISMATCH", "cat: tensors[1] has shape [3,2] but tensors[0] has shape [2,3]: they must match in every dimension except dim 1");
    expectError(() => cat([zeros(2, 3), zeros(2, 3, 1)]), "SHAPE_MISMATCH", "tensors[1] has shape [2,3,1] but tensors[0] has shape [2,3]");
    expectError(() => stack([zeros(2, 3), zeros(2, 3), zeros(3, 2)]), "SHAPE_MISMATCH", "stack: tensors[2] has shape [3,2] but tensors[0] has shape [2,3]: stack needs every shape equal");
    expectError(() => cat([]), "INVALID_ARGUMENT", "cat: tensors must be a non-empty array of Tensors, got an array of length 0");
    expectError(() => stack(zeros(2) as never), "INVALID_ARGUMENT", "stack: tensors must be a non-empty array of Tensors, got a Tensor");
    expectError(() => cat([zeros(2), [1, 2] as never]), "INVALID_ARGUMENT", "cat: tensors[1] must be a Tensor, got an array of length 2");
    expectError(() => cat([zeros(2, 3)], 2), "OUT_OF_RANGE", "cat: dim 2 is out of range for shape [2,3] (expected an integer in -2..1)");
    expectError(() => stack([zeros(2, 3)], 3), "OUT_OF_RANGE", "stack: dim 3 is out of range for shape [2,3] (expected an integer in -3..2)");
    expectError(() => cat([tensor(1), tensor(2)]), "SHAPE_MISMATCH", "cat: tensors[0] is a 0-d tensor");
    expectError(() => (cat as (...a: unknown[]) => Tensor)([zeros(2)], 0, 1), "INVALID_ARGUMENT", "cat: takes 2 arguments (tensors, dim) but got 3");
  });
});

describe("kernels: strided and cat, forward overwrites, backward accumulates, adjoint", () => {
  it("stridedForward/Backward: a transpose of (2, 3) read through strides (1, 3)", () => {
    const d = { shape: [3, 2], strides: [1, 3], offset: 0 };
    const y = new Float32Array(6).fill(99);
    stridedForward(y, Float32Array.of(1, 2, 3, 4, 5, 6), d);
    expect(Array.from(y)).toEqual([1, 4, 2, 5, 3, 6]);
    const dx = new Float32Array(6).fill(1);
    stridedBackward(dx, Float32Array.of(10, 20, 30, 40, 50, 60), d);
    expect(Array.from(dx)).toEqual([11, 31, 51, 21, 41, 61]);
    const g = rng(1404);
    const slicing = { shape: [2, 2], strides: [6, 2], offset: 1 }; // x (3, 6)[0:3:2, 1:4:2] as strides
    expectAdjoint((v) => { const out = new Float32Array(4); stridedForward(out, v, slicing); return out; }, (w) => { const out = new Float32Array(18); stridedBackward(out, w, slicing); return out; }, f32(randn64(g, 18)), f32(randn64(g, 4)));
  });

  it("catForward/Backward: blocks side by side; a null gradient is skipped", () => {
    const d = { outer: 2, inner: 1, sizes: [1, 2] };
    const y = new Float32Array(6);
    catForward(y, [Float32Array.of(1, 2), Float32Array.of(3, 4, 5, 6)], d);
    expect(Array.from(y)).toEqual([1, 3, 4, 2, 5, 6]);
    const da = Float32Array.of(1, 1);
    catBackward([da, null], Float32Array.of(10, 20, 30, 40, 50, 60), d);
    expect(Array.from(da)).toEqual([11, 41]);
  });
});
