// The wasm conv2dBackward takes several small images per step (src/wasm/conv2d.ts, conv2dBackwardImages):
// their columns and dy side by side, so one gemm sums their weight gradients and one gemm gives their dcols.
// Against the TypeScript kernel (image by image) on batches that end mid-step and span several steps,
// with groups, each of dx, dw and db on its own, on one and two threads, copied in and resident.

import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { setBackend, type Backend } from "../../src/backend/index.js";
import { setThreads } from "../../src/backend/threads.js";
import { conv2dDims, conv2dColsLength, type Conv2dDims } from "../../src/ops/conv2d.js";
import { Generator } from "../../src/tensor/random.js";
import { wasmSupported } from "../../src/backend/wasm.js";
import { relativeError } from "../helpers/close.js";

const random = (g: Generator, n: number): Float32Array => Float32Array.from({ length: n }, () => g.normal());

describe.runIf(wasmSupported())("wasm conv2dBackward, several images per step", () => {
  const ts = setBackend("ts");
  const backends: [string, Backend][] = [["one thread", setThreads(1)], ["two threads", setThreads(2)]];
  afterAll(() => {
    setThreads(1);
    setBackend("wasm");
  });

  // dx, dw, db start from random values (the kernel accumulates); any of them may be left out.
  function backward(k: Backend, d: Conv2dDims, inputs: Float32Array[], starts: Float32Array[], want: boolean[], resident: boolean): Float32Array[] {
    const place = (a: Float32Array): Float32Array => {
      if (!resident) return a.slice();
      const r = k.alloc(a.length);
      r.set(a);
      return r;
    };
    const [dy, x, w] = inputs.map(place) as [Float32Array, Float32Array, Float32Array];
    const [dx, dw, db] = starts.map((a, i) => (want[i] ? place(a) : null));
    k.conv2dBackward(dx ?? null, dw ?? null, db ?? null, dy, x, w, d, new Float32Array(conv2dColsLength(d)), new Float32Array(conv2dColsLength(d)));
    return [dx, dw, db].map((a, i) => (a ? Float32Array.from(a) : starts[i]!));
  }

  it("equals the TypeScript kernel on LeNet's C3 at batch 256 (16 images a step)", () => {
    const g = new Generator(5);
    const d = conv2dDims([256, 6, 14, 14], [16, 6, 5, 5], [16]);
    const inputs = [random(g, 256 * 16 * 100), random(g, 256 * 6 * 196), random(g, 16 * 150)];
    const starts = [random(g, 256 * 6 * 196), random(g, 16 * 150), random(g, 16)];
    const expected = backward(ts, d, inputs, starts, [true, true, true], false);
    for (const [name, k] of backends) {
      const actual = backward(k, d, inputs, starts, [true, true, true], true);
      ["dx", "dw", "db"].forEach((what, i) => expect(relativeError(actual[i]!, expected[i]!), `${name} ${what}`).toBeLessThan(2e-6));
    }
  });

  it("equals the TypeScript kernel on random small geometries, batches of 1 to 40, with groups", () => {
    const geometry = fc.record({
      N: fc.integer({ min: 1, max: 40 }), Cg: fc.integer({ min: 1, max: 3 }), Kg: fc.integer({ min: 1, max: 4 }), groups: fc.integer({ min: 1, max: 3 }),
      H: fc.integer({ min: 3, max: 12 }), W: fc.integer({ min: 3, max: 12 }), k: fc.integer({ min: 1, max: 3 }), stride: fc.integer({ min: 1, max: 2 }),
      padding: fc.integer({ min: 0, max: 1 }), want: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }), resident: fc.boolean(), seed: fc.integer(),
    });
    fc.assert(
      fc.property(geometry, (geo) => {
        const g = new Generator(geo.seed), C = geo.Cg * geo.groups, K = geo.Kg * geo.groups;
        const d = conv2dDims([geo.N, C, geo.H, geo.W], [K, geo.Cg, geo.k, geo.k], [K], { stride: geo.stride, padding: geo.padding, groups: geo.groups });
        const sizes = [geo.N * K * d.P * d.Q, geo.N * C * geo.H * geo.W, K * geo.Cg * geo.k * geo.k];
        const inputs = sizes.map((n) => random(g, n)), starts = [sizes[1]!, sizes[2]!, K].map((n) => random(g, n));
        const expected = backward(ts, d, inputs, starts, geo.want, false);
        for (const [name, k] of backends) {
          const actual = backward(k, d, inputs, starts, geo.want, geo.resident);
          ["dx", "dw", "db"].forEach((what, i) => expect(relativeError(actual[i]!, expected[i]!), `${name} ${what} ${JSON.stringify(geo)}`).toBeLessThan(1e-5));
        }
      }),
      { numRuns: 60 },
    );
  });
});
