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
import { avgPool2d } from "../../src/ops/avgpool2d.js";
import type { Pool2dOptions } from "../../src/ops/window.js";
import { maxPool2d } from "../../src/ops/maxpool2d.js";
import { linear } from "../../src/ops/linear.js";
import { sigmoid } from "../../src/ops/sigmoid.js";
import { relu } from "../../src/ops/relu.js";
import { tanh } from "../../src/ops/tanh.js";
import { crossEntropy } from "../../src/ops/cross-entropy.js";
import { deserialize, type SafetensorsContents } from "../../src/io/safetensors.js";
import { lenet } from "../../src/lenet/models.js";
import { loadBundledMnist } from "../../src/data/files.js";
import type { Size2 } from "../../src/ops/window.js";
import { expectAllClose, relativeError } from "../helpers/close.js";
import { cat, flatten, gather, indexSelect, narrow, permute, reshape, slice, squeeze, stack, transpose, unsqueeze, view, type Index } from "../../src/ops/index.js"; // shape and indexing (issue 14)
import { reverseDims } from "../../src/ops/permute.js";

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
  switch (fixture.op) {
    case "conv2d":
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
    case "crossEntropy":
      return { y: crossEntropy(leaves.logits!, labelsOf(get(fixture, "labels"))), leaves };
    default:
      throw new Error(`${fixture.file}: unknown op "${fixture.op}"`);
  }
}

/** Ops that only select or route values: compared almost bit for bit. */
const EXACT_OPS = new Set(["relu", "maxPool2d"]);
for (const op of SHAPE_EXACT) EXACT_OPS.add(op); // shape and indexing (issue 14)

const files = readdirSync(FIXTURES).filter((f) => f.endsWith(".safetensors")).sort();
const opFixtures = files.filter((f) => f !== "lenet.safetensors");

describe("PyTorch parity fixtures", () => {
  it("cover every op, with the cases make_fixtures.py writes", () => {
    const byOp = new Map<string, string[]>();
    for (const file of files) {
      const { op } = readFixture(file);
      byOp.set(op, [...(byOp.get(op) ?? []), file]);
    }
    const minimum: Record<string, number> = { conv2d: 8, avgPool2d: 5, maxPool2d: 8, linear: 4, sigmoid: 1, relu: 1, tanh: 1, crossEntropy: 5, lenet: 1 };
    Object.assign(minimum, SHAPE_MINIMUM); // shape and indexing (issue 14)
    for (const [op, count] of Object.entries(minimum)) {
      expect(byOp.get(op)?.length ?? 0, `fixtures for ${op} (run /usr/bin/python3 test/parity/make_fixtures.py)`).toBeGreaterThanOrEqual(count);
    }
    expect([...byOp.keys()].sort()).toEqual(Object.keys(minimum).sort());
  });

  it("stay small (well under 1 MB in total)", () => {
    const total = files.reduce((n, f) => n + readFileSync(join(FIXTURES, f)).length, 0);
    expect(total).toBeLessThan(900_000);
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

afterAll(() => {
  if (process.env.TORCHLET_PARITY_REPORT !== "1") return;
  const rows = [...worst].sort(([a], [b]) => a.localeCompare(b)).map(([key, { error, fixture }]) => `${key.padEnd(26)} ${error.toExponential(2)}  (${fixture})`);
  console.log(`worst relative error vs PyTorch:\n${rows.join("\n")}`);
});
