// The wasm twins of pad2d, maxUnpool2d and adaptiveAvgPool2d (src/wasm/pad2d.ts,
// maxunpool2d.ts, adaptive-avgpool2d.ts) against their TypeScript references on
// random shapes, odd sizes and empty ones included, with arguments as ordinary
// arrays (copied in and out) and as buffers in WebAssembly memory (used in
// place), and on two threads against one. pad2d and maxUnpool2d only move
// values (and add in the reference's order), so they must agree bit for bit;
// adaptiveAvgPool2d sums in another order, so to float32 rounding.

import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { setBackend, type Backend } from "../../src/backend/index.js";
import { setThreads } from "../../src/backend/threads.js";
import { kernel } from "../../src/backend/dispatch.js";
import { PAD_MODES, pad2dBackward, pad2dDims, pad2dForward, type Pad2dDims } from "../../src/ops/pad2d.js";
import { maxUnpool2dBackward, maxUnpool2dForward, type MaxUnpool2dDims } from "../../src/ops/maxunpool2d.js";
import { adaptiveAvgPool2dBackward, adaptiveAvgPool2dDims, adaptiveAvgPool2dForward, type AdaptiveAvgPool2dDims } from "../../src/ops/adaptive-avgpool2d.js";
import { Generator } from "../../src/tensor/random.js";
import { expectAllClose } from "../helpers/close.js";

const ts = setBackend("ts");
const wasm = setBackend("wasm");
afterAll(() => {
  setThreads(1);
  setBackend("wasm");
});

function normal(g: Generator, n: number): Float32Array {
  return Float32Array.from({ length: n }, () => g.normal());
}

/** Each kernel run on the backend `k` (plain arrays: `inMemory` false; copies in its memory: true), its outputs returned. */
type Run = (k: Backend, inMemory: boolean) => Float32Array[];

/** Runs `run` on the ts backend, then on wasm with plain arrays and with arrays in wasm memory: every output compared. */
function expectSameAsReference(what: string, run: Run, compare: (actual: Float32Array, expected: Float32Array, what: string) => void): void {
  const expected = run(ts, false);
  for (const inMemory of [false, true]) {
    run(wasm, inMemory).forEach((actual, i) => compare(actual, expected[i]!, `${what} output ${i}${inMemory ? " (in wasm memory)" : ""}`));
  }
}

const exactly = (actual: Float32Array, expected: Float32Array, what: string) => expect(Array.from(actual), what).toEqual(Array.from(expected));
const toRounding = (actual: Float32Array, expected: Float32Array, what: string) => expectAllClose(actual, expected, 1e-6, 1e-7, what);

/** `a` on backend k: itself, or (inMemory) a copy in k's memory, released by `release`. */
function placer(k: Backend, inMemory: boolean): { place: Place; release: () => void } {
  const held: (Float32Array | Int32Array)[] = [];
  const place = <A extends Float32Array | Int32Array>(a: A): A => {
    if (!inMemory) return a;
    const copy = (a instanceof Int32Array ? k.allocInt32(a.length) : k.alloc(a.length)) as A;
    copy.set(a);
    held.push(copy);
    return copy;
  };
  return { place, release: () => held.forEach((a) => k.release(a)) };
}

type Place = <A extends Float32Array | Int32Array>(a: A) => A;

/** A Run whose `step` runs a forward into a NaN-filled y (every element must be written) and a backward accumulating into a copy of dx0. */
function forwardBackward(yLength: number, dx0: Float32Array, step: (k: Backend, place: Place, y: Float32Array, dx: Float32Array) => void): Run {
  return (k, inMemory) => {
    const { place, release } = placer(k, inMemory);
    const y = place(new Float32Array(yLength).fill(Number.NaN)), dx = place(dx0.slice());
    step(k, place, y, dx);
    const result = [y.slice(), dx.slice()];
    release();
    return result;
  };
}

function padRun(d: Pad2dDims, seed: number): Run {
  const g = new Generator(seed), Ho = d.top + d.H + d.bottom, Wo = d.left + d.W + d.right;
  const x = normal(g, d.M * d.H * d.W), dy = normal(g, d.M * Ho * Wo), dx0 = normal(g, x.length);
  return forwardBackward(dy.length, dx0, (k, place, y, dx) => {
    k.pad2dForward(y, place(x), d);
    k.pad2dBackward(dx, place(dy), d);
  });
}

function unpoolRun(d: MaxUnpool2dDims, seed: number): Run {
  const g = new Generator(seed);
  const x = normal(g, d.planes * d.inputs), dy = normal(g, d.planes * d.outputs), dx0 = normal(g, x.length);
  const indices = Int32Array.from({ length: x.length }, () => g.randint(d.outputs)); // repeats allowed: the last write stays
  return forwardBackward(dy.length, dx0, (k, place, y, dx) => {
    k.maxUnpool2dForward(y, place(x), place(indices), d);
    k.maxUnpool2dBackward(dx, place(dy), place(indices), d);
  });
}

function adaptiveRun(d: AdaptiveAvgPool2dDims, seed: number): Run {
  const g = new Generator(seed);
  const x = normal(g, d.N * d.C * d.H * d.W), dy = normal(g, d.N * d.C * d.P * d.Q), dx0 = normal(g, x.length);
  return forwardBackward(dy.length, dx0, (k, place, y, dx) => {
    k.adaptiveAvgPool2dForward(y, place(x), d);
    k.adaptiveAvgPool2dBackward(dx, place(dy), d);
  });
}

const size = (min: number, max: number) => fc.integer({ min, max });

describe("the wasm backend's pad2d, maxUnpool2d and adaptiveAvgPool2d", () => {
  it("are its own kernels: each TypeScript kernel dispatches to a wasm replacement", () => {
    const references = { pad2dForward, pad2dBackward, maxUnpool2dForward, maxUnpool2dBackward, adaptiveAvgPool2dForward, adaptiveAvgPool2dBackward };
    for (const [name, reference] of Object.entries(references) as [keyof typeof references, Function][]) {
      expect(ts[name], name).toBe(reference);
      expect(wasm[name], name).not.toBe(reference);
      expect(kernel(reference, wasm), name).toBe(wasm[name]);
    }
  });

  it("pad2d equals the reference bit for bit, every mode, forward and backward", () => {
    const shapes = fc.record({ M: size(1, 4), H: size(1, 9), W: size(1, 11), pads: fc.array(size(0, 9), { minLength: 4, maxLength: 4 }), mode: fc.constantFrom(...PAD_MODES), value: fc.float({ noNaN: true, noDefaultInfinity: true }), seed: fc.integer() })
      .map(({ M, H, W, pads, mode, value, seed }) => {
        // Within each mode's limits: reflect < the size, circular ≤ it.
        const cap = (p: number, n: number) => (mode === "reflect" ? Math.min(p, n - 1) : mode === "circular" ? Math.min(p, n) : p);
        const [left, right, top, bottom] = [cap(pads[0]!, W), cap(pads[1]!, W), cap(pads[2]!, H), cap(pads[3]!, H)];
        return { d: pad2dDims("pad2d", [M, H, W], [left, right, top, bottom], mode, mode === "constant" ? value : 0), seed };
      });
    fc.assert(fc.property(shapes, ({ d, seed }) => expectSameAsReference(`pad2d ${JSON.stringify(d)}`, padRun(d, seed), exactly)), { numRuns: 60 });
  });

  it("maxUnpool2d equals the reference bit for bit, repeated positions included", () => {
    const shapes = fc.record({ planes: size(1, 6), inputs: size(1, 30), outputs: size(1, 70), seed: fc.integer() });
    fc.assert(fc.property(shapes, ({ seed, ...d }) => expectSameAsReference(`maxUnpool2d ${JSON.stringify(d)}`, unpoolRun(d, seed), exactly)), { numRuns: 40 });
  });

  it("adaptiveAvgPool2d equals the reference to float32 rounding: global pooling, shrinking, growing", () => {
    const shapes = fc.record({ N: size(1, 3), C: size(1, 4), H: size(1, 13), W: size(1, 13), P: size(1, 16), Q: size(1, 16), global: fc.boolean(), seed: fc.integer() })
      .map(({ N, C, H, W, P, Q, global, seed }) => ({ d: adaptiveAvgPool2dDims("adaptiveAvgPool2d", [N, C, H, W], global ? 1 : [P, Q]), seed }));
    fc.assert(fc.property(shapes, ({ d, seed }) => expectSameAsReference(`adaptiveAvgPool2d ${JSON.stringify(d)}`, adaptiveRun(d, seed), toRounding)), { numRuns: 60 });
  });

  it("global pooling of a long plane keeps the reference's float64-sum accuracy", () => {
    // 256×256 values near 1000: a float32 running sum would drift by ~1e-4 relative; float64 lanes do not.
    const d = adaptiveAvgPool2dDims("adaptiveAvgPool2d", [1, 2, 256, 256], 1);
    const x = Float32Array.from({ length: 2 * 65536 }, (_, i) => 1000 + Math.sin(i));
    const [yTs, yWasm] = [new Float32Array(2), new Float32Array(2)];
    ts.adaptiveAvgPool2dForward(yTs, x, d);
    wasm.adaptiveAvgPool2dForward(yWasm, x, d);
    expectAllClose(yWasm, yTs, 2e-7, 0, "global mean");
  });

  it("empty inputs and outputs: no planes, no output positions", () => {
    exactly(padRun(pad2dDims("pad2d", [0, 3, 4], 2, "replicate"), 1)(wasm, false)[0]!, new Float32Array(0), "pad2d of no planes");
    expectSameAsReference("adaptiveAvgPool2d to 0×3", adaptiveRun(adaptiveAvgPool2dDims("adaptiveAvgPool2d", [2, 3, 5, 4], [0, 3]), 2), exactly);
    expectSameAsReference("maxUnpool2d of no planes", unpoolRun({ planes: 0, inputs: 4, outputs: 9 }, 3), exactly);
  });

  it("on two threads (split by planes) equal one thread bit for bit", () => {
    const one = setThreads(1), two = setThreads(2);
    expect(two.threads).toBe(2);
    // 2^19 elements and more: enough work for the backend to wake the second thread.
    const cases: [string, Run][] = [
      ["pad2d reflect", padRun(pad2dDims("pad2d", [8, 64, 32, 32], [1, 2, 3, 1], "reflect"), 4)],
      ["maxUnpool2d", unpoolRun({ planes: 512, inputs: 256, outputs: 1024 }, 5)],
      ["adaptiveAvgPool2d global", adaptiveRun(adaptiveAvgPool2dDims("adaptiveAvgPool2d", [8, 64, 32, 32], 1), 6)],
      ["adaptiveAvgPool2d 5×3", adaptiveRun(adaptiveAvgPool2dDims("adaptiveAvgPool2d", [8, 64, 32, 32], [5, 3]), 7)],
    ];
    for (const [what, run] of cases) run(two, false).forEach((actual, i) => exactly(actual, run(one, false)[i]!, `${what} output ${i}`));
  });
});
