// The public raw kernels (`kernels.*`) check their arguments at the entry
// (issue 15): a Float64Array output, an output too short or too long, dims
// that do not match the arrays, and an output sharing memory with an input
// are each a TorchletError naming the kernel and the argument, while a valid
// call computes exactly what the bare kernel computes.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { kernels } from "../../src/index.js";
import { TorchletError } from "../../src/errors.js";
import { createTsBackend, type Kernels } from "../../src/backend/backend.js";
import { isChecked, overlaps } from "../../src/ops/kernel-checks.js";

type Args = unknown[];
const f32 = (n: number, seed = 1) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 7.3 + i * 1.7));

const window = kernels.windowDims("test", [2, 3, 6, 5], { kernelSize: 3, stride: 1, padding: 1 });
const pool = kernels.pool2dDims("maxPool2d", [2, 3, 6, 6], 2, {});
const conv = kernels.conv2dDims([2, 3, 6, 5], [4, 3, 3, 3], [4], { padding: 1 });
const colsLength = kernels.conv2dColsLength(conv);
const gemmDims = { M: 3, N: 4, K: 5, transA: false, transB: false, accumulate: false };
const lin = { N: 3, I: 5, O: 4 };
const rows = { N: 3, J: 4, inner: 1 };
const bn = { N: 2, C: 3, L: 5, eps: 1e-5 }; // x (2, 3, 5): 30 values, 3 channels
const positive = (n: number, seed = 1) => f32(n, seed).map((v) => v + 1.5); // a variance
const size = (d: { N: number; C: number; H: number; W: number }) => d.N * d.C * d.H * d.W;
const out = (d: { N: number; C: number; P: number; Q: number }) => d.N * d.C * d.P * d.Q;
const padDims = kernels.pad2dDims("pad2d", [2, 3, 4, 5], [1, 2, 3, 1], "reflect"); // (2, 3, 4, 5) → (2, 3, 8, 8)
const unpool = { planes: 6, inputs: 4, outputs: 9 }; // (2, 3, 2, 2) → (2, 3, 3, 3)
const unpoolIndices = () => Int32Array.from({ length: 24 }, (_, i) => (i * 5) % 9);
const adaptive = kernels.adaptiveAvgPool2dDims("adaptiveAvgPool2d", [2, 3, 7, 5], [3, 2]);
const reduce = kernels.reduceDims([2, 3, 4], [1], (count) => 1 / count); // O = 8 outputs of R = 3
const axis = { N: 2, J: 3, inner: 4 };
const classLoss = { N: 2, J: 3, inner: 2, smoothing: 0.1 };
const elementLoss = { count: 6, reduction: "none" as const };
const transposed = { shape: [3, 2], strides: [1, 3], offset: 0 }; // a (2, 3) matrix's transpose
const catDims = { outer: 2, inner: 3, sizes: [1, 2] };

/** One valid call per checked kernel; index 0 is always an output. */
const valid: Record<string, () => Args> = {
  gemm: () => [f32(12), f32(15), f32(20, 2), gemmDims],
  gemmNaive: () => [f32(12), f32(15), f32(20, 2), gemmDims],
  im2col: () => [f32(3 * 9 * 2 * window.P * window.Q), f32(size(window)), window],
  col2im: () => [f32(size(window)), f32(3 * 9 * 2 * window.P * window.Q), window],
  conv2dForward: () => [f32(2 * 4 * conv.P * conv.Q), f32(size(conv)), f32(4 * 27, 2), f32(4, 3), conv, f32(colsLength)],
  conv2dBackward: () => [f32(size(conv)), f32(4 * 27), f32(4), f32(2 * 4 * conv.P * conv.Q, 2), f32(size(conv), 3), f32(4 * 27, 4), conv, f32(colsLength), f32(colsLength)],
  conv2dNaive: () => [f32(2 * 4 * conv.P * conv.Q), f32(size(conv)), f32(4 * 27, 2), null, conv],
  avgPool2dForward: () => [f32(out(pool)), f32(size(pool)), pool],
  avgPool2dBackward: () => [f32(size(pool)), f32(out(pool)), pool],
  avgPool2dActivationBackward: () => [f32(size(pool)), f32(out(pool)), f32(size(pool), 2), { ...pool, activation: "sigmoid", accumulate: true }],
  maxPool2dForward: () => [f32(out(pool)), new Int32Array(out(pool)), f32(size(pool)), pool],
  maxPool2dBackward: () => [f32(size(pool)), f32(out(pool)), Int32Array.from({ length: out(pool) }, (_, i) => (i * 3) % (pool.H * pool.W)), pool],
  maxPool2dReluBackward: () => [f32(size(pool)), f32(out(pool)), Int32Array.from({ length: out(pool) }, (_, i) => (i * 3) % (pool.H * pool.W)), f32(size(pool), 2), { ...pool, accumulate: true }],
  sigmoidForward: () => [f32(6), f32(6, 2)],
  sigmoidBackward: () => [f32(6), f32(6, 2), f32(6, 3)],
  reluForward: () => [f32(6), f32(6, 2)],
  reluBackward: () => [f32(6), f32(6, 2), f32(6, 3)],
  tanhForward: () => [f32(6), f32(6, 2)],
  tanhBackward: () => [f32(6), f32(6, 2), f32(6, 3)],
  addForward: () => [f32(6), f32(6, 2), f32(6, 3)],
  subForward: () => [f32(6), f32(6, 2), f32(6, 3)],
  mulForward: () => [f32(6), f32(6, 2), f32(6, 3)],
  addBackward: () => [f32(6), f32(6, 2), f32(6, 3)],
  subBackward: () => [f32(6), null, f32(6, 3)],
  mulBackward: () => [f32(6), f32(6, 2), f32(6, 3), f32(6, 4), f32(6, 5)],
  axpy: () => [f32(6), f32(6, 2), 0.5],
  linearForward: () => [f32(12), f32(15), f32(20, 2), f32(4, 3), lin],
  linearBackward: () => [f32(15), f32(20), null, f32(12, 2), f32(15, 3), f32(20, 4), lin],
  softmaxForward: () => [f32(12), f32(12, 2), rows],
  softmaxBackward: () => [f32(12), f32(12, 2), f32(12, 3), rows],
  logSoftmaxForward: () => [f32(12), f32(12, 2), rows],
  logSoftmaxBackward: () => [f32(12), f32(12, 2), f32(12, 3), rows],
  softmaxCrossEntropyForward: () => [f32(1), f32(12), f32(12, 2), Int32Array.of(0, 3, 1), rows],
  softmaxCrossEntropyBackward: () => [f32(12), f32(1, 2), f32(12, 3), Int32Array.of(0, 3, 1), rows],
  pad2dForward: () => [f32(6 * 8 * 8), f32(6 * 20, 2), padDims],
  pad2dBackward: () => [f32(6 * 20), f32(6 * 8 * 8, 2), padDims],
  maxUnpool2dForward: () => [f32(54), f32(24, 2), unpoolIndices(), unpool],
  maxUnpool2dBackward: () => [f32(24), f32(54, 2), unpoolIndices(), unpool],
  adaptiveAvgPool2dForward: () => [f32(out(adaptive)), f32(size(adaptive), 2), adaptive],
  adaptiveAvgPool2dBackward: () => [f32(size(adaptive)), f32(out(adaptive), 2), adaptive],
  sumForward: () => [f32(8), f32(24, 2), reduce],
  sumBackward: () => [f32(24), f32(8, 2), reduce],
  argmaxForward: () => [new Int32Array(8), f32(24), axis],
  maxForward: () => [f32(8), new Int32Array(8), f32(24, 2), axis],
  maxBackward: () => [f32(24), f32(8, 2), Int32Array.from({ length: 8 }, (_, i) => i % 3), axis],
  maxAllBackward: () => [f32(6), f32(1, 2), Float32Array.of(1, 3, 3, 0, -1, 2), 3],
  nllLossForward: () => [f32(4), f32(4), f32(12, 2), Int32Array.of(0, 2, -1, 1), f32(3, 3), classLoss],
  nllLossBackward: () => [f32(12), f32(4, 2), f32(4, 3), Int32Array.of(0, 2, -1, 1), f32(3, 4), classLoss],
  probabilityLossForward: () => [f32(4), f32(12, 2), f32(12, 3), f32(3, 4), classLoss],
  probabilityLossBackward: () => [f32(12), f32(12, 2), f32(4, 3), f32(12, 4), f32(12, 5), f32(3, 6), classLoss],
  mseLossForward: () => [f32(6), f32(6, 2), f32(6, 3), elementLoss],
  mseLossBackward: () => [f32(6), f32(6, 2), f32(6, 3), f32(6, 4), f32(6, 5), elementLoss],
  l1LossForward: () => [f32(6), f32(6, 2), f32(6, 3), elementLoss],
  l1LossBackward: () => [f32(6), null, f32(6, 3), f32(6, 4), f32(6, 5), elementLoss],
  bceWithLogitsForward: () => [f32(6), f32(6, 2), f32(6, 3), f32(6, 4), null, elementLoss],
  bceWithLogitsBackward: () => [f32(6), null, f32(6, 3), f32(6, 4), f32(6, 5), null, f32(6, 6), elementLoss],
  expForward: () => [f32(6), f32(6, 2)],
  expBackward: () => [f32(6), f32(6, 2), f32(6, 3)],
  logForward: () => [f32(6), f32(6, 2)],
  logBackward: () => [f32(6), f32(6, 2), f32(6, 3), f32(6, 4)],
  sqrtForward: () => [f32(6), f32(6, 2)],
  sqrtBackward: () => [f32(6), f32(6, 2), f32(6, 3)],
  absForward: () => [f32(6), f32(6, 2)],
  absBackward: () => [f32(6), f32(6, 2), f32(6, 3), f32(6, 4)],
  negForward: () => [f32(6), f32(6, 2)],
  negBackward: () => [f32(6), f32(6, 2)],
  divForward: () => [f32(6), f32(6, 2), f32(6, 3)],
  divBackward: () => [f32(6), f32(6, 2), f32(6, 3), f32(6, 4), f32(6, 5)],
  powForward: () => [f32(6), f32(6, 2), f32(6, 3), kernels.powC],
  powBackward: () => [f32(6), null, f32(6, 3), f32(6, 4), f32(6, 5), f32(6, 6), Math.pow],
  clampForward: () => [f32(6), f32(6, 2), { min: -0.5, max: 0.5 }],
  clampBackward: () => [f32(6), f32(6, 2), f32(6, 3), { min: -0.5, max: Infinity }],
  extremumForward: () => [f32(6), f32(6, 2), f32(6, 3), 1],
  extremumBackward: () => [f32(6), f32(6, 2), f32(6, 3), f32(6, 4), f32(6, 5), -1],
  compareForward: () => [f32(6), f32(6, 2), f32(6, 3), (a: number, b: number) => a < b],
  whereForward: () => [f32(6), Float32Array.of(1, 0, 1, 0, 0, 1), f32(6, 3), f32(6, 4)],
  whereBackward: () => [f32(6), f32(6, 2), f32(6, 3), Float32Array.of(1, 0, 1, 0, 0, 1)],
  dropoutForward: () => [f32(6), f32(6, 2), Int32Array.of(1, 0, 1, 1, 0, 1), { count: 6, scale: 2 }],
  dropoutBackward: () => [f32(6), f32(6, 2), Int32Array.of(1, 0, 1, 1, 0, 1), { count: 6, scale: 2 }],
  stridedForward: () => [f32(6), f32(6, 2), transposed],
  stridedBackward: () => [f32(6), f32(6, 2), transposed],
  catForward: () => [f32(18), [f32(6, 2), f32(12, 3)], catDims],
  catBackward: () => [[f32(6), null], f32(18, 2), catDims],
  takeForward: () => [f32(4), f32(6, 2), Int32Array.of(5, 0, 2, 2)],
  takeBackward: () => [f32(6), f32(4, 2), Int32Array.of(5, 0, 2, 2)],
  expandForward: () => [f32(6), f32(3, 2), kernels.broadcastOffsets([3], [2, 3])],
  sumToShape: () => [f32(3), f32(6, 2), kernels.broadcastOffsets([3], [2, 3])],
  batchNormMoments: () => [f32(3), f32(3, 2), f32(30, 3), bn],
  batchNormForward: () => [f32(30), f32(30, 2), f32(3, 3), null, f32(3, 4), positive(3, 5), bn],
  batchNormBackward: () => [f32(30), f32(3), f32(3, 2), f32(30, 3), f32(30, 4), f32(3, 5), f32(3, 6), positive(3, 7), bn, true],
};

type Kernel = (...a: Args) => void;
const checkedKernels = Object.entries(kernels).filter(([, v]) => typeof v === "function" && isChecked(v)) as [string, Kernel][];

function refuses(call: () => void, ...mentions: string[]): void {
  let error: unknown = null;
  try {
    call();
  } catch (e) {
    error = e;
  }
  expect(error, `expected a TorchletError mentioning ${mentions.join(", ")}`).toBeInstanceOf(TorchletError);
  for (const m of mentions) expect((error as Error).message).toContain(m);
}

describe("kernels.* entry checks", () => {
  it("cover every kernel a backend has, and every checked kernel has a valid call here", () => {
    const backendKernels = Object.keys(createTsBackend()).filter((k) => typeof (createTsBackend() as unknown as Record<string, unknown>)[k] === "function" && !["alloc", "allocInt32", "release", "zero", "reattach", "threadCalls"].includes(k));
    const checked = new Set(checkedKernels.map(([name]) => name));
    for (const name of backendKernels as (keyof Kernels)[]) expect(checked, name).toContain(name);
    expect(Object.keys(valid).sort()).toEqual([...checked].sort());
    const helpers = Object.entries(kernels).filter(([, v]) => typeof v === "function" && !isChecked(v)).map(([k]) => k);
    expect(helpers.sort()).toEqual(["adaptiveAvgPool2dDims", "broadcastOffsets", "conv2dColsLength", "conv2dDims", "pad2dDims", "pool2dDims", "pool2dOutputShape", "poolWindow", "powC", "reduceDims", "unchecked", "windowCount", "windowDims"]);
  });

  it.each(checkedKernels)("%s: a valid call computes what the bare kernel computes, bit for bit", (name, checked) => {
    const a = valid[name]!(), b = valid[name]!();
    checked(...a);
    const bare = kernels.unchecked(checked);
    expect(bare).not.toBe(checked);
    bare(...b);
    a.forEach((value, i) => {
      if (value instanceof Float32Array || value instanceof Int32Array) expect(value, `${name} argument ${i}`).toEqual(b[i]);
      if (Array.isArray(value)) expect(value, `${name} argument ${i} (a list)`).toEqual(b[i]); // cat's arrays
    });
  });

  it.each(checkedKernels)("%s: refuses a Float64Array, a short and a long output, and a wrong argument count", (name, checked) => {
    const args = valid[name]!();
    const first = args[0] as Float32Array | Int32Array;
    // Outputs of the first argument's own type (Int32Array for argmaxForward's indices), one too short or too long.
    const Type = first instanceof Int32Array ? Int32Array : Float32Array;
    refuses(() => checked(new Float64Array(first.length), ...args.slice(1)), name, Type.name, "Float64Array");
    const usesOthersLength = ["sigmoidForward", "reluForward", "tanhForward", "addForward", "subForward", "mulForward", "sigmoidBackward", "reluBackward", "tanhBackward", "axpy", "maxAllBackward",
      "expForward", "expBackward", "logForward", "logBackward", "sqrtForward", "sqrtBackward", "absForward", "absBackward", "negForward", "negBackward",
      "divForward", "powForward", "clampForward", "clampBackward", "extremumForward", "compareForward", "whereForward", "takeForward", "expandForward"].includes(name);
    if (["stridedBackward", "takeBackward", "sumToShape"].includes(name)) {
      // No length in the dims: dx is any buffer the positions fit in, so a short one is caught by the positions.
      refuses(() => checked(new Float32Array(first.length - 1), ...args.slice(1)), name, "outside [0, " + (first.length - 1) + ")");
    } else if (!usesOthersLength) {
      refuses(() => checked(new Type(first.length - 1), ...args.slice(1)), name, String(first.length));
      refuses(() => checked(new Type(first.length + 1), ...args.slice(1)), name, String(first.length));
    } else {
      refuses(() => checked(new Float32Array(first.length + 1), ...args.slice(1)), name, "as many as");
    }
    refuses(() => checked(...args, 0), name, "arguments");
    refuses(() => checked(...args.slice(0, -1)), name, "arguments");
  });

  it("refuses dims larger than the arrays, non-integer dims, and a P×Q that is not the window's output size", () => {
    refuses(() => kernels.gemm(f32(12), f32(15), f32(20), { ...gemmDims, K: 6 }), "gemm", "a must hold 18", "got 15");
    refuses(() => kernels.gemm(f32(12), f32(15), f32(20), { ...gemmDims, M: 2.5 }), "gemm", "dims.M", "integer");
    refuses(() => kernels.gemm(f32(12), f32(15), f32(20), { ...gemmDims, transA: 0 as unknown as boolean }), "gemm", "dims.transA");
    refuses(() => kernels.linearForward(f32(12), f32(15), f32(20), null, { ...lin, I: 6 }), "linearForward", "x must hold 18");
    const tooTall = { ...pool, P: pool.P + 2 };
    refuses(() => kernels.avgPool2dForward(f32(out(tooTall)), f32(size(pool)), tooTall), "avgPool2dForward", "not the output size");
    refuses(() => kernels.conv2dForward(f32(2 * 4 * conv.P * conv.Q), f32(size(conv)), f32(4 * 27), null, conv, f32(colsLength - 1)), "conv2dForward", "cols must hold at least");
    refuses(() => kernels.conv2dForward(f32(2 * 4 * conv.P * conv.Q), f32(size(conv)), f32(4 * 9), null, { ...conv, groups: 2 }, f32(colsLength)), "conv2dForward", "groups 2 must divide C = 3 and K = 4");
    const grouped = kernels.conv2dDims([2, 4, 6, 5], [4, 2, 3, 3], null, { groups: 2, padding: "same" });
    refuses(() => kernels.conv2dForward(f32(2 * 4 * 30), f32(2 * 4 * 30), f32(4 * 4 * 9), null, grouped, f32(kernels.conv2dColsLength(grouped))), "conv2dForward", "w must hold 72 elements (K·(C/groups)·kH·kW), got 144");
    kernels.conv2dForward(f32(2 * 4 * 30), f32(2 * 4 * 30), f32(4 * 2 * 9), null, grouped, f32(kernels.conv2dColsLength(grouped)));
  });

  it("batch norm: refuses a bad eps, a batchStats that is not a boolean, and statistics of the wrong length", () => {
    type Forward = Parameters<typeof kernels.batchNormForward>;
    const forward = valid.batchNormForward!() as Forward;
    refuses(() => kernels.batchNormForward(...(forward.map((v, i) => (i === 6 ? { ...bn, eps: -1 } : v)) as Forward)), "batchNormForward", "eps must be a finite number ≥ 0, got -1");
    refuses(() => kernels.batchNormForward(...(forward.map((v, i) => (i === 6 ? { ...bn, eps: Number.NaN } : v)) as Forward)), "batchNormForward", "eps must be a finite number ≥ 0, got NaN");
    refuses(() => kernels.batchNormForward(...(forward.map((v, i) => (i === 4 ? f32(4) : v)) as Forward)), "batchNormForward", "mean must hold 3 elements (C), got 4");
    const backward = valid.batchNormBackward!();
    refuses(() => kernels.batchNormBackward(...(backward.map((v, i) => (i === 9 ? 1 : v)) as Parameters<typeof kernels.batchNormBackward>)), "batchNormBackward", "batchStats must be true or false, got 1");
    refuses(() => kernels.batchNormMoments(f32(3), f32(3), f32(29), bn), "batchNormMoments", "x must hold 30 elements (N·C·L), got 29");
  });

  it("refuses indices out of range: argmax positions and labels", () => {
    const args = valid.maxPool2dBackward!();
    (args[2] as Int32Array)[3] = pool.H * pool.W; // one past its plane: a position in the next plane
    refuses(() => kernels.maxPool2dBackward(...(args as Parameters<typeof kernels.maxPool2dBackward>)), "maxPool2dBackward", `argmax[3] = ${pool.H * pool.W} is outside [0, ${pool.H * pool.W})`);
    refuses(() => kernels.softmaxCrossEntropyForward(f32(1), f32(12), f32(12), Int32Array.of(0, 4, 1), rows), "labels[1] = 4", "[0, 4)");
    for (const [name, unpoolKernel] of [["maxUnpool2dForward", kernels.maxUnpool2dForward], ["maxUnpool2dBackward", kernels.maxUnpool2dBackward]] as [string, Kernel][]) {
      const args = valid[name]!() as [Float32Array, Float32Array, Int32Array, object];
      args[2][5] = 9;
      refuses(() => unpoolKernel(...args), name, "indices[5] = 9 is outside [0, 9)");
      args[2][5] = -1;
      refuses(() => unpoolKernel(...args), name, "indices[5] = -1");
    }
  });

  it("refuses pad2d dims that pad2dDims would refuse, and maxUnpool2d indices of the wrong type", () => {
    const [y, x] = valid.pad2dForward!() as [Float32Array, Float32Array];
    refuses(() => kernels.pad2dForward(y, x, { ...padDims, mode: "mirror" as "reflect" }), "pad2dForward", "d: mode must be one of", '"mirror"');
    refuses(() => kernels.pad2dForward(y, x, { ...padDims, value: 1 }), "pad2dForward", 'value 1 is for mode "constant" only');
    refuses(() => kernels.pad2dForward(y, x, { ...padDims, mode: "constant", value: Number.NaN }), "pad2dForward", "value must be a finite number");
    const tooWide = { ...padDims, left: 5, right: 0 }; // reflect over a width of 5: at most 4
    refuses(() => kernels.pad2dForward(f32(6 * 8 * 10), x, tooWide), "pad2dForward", "reflect padding left 5 must be smaller than the input's width 5");
    kernels.pad2dForward(f32(6 * 8 * 10), x, { ...tooWide, mode: "circular" }); // circular allows a pad of the whole width
    refuses(() => kernels.pad2dBackward(f32(6 * 20), f32(6 * 8 * 8), { ...padDims, top: 1.5 }), "pad2dBackward", "d.top must be an integer");
    refuses(() => kernels.maxUnpool2dForward(f32(54), f32(24), Float32Array.from(unpoolIndices()) as unknown as Int32Array, unpool), "maxUnpool2dForward", "indices must be an Int32Array");
    refuses(() => kernels.adaptiveAvgPool2dForward(f32(out(adaptive)), f32(size(adaptive)), { ...adaptive, H: 0 }), "adaptiveAvgPool2dForward", "d.H must be an integer ≥ 1");
  });

  it("reductions and losses: refuse out-of-range indices, labels and offsets, bad dims, and shared memory", () => {
    const maxArgs = valid.maxBackward!();
    (maxArgs[2] as Int32Array)[5] = 3;
    refuses(() => kernels.maxBackward(...(maxArgs as Parameters<typeof kernels.maxBackward>)), "maxBackward", "indices[5] = 3", "[0, 3)");
    for (const bad of [-2, 3]) {
      const labels = Int32Array.of(0, bad, -1, 1);
      refuses(() => kernels.nllLossForward(f32(4), f32(4), f32(12), labels, f32(3), classLoss), "nllLossForward", `labels[1] = ${bad}`, "not −1");
      refuses(() => kernels.nllLossBackward(f32(12), f32(4), f32(4), labels, f32(3), classLoss), "nllLossBackward", `labels[1] = ${bad}`);
    }
    refuses(() => kernels.nllLossForward(f32(4), f32(4), f32(12), Int32Array.of(0, 1, 2, 0), f32(2), classLoss), "nllLossForward", "weight must hold 3");
    refuses(() => kernels.probabilityLossForward(f32(4), f32(12), f32(12), f32(3), { ...classLoss, smoothing: 1.5 }), "probabilityLossForward", "smoothing must be a number in [0, 1], got 1.5");
    refuses(() => kernels.mseLossForward(f32(1), f32(6), f32(6), { count: 6, reduction: "avg" as "mean" }), "mseLossForward", "reduction must be", '"avg"');
    refuses(() => kernels.l1LossForward(f32(6), f32(6), f32(6), { count: 6, reduction: "mean" }), "l1LossForward", "loss must hold 1 elements");
    // Offsets that leave x: a reduceDims of another shape.
    const shifted = { ...reduce, kept: reduce.kept.map((k) => k + 1) };
    refuses(() => kernels.sumForward(f32(8), f32(24), shifted), "sumForward", "offsets kept + reduced span [1, 24]", "outside [0, 24)");
    refuses(() => kernels.sumForward(f32(8), f32(24), { ...reduce, kept: Array.from(reduce.kept) as unknown as Int32Array }), "sumForward", "kept and reduced must be Int32Arrays");
    refuses(() => kernels.sumBackward(f32(24), f32(8), { ...reduce, scale: Number.NaN }), "sumBackward", "scale must be a finite number");
    const memory = new Float32Array(32);
    refuses(() => kernels.sumForward(memory.subarray(0, 8), memory.subarray(4, 28), reduce), "sumForward", "y and x share memory");
    const offsets = new Int32Array(reduce.kept.length + reduce.reduced.length);
    offsets.set(reduce.kept);
    offsets.set(reduce.reduced, reduce.kept.length);
    const aliased = { ...reduce, kept: offsets.subarray(0, reduce.kept.length) };
    refuses(() => kernels.sumForward(new Float32Array(offsets.buffer, 0, 8), f32(24), aliased), "sumForward", "d.kept and d.reduced may not share memory");
    refuses(() => kernels.maxForward(memory.subarray(0, 8), new Int32Array(memory.buffer, 16, 8), f32(24), axis), "maxForward", "values and indices share memory");
    refuses(() => kernels.maxAllBackward(f32(6), f32(1), f32(6), "3" as unknown as number), "maxAllBackward", "value must be a number");
    // A NaN max is a valid value: its gradient goes to the NaNs.
    const dx = new Float32Array(3);
    kernels.maxAllBackward(dx, Float32Array.of(4), Float32Array.of(Number.NaN, 1, Number.NaN), Number.NaN);
    expect(Array.from(dx)).toEqual([2, 0, 2]);
  });

  it("math, dropout and data movement: refuse offsets outside x, bad lists, bad dims, non-functions and shared memory", () => {
    refuses(() => kernels.takeForward(f32(4), f32(5), Int32Array.of(5, 0, 2, 2)), "takeForward", "offsets[0] = 5 is outside [0, 5)");
    refuses(() => kernels.takeBackward(f32(6), f32(4), Int32Array.of(0, -1, 2, 2)), "takeBackward", "offsets[1] = -1");
    refuses(() => kernels.expandForward(f32(6), f32(2), kernels.broadcastOffsets([3], [2, 3])), "expandForward", "offsets[2] = 2 is outside [0, 2)");
    refuses(() => kernels.stridedForward(f32(6), f32(6), { ...transposed, offset: 1 }), "stridedForward", "reaches offsets [1, 6], outside [0, 6) of x");
    refuses(() => kernels.stridedForward(f32(6), f32(6), { ...transposed, strides: [1] }), "stridedForward", "strides must be 2 integers");
    refuses(() => kernels.stridedForward(f32(6), f32(6), { ...transposed, shape: [3, -2] }), "stridedForward", "shape must be an array of integers ≥ 0");
    refuses(() => kernels.catForward(f32(18), [f32(6)], catDims), "catForward", "xs must be an array of 2 Float32Arrays");
    refuses(() => kernels.catForward(f32(18), [f32(6), f32(11)], catDims), "catForward", "xs[1] must hold 12 elements (outer·sizes[i]·inner), got 11");
    refuses(() => kernels.catForward(f32(18), [f32(6), null as unknown as Float32Array], catDims), "catForward", "xs[1] must be a Float32Array");
    refuses(() => kernels.catForward(f32(18), [f32(6), f32(12)], { ...catDims, sizes: [1, 2.5] }), "catForward", "sizes must be an array of integers");
    const joined = new Float32Array(24);
    refuses(() => kernels.catForward(joined.subarray(0, 18), [joined.subarray(18, 24), joined.subarray(6, 18)], catDims), "catForward", "y and xs[1] share memory");
    refuses(() => kernels.clampForward(f32(6), f32(6), { min: Number.NaN, max: 1 }), "clampForward", "min and max must be numbers");
    refuses(() => kernels.extremumForward(f32(6), f32(6), f32(6), 2 as 1), "extremumForward", "sign must be 1 (maximum) or −1 (minimum), got 2");
    refuses(() => kernels.compareForward(f32(6), f32(6), f32(6), "<" as unknown as (a: number, b: number) => boolean), "compareForward", "test must be a function");
    refuses(() => kernels.powForward(f32(6), f32(6), f32(6), null as unknown as (b: number, e: number) => number), "powForward", "power must be a function");
    refuses(() => kernels.dropoutForward(f32(3), f32(3), Int32Array.of(1, 2, 0), { count: 3, scale: 2 }), "dropoutForward", "keep[1] = 2 is neither 0 (dropped) nor 1 (kept)");
    refuses(() => kernels.dropoutBackward(f32(3), f32(3), Int32Array.of(1, 1, 0), { count: 3, scale: -1 }), "dropoutBackward", "scale must be a finite number ≥ 0");
    refuses(() => kernels.expBackward(joined.subarray(0, 6), joined.subarray(3, 9), f32(6)), "expBackward", "dx and dy share memory");
  });

  it("the math and dropout forwards run in place with the result of running out of place, bit for bit", () => {
    const inPlace: [string, number][] = [
      ["expForward", 1], ["logForward", 1], ["sqrtForward", 1], ["absForward", 1], ["negForward", 1], ["clampForward", 1], ["dropoutForward", 1],
      ["divForward", 1], ["divForward", 2], ["powForward", 1], ["powForward", 2], ["extremumForward", 1], ["extremumForward", 2],
      ["compareForward", 1], ["compareForward", 2], ["whereForward", 1], ["whereForward", 2], ["whereForward", 3],
    ];
    for (const [name, input] of inPlace) {
      const kernel = (kernels as unknown as Record<string, Kernel>)[name]!;
      const outOfPlace = valid[name]!(), shared = valid[name]!();
      kernel(...outOfPlace);
      shared[0] = shared[input]; // the output is that input itself
      kernel(...shared);
      expect(shared[0], `${name} writing over argument ${input}`).toEqual(outOfPlace[0]);
    }
  });

  it("refuses an output that overlaps an input: linearForward and gemm", () => {
    const memory = new Float32Array(40);
    // y (12 floats) over the first half of x (15 floats): the forward would overwrite x while reading it.
    refuses(() => kernels.linearForward(memory.subarray(0, 12), memory.subarray(6, 21), f32(20), null, lin), "linearForward", "y and x share memory");
    const c = new Float32Array(20);
    refuses(() => kernels.gemm(c.subarray(0, 12), c.subarray(0, 15), f32(20), gemmDims), "gemm", "c and a share memory");
    refuses(() => kernels.conv2dBackward(...(valid.conv2dBackward!().map((v, i) => (i === 4 ? null : v)) as Parameters<typeof kernels.conv2dBackward>)), "conv2dBackward", "x must be a Float32Array");
  });

  it("refuses an output that overlaps an input: pad2d, maxUnpool2d and adaptiveAvgPool2d", () => {
    const memory = new Float32Array(600);
    refuses(() => kernels.pad2dForward(memory.subarray(0, 384), memory.subarray(300, 420), padDims), "pad2dForward", "y and x share memory");
    refuses(() => kernels.pad2dBackward(memory.subarray(0, 120), memory.subarray(100, 484), padDims), "pad2dBackward", "dx and dy share memory");
    refuses(() => kernels.maxUnpool2dForward(memory.subarray(0, 54), memory.subarray(50, 74), unpoolIndices(), unpool), "maxUnpool2dForward", "y and x share memory");
    const indices = unpoolIndices(), dx = new Float32Array(indices.buffer); // dx written over the positions it is indexed by
    refuses(() => kernels.maxUnpool2dBackward(dx, f32(54), indices, unpool), "maxUnpool2dBackward", "dx and indices share memory");
    refuses(() => kernels.adaptiveAvgPool2dForward(memory.subarray(0, out(adaptive)), memory.subarray(10, 10 + size(adaptive)), adaptive), "adaptiveAvgPool2dForward", "y and x share memory");
    refuses(() => kernels.adaptiveAvgPool2dBackward(memory.subarray(0, size(adaptive)), memory.subarray(size(adaptive) - 1, size(adaptive) - 1 + out(adaptive)), adaptive), "adaptiveAvgPool2dBackward", "dx and dy share memory");
  });

  it("allows the pointwise forwards in place, with the same result as out of place, and refuses a shifted overlap", () => {
    const x = f32(8, 5), y = new Float32Array(8);
    kernels.sigmoidForward(y, x);
    const inPlace = x.slice();
    kernels.sigmoidForward(inPlace, inPlace);
    expect(inPlace).toEqual(y);
    const buffer = f32(9);
    refuses(() => kernels.sigmoidForward(buffer.subarray(1, 9), buffer.subarray(0, 8)), "sigmoidForward", "y and x share memory", "y = x");
    const a = f32(6, 2), b = f32(6, 3), sum = new Float32Array(6);
    kernels.addForward(sum, a, b);
    kernels.addForward(a, a, b);
    expect(a).toEqual(sum);
  });

  it("overlaps() is exact on random subarrays of one buffer (property)", () => {
    const buffer = new Float32Array(32);
    fc.assert(fc.property(fc.nat(31), fc.nat(32), fc.nat(31), fc.nat(32), (s1, n1, s2, n2) => {
      const a = buffer.subarray(s1, Math.min(32, s1 + n1)), b = buffer.subarray(s2, Math.min(32, s2 + n2));
      const naive = a.length > 0 && b.length > 0 && Array.from({ length: a.length }, (_, i) => s1 + i).some((i) => i >= s2 && i < s2 + b.length);
      expect(overlaps(a, b)).toBe(naive);
      expect(overlaps(a, new Float32Array(a.length))).toBe(false);
    }));
  });
});
