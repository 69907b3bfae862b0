// batchNorm and nn.BatchNorm1d/2d: float64 forward references and gradchecks
// (training and evaluation; (N, C), (N, C, L), (N, C, H, W); affine on and off),
// the running statistics (momentum, cumulative average, unbiased variance),
// PyTorch's names and options, and bad input.

import { describe, expect, it } from "vitest";
import { batchNorm } from "../../src/ops/index.js";
import { BatchNorm1d, BatchNorm2d } from "../../src/nn/index.js";
import { Tensor, ones, tensor, zeros } from "../../src/tensor/index.js";
import { checkGradients } from "../helpers/gradcheck.js";
import { expectAllClose } from "../helpers/close.js";
import { randn64, rng, uniform64, f32 } from "../helpers/random.js";
import { expectError } from "../helpers/errors.js";

/** Float64 batch norm of x (N, C, L) with batch statistics (or the given mean/var), an independent loop. */
function batchNorm64(x: ArrayLike<number>, shape: number[], gamma: ArrayLike<number> | null, beta: ArrayLike<number> | null, stats?: { mean: ArrayLike<number>; variance: ArrayLike<number> }, eps = 1e-5): number[] {
  const [N, C] = shape as [number, number];
  const L = shape.slice(2).reduce((a, b) => a * b, 1);
  const out = new Array<number>(N * C * L);
  for (let c = 0; c < C; c++) {
    const values: number[] = [];
    for (let n = 0; n < N; n++) for (let l = 0; l < L; l++) values.push(x[(n * C + c) * L + l]!);
    const mean = stats ? stats.mean[c]! : values.reduce((a, b) => a + b, 0) / values.length;
    const variance = stats ? stats.variance[c]! : values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
    for (let n = 0; n < N; n++) {
      for (let l = 0; l < L; l++) {
        const i = (n * C + c) * L + l;
        out[i] = ((x[i]! - mean) / Math.sqrt(variance + eps)) * (gamma ? gamma[c]! : 1) + (beta ? beta[c]! : 0);
      }
    }
  }
  return out;
}

const SHAPES: [string, number[]][] = [["(N, C)", [5, 3]], ["(N, C, L)", [3, 2, 4]], ["(N, C, H, W)", [2, 3, 3, 2]]];

describe("batchNorm gradchecks (float64 finite differences)", () => {
  for (const [label, shape] of SHAPES) {
    const n = shape.reduce((a, b) => a * b, 1), C = shape[1]!;
    for (const affine of [true, false]) {
      it(`training, ${label}, affine ${affine}`, () => {
        const g = rng(31 + n);
        const inputs = [{ name: "x", data: randn64(g, n, 2), shape }];
        if (affine) inputs.push({ name: "weight", data: uniform64(g, C, 0.5, 2), shape: [C] }, { name: "bias", data: randn64(g, C), shape: [C] });
        checkGradients({
          inputs,
          reference: ([x, w, b]) => batchNorm64(x!, shape, w ?? null, b ?? null),
          op: ([x, w, b]) => batchNorm(x!, null, null, { training: true, weight: w ?? null, bias: b ?? null }),
          generator: g,
        });
      });
    }
    it(`evaluation (running statistics are constants), ${label}`, () => {
      const g = rng(41 + n);
      const mean = f32(randn64(g, C)), variance = f32(uniform64(g, C, 0.5, 2));
      checkGradients({
        inputs: [{ name: "x", data: randn64(g, n), shape }, { name: "weight", data: uniform64(g, C, 0.5, 2), shape: [C] }, { name: "bias", data: randn64(g, C), shape: [C] }],
        reference: ([x, w, b]) => batchNorm64(x!, shape, w!, b!, { mean, variance }),
        op: ([x, w, b]) => batchNorm(x!, new Tensor(Float32Array.from(mean), [C]), new Tensor(Float32Array.from(variance), [C]), { weight: w!, bias: b! }),
        generator: g,
      });
    });
  }
});

describe("running statistics", () => {
  // Channel 0 holds 1, 2, 3, 6 (mean 3, biased var 3.5, unbiased 14/3); channel 1 holds 0, 0, 4, 4 (mean 2, biased 4, unbiased 16/3).
  const x = () => tensor([[1, 0], [2, 0], [3, 4], [6, 4]]);

  it("move by the momentum towards the batch mean and the UNBIASED batch variance, as PyTorch", () => {
    const rm = zeros(2), rv = ones(2);
    const y = batchNorm(x(), rm, rv, { training: true, momentum: 0.1 });
    expectAllClose(rm.data, [0.3, 0.2], 1e-6, 1e-7, "running mean");
    expectAllClose(rv.data, [0.9 + 0.1 * 14 / 3, 0.9 + 0.1 * 16 / 3], 1e-6, 1e-7, "running var");
    // ...while the output is normalised with the biased variance
    expectAllClose(y.data, batchNorm64(x().data, [4, 2], null, null), 1e-5, 1e-6, "normalised output");
  });

  it("the layer counts batches; momentum null is a cumulative average", () => {
    const layer = new BatchNorm1d(2, { momentum: null });
    layer.forward(x());
    layer.forward(tensor([[3, 2], [5, 2], [1, 2], [3, 2]])); // channel 0: mean 3, unbiased var 8/3; channel 1: mean 2, var 0
    expect(layer.numBatchesTracked!.item()).toBe(2);
    expectAllClose(layer.runningMean!.data, [3, 2], 1e-6, 1e-6, "cumulative mean of the batch means");
    expectAllClose(layer.runningVar!.data, [(14 / 3 + 8 / 3) / 2, (16 / 3 + 0) / 2], 1e-6, 1e-6, "cumulative mean of the unbiased variances");
  });

  it("eval() normalises with the running statistics and leaves them alone", () => {
    const layer = new BatchNorm2d(2);
    layer.runningMean!.data.set([1, -1]);
    layer.runningVar!.data.set([4, 0.25]);
    layer.weight!.data.set([2, 1]);
    layer.bias!.data.set([0, 3]);
    layer.eval();
    const input = tensor([[[[3]], [[0]]]]); // (1, 2, 1, 1): a single value per channel is fine in evaluation
    const y = layer.forward(input);
    expectAllClose(y.data, [2 * (3 - 1) / Math.sqrt(4 + 1e-5), (0 + 1) / Math.sqrt(0.25 + 1e-5) + 3], 1e-6, 1e-6, "eval output");
    expect(Array.from(layer.runningMean!.data)).toEqual([1, -1]);
    expect(layer.numBatchesTracked!.item()).toBe(0);
  });

  it("trackRunningStats false: no buffers, batch statistics in both modes; affine false: no parameters", () => {
    const layer = new BatchNorm1d(2, { trackRunningStats: false, affine: false });
    expect(Object.keys(layer.stateDict())).toEqual([]);
    layer.eval();
    expectAllClose(layer.forward(x()).data, batchNorm64(x().data, [4, 2], null, null), 1e-5, 1e-6, "eval with batch statistics");
  });
});

describe("nn.BatchNorm1d/2d", () => {
  it("have PyTorch's state-dict names, initial values and printed form", () => {
    const layer = new BatchNorm2d(3);
    expect(Object.keys(layer.stateDict())).toEqual(["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]);
    expect(layer.parameters()).toEqual([layer.weight, layer.bias]);
    expect(Array.from(layer.weight!.data)).toEqual([1, 1, 1]);
    expect(Array.from(layer.runningVar!.data)).toEqual([1, 1, 1]);
    expect(layer.numBatchesTracked!.shape).toEqual([]);
    expect(layer.toString()).toBe("BatchNorm2d(3, eps=0.00001, momentum=0.1, affine=true, trackRunningStats=true)");
  });

  it("the layer's forward and backward equal the functional op's", () => {
    const g = rng(5);
    const data = f32(randn64(g, 24));
    const layer = new BatchNorm1d(3);
    layer.weight!.data.set([0.5, 2, -1]);
    const xa = new Tensor(Float32Array.from(data), [2, 3, 4], { requiresGrad: true });
    const xb = new Tensor(Float32Array.from(data), [2, 3, 4], { requiresGrad: true });
    const w = new Tensor(Float32Array.of(0.5, 2, -1), [3], { requiresGrad: true }), b = zeros(3, { requiresGrad: true });
    const upstream = new Tensor(f32(randn64(g, 24)), [2, 3, 4]);
    const ya = layer.forward(xa), yb = batchNorm(xb, zeros(3), ones(3), { training: true, weight: w, bias: b });
    expect(Array.from(ya.data)).toEqual(Array.from(yb.data));
    ya.backward(upstream);
    yb.backward(upstream);
    expect(Array.from(xa.grad!.data)).toEqual(Array.from(xb.grad!.data));
    expect(Array.from(layer.weight!.grad!.data)).toEqual(Array.from(w.grad!.data));
  });

  it("refuse bad shapes, options and a single value per channel in training", () => {
    expectError(() => new BatchNorm2d(3).forward(zeros(2, 3)), "SHAPE_MISMATCH", "batchNorm2d", "(N, C, H, W)", "[2,3]");
    expectError(() => new BatchNorm1d(3).forward(zeros(2, 3, 2, 2)), "SHAPE_MISMATCH", "(N, C) or (N, C, L)");
    expectError(() => new BatchNorm1d(3).forward(zeros(2, 4)), "SHAPE_MISMATCH", "4 channels", "expects 3");
    expectError(() => new BatchNorm1d(3).forward(zeros(1, 3)), "SHAPE_MISMATCH", "more than 1 value per channel");
    expectError(() => new BatchNorm1d(0), "INVALID_ARGUMENT", "numFeatures");
    expectError(() => new BatchNorm1d(3, { momentum: "fast" } as object), "INVALID_ARGUMENT", "momentum", '"fast"');
    expectError(() => new BatchNorm1d(3, { eps: -1 }), "INVALID_ARGUMENT", "eps must be ≥ 0");
    expectError(() => new BatchNorm1d(3, { affine: 1 } as object), "INVALID_ARGUMENT", "affine must be true or false");
    expectError(() => new BatchNorm1d(3, { track_running_stats: false } as object), "INVALID_ARGUMENT", "track_running_stats", "trackRunningStats");
    expectError(() => batchNorm(zeros(2, 3), null, null), "INVALID_ARGUMENT", "runningMean and runningVar");
    expectError(() => batchNorm(zeros(2, 3), zeros(2), ones(3), { training: true }), "SHAPE_MISMATCH", "runningMean must have shape [3]", "[2]");
    expectError(() => batchNorm(zeros(2), null, null, { training: true }), "SHAPE_MISMATCH", "at least 2 dimensions");
  });
});
