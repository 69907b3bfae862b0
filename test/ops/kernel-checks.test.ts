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
  maxPool2dForward: () => [f32(out(pool)), new Int32Array(out(pool)), f32(size(pool)), pool],
  maxPool2dBackward: () => [f32(size(pool)), f32(out(pool)), Int32Array.from({ length: out(pool) }, (_, i) => size(pool) - 1 - ((i * 3) % size(pool)))],
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
    const backendKernels = Object.keys(createTsBackend()).filter((k) => typeof (createTsBackend() as unknown as Record<string, unknown>)[k] === "function" && !["alloc", "allocInt32", "release"].includes(k));
    const checked = new Set(checkedKernels.map(([name]) => name));
    for (const name of backendKernels as (keyof Kernels)[]) expect(checked, name).toContain(name);
    expect(Object.keys(valid).sort()).toEqual([...checked].sort());
    const helpers = Object.entries(kernels).filter(([, v]) => typeof v === "function" && !isChecked(v)).map(([k]) => k);
    expect(helpers.sort()).toEqual(["adaptiveAvgPool2dDims", "conv2dColsLength", "conv2dDims", "pad2dDims", "pool2dDims", "pool2dOutputShape", "poolWindow", "reduceDims", "unchecked", "windowCount", "windowDims"]);
  });

  it.each(checkedKernels)("%s: a valid call computes what the bare kernel computes, bit for bit", (name, checked) => {
    const a = valid[name]!(), b = valid[name]!();
    checked(...a);
    const bare = kernels.unchecked(checked);
    expect(bare).not.toBe(checked);
    bare(...b);
    a.forEach((value, i) => {
      if (value instanceof Float32Array || value instanceof Int32Array) expect(value, `${name} argument ${i}`).toEqual(b[i]);
    });
  });

  it.each(checkedKernels)("%s: refuses a Float64Array, a short and a long output, and a wrong argument count", (name, checked) => {
    const args = valid[name]!();
    const first = args[0] as Float32Array;
    refuses(() => checked(new Float64Array(first.length), ...args.slice(1)), name, "Float32Array", "Float64Array");
    const usesOthersLength = ["sigmoidForward", "reluForward", "tanhForward", "addForward", "subForward", "mulForward", "sigmoidBackward", "reluBackward", "tanhBackward", "axpy"].includes(name);
    if (name === "maxPool2dBackward") {
      // No dims: dx is any plane buffer the positions fit in, so a short one is caught by the positions.
      refuses(() => checked(new Float32Array(first.length - 1), ...args.slice(1)), name, "is outside [0, " + (first.length - 1));
    } else if (!usesOthersLength) {
      refuses(() => checked(new Float32Array(first.length - 1), ...args.slice(1)), name, String(first.length));
      refuses(() => checked(new Float32Array(first.length + 1), ...args.slice(1)), name, String(first.length));
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
    (args[2] as Int32Array)[3] = size(pool);
    refuses(() => kernels.maxPool2dBackward(...(args as Parameters<typeof kernels.maxPool2dBackward>)), "maxPool2dBackward", `argmax[3] = ${size(pool)}`);
    refuses(() => kernels.softmaxCrossEntropyForward(f32(1), f32(12), f32(12), Int32Array.of(0, 4, 1), rows), "labels[1] = 4", "[0, 4)");
  });

  it("refuses an output that overlaps an input: linearForward and gemm", () => {
    const memory = new Float32Array(40);
    // y (12 floats) over the first half of x (15 floats): the forward would overwrite x while reading it.
    refuses(() => kernels.linearForward(memory.subarray(0, 12), memory.subarray(6, 21), f32(20), null, lin), "linearForward", "y and x share memory");
    const c = new Float32Array(20);
    refuses(() => kernels.gemm(c.subarray(0, 12), c.subarray(0, 15), f32(20), gemmDims), "gemm", "c and a share memory");
    refuses(() => kernels.conv2dBackward(...(valid.conv2dBackward!().map((v, i) => (i === 4 ? null : v)) as Parameters<typeof kernels.conv2dBackward>)), "conv2dBackward", "x must be a Float32Array");
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
