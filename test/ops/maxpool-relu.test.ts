// maxPool2dReluBackward: a ReLU's backward folded into the max pool after it
// (what a Plan runs for lenet-modern). Checked against hand-computed values and,
// bit for bit, against the two kernels it replaces, run one after the other on
// the active backend (the suite runs once per backend), over random windows
// that do not overlap, argmax from the real forward, and values that include
// NaN, ±Infinity, −0 and negatives.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { getBackend, type Kernels } from "../../src/backend/index.js";
import { kernels } from "../../src/index.js";
import { pool2dDims } from "../../src/ops/window.js";
import type { ReluPool2dDims } from "../../src/ops/maxpool2d.js";
import { Generator } from "../../src/tensor/random.js";
import { TorchletError } from "../../src/errors.js";
import { expectError } from "../helpers/errors.js";

const k: Kernels = getBackend();

/** maxPool2dBackward into a zeroed gradient, then reluBackward: what the fused kernel must equal. */
function unfused(dx: Float32Array, dy: Float32Array, argmax: Int32Array, y: Float32Array, d: ReluPool2dDims): void {
  const between = new Float32Array(y.length); // ∂L/∂y
  k.maxPool2dBackward(between, dy, argmax, d);
  k.reluBackward(dx, between, y);
}

const SPECIAL = [Number.NaN, Infinity, -Infinity, -0, 0, -1];

/** Mostly ordinary values, sometimes one of SPECIAL. */
function values(g: Generator, n: number, specials: boolean, spread: (v: number) => number): Float32Array {
  return Float32Array.from({ length: n }, () => (specials && g.uniform() < 0.1 ? SPECIAL[Math.floor(g.uniform() * SPECIAL.length)]! : spread(g.uniform())));
}

// Each value's bits (so −0 and +0 differ), every NaN as one (which NaN an operation passes on is not promised).
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length), (b, i) => (Number.isNaN(a[i]) ? "NaN" : b));

/** The dims, or null where maxPool2d refuses the geometry. */
function dimsOrNull<T>(make: () => T): T | null {
  try {
    return make();
  } catch (error) {
    if (error instanceof TorchletError && error.code === "INVALID_ARGUMENT") return null;
    throw error;
  }
}

describe("maxPool2dReluBackward", () => {
  it("matches values worked by hand: 4×4, 2×2 windows; each window's dy goes to its maximum where relu passed", () => {
    const d = pool2dDims("maxPool2d", [1, 1, 4, 4], 2, {});
    // window (0,0): max 5 at position 1; (0,1): max 0 at 2 (a relu output of 0: blocked); (1,0): NaN at 12 wins; (1,1): 7 at 15
    const y = Float32Array.of(1, 5, 0, 0, 2, 3, 0, 0, 4, 1, 6, 2, Number.NaN, 2, 3, 7);
    const out = new Float32Array(4), argmax = new Int32Array(4);
    k.maxPool2dForward(out, argmax, y, d);
    expect(Array.from(argmax)).toEqual([1, 2, 12, 15]);
    const dx = new Float32Array(16).fill(9); // accumulate: added to
    k.maxPool2dReluBackward(dx, Float32Array.of(10, 20, 30, 40), argmax, y, { ...d, accumulate: true });
    expect(Array.from(dx)).toEqual([9, 19, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 39, 9, 9, 49]);
    const set = new Float32Array(16).fill(Number.NaN); // not accumulate: every pixel written, what was there ignored
    k.maxPool2dReluBackward(set, Float32Array.of(10, 20, 30, 40), argmax, y, { ...d, accumulate: false });
    expect(Array.from(set)).toEqual([0, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 30, 0, 0, 40]);
  });

  it("equals maxPool2dBackward then reluBackward (into a zeroed dx without accumulate), bit for bit, on windows that do not overlap", () => {
    const geometry = fc.record({
      N: fc.integer({ min: 1, max: 3 }), C: fc.integer({ min: 1, max: 4 }), H: fc.integer({ min: 1, max: 20 }), W: fc.integer({ min: 1, max: 20 }),
      kH: fc.integer({ min: 1, max: 3 }), kW: fc.integer({ min: 1, max: 3 }), dilationH: fc.integer({ min: 1, max: 2 }), dilationW: fc.integer({ min: 1, max: 2 }),
      extraH: fc.integer({ min: 0, max: 2 }), extraW: fc.integer({ min: 0, max: 2 }), padH: fc.nat(1), padW: fc.nat(1), ceilMode: fc.boolean(),
      accumulate: fc.boolean(), specials: fc.boolean(), seed: fc.integer(),
    }).filter((s) => 2 * s.padH <= s.kH && 2 * s.padW <= s.kW && s.H + 2 * s.padH >= (s.kH - 1) * s.dilationH + 1 && s.W + 2 * s.padW >= (s.kW - 1) * s.dilationW + 1);
    // lenet-modern's two windows among them, where the wasm kernel takes its SIMD path (pool2's 5 windows a row: a ragged end)
    const lenet = fc.record({ N: fc.integer({ min: 1, max: 3 }), C: fc.constantFrom(6, 16), H: fc.constantFrom(28, 10, 12, 14), accumulate: fc.boolean(), specials: fc.boolean(), seed: fc.integer() })
      .map((s) => ({ ...s, W: s.H, kH: 2, kW: 2, dilationH: 1, dilationW: 1, extraH: 0, extraW: 0, padH: 0, padW: 0, ceilMode: false }));
    fc.assert(
      fc.property(fc.oneof(geometry, lenet), (s) => {
        const options = { stride: [(s.kH - 1) * s.dilationH + 1 + s.extraH, (s.kW - 1) * s.dilationW + 1 + s.extraW] as [number, number], padding: [s.padH, s.padW] as [number, number], dilation: [s.dilationH, s.dilationW] as [number, number], ceilMode: s.ceilMode };
        const window = dimsOrNull(() => pool2dDims("maxPool2d", [s.N, s.C, s.H, s.W], [s.kH, s.kW], options));
        fc.pre(window !== null); // maxPool2d refuses a window row or column wholly in the padding
        const d: ReluPool2dDims = { ...window!, accumulate: s.accumulate };
        const g = new Generator(s.seed), n = s.N * s.C * s.H * s.W, outputs = s.N * s.C * d.P * d.Q;
        const y = values(g, n, s.specials, (u) => (u < 0.3 ? 0 : u)); // a relu's outputs: zeros, positives
        const argmax = new Int32Array(outputs);
        k.maxPool2dForward(new Float32Array(outputs), argmax, y, d);
        const dy = values(g, outputs, s.specials, (u) => 4 * u - 2);
        const dx0 = values(g, n, s.specials, (u) => u - 0.5); // it adds into what is there (a −0 there meets a blocked pixel), or ignores it
        const fused = dx0.slice(), expected = s.accumulate ? dx0.slice() : new Float32Array(n); // without accumulate: as into a zeroed dx
        k.maxPool2dReluBackward(fused, dy, argmax, y, d);
        unfused(expected, dy, argmax, y, d);
        expect(bits(fused)).toEqual(bits(expected));
      }),
      { numRuns: 150 },
    );
  });

  it("refuses overlapping windows and argmax outside the plane at the kernels.* entry", () => {
    const overlapping = pool2dDims("maxPool2d", [1, 1, 6, 6], 3, { stride: 2 });
    const a = new Float32Array(36), dy = new Float32Array(overlapping.P * overlapping.Q), argmax = new Int32Array(dy.length);
    expectError(() => kernels.maxPool2dReluBackward(a, dy, argmax, a.slice(), { ...overlapping, accumulate: false }), "INVALID_ARGUMENT", "maxPool2dReluBackward", "the windows overlap (stride 2×2 < span 3×3)");
    const dilated = pool2dDims("maxPool2d", [1, 1, 6, 6], 2, { stride: 2, dilation: 2 }); // a 2×2 window two apart spans 3 pixels
    const dd = new Float32Array(dilated.P * dilated.Q);
    expectError(() => kernels.maxPool2dReluBackward(a, dd, new Int32Array(dd.length), a.slice(), { ...dilated, accumulate: false }), "INVALID_ARGUMENT", "maxPool2dReluBackward", "the windows overlap (stride 2×2 < span 3×3)");
    const d = pool2dDims("maxPool2d", [1, 1, 6, 6], 2, {});
    expectError(() => kernels.maxPool2dReluBackward(a, new Float32Array(9), Int32Array.of(0, 0, 0, 0, 36, 0, 0, 0, 0), a.slice(), { ...d, accumulate: true }), "OUT_OF_RANGE", "maxPool2dReluBackward", "argmax[4] = 36 is outside [0, 36)");
  });
});
