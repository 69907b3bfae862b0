// Fuzzing the nn API: layer constructors and forwards, Sequential,
// CrossEntropyLoss, the optimizers, DataLoader, Plan and the two
// loadStateDicts, with random and junk arguments.

import fc from "fast-check";
import { describe, expect } from "vitest";
import { Tensor, noGrad } from "../../src/tensor/tensor.js";
import { zeros } from "../../src/tensor/create.js";
import { Generator } from "../../src/tensor/random.js";
import { conv2d } from "../../src/ops/conv2d.js";
import { linear } from "../../src/ops/linear.js";
import { avgPool2d } from "../../src/ops/avgpool2d.js";
import { maxPool2d } from "../../src/ops/maxpool2d.js";
import { crossEntropy } from "../../src/ops/cross-entropy.js";
import { Module } from "../../src/nn/module.js";
import { Sequential, Conv2d, Linear, AvgPool2d, MaxPool2d, Sigmoid, ReLU, Tanh, Flatten, Reshape } from "../../src/nn/layers.js";
import { CrossEntropyLoss } from "../../src/nn/loss.js";
import { SGD, Adam, type OptimizerState } from "../../src/nn/optim.js";
import { DataLoader } from "../../src/nn/dataloader.js";
import { Plan } from "../../src/nn/plan.js";
import { attempt, refuses, expectMentions, expectShape, fuzz, notNumbers, notTensors, notIntAtLeast, badInts, numel, allFinite } from "./helpers.js";
import { expectAllClose } from "../helpers/close.js";

const dim = (min: number, max: number) => fc.integer({ min, max });
const size2 = (min: number, max: number): fc.Arbitrary<number | [number, number]> => fc.oneof(dim(min, max), fc.tuple(dim(min, max), dim(min, max)));
const isInt = (v: unknown, min: number) => typeof v === "number" && Number.isInteger(v) && v >= min && v <= 2 ** 30;
const isSize2 = (v: unknown, min: number) => isInt(v, min) || (Array.isArray(v) && v.length === 2 && isInt(v[0], min) && isInt(v[1], min));
const notSize2 = (min: number) => fc.oneof(notIntAtLeast(min), fc.constantFrom<unknown>([], [1], [1, 2, 3], [1, Number.NaN], ["2", 2])).filter((v) => !isSize2(v, min));
/** Things that are not an options object (including PyTorch-style positional values). */
const notOptions = fc.constantFrom<unknown>(null, 0, 1, 2, false, true, "same", [1, 1], Number.NaN);

/** Seeded moderate values, so failures replay. */
function sample(shape: readonly number[], seed: number, requiresGrad = false): Tensor {
  const g = new Generator(seed);
  return new Tensor(Float32Array.from({ length: numel(shape) }, () => Math.fround(g.uniform() * 4 - 2)), shape, { requiresGrad });
}

// ---------------------------------------------------------------------------
// Layers

describe("fuzz: layer constructors", () => {
  type Slot = { layer: string; arg: string; valid: () => unknown[]; at: number; junk: fc.Arbitrary<unknown>; make: (args: unknown[]) => Module };
  const conv = (a: unknown[]) => new Conv2d(a[0] as number, a[1] as number, a[2] as number, a[3] as object);
  const slots: Slot[] = [
    { layer: "Conv2d", arg: "inChannels", valid: () => [1, 2, 3, {}], at: 0, junk: notIntAtLeast(1), make: conv },
    { layer: "Conv2d", arg: "outChannels", valid: () => [1, 2, 3, {}], at: 1, junk: notIntAtLeast(1), make: conv },
    { layer: "Conv2d", arg: "kernelSize", valid: () => [1, 2, 3, {}], at: 2, junk: notSize2(1).filter((v) => typeof v !== "object" || v === null || Array.isArray(v)), make: conv },
    { layer: "Conv2d", arg: "options", valid: () => [1, 2, 3, {}], at: 3, junk: notOptions, make: conv },
    { layer: "Conv2d", arg: "stride", valid: () => [1, 2, { kernelSize: 3 }], at: 2, junk: notSize2(1).filter((v) => v !== null && v !== undefined).map((stride) => ({ kernelSize: 3, stride })), make: conv },
    { layer: "Conv2d", arg: "padding", valid: () => [1, 2, { kernelSize: 3 }], at: 2, junk: notSize2(0).filter((v) => v !== null && v !== undefined).map((padding) => ({ kernelSize: 3, padding })), make: conv },
    { layer: "Conv2d", arg: "generator", valid: () => [1, 2, { kernelSize: 3 }], at: 2, junk: notNumbers.filter((v) => v !== undefined && v !== null).map((generator) => ({ kernelSize: 3, generator })), make: conv },
    { layer: "Linear", arg: "inFeatures", valid: () => [4, 3, {}], at: 0, junk: notIntAtLeast(1), make: (a) => new Linear(a[0] as number, a[1] as number, a[2] as object) },
    { layer: "Linear", arg: "outFeatures", valid: () => [4, 3, {}], at: 1, junk: notIntAtLeast(1), make: (a) => new Linear(a[0] as number, a[1] as number, a[2] as object) },
    { layer: "Linear", arg: "options", valid: () => [4, 3, {}], at: 2, junk: notOptions, make: (a) => new Linear(a[0] as number, a[1] as number, a[2] as object) },
    { layer: "Linear", arg: "generator", valid: () => [4, 3, {}], at: 2, junk: notNumbers.filter((v) => v !== undefined && v !== null).map((generator) => ({ generator })), make: (a) => new Linear(a[0] as number, a[1] as number, a[2] as object) },
    ...(["AvgPool2d", "MaxPool2d"] as const).flatMap((layer): Slot[] => {
      const make = (a: unknown[]) => (layer === "AvgPool2d" ? new AvgPool2d(a[0] as number, a[1] as object) : new MaxPool2d(a[0] as number, a[1] as object));
      return [
        { layer, arg: "kernelSize", valid: () => [2, {}], at: 0, junk: notSize2(1), make },
        { layer, arg: "options", valid: () => [2, {}], at: 1, junk: notOptions, make },
        { layer, arg: "stride", valid: () => [2, {}], at: 1, junk: notSize2(1).filter((v) => v !== null && v !== undefined).map((stride) => ({ stride })), make },
        { layer, arg: "padding", valid: () => [2, {}], at: 1, junk: fc.oneof(notSize2(0).filter((v) => v !== null && v !== undefined), fc.constantFrom(2, [0, 2], 5)).map((padding) => ({ padding })), make },
      ];
    }),
    { layer: "Flatten", arg: "startDim", valid: () => [1, -1], at: 0, junk: fc.oneof(notNumbers.filter((v) => v !== undefined), badInts.filter((v) => !Number.isInteger(v))), make: (a) => new Flatten(a[0] as number, a[1] as number) },
    { layer: "Flatten", arg: "endDim", valid: () => [1, -1], at: 1, junk: fc.oneof(notNumbers.filter((v) => v !== undefined), badInts.filter((v) => !Number.isInteger(v))), make: (a) => new Flatten(a[0] as number, a[1] as number) },
    { layer: "Reshape", arg: "shape", valid: () => [-1, 4], at: 1, junk: fc.oneof(notNumbers, badInts.filter((v) => v !== -1), fc.constant(-1)), make: (a) => new Reshape(...(a as number[])) },
    { layer: "Sequential", arg: "child", valid: () => [new ReLU(), new Tanh()], at: 1, junk: fc.oneof(notNumbers, fc.constantFrom<unknown>(relu0, Tensor)), make: (a) => new Sequential(...(a as Module[])) },
  ];

  fuzz("every layer constructor with one argument replaced by junk", 1200, 10_000,
    fc.property(fc.nat({ max: slots.length - 1 }).chain((i) => fc.tuple(fc.constant(i), slots[i]!.junk)), ([i, junk]) => {
      const slot = slots[i]!;
      const args = slot.valid();
      args[slot.at] = junk;
      const ops = [slot.layer, `${slot.layer}.register`, `${slot.layer}.registerModule`];
      const error = refuses(ops, () => slot.make(args));
      if (slot.arg === "options") expectMentions(error, junk);
      else if (slot.arg === "padding" && typeof junk === "object" && junk !== null && "padding" in junk) expectMentions(error, (junk as { padding: unknown }).padding);
      else if (["stride", "generator"].includes(slot.arg)) expectMentions(error, (junk as Record<string, unknown>)[slot.arg]);
      else if (slot.arg === "shape" && junk === -1) expect(error.message).toContain("-1");
      else expectMentions(error, junk);
    }));

  fuzz("valid layers make parameters of the right shapes, and forward agrees with the functional op", 300, 10_000,
    fc.property(
      fc.constantFrom("conv", "linear", "avg", "max"),
      dim(1, 3), dim(1, 3), size2(1, 3), size2(1, 2), size2(0, 1), fc.boolean(),
      fc.tuple(dim(0, 2), dim(1, 3), dim(1, 6), dim(1, 6)),
      (kind, a, b, kernel, stride, padding, bias, [N, C, H, W]) => {
        const k = typeof kernel === "number" ? [kernel, kernel] : kernel;
        const p = typeof padding === "number" ? [padding, padding] : padding;
        if (kind === "conv") {
          const layer = new Conv2d(a, b, kernel, { stride, padding, bias, generator: new Generator(1) });
          expectShape(layer.weight.shape, [b, a, k[0]!, k[1]!]);
          expect(layer.bias === null).toBe(!bias);
          const x = sample([N, C, H, W], 2);
          const got = attempt("conv2d", () => layer.forward(x));
          const want = attempt("conv2d", () => conv2d(x, layer.weight, layer.bias, { stride, padding }));
          expect(got.ok).toBe(want.ok);
          if (got.ok && want.ok) expectAllClose(got.value.data, want.value.data, 0, 0);
          else if (!got.ok && !want.ok) expect(got.error.message).toBe(want.error.message);
        } else if (kind === "linear") {
          const layer = new Linear(a, b, { bias, generator: new Generator(1) });
          expectShape(layer.weight.shape, [b, a]);
          const x = sample([N, C, a === C ? a : H], 3);
          const got = attempt("linear", () => layer.forward(x));
          const want = attempt("linear", () => linear(x, layer.weight, layer.bias));
          expect(got.ok).toBe(want.ok);
          if (got.ok && want.ok) expectAllClose(got.value.data, want.value.data, 0, 0);
        } else {
          const op = kind === "avg" ? "avgPool2d" : "maxPool2d";
          const fits = 2 * p[0]! <= k[0]! && 2 * p[1]! <= k[1]!;
          const make = () => (kind === "avg" ? new AvgPool2d(kernel, { stride, padding }) : new MaxPool2d(kernel, { stride, padding }));
          const layer = attempt(kind === "avg" ? "AvgPool2d" : "MaxPool2d", make);
          expect(layer.ok).toBe(fits);
          if (!layer.ok) return;
          const x = sample([N, C, H, W], 4);
          const got = attempt(op, () => layer.value.forward(x));
          const want = attempt(op, () => (kind === "avg" ? avgPool2d : maxPool2d)(x, kernel, { stride, padding }));
          expect(got.ok).toBe(want.ok);
          if (got.ok && want.ok) expectAllClose(got.value.data, want.value.data, 0, 0);
        }
      }));

  fuzz("Sequential of random layers on random inputs: a result, or the failing layer's error", 300, 10_000,
    fc.property(
      fc.array(fc.constantFrom("relu", "sigmoid", "tanh", "flatten", "reshape", "linear", "conv", "avg", "max"), { minLength: 0, maxLength: 5 }),
      fc.array(dim(0, 4), { minLength: 0, maxLength: 4 }),
      fc.nat(),
      (kinds, shape, seed) => {
        const g = new Generator(seed);
        const layers = kinds.map((k): Module => {
          switch (k) {
            case "relu": return new ReLU();
            case "sigmoid": return new Sigmoid();
            case "tanh": return new Tanh();
            case "flatten": return new Flatten();
            case "reshape": return new Reshape(-1, 4);
            case "linear": return new Linear(4, 4, { generator: g });
            case "conv": return new Conv2d(shape[1] || 1, 2, { kernelSize: 2, padding: 1, generator: g });
            case "avg": return new AvgPool2d(2);
            default: return new MaxPool2d(2, { padding: 1 });
          }
        });
        const net = new Sequential(...layers);
        const x = sample(shape, seed, true);
        const ops = ["conv2d", "linear", "avgPool2d", "maxPool2d", "flatten", "reshape", "relu", "sigmoid", "tanh"];
        const r = attempt(ops, () => net.forward(x));
        // The same layers one by one: the same tensor, or the same error from the first layer that refuses.
        const stepwise = attempt(ops, () => layers.reduce((y, layer) => layer.forward(y), x));
        if (!stepwise.ok) {
          expect(r.ok, `Sequential accepted what ${stepwise.error.message.split(":")[0]} refuses one layer at a time`).toBe(false);
          if (!r.ok) expect(r.error.message).toBe(stepwise.error.message);
          return;
        }
        if (!r.ok) throw new Error(`Sequential refused what its layers accept one at a time: ${r.error.message}`);
        expect(allFinite(r.value.data)).toBe(true);
        expectShape(r.value.shape, stepwise.value.shape);
        expectAllClose(r.value.data, stepwise.value.data, 0, 0);
        if (layers.length === 0) expect(r.value).toBe(x);
      }));

  fuzz("CrossEntropyLoss.forward with random logits and junk labels", 300, 5000,
    fc.property(fc.tuple(dim(0, 3), dim(0, 4)), fc.oneof(fc.array(dim(-1, 4), { maxLength: 4 }), notNumbers), (shape, labels) => {
      const r = attempt("crossEntropy", () => new CrossEntropyLoss().forward(sample(shape, 1), labels as number[]));
      const valid = shape[0] > 0 && shape[1] > 0 && (Array.isArray(labels) || labels instanceof Int32Array) && labels.length === shape[0] && [...(labels as number[])].every((v) => Number.isInteger(v) && v >= 0 && v < shape[1]);
      expect(r.ok).toBe(valid);
    }));
});

function relu0(): void {}

// ---------------------------------------------------------------------------
// Optimizers

describe("fuzz: optimizers", () => {
  const lr = fc.oneof(fc.double({ min: 1e-4, max: 2, noNaN: true }), fc.constantFrom(0, -0.1, Number.NaN, Infinity, "0.1", null, 1e400), notNumbers);
  const unit = fc.oneof(fc.double({ min: 0, max: 0.99, noNaN: true }), fc.constantFrom(1, -0.1, 1.5, Number.NaN, Infinity, "0.9", null), notNumbers);

  fuzz("SGD/Adam options from plain JavaScript: refused with the value named, or one step matching the update rule", 600, 8000,
    fc.property(fc.constantFrom("SGD", "Adam"), fc.record({ lr, momentum: unit, weightDecay: fc.oneof(fc.constantFrom(0, 0.01), lr), eps: fc.oneof(fc.constantFrom(1e-8, 0), lr), betas: fc.oneof(fc.tuple(unit, unit), notNumbers) }, { requiredKeys: [] }), fc.boolean(), (kind, options, badParams) => {
      const p = sample([3], 7, true);
      p.grad = sample([3], 8);
      const theta = Float32Array.from(p.data), grad = Float32Array.from(p.grad.data);
      const params = badParams ? [p, "w" as unknown as Tensor] : [p];
      const r = attempt(kind, () => (kind === "SGD" ? new SGD(params, options as never) : new Adam(params, options as never)));
      const finite = (v: unknown, min: number, max: number) => typeof v === "number" && Number.isFinite(v) && v >= min && v < max;
      const o = options as Record<string, unknown>;
      const has = (k: string) => Object.hasOwn(o, k) && o[k] !== undefined && o[k] !== null; // null, like undefined, means the default
      const problems: unknown[] = [];
      // A key the optimizer does not take is refused first, by name (SGD has no eps or betas, Adam no momentum).
      const unknownKeys = Object.keys(o).filter((k) => (kind === "SGD" ? ["eps", "betas"] : ["momentum"]).includes(k));
      if (unknownKeys.length > 0) {
        expect(r.ok, `${kind}(${describeArgs(options)}) should be refused`).toBe(false);
        if (!r.ok) expect(r.error.message).toContain(`unknown option "${unknownKeys[0]}"`);
        return;
      }
      if (badParams) problems.push("w");
      if (kind === "Adam" && Object.hasOwn(o, "momentum")) problems.push("momentum"); // not an Adam option: refused, not ignored
      if (kind === "SGD") {
        if (!finite(o.lr, 0, Infinity)) problems.push(o.lr);
        if (has("momentum") && !finite(o.momentum, 0, 1)) problems.push(o.momentum);
        if (has("weightDecay") && !finite(o.weightDecay, 0, Infinity)) problems.push(o.weightDecay);
      } else {
        if (has("lr") && !finite(o.lr, 0, Infinity)) problems.push(o.lr);
        if (has("eps") && !finite(o.eps, 0, Infinity)) problems.push(o.eps);
        if (has("weightDecay") && !finite(o.weightDecay, 0, Infinity)) problems.push(o.weightDecay);
        if (has("betas")) {
          const b = o.betas;
          if (!Array.isArray(b) || b.length !== 2) problems.push(b);
          else for (const v of b) if (!finite(v, 0, 1)) problems.push(v);
        }
      }
      if (problems.length > 0) {
        expect(r.ok, `${kind}(${describeArgs(options)}) should be refused`).toBe(false);
        if (!r.ok) expectMentions(r.error, badParams ? "an array of length 2" : problems);
        return;
      }
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      r.value.step();
      const wd = (o.weightDecay as number | undefined) ?? 0;
      for (let i = 0; i < 3; i++) {
        const g = grad[i]! + wd * theta[i]!;
        let expected: number;
        if (kind === "SGD") expected = theta[i]! - (o.lr as number) * g;
        else {
          const [b1, b2] = (o.betas as [number, number] | undefined) ?? [0.9, 0.999];
          const m = (1 - b1) * g, s = (1 - b2) * g * g;
          expected = theta[i]! - ((((o.lr as number | undefined) ?? 1e-3) * (m / (1 - b1))) / (Math.sqrt(s / (1 - b2)) + ((o.eps as number | undefined) ?? 1e-8)));
        }
        expectAllClose([p.data[i]!], [Math.fround(expected)], 1e-5, 1e-6, `${kind} step`);
      }
    }));

  fuzz("Optimizer.loadStateDict with one field of a valid state spoiled", 600, 8000,
    fc.property(fc.constantFrom("SGD", "Adam"), fc.constantFrom("step", "buffers", "list", "entry", "value", "none"), fc.oneof(notNumbers, badInts, fc.constantFrom(Number.NaN, Infinity, -1, 1.5)), fc.nat(), (kind, where, junk, pick) => {
      const params = [sample([2, 3], 1, true), sample([3], 2, true)];
      const make = () => (kind === "SGD" ? new SGD(params, { lr: 0.1, momentum: 0.9 }) : new Adam(params, { lr: 0.01 }));
      const source = make();
      for (const p of params) p.grad = sample([...p.shape], 3);
      source.step();
      source.step();
      const state = source.stateDict() as { step: unknown; buffers: Record<string, unknown> };
      const names = Object.keys(state.buffers);
      const name = names[pick % names.length]!;
      const list = state.buffers[name] as unknown[];
      const index = pick % list.length;
      switch (where) {
        case "step": state.step = junk; break;
        case "buffers": state.buffers = junk as Record<string, unknown>; break;
        case "list": state.buffers[name] = junk; break;
        case "entry": list[index] = junk; break;
        case "value": (list[index] as Float32Array)[0] = typeof junk === "number" ? junk : Number.NaN; break;
      }
      const target = make();
      const before = JSON.stringify(target.stateDict(), (_, v) => (v instanceof Float32Array ? Array.from(v) : v));
      const op = `${kind}.loadStateDict`;
      const r = attempt(op, () => target.loadStateDict(state as OptimizerState));
      // A value that cannot come from training: not finite, a negative second moment, a fractional or negative step count.
      const value = Math.fround(typeof junk === "number" ? junk : Number.NaN); // what the Float32Array holds
      const impossibleValue = !Number.isFinite(value) || (kind === "Adam" && name === "s" && value < 0) || (kind === "Adam" && name === "step" && (value < 0 || !Number.isInteger(value)));
      const shouldFail = where === "step" ? !(typeof junk === "number" && Number.isInteger(junk) && junk >= 0)
        : where === "none" ? false
        : where === "value" ? impossibleValue
        : true;
      if (!shouldFail) {
        expect(r.ok, r.ok ? "" : r.error.message).toBe(true);
        return;
      }
      expect(r.ok, `${where} = ${String(junk)} should be refused`).toBe(false);
      // a refused state changes nothing
      expect(JSON.stringify(target.stateDict(), (_, v) => (v instanceof Float32Array ? Array.from(v) : v))).toBe(before);
      if (!r.ok && (where === "list" || where === "entry" || where === "value")) expect(r.error.message).toContain(`"${name}"`);
    }));
});

// ---------------------------------------------------------------------------
// Module.loadStateDict

describe("fuzz: Module.loadStateDict", () => {
  fuzz("random state dicts: loaded entirely, or refused naming the entry and changing nothing", 500, 8000,
    fc.property(
      fc.constantFrom("ok", "missing", "extra", "shape", "junk", "nan"),
      fc.boolean(),
      fc.oneof(notTensors, fc.constant(zeros(7))),
      fc.nat(),
      (how, strict, junk, pick) => {
        const net = new Sequential(new Linear(3, 4, { generator: new Generator(1) }), new ReLU(), new Linear(4, 2, { generator: new Generator(2) }));
        const source = new Sequential(new Linear(3, 4, { generator: new Generator(3) }), new ReLU(), new Linear(4, 2, { generator: new Generator(4) }));
        const state: Record<string, unknown> = { ...source.stateDict() };
        const names = Object.keys(state);
        const name = names[pick % names.length]!;
        if (how === "missing") delete state[name];
        else if (how === "extra") state["9.weight"] = zeros(1);
        else if (how === "shape") state[name] = zeros(...(state[name] as Tensor).shape, 1);
        else if (how === "junk") state[name] = junk;
        else if (how === "nan") (state[name] as Tensor).data[0] = Number.NaN;
        const before = net.parameters().map((p) => Array.from(p.data));
        const r = attempt("Sequential.loadStateDict", () => net.loadStateDict(state as never, { strict }));
        const ok = how === "ok" || how === "nan" || (!strict && (how === "missing" || how === "extra"));
        expect(r.ok, r.ok ? "" : r.error.message).toBe(ok);
        if (ok) {
          for (const [n, p] of net.namedParameters()) if (n in state) expect(Array.from(p.data)).toEqual(Array.from((state[n] as Tensor).data));
          return;
        }
        expect(net.parameters().map((p) => Array.from(p.data))).toEqual(before);
        if (!r.ok) expect(r.error.message).toContain(how === "extra" ? '"9.weight"' : `"${name}"`);
      }));

  fuzz("loadStateDict given something that is not a state dict", 100, 3000,
    fc.property(fc.oneof(notNumbers, fc.constant(new Map())), fc.option(notOptions, { nil: undefined }), (state, options) => {
      const net = new Linear(2, 2);
      const r = attempt("Linear.loadStateDict", () => net.loadStateDict(state as never, options as never));
      expect(r.ok).toBe(false);
    }));
});

// ---------------------------------------------------------------------------
// DataLoader

describe("fuzz: DataLoader", () => {
  fuzz("random datasets and options: every example exactly once per epoch, or a clear refusal", 500, 10_000,
    fc.property(
      dim(0, 12),
      fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 2, arbitrary: fc.array(dim(0, 3), { maxLength: 3 }) as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: fc.oneof(notNumbers, fc.constant([-1]), fc.constant([2 ** 31])) }),
      fc.record({ batchSize: fc.oneof({ weight: 4, arbitrary: dim(1, 5) }, { weight: 1, arbitrary: notIntAtLeast(1) }), shuffle: fc.boolean(), dropLast: fc.boolean(), generator: fc.oneof({ weight: 4, arbitrary: fc.constant(new Generator(5) as unknown) }, { weight: 1, arbitrary: notNumbers }) }, { requiredKeys: [] }),
      fc.oneof({ weight: 8, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: dim(1, 3) }, { weight: 1, arbitrary: notNumbers }),
      fc.nat({ max: 6 }),
      (count, sampleShape, options, spoil, startBatch) => {
        const size = Array.isArray(sampleShape) && sampleShape.every((d) => isInt(d, 0)) ? numel(sampleShape as number[]) : 2;
        const images = Float32Array.from({ length: count * size + (spoil === 1 ? 1 : 0) }, (_, i) => i);
        const labels = Int32Array.from({ length: count + (spoil === 2 ? 1 : 0) }, (_, i) => i);
        const data = spoil === 3 ? { images: Array.from(images), labels, count } : typeof spoil !== "number" ? spoil : { images, labels, count, ...(sampleShape === undefined ? {} : { sampleShape }) };
        const o = options as Record<string, unknown>;
        const r = attempt("DataLoader", () => new DataLoader(data as never, options as never));
        const badShape = sampleShape !== undefined && !(Array.isArray(sampleShape) && sampleShape.every((d) => isInt(d, 0)));
        const badBatch = Object.hasOwn(o, "batchSize") && o.batchSize !== undefined && o.batchSize !== null && !isInt(o.batchSize, 1);
        const badGenerator = Object.hasOwn(o, "generator") && o.generator !== undefined && o.generator !== null && !(o.generator instanceof Generator);
        // One extra pixel is harmless when no sampleShape is given and the pixels still split evenly
        // into `count` samples (count 1: a single sample of 2·1 + 1 pixels).
        const stillSplits = spoil === 1 && sampleShape === undefined && count > 0 && images.length % count === 0;
        const badData = typeof spoil !== "number" || spoil === 3 || spoil === 2 || (spoil === 1 && !stillSplits);
        if (badShape || badBatch || badGenerator || badData) {
          expect(r.ok, `DataLoader(${describeArgs(count, sampleShape, spoil, options)}) should be refused`).toBe(false);
          return;
        }
        expect(r.ok, r.ok ? "" : r.error.message).toBe(true);
        if (!r.ok) return;
        const loader = r.value;
        const batchSize = (o.batchSize as number | undefined) ?? 1;
        const seen: number[] = [];
        for (const [x, y] of loader) {
          expect(x.shape[0]).toBe(y.length);
          expect(y.length <= batchSize).toBe(true);
          if (o.dropLast === true) expect(y.length).toBe(batchSize);
          seen.push(...y);
        }
        const expectedCount = o.dropLast === true ? Math.floor(count / batchSize) * batchSize : count;
        expect(seen.length).toBe(expectedCount);
        expect(new Set(seen).size).toBe(seen.length);
        expect(loader.length).toBe(Math.ceil(expectedCount / batchSize));
        // batchesInto from a start batch: the tail of the same epoch
        const x = new Float32Array(batchSize * (stillSplits ? images.length / count : size)), yb = new Int32Array(batchSize);
        const tail = attempt("DataLoader.batchesInto", () => [...loader.batchesInto(x, yb, startBatch)]);
        expect(tail.ok).toBe(true);
        if (tail.ok) expect(tail.value.reduce((a, b) => a + b, 0)).toBe(Math.max(0, expectedCount - startBatch * batchSize));
      }));

  fuzz("batchesInto with junk buffers and start batches", 300, 5000,
    fc.property(fc.oneof(fc.constant(new Float32Array(8) as unknown), fc.constant(new Float32Array(1)), notTensors), fc.oneof(fc.constant(new Int32Array(4) as unknown), fc.constant(new Int32Array(1)), notNumbers), fc.oneof(dim(0, 5), notIntAtLeast(0)), (x, y, start) => {
      const loader = new DataLoader({ images: new Float32Array(20), labels: new Int32Array(10), count: 10 }, { batchSize: 4 });
      const r = attempt("DataLoader.batchesInto", () => [...loader.batchesInto(x as Float32Array, y as Int32Array, start as number)]);
      const valid = x instanceof Float32Array && x.length >= 8 && y instanceof Int32Array && y.length >= 4 && (start === undefined || isInt(start, 0));
      expect(r.ok, r.ok ? `accepted ${describeArgs(x, y, start)}` : r.error.message).toBe(valid);
    }));
});

function describeArgs(...args: unknown[]): string {
  const safe = (_: string, v: unknown) => (typeof v === "bigint" || typeof v === "symbol" || typeof v === "function" ? String(v) : ArrayBuffer.isView(v) ? `${v.constructor.name}(${(v as Float32Array).length})` : v);
  return args.map((a) => JSON.stringify(a, safe) ?? String(a)).join(", ");
}

// ---------------------------------------------------------------------------
// Plan

describe("fuzz: Plan", () => {
  const net = () => new Sequential(new Reshape(-1, 1, 4, 4), new Conv2d(1, 2, { kernelSize: 3, padding: 1, generator: new Generator(1) }), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(8, 3, { generator: new Generator(2) }));

  fuzz("Plan options from plain JavaScript", 300, 8000,
    fc.property(fc.oneof({ weight: 3, arbitrary: dim(1, 8) as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: notIntAtLeast(1) }), fc.oneof({ weight: 3, arbitrary: fc.constant([16] as unknown) }, { weight: 1, arbitrary: fc.oneof(notNumbers, fc.constant([15]), fc.constant([2 ** 20, 2 ** 20]), fc.constant([1, 4, 4])) }), fc.boolean(), (batchSize, sampleShape, badNet) => {
      const r = attempt(["Plan", "conv2d", "reshape", "linear"], () => new Plan(badNet ? (new Linear(2, 2) as never) : net(), { batchSize, sampleShape } as never));
      const valid = !badNet && isInt(batchSize, 1) && (Array.isArray(sampleShape) && (numel(sampleShape) === 16));
      expect(r.ok, r.ok ? `accepted ${describeArgs(batchSize, sampleShape, badNet)}` : r.error.message).toBe(valid);
      if (r.ok) r.value.dispose();
    }));

  fuzz("trainStep with random batch sizes and labels: the eager loss and update, or a refusal that changes nothing", 300, 10_000,
    fc.property(dim(1, 6), fc.oneof(dim(1, 6) as fc.Arbitrary<unknown>, notIntAtLeast(1)), fc.array(fc.integer({ min: -1, max: 3 }), { minLength: 6, maxLength: 6 }), fc.nat(), (batchSize, n, labels, seed) => {
      const a = net(), b = net();
      const plan = new Plan(a, { batchSize, sampleShape: [16] });
      const x = sample([batchSize, 16], seed);
      plan.input.set(x.data);
      plan.labels.set(labels.slice(0, batchSize));
      const before = a.parameters().map((p) => Float32Array.from(p.data));
      const r = attempt(["Plan", "train"], () => plan.trainStep(new SGD(a.parameters(), { lr: 0.1 }), n as number));
      const rows = n === undefined ? batchSize : typeof n === "number" ? n : 0;
      const valid = (n === undefined || isInt(n, 1)) && rows <= batchSize && labels.slice(0, rows).every((v) => v >= 0 && v < 3);
      expect(r.ok, r.ok ? `accepted n=${describeArgs(n)} labels ${labels.slice(0, rows)}` : r.error.message).toBe(valid);
      if (!r.ok) {
        a.parameters().forEach((p, i) => expect(Array.from(p.data)).toEqual(Array.from(before[i]!)));
        if ((n === undefined || isInt(n, 1)) && rows <= batchSize) expectMentions(r.error, labels.slice(0, rows).find((v) => v < 0 || v >= 3));
        plan.dispose();
        return;
      }
      // the eager path on the same rows gives the same loss and the same updated weights
      const xs = new Tensor(x.data.slice(0, rows * 16), [rows, 16]);
      const optimizer = new SGD(b.parameters(), { lr: 0.1 });
      optimizer.zeroGrad();
      const loss = crossEntropy(b.forward(xs), labels.slice(0, rows));
      loss.backward();
      optimizer.step();
      expect(r.value.loss).toBe(loss.item());
      a.parameters().forEach((p, i) => expectAllClose(p.data, b.parameters()[i]!.data, 0, 0, "updated weights"));
      noGrad(() => plan.dispose());
    }));
});
