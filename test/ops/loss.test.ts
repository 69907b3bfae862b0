// softmax, logSoftmax, argmax and the softmax cross-entropy loss: values
// against float64 references and hand-computed cases, gradient checks,
// numerical stability at ±1e4, and the three accepted label forms.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { logSoftmax, softmax } from "../../src/ops/softmax.js";
import { argmax } from "../../src/ops/max.js";
import { crossEntropy, softmaxCrossEntropy } from "../../src/ops/cross-entropy.js";
import { mul } from "../../src/ops/elementwise.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { tensor, zeros } from "../../src/tensor/create.js";
import { checkGradients } from "../helpers/gradcheck.js";
import { expectAllClose } from "../helpers/close.js";
import { crossEntropyRef, logSoftmaxRef, softmaxRef } from "../helpers/reference.js";
import { f32, randn64, randomLabels, rng } from "../helpers/random.js";

const rows = fc.record({
  N: fc.integer({ min: 1, max: 6 }),
  J: fc.integer({ min: 1, max: 12 }),
  scale: fc.constantFrom(0.1, 1, 5, 30),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

describe("crossEntropy values", () => {
  it("uniform logits give ln(classes), whatever the labels and the constant", () => {
    for (const J of [1, 2, 3, 10, 1000]) {
      for (const constant of [0, 7.5, -300]) {
        const N = 3;
        const labels = [0, Math.floor(J / 2), J - 1];
        const logits = new Tensor(new Float32Array(N * J).fill(constant), [N, J]);
        const loss = crossEntropy(logits, labels);
        expect(loss.shape).toEqual([]);
        expect(loss.item(), `J=${J}, constant ${constant}`).toBeCloseTo(Math.log(J), 6);
      }
    }
  });

  it("by hand: [[0, ln 3]] with label 1 is ln(1 + 3) − ln 3 = ln(4/3)", () => {
    const loss = crossEntropy(tensor([[0, Math.log(3)]]), [1]);
    expect(loss.item()).toBeCloseTo(Math.log(4 / 3), 6);
  });

  it("is the batch mean of per-row losses and matches the reference", () => {
    fc.assert(
      fc.property(rows, ({ N, J, scale, seed }) => {
        const g = rng(seed);
        const x = f32(randn64(g, N * J, scale));
        const labels = randomLabels(g, N, J);
        const loss = crossEntropy(new Tensor(x, [N, J]), labels).item();
        const ref = crossEntropyRef(x, N, J, labels);
        expect(Math.abs(loss - ref)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(ref)) + 1e-6 * scale);
        let perRow = 0;
        for (let n = 0; n < N; n++) perRow += crossEntropy(new Tensor(x.slice(n * J, (n + 1) * J), [1, J]), [labels[n]!]).item();
        expect(loss).toBeCloseTo(perRow / N, 4);
      }),
      { numRuns: 30 },
    );
  });

  it("softmaxCrossEntropy and crossEntropy are the same function", () => {
    expect(crossEntropy).toBe(softmaxCrossEntropy);
  });

  it("labels as Int32Array, number[] and Tensor give the same loss and gradient", () => {
    const g = rng(99);
    const x = f32(randn64(g, 4 * 5));
    const labels = [3, 0, 4, 3];
    const results = [Int32Array.from(labels), labels, tensor(labels)].map((l) => {
      const logits = new Tensor(Float32Array.from(x), [4, 5], { requiresGrad: true });
      const loss = crossEntropy(logits, l);
      loss.backward();
      return { loss: loss.item(), grad: Array.from(logits.grad!.data) };
    });
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
  });

  it("copies the labels: changing the caller's array after the forward does not change the gradient", () => {
    const labels = [0, 1];
    const logits = zeros([2, 2], { requiresGrad: true });
    const loss = crossEntropy(logits, labels);
    labels[0] = 1;
    loss.backward();
    // (softmax − onehot)/N = ([0.5, 0.5] − onehot)/2
    expect(logits.grad!.toArray()).toEqual([[-0.25, 0.25], [0.25, -0.25]]);
  });
});

describe("crossEntropy gradients", () => {
  it("gradcheck wrt the logits (random upstream gradient scales the loss)", () => {
    fc.assert(
      // J ≥ 2: with one class the gradient is identically 0 (tested below), where a relative error means nothing
      fc.property(rows.filter((r) => r.scale <= 5 && r.J >= 2), ({ N, J, scale, seed }) => {
        const g = rng(seed);
        const labels = randomLabels(g, N, J);
        checkGradients({
          inputs: [{ name: "logits", data: randn64(g, N * J, scale), shape: [N, J] }],
          reference: ([x]) => [crossEntropyRef(x!, N, J, labels)],
          op: ([x]) => crossEntropy(x!, labels),
          generator: g,
        });
      }),
      { numRuns: 20 },
    );
  });

  it("one class: the loss is 0 and the gradient vanishes (up to float32 rounding of 1/N)", () => {
    const logits = new Tensor(f32(randn64(rng(1), 3)), [3, 1], { requiresGrad: true });
    const loss = crossEntropy(logits, [0, 0, 0]);
    expect(loss.item()).toBe(0);
    loss.backward();
    for (const v of logits.grad!.data) expect(Math.abs(v)).toBeLessThan(1e-7);
  });

  it("by hand: zero logits, 2 rows × 3 classes → (1/3 − onehot) / 2", () => {
    const logits = zeros([2, 3], { requiresGrad: true });
    crossEntropy(logits, [0, 2]).backward();
    const t = 1 / 6;
    expectAllClose(logits.grad!.data, [t - 0.5, t, t, t, t, t - 0.5], 1e-6, 1e-7, "dlogits");
  });

  it("an upstream factor multiplies the gradient (mul(loss, 3))", () => {
    const g = rng(4);
    const x = f32(randn64(g, 6));
    const a = new Tensor(Float32Array.from(x), [2, 3], { requiresGrad: true });
    crossEntropy(a, [1, 2]).backward();
    const b = new Tensor(Float32Array.from(x), [2, 3], { requiresGrad: true });
    mul(crossEntropy(b, [1, 2]), 3).backward();
    expectAllClose(b.grad!.data, a.grad!.data.map((v) => 3 * v), 1e-6, 1e-7, "3 × dlogits");
  });

  it("huge logits (±1e4) give a finite loss and gradient", () => {
    const logits = tensor([[1e4, -1e4, 0], [-1e4, 1e4, 1e4]], undefined, { requiresGrad: true });
    const loss = crossEntropy(logits, [1, 0]);
    // row 0: −(−1e4 − 1e4) = 2e4; row 1: −(−1e4 − (1e4 + ln 2)) = 2e4 + ln 2; mean
    expect(Number.isFinite(loss.item())).toBe(true);
    expect(loss.item()).toBeCloseTo((2e4 + 2e4 + Math.LN2) / 2, 1);
    loss.backward();
    for (const v of logits.grad!.data) expect(Number.isFinite(v)).toBe(true);
    // (softmax − onehot) / 2: row 0 softmax [1, 0, 0], row 1 [0, ½, ½]
    expectAllClose(logits.grad!.data, [0.5, -0.5, 0, -0.5, 0.25, 0.25], 0, 1e-6, "dlogits");
  });

  it("a correct, confident prediction costs ~0 and has ~0 gradient", () => {
    const logits = tensor([[1e4, -1e4, 0]], undefined, { requiresGrad: true });
    const loss = crossEntropy(logits, [0]);
    expect(loss.item()).toBe(0);
    loss.backward();
    expect(Array.from(logits.grad!.data)).toEqual([0, 0, 0]);
  });
});

describe("softmax and logSoftmax", () => {
  it("match the references on random rows (scale up to 30), over the last dimension of any shape", () => {
    fc.assert(
      fc.property(rows, ({ N, J, scale, seed }) => {
        const x = f32(randn64(rng(seed), N * J, scale));
        const shape = N % 2 === 0 ? [2, N / 2, J] : [N, J];
        const s = softmax(new Tensor(x, shape), -1);
        const ls = logSoftmax(new Tensor(x, shape), -1);
        expect(s.shape).toEqual(shape);
        expect(ls.shape).toEqual(shape);
        expectAllClose(s.data, softmaxRef(x, N, J), 1e-5, 1e-7, "softmax");
        expectAllClose(ls.data, logSoftmaxRef(x, N, J), 1e-5, 1e-5, "logSoftmax");
      }),
      { numRuns: 30 },
    );
  });

  it("softmax rows sum to 1 and are in [0, 1]", () => {
    fc.assert(
      fc.property(rows, ({ N, J, scale, seed }) => {
        const y = softmax(new Tensor(f32(randn64(rng(seed), N * J, scale)), [N, J])).data;
        for (let n = 0; n < N; n++) {
          let s = 0;
          for (let j = 0; j < J; j++) {
            const v = y[n * J + j]!;
            expect(v >= 0 && v <= 1).toBe(true);
            s += v;
          }
          expect(Math.abs(s - 1)).toBeLessThanOrEqual(1e-6 * J);
        }
      }),
      { numRuns: 30 },
    );
  });

  it("by hand: softmax([0, ln 3]) = [1/4, 3/4]; shift invariant; huge logits stay finite", () => {
    expectAllClose(softmax(tensor([[0, Math.log(3)]])).data, [0.25, 0.75], 1e-6, 0, "softmax");
    expectAllClose(softmax(tensor([[100, 100 + Math.log(3)]])).data, [0.25, 0.75], 1e-5, 0, "shifted");
    expect(Array.from(softmax(tensor([[1e4, -1e4, 0]])).data)).toEqual([1, 0, 0]);
    const ls = logSoftmax(tensor([[1e4, -1e4, 0]])).data;
    expect(Array.from(ls)).toEqual([0, -2e4, -1e4]);
  });

  it("gradchecks", () => {
    fc.assert(
      fc.property(rows.filter((r) => r.scale <= 5), ({ N, J, scale, seed }) => {
        const g = rng(seed);
        checkGradients({
          inputs: [{ name: "x", data: randn64(g, N * J, scale), shape: [N, J] }],
          reference: ([x]) => softmaxRef(x!, N, J),
          op: ([x]) => softmax(x!),
          generator: g,
        });
        checkGradients({
          inputs: [{ name: "x", data: randn64(g, N * J, scale), shape: [N, J] }],
          reference: ([x]) => logSoftmaxRef(x!, N, J),
          op: ([x]) => logSoftmax(x!),
          generator: g,
        });
      }),
      { numRuns: 20 },
    );
  });

  it("logSoftmax = log(softmax) elementwise", () => {
    const x = f32(randn64(rng(12), 30, 3));
    const s = softmax(new Tensor(x, [5, 6])).data;
    expectAllClose(logSoftmax(new Tensor(x, [5, 6])).data, Array.from(s, Math.log), 1e-5, 1e-6, "log softmax");
  });
});

describe("argmax", () => {
  it("by hand: row maxima, negatives, ties to the first", () => {
    expect(argmax(tensor([[1, 3, 2], [-5, -1, -3], [7, 7, 7], [0, 2, 2]]), -1).toArray()).toEqual([1, 1, 0, 1]);
    expect(argmax(tensor([4, 9, 1]), -1).toArray()).toEqual(1);
  });

  it("NaN as torch.argmax (PyTorch 1.13): the first NaN of a row wins, ±Infinity are ordinary values", () => {
    // Each expected index printed by torch.argmax on the same rows.
    const rows = [[0.5, NaN, 0.9], [NaN, NaN, 0], [1, NaN, NaN], [-Infinity, -1, Infinity], [NaN, Infinity, 2]];
    expect(argmax(tensor(rows), -1).toArray()).toEqual([1, 0, 1, 2, 0]);
  });

  it("matches a float64 scan on random rows, over the last dimension", () => {
    const g = rng(6);
    const x = f32(randn64(g, 8 * 10));
    const result = argmax(new Tensor(x, [2, 4, 10]), -1);
    expect(result.shape).toEqual([2, 4]);
    const got = result.data;
    expect(got.length).toBe(8);
    for (let n = 0; n < 8; n++) {
      const row = Array.from(x.subarray(n * 10, (n + 1) * 10));
      expect(got[n]).toBe(row.indexOf(Math.max(...row)));
    }
  });
});
