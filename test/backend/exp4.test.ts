// exp4, the vectorised e^x of src/wasm/simd.ts, and sigmoid and tanh through its exp4Times2p24 on the wasm backend,
// against Math.exp (float64, then rounded to float32) over the whole float32 range: a sweep
// of bit patterns through every exponent, the edges where the result overflows or becomes
// subnormal, ±0, ±∞ and NaN. The bound asserted here is the one docs/backends.md quotes.

import { beforeAll, describe, expect, it } from "vitest";
import { compileWasmKernels, instantiate, wasmSupported, type WasmRuntime } from "../../src/backend/wasm.js";

/** The largest error exp4 may make against the exact e^x, in units in the last place of its float32 rounding (measured: 1.21, at x ≈ −28.05). */
const EXP4_MAX_ULPS = 1.5;
/** The same for sigmoidForward (measured: 2.28, at x ≈ −15.55; 0.77 on its subnormal results) and tanhForward (1.26, at |x| ≈ 0.65). */
const SIGMOID_MAX_ULPS = 2.5, TANH_MAX_ULPS = 1.5;

// One unit in the last place of the float32 v (finite, ≥ 0; 2^−149 for subnormals): the gap to the next float32.
const ulpFloat = new Float32Array(1), ulpBits = new Uint32Array(ulpFloat.buffer);
function ulp(v: number): number {
  ulpFloat[0] = v;
  ulpBits[0]! += 1;
  return ulpFloat[0]! - v;
}

describe.runIf(wasmSupported())("exp4 (src/wasm/simd.ts)", () => {
  let runtime: WasmRuntime;
  // e^x of every element of xs through the module's exp4Into export.
  const exp4 = (xs: Float32Array): Float32Array => {
    const bytes = xs.byteLength, px = runtime.heap.alloc(bytes), py = runtime.heap.alloc(bytes);
    try {
      new Float32Array(runtime.memory.buffer, px, xs.length).set(xs);
      runtime.exports.exp4Into(py, px, xs.length);
      return new Float32Array(runtime.memory.buffer, py, xs.length).slice();
    } finally {
      runtime.heap.free(px);
      runtime.heap.free(py);
    }
  };
  // f of every element of xs through the module's export (sigmoidForward or tanhForward: y, x, i0, i1).
  const elementwise = (name: "sigmoidForward" | "tanhForward", xs: Float32Array): Float32Array => {
    const bytes = xs.byteLength, px = runtime.heap.alloc(bytes), py = runtime.heap.alloc(bytes);
    try {
      new Float32Array(runtime.memory.buffer, px, xs.length).set(xs);
      runtime.exports[name](py, px, 0, xs.length);
      return new Float32Array(runtime.memory.buffer, py, xs.length).slice();
    } finally {
      runtime.heap.free(px);
      runtime.heap.free(py);
    }
  };
  beforeAll(() => {
    runtime = instantiate(compileWasmKernels({ shared: false }), { shared: false });
  });

  it(`is within ${EXP4_MAX_ULPS} ulp of Math.exp over the whole float32 range`, () => {
    // Every 4099th bit pattern (both signs, every exponent, normals and subnormals), and every float32 in
    // the ranges where the result overflows (x ≈ 88.72) or leaves the normals (x ≈ −87.34) or rounds to 0 (x ≈ −103.97).
    const bits = new Uint32Array(Math.ceil(2 ** 32 / 4099));
    for (let i = 0; i < bits.length; i++) bits[i] = i * 4099;
    const sweep = new Float32Array(bits.buffer);
    const edges = [88.72, -87.34, -103.97].flatMap((centre) => {
      const from = new Float32Array([centre - 0.05]), step = new Uint32Array(from.buffer), out: number[] = [];
      for (let k = 0; k < 20000; k++, step[0] += centre > 0 ? 1 : -1) out.push(from[0]!);
      return out;
    });
    const xs = new Float32Array(sweep.length + edges.length);
    xs.set(sweep);
    xs.set(edges, sweep.length);
    const ys = exp4(xs);
    let worst = 0, worstAt = 0, overflows = 0, nans = 0;
    xs.forEach((x, i) => {
      const exact = Math.exp(x), rounded = Math.fround(exact), y = ys[i]!;
      if (Number.isNaN(x)) nans += Number.isNaN(y) ? 1 : 0;
      else if (rounded === Infinity) overflows += y === Infinity ? 1 : 0;
      else {
        const error = Math.abs(y - exact) / ulp(rounded);
        if (!(error <= worst)) [worst, worstAt] = [error, x]; // a NaN error is the worst of all
      }
    });
    expect(nans, "NaN in, NaN out").toBe(xs.filter((x) => Number.isNaN(x)).length);
    expect(overflows, "+∞ wherever Math.exp rounds to +∞").toBe(xs.filter((x) => Math.fround(Math.exp(x)) === Infinity).length);
    expect(worst, `worst at x = ${worstAt}`).toBeLessThanOrEqual(EXP4_MAX_ULPS);
  });

  // σ and tanh against their float64 values on the same sweep, and σ on its subnormal results (x in [−104, −87]):
  // exp4Times2p24's error plus the division's and, for tanh, the subtraction's rounding.
  it(`sigmoid within ${SIGMOID_MAX_ULPS} ulp and tanh within ${TANH_MAX_ULPS} ulp over the whole float32 range, subnormals included`, () => {
    const bits = new Uint32Array(Math.ceil(2 ** 32 / 4099));
    for (let i = 0; i < bits.length; i++) bits[i] = i * 4099;
    const tail = Float32Array.from({ length: 100_000 }, (_, i) => -104 + (17 * i) / 100_000);
    const xs = new Float32Array(bits.length + tail.length);
    xs.set(new Float32Array(bits.buffer));
    xs.set(tail, bits.length);
    const exact = {
      sigmoidForward: (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
      tanhForward: Math.tanh,
    };
    for (const [name, bound] of [["sigmoidForward", SIGMOID_MAX_ULPS], ["tanhForward", TANH_MAX_ULPS]] as const) {
      const ys = elementwise(name, xs);
      let worst = 0, worstAt = 0;
      xs.forEach((x, i) => {
        if (Number.isNaN(x)) return expect(ys[i], `${name}(NaN)`).toBeNaN();
        const e = exact[name](x), error = Math.abs(ys[i]! - e) / ulp(Math.abs(Math.fround(e)));
        if (!(error <= worst)) [worst, worstAt] = [error, x];
      });
      expect(worst, `${name}: worst at x = ${worstAt}`).toBeLessThanOrEqual(bound);
    }
  });

  it("gives IEEE's special values: e^±0 = 1, e^−∞ = 0, e^∞ = ∞, e^NaN = NaN, and 0 or ∞ far out", () => {
    const x = Float32Array.of(0, -0, -Infinity, Infinity, Number.NaN, -1e30, 1e30, -3.4e38, 3.4e38, 1e-45, -1e-45, 89, -104, -200);
    expect(Array.from(exp4(x))).toEqual([1, 1, 0, Infinity, Number.NaN, 0, Infinity, 0, Infinity, 1, 1, Infinity, 0, 0]);
  });

  it("keeps subnormal results instead of flushing them to 0, as Math.exp rounded to float32 does", () => {
    const x = Float32Array.of(-88, -90, -95, -100, -103);
    exp4(x).forEach((y, i) => {
      const exact = Math.exp(x[i]!);
      expect(y).toBeGreaterThan(0);
      expect(Math.abs(y - exact)).toBeLessThanOrEqual(EXP4_MAX_ULPS * ulp(Math.fround(exact)));
    });
  });

  // Four of each so the SIMD loop (not only the scalar tail) sees them: σ(±0) = ½, σ(±∞) = 1 and 0, σ(NaN) = NaN,
  // and σ(−90) = e^−90/(1 + e^−90), a subnormal, not 0; tanh keeps the sign of zero and saturates to ±1.
  it("sigmoid and tanh through exp4 give the special values and subnormals of Math.exp", () => {
    const special = [0, -0, Infinity, -Infinity, Number.NaN, -90, 50, -50];
    const x = Float32Array.from(special.flatMap((v) => [v, v, v, v]));
    const sigmoid = Array.from(elementwise("sigmoidForward", x));
    const expected = special.map((v) => Math.fround(v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v))));
    expect(sigmoid).toEqual(expected.flatMap((v) => [v, v, v, v]));
    expect(sigmoid[20]).toBeGreaterThan(0); // σ(−90) ≈ 8.2e-40 kept as a subnormal
    const tanh = Array.from(elementwise("tanhForward", x));
    expect(tanh).toEqual([0, -0, 1, -1, Number.NaN, -1, 1, -1].flatMap((v) => [v, v, v, v]));
  });
});
