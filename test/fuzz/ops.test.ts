// Fuzzing every public op with random shapes, options and values.
//
// Three kinds of property per op:
//   shapes  random (often mismatched) shapes and options with moderate values:
//           a valid call must match the float64 reference (shape and values,
//           and its backward must give finite gradients of the right shapes);
//           an invalid one must throw SHAPE_MISMATCH naming a shape. Run on
//           both backends.
//   junk    one argument replaced by something a plain-JavaScript caller might
//           pass by mistake: the error must name it.
//   extreme finite values at the edge of float32 (±3.4e38, denormals):
//           no NaN unless the float64 reference overflows float32 too.

import fc from "fast-check";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { setBackend, type BackendName } from "../../src/backend/index.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { tensor } from "../../src/tensor/create.js";
import { conv2d } from "../../src/ops/conv2d.js";
import { avgPool2d } from "../../src/ops/avgpool2d.js";
import { maxPool2d } from "../../src/ops/maxpool2d.js";
import { sigmoid } from "../../src/ops/sigmoid.js";
import { relu } from "../../src/ops/relu.js";
import { tanh } from "../../src/ops/tanh.js";
import { linear } from "../../src/ops/linear.js";
import { softmax, logSoftmax } from "../../src/ops/softmax.js";
import { argmax } from "../../src/ops/max.js";
import { crossEntropy } from "../../src/ops/cross-entropy.js";
import { add, sub, mul } from "../../src/ops/elementwise.js";
// broadcasting and elementwise math (issue 14)
import { div } from "../../src/ops/elementwise.js";
import { exp, log, sqrt, abs, neg } from "../../src/ops/math.js";
import { pow } from "../../src/ops/pow.js";
import { clamp, maximum, minimum } from "../../src/ops/clamp.js";
import { eq, ne, lt, le, gt, ge, where } from "../../src/ops/compare.js";
import { sum, mean } from "../../src/ops/reduce.js";
import { matmul } from "../../src/ops/gemm.js";
import { conv2dRef, avgPool2dRef, maxPool2dRef, linearRef, matmulRef, softmaxRef, logSoftmaxRef, sigmoidRef, reluRef, type Pair } from "../helpers/reference.js";
import {
  attempt, refuses, expectMentions, expectShape, fuzz, allFinite, numel,
  moderate, extreme, notNumbers, notTensors, notIntAtLeast,
} from "./helpers.js";
import { expectAllClose } from "../helpers/close.js";

// ---------------------------------------------------------------------------
// Arbitraries

const smallDim = (min = 0, max = 4) => fc.integer({ min, max });
const size2 = (min: number, max: number): fc.Arbitrary<number | [number, number]> => fc.oneof(smallDim(min, max), fc.tuple(smallDim(min, max), smallDim(min, max)));
const pairOf = (v: number | readonly [number, number] | undefined, fallback: Pair): Pair => (v === undefined ? fallback : typeof v === "number" ? [v, v] : v);

/** A shape of rank `rank` (or a random rank in [minRank, maxRank]) with dims in [0, maxDim]. */
function shapeArb(minRank: number, maxRank: number, maxDim = 4): fc.Arbitrary<number[]> {
  return fc.array(smallDim(0, maxDim), { minLength: minRank, maxLength: maxRank });
}

/** A size-2 option that is invalid for minimum `min`: junk, bad numbers, or a bad pair. */
function notSize2(min: number): fc.Arbitrary<unknown> {
  return fc.oneof(
    notIntAtLeast(min),
    fc.constantFrom<unknown>([], [1], [1, 2, 3]),
    fc.tuple(notIntAtLeast(min), smallDim(Math.max(min, 1), 3)),
    fc.tuple(smallDim(Math.max(min, 1), 3), notIntAtLeast(min)),
  );
}

/** Things that are not an options object. */
const notOptions: fc.Arbitrary<unknown> = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom<unknown>(null, "stride", true, false, [1, 1], Number.NaN, new Float32Array(1)));

/** Sums y and runs backward, then checks every input's gradient is finite and shaped like it. */
function checkBackward(y: Tensor, inputs: readonly Tensor[]): void {
  sum(y).backward();
  for (const x of inputs) {
    if (x.numel === 0) continue;
    expect(x.grad, "gradient").not.toBeNull();
    expectShape(x.grad!.shape, x.shape, "gradient shape");
    expect(allFinite(x.grad!.data), "gradient is finite").toBe(true);
  }
}

const spatialOk = (s: readonly number[]) => s.length === 4 && s[2]! >= 1 && s[3]! >= 1;

// ---------------------------------------------------------------------------
// Random shapes against references, on both backends

const BACKENDS: BackendName[] = ["ts", "wasm"];

for (const backend of BACKENDS) {
  describe(`fuzz: ops with random shapes on the ${backend} backend`, () => {
    beforeAll(() => void setBackend(backend));
    afterAll(() => void setBackend("ts"));

    fuzz(`[${backend}] conv2d: random input, weight, bias, stride and padding`, 250, 10_000, () =>
      fc.property(
        fc.oneof({ weight: 6, arbitrary: fc.tuple(smallDim(0, 2), smallDim(0, 3), smallDim(0, 6), smallDim(0, 6)) as fc.Arbitrary<number[]> }, { weight: 1, arbitrary: shapeArb(3, 5, 3) }),
        fc.record({ K: smallDim(0, 3), C: fc.option(smallDim(0, 3), { nil: undefined, freq: 5 }), kH: smallDim(0, 4), kW: smallDim(0, 4), rank: fc.constantFrom(4, 4, 4, 4, 3) }),
        fc.constantFrom("none", "ok", "ok", "wrong"),
        fc.option(size2(1, 3), { nil: undefined }),
        fc.option(size2(0, 2), { nil: undefined }),
        fc.nat(),
        (xShape, ws, biasKind, stride, padding, seed) => {
          const C = ws.C ?? xShape[1] ?? 1;
          const wShape = ws.rank === 4 ? [ws.K, C, ws.kH, ws.kW] : [ws.K, C, ws.kH];
          const bShape = biasKind === "ok" ? [ws.K] : biasKind === "wrong" ? [ws.K + 1] : null;
          const [x, w] = [sample(xShape, seed), sample(wShape, seed + 1)];
          const b = bShape === null ? null : sample(bShape, seed + 2);
          const options = { ...(stride === undefined ? {} : { stride }), ...(padding === undefined ? {} : { padding }) };
          const [sH, sW] = pairOf(stride, [1, 1]);
          const [pH, pW] = pairOf(padding, [0, 0]);
          const valid = xShape.length === 4 && wShape.length === 4 && xShape[1] === C && wShape.every((d) => d >= 1) && biasKind !== "wrong" && spatialOk(xShape) && xShape[2]! + 2 * pH >= ws.kH && xShape[3]! + 2 * pW >= ws.kW;
          const r = attempt("conv2d", () => conv2d(x, w, b, options));
          if (!valid) {
            expect(r.ok, `conv2d ${JSON.stringify({ xShape, wShape, bShape, options })} should be refused`).toBe(false);
            if (!r.ok) {
              expect(r.error.code).toBe("SHAPE_MISMATCH");
              expectMentions(r.error, [xShape, wShape, bShape]);
            }
            return;
          }
          expect(r.ok, r.ok ? "" : r.error.message).toBe(true);
          if (!r.ok) return;
          const ref = conv2dRef(x.data, xShape, w.data, wShape, b?.data ?? null, [sH, sW], [pH, pW]);
          expectShape(r.value.shape, ref.shape);
          expectAllClose(r.value.data, ref.data, 1e-4, 1e-3, "conv2d");
          checkBackward(r.value, b === null ? [x, w] : [x, w, b]);
          if (b !== null) expectAllClose(b.grad!.data, new Array(ws.K).fill(ref.shape[0]! * ref.shape[2]! * ref.shape[3]!), 0, 0, "bias gradient");
        }));

    for (const [op, pool, poolRef] of [["avgPool2d", avgPool2d, avgPool2dRef], ["maxPool2d", maxPool2d, maxPool2dRef]] as const) {
      fuzz(`[${backend}] ${op}: random input, kernel, stride and padding`, 250, 8000, () =>
        fc.property(
          fc.oneof({ weight: 6, arbitrary: fc.tuple(smallDim(0, 2), smallDim(0, 3), smallDim(0, 7), smallDim(0, 7)) as fc.Arbitrary<number[]> }, { weight: 1, arbitrary: shapeArb(2, 5, 3) }),
          size2(1, 4),
          fc.option(size2(1, 3), { nil: undefined }),
          fc.option(size2(0, 2), { nil: undefined }),
          fc.nat(),
          (xShape, kernel, stride, padding, seed) => {
            const x = sample(xShape, seed);
            const options = { ...(stride === undefined ? {} : { stride }), ...(padding === undefined ? {} : { padding }) };
            const k = pairOf(kernel, [1, 1]);
            const s = pairOf(stride, k);
            const p = pairOf(padding, [0, 0]);
            const batched = xShape.length === 3 ? [1, ...xShape] : xShape; // (C, H, W) is PyTorch's unbatched input
            const valid = batched.length === 4 && 2 * p[0] <= k[0] && 2 * p[1] <= k[1] && spatialOk(batched) && batched[2]! + 2 * p[0] >= k[0] && batched[3]! + 2 * p[1] >= k[1];
            const r = attempt(op, () => pool(x, kernel, options));
            if (!valid) {
              expect(r.ok, `${op} ${JSON.stringify({ xShape, kernel, options })} should be refused`).toBe(false);
              if (!r.ok && batched.length !== 4 && 2 * p[0] <= k[0] && 2 * p[1] <= k[1]) expectMentions(r.error, xShape);
              return;
            }
            expect(r.ok, r.ok ? "" : r.error.message).toBe(true);
            if (!r.ok) return;
            const ref = poolRef(x.data, batched, k, s, p);
            expectShape(r.value.shape, xShape.length === 3 ? ref.shape.slice(1) : ref.shape);
            expect(allFinite(r.value.data), `${op} of finite input is finite`).toBe(true);
            expectAllClose(r.value.data, ref.data, 1e-5, 1e-6, op);
            checkBackward(r.value, [x]);
          }));
    }

    // An elementwise op y = f(x): accepted, shaped like x, equal to the scalar reference, and its backward checked.
    const checkElementwise = (op: string, fn: (t: Tensor) => Tensor, ref: (v: number) => number, x: Tensor, shape: number[]): void => {
      const r = attempt(op, () => fn(x));
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expectShape(r.value.shape, shape);
      expectAllClose(r.value.data, Array.from(x.data, ref), 1e-5, 1e-6, op);
      checkBackward(r.value, [x]);
    };

    fuzz(`[${backend}] sigmoid/relu/tanh on tensors of any shape`, 300, 6000, () =>
      fc.property(shapeArb(0, 4), fc.constantFrom("sigmoid", "relu", "tanh"), fc.nat(), (shape, op, seed) => {
        const x = sample(shape, seed);
        const fn = op === "sigmoid" ? sigmoid : op === "relu" ? relu : tanh;
        const ref = op === "sigmoid" ? sigmoidRef : op === "relu" ? reluRef : Math.tanh;
        checkElementwise(op, fn, ref, x, shape);
      }));

    // broadcasting and elementwise math (issue 14)
    fuzz(`[${backend}] exp/log/sqrt/abs/neg/clamp on tensors of any shape`, 300, 6000, () =>
      fc.property(shapeArb(0, 4), fc.constantFrom("exp", "log", "sqrt", "abs", "neg", "clamp"), fc.nat(), (shape, op, seed) => {
        const raw = sample(shape, seed);
        // log and sqrt on positive inputs, abs and clamp away from their kinks, so every gradient is finite
        const x = op === "log" || op === "sqrt" ? new Tensor(raw.data.map((v) => Math.abs(v) + 0.25), shape, { requiresGrad: true }) : awayFromZero(raw);
        const fns: Record<string, [(t: Tensor) => Tensor, (v: number) => number]> = {
          exp: [exp, Math.exp], log: [log, Math.log], sqrt: [sqrt, Math.sqrt], abs: [abs, Math.abs], neg: [neg, (v) => -v],
          clamp: [(t) => clamp(t, -1.25, 2.25), (v) => Math.min(Math.max(v, -1.25), 2.25)],
        };
        const [fn, ref] = fns[op]!;
        checkElementwise(op, fn, ref, x, shape);
      }));

    fuzz(`[${backend}] pow/maximum/minimum/where/comparisons: random (often broadcastable) shapes`, 300, 6000, () =>
      fc.property(shapeArb(0, 3), shapeArb(0, 3), fc.boolean(), fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), fc.constantFrom("pow", "maximum", "minimum", "where", "eq", "ne", "lt", "le", "gt", "ge"), fc.nat(),
        (aShape, otherShape, stretch, ones, op, seed) => {
        const bShape = stretch ? aShape.map((d, i) => (ones[i] ? 1 : d)).slice(ones[3] ? 1 : 0) : otherShape;
        const a = op === "pow" ? new Tensor(sample(aShape, seed).data.map((v) => Math.abs(v) + 0.25), aShape, { requiresGrad: true }) : sample(aShape, seed);
        const b = sample(bShape, seed + 1);
        const compare: Record<string, (u: number, v: number) => boolean> = { eq: (u, v) => u === v, ne: (u, v) => u !== v, lt: (u, v) => u < v, le: (u, v) => u <= v, gt: (u, v) => u > v, ge: (u, v) => u >= v };
        const calls: Record<string, [() => Tensor, (u: number, v: number) => number]> = {
          pow: [() => pow(a, b), (u, v) => u ** v],
          maximum: [() => maximum(a, b), Math.max],
          minimum: [() => minimum(a, b), Math.min],
          where: [() => where(gt(a, 0), a, b), (u, v) => (u > 0 ? u : v)],
          ...Object.fromEntries(Object.entries(compare).map(([name, test]) => [name, [() => ({ eq, ne, lt, le, gt, ge })[name as "eq"](a, b), (u: number, v: number) => (test(u, v) ? 1 : 0)]])),
        };
        const [call, f] = calls[op]!;
        const r = attempt(op, call);
        const out = naiveBroadcast(aShape, bShape);
        if (out === null) {
          expect(r.ok).toBe(false);
          if (!r.ok) expectMentions(r.error, [aShape, bShape]);
          return;
        }
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        expectShape(r.value.shape, out, `${op} shape`);
        const ref = Array.from({ length: numel(out) }, (_, k) => f(a.data[naiveIndex(aShape, out, k)]!, b.data[naiveIndex(bShape, out, k)]!));
        expectAllClose(r.value.data, ref, 1e-5, 1e-6, op);
        if (op in compare) expect(r.value.requiresGrad, "a comparison has no gradient").toBe(false);
        else checkBackward(r.value, [a, b]);
      }));

    fuzz(`[${backend}] linear: random input, weight and bias`, 300, 8000, () =>
      fc.property(shapeArb(0, 3), fc.record({ O: smallDim(0, 5), I: fc.option(smallDim(0, 5), { nil: undefined, freq: 4 }), rank: fc.constantFrom(2, 2, 2, 1, 3) }), fc.constantFrom("none", "ok", "ok", "wrong"), fc.nat(), (xShape, ws, biasKind, seed) => {
        const I = ws.I ?? xShape[xShape.length - 1] ?? 1;
        const wShape = ws.rank === 2 ? [ws.O, I] : ws.rank === 1 ? [I] : [ws.O, I, 1];
        const bShape = biasKind === "ok" ? [ws.O] : biasKind === "wrong" ? [ws.O, 1] : null;
        const [x, w] = [sample(xShape, seed), sample(wShape, seed + 1)];
        const b = bShape === null ? null : sample(bShape, seed + 2);
        const valid = wShape.length === 2 && xShape.length >= 1 && xShape[xShape.length - 1] === I && biasKind !== "wrong";
        const r = attempt("linear", () => linear(x, w, b));
        if (!valid) {
          expect(r.ok).toBe(false);
          if (!r.ok) expectMentions(r.error, [xShape, wShape, bShape]);
          return;
        }
        expect(r.ok, r.ok ? "" : r.error.message).toBe(true);
        if (!r.ok) return;
        const N = numel(xShape.slice(0, -1));
        expectShape(r.value.shape, [...xShape.slice(0, -1), ws.O]);
        expectAllClose(r.value.data, linearRef(x.data, N, I, w.data, ws.O, b?.data ?? null), 1e-4, 1e-4, "linear");
        checkBackward(r.value, b === null ? [x, w] : [x, w, b]);
      }));

    fuzz(`[${backend}] matmul: random 2-D (and not 2-D) operands`, 300, 6000, () =>
      fc.property(shapeArb(1, 3, 5), shapeArb(1, 3, 5), fc.boolean(), fc.nat(), (aShape, bShape, align, seed) => {
        if (align && aShape.length === 2 && bShape.length === 2) bShape[0] = aShape[1]!;
        const [a, b] = [sample(aShape, seed), sample(bShape, seed + 1)];
        const valid = aShape.length === 2 && bShape.length === 2 && aShape[1] === bShape[0];
        const r = attempt("matmul", () => matmul(a, b));
        if (!valid) {
          expect(r.ok).toBe(false);
          if (!r.ok) expectMentions(r.error, [aShape, bShape]);
          return;
        }
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        const [M, K] = aShape as [number, number];
        expectShape(r.value.shape, [M, bShape[1]!]);
        expectAllClose(r.value.data, matmulRef(a.data, b.data, M, K, bShape[1]!), 1e-4, 1e-4, "matmul");
        checkBackward(r.value, [a, b]);
      }));

    fuzz(`[${backend}] softmax/logSoftmax/argmax over the last dimension`, 300, 6000, () =>
      fc.property(shapeArb(0, 3, 5), fc.constantFrom("softmax", "logSoftmax", "argmax"), fc.nat(), (shape, op, seed) => {
        const x = sample(shape, seed);
        const valid = shape.length === 0 || shape[shape.length - 1]! > 0; // a 0-D input is one class, as in PyTorch
        const r = attempt(op, () => (op === "softmax" ? softmax(x, -1) : op === "logSoftmax" ? logSoftmax(x, -1) : argmax(x, -1)));
        if (!valid) {
          expect(r.ok).toBe(false);
          if (!r.ok) expectMentions(r.error, shape);
          return;
        }
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        const J = shape[shape.length - 1] ?? 1, N = numel(shape) / J;
        if (op === "argmax") {
          const out = (r.value as Tensor).data;
          expect(out.length).toBe(N);
          for (let n = 0; n < N; n++) {
            const row = Array.from(x.data.subarray(n * J, (n + 1) * J));
            expect(out[n]).toBe(row.indexOf(Math.max(...row)));
          }
          return;
        }
        const y = r.value as Tensor;
        expectShape(y.shape, shape);
        expectAllClose(y.data, op === "softmax" ? softmaxRef(x.data, N, J) : logSoftmaxRef(x.data, N, J), 1e-5, 1e-5, op);
        checkBackward(y, [x]);
      }));

    fuzz(`[${backend}] crossEntropy: random logits and labels (arrays, Int32Array, tensors)`, 300, 6000, () =>
      fc.property(shapeArb(1, 3, 5), fc.array(fc.integer({ min: -1, max: 5 }), { maxLength: 6 }), fc.boolean(), fc.constantFrom("array", "int32", "tensor"), fc.nat(), (shape, rawLabels, fitCount, kind, seed) => {
        const logits = sample(shape, seed);
        const J = shape[1] ?? 0;
        const values = fitCount && shape.length === 2 ? Array.from({ length: shape[0]! }, (_, i) => rawLabels[i] ?? 0) : rawLabels;
        const labels = kind === "array" ? values : kind === "int32" ? Int32Array.from(values) : tensor(values);
        // (N, C) logits take N labels; (N, C, d) logits take N·d labels, flat as an array (a tensor must be (N, d)); (C) logits a number
        const samples = shape.length === 3 ? shape[0]! * shape[2]! : shape[0]!, inner = shape[2] ?? 1;
        const fits = shape.length === 2 || (shape.length === 3 && kind !== "tensor");
        // a tensor of the logits' own shape is a probability target: (C) logits and a C-element tensor here, any values
        const probabilities = kind === "tensor" && shape.length === 1 && values.length === shape[0] && shape[0]! > 0;
        const valid = probabilities || (fits && numel(shape) > 0 && values.length === samples && values.every((v) => v >= 0 && v < J));
        const r = attempt("crossEntropy", () => crossEntropy(logits, labels));
        if (!valid) {
          expect(r.ok).toBe(false);
          if (!r.ok && fits && numel(shape) > 0 && values.length === samples) expectMentions(r.error, values.find((v) => v < 0 || v >= J));
          return;
        }
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        if (probabilities) {
          const lp = logSoftmaxRef(logits.data, 1, shape[0]!);
          expectAllClose([r.value.item()], [-values.reduce((s, t, c) => s + t * lp[c]!, 0)], 1e-5, 1e-5, "crossEntropy (probabilities)");
          checkBackward(r.value, [logits]);
          return;
        }
        // sample s = (n, i) reads class j at (n·J + j)·inner + i: gather each sample's row, then the reference
        const rows = values.map((_, s) => Array.from({ length: J }, (_, j) => logits.data[(Math.floor(s / inner) * J + j) * inner + (s % inner)]!));
        const lp = logSoftmaxRef(rows.flat(), samples, J);
        const expected = -values.reduce((s, v, n) => s + lp[n * J + v]!, 0) / samples;
        expectAllClose([r.value.item()], [expected], 1e-5, 1e-5, "crossEntropy");
        checkBackward(r.value, [logits]);
      }));

    fuzz(`[${backend}] add/sub/mul/sum/mean: random shapes and scalar operands`, 400, 6000, () =>
      fc.property(shapeArb(0, 3), fc.oneof(shapeArb(0, 3), moderate), fc.constantFrom("same", "stretched", "random"), fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), fc.constantFrom("add", "sub", "mul", "div", "sum", "mean"), fc.nat(), fc.boolean(),
        (aShape, other, layout, ones, op, seed, numberFirst) => {
        const a = op === "div" ? awayFromZero(sample(aShape, seed)) : sample(aShape, seed); // div: a number on the left divides by a
        // broadcasting (issue 14): the other operand has a's shape, a's shape with some dims 1 and leading dims dropped, or a random one
        const stretched = aShape.map((d, i) => (ones[i] ? 1 : d)).slice(ones[3] ? 1 : 0);
        const bShape = typeof other === "number" ? null : layout === "same" ? aShape : layout === "stretched" ? stretched : other;
        const b = bShape === null ? (op === "div" ? Math.fround((other as number) + Math.sign(other as number || 1) * 0.5) : (other as number)) : awayFromZero(sample(bShape, seed + 1));
        if (op === "sum" || op === "mean") {
          const r = attempt(op, () => (op === "sum" ? sum(a) : mean(a)));
          if (op === "mean" && a.numel === 0) {
            expect(r.ok).toBe(false);
            if (!r.ok) expectMentions(r.error, aShape);
            return;
          }
          expect(r.ok).toBe(true);
          if (!r.ok) return;
          const total = a.data.reduce((s, v) => s + v, 0);
          expectAllClose([r.value.item()], [op === "sum" ? total : total / a.numel], 1e-6, 1e-6, op);
          checkBackward(r.value, [a]);
          return;
        }
        const fn = { add, sub, mul, div }[op as "add"];
        const swap = numberFirst && typeof b === "number"; // torch.sub(1, x): a number on the left
        const r = attempt(op, () => (swap ? fn(b, a) : fn(a, b)));
        const out = typeof b === "number" ? aShape : naiveBroadcast(aShape, b.shape);
        if (out === null) {
          expect(r.ok).toBe(false);
          if (!r.ok) expectMentions(r.error, [aShape, (b as Tensor).shape]);
          return;
        }
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        expectShape(r.value.shape, out, `${op} shape`);
        const f = (u: number, v: number): number => (op === "add" ? u + v : op === "sub" ? u - v : op === "mul" ? u * v : u / v);
        const at = (t: Tensor, k: number): number => t.data[naiveIndex(t.shape, out, k)]!;
        const ref = Array.from({ length: numel(out) }, (_, k) => Math.fround(typeof b === "number" ? (swap ? f(b, at(a, k)) : f(at(a, k), b)) : f(at(a, k), at(b, k))));
        expectAllClose(r.value.data, ref, 0, 0, op);
        checkBackward(r.value, typeof b === "number" ? [a] : [a, b]);
      }));
  });
}

/** The broadcast shape of a and b by PyTorch's rule (sizes equal or one of them 1, counted from the last), or null. */
function naiveBroadcast(a: readonly number[], b: readonly number[]): number[] | null {
  const out: number[] = [];
  for (let k = 1; k <= Math.max(a.length, b.length); k++) {
    const p = a[a.length - k] ?? 1, q = b[b.length - k] ?? 1;
    if (p !== q && p !== 1 && q !== 1) return null;
    out.unshift(p === 1 ? q : p);
  }
  return out;
}

/** The element of a tensor of `shape` that element k of the broadcast `out` reads (its index, 0 where it has size 1). */
function naiveIndex(shape: readonly number[], out: readonly number[], k: number): number {
  const index = out.map((_, d) => Math.floor(k / out.slice(d + 1).reduce((p, q) => p * q, 1)) % out[d]!);
  return index.slice(out.length - shape.length).reduce((acc, i, d) => acc * shape[d]! + (shape[d] === 1 ? 0 : i), 0);
}

/** The same tensor with every value at least 0.5 from zero (a divisor). */
function awayFromZero(t: Tensor): Tensor {
  return new Tensor(t.data.map((v) => (v >= 0 ? v + 0.5 : v - 0.5)), t.shape, { requiresGrad: true });
}

/** A tensor of `shape` filled with deterministic moderate values (seeded, so failures replay). */
function sample(shape: readonly number[], seed: number): Tensor {
  const data = new Float32Array(numel(shape));
  let s = (seed * 2654435761) >>> 0;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    data[i] = Math.fround(((s >>> 8) / 2 ** 24) * 8 - 4);
  }
  return new Tensor(data, shape, { requiresGrad: true });
}

// ---------------------------------------------------------------------------
// Junk arguments from plain JavaScript (backend-independent: validation comes first)

describe("fuzz: ops given junk arguments", () => {
  const x4 = () => sample([1, 2, 5, 5], 1);
  const w4 = () => sample([3, 2, 3, 3], 2);
  const b3 = () => sample([3], 3);
  const m23 = () => sample([2, 3], 4);
  const notTensorOrNull = notTensors.filter((v) => v !== null && v !== undefined);
  const notTensorOrNumber = notTensors.filter((v) => typeof v !== "number"); // the elementwise ops take numbers as scalars
  const notLabels = fc.oneof(notNumbers.filter((v) => !(v instanceof Int32Array && v.length === 2) && !(Array.isArray(v) && v.length === 2 && v.every((n) => n >= 0 && n < 3))), fc.double(), fc.constantFrom<unknown>([0, 0.5], [0, "1"], [0, null], Float64Array.of(0, 1), Uint8Array.of(0, 1), [0, 3], [-1, 0], [0]));

  type Case = [op: string, slot: string, junk: fc.Arbitrary<unknown>, call: (junk: unknown) => unknown];
  const cases: Case[] = [
    ["conv2d", "input", notTensors, (j) => conv2d(j as Tensor, w4(), b3())],
    ["conv2d", "weight", notTensors, (j) => conv2d(x4(), j as Tensor, b3())],
    ["conv2d", "bias", notTensorOrNull, (j) => conv2d(x4(), w4(), j as Tensor)],
    ["conv2d", "options", notOptions, (j) => conv2d(x4(), w4(), b3(), j as object)],
    ["conv2d", "stride", notSize2(1).filter((v) => v !== null && v !== undefined), (j) => conv2d(x4(), w4(), b3(), { stride: j as number })],
    ["conv2d", "padding", notSize2(0).filter((v) => v !== null && v !== undefined), (j) => conv2d(x4(), w4(), b3(), { padding: j as number })],
    ...(["avgPool2d", "maxPool2d"] as const).flatMap((op): Case[] => {
      const pool = op === "avgPool2d" ? avgPool2d : maxPool2d;
      return [
        [op, "input", notTensors, (j) => pool(j as Tensor, 2)],
        [op, "kernelSize", notSize2(1), (j) => pool(x4(), j as number)],
        [op, "options", notOptions, (j) => pool(x4(), 2, j as object)],
        [op, "stride", notSize2(1).filter((v) => v !== null && v !== undefined), (j) => pool(x4(), 2, { stride: j as number })],
        [op, "padding", notSize2(0).filter((v) => v !== null && v !== undefined), (j) => pool(x4(), 2, { padding: j as number })],
      ];
    }),
    ["sigmoid", "input", notTensors, (j) => sigmoid(j as Tensor)],
    ["relu", "input", notTensors, (j) => relu(j as Tensor)],
    ["tanh", "input", notTensors, (j) => tanh(j as Tensor)],
    ["linear", "input", notTensors, (j) => linear(j as Tensor, m23())],
    ["linear", "weight", notTensors, (j) => linear(m23(), j as Tensor)],
    ["linear", "bias", notTensorOrNull, (j) => linear(m23(), sample([4, 3], 5), j as Tensor)],
    ["softmax", "input", notTensors, (j) => softmax(j as Tensor)],
    ["logSoftmax", "input", notTensors, (j) => logSoftmax(j as Tensor)],
    ["argmax", "input", notTensors, (j) => argmax(j as Tensor)],
    ["crossEntropy", "logits", notTensors, (j) => crossEntropy(j as Tensor, [0, 1])],
    ["crossEntropy", "labels", notLabels, (j) => crossEntropy(m23(), j as number[])],
    ["add", "input", notTensorOrNumber, (j) => add(j as Tensor, m23())],
    ["add", "other", notTensorOrNumber, (j) => add(m23(), j as Tensor)],
    ["sub", "other", notTensorOrNumber, (j) => sub(m23(), j as Tensor)],
    ["mul", "input", notTensorOrNumber, (j) => mul(j as Tensor, 2)],
    // broadcasting and elementwise math (issue 14)
    ["div", "input", notTensorOrNumber, (j) => div(j as Tensor, m23())],
    ["div", "other", notTensorOrNumber, (j) => div(m23(), j as Tensor)],
    ["div", "options", notOptions.filter((v) => v !== null), (j) => div(m23(), 2, j as Record<string, never>)],
    ...([["exp", exp], ["log", log], ["sqrt", sqrt], ["abs", abs], ["neg", neg]] as const).map(([op, fn]): Case => [op, "input", notTensors, (j) => fn(j as Tensor)]),
    ["pow", "input", notTensorOrNumber, (j) => pow(j as Tensor, 2)],
    ["pow", "exponent", notTensorOrNumber, (j) => pow(m23(), j as Tensor)],
    ["clamp", "input", notTensors, (j) => clamp(j as Tensor, 0, 1)],
    ["clamp", "min", notNumbers.filter((v) => v !== null && v !== undefined), (j) => clamp(m23(), j as number, 1)],
    ["clamp", "max", notNumbers.filter((v) => v !== null && v !== undefined), (j) => clamp(m23(), 0, j as number)],
    ["maximum", "input", notTensors, (j) => maximum(j as Tensor, m23())],
    ["minimum", "other", notTensors, (j) => minimum(m23(), j as Tensor)],
    ["where", "condition", notTensors, (j) => where(j as Tensor, m23(), 0)],
    ["where", "input", notTensorOrNumber, (j) => where(tensor([1, 0, 1]), j as Tensor, 0)],
    ["where", "other", notTensorOrNumber, (j) => where(tensor([1, 0, 1]), m23(), j as Tensor)],
    ...([["eq", eq], ["ne", ne], ["lt", lt], ["le", le], ["gt", gt], ["ge", ge]] as const).flatMap(([op, fn]): Case[] => [
      [op, "input", notTensors, (j) => fn(j as Tensor, m23())],
      [op, "other", notTensorOrNumber, (j) => fn(m23(), j as Tensor)],
    ]),
    ["sum", "input", notTensors, (j) => sum(j as Tensor)],
    ["mean", "input", notTensors, (j) => mean(j as Tensor)],
    ["matmul", "a", notTensors, (j) => matmul(j as Tensor, m23())],
    ["matmul", "b", notTensors, (j) => matmul(m23(), j as Tensor)],
  ];

  fuzz("every op with one argument replaced by junk", 1500, 10_000,
    fc.property(fc.nat({ max: cases.length - 1 }).chain((i) => fc.tuple(fc.constant(i), cases[i]![2])), ([i, junk]) => {
      const [op, slot, , call] = cases[i]!;
      const error = refuses(op, () => call(junk));
      if (slot === "labels" && (Array.isArray(junk) || ArrayBuffer.isView(junk)) && (junk as ArrayLike<unknown>).length !== 2 && !(junk instanceof Float64Array || junk instanceof Uint8Array || junk instanceof Float32Array)) {
        expect(error.message).toContain(`got ${(junk as ArrayLike<unknown>).length} labels for a batch of 2`);
      } else {
        expectMentions(error, junk);
        if (!["labels"].includes(slot)) expect(error.message).toContain(slot);
      }
    }));
});

// ---------------------------------------------------------------------------
// Sizes whose product overflows: refused before anything is allocated

describe("fuzz: ops asked for huge outputs", () => {
  fuzz("conv2d and pooling with huge padding or kernels refuse before allocating (or stay small)", 200, 5000,
    fc.property(fc.constantFrom(2 ** 15, 2 ** 16, 2 ** 20, 2 ** 29, 2 ** 30, 2 ** 30 + 1, 2 ** 31), fc.constantFrom("conv2d", "avgPool2d", "maxPool2d"), fc.integer({ min: 1, max: 2 }), (big, op, stride) => {
      // (stride 3 with padding 2^15 is a legal 954M-float conv output, under MAX_ELEMENTS: not fuzzed, it takes gigabytes)
      const x = sample([1, 1, 3, 3], 1);
      const r = attempt(op, () => (op === "conv2d" ? conv2d(x, sample([2, 1, 1, 1], 2), null, { padding: big, stride }) : (op === "avgPool2d" ? avgPool2d : maxPool2d)(x, 2 * big, { padding: big, stride })));
      if (r.ok) {
        // only pooling, whose huge window slides at most 3 steps over the padded input, can succeed: a tiny output
        expect(op).not.toBe("conv2d");
        expect(r.value.numel).toBeLessThanOrEqual(16);
      } else {
        expect(["OUT_OF_RANGE", "INVALID_ARGUMENT", "SHAPE_MISMATCH"]).toContain(r.error.code);
        expectMentions(r.error, [big, 2 * big, big * 2 + 3, Math.floor((3 + 2 * big - 1) / stride) + 1]);
      }
    }));
});

// ---------------------------------------------------------------------------
// Extreme finite values (TypeScript kernels: float64 accumulation)

describe("fuzz: ops on extreme finite values", () => {
  fuzz("no NaN or ±Infinity from finite inputs unless the float64 result overflows float32", 500, 10_000,
    fc.property(
      fc.constantFrom("conv2d", "avgPool2d", "maxPool2d", "sigmoid", "relu", "tanh", "linear", "matmul", "softmax", "logSoftmax", "crossEntropy", "add", "mul", "sum", "mean"),
      fc.tuple(smallDim(1, 2), smallDim(1, 2), smallDim(2, 4), smallDim(2, 4)),
      fc.nat(),
      fc.infiniteStream(extreme),
      (op, [N, C, H, W], seed, values) => {
        const fill = (shape: number[]) => new Tensor(Float32Array.from({ length: numel(shape) }, () => Math.fround(values.next().value as number)), shape);
        const abs = (t: Tensor) => Float32Array.from(t.data, Math.abs);
        const x = fill([N, C, H, W]);
        let result: ArrayLike<number>;
        let reference: ArrayLike<number>;
        // scale[i]: the sum of the magnitudes of the terms behind element i. A result is owed
        // finiteness only when scale < 1e38 (no intermediate can overflow float32), and agrees
        // with the reference to 1e-4 of scale (the reference itself cancels catastrophically).
        let scale: ArrayLike<number>;
        switch (op) {
          case "conv2d": {
            const w = fill([2, C, 2, 2]), b = fill([2]);
            result = conv2d(x, w, b, { padding: 1 }).data;
            reference = conv2dRef(x.data, x.shape, w.data, w.shape, b.data, [1, 1], [1, 1]).data;
            scale = conv2dRef(abs(x), x.shape, abs(w), w.shape, abs(b), [1, 1], [1, 1]).data;
            break;
          }
          case "avgPool2d": result = avgPool2d(x, 2, { padding: 1 }).data; reference = avgPool2dRef(x.data, x.shape, [2, 2], [2, 2], [1, 1]).data; scale = avgPool2dRef(abs(x), x.shape, [2, 2], [2, 2], [1, 1]).data; break;
          case "maxPool2d": result = maxPool2d(x, 2, { padding: 1 }).data; reference = maxPool2dRef(x.data, x.shape, [2, 2], [2, 2], [1, 1]).data; scale = Array.from(reference, Math.abs); break;
          case "sigmoid": result = sigmoid(x).data; reference = Array.from(x.data, sigmoidRef); scale = Array.from(reference, () => 1); break;
          case "relu": result = relu(x).data; reference = Array.from(x.data, reluRef); scale = Array.from(reference, Math.abs); break;
          case "tanh": result = tanh(x).data; reference = Array.from(x.data, Math.tanh); scale = Array.from(reference, () => 1); break;
          case "linear": {
            const w = fill([3, W]), b = fill([3]);
            result = linear(x, w, b).data;
            reference = linearRef(x.data, N * C * H, W, w.data, 3, b.data);
            scale = linearRef(abs(x), N * C * H, W, abs(w), 3, abs(b));
            break;
          }
          case "matmul": {
            const a = fill([H, W]), b = fill([W, 3]);
            result = matmul(a, b).data;
            reference = matmulRef(a.data, b.data, H, W, 3);
            scale = matmulRef(abs(a), abs(b), H, W, 3);
            break;
          }
          case "softmax": result = softmax(x, -1).data; reference = softmaxRef(x.data, N * C * H, W); scale = Array.from(reference, () => 1); break;
          case "logSoftmax": {
            result = logSoftmax(x, -1).data; reference = logSoftmaxRef(x.data, N * C * H, W);
            const rowMax = (i: number) => Math.max(...Array.from(x.data.subarray(i - (i % W), i - (i % W) + W), Math.abs));
            scale = Array.from(reference, (_, i) => 2 * rowMax(i) + 2);
            break;
          }
          case "crossEntropy": {
            const logits = fill([H, W]);
            const labels = Array.from({ length: H }, (_, i) => (seed + i) % W);
            result = [crossEntropy(logits, labels).item()];
            const lp = logSoftmaxRef(logits.data, H, W);
            reference = [-labels.reduce((s, v, n) => s + lp[n * W + v]!, 0) / H];
            scale = [2 * Math.max(...Array.from(logits.data, Math.abs)) + 2];
            break;
          }
          case "add": {
            const b = fill([N, C, H, W]);
            result = add(x, b).data; reference = Array.from(x.data, (v, i) => v + b.data[i]!); scale = Array.from(x.data, (v, i) => Math.abs(v) + Math.abs(b.data[i]!)); break;
          }
          case "mul": {
            const b = fill([N, C, H, W]);
            result = mul(x, b).data; reference = Array.from(x.data, (v, i) => v * b.data[i]!); scale = Array.from(reference, Math.abs); break;
          }
          case "sum": result = [sum(x).item()]; reference = [x.data.reduce((s, v) => s + v, 0)]; scale = [x.data.reduce((s, v) => s + Math.abs(v), 0)]; break;
          default: result = [mean(x).item()]; reference = [x.data.reduce((s, v) => s + v, 0) / x.numel]; scale = [x.data.reduce((s, v) => s + Math.abs(v), 0) / x.numel]; break;
        }
        for (let i = 0; i < result.length; i++) {
          const r = result[i]!, e = reference[i]!, m = scale[i]!;
          if (!(m < 1e38)) continue; // an intermediate may overflow float32: ±∞ (and then NaN) is IEEE arithmetic, not a bug
          expect(Number.isFinite(r), `${op}[${i}] is ${r} but the float64 reference is ${e}`).toBe(true);
          expect(Math.abs(r - e) <= 1e-5 * m + 1e-37, `${op}[${i}] is ${r}, reference ${e} (terms of magnitude ${m})`).toBe(true);
        }
      }));
});
