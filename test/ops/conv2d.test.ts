// conv2d: forward (im2col + gemm, and conv2dNaive) against the float64
// reference on random geometry, gradient checks for x, w and b, adjoint
// identities in x and in w, a convolution computed on paper, LeNet's shapes,
// and which inputs receive gradients.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { conv2d, conv2dBackward, conv2dColsLength, conv2dDims, conv2dForward, conv2dNaive, type Conv2dDims } from "../../src/ops/conv2d.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { tensor } from "../../src/tensor/create.js";
import { expectAdjoint } from "../helpers/adjoint.js";
import { checkGradients } from "../helpers/gradcheck.js";
import { expectAllClose } from "../helpers/close.js";
import { conv2dRef, type Pair } from "../helpers/reference.js";
import { f32, randn64, rng } from "../helpers/random.js";

interface Geometry {
  N: number; C: number; K: number; H: number; W: number;
  kH: number; kW: number; sH: number; sW: number; pH: number; pW: number;
  /** Dilation (tap spacing) and groups; C and K are multiples of G. */
  dH?: number; dW?: number; G?: number;
  bias: boolean; seed: number;
}

// C and K are drawn per group (Cg ≤ max.C, Kg ≤ max.K) and multiplied by G ≤ max.G.
function geometry(max: { N: number; C: number; K: number; HW: number; k: number; d: number; G: number }): fc.Arbitrary<Geometry> {
  return fc
    .record({
      N: fc.integer({ min: 1, max: max.N }),
      Cg: fc.integer({ min: 1, max: max.C }),
      Kg: fc.integer({ min: 1, max: max.K }),
      G: fc.integer({ min: 1, max: max.G }),
      dH: fc.integer({ min: 1, max: max.d }),
      dW: fc.integer({ min: 1, max: max.d }),
      H: fc.integer({ min: 1, max: max.HW }),
      W: fc.integer({ min: 1, max: max.HW }),
      kH: fc.integer({ min: 1, max: max.k }),
      kW: fc.integer({ min: 1, max: max.k }),
      sH: fc.integer({ min: 1, max: 3 }),
      sW: fc.integer({ min: 1, max: 3 }),
      pH: fc.integer({ min: 0, max: 2 }),
      pW: fc.integer({ min: 0, max: 2 }),
      bias: fc.boolean(),
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    })
    .map(({ Cg, Kg, ...g }) => ({ ...g, C: Cg * g.G, K: Kg * g.G }))
    // invalid combinations (kernel larger than the padded input) are errors, tested in errors.test.ts
    .filter((g) => g.H + 2 * g.pH >= g.dH * (g.kH - 1) + 1 && g.W + 2 * g.pW >= g.dW * (g.kW - 1) + 1);
}

const FULL = geometry({ N: 3, C: 3, K: 4, HW: 9, k: 4, d: 3, G: 3 });
const SMALL = geometry({ N: 2, C: 2, K: 3, HW: 6, k: 3, d: 2, G: 2 });

const stride = (g: Geometry): Pair => [g.sH, g.sW];
const padding = (g: Geometry): Pair => [g.pH, g.pW];
const more = (g: Geometry) => ({ dilation: [g.dH ?? 1, g.dW ?? 1] as const, groups: g.G ?? 1 });
const xShape = (g: Geometry): number[] => [g.N, g.C, g.H, g.W];
const wShape = (g: Geometry): number[] => [g.K, g.C / (g.G ?? 1), g.kH, g.kW];
const opts = (g: Geometry) => ({ stride: [g.sH, g.sW] as const, padding: [g.pH, g.pW] as const, ...more(g) });
const wLength = (g: Geometry): number => wShape(g).reduce((a, b) => a * b, 1);

// |y − ref| ≤ 1e-5 · (Σ|w||x| + |b|): float32 rounding relative to the size of the terms summed.
function expectConvClose(actual: Float32Array, x: Float32Array, w: Float32Array, b: Float32Array | null, g: Geometry, what: string): void {
  const ref = conv2dRef(x, xShape(g), w, wShape(g), b, stride(g), padding(g), more(g)).data;
  const scale = conv2dRef(x.map(Math.abs), xShape(g), w.map(Math.abs), wShape(g), b && b.map(Math.abs), stride(g), padding(g), more(g)).data;
  expect(actual.length, `${what}: output size`).toBe(ref.length);
  for (let i = 0; i < ref.length; i++) {
    if (!(Math.abs(actual[i]! - ref[i]!) <= 1e-5 * scale[i]! + 1e-30)) {
      expect.fail(`${what}: y[${i}] = ${actual[i]} but reference ${ref[i]} (${JSON.stringify(g)})`);
    }
  }
}

describe("conv2d forward vs the float64 reference", () => {
  it("conv2d (im2col + gemm) on random geometries (stride, padding, dilation, groups), with and without bias", () => {
    fc.assert(
      fc.property(FULL, (g) => {
        const r = rng(g.seed);
        const x = f32(randn64(r, g.N * g.C * g.H * g.W));
        const w = f32(randn64(r, wLength(g)));
        const b = g.bias ? f32(randn64(r, g.K)) : null;
        const y = conv2d(new Tensor(x, xShape(g)), new Tensor(w, wShape(g)), b && new Tensor(b, [g.K]), opts(g));
        const P = Math.floor((g.H + 2 * g.pH - (g.dH ?? 1) * (g.kH - 1) - 1) / g.sH) + 1;
        const Q = Math.floor((g.W + 2 * g.pW - (g.dW ?? 1) * (g.kW - 1) - 1) / g.sW) + 1;
        expect(y.shape).toEqual([g.N, g.K, P, Q]);
        expectConvClose(y.data, x, w, b, g, "conv2d");
      }),
      { numRuns: 30 },
    );
  });

  it("conv2dNaive on the same geometries (dilation and groups included)", () => {
    fc.assert(
      fc.property(FULL, (g) => {
        const r = rng(g.seed);
        const x = f32(randn64(r, g.N * g.C * g.H * g.W));
        const w = f32(randn64(r, wLength(g)));
        const b = g.bias ? f32(randn64(r, g.K)) : null;
        const d = conv2dDims(xShape(g), wShape(g), b && [g.K], opts(g));
        const y = new Float32Array(g.N * g.K * d.P * d.Q).fill(Number.NaN);
        conv2dNaive(y, x, w, b, d);
        expectConvClose(y, x, w, b, g, "conv2dNaive");
      }),
      { numRuns: 30 },
    );
  });

  it("conv2dForward overwrites stale output and scratch", () => {
    const g: Geometry = { N: 2, C: 2, K: 3, H: 5, W: 4, kH: 3, kW: 2, sH: 2, sW: 1, pH: 1, pW: 1, bias: true, seed: 3 };
    const r = rng(g.seed);
    const x = f32(randn64(r, 2 * 2 * 5 * 4));
    const w = f32(randn64(r, 3 * 2 * 3 * 2));
    const b = f32(randn64(r, 3));
    const d = conv2dDims(xShape(g), wShape(g), [3], opts(g));
    const y = new Float32Array(d.N * d.K * d.P * d.Q).fill(Number.NaN);
    conv2dForward(y, x, w, b, d, new Float32Array(conv2dColsLength(d)).fill(Number.NaN));
    expectConvClose(y, x, w, b, g, "conv2dForward with NaN-filled buffers");
  });
});

describe("conv2d by hand", () => {
  // x = [[1,2,3],[4,5,6],[7,8,9]], w = [[1,2],[3,4]], b = 1, stride 1, no padding:
  //   y[0][0] = 1·1 + 2·2 + 3·4 + 4·5 + 1 = 38
  //   y[0][1] = 1·2 + 2·3 + 3·5 + 4·6 + 1 = 48
  //   y[1][0] = 1·4 + 2·5 + 3·7 + 4·8 + 1 = 68
  //   y[1][1] = 1·5 + 2·6 + 3·8 + 4·9 + 1 = 78
  const x0 = [[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]];
  const w0 = [[[[1, 2], [3, 4]]]];

  it("forward: [[38, 48], [68, 78]]", () => {
    const y = conv2d(tensor(x0), tensor(w0), tensor([1]));
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expect(y.toArray()).toEqual([[[[38, 48], [68, 78]]]]);
  });

  it("backward of sum(y): dw = window sums, db = 4, dx = how much weight covers each pixel", () => {
    const x = tensor(x0, undefined, { requiresGrad: true });
    const w = tensor(w0, undefined, { requiresGrad: true });
    const b = tensor([1], undefined, { requiresGrad: true });
    conv2d(x, w, b).backward(tensor([[[[1, 1], [1, 1]]]]));
    // dw[u][v] = Σ_{p,q} x[p+u][q+v]
    expect(w.grad!.toArray()).toEqual([[[[1 + 2 + 4 + 5, 2 + 3 + 5 + 6], [4 + 5 + 7 + 8, 5 + 6 + 8 + 9]]]]);
    expect(b.grad!.toArray()).toEqual([4]);
    // dx[h][w] = Σ of the taps w[h−p][w−q] over the windows covering (h, w)
    expect(x.grad!.toArray()).toEqual([[[[1, 1 + 2, 2], [1 + 3, 1 + 2 + 3 + 4, 2 + 4], [3, 3 + 4, 4]]]]);
  });

  it("padding 1 and stride 2: corners see the zero padding", () => {
    // xpad is x with a ring of zeros; windows start at rows/cols −1 and 1:
    //   y[0][0] = 4·1 = 4;        y[0][1] = 3·2 + 4·3 = 18
    //   y[1][0] = 2·4 + 4·7 = 36;  y[1][1] = 1·5 + 2·6 + 3·8 + 4·9 = 77
    const y = conv2d(tensor(x0), tensor(w0), null, { stride: 2, padding: 1 });
    expect(y.toArray()).toEqual([[[[4, 18], [36, 77]]]]);
  });

  it("two channels and two filters sum over channels, one bias per filter", () => {
    // x: channel 0 all 1, channel 1 all 2 (2×2); 1×1 kernels w[k][c]: [[1, 10], [−1, 0.5]]; b = [0, 3]
    //   filter 0: 1·1 + 10·2 = 21;  filter 1: −1·1 + 0.5·2 + 3 = 3
    const x = tensor([[[[1, 1], [1, 1]], [[2, 2], [2, 2]]]]);
    const w = tensor([[[[1]], [[10]]], [[[-1]], [[0.5]]]]);
    const y = conv2d(x, w, tensor([0, 3]));
    expect(y.toArray()).toEqual([[[[21, 21], [21, 21]], [[3, 3], [3, 3]]]]);
  });
});

describe("conv2d gradients", () => {
  it("gradcheck of x, w and b on random small geometries (dilation and groups included)", () => {
    fc.assert(
      fc.property(SMALL, (g) => {
        const r = rng(g.seed);
        const inputs = [
          { name: "x", data: randn64(r, g.N * g.C * g.H * g.W), shape: xShape(g) },
          { name: "w", data: randn64(r, wLength(g)), shape: wShape(g) },
          ...(g.bias ? [{ name: "b", data: randn64(r, g.K), shape: [g.K] }] : []),
        ];
        checkGradients({
          inputs,
          reference: ([x, w, b]) => conv2dRef(x!, xShape(g), w!, wShape(g), b ?? null, stride(g), padding(g), more(g)).data,
          op: ([x, w, b]) => conv2d(x!, w!, b ?? null, opts(g)),
          generator: r,
        });
      }),
      { numRuns: 25 },
    );
  });

  it("conv2dBackward accumulates (+=) into dx, dw and db", () => {
    const g: Geometry = { N: 2, C: 2, K: 3, H: 4, W: 5, kH: 2, kW: 3, sH: 1, sW: 2, pH: 1, pW: 0, bias: true, seed: 11 };
    const r = rng(g.seed);
    const x = f32(randn64(r, 2 * 2 * 4 * 5));
    const w = f32(randn64(r, 3 * 2 * 2 * 3));
    const d: Conv2dDims = conv2dDims(xShape(g), wShape(g), [3], opts(g));
    const dy = f32(randn64(r, d.N * d.K * d.P * d.Q));
    const scratch = () => new Float32Array(conv2dColsLength(d)).fill(Number.NaN); // stale scratch must not leak into the result
    const run = (dx: Float32Array, dw: Float32Array, db: Float32Array): void => conv2dBackward(dx, dw, db, dy, x, w, d, scratch(), scratch());
    const once = [new Float32Array(x.length), new Float32Array(w.length), new Float32Array(3)] as const;
    run(...once);
    const twice = [new Float32Array(x.length), new Float32Array(w.length), new Float32Array(3)] as const;
    run(...twice);
    run(...twice);
    for (let k = 0; k < 3; k++) expectAllClose(twice[k], once[k].map((v) => 2 * v), 1e-6, 1e-6, ["dx", "dw", "db"][k]);
    expect(once[0].some((v) => v !== 0) && once[1].some((v) => v !== 0) && once[2].some((v) => v !== 0)).toBe(true);
  });
});

describe("conv2d adjoints", () => {
  it("in x (w fixed) and in w (x fixed), through autograd (dilation and groups included)", () => {
    fc.assert(
      fc.property(FULL, (g) => {
        const r = rng(g.seed);
        const x = f32(randn64(r, g.N * g.C * g.H * g.W));
        const w = f32(randn64(r, wLength(g)));
        const probe = conv2d(new Tensor(x, xShape(g)), new Tensor(w, wShape(g)), null, opts(g));
        const G = f32(randn64(r, probe.numel));
        const outShape = probe.shape;
        // A_w: x ↦ conv(x, w)
        expectAdjoint(
          (v) => conv2d(new Tensor(v, xShape(g)), new Tensor(w, wShape(g)), null, opts(g)).data,
          (gy) => {
            const xv = new Tensor(new Float32Array(x.length), xShape(g), { requiresGrad: true });
            conv2d(xv, new Tensor(w, wShape(g)), null, opts(g)).backward(new Tensor(gy, outShape));
            return xv.grad!.data;
          },
          x, G, 1e-5, `in x ${JSON.stringify(g)}`,
        );
        // A_x: w ↦ conv(x, w)
        expectAdjoint(
          (v) => conv2d(new Tensor(x, xShape(g)), new Tensor(v, wShape(g)), null, opts(g)).data,
          (gy) => {
            const wv = new Tensor(new Float32Array(w.length), wShape(g), { requiresGrad: true });
            conv2d(new Tensor(x, xShape(g)), wv, null, opts(g)).backward(new Tensor(gy, outShape));
            return wv.grad!.data;
          },
          w, G, 1e-5, `in w ${JSON.stringify(g)}`,
        );
      }),
      { numRuns: 20 },
    );
  });
});

describe("conv2d shapes and gradient bookkeeping", () => {
  it("LeNet C1: [2,1,28,28] with [6,1,5,5], padding 2 → [2,6,28,28], values match the reference", () => {
    const r = rng(28);
    const g: Geometry = { N: 2, C: 1, K: 6, H: 28, W: 28, kH: 5, kW: 5, sH: 1, sW: 1, pH: 2, pW: 2, bias: true, seed: 28 };
    const x = f32(randn64(r, 2 * 28 * 28));
    const w = f32(randn64(r, 6 * 25, 0.2));
    const b = f32(randn64(r, 6));
    const y = conv2d(new Tensor(x, [2, 1, 28, 28]), new Tensor(w, [6, 1, 5, 5]), new Tensor(b, [6]), { padding: 2 });
    expect(y.shape).toEqual([2, 6, 28, 28]);
    expectConvClose(y.data, x, w, b, g, "LeNet C1");
  });

  it("LeNet C3: [2,6,14,14] with [16,6,5,5] → [2,16,10,10], values match the reference", () => {
    const r = rng(14);
    const g: Geometry = { N: 2, C: 6, K: 16, H: 14, W: 14, kH: 5, kW: 5, sH: 1, sW: 1, pH: 0, pW: 0, bias: true, seed: 14 };
    const x = f32(randn64(r, 2 * 6 * 14 * 14));
    const w = f32(randn64(r, 16 * 6 * 25, 0.1));
    const b = f32(randn64(r, 16));
    const y = conv2d(new Tensor(x, [2, 6, 14, 14]), new Tensor(w, [16, 6, 5, 5]), new Tensor(b, [16]));
    expect(y.shape).toEqual([2, 16, 10, 10]);
    expectConvClose(y.data, x, w, b, g, "LeNet C3");
  });

  it("inputs without requiresGrad get no gradient; the others do", () => {
    const r = rng(5);
    const x = new Tensor(f32(randn64(r, 2 * 3 * 6 * 6)), [2, 3, 6, 6]);
    const w = new Tensor(f32(randn64(r, 4 * 3 * 3 * 3)), [4, 3, 3, 3], { requiresGrad: true });
    const b = new Tensor(f32(randn64(r, 4)), [4]);
    const y = conv2d(x, w, b, { padding: 1 });
    expect(y.requiresGrad).toBe(true);
    y.backward(new Tensor(f32(randn64(r, y.numel)), y.shape));
    expect(x.grad).toBeNull();
    expect(b.grad).toBeNull();
    expect(w.grad).not.toBeNull();
    expect(w.grad!.shape).toEqual([4, 3, 3, 3]);
    expect(w.grad!.data.some((v) => v !== 0)).toBe(true);
  });

  it("records nothing when no input requires grad", () => {
    const y = conv2d(tensor([[[[1, 2], [3, 4]]]]), tensor([[[[1]]]]));
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
  });

  it("gradients accumulate across two backward passes (fresh forward each time)", () => {
    const r = rng(6);
    const x = new Tensor(f32(randn64(r, 1 * 2 * 5 * 5)), [1, 2, 5, 5], { requiresGrad: true });
    const w = new Tensor(f32(randn64(r, 3 * 2 * 3 * 3)), [3, 2, 3, 3], { requiresGrad: true });
    const b = new Tensor(f32(randn64(r, 3)), [3], { requiresGrad: true });
    const dy = new Tensor(f32(randn64(r, 1 * 3 * 3 * 3)), [1, 3, 3, 3]);
    conv2d(x, w, b).backward(dy);
    const first = [x, w, b].map((t) => Float32Array.from(t.grad!.data));
    conv2d(x, w, b).backward(dy);
    [x, w, b].forEach((t, k) => expectAllClose(t.grad!.data, first[k]!.map((v) => 2 * v), 1e-6, 1e-6, `grad ${k}`));
  });
});
