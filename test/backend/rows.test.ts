// The wasm twins of the reductions and class losses (src/backend/wasm-rows.ts)
// against their TypeScript references on random shapes. They compute in float64
// in the reference's order, so they agree bit for bit, with arrays copied in
// and out, with buffers in WebAssembly memory, and split over two threads; and
// the ops really run them on the wasm backend.

import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { setBackend, type Backend } from "../../src/backend/index.js";
import { setThreads } from "../../src/backend/threads.js";
import { activeBackend, useBackend } from "../../src/backend/dispatch.js";
import { reduceDims, sum, sumForward } from "../../src/ops/reduce.js";
import { max, argmax, maxForward, maxAllBackward } from "../../src/ops/max.js";
import { nllLossForward } from "../../src/ops/nll-loss.js";
import { crossEntropy } from "../../src/ops/cross-entropy.js";
import { mseLoss, mseLossForward } from "../../src/ops/regression-loss.js";
import { tensor } from "../../src/tensor/create.js";
import { Generator } from "../../src/tensor/random.js";

const ts = setBackend("ts");
const wasm = setBackend("wasm");
afterAll(() => {
  setThreads(1);
  setBackend("wasm");
});

function random(g: Generator, n: number, nanEvery = 0): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = nanEvery > 0 && g.uniform() < 1 / nanEvery ? Number.NaN : g.normal();
  return a;
}
const labelsOf = (g: Generator, n: number, J: number): Int32Array => Int32Array.from({ length: n }, () => Math.floor(g.uniform() * (J + 1)) - 1); // −1: ignored

/** Runs `body` on `k` with plain arrays, then with copies in WebAssembly memory (used in place). */
function placements(k: Backend, body: (place: <A extends Float32Array | Int32Array>(a: A) => A) => void): void {
  body((a) => a);
  const held: (Float32Array | Int32Array)[] = [];
  const place = <A extends Float32Array | Int32Array>(a: A): A => {
    const r = (a instanceof Int32Array ? k.allocInt32(a.length) : k.alloc(a.length)) as A;
    r.set(a);
    held.push(r);
    return r;
  };
  try {
    body(place);
  } finally {
    for (const r of held) k.release(r);
  }
}

/** Every kernel of this file on one shape (N, J, I) with backend k: each output, in order. */
function runAll(k: Backend, shape: { N: number; J: number; inner: number }, seed: number, smoothing: number, place = <A extends Float32Array | Int32Array>(a: A): A => a): (Float32Array | Int32Array)[] {
  const g = new Generator(seed);
  const { N, J, inner } = shape;
  const x = random(g, N * J * inner, 7), dy = random(g, N * inner), dx0 = random(g, N * J * inner);
  const outputs: (Float32Array | Int32Array)[] = [];
  const keep = <A extends Float32Array | Int32Array>(a: A): A => (outputs.push(a), a);
  for (const dims of [[1], [0, 2], [0, 1, 2], []]) {
    const d = reduceDims([N, J, inner], dims, (count) => 1 / Math.max(count, 1));
    k.sumForward(keep(place(new Float32Array(d.kept.length))), place(x), d);
    k.sumBackward(keep(place(dx0.slice())), place(random(g, d.kept.length)), d);
  }
  const axis = { N, J, inner };
  const values = keep(place(new Float32Array(N * inner))), indices = keep(place(new Int32Array(N * inner)));
  k.maxForward(values, indices, place(x), axis);
  k.argmaxForward(keep(place(new Int32Array(N * inner))), place(x), axis);
  k.maxBackward(keep(place(dx0.slice())), place(dy), indices, axis);
  // max(x)'s gradient: over x with NaNs (the max is NaN) and over x rounded to halves without NaN (tied maxima share it)
  const ties = x.map((v) => (v !== v ? 0 : Math.round(v * 2) / 2));
  for (const [all, value] of [[x, Number.NaN], [ties, ties.reduce((a, b) => Math.max(a, b), -Infinity)]] as const) k.maxAllBackward(keep(place(dx0.slice())), place(dy.subarray(0, 1)), place(all), value);
  const lp = random(g, N * J * inner), target = random(g, N * J * inner), weight = random(g, J), labels = labelsOf(g, N * inner, J);
  const d = { ...axis, smoothing };
  k.nllLossForward(keep(place(new Float32Array(N * inner))), keep(place(new Float32Array(N * inner))), place(lp), place(labels), place(weight), d);
  k.nllLossBackward(keep(place(dx0.slice())), place(dy), place(random(g, N * inner)), place(labels), place(weight), d);
  k.probabilityLossForward(keep(place(new Float32Array(N * inner))), place(lp), place(target), place(weight), d);
  k.probabilityLossBackward(keep(place(dx0.slice())), keep(place(dx0.slice())), place(dy), place(lp), place(target), place(weight), d);
  k.probabilityLossBackward(null, keep(place(dx0.slice())), place(dy), place(lp), place(target), place(weight), d);
  k.probabilityLossBackward(keep(place(dx0.slice())), null, place(dy), place(lp), place(target), place(weight), d);
  return outputs.map((a) => a.slice());
}

const NAMES = ["sum", "sum dx", "sum (0, 2)", "sum (0, 2) dx", "sum all", "sum all dx", "sum none", "sum none dx", "max values", "max indices", "argmax", "max dx", "max() dx, NaN", "max() dx, ties", "nll", "smooth", "nll dlogProbs", "probability loss", "probability dlogProbs", "probability dtarget", "dtarget alone", "dlogProbs alone"];

// The first element whose bits differ (NaN payloads included), described, or "" — a byte comparison: toEqual on long arrays is slow.
function firstDifference(a: Float32Array | Int32Array, b: Float32Array | Int32Array): string {
  if (a.length !== b.length || a.constructor !== b.constructor) return `length ${a.length} vs ${b.length}`;
  const x = new Int32Array(a.buffer, a.byteOffset, a.length), y = new Int32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return `[${i}]: ${a[i]} vs ${b[i]}`;
  return "";
}

function expectSame(actual: (Float32Array | Int32Array)[], expected: (Float32Array | Int32Array)[], what: string): void {
  expect(actual.length).toBe(NAMES.length);
  actual.forEach((a, i) => expect(firstDifference(a, expected[i]!), `${what}: ${NAMES[i]}`).toBe(""));
}

describe("wasm reductions and class losses equal the TypeScript reference bit for bit", () => {
  it("sum, max, argmax, nllLoss, probability targets: forward and backward on random shapes (property)", () => {
    const shape = fc.record({ N: fc.integer({ min: 1, max: 5 }), J: fc.integer({ min: 1, max: 9 }), inner: fc.integer({ min: 1, max: 6 }) });
    fc.assert(fc.property(shape, fc.integer(), fc.constantFrom(0, 0.1, 1), (s, seed, smoothing) => {
      const expected = runAll(ts, s, seed, smoothing);
      placements(wasm, (place) => expectSame(runAll(wasm, s, seed, smoothing, place), expected, JSON.stringify(s)));
    }), { numRuns: 30 });
  });

  it("split over two threads (calls big enough to be split), still bit for bit", () => {
    const two = setThreads(2);
    expect(two.threads).toBe(2);
    const s = { N: 64, J: 300, inner: 33 };
    expectSame(runAll(two, s, 5, 0.2), runAll(ts, s, 5, 0.2), "two threads");
  });
});

describe("wasm mseLoss and l1Loss equal the TypeScript reference bit for bit", () => {
  it("forward and backward, every reduction, either gradient skipped, NaN included (property)", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 40 }), fc.integer(), fc.constantFrom("none", "sum", "mean") as fc.Arbitrary<"none" | "sum" | "mean">, (count, seed, reduction) => {
      const g = new Generator(seed);
      const input = random(g, count, 9), target = random(g, count), d = { count, reduction };
      target[0 % Math.max(count, 1)] = input[0] ?? 0; // an exact fit: l1's sign(0) = 0
      const dloss = random(g, reduction === "none" ? count : 1), dinput0 = random(g, count), dtarget0 = random(g, count);
      const run = (k: Backend, place: <A extends Float32Array | Int32Array>(a: A) => A) => (["mse", "l1"] as const).flatMap((loss) => {
        const out = place(new Float32Array(reduction === "none" ? count : 1));
        k[`${loss}LossForward`](out, place(input), place(target), d);
        const [di, dt, alone] = [place(dinput0.slice()), place(dtarget0.slice()), place(dtarget0.slice())];
        k[`${loss}LossBackward`](di, dt, place(dloss), place(input), place(target), d);
        k[`${loss}LossBackward`](null, alone, place(dloss), place(input), place(target), d);
        return [out, di, dt, alone].map((a) => a.slice());
      });
      const expected = run(ts, (a) => a);
      placements(wasm, (place) => run(wasm, place).forEach((a, i) => expect(firstDifference(a, expected[i]!), `${reduction} output ${i}`).toBe("")));
    }), { numRuns: 40 });
  });
});

describe("the ops run the wasm twins on the wasm backend", () => {
  it("sum, max, argmax, max()'s backward, crossEntropy's general path and mseLoss call the override, not the TypeScript kernel", () => {
    const base = setBackend("wasm");
    const calls: string[] = [];
    const spied = new Map(base.overrides);
    for (const [reference, name] of [[sumForward, "sumForward"], [maxForward, "maxForward"], [nllLossForward, "nllLossForward"], [mseLossForward, "mseLossForward"], [maxAllBackward, "maxAllBackward"]] as const) {
      const override = base.overrides.get(reference)!;
      expect(override, name).not.toBe(reference);
      spied.set(reference, (...args: unknown[]) => (calls.push(name), override(...args)));
    }
    useBackend({ name: "wasm", overrides: spied });
    try {
      const x = tensor([[1, 5, 2], [7, 0, 3]]);
      expect(sum(x, 1).toArray()).toEqual([8, 10]);
      expect(max(x, 0).values.toArray()).toEqual([7, 5, 3]);
      expect(argmax(x, 1).toArray()).toEqual([1, 0]);
      crossEntropy(x, [1, 0], { labelSmoothing: 0.1 });
      expect(mseLoss(x, tensor([[1, 5, 2], [7, 0, 0]])).item()).toBe(1.5);
      const tied = tensor([3, 1, 3], { requiresGrad: true });
      max(tied).backward();
      expect(tied.grad!.toArray()).toEqual([0.5, 0, 0.5]);
      expect(calls).toEqual(["sumForward", "maxForward", "nllLossForward", "mseLossForward", "maxAllBackward"]);
      expect(activeBackend().overrides.get(sumForward)).toBeDefined();
    } finally {
      setBackend("wasm");
    }
  });
});
