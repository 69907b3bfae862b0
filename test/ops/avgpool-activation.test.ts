// avgPool2dActivationBackward: a sigmoid's or tanh's backward folded into the
// average pool after it (what a Plan runs). Checked against hand-computed values
// and, bit for bit, against the two kernels it replaces, run one after the other
// on the active backend (the suite runs once per backend), over random windows
// that do not overlap and over values that include NaN, ±Infinity and −0.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { getBackend, type Kernels } from "../../src/backend/index.js";
import { kernels } from "../../src/index.js";
import { pool2dDims } from "../../src/ops/window.js";
import { OUTPUT_ACTIVATIONS, type ActivationPool2dDims, type OutputActivation } from "../../src/ops/avgpool2d.js";
import { Generator } from "../../src/tensor/random.js";
import { expectError } from "../helpers/errors.js";

const k: Kernels = getBackend();

/** avgPool2dBackward into a zeroed gradient, then the activation's backward: what the fused kernel must equal. */
function unfused(dx: Float32Array, dy: Float32Array, y: Float32Array, d: ActivationPool2dDims): void {
  const between = new Float32Array(y.length); // ∂L/∂y
  k.avgPool2dBackward(between, dy, d);
  (d.activation === "sigmoid" ? k.sigmoidBackward : k.tanhBackward)(dx, between, y);
}

const SPECIAL = [Number.NaN, Infinity, -Infinity, -0, 0, 1e-40];

/** Mostly ordinary values (an activation's outputs, gradients), sometimes one of SPECIAL. */
function values(g: Generator, n: number, specials: boolean, spread: (v: number) => number): Float32Array {
  return Float32Array.from({ length: n }, () => (specials && g.uniform() < 0.08 ? SPECIAL[Math.floor(g.uniform() * SPECIAL.length)]! : spread(g.uniform())));
}

// Each value's bits (so −0 and +0 differ), every NaN as one: which NaN an operation passes on (its sign, its
// payload) depends on the order of its operands on x64, and no kernel promises one.
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length), (b, i) => (Number.isNaN(a[i]) ? "NaN" : b));

describe("avgPool2dActivationBackward", () => {
  it("matches values worked by hand: 2×2 window, dy = 8, so each pixel's pool gradient is 2", () => {
    const d = pool2dDims("avgPool2d", [1, 1, 2, 2], 2, {});
    const y = Float32Array.of(0.5, 0.25, 0.75, 1), dy = Float32Array.of(8);
    const sig = Float32Array.of(1, 1, 1, 1), tanh = Float32Array.of(1, 1, 1, 1);
    k.avgPool2dActivationBackward(sig, dy, y, { ...d, activation: "sigmoid", accumulate: true }); // 1 + 2·y(1 − y)
    k.avgPool2dActivationBackward(tanh, dy, y, { ...d, activation: "tanh", accumulate: true }); // 1 + 2·(1 − y²)
    expect(Array.from(sig)).toEqual([1.5, 1.375, 1.375, 1]);
    expect(Array.from(tanh)).toEqual([2.5, 2.875, 1.875, 1]);
  });

  it("without accumulate sets dx, ignoring what was there (NaN too), and writes +0 where the product is −0", () => {
    const d = pool2dDims("avgPool2d", [1, 1, 2, 2], 2, {});
    const y = Float32Array.of(0.5, 0.25, 0.75, 1), dx = Float32Array.of(Number.NaN, 7, -3, -0);
    k.avgPool2dActivationBackward(dx, Float32Array.of(-8), y, { ...d, activation: "sigmoid", accumulate: false }); // 0 + (−2)·y(1 − y)
    expect(Array.from(dx)).toEqual([-0.5, -0.375, -0.375, 0]);
    expect(Object.is(dx[3], 0)).toBe(true); // −2·1·(1 − 1) = −0, plus 0
  });

  it("leaves pixels outside every window at 0 + 0·a′(y): a NaN output there still reaches dx, as unfused", () => {
    const d = pool2dDims("avgPool2d", [1, 1, 3, 3], 2, {}); // row 2 and column 2 are in no window
    const y = Float32Array.of(0.5, 0.5, Number.NaN, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5), dx = new Float32Array(9);
    k.avgPool2dActivationBackward(dx, Float32Array.of(4), y, { ...d, activation: "sigmoid", accumulate: true });
    expect(Array.from(dx)).toEqual([0.25, 0.25, Number.NaN, 0.25, 0.25, 0, 0, 0, 0]);
  });

  it("equals avgPool2dBackward then sigmoidBackward or tanhBackward (into a zeroed dx without accumulate), bit for bit, on windows that do not overlap", () => {
    const geometry = fc.record({
      N: fc.integer({ min: 1, max: 3 }), C: fc.integer({ min: 1, max: 4 }), H: fc.integer({ min: 1, max: 20 }), W: fc.integer({ min: 1, max: 20 }),
      kH: fc.integer({ min: 1, max: 4 }), kW: fc.integer({ min: 1, max: 4 }), extraH: fc.integer({ min: 0, max: 2 }), extraW: fc.integer({ min: 0, max: 2 }),
      padH: fc.nat(2), padW: fc.nat(2), ceilMode: fc.boolean(), countIncludePad: fc.boolean(), divisorOverride: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 9 })),
      activation: fc.constantFrom(...OUTPUT_ACTIVATIONS), accumulate: fc.boolean(), specials: fc.boolean(), seed: fc.integer(),
    }).filter((s) => 2 * s.padH <= s.kH && 2 * s.padW <= s.kW && s.H + 2 * s.padH >= s.kH && s.W + 2 * s.padW >= s.kW);
    // LeNet's two windows among them, where the wasm kernel takes its SIMD path
    const lenet = fc.record({ N: fc.integer({ min: 1, max: 3 }), C: fc.constantFrom(6, 16), H: fc.constantFrom(28, 10, 12, 9), activation: fc.constantFrom(...OUTPUT_ACTIVATIONS), accumulate: fc.boolean(), specials: fc.boolean(), seed: fc.integer() })
      .map((s) => ({ ...s, W: s.H, kH: 2, kW: 2, extraH: 0, extraW: 0, padH: 0, padW: 0, ceilMode: false, countIncludePad: true, divisorOverride: 0 }));
    fc.assert(
      fc.property(fc.oneof(geometry, lenet), (s) => {
        const options = { stride: [s.kH + s.extraH, s.kW + s.extraW] as [number, number], padding: [s.padH, s.padW] as [number, number], ceilMode: s.ceilMode, countIncludePad: s.countIncludePad, divisorOverride: s.divisorOverride || undefined };
        const d: ActivationPool2dDims = { ...pool2dDims("avgPool2d", [s.N, s.C, s.H, s.W], [s.kH, s.kW], options), activation: s.activation as OutputActivation, accumulate: s.accumulate };
        const g = new Generator(s.seed), n = s.N * s.C * s.H * s.W;
        const y = values(g, n, s.specials, (u) => (s.activation === "sigmoid" ? u : 2 * u - 1)); // the activation's range
        const dy = values(g, s.N * s.C * d.P * d.Q, s.specials, (u) => 4 * u - 2);
        const dx0 = values(g, n, s.specials, (u) => u - 0.5); // it adds into what is there (a −0 there meets a −0 product), or ignores it
        const fused = dx0.slice(), expected = s.accumulate ? dx0.slice() : new Float32Array(n); // without accumulate: as into a zeroed dx
        k.avgPool2dActivationBackward(fused, dy, y, d);
        unfused(expected, dy, y, d);
        expect(bits(fused)).toEqual(bits(expected));
      }),
      { numRuns: 120 },
    );
  });

  it("refuses overlapping windows and an unknown activation at the kernels.* entry", () => {
    const overlapping = pool2dDims("avgPool2d", [1, 1, 6, 6], 3, { stride: 2 });
    const a = new Float32Array(36), dy = new Float32Array(overlapping.P * overlapping.Q);
    expectError(() => kernels.avgPool2dActivationBackward(a, dy, a.slice(), { ...overlapping, activation: "sigmoid", accumulate: true }), "INVALID_ARGUMENT", "avgPool2dActivationBackward", "the windows overlap (stride 2×2 < kernel 3×3)");
    const d = pool2dDims("avgPool2d", [1, 1, 6, 6], 2, {});
    expectError(() => kernels.avgPool2dActivationBackward(a, new Float32Array(9), a.slice(), { ...d, activation: "relu" as OutputActivation, accumulate: true }), "INVALID_ARGUMENT", "avgPool2dActivationBackward", 'activation must be "sigmoid" or "tanh", got "relu"');
  });
});
