// Parity with PyTorch: torchlet's forward outputs and gradients against the
// values PyTorch 1.13 computed (float32, autograd) for the same seeded inputs.
// No Python needed: the fixtures are committed. Regenerate them with
//   /usr/bin/python3 test/parity/make_fixtures.py
// (see that script for what each file holds).
//
// Tolerances, for every tensor compared (a = torchlet, b = PyTorch):
//   close: ‖a − b‖ / max(‖a‖, ‖b‖) ≤ 1e-4 and |a − b| ≤ 1e-5 + 1e-4·|b| elementwise
//   exact: ‖a − b‖ / max(‖a‖, ‖b‖) ≤ 1e-5 and |a − b| ≤ 1e-5·|b| elementwise, for ops
//          that only select or route values (relu, maxPool2d's forward and gradient):
//          equal up to the rounding of float32 sums where windows overlap.
// Set TORCHLET_PARITY_REPORT=1 to print the worst relative error per op.

import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Tensor } from "../../src/tensor/tensor.js";
import { conv2d, type Conv2dOptions } from "../../src/ops/conv2d.js";
import { Conv2d, type Conv2dLayerOptions } from "../../src/nn/conv.js";
import { avgPool2d } from "../../src/ops/avgpool2d.js";
import type { Pool2dOptions } from "../../src/ops/window.js";
import { maxPool2d } from "../../src/ops/maxpool2d.js";
import { linear } from "../../src/ops/linear.js";
import { sigmoid } from "../../src/ops/sigmoid.js";
import { relu } from "../../src/ops/relu.js";
import { tanh } from "../../src/ops/tanh.js";
import { crossEntropy } from "../../src/ops/cross-entropy.js";
import { softmax, logSoftmax } from "../../src/ops/softmax.js";
import { sum, mean } from "../../src/ops/reduce.js";
import { max, argmax } from "../../src/ops/max.js";
import { nllLoss } from "../../src/ops/nll-loss.js";
import type { CrossEntropyOptions } from "../../src/ops/loss-options.js";
import { deserialize, type SafetensorsContents } from "../../src/io/safetensors.js";
import { lenet } from "../../src/lenet/models.js";
import { loadBundledMnist } from "../../src/data/files.js";
import type { Size2 } from "../../src/ops/window.js";
import { binaryCrossEntropyWithLogits, l1Loss, mseLoss, type Reduction } from "../../src/ops/index.js"; // nnkit
import { BatchNorm1d, BatchNorm2d, Sequential as NnkitSequential, Linear as NnkitLinear } from "../../src/nn/index.js"; // nnkit
import { expectAllClose, relativeError } from "../helpers/close.js";
// broadcasting and elementwise math (issue 14)
import { add, sub, mul, div } from "../../src/ops/elementwise.js";
import { exp, log, sqrt, abs, neg } from "../../src/ops/math.js";
import { pow } from "../../src/ops/pow.js";
import { clamp, maximum, minimum } from "../../src/ops/clamp.js";
import { eq, ne, lt, le, gt, ge, where } from "../../src/ops/compare.js";
import { cat, flatten, gather, indexSelect, narrow, permute, reshape, slice, squeeze, stack, transpose, unsqueeze, view, type Index } from "../../src/ops/index.js"; // shape and indexing (issue 14)
import { reverseDims } from "../../src/ops/permute.js";
import { maxUnpool2d } from "../../src/ops/maxunpool2d.js"; // branch pool
import { adaptiveAvgPool2d, type AdaptiveSize } from "../../src/ops/adaptive-avgpool2d.js"; // branch pool

const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));

type Tolerance = "close" | "exact";

/** Worst relative error seen per op and quantity ("conv2d grad.w"), for the optional report. */
const worst = new Map<string, { error: number; fixture: string }>();

interface Fixture extends SafetensorsContents {
  file: string;
  op: string;
  options: Record<string, unknown>;
  /** The op's tensor arguments, in call order. */
  inputs: string[];
}

function readFixture(file: string): Fixture {
  const path = join(FIXTURES, file);
  const contents = deserialize(new Uint8Array(readFileSync(path)), path);
  const { op, options, inputs } = contents.metadata;
  if (op === undefined || options === undefined || inputs === undefined) {
    throw new Error(`${file}: __metadata__ must hold op, options and inputs, got ${JSON.stringify(contents.metadata)}`);
  }
  return { ...contents, file, op, options: JSON.parse(options) as Record<string, unknown>, inputs: JSON.parse(inputs) as string[] };
}

/** The tensor `name` of the fixture; fails the test clearly when it is missing. */
function get(fixture: Fixture, name: string): Tensor {
  const t = fixture.tensors[name];
  if (t === undefined) throw new Error(`${fixture.file} has no tensor "${name}"; it has ${Object.keys(fixture.tensors).join(", ")}`);
  return t;
}

/** A fresh leaf copy of the fixture's input `name` that records gradients. */
function leaf(fixture: Fixture, name: string): Tensor {
  const t = get(fixture, name);
  return new Tensor(Float32Array.from(t.data), t.shape, { requiresGrad: true });
}

function labelsOf(t: Tensor): Int32Array {
  return Int32Array.from(t.data);
}

/** Asserts torchlet's `actual` matches PyTorch's `expected` (shape, norm error, elementwise) and records the error. */
function expectMatch(fixture: Fixture, what: string, actual: Tensor | null, expected: Tensor, tolerance: Tolerance): number {
  const label = `${fixture.file}: ${what}`;
  expect(actual, `${label}: torchlet produced nothing`).not.toBeNull();
  if (MATH_OPS.has(fixture.op)) [actual, expected] = finitePart(label, actual!, expected); // math: NaN and ±Infinity must match exactly
  const a = actual!;
  expect([...a.shape], `${label}: shape`).toEqual([...expected.shape]);
  const [maxRel, rtol, atol] = tolerance === "exact" ? [1e-5, 1e-5, 0] : [1e-4, 1e-4, 1e-5];
  const error = relativeError(a.data, expected.data);
  const key = `${fixture.op} ${what}`;
  const previous = worst.get(key);
  if (previous === undefined || error > previous.error) worst.set(key, { error, fixture: fixture.file });

  expectAllClose(a.data, expected.data, rtol, atol, `${label}: torchlet (actual) vs PyTorch (expected)`, { requireFinite: true });
  expect(error, `${label}: relative error ‖a−b‖/max(‖a‖,‖b‖)`).toBeLessThanOrEqual(maxRel);
  return error;
}

// ---- shape and indexing (issue 14, branch shape) ----------------------------------
// Each op from the options make_fixtures.py wrote (an index travels there) and the inputs in call order.
type ShapeOptions = { shape: number[]; startDim: number; endDim: number; dim: number; dims: number[]; dim0: number; dim1: number; start: number | null; end: number | null; step: number; length: number; index: Index };
const SHAPE_FIXTURE_OPS: Record<string, (o: ShapeOptions, inputs: Tensor[]) => Tensor> = {
  reshape: (o, [x]) => reshape(x!, o.shape),
  view: (o, [x]) => view(x!, o.shape),
  flatten: (o, [x]) => flatten(x!, o.startDim, o.endDim),
  unsqueeze: (o, [x]) => unsqueeze(x!, o.dim),
  squeeze: (o, [x]) => squeeze(x!, o.dim),
  transpose: (o, [x]) => transpose(x!, o.dim0, o.dim1),
  T: (_, [x]) => reverseDims(x!),
  permute: (o, [x]) => permute(x!, o.dims),
  cat: (o, xs) => cat(xs, o.dim),
  stack: (o, xs) => stack(xs, o.dim),
  narrow: (o, [x]) => narrow(x!, o.dim, o.start!, o.length),
  slice: (o, [x]) => slice(x!, o.dim, o.start, o.end, o.step),
  indexSelect: (o, [x]) => indexSelect(x!, o.dim, o.index),
  gather: (o, [x]) => gather(x!, o.dim, o.index),
};
/** Fixtures per shape op; the ops that only move values are compared exactly (indexSelect and gather sum repeated picks in their gradients, so closely). */
const SHAPE_MINIMUM: Record<string, number> = { reshape: 1, view: 1, flatten: 1, unsqueeze: 1, squeeze: 2, transpose: 2, T: 1, permute: 2, cat: 2, stack: 2, narrow: 1, slice: 2, indexSelect: 2, gather: 2 };
const SHAPE_EXACT = Object.keys(SHAPE_FIXTURE_OPS).filter((op) => op !== "indexSelect" && op !== "gather");
// ---- end of shape and indexing ---------------------------------------------------

/** Runs the fixture's op in torchlet: the output y, and the leaves whose .grad backward fills. */
function runOp(fixture: Fixture): { y: Tensor; leaves: Record<string, Tensor> } {
  const o = fixture.options;
  const leaves: Record<string, Tensor> = {};
  for (const name of fixture.inputs) if (name !== "labels") leaves[name] = leaf(fixture, name);
  const shapeOp = SHAPE_FIXTURE_OPS[fixture.op]; // shape and indexing (issue 14)
  if (shapeOp !== undefined) return { y: shapeOp(o as ShapeOptions, fixture.inputs.map((name) => leaves[name]!)), leaves };
  const x = leaves.x!;
  const { kernelSize, ...poolOptions } = o; // pooling takes the kernel size as its own argument, and refuses it among the options
  if (MATH_OPS.has(fixture.op)) return runMathOp(fixture, leaves); // broadcasting and elementwise math (issue 14)
  switch (fixture.op) {
    case "conv2d":
      if ("paddingMode" in o) return conv2dLayer(fixture, leaves);
      return { y: conv2d(x, leaves.w!, leaves.b ?? null, o as Conv2dOptions), leaves };
    case "avgPool2d":
      return { y: avgPool2d(x, kernelSize as Size2, poolOptions as Pool2dOptions), leaves };
    case "maxPool2d":
      return { y: maxPool2d(x, kernelSize as Size2, poolOptions as Pool2dOptions), leaves };
    case "linear":
      return { y: linear(x, leaves.w!, leaves.b ?? null), leaves };
    case "sigmoid":
      return { y: sigmoid(x), leaves };
    case "relu":
      return { y: relu(x), leaves };
    case "tanh":
      return { y: tanh(x), leaves };
    case "crossEntropy": // class-index labels, or probabilities: the leaf "target" (reduce helper's cases)
      return { y: crossEntropy(leaves.logits!, leaves.target ?? get(fixture, "labels"), lossOptions(fixture)), leaves };
    // reduce helper's cases (reduce_*.safetensors)
    case "softmax":
      return { y: softmax(x, o.dim as number), leaves };
    case "logSoftmax":
      return { y: logSoftmax(x, o.dim as number), leaves };
    case "sum":
      return { y: sum(x, o.dim as number | number[] | undefined, o.keepdim as boolean | undefined), leaves };
    case "mean":
      return { y: mean(x, o.dim as number | number[] | undefined, o.keepdim as boolean | undefined), leaves };
    case "max":
      return { y: maxAndIndices(fixture, x), leaves };
    case "nllLoss":
      return { y: nllLoss(x, get(fixture, "labels"), lossOptions(fixture)), leaves };
    // ---- branch pool: pooling options (make_fixtures.py, "pooling options") ----
    case "maxPoolUnpool2d": {
      const [values, indices] = maxPool2d(x, kernelSize as Size2, { ...(poolOptions as Pool2dOptions), returnIndices: true });
      const unpoolOptions = { ...("stride" in poolOptions ? { stride: poolOptions.stride as Size2 } : {}), ...("padding" in poolOptions ? { padding: poolOptions.padding as Size2 } : {}) };
      return { y: maxUnpool2d(values, indices, kernelSize as Size2, { ...unpoolOptions, outputSize: x.shape.slice(-2) }), leaves };
    }
    case "adaptiveAvgPool2d":
      return { y: adaptiveAvgPool2d(x, o.outputSize as AdaptiveSize), leaves };
    // ---- end of branch pool ----
    case "mseLoss": // nnkit
    case "l1Loss":
    case "binaryCrossEntropyWithLogits":
      return { y: nnkitLoss(fixture, leaves), leaves };
    default:
      throw new Error(`${fixture.file}: unknown op "${fixture.op}"`);
  }
}

/** reduce helper: a loss's options as torchlet spells them; {"weight": true} reads the fixture's "weight" tensor. */
function lossOptions(fixture: Fixture): CrossEntropyOptions {
  const { weight, ...rest } = fixture.options as CrossEntropyOptions & { weight?: boolean };
  return weight === true ? { ...rest, weight: get(fixture, "weight") } : rest;
}

/** reduce helper: max(x) or max(x, dim, keepdim); over a dim the indices are checked here, exactly. */
function maxAndIndices(fixture: Fixture, x: Tensor): Tensor {
  const { dim, keepdim } = fixture.options as { dim?: number; keepdim?: boolean };
  if (dim === undefined) return max(x);
  const [values, indices] = max(x, dim, keepdim);
  expectMatch(fixture, "indices", indices, get(fixture, "indices"), "exact");
  return values;
}
// ---- conv2d options (issue 13) ----
// A paddingMode is nn.Conv2d's option: the fixture's weights go into a Conv2d layer, whose parameters
// then stand in for the leaves w and b (their .grad is what backward fills).
function conv2dLayer(fixture: Fixture, leaves: Record<string, Tensor>): { y: Tensor; leaves: Record<string, Tensor> } {
  const w = leaves.w!, b = leaves.b;
  const [K, Cg, kH, kW] = w.shape as [number, number, number, number];
  const options = { ...(fixture.options as Conv2dLayerOptions), kernelSize: [kH, kW] as [number, number], bias: b !== undefined };
  const layer = new Conv2d(Cg * (options.groups ?? 1), K, options);
  layer.weight.data.set(w.data);
  if (b !== undefined) layer.bias!.data.set(b.data);
  return { y: layer.forward(leaves.x!), leaves: { x: leaves.x!, w: layer.weight, ...(b === undefined ? {} : { b: layer.bias! }) } };
}
// ---- end conv2d options ----

/** Ops that only select or route values: compared almost bit for bit. */
const EXACT_OPS = new Set(["relu", "maxPool2d"]);
for (const op of SHAPE_EXACT) EXACT_OPS.add(op); // shape and indexing (issue 14)

const files = readdirSync(FIXTURES).filter((f) => f.endsWith(".safetensors")).sort();
// reduce helper: reduce_own_* fixtures (argmax, NaN) are checked by their own block below, and these ops must have fixtures
const REDUCE_OWN = /^reduce_own_/;
const REDUCE_MINIMUM = { softmax: 4, logSoftmax: 4, sum: 4, mean: 3, max: 4, argmax: 3, nllLoss: 4, crossEntropy: 25 };
const opFixtures = files.filter((f) => f !== "lenet.safetensors" && !REDUCE_OWN.test(f) && !f.startsWith("nan_") && !isNnkitOwnFixture(f)); // nan_*: not finite, checked below (branch pool)

describe("PyTorch parity fixtures", () => {
  it("cover every op, with the cases make_fixtures.py writes", () => {
    const byOp = new Map<string, string[]>();
    for (const file of files) {
      const { op } = readFixture(file);
      byOp.set(op, [...(byOp.get(op) ?? []), file]);
    }
    const minimum: Record<string, number> = { conv2d: 8, avgPool2d: 5, maxPool2d: 8, linear: 4, sigmoid: 1, relu: 1, tanh: 1, crossEntropy: 5, lenet: 1 };
    Object.assign(minimum, REDUCE_MINIMUM);
    Object.assign(minimum, MATH_MINIMUM); // broadcasting and elementwise math (issue 14)
    Object.assign(minimum, SHAPE_MINIMUM); // shape and indexing (issue 14)
    Object.assign(minimum, { maxPoolUnpool2d: 2, adaptiveAvgPool2d: 4 }); // branch pool
    Object.assign(minimum, nnkitMinimum()); // nnkit
    for (const [op, count] of Object.entries(minimum)) {
      expect(byOp.get(op)?.length ?? 0, `fixtures for ${op} (run /usr/bin/python3 test/parity/make_fixtures.py)`).toBeGreaterThanOrEqual(count);
    }
    expect([...byOp.keys()].sort()).toEqual(Object.keys(minimum).sort());
  });

  // lenet.safetensors is 547 KB of it; the op cases a few KB each. They are not in the npm package ("files").
  it("stay small (under 1.5 MB in total)", () => {
    const total = files.reduce((n, f) => n + readFileSync(join(FIXTURES, f)).length, 0);
    expect(total).toBeLessThan(1_500_000);
  });
});

describe.each(opFixtures)("%s", (file) => {
  it("matches PyTorch's output and gradients", () => {
    const fixture = readFixture(file);
    const tolerance: Tolerance = EXACT_OPS.has(fixture.op) ? "exact" : "close";
    const { y, leaves } = runOp(fixture);
    expectMatch(fixture, "y", y, get(fixture, "y"), tolerance);
    y.backward(get(fixture, "dy"));
    const names = Object.keys(leaves);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expectMatch(fixture, `grad.${name}`, leaves[name]!.grad, get(fixture, `grad.${name}`), tolerance);
    // every gradient PyTorch saved was checked
    const saved = Object.keys(fixture.tensors).filter((k) => k.startsWith("grad.")).sort();
    expect(saved).toEqual(names.map((n) => `grad.${n}`).sort());
  });
});

// reduce helper: argmax (no gradient) and NaN cases, where PyTorch's NaNs must come out as NaNs in the same places.
describe.each(files.filter((f) => REDUCE_OWN.test(f)))("%s", (file) => {
  /** a and b equal where b is NaN (NaN there too) and within 1e-6 elsewhere. */
  const expectSameNaNs = (what: string, a: Tensor | null, b: Tensor): void => {
    expect(a, `${file}: ${what}`).not.toBeNull();
    expect([...a!.shape], `${file}: ${what} shape`).toEqual([...b.shape]);
    for (let k = 0; k < b.numel; k++) {
      const [got, want] = [a!.data[k]!, b.data[k]!];
      if (Number.isNaN(want)) expect(got, `${file}: ${what}[${k}] (PyTorch: NaN)`).toBeNaN();
      else expect(Math.abs(got - want), `${file}: ${what}[${k}] = ${got}, PyTorch ${want}`).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(want)));
    }
  };

  it("matches PyTorch, NaNs included", () => {
    const fixture = readFixture(file);
    const x = leaf(fixture, "x");
    const { dim, keepdim } = fixture.options as { dim?: number; keepdim?: boolean };
    if (fixture.op === "argmax") {
      expectSameNaNs("y", argmax(x, dim, keepdim), get(fixture, "y"));
      expect(Object.keys(fixture.tensors).filter((k) => k.startsWith("grad."))).toEqual([]);
      return;
    }
    const y = fixture.op === "relu" ? relu(x) : fixture.op === "softmax" ? softmax(x, dim) : maxAndIndices(fixture, x);
    expectSameNaNs("y", y, get(fixture, "y"));
    y.backward(get(fixture, "dy"));
    expectSameNaNs("grad.x", x.grad, get(fixture, "grad.x"));
  });
});

describe("d2l LeNet on 16 real MNIST digits (lenet.safetensors)", () => {
  it("gives PyTorch's logits, loss and all ten parameter gradients", () => {
    const fixture = readFixture("lenet.safetensors");
    const names = JSON.parse(fixture.metadata.parameters!) as string[];
    const net = lenet();
    // same names, same order as PyTorch's state_dict()
    expect(net.namedParameters().map(([n]) => n)).toEqual(names);
    expect(names).toHaveLength(10);
    net.loadStateDict(Object.fromEntries(names.map((n) => [n, get(fixture, n)])));

    // the images are the first 16 of torchlet's own bundled-MNIST test split, bit for bit
    const images = get(fixture, "images");
    const labels = labelsOf(get(fixture, "labels"));
    const test = loadBundledMnist().test;
    expect([...images.shape]).toEqual([16, 1, 28, 28]);
    expect(images.data).toEqual(test.images.subarray(0, 16 * 784));
    expect(labels).toEqual(test.labels.subarray(0, 16));

    const logits = net.forward(images);
    const loss = crossEntropy(logits, labels);
    expectMatch(fixture, "logits", logits, get(fixture, "logits"), "close");
    expectMatch(fixture, "loss", loss, get(fixture, "loss"), "close");
    loss.backward();
    for (const [name, p] of net.namedParameters()) expectMatch(fixture, `grad.${name}`, p.grad, get(fixture, `grad.${name}`), "close");
  });
});

// ---- broadcasting and elementwise math (issue 14) --------------------------------
// Files math_<op>_<case>: a number argument is in the options under its name
// ({ other: 2.5 }); clamp's bounds are options; a comparison <cmp> is checked
// through where(<cmp>(input, other), input, other), whose gradients show its 0/1
// result; where's condition c enters as gt(c, 0) and gets no gradient.

const MATH_MINIMUM: Record<string, number> = {
  add: 7, sub: 7, mul: 7, div: 7, exp: 2, log: 2, sqrt: 2, abs: 2, neg: 2, pow: 10, clamp: 4, maximum: 3, minimum: 3, where: 3,
  eq: 2, ne: 2, lt: 2, le: 2, gt: 2, ge: 2,
};
const MATH_OPS = new Set(Object.keys(MATH_MINIMUM));

/** Asserts NaN and ±Infinity sit at the same places with the same values; returns the finite rest of each, for the usual comparison. */
function finitePart(label: string, actual: Tensor, expected: Tensor): [Tensor, Tensor] {
  expect([...actual.shape], `${label}: shape`).toEqual([...expected.shape]);
  const keep: number[] = [];
  for (let i = 0; i < expected.numel; i++) {
    const [a, e] = [actual.data[i]!, expected.data[i]!];
    if (Number.isFinite(a) && Number.isFinite(e)) keep.push(i);
    else expect(a, `${label}: element ${i} (PyTorch ${e})`).toBe(e); // toBe: NaN is NaN, ∞ is ∞
  }
  const pick = (t: Tensor): Tensor => new Tensor(Float32Array.from(keep, (i) => t.data[i]!), [keep.length]);
  return [pick(actual), pick(expected)];
}

function runMathOp(fixture: Fixture, leaves: Record<string, Tensor>): { y: Tensor; leaves: Record<string, Tensor> } {
  const o = fixture.options as { input?: number; other?: number; exponent?: number; min?: number; max?: number };
  const input = o.input ?? leaves.input!, other = o.other ?? leaves.other!;
  const binary = { add, sub, mul, div, maximum, minimum } as Record<string, (a: Tensor | number, b: Tensor | number) => Tensor>;
  const unary = { exp, log, sqrt, abs, neg } as Record<string, (x: Tensor) => Tensor>;
  const comparisons = { eq, ne, lt, le, gt, ge } as Record<string, (a: Tensor, b: Tensor | number) => Tensor>;
  const op = fixture.op;
  if (op in binary) return { y: binary[op]!(input, other), leaves };
  if (op in unary) return { y: unary[op]!(leaves.input!), leaves };
  if (op in comparisons) return { y: where(comparisons[op]!(input as Tensor, other), input, other), leaves };
  if (op === "pow") return { y: pow(input, o.exponent ?? leaves.exponent!), leaves };
  if (op === "clamp") return { y: clamp(leaves.input!, o.min, o.max), leaves };
  const { condition, ...picked } = leaves; // where: the condition gets no gradient
  return { y: where(gt(condition!, 0), input, other), leaves: picked };
}

// ---- end of broadcasting and elementwise math ------------------------------------
// ---- branch pool: the pooling's indices, and max pooling over windows holding NaN ----
describe("pooling indices and NaN windows match PyTorch's (branch pool)", () => {
  const withIndices = files.filter((f) => f.startsWith("maxPoolUnpool2d_") || f.startsWith("nan_maxPool2d_"));

  it("covers both kinds", () => {
    expect(withIndices.filter((f) => f.startsWith("nan_")).length).toBeGreaterThanOrEqual(2);
    expect(withIndices.length).toBeGreaterThanOrEqual(4);
  });

  it.each(withIndices)("%s: returnIndices gives PyTorch's indices (int64 there, exact float32 here)", (file) => {
    const fixture = readFixture(file);
    const { kernelSize, returnIndices: _, ...options } = fixture.options;
    const [, indices] = maxPool2d(get(fixture, "x"), kernelSize as Size2, { ...(options as Pool2dOptions), returnIndices: true });
    expect(Array.from(indices.data)).toEqual(Array.from(get(fixture, "indices").data));
  });

  it.each(withIndices.filter((f) => f.startsWith("nan_")))("%s: NaN where PyTorch has NaN, its values elsewhere, and its gradient routing", (file) => {
    const fixture = readFixture(file);
    const { kernelSize, returnIndices: _, ...options } = fixture.options;
    const x = leaf(fixture, "x");
    const y = maxPool2d(x, kernelSize as Size2, options as Pool2dOptions);
    const want = get(fixture, "y");
    expect(y.shape).toEqual(want.shape);
    expect(Array.from(want.data).some(Number.isNaN), `${file} has NaN windows`).toBe(true);
    expect(Array.from(y.data).map((v) => (Number.isNaN(v) ? "NaN" : v))).toEqual(Array.from(want.data).map((v) => (Number.isNaN(v) ? "NaN" : v)));
    y.backward(get(fixture, "dy"));
    expectAllClose(x.grad!.data, get(fixture, "grad.x").data, 1e-6, 0, `${file}: grad.x`, { requireFinite: true });
  });
});
// ---- end of branch pool ----
// ==== nnkit (issue 14): losses, BatchNorm over 3 training steps + eval, a state dict written by PyTorch ====

/** Fixtures the generic op loop does not run: BatchNorm's multi-step files and the state dict. */
function isNnkitOwnFixture(file: string): boolean {
  return /^nnkit_(batchNorm|bn_state_dict)/.test(file);
}

/** The fixtures make_fixtures.py's nnkit section writes, per op. */
function nnkitMinimum(): Record<string, number> {
  return { mseLoss: 3, l1Loss: 3, binaryCrossEntropyWithLogits: 6, batchNormSteps: 4, stateDict: 1 };
}

function nnkitLoss(fixture: Fixture, leaves: Record<string, Tensor>): Tensor {
  const reduction = fixture.options.reduction as Reduction;
  const [x, target] = [leaves.x!, leaves.target!];
  if (fixture.op === "mseLoss") return mseLoss(x, target, { reduction });
  if (fixture.op === "l1Loss") return l1Loss(x, target, { reduction });
  const constants = JSON.parse(fixture.metadata.constants ?? "{}") as Record<string, string>;
  const given = Object.fromEntries(Object.entries(constants).map(([option, name]) => [option, get(fixture, name)]));
  return binaryCrossEntropyWithLogits(x, target, { reduction, ...given });
}

describe.each(files.filter((f) => f.startsWith("nnkit_batchNorm")))("%s", (file) => {
  it("three training steps (outputs, gradients, running statistics) then evaluation match PyTorch", () => {
    const fixture = readFixture(file);
    const { layer: kind, momentum } = fixture.options as { layer: string; momentum: number | null };
    const C = get(fixture, "weight").numel;
    const layer = kind === "BatchNorm1d" ? new BatchNorm1d(C, { momentum }) : new BatchNorm2d(C, { momentum });
    layer.loadStateDict({ ...layer.stateDict(), weight: get(fixture, "weight"), bias: get(fixture, "bias") });
    for (let k = 0; k < 3; k++) {
      layer.zeroGrad();
      const x = leaf(fixture, `x${k}`);
      const y = layer.forward(x);
      expectMatch(fixture, `y${k}`, y, get(fixture, `y${k}`), "close");
      y.backward(get(fixture, `dy${k}`));
      expectMatch(fixture, `grad.x${k}`, x.grad, get(fixture, `grad.x${k}`), "close");
      expectMatch(fixture, `grad.weight${k}`, layer.weight!.grad, get(fixture, `grad.weight${k}`), "close");
      expectMatch(fixture, `grad.bias${k}`, layer.bias!.grad, get(fixture, `grad.bias${k}`), "close");
      expectMatch(fixture, `running_mean${k}`, layer.runningMean, get(fixture, `running_mean${k}`), "close");
      expectMatch(fixture, `running_var${k}`, layer.runningVar, get(fixture, `running_var${k}`), "close");
    }
    expect(layer.numBatchesTracked!.item()).toBe(3);
    layer.eval();
    expectMatch(fixture, "y_eval", layer.forward(get(fixture, "x_eval")), get(fixture, "y_eval"), "close");
  });
});

describe("a state dict written by PyTorch (nnkit_bn_state_dict.safetensors)", () => {
  it("loads into Sequential(Linear, BatchNorm1d) under PyTorch's names, I64 counter included, and evaluates as PyTorch", () => {
    const { tensors } = readFixture("nnkit_bn_state_dict.safetensors");
    const net = new NnkitSequential(new NnkitLinear(4, 3), new BatchNorm1d(3));
    const { "probe.x": x, "probe.y": expected, ...state } = tensors;
    expect(Object.keys(state)).toEqual(Object.keys(net.stateDict())); // same names, same order
    net.loadStateDict(state);
    expect(net.stateDict()["1.num_batches_tracked"]!.item()).toBe(3);
    const y = net.eval().forward(x!);
    expectAllClose(y.data, expected!.data, 1e-4, 1e-5, "eval output vs PyTorch", { requireFinite: true });
    // and back out: the names and values survive a round trip through torchlet's own state dict
    const again = new NnkitSequential(new NnkitLinear(4, 3), new BatchNorm1d(3));
    again.loadStateDict(net.stateDict());
    expect(Array.from(again.eval().forward(x!).data)).toEqual(Array.from(y.data));
  });
});

// ==== end nnkit ====

afterAll(() => {
  if (process.env.TORCHLET_PARITY_REPORT !== "1") return;
  const rows = [...worst].sort(([a], [b]) => a.localeCompare(b)).map(([key, { error, fixture }]) => `${key.padEnd(26)} ${error.toExponential(2)}  (${fixture})`);
  console.log(`worst relative error vs PyTorch:\n${rows.join("\n")}`);
});
