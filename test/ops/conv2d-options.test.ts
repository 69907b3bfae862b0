// conv2d's PyTorch options (issue 13): dilation and groups computed by hand,
// padding "same" (odd and even kernels: PyTorch's extra zero at the bottom/right)
// and "valid", unbatched (C, H, W) input, float64 gradchecks for each, the
// naive kernel on "same", and the errors for options that do not fit.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { conv2d, conv2dDims, conv2dNaive, type Conv2dOptions } from "../../src/ops/conv2d.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { arange, tensor, zeros, ones } from "../../src/tensor/create.js";
import { checkGradients } from "../helpers/gradcheck.js";
import { expectAllClose } from "../helpers/close.js";
import { expectError } from "../helpers/errors.js";
import { conv2dRef, type ConvRefOptions, type Pair } from "../helpers/reference.js";
import { f32, randn64, rng } from "../helpers/random.js";

describe("conv2d options by hand", () => {
  it("dilation 2: a 2×2 kernel of ones reads x[p][q] + x[p][q+2] + x[p+2][q] + x[p+2][q+2]", () => {
    // x[i][j] = 5i + j + 1 on 5×5; P = Q = 5 − 2·(2 − 1) − 1 + 1 = 3, y[p][q] = 4·x[p][q] + (2 + 10 + 12) = 4·x[p][q] + 24
    const y = conv2d(arange(1, 26).reshape([1, 1, 5, 5]), ones(1, 1, 2, 2), null, { dilation: 2 });
    expect(y.toArray()).toEqual([[[[28, 32, 36], [48, 52, 56], [68, 72, 76]]]]);
  });

  it("groups 2: each filter sees only its group's channels", () => {
    // channels hold 1, 2, 3, 4; w[0] = [1, 10] on channels 0–1, w[1] = [100, 1000] on channels 2–3
    const x = tensor([[[[1]], [[2]], [[3]], [[4]]]]);
    const y = conv2d(x, tensor([[[[1]], [[10]]], [[[100]], [[1000]]]]), tensor([0.5, 0]), { groups: 2 });
    expect(y.toArray()).toEqual([[[[1 + 20 + 0.5]], [[300 + 4000]]]]);
  });

  it("depthwise (groups = C): channel c convolved with filter c alone", () => {
    // channel 0 all 1s, channel 1 all 2s (3×3); 2×2 kernels of 1s and of −1s
    const x = tensor([[Array(3).fill([1, 1, 1]), Array(3).fill([2, 2, 2])]]);
    const y = conv2d(x, tensor([[[[1, 1], [1, 1]]], [[[-1, -1], [-1, -1]]]]), null, { groups: 2 });
    expect(y.toArray()).toEqual([[[[4, 4], [4, 4]], [[-8, -8], [-8, -8]]]]);
  });

  it('padding "same" with an even kernel pads one more zero below and right, as PyTorch', () => {
    // x = 1 … 4 (2×2), a 2×2 kernel of ones: total padding 1 per dimension, 0 above/left and 1 below/right
    const y = conv2d(tensor([[[[1, 2], [3, 4]]]]), ones(1, 1, 2, 2), null, { padding: "same" });
    expect(y.toArray()).toEqual([[[[1 + 2 + 3 + 4, 2 + 4], [3 + 4, 4]]]]);
    const d = conv2dDims([1, 1, 2, 2], [1, 1, 2, 2], null, { padding: "same" });
    expect([d.padH, d.padW, d.P, d.Q]).toEqual([0, 0, 2, 2]);
  });

  it('padding "same" keeps H×W for odd, even, dilated kernels; "valid" is padding 0', () => {
    for (const [k, dilation] of [[3, 1], [4, 1], [2, 3], [5, 2]] as const) {
      expect(conv2d(zeros(1, 2, 7, 6), zeros(3, 2, k, k), null, { padding: "same", dilation }).shape).toEqual([1, 3, 7, 6]);
    }
    expect(conv2d(zeros(2, 1, 7, 6), zeros(3, 1, 3, 2), null, { padding: "valid" }).shape).toEqual([2, 3, 5, 5]);
  });

  it("unbatched (C, H, W) gives (K, P, Q): the batched result of that one image", () => {
    const r = rng(4);
    const x = f32(randn64(r, 2 * 5 * 6)), w = f32(randn64(r, 4 * 1 * 3 * 3)), b = f32(randn64(r, 4));
    const options: Conv2dOptions = { padding: "same", groups: 2, dilation: [1, 2] };
    const single = conv2d(new Tensor(x, [2, 5, 6]), new Tensor(w, [4, 1, 3, 3]), new Tensor(b, [4]), options);
    const batched = conv2d(new Tensor(x, [1, 2, 5, 6]), new Tensor(w, [4, 1, 3, 3]), new Tensor(b, [4]), options);
    expect(single.shape).toEqual([4, 5, 6]);
    expect(Array.from(single.data)).toEqual(Array.from(batched.data));
  });
});

// A float64 reference call of conv2dRef for options given the torchlet way ("same" becomes its two-sided padding).
function reference(xShape: number[], wShape: number[], options: { stride?: Pair; padding?: Pair | "same" | "valid"; dilation?: Pair; groups?: number }) {
  const [kH, kW] = [wShape[2]!, wShape[3]!];
  const dilation = options.dilation ?? [1, 1];
  const more: ConvRefOptions = { dilation, groups: options.groups ?? 1 };
  let padding: Pair = [0, 0];
  if (options.padding === "same") {
    const total: Pair = [dilation[0] * (kH - 1), dilation[1] * (kW - 1)];
    padding = [Math.floor(total[0] / 2), Math.floor(total[1] / 2)];
    more.padAfter = [total[0] - padding[0], total[1] - padding[1]];
  } else if (Array.isArray(options.padding)) padding = options.padding as Pair;
  const batched = xShape.length === 3 ? [1, ...xShape] : xShape;
  return (x: Float64Array, w: Float64Array, b: Float64Array | null) => conv2dRef(x, batched, w, wShape, b, options.stride ?? [1, 1], padding, more).data;
}

describe("conv2d option gradchecks (float64 finite differences)", () => {
  const cases: [string, number[], number[], Parameters<typeof reference>[2]][] = [
    ['"same", odd kernel', [2, 2, 5, 4], [3, 2, 3, 3], { padding: "same" }],
    ['"same", even kernels (asymmetric padding)', [1, 2, 5, 6], [2, 2, 2, 4], { padding: "same" }],
    ['"same", dilated even kernel', [1, 1, 6, 5], [2, 1, 2, 2], { padding: "same", dilation: [3, 1] }],
    ['"valid" with stride', [2, 1, 6, 5], [2, 1, 3, 2], { padding: "valid", stride: [2, 1] }],
    ["dilation with padding and stride", [1, 2, 7, 7], [2, 2, 3, 2], { padding: [2, 1], dilation: [2, 3], stride: [1, 2] }],
    ["groups 2", [2, 4, 4, 4], [4, 2, 2, 2], { groups: 2, padding: [1, 1] }],
    ["depthwise (groups = C)", [2, 3, 5, 4], [3, 1, 3, 3], { groups: 3, padding: [1, 1] }],
    ["depthwise with multiplier 2", [1, 2, 4, 5], [4, 1, 2, 3], { groups: 2 }],
    ["unbatched (C, H, W)", [2, 5, 4], [3, 2, 3, 2], { padding: [1, 0] }],
    ['unbatched, "same", groups', [4, 4, 5], [2, 2, 2, 3], { padding: "same", groups: 2 }],
  ];
  it.each(cases)("%s", (_, xShape, wShape, options) => {
    const r = rng(xShape.length * 100 + wShape[2]! * 10 + wShape[3]!);
    const K = wShape[0]!;
    const ref = reference(xShape, wShape, options);
    checkGradients({
      inputs: [
        { name: "x", data: randn64(r, xShape.reduce((a, b) => a * b, 1)), shape: xShape },
        { name: "w", data: randn64(r, wShape.reduce((a, b) => a * b, 1)), shape: wShape },
        { name: "b", data: randn64(r, K), shape: [K] },
      ],
      reference: ([x, w, b]) => ref(x!, w!, b!),
      op: ([x, w, b]) => conv2d(x!, w!, b!, options),
      generator: r,
    });
  });
});

describe('conv2dNaive and conv2d on random "same" geometries', () => {
  it("both match the float64 reference with PyTorch's split of the padding", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2 }), fc.integer({ min: 0, max: 1e6 }), (kH, kW, dH, G, seed) => {
        const r = rng(seed);
        const xShape = [2, 2 * G, 6, 5], wShape = [2 * G, 2, kH, kW];
        const x = f32(randn64(r, 2 * 2 * G * 30)), w = f32(randn64(r, 2 * G * 2 * kH * kW));
        const options = { padding: "same" as const, dilation: [dH, 1] as Pair, groups: G };
        const expected = reference(xShape, wShape, options)(Float64Array.from(x), Float64Array.from(w), null);
        const y = conv2d(new Tensor(x, xShape), new Tensor(w, wShape), null, options);
        expect(y.shape).toEqual([2, 2 * G, 6, 5]);
        expectAllClose(y.data, expected, 1e-4, 1e-4, "conv2d");
        const naive = new Float32Array(y.numel).fill(Number.NaN);
        conv2dNaive(naive, x, w, null, conv2dDims(xShape, wShape, null, options));
        expectAllClose(naive, expected, 1e-4, 1e-4, "conv2dNaive");
      }),
      { numRuns: 25 },
    );
  });
});

describe("conv2d option errors", () => {
  const x = zeros(1, 4, 6, 6);
  it("groups that do not divide the channels, or a weight for other groups", () => {
    expectError(() => conv2d(x, zeros(3, 2, 3, 3), null, { groups: 3 }), "INVALID_ARGUMENT", ["conv2d:", "input channels 4 must be divisible by groups 3"]);
    expectError(() => conv2d(x, zeros(3, 2, 3, 3), null, { groups: 2 }), "INVALID_ARGUMENT", ["output channels 3", "divisible by groups 2"]);
    expectError(() => conv2d(x, zeros(4, 1, 3, 3), null, { groups: 2 }), "SHAPE_MISMATCH", ["input has 4 channels but weight expects 2 (1 per group × 2 groups)"]);
    expectError(() => conv2d(x, zeros(4, 4, 3, 3), null, { groups: 0 }), "INVALID_ARGUMENT", ["groups must be an integer ≥ 1, got 0"]);
    expectError(() => conv2d(x, zeros(4, 4, 3, 3), null, { groups: 1.5 }), "INVALID_ARGUMENT", ["groups must be an integer, got 1.5"]);
  });

  it('"same" with a stride, an unknown padding string, a bad dilation', () => {
    expectError(() => conv2d(x, zeros(2, 4, 3, 3), null, { padding: "same", stride: 2 }), "INVALID_ARGUMENT", ['conv2d: padding "same" needs stride 1, as in PyTorch (got stride 2×2)']);
    expectError(() => conv2d(x, zeros(2, 4, 3, 3), null, { padding: "sam" as "same" }), "INVALID_ARGUMENT", ['padding must be a number or [height, width], got "sam"', 'did you mean "same"?']);
    expectError(() => conv2d(x, zeros(2, 4, 3, 3), null, { dilation: 0 }), "INVALID_ARGUMENT", ["dilation must be an integer ≥ 1, got 0"]);
    expectError(() => conv2d(x, zeros(2, 4, 3, 3), null, { dilation: [1, 2, 3] as unknown as Pair }), "INVALID_ARGUMENT", ["dilation must be a number or [height, width]"]);
  });

  it("a dilated kernel wider than the padded input says how wide it became", () => {
    expectError(() => conv2d(x, zeros(2, 4, 3, 3), null, { dilation: 3 }), "SHAPE_MISMATCH", ["kernel 3×3 (dilated to 7×7) is larger than the padded input 6×6"]);
  });
});
