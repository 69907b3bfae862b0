// The wasm kernels on two threads against the same kernels on one: identical
// results except conv2d's weight/bias gradients, which sum per-thread partials
// in a fixed order (deterministic per thread count, within float32 rounding
// of the one-thread sum).

import { afterAll, describe, expect, it } from "vitest";
import { setThreads } from "../../src/backend/threads.js";
import { setBackend, type Backend } from "../../src/backend/index.js";
import { conv2dDims, conv2dColsLength, type Conv2dOptions } from "../../src/ops/conv2d.js";
import { pool2dDims, type AvgPool2dOptions, type MaxPool2dOptions, type Size2 } from "../../src/ops/window.js";
import { Plan } from "../../src/nn/plan.js";
import { SGD } from "../../src/nn/optim.js";
import { lenet } from "../../src/lenet/models.js";
import { Generator } from "../../src/tensor/random.js";
import { loadDataset } from "../../src/data/files.js";
import { TorchletError } from "../../src/errors.js";
import { relativeError } from "../helpers/close.js";

const one = setThreads(1);
const two = setThreads(2);
afterAll(() => {
  setThreads(1);
  setBackend("wasm");
});

function randomArray(g: Generator, n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = g.normal();
  return a;
}

describe("two threads", () => {
  it("really splits the work: the backend reports 2 threads", () => {
    expect(two.threads).toBe(2);
    expect(one.threads).toBe(1);
  });

  it("zero clears exactly the buffer it is given, each thread a share, and an ordinary array too", () => {
    for (const k of [one, two]) {
      const whole = k.alloc(300_007); // odd, and big enough to split
      whole.fill(7);
      const view = whole.subarray(3, 300_001); // a Plan's gradients are views like this
      const before = k.threadCalls();
      k.zero(view);
      expect([whole[0], whole[1], whole[2], whole[300_001], whole[300_006]]).toEqual([7, 7, 7, 7, 7]); // neighbours kept
      expect(view.every((v) => v === 0)).toBe(true);
      const after = k.threadCalls();
      if (k.threads === 2) expect(after[1]! - before[1]!).toBe(1); // the second thread cleared its share
      const plain = new Float32Array(5).fill(3);
      k.zero(plain);
      expect(Array.from(plain)).toEqual([0, 0, 0, 0, 0]);
      k.release(whole);
    }
  });

  it("gemm gives bit-identical results (threads take whole rows)", () => {
    const g = new Generator(1);
    for (const [M, N, K, transA, transB] of [[300, 70, 130, false, false], [129, 257, 64, true, false], [64, 300, 200, false, true], [200, 200, 200, true, true]] as const) {
      const a = randomArray(g, M * K), b = randomArray(g, K * N);
      const d = { M, N, K, transA, transB, accumulate: false };
      const c1 = new Float32Array(M * N), c2 = new Float32Array(M * N);
      one.gemm(c1, a, b, d);
      two.gemm(c2, a, b, d);
      expect(Array.from(c2)).toEqual(Array.from(c1));
    }
  });

  it("elementwise kernels are bit-identical on lengths that are not multiples of the SIMD width", () => {
    const g = new Generator(3);
    for (const n of [100_003, 65_537, 200_001]) {
      const x = randomArray(g, n), dy = randomArray(g, n);
      for (const name of ["sigmoid", "relu", "tanh"] as const) {
        const run = (k: Backend) => {
          const y = new Float32Array(n), dx = new Float32Array(n);
          k[`${name}Forward`](y, x);
          k[`${name}Backward`](dx, dy, y);
          return [y, dx];
        };
        const [y1, dx1] = run(one), [y2, dx2] = run(two);
        expect(Array.from(y2!), `${name} forward, n = ${n}`).toEqual(Array.from(y1!));
        expect(Array.from(dx2!), `${name} backward, n = ${n}`).toEqual(Array.from(dx1!));
      }
    }
  });

  it("avgPool2dActivationBackward is bit-identical (threads take whole planes), on LeNet's C1 and an odd window", () => {
    const g = new Generator(8);
    const windows: [number[], Size2, AvgPool2dOptions][] = [[[64, 6, 28, 28], 2, {}], [[40, 5, 13, 11], [3, 2], { stride: [3, 4], padding: 1, ceilMode: true }]];
    for (const [shape, kernel, options] of windows) {
      const d = pool2dDims("avgPool2d", shape, kernel, options), n = shape.reduce((a, b) => a * b);
      const y = randomArray(g, n).map((v) => 1 / (1 + Math.exp(-v))), dy = randomArray(g, d.N * d.C * d.P * d.Q), dx0 = randomArray(g, n);
      for (const [activation, accumulate] of [["sigmoid", true], ["tanh", true], ["sigmoid", false]] as const) {
        const run = (k: Backend) => {
          const dx = dx0.slice();
          k.avgPool2dActivationBackward(dx, dy, y, { ...d, activation, accumulate });
          return dx;
        };
        expect(Array.from(run(two)), `${activation} accumulate ${accumulate} ${shape.join("×")}`).toEqual(Array.from(run(one)));
      }
    }
  });

  it("maxPool2dReluBackward is bit-identical (threads take whole planes), on lenet-modern's C1 and a dilated window", () => {
    const g = new Generator(9);
    const windows: [number[], Size2, MaxPool2dOptions][] = [[[64, 6, 28, 28], 2, {}], [[40, 5, 13, 11], [2, 2], { stride: 3, dilation: 2, padding: 1, ceilMode: true }]];
    for (const [shape, kernel, options] of windows) {
      const d = pool2dDims("maxPool2d", shape, kernel, options), n = shape.reduce((a, b) => a * b), outputs = d.N * d.C * d.P * d.Q;
      const y = randomArray(g, n).map((v) => Math.max(0, v)), dy = randomArray(g, outputs), dx0 = randomArray(g, n), argmax = new Int32Array(outputs);
      one.maxPool2dForward(new Float32Array(outputs), argmax, y, d);
      for (const accumulate of [true, false]) {
        const run = (k: Backend) => {
          const dx = dx0.slice();
          k.maxPool2dReluBackward(dx, dy, argmax, y, { ...d, accumulate });
          return dx;
        };
        expect(Array.from(run(two)), `accumulate ${accumulate} ${shape.join("×")}`).toEqual(Array.from(run(one)));
      }
    }
  });

  it("batchNorm kernels are bit-identical (threads take whole channels)", () => {
    const g = new Generator(4);
    const d = { N: 128, C: 7, L: 15 * 15 + 2, eps: 1e-5 }, n = d.N * d.C * d.L; // big enough to split (≥ 2^19 / 4 values), C and L odd
    const x = randomArray(g, n), dy = randomArray(g, n), weight = randomArray(g, d.C), bias = randomArray(g, d.C);
    const run = (k: Backend) => {
      const mean = new Float32Array(d.C), variance = new Float32Array(d.C), y = new Float32Array(n), dx = new Float32Array(n), dw = new Float32Array(d.C), db = new Float32Array(d.C);
      k.batchNormMoments(mean, variance, x, d);
      k.batchNormForward(y, x, weight, bias, mean, variance, d);
      k.batchNormBackward(dx, dw, db, dy, x, weight, mean, variance, d, true);
      return [mean, variance, y, dx, dw, db].map((a) => Array.from(a));
    };
    expect(run(two)).toEqual(run(one));
  });

  const convCases: [string, number[], number[], Conv2dOptions][] = [
    ["LeNet's C3", [64, 6, 14, 14], [16, 6, 5, 5], {}],
    ["LeNet's C1 (the direct paths)", [64, 1, 28, 28], [6, 1, 5, 5], { padding: 2 }],
    ['groups 3, dilation 2, padding "same"', [48, 6, 12, 11], [12, 2, 3, 3], { groups: 3, dilation: 2, padding: "same" }],
  ];
  it.each(convCases)("conv2d (%s) forward and input gradient are bit-identical; weight and bias gradients agree within rounding and are deterministic", (_, xShape, wShape, options) => {
    const g = new Generator(2);
    const d = conv2dDims(xShape, wShape, [wShape[0]!], options);
    const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
    const x = randomArray(g, size(xShape)), w = randomArray(g, size(wShape)), b = randomArray(g, d.K), dy = randomArray(g, d.N * d.K * d.P * d.Q);
    const run = (k: Backend) => {
      const y = new Float32Array(dy.length), dx = new Float32Array(x.length), dw = new Float32Array(w.length), db = new Float32Array(d.K);
      const scratch = () => new Float32Array(conv2dColsLength(d));
      k.conv2dForward(y, x, w, b, d, scratch());
      k.conv2dBackward(dx, dw, db, dy, x, w, d, scratch(), scratch());
      return { y, dx, dw, db };
    };
    const r1 = run(one), r2 = run(two), again = run(two);
    expect(Array.from(r2.y)).toEqual(Array.from(r1.y));
    expect(Array.from(r2.dx)).toEqual(Array.from(r1.dx));
    expect(relativeError(r2.dw, r1.dw, { relativeTo: "expected" })).toBeLessThan(1e-6);
    expect(relativeError(r2.db, r1.db, { relativeTo: "expected" })).toBeLessThan(1e-6);
    expect(Array.from(again.dw)).toEqual(Array.from(r2.dw));
    expect(Array.from(again.db)).toEqual(Array.from(r2.db));
  });

  it("LeNet training through a plan is deterministic for a thread count and within float32 rounding of one thread", () => {
    const { train } = loadDataset("mnist");
    const trainRun = (k: Backend): Float32Array[] => {
      const net = lenet({ generator: new Generator(4) });
      const opt = new SGD(net.parameters(), { lr: 0.9 });
      const plan = new Plan(net, { batchSize: 128, sampleShape: [784], backend: k });
      for (let s = 0; s < 5; s++) {
        plan.input.set(train.images.subarray(s * 128 * 784, (s + 1) * 128 * 784));
        plan.labels.set(train.labels.subarray(s * 128, (s + 1) * 128));
        plan.trainStep(opt);
      }
      plan.dispose();
      return net.parameters().map((p) => Float32Array.from(p.data));
    };
    const single = trainRun(one), first = trainRun(two), second = trainRun(two);
    first.forEach((p, i) => {
      expect(Array.from(second[i]!)).toEqual(Array.from(p));
      expect(relativeError(p, single[i]!, { relativeTo: "expected" })).toBeLessThan(1e-5);
    });
  });

  it("rejects bad thread counts", () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => setThreads(bad)).toThrow(TorchletError);
    expect(() => setThreads(1000)).toThrow(/at most 256/);
  });
});
