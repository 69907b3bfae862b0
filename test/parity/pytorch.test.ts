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
import { binaryCrossEntropyWithLogits, l1Loss, mseLoss, type Reduction } from "../../src/ops/index.js"; // nnkit
import { BatchNorm1d, BatchNorm2d, Sequential as NnkitSequential, Linear as NnkitLinear } from "../../src/nn/index.js"; // nnkit
import { expectAllClose, relativeError } from "../helpers/close.js";

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

/** Runs the fixture's op in torchlet: the output y, and the leaves whose .grad backward fills. */
function runOp(fixture: Fixture): { y: Tensor; leaves: Record<string, Tensor> } {
  const o = fixture.options;
  const leaves: Record<string, Tensor> = {};
  for (const name of fixture.inputs) if (name !== "labels") leaves[name] = leaf(fixture, name);
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
    case "mseLoss": // nnkit
    case "l1Loss":
    case "binaryCrossEntropyWithLogits":
      return { y: nnkitLoss(fixture, leaves), leaves };
    default:
      throw new Error(`${fixture.file}: unknown op "${fixture.op}"`);
  }
}

/** Ops that only select or route values: compared almost bit for bit. */
const EXACT_OPS = new Set(["relu", "maxPool2d"]);

const files = readdirSync(FIXTURES).filter((f) => f.endsWith(".safetensors")).sort();
const opFixtures = files.filter((f) => f !== "lenet.safetensors" && !isNnkitOwnFixture(f));

describe("PyTorch parity fixtures", () => {
  it("cover every op, with the cases make_fixtures.py writes", () => {
    const byOp = new Map<string, string[]>();
    for (const file of files) {
      const { op } = readFixture(file);
      byOp.set(op, [...(byOp.get(op) ?? []), file]);
    }
    const minimum: Record<string, number> = { conv2d: 8, avgPool2d: 5, maxPool2d: 8, linear: 4, sigmoid: 1, relu: 1, tanh: 1, crossEntropy: 5, lenet: 1 };
    Object.assign(minimum, nnkitMinimum()); // nnkit
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
