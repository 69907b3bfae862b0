// The wasm conv2dForward's direct path (src/wasm/conv2d-direct.ts, no im2col), taken when a group
// has at most DIRECT_CONV_MAX_CHANNELS input channels and the column stride is 1, against the six-loop definition conv2dNaive
// (float64 sums) on random geometries that take it: row strides, padding, dilation, groups, 1–9 filters
// per group (blocks of four and a last pair, each short block repeating a filter), rows
// longer than one 16-pixel tile and odd sizes, with arrays copied in and resident in wasm memory.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { setBackend } from "../../src/backend/index.js";
import { conv2dDirect, conv2dDirectWeight, DIRECT_CONV_MAX_CHANNELS } from "../../src/backend/wasm-gemm.js";
import { expectAllClose } from "../helpers/close.js";
import { conv2dDims, conv2dColsLength, conv2dNaive } from "../../src/ops/conv2d.js";
import { Generator } from "../../src/tensor/random.js";
import { wasmSupported } from "../../src/backend/wasm.js";

function random(g: Generator, n: number): Float32Array {
  return Float32Array.from({ length: n }, () => g.normal());
}

// Worst element's difference, relative to the largest reference value (as test/backend/equivalence.test.ts).
function worstRelative(actual: Float32Array, expected: Float32Array): number {
  let worst = 0, scale = 0;
  expected.forEach((e, i) => {
    worst = Math.max(worst, Math.abs(actual[i]! - e));
    scale = Math.max(scale, Math.abs(e));
  });
  return worst / Math.max(scale, 1e-30);
}

const geometry = fc.record({
  N: fc.integer({ min: 1, max: 3 }), Cg: fc.integer({ min: 1, max: DIRECT_CONV_MAX_CHANNELS }), groups: fc.integer({ min: 1, max: 2 }),
  Kg: fc.integer({ min: 1, max: 9 }), H: fc.integer({ min: 1, max: 12 }), W: fc.integer({ min: 1, max: 40 }),
  kH: fc.integer({ min: 1, max: 5 }), kW: fc.integer({ min: 1, max: 5 }), sH: fc.integer({ min: 1, max: 3 }),
  pH: fc.integer({ min: 0, max: 2 }), pW: fc.integer({ min: 0, max: 2 }), dH: fc.integer({ min: 1, max: 2 }), dW: fc.integer({ min: 1, max: 2 }),
  bias: fc.boolean(), seed: fc.integer(),
}).filter((g) => g.H + 2 * g.pH >= g.dH * (g.kH - 1) + 1 && g.W + 2 * g.pW >= g.dW * (g.kW - 1) + 1);

describe.runIf(wasmSupported())("wasm conv2dForward, direct path", () => {
  const wasm = setBackend("wasm");

  it("takes the direct path for LeNet's C1 and im2col + gemm for its C3", () => {
    expect(conv2dDirect(conv2dDims([8, 1, 28, 28], [6, 1, 5, 5], [6], { padding: 2 }))).toBe(true);
    expect(conv2dDirect(conv2dDims([8, 6, 14, 14], [16, 6, 5, 5], [16]))).toBe(false);
    expect(conv2dDirect(conv2dDims([8, 1, 28, 28], [6, 1, 5, 5], [6], { stride: [1, 2] }))).toBe(false);
  });

  it("equals conv2dNaive to float32 rounding on random geometries that take it", () => {
    fc.assert(
      fc.property(geometry, (geo) => {
        const g = new Generator(geo.seed), C = geo.Cg * geo.groups, K = geo.Kg * geo.groups;
        const d = conv2dDims([geo.N, C, geo.H, geo.W], [K, geo.Cg, geo.kH, geo.kW], geo.bias ? [K] : null, {
          stride: [geo.sH, 1], padding: [geo.pH, geo.pW], dilation: [geo.dH, geo.dW], groups: geo.groups,
        });
        expect(conv2dDirect(d)).toBe(true);
        const x = random(g, geo.N * C * geo.H * geo.W), w = random(g, K * geo.Cg * geo.kH * geo.kW), b = geo.bias ? random(g, K) : null;
        const expected = new Float32Array(geo.N * K * d.P * d.Q);
        conv2dNaive(expected, x, w, b, d);
        // Ordinary arrays (copied in and out), then resident buffers (used in place).
        const y = new Float32Array(expected.length).fill(Number.NaN); // every output must be written
        wasm.conv2dForward(y, x, w, b, d, new Float32Array(conv2dColsLength(d)));
        expect(worstRelative(y, expected), JSON.stringify(geo)).toBeLessThan(1e-5);
        // The same arrays in WebAssembly memory, and no scratch of the caller's: the wrapper takes its own.
        const place = (a: Float32Array): Float32Array => {
          const r = wasm.alloc(a.length);
          r.set(a);
          return r;
        };
        const [xr, wr, br, yr] = [place(x), place(w), b === null ? null : place(b), wasm.alloc(y.length).fill(Number.NaN)];
        try {
          wasm.conv2dForward(yr, xr, wr, br, d, new Float32Array(0));
          expect(Array.from(yr), "resident buffers give the copied result").toEqual(Array.from(y));
        } finally {
          for (const a of [xr, wr, br, yr]) if (a !== null) wasm.release(a);
        }
      }),
      { numRuns: 60 },
    );
  });
});

// The direct weight gradient (conv2dDirectBackward): for the direct forward's shapes at a unit row stride, images of
// at least 256 outputs. Against the TypeScript conv2dBackward (im2col + gemm, float64 sums) on random geometries that
// take it, with dx and db alongside, and with NaN and ±∞ pixels and gradients, whose NaNs must land where the
// reference's do: the flat sums multiply dy's zero padding by real pixels, so such an image takes im2col + gemm.
describe.runIf(wasmSupported())("wasm conv2dBackward, direct weight gradient", () => {
  const ts = setBackend("ts"), wasm = setBackend("wasm");
  const takes = fc.record({
    N: fc.integer({ min: 1, max: 3 }), Cg: fc.integer({ min: 1, max: DIRECT_CONV_MAX_CHANNELS }), groups: fc.integer({ min: 1, max: 2 }),
    Kg: fc.integer({ min: 1, max: 7 }), H: fc.integer({ min: 16, max: 30 }), W: fc.integer({ min: 16, max: 40 }),
    kH: fc.integer({ min: 1, max: 5 }), kW: fc.integer({ min: 1, max: 5 }), pH: fc.integer({ min: 0, max: 2 }), pW: fc.integer({ min: 0, max: 2 }),
    dH: fc.integer({ min: 1, max: 2 }), dW: fc.integer({ min: 1, max: 2 }), poison: fc.constantFrom("none", "none", "x", "dy"), seed: fc.integer(),
  }).filter((g) => (g.H + 2 * g.pH - g.dH * (g.kH - 1)) * (g.W + 2 * g.pW - g.dW * (g.kW - 1)) >= 256); // P·Q ≥ 256

  it("takes the direct weight gradient for LeNet's C1 and not for its C3, a row stride of 2 or small images", () => {
    const c1 = conv2dDims([8, 1, 28, 28], [6, 1, 5, 5], [6], { padding: 2 });
    expect(conv2dDirectWeight(c1, 1)).toBe(true);
    expect(conv2dDirectWeight(conv2dDims([8, 6, 14, 14], [16, 6, 5, 5], [16]), 1)).toBe(false);
    expect(conv2dDirectWeight(conv2dDims([8, 1, 28, 28], [6, 1, 5, 5], [6], { stride: [2, 1] }), 1)).toBe(false);
    expect(conv2dDirectWeight(c1, 2)).toBe(false);
  });

  it("equals the TypeScript conv2dBackward on random geometries that take it, NaN and ±∞ where the reference has them", () => {
    fc.assert(
      fc.property(takes, (geo) => {
        const g = new Generator(geo.seed), C = geo.Cg * geo.groups, K = geo.Kg * geo.groups;
        const d = conv2dDims([geo.N, C, geo.H, geo.W], [K, geo.Cg, geo.kH, geo.kW], [K], { padding: [geo.pH, geo.pW], dilation: [geo.dH, geo.dW], groups: geo.groups });
        expect(conv2dDirect(d) && d.P * d.Q >= 256, JSON.stringify(geo)).toBe(true);
        const x = random(g, geo.N * C * geo.H * geo.W), w = random(g, K * geo.Cg * geo.kH * geo.kW), dy = random(g, geo.N * K * d.P * d.Q);
        // one poisoned value at the last column of a row (the flat sums reach it from dy's padding): NaN or ±∞
        const bad = [Number.NaN, Infinity, -Infinity][g.randint(3)]!;
        if (geo.poison === "x") x[(geo.W - 1) + geo.W * g.randint(geo.N * C * geo.H)] = bad;
        if (geo.poison === "dy") dy[g.randint(dy.length)] = bad;
        const run = (k: typeof ts) => {
          const dx = new Float32Array(x.length), dw = new Float32Array(w.length), db = new Float32Array(K);
          k.conv2dBackward(dx, dw, db, dy, x, w, d, new Float32Array(conv2dColsLength(d)), new Float32Array(conv2dColsLength(d)));
          return { dx, dw, db };
        };
        const expected = run(ts), actual = run(wasm);
        for (const key of ["dx", "dw", "db"] as const) {
          expect(Array.from(actual[key], Number.isNaN), `${key}: NaN where the reference's are, ${JSON.stringify(geo)}`).toEqual(Array.from(expected[key], Number.isNaN));
          const scale = Math.max(1, ...Array.from(expected[key]).filter(Number.isFinite).map(Math.abs));
          expectAllClose(actual[key], expected[key], 0, 1e-5 * scale, `${key} ${JSON.stringify(geo)}`);
        }
      }),
      { numRuns: 40 },
    );
  });
});

