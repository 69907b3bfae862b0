// avgPool2d and maxPool2d: forward against float64 references (kernel,
// stride, padding per dimension, overlapping and gapped windows), gradient
// checks, avgPool2d's adjoint, and the hand cases: means, the max routing the
// whole gradient to one element, −∞ padding, NaN propagation, first-wins ties.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { avgPool2d, avgPool2dBackward, avgPool2dForward } from "../../src/ops/avgpool2d.js";
import { pool2dDims } from "../../src/ops/window.js";
import { maxPool2d, maxPool2dBackward, maxPool2dForward } from "../../src/ops/maxpool2d.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { tensor } from "../../src/tensor/create.js";
import { expectAdjoint } from "../helpers/adjoint.js";
import { checkGradients } from "../helpers/gradcheck.js";
import { expectAllClose } from "../helpers/close.js";
import { avgPool2dRef, maxPool2dRef, outSize, type Pair } from "../helpers/reference.js";
import { distinct64, f32, randn64, rng } from "../helpers/random.js";
import { windowGeometry, type WindowGeometry } from "../helpers/geometry.js";

function geometry(maxHW: number): fc.Arbitrary<WindowGeometry> {
  // PyTorch's pooling rule on top: padding ≤ kernel/2
  return windowGeometry(2, maxHW).filter((g) => 2 * g.pH <= g.kH && 2 * g.pW <= g.kW);
}

const GEOMETRY = geometry(8);
const SMALL = geometry(5);
const shapeOf = (g: WindowGeometry): number[] => [g.N, g.C, g.H, g.W];
const kernel = (g: WindowGeometry): Pair => [g.kH, g.kW];
const stride = (g: WindowGeometry): Pair => [g.sH, g.sW];
const padding = (g: WindowGeometry): Pair => [g.pH, g.pW];
const opts = (g: WindowGeometry) => ({ stride: [g.sH, g.sW] as const, padding: [g.pH, g.pW] as const });

// A few fixed geometries that must be covered whatever fast-check draws.
const FIXED: WindowGeometry[] = [
  { N: 1, C: 2, H: 7, W: 6, kH: 3, kW: 3, sH: 2, sW: 2, pH: 1, pW: 1, seed: 1 }, // overlapping windows, stride < kernel
  { N: 2, C: 1, H: 8, W: 9, kH: 2, kW: 2, sH: 3, sW: 3, pH: 0, pW: 0, seed: 2 }, // gaps between windows, stride > kernel
  { N: 1, C: 1, H: 5, W: 7, kH: 2, kW: 3, sH: 1, sW: 2, pH: 1, pW: 0, seed: 3 }, // non-square everything
  { N: 1, C: 3, H: 4, W: 4, kH: 4, kW: 1, sH: 1, sW: 1, pH: 2, pW: 0, seed: 4 }, // tall kernel, padding = kernel/2
  { N: 2, C: 2, H: 6, W: 6, kH: 2, kW: 2, sH: 2, sW: 2, pH: 0, pW: 0, seed: 5 }, // LeNet's 2×2 stride 2
];

describe("pool forward vs float64 references", () => {
  const check = (g: WindowGeometry): void => {
    const x = f32(randn64(rng(g.seed), g.N * g.C * g.H * g.W));
    const P = outSize(g.H, g.kH, g.sH, g.pH);
    const Q = outSize(g.W, g.kW, g.sW, g.pW);
    const avg = avgPool2d(new Tensor(x, shapeOf(g)), kernel(g), opts(g));
    expect(avg.shape).toEqual([g.N, g.C, P, Q]);
    expectAllClose(avg.data, avgPool2dRef(x, shapeOf(g), kernel(g), stride(g), padding(g)).data, 1e-6, 1e-6, `avgPool2d ${JSON.stringify(g)}`);
    const max = maxPool2d(new Tensor(x, shapeOf(g)), kernel(g), opts(g));
    expect(max.shape).toEqual([g.N, g.C, P, Q]);
    // a max is one of the inputs, so it is exact
    expect(Array.from(max.data), `maxPool2d ${JSON.stringify(g)}`).toEqual(Array.from(maxPool2dRef(x, shapeOf(g), kernel(g), stride(g), padding(g)).data));
  };

  it("fixed geometries: overlapping, gapped, non-square, padded", () => FIXED.forEach(check));
  it("random geometries", () => fc.assert(fc.property(GEOMETRY, check), { numRuns: 30 }));

  it("stride defaults to the kernel size", () => {
    const x = tensor([[[[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]]]]);
    expect(avgPool2d(x, 2).toArray()).toEqual([[[[3.5, 5.5], [11.5, 13.5]]]]);
    expect(maxPool2d(x, 2).toArray()).toEqual([[[[6, 8], [14, 16]]]]);
    expect(maxPool2d(x, [1, 4]).toArray()).toEqual([[[[4], [8], [12], [16]]]]);
  });
});

describe("pool gradients", () => {
  it("avgPool2d gradcheck", () => {
    fc.assert(
      fc.property(SMALL, (g) => {
        const r = rng(g.seed);
        checkGradients({
          inputs: [{ name: "x", data: randn64(r, g.N * g.C * g.H * g.W), shape: shapeOf(g) }],
          reference: ([x]) => avgPool2dRef(x!, shapeOf(g), kernel(g), stride(g), padding(g)).data,
          op: ([x]) => avgPool2d(x!, kernel(g), opts(g)),
          generator: r,
        });
      }),
      { numRuns: 20 },
    );
  });

  it("maxPool2d gradcheck on distinct values (no ties within eps)", () => {
    const run = (g: WindowGeometry): void => {
      const r = rng(g.seed);
      checkGradients({
        inputs: [{ name: "x", data: distinct64(r, g.N * g.C * g.H * g.W, 0.05), shape: shapeOf(g) }],
        reference: ([x]) => maxPool2dRef(x!, shapeOf(g), kernel(g), stride(g), padding(g)).data,
        op: ([x]) => maxPool2d(x!, kernel(g), opts(g)),
        generator: r,
      });
    };
    FIXED.forEach(run);
    fc.assert(fc.property(SMALL, run), { numRuns: 20 });
  });

  it("avgPool2d is linear: ⟨pool(x), g⟩ = ⟨x, poolᵀ(g)⟩ (forward and backward kernels)", () => {
    const run = (g: WindowGeometry): void => {
      const r = rng(g.seed);
      const d = pool2dDims("avgPool2d", shapeOf(g), kernel(g), opts(g));
      const x = f32(randn64(r, g.N * g.C * g.H * g.W));
      const G = f32(randn64(r, g.N * g.C * d.P * d.Q));
      expectAdjoint(
        (v) => { const y = new Float32Array(G.length); avgPool2dForward(y, v, d); return y; },
        (w) => { const dx = new Float32Array(x.length); avgPool2dBackward(dx, w, d); return dx; },
        x, G, 1e-5, JSON.stringify(g),
      );
    };
    FIXED.forEach(run);
    fc.assert(fc.property(GEOMETRY, run), { numRuns: 30 });
  });

  it("the backward kernels accumulate (+=)", () => {
    const g = FIXED[0]!;
    const r = rng(9);
    const d = pool2dDims("test", shapeOf(g), kernel(g), opts(g));
    const x = f32(distinct64(r, g.N * g.C * g.H * g.W));
    const dy = f32(randn64(r, g.N * g.C * d.P * d.Q));
    const argmax = new Int32Array(dy.length);
    maxPool2dForward(new Float32Array(dy.length), argmax, x, d);
    for (const backward of [(dx: Float32Array) => avgPool2dBackward(dx, dy, d), (dx: Float32Array) => maxPool2dBackward(dx, dy, argmax, d)]) {
      const once = new Float32Array(x.length);
      backward(once);
      const twice = new Float32Array(x.length);
      backward(twice);
      backward(twice);
      expect(once.some((v) => v !== 0)).toBe(true);
      expectAllClose(twice, once.map((v) => 2 * v), 1e-6, 1e-7, "accumulated twice");
    }
  });
});

describe("pool hand cases", () => {
  it("2×2 average of [[1,2],[3,4]] is 2.5 and spreads the gradient as 1/4 each", () => {
    const x = tensor([[[[1, 2], [3, 4]]]], undefined, { requiresGrad: true });
    const y = avgPool2d(x, 2);
    expect(y.shape).toEqual([1, 1, 1, 1]);
    expect(y.item()).toBe(2.5);
    y.backward(tensor([[[[2]]]]));
    expect(x.grad!.toArray()).toEqual([[[[0.5, 0.5], [0.5, 0.5]]]]);
  });

  it("avgPool2d counts the zero padding and divides by kH·kW (count_include_pad)", () => {
    // [[1,2],[3,4]], kernel 2, stride 1, padding 1 → 3×3 windows, each sum / 4
    const y = avgPool2d(tensor([[[[1, 2], [3, 4]]]]), 2, { stride: 1, padding: 1 });
    expect(y.toArray()).toEqual([[[[0.25, 0.75, 0.5], [1, 2.5, 1.5], [0.75, 1.75, 1]]]]);
  });

  it("2×2 max of [[1,2],[3,4]] picks 4 and routes the whole gradient there", () => {
    const x = tensor([[[[1, 2], [3, 4]]]], undefined, { requiresGrad: true });
    const y = maxPool2d(x, 2);
    expect(y.item()).toBe(4);
    y.backward(tensor([[[[7]]]]));
    expect(x.grad!.toArray()).toEqual([[[[0, 0], [0, 7]]]]);
  });

  it("overlapping max windows send a pixel the sum of the gradients of every window it wins", () => {
    // 1×3 row [1, 5, 2], kernel 1×2, stride 1: both windows pick 5
    const x = tensor([[[[1, 5, 2]]]], undefined, { requiresGrad: true });
    const y = maxPool2d(x, [1, 2], { stride: 1 });
    expect(y.toArray()).toEqual([[[[5, 5]]]]);
    y.backward(tensor([[[[3, 4]]]]));
    expect(x.grad!.toArray()).toEqual([[[[0, 7, 0]]]]);
  });

  it("−∞ padding never wins, even on an all-negative input", () => {
    // xpad = −∞ ring around [[−5, −3], [−4, −6]]; kernel 2, stride 1, padding 1 → 3×3
    const x = tensor([[[[-5, -3], [-4, -6]]]], undefined, { requiresGrad: true });
    const y = maxPool2d(x, 2, { stride: 1, padding: 1 });
    expect(y.toArray()).toEqual([[[[-5, -3, -3], [-4, -3, -3], [-4, -4, -6]]]]);
    y.backward(tensor([[[[1, 1, 1], [1, 1, 1], [1, 1, 1]]]]));
    // −5 wins 1 window, −3 wins 4, −4 wins 3, −6 wins 1: all 9 gradients land on real pixels
    expect(x.grad!.toArray()).toEqual([[[[1, 4], [3, 1]]]]);
  });

  it("a window that is mostly padding still returns its one real value", () => {
    // 3×3 kernel, padding 1, stride 2 on a 1×1 input: the single window is 8 padding cells and one pixel
    const y = maxPool2d(tensor([[[[-100]]]]), 3, { stride: 2, padding: 1 });
    expect(y.toArray()).toEqual([[[[-100]]]]);
  });

  it("NaN propagates through maxPool2d wherever it sits in the window", () => {
    for (let at = 0; at < 4; at++) {
      const values = [1, 2, 3, 4];
      values[at] = Number.NaN;
      const x = new Tensor(Float32Array.from(values), [1, 1, 2, 2], { requiresGrad: true });
      const y = maxPool2d(x, 2);
      expect(Number.isNaN(y.item()), `NaN at ${at}`).toBe(true);
      y.backward(tensor([[[[1]]]]));
      // the NaN is the selected element, so it receives the gradient
      expect(Array.from(x.grad!.data), `gradient with NaN at ${at}`).toEqual([0, 1, 2, 3].map((i) => (i === at ? 1 : 0)));
    }
  });

  it("a NaN in one window does not leak into its neighbours", () => {
    const y = maxPool2d(tensor([[[[Number.NaN, 0, 1, 2]]]]), [1, 2]);
    expect(Number.isNaN(y.data[0]!)).toBe(true);
    expect(y.data[1]).toBe(2);
  });

  it("ties go to the first element in row-major order", () => {
    const cases: [number[], number][] = [
      [[1, 1, 1, 1], 0],
      [[0, 5, 5, 1], 1],
      [[0, 1, 5, 5], 2],
      [[-2, -2, -3, -2], 0],
    ];
    for (const [values, first] of cases) {
      const x = new Tensor(Float32Array.from(values), [1, 1, 2, 2], { requiresGrad: true });
      maxPool2d(x, 2).backward(tensor([[[[1]]]]));
      expect(Array.from(x.grad!.data), `ties in ${values}`).toEqual([0, 1, 2, 3].map((i) => (i === first ? 1 : 0)));
    }
  });

  it("an input without requiresGrad records nothing", () => {
    const y = avgPool2d(tensor([[[[1, 2], [3, 4]]]]), 2);
    expect(y.gradFn).toBeNull();
    expect(maxPool2d(tensor([[[[1, 2], [3, 4]]]]), 2).gradFn).toBeNull();
  });
});
