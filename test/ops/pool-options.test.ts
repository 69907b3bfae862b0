// The pooling options of issue 13 on the active backend ("ts" and "wasm"
// projects): ceilMode, countIncludePad, divisorOverride, dilation,
// returnIndices with maxUnpool2d, unbatched (C, H, W) input, adaptive average
// pooling, and PyTorch 1.13's NaN rule. Forwards against the float64
// references of test/helpers/pool-reference.ts (windows enumerated one by one),
// gradients by float64 finite differences, the linear ops' adjoints, and hand
// cases checked against PyTorch by hand (values in the comments).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { avgPool2d } from "../../src/ops/avgpool2d.js";
import { maxPool2d } from "../../src/ops/maxpool2d.js";
import { maxUnpool2d } from "../../src/ops/maxunpool2d.js";
import { adaptiveAvgPool2d } from "../../src/ops/adaptive-avgpool2d.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { tensor } from "../../src/tensor/create.js";
import { checkGradients } from "../helpers/gradcheck.js";
import { expectAdjoint } from "../helpers/adjoint.js";
import { expectAllClose } from "../helpers/close.js";
import { expectError } from "../helpers/errors.js";
import { adaptiveAvgPoolRef, avgPoolRef, maxPoolRef, windowStarts, type PoolRefOptions } from "../helpers/pool-reference.js";
import { distinct64, f32, randn64, rng } from "../helpers/random.js";

type Pair = [number, number];

/** One random pooling call: input shape, window and every option. */
interface Case {
  shape: [number, number, number, number];
  kernel: Pair;
  stride: Pair;
  padding: Pair;
  dilation: Pair;
  ceilMode: boolean;
  countIncludePad: boolean;
  divisorOverride: number | undefined;
  seed: number;
}

const pairOf = (min: number, max: number) => fc.tuple(fc.integer({ min, max }), fc.integer({ min, max }));
const CASES: fc.Arbitrary<Case> = fc
  .record({
    shape: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 8 })),
    kernel: pairOf(1, 4),
    stride: pairOf(1, 3),
    padding: pairOf(0, 2),
    dilation: pairOf(1, 3),
    ceilMode: fc.boolean(),
    countIncludePad: fc.boolean(),
    divisorOverride: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  })
  .filter((c) => 2 * c.padding[0] <= c.kernel[0] && 2 * c.padding[1] <= c.kernel[1]); // PyTorch's padding rule, tested in errors

const avgOptions = (c: Case) => ({ stride: c.stride, padding: c.padding, ceilMode: c.ceilMode, countIncludePad: c.countIncludePad, divisorOverride: c.divisorOverride ?? null });
const maxOptions = (c: Case) => ({ stride: c.stride, padding: c.padding, ceilMode: c.ceilMode, dilation: c.dilation });
const avgRef = (c: Case): PoolRefOptions => ({ kernel: c.kernel, stride: c.stride, padding: c.padding, ceilMode: c.ceilMode, countIncludePad: c.countIncludePad, ...(c.divisorOverride === undefined ? {} : { divisorOverride: c.divisorOverride }) });
const maxRef = (c: Case): PoolRefOptions => ({ kernel: c.kernel, stride: c.stride, padding: c.padding, ceilMode: c.ceilMode, dilation: c.dilation });
const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Whether the reference has windows at all, and (max) whether every window has a tap inside the input. */
function valid(c: Case, dilation: Pair): boolean {
  const axis = (i: 0 | 1) => {
    const size = c.shape[2 + i]!, span = dilation[i] * (c.kernel[i] - 1) + 1;
    const starts = windowStarts(size, c.padding[i], span, c.stride[i], c.ceilMode);
    const tapInside = (s: number) => Array.from({ length: c.kernel[i] }, (_, j) => s + j * dilation[i] - c.padding[i]).some((h) => h >= 0 && h < size);
    return starts.length > 0 && starts.every(tapInside);
  };
  return axis(0) && axis(1);
}

// Fixed cases fast-check must not miss: ceil mode's partial windows (and LeNet's 2×2 window on odd sizes,
// which must leave the wasm SIMD path), padding excluded from the divisor, a fixed divisor, dilation.
const FIXED: Case[] = [
  { shape: [2, 3, 7, 5], kernel: [2, 2], stride: [2, 2], padding: [0, 0], dilation: [1, 1], ceilMode: true, countIncludePad: true, divisorOverride: undefined, seed: 1 },
  { shape: [1, 2, 6, 7], kernel: [3, 3], stride: [2, 2], padding: [1, 1], dilation: [2, 1], ceilMode: true, countIncludePad: false, divisorOverride: undefined, seed: 2 },
  { shape: [1, 1, 5, 5], kernel: [3, 2], stride: [2, 3], padding: [1, 1], dilation: [1, 2], ceilMode: false, countIncludePad: false, divisorOverride: 3, seed: 3 },
  { shape: [2, 1, 9, 8], kernel: [3, 3], stride: [1, 2], padding: [1, 0], dilation: [3, 2], ceilMode: true, countIncludePad: true, divisorOverride: 7, seed: 4 },
  { shape: [1, 2, 28, 28], kernel: [2, 2], stride: [2, 2], padding: [0, 0], dilation: [1, 1], ceilMode: true, countIncludePad: true, divisorOverride: 4, seed: 5 },
];

describe("pooling options: forward against float64 references", () => {
  const check = (c: Case): void => {
    const x = f32(randn64(rng(c.seed), count(c.shape)));
    const label = JSON.stringify(c);
    for (const [dilation, op, ref] of [
      [[1, 1] as Pair, () => avgPool2d(new Tensor(x, c.shape), c.kernel, avgOptions(c)), () => avgPoolRef(x, c.shape, avgRef(c))],
      [c.dilation, () => maxPool2d(new Tensor(x, c.shape), c.kernel, maxOptions(c)), () => maxPoolRef(x, c.shape, maxRef(c))],
    ] as const) {
      if (!valid(c, dilation)) {
        expect(op, `refused: ${label}`).toThrow(/larger than the padded input|has no tap inside the input/);
        continue;
      }
      const want = ref();
      const got = op();
      expect(got.shape, label).toEqual(want.shape);
      expectAllClose(got.data, want.data, 1e-5, 1e-6, label);
    }
  };

  it("fixed cases: ceil-mode partial windows, countIncludePad false, divisorOverride, dilation", () => FIXED.forEach(check));
  it("random cases with every option", () => fc.assert(fc.property(CASES, check), { numRuns: 60 }));

  it("unbatched (C, H, W) input gives (C, P, Q), the batched result without its batch of one", () => {
    const c = FIXED[1]!;
    const x = f32(randn64(rng(8), count(c.shape)));
    const unbatched = new Tensor(x, c.shape.slice(1));
    for (const [single, batched] of [
      [avgPool2d(unbatched, c.kernel, avgOptions(c)), avgPool2d(new Tensor(x, c.shape), c.kernel, avgOptions(c))],
      [maxPool2d(unbatched, c.kernel, maxOptions(c)), maxPool2d(new Tensor(x, c.shape), c.kernel, maxOptions(c))],
      [adaptiveAvgPool2d(unbatched, [2, 3]), adaptiveAvgPool2d(new Tensor(x, c.shape), [2, 3])],
    ] as const) {
      expect(single.shape).toEqual(batched.shape.slice(1));
      expect(Array.from(single.data)).toEqual(Array.from(batched.data));
    }
  });
});

describe("pooling options: gradients (float64 finite differences)", () => {
  const gradcheck = (c: Case, which: "avg" | "max", unbatched = false): void => {
    const r = rng(c.seed);
    const shape = unbatched ? c.shape.slice(1) : c.shape;
    const refShape = unbatched ? [1, ...shape] : shape;
    checkGradients({
      inputs: [{ name: "x", data: which === "max" ? distinct64(r, count(shape), 0.05) : randn64(r, count(shape)), shape }],
      reference: ([x]) => (which === "avg" ? avgPoolRef(x!, refShape, avgRef(c)) : maxPoolRef(x!, refShape, maxRef(c))).data,
      op: ([x]) => (which === "avg" ? avgPool2d(x!, c.kernel, avgOptions(c)) : maxPool2d(x!, c.kernel, maxOptions(c))),
      generator: r,
    });
  };

  it("avgPool2d: ceilMode, countIncludePad false, divisorOverride, each and together", () => {
    for (const c of FIXED.slice(0, 4)) gradcheck(c, "avg");
  });
  it("maxPool2d: dilation and ceilMode", () => {
    for (const c of FIXED.slice(0, 4)) gradcheck(c, "max");
  });
  it("unbatched input, both ops", () => {
    gradcheck(FIXED[1]!, "avg", true);
    gradcheck(FIXED[3]!, "max", true);
  });
  it("random cases with every option", () => {
    fc.assert(fc.property(CASES.filter((c) => count(c.shape) <= 64), (c) => {
      if (valid(c, [1, 1])) gradcheck(c, "avg");
      if (valid(c, c.dilation)) gradcheck(c, "max");
    }), { numRuns: 15 });
  });

  it("adaptiveAvgPool2d, divisible and non-divisible sizes, and null entries", () => {
    for (const [shape, size] of [[[2, 2, 6, 4], [3, 2]], [[1, 3, 5, 7], [3, 4]], [[1, 1, 4, 5], [6, 7]], [[1, 2, 5, 3], [null, 2]]] as const) {
      const r = rng(shape[3] * 7 + (size[1] ?? 0));
      const [P, Q] = [size[0] ?? shape[2], size[1] ?? shape[3]];
      checkGradients({
        inputs: [{ name: "x", data: randn64(r, count(shape)), shape }],
        reference: ([x]) => adaptiveAvgPoolRef(x!, shape, P, Q),
        op: ([x]) => adaptiveAvgPool2d(x!, size),
        generator: r,
      });
    }
  });

  it("maxUnpool2d: the gradient of each input is the output gradient at its position", () => {
    const r = rng(11);
    const [values, indices] = maxPool2d(new Tensor(f32(distinct64(r, 2 * 7 * 6)), [1, 2, 7, 6]), 2, { returnIndices: true }); // (1, 2, 3, 3)
    const where = Array.from(indices.data);
    checkGradients({
      inputs: [{ name: "x", data: Float64Array.from(values.data), shape: values.shape }],
      reference: ([x]) => {
        const y = new Float64Array(2 * 7 * 6); // outputSize 7×6: the pooled input's size
        x!.forEach((v, i) => { y[Math.floor(i / 9) * 42 + where[i]!] = v; });
        return y;
      },
      op: ([x]) => maxUnpool2d(x!, indices, 2, { outputSize: [7, 6] }),
      generator: r,
    });
  });
});

describe("pooling options: hand cases (values from PyTorch 1.13)", () => {
  const x5 = () => new Tensor(Float32Array.from({ length: 25 }, (_, i) => i + 1), [1, 1, 5, 5]); // 1 … 25

  it("ceilMode keeps the partial windows on the right and bottom: F.avg_pool2d(x, 2, ceil_mode=True)", () => {
    // windows start at 0, 2, 4; the last covers row/column 4 only, and its divisor is clipped to the input: (5 + 10)/2 = 7.5
    expect(avgPool2d(x5(), 2, { ceilMode: true }).toArray()).toEqual([[[[4, 6, 7.5], [14, 16, 17.5], [21.5, 23.5, 25]]]]);
    expect(maxPool2d(x5(), 2, { ceilMode: true }).toArray()).toEqual([[[[7, 9, 10], [17, 19, 20], [22, 24, 25]]]]);
    expect(avgPool2d(x5(), 2).shape).toEqual([1, 1, 2, 2]); // floor mode drops them
  });

  it("ceilMode drops a last window that would start in the right padding", () => {
    // 1×4 row, kernel 1×3, stride 2, padding 1: ceil gives 3 windows (starts −1, 1, 3; a 4th at 5 would start in the padding)
    expect(avgPool2d(tensor([[[[1, 2, 3, 4]]]]), [1, 3], { stride: 2, padding: [0, 1], ceilMode: true }).toArray()).toEqual([[[[1, 3, 2]]]]); // the last window holds 4 and one cell of padding: 4/2
    // 1×1 input, kernel 2, stride 2: ceil mode allows the window past the input (PyTorch: shape [1,1,1,1], value 1)
    expect(maxPool2d(tensor([[[[1]]]]), 2, { ceilMode: true }).toArray()).toEqual([[[[1]]]]);
    expectError(() => maxPool2d(tensor([[[[1]]]]), 3, { stride: 2, ceilMode: true }), "SHAPE_MISMATCH", ["maxPool2d:", "kernel 3×3 is larger than the padded input 1×1", "ceilMode"]);
  });

  it("countIncludePad false divides by the real pixels; divisorOverride by a fixed number", () => {
    // F.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)
    expect(avgPool2d(x5(), 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }).toArray()).toEqual([[[[4, 5.5, 7], [11.5, 13, 14.5], [19, 20.5, 22]]]]);
    // 3×3 image 1 … 9: F.avg_pool2d(x, 2, divisor_override=3) = 12/3; with padding 1 and ceil mode: [[1, 5], [11, 28]] / 3
    const x3 = new Tensor(Float32Array.from({ length: 9 }, (_, i) => i + 1), [1, 1, 3, 3]);
    expect(avgPool2d(x3, 2, { divisorOverride: 3 }).item()).toBe(4);
    expectAllClose(avgPool2d(x3, 2, { padding: 1, ceilMode: true, divisorOverride: 3 }).data, [1 / 3, 5 / 3, 11 / 3, 28 / 3], 1e-6, 0, "divisor 3");
  });

  it("dilation spreads the taps: F.max_pool2d(x, 2, stride=1, padding=1, dilation=2, return_indices=True)", () => {
    const [values, indices] = maxPool2d(x5(), 2, { stride: 1, padding: 1, dilation: 2, returnIndices: true });
    expect(values.toArray()).toEqual([[[[7, 8, 9, 10, 9], [12, 13, 14, 15, 14], [17, 18, 19, 20, 19], [22, 23, 24, 25, 24], [17, 18, 19, 20, 19]]]]);
    expect(indices.toArray()).toEqual([[[[6, 7, 8, 9, 8], [11, 12, 13, 14, 13], [16, 17, 18, 19, 18], [21, 22, 23, 24, 23], [16, 17, 18, 19, 18]]]]);
  });

  it("NaN: the window is NaN and its gradient goes to its last NaN in row-major order, as PyTorch 1.13's CPU kernel", () => {
    const N = Number.NaN;
    // [values of the 2×2 window], PyTorch's index (and so the gradient's position)
    const cases: [number[], number][] = [[[1, N, 3, N], 3], [[N, 5, N, 9], 2], [[9, N, 1, 2], 1], [[1, 2, N, N], 3], [[N, N, N, N], 3], [[N, 1, 2, 3], 0]];
    for (const [values, last] of cases) {
      const x = new Tensor(Float32Array.from(values), [1, 1, 2, 2], { requiresGrad: true });
      const [y, indices] = maxPool2d(x, 2, { returnIndices: true });
      expect(Number.isNaN(y.item()), `${values}`).toBe(true);
      expect(indices.item(), `${values}`).toBe(last);
      y.backward(tensor([[[[1]]]]));
      expect(Array.from(x.grad!.data), `${values}`).toEqual([0, 1, 2, 3].map((i) => (i === last ? 1 : 0)));
    }
    // overlapping windows along [1, NaN, 3, 4, NaN], kernel 1×2, stride 1: PyTorch gives [NaN, NaN, 4, NaN] at [1, 1, 3, 4]
    const [row, where] = maxPool2d(tensor([[[[1, N, 3, 4, N]]]]), [1, 2], { stride: 1, returnIndices: true });
    expect(Array.from(row.data).map((v) => (Number.isNaN(v) ? "NaN" : v))).toEqual(["NaN", "NaN", 4, "NaN"]);
    expect(Array.from(where.data)).toEqual([1, 1, 3, 4]);
  });

  it("NaN, ties and −∞ at random, through LeNet's 2×2 window (wasm's SIMD path, and its tail) and a padded one", () => {
    // PyTorch's rule written out naively: scan the window row by row; a larger value or a NaN takes over
    const naive = (x: Float32Array, [N, C, H, W]: number[], k: number, s: number, pad: number) => {
      const P = Math.floor((H + 2 * pad - k) / s) + 1, Q = Math.floor((W + 2 * pad - k) / s) + 1;
      const values: number[] = [], indices: number[] = [];
      for (let plane = 0; plane < N! * C!; plane++) {
        for (let p = 0; p < P; p++) {
          for (let q = 0; q < Q; q++) {
            let best = -Infinity, where = -1;
            for (let h = p * s - pad; h < p * s - pad + k; h++) {
              for (let w = q * s - pad; w < q * s - pad + k; w++) {
                if (h < 0 || h >= H! || w < 0 || w >= W!) continue;
                const v = x[plane * H! * W! + h * W! + w]!;
                if (where === -1 || v > best || Number.isNaN(v)) { // the first real tap starts (an all −∞ window keeps it)
                  best = v;
                  where = h * W! + w;
                }
              }
            }
            values.push(best);
            indices.push(where);
          }
        }
      }
      return { values, indices };
    };
    const show = (values: ArrayLike<number>) => Array.from(values, (v) => (Number.isNaN(v) ? "NaN" : v));
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.boolean(), (seed, padded) => {
      const r = rng(seed);
      const shape = [2, 3, 6, 13]; // Q = 6 (or 7 padded): a SIMD block of four and a scalar tail
      const palette = [Number.NaN, Number.NEGATIVE_INFINITY, 0, 1, 2]; // few values: ties and NaNs are frequent
      const x = Float32Array.from(randn64(r, count(shape)), (v) => palette[Math.floor(Math.abs(v) * 10) % palette.length]!);
      const [k, st, pad] = padded ? [3, 2, 1] : [2, 2, 0];
      const [values, indices] = maxPool2d(new Tensor(x, shape), k, { stride: st, padding: pad, returnIndices: true });
      const want = naive(x, shape, k, st, pad);
      expect(show(values.data)).toEqual(show(want.values));
      expect(Array.from(indices.data)).toEqual(want.indices);
    }), { numRuns: 40 });
  });

  it("returnIndices: positions within each (H·W) plane, usable by maxUnpool2d, which puts each maximum back", () => {
    const x = new Tensor(Float32Array.from([5, 1, 2, 8, 3, 4, 7, 0, 6, 9, 1, 2, 0, 3, 4, 5]), [2, 2, 2, 2]); // 4 planes of 2×2
    const [values, indices] = maxPool2d(x, 2, { returnIndices: true });
    expect(values.toArray()).toEqual([[[[8]], [[7]]], [[[9]], [[5]]]]);
    expect(indices.toArray()).toEqual([[[[3]], [[2]]], [[[1]], [[3]]]]);
    expect(maxUnpool2d(values, indices, 2).toArray()).toEqual([[[[0, 0], [0, 8]], [[0, 0], [7, 0]]], [[[0, 9], [0, 0]], [[0, 0], [0, 5]]]]);
  });

  it("maxUnpool2d: outputSize, unbatched input, and repeated indices gathering the same gradient (PyTorch's gather)", () => {
    // F.max_pool2d(1 … 9 as 3×3, 2, return_indices=True) → 5 at index 4; F.max_unpool2d(..., output_size=(3, 3))
    const x3 = new Tensor(Float32Array.from({ length: 9 }, (_, i) => i + 1), [1, 3, 3]);
    const [values, indices] = maxPool2d(x3, 2, { returnIndices: true });
    expect(indices.toArray()).toEqual([[[4]]]);
    expect(maxUnpool2d(values, indices, 2, { outputSize: [3, 3] }).toArray()).toEqual([[[0, 0, 0], [0, 5, 0], [0, 0, 0]]]);
    expectError(() => maxUnpool2d(values, indices, 2), "OUT_OF_RANGE", ["maxUnpool2d:", "indices[0] is 4", "[0, 4)"]);
    expectError(() => maxUnpool2d(values, indices, 2, { outputSize: [5, 5] }), "INVALID_ARGUMENT", ["maxUnpool2d:", "outputSize 5×5 must lie strictly between 0×0 and 4×4"]);
    // [1, 5, 2] pooled 1×2 with stride 1 picks 5 twice (index 1 both times); unpooling sends both gradients from position 1
    const pooled = new Tensor(Float32Array.of(5, 5), [1, 1, 1, 2], { requiresGrad: true });
    const y = maxUnpool2d(pooled, tensor([[[[1, 1]]]]), [1, 2], { stride: 1 });
    expect(y.toArray()).toEqual([[[[0, 5, 0]]]]);
    y.backward(tensor([[[[10, 20, 30]]]]));
    expect(Array.from(pooled.grad!.data)).toEqual([20, 20]);
  });

  it("adaptiveAvgPool2d: PyTorch's windows, global pooling, null entries, and avgPool2d when the size divides", () => {
    // F.adaptive_avg_pool2d(1 … 25 as 5×5, (2, 3)): rows [0, 3) and [2, 5), columns [0, 2), [1, 4), [3, 5)
    expect(adaptiveAvgPool2d(x5(), [2, 3]).toArray()).toEqual([[[[6.5, 8, 9.5], [16.5, 18, 19.5]]]]);
    expect(adaptiveAvgPool2d(x5(), 1).toArray()).toEqual([[[[13]]]]);
    expect(adaptiveAvgPool2d(new Tensor(new Float32Array(25), [1, 5, 5]), [null, 3]).shape).toEqual([1, 5, 3]);
    expect(adaptiveAvgPool2d(new Tensor(new Float32Array(25), [1, 5, 5]), [7, 8]).shape).toEqual([1, 7, 8]); // larger than the input: windows repeat pixels
    const x = new Tensor(f32(randn64(rng(3), 2 * 3 * 8 * 6)), [2, 3, 8, 6]);
    expectAllClose(adaptiveAvgPool2d(x, [4, 3]).data, avgPool2d(x, 2).data, 1e-6, 1e-7, "divisible: plain 2×2 average");
  });

  it("bad options are typed errors naming the op and the value", () => {
    expectError(() => avgPool2d(x5(), 2, { divisorOverride: 0 }), "INVALID_ARGUMENT", ["avgPool2d:", "divisorOverride must be a nonzero integer"]);
    expectError(() => avgPool2d(x5(), 2, { divisorOverride: 1.5 }), "INVALID_ARGUMENT", ["avgPool2d:", "divisorOverride must be an integer, got 1.5"]);
    expectError(() => avgPool2d(x5(), 2, { ceilMode: 1 as unknown as boolean }), "INVALID_ARGUMENT", ["avgPool2d:", "ceilMode must be true or false, got 1"]);
    expectError(() => avgPool2d(x5(), 2, { countIncludePad: "no" as unknown as boolean }), "INVALID_ARGUMENT", ["countIncludePad must be true or false"]);
    expectError(() => maxPool2d(x5(), 2, { dilation: 0 }), "INVALID_ARGUMENT", ["maxPool2d:", "dilation must be an integer ≥ 1, got 0"]);
    expectError(() => maxPool2d(x5(), 2, { returnIndices: "yes" as unknown as boolean }), "INVALID_ARGUMENT", ["returnIndices must be true or false"]);
    expectError(() => maxPool2d(x5(), 3, { dilation: 3 }), "SHAPE_MISMATCH", ["maxPool2d:", "(dilated to 7×7) is larger than the padded input 5×5"]);
    // kernel 2, dilation 2, padding 1 over one pixel: both taps fall in the padding (PyTorch returns −inf with an index outside the plane)
    expectError(() => maxPool2d(tensor([[[[1]]]]), 2, { stride: 1, padding: 1, dilation: 2 }), "INVALID_ARGUMENT", ["maxPool2d:", "window row 0 has no tap inside the input"]);
    expectError(() => adaptiveAvgPool2d(x5(), [2, -1]), "INVALID_ARGUMENT", ["adaptiveAvgPool2d:", "outputSize[1] must be an integer ≥ 0, got -1"]);
    expectError(() => adaptiveAvgPool2d(x5(), "2" as unknown as number), "INVALID_ARGUMENT", ["adaptiveAvgPool2d:", "outputSize must be a number or [height, width]"]);
    expectError(() => maxUnpool2d(x5(), tensor([1]), 2), "SHAPE_MISMATCH", ["maxUnpool2d:", "indices must have the input's shape [1,1,5,5], got [1]"]);
  });
});

describe("the linear pooling ops are their backward's adjoint (on the active backend)", () => {
  // A·v through the op, Aᵀ·w through autograd: ⟨op(v), w⟩ = ⟨v, ∂⟨op(v), w⟩/∂v⟩ for random v, w
  const adjointOf = (op: (t: Tensor) => Tensor, shape: number[], seed: number, what: string): void => {
    const r = rng(seed);
    const v = f32(randn64(r, count(shape)));
    const y = op(new Tensor(v, shape));
    expectAdjoint(
      (u) => op(new Tensor(u, shape)).data,
      (g) => {
        const t = new Tensor(v.slice(), shape, { requiresGrad: true });
        op(t).backward(new Tensor(g, y.shape));
        return t.grad!.data;
      },
      v, f32(randn64(r, y.data.length)), 1e-5, what,
    );
  };

  it("avgPool2d with every option", () => FIXED.forEach((c, i) => adjointOf((t) => avgPool2d(t, c.kernel, avgOptions(c)), c.shape, i, JSON.stringify(c))));
  it("avgPool2d, random options", () => fc.assert(fc.property(CASES.filter((c) => valid(c, [1, 1])), (c) => adjointOf((t) => avgPool2d(t, c.kernel, avgOptions(c)), c.shape, c.seed, JSON.stringify(c))), { numRuns: 30 }));
  it("adaptiveAvgPool2d, divisible and not", () => {
    adjointOf((t) => adaptiveAvgPool2d(t, [3, 2]), [2, 2, 6, 4], 1, "6×4 → 3×2");
    adjointOf((t) => adaptiveAvgPool2d(t, [4, 3]), [1, 3, 7, 5], 2, "7×5 → 4×3");
    adjointOf((t) => adaptiveAvgPool2d(t, [5, 6]), [1, 1, 3, 4], 3, "3×4 → 5×6");
  });
  it("maxUnpool2d with distinct indices (with a repeated one the forward keeps one value but the backward, like PyTorch's gather, feeds both)", () => {
    const indices = new Tensor(Float32Array.from([0, 5, 7, 8, 3, 4, 2, 1]), [1, 2, 2, 2]); // two planes of 2×2 into 3×3
    adjointOf((t) => maxUnpool2d(t, indices, 2, { stride: 1 }), [1, 2, 2, 2], 4, "unpool");
  });
});
