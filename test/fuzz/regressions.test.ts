// The gaps the fuzz suite found, each pinned by its shrunk counterexample so
// it stays fixed whatever the random seed. Kernel-dependent ones run on both
// backends.

import { afterAll, describe, expect, it } from "vitest";
import { setBackend } from "../../src/backend/index.js";
import { Tensor, noGrad } from "../../src/tensor/tensor.js";
import { tensor, zeros, ones, rand } from "../../src/tensor/create.js";
import { Generator } from "../../src/tensor/random.js";
import { conv2d } from "../../src/ops/conv2d.js";
import { avgPool2d } from "../../src/ops/avgpool2d.js";
import { maxPool2d } from "../../src/ops/maxpool2d.js";
import { softmax, logSoftmax } from "../../src/ops/softmax.js";
import { crossEntropy } from "../../src/ops/cross-entropy.js";
import { Sequential, Conv2d, Linear, AvgPool2d, MaxPool2d, Flatten, Reshape, ReLU } from "../../src/nn/layers.js";
import { SGD, Adam } from "../../src/nn/optim.js";
import { DataLoader } from "../../src/nn/dataloader.js";
import { Plan } from "../../src/nn/plan.js";
import { parseIdx } from "../../src/data/idx.js";
import { decodeImage } from "../../src/data/image-node.js";
import { expectError } from "../helpers/errors.js";

const junk = <T>(v: unknown): T => v as T;

describe("regressions found by the fuzz suite (validation)", () => {
  it("tensor() of a sparse array: holes were silently read as 0", () => {
    expectError(() => tensor(junk([1, , 3])), "INVALID_ARGUMENT", "tensor: value[1] must be a number, got undefined");
    expectError(() => tensor(junk(new Array(3))), "INVALID_ARGUMENT", "value[0] must be a number, got undefined");
  });

  it("tensor(new Array(2 ** 32 - 1)) walked four billion holes (a hang) before refusing", () => {
    const start = performance.now();
    expectError(() => tensor(junk(new Array(2 ** 32 - 1))), "OUT_OF_RANGE", "tensor: shape [4294967295]");
    expect(performance.now() - start).toBeLessThan(100);
  });

  it("rand/randn with a generator that is not a Generator threw TypeError: g.uniform is not a function", () => {
    expectError(() => rand([2], junk({ generator: {} })), "INVALID_ARGUMENT", "rand: generator must be a Generator", "got a plain object {}");
  });

  it("null options threw TypeError (Tensor, tensor, conv2d, pools, Adam, loadStateDict, DataLoader, Plan)", () => {
    expectError(() => new Tensor(new Float32Array(1), [1], junk(null)), "INVALID_ARGUMENT", "Tensor: options must be an object", "got null");
    expectError(() => tensor([1], [1], junk(null)), "INVALID_ARGUMENT", "tensor: options must be an object");
    expectError(() => conv2d(zeros(1, 1, 3, 3), zeros(1, 1, 2, 2), null, junk(null)), "INVALID_ARGUMENT", "conv2d: options must be an object", "got null");
    expectError(() => avgPool2d(zeros(1, 1, 4, 4), 2, junk(null)), "INVALID_ARGUMENT", "avgPool2d: options must be an object");
    expectError(() => new Adam([zeros([1], { requiresGrad: true })], junk(null)), "INVALID_ARGUMENT", "Adam: options must be an object");
    expectError(() => new Linear(2, 2).loadStateDict(new Linear(2, 2).stateDict(), junk(null)), "INVALID_ARGUMENT", "Linear.loadStateDict: options must be an object");
    expectError(() => new DataLoader({ images: new Float32Array(2), labels: new Int32Array(2), count: 2 }, junk(null)), "INVALID_ARGUMENT", "DataLoader: options must be an object");
    expectError(() => new Plan(new Sequential(new Linear(2, 2)), junk(null)), "INVALID_ARGUMENT", "Plan: options must be");
  });

  it("backward(gradient, null) and noGrad(notAFunction) threw TypeError", () => {
    const x = tensor([1, 2], [2], { requiresGrad: true });
    expectError(() => x.reshape(2).backward(ones(2), junk(null)), "INVALID_ARGUMENT", "backward: options must be an object such as { retainGraph }, got null");
    expectError(() => noGrad(junk(42)), "INVALID_ARGUMENT", "noGrad: expects a function to run, got 42");
  });

  it("PyTorch-style positional arguments were silently ignored: conv2d(x, w, b, 2), avgPool2d(x, 3, 1), Linear(4, 8, false), Conv2d(1, 6, 5, 2)", () => {
    expectError(() => conv2d(zeros(1, 1, 5, 5), zeros(1, 1, 3, 3), null, junk(2)), "INVALID_ARGUMENT", "conv2d: options must be an object such as { stride, padding, dilation, groups }, got 2");
    expectError(() => avgPool2d(zeros(1, 1, 6, 6), 3, junk(1)), "INVALID_ARGUMENT", "avgPool2d: options must be an object", "got 1");
    expectError(() => new Linear(4, 8, junk(false)), "INVALID_ARGUMENT", "Linear: options must be an object such as { bias, generator }, got false");
    expectError(() => new Conv2d(1, 6, 5, junk(2)), "INVALID_ARGUMENT", "Conv2d: options must be an object", "got 2");
  });

  it("a layer's generator option that is not a Generator threw a TypeError from init", () => {
    expectError(() => new Linear(2, 3, junk({ generator: 42 })), "INVALID_ARGUMENT", "Linear: generator must be a Generator", "got 42");
    expectError(() => new Conv2d(1, 2, { kernelSize: 3, generator: junk("seed") }), "INVALID_ARGUMENT", "Conv2d: generator must be a Generator");
  });

  it("pool, Flatten and Reshape layers accepted bad arguments and failed only at forward", () => {
    expectError(() => new AvgPool2d(2, { padding: 2 }), "INVALID_ARGUMENT", "AvgPool2d: padding 2×2 must be at most half the kernel size 2×2");
    expectError(() => new MaxPool2d(2, { stride: 0 }), "INVALID_ARGUMENT", "MaxPool2d: stride must be an integer ≥ 1, got 0");
    expectError(() => new Flatten(junk("1")), "INVALID_ARGUMENT", 'Flatten: startDim must be an integer, got "1"');
    expectError(() => new Reshape(-1, junk(null)), "INVALID_ARGUMENT", "Reshape: shape[1] must be -1 or an integer", "got null");
    expectError(() => new Reshape(-1, -1), "INVALID_ARGUMENT", "Reshape: only one dimension can be -1");
  });

  it("Generator.setState with a BigInt threw TypeError from JSON.stringify while reporting the error", () => {
    expectError(() => new Generator(1).setState(junk([0, 7n, 1, 2])), "INVALID_ARGUMENT", "Generator.setState", "a bigint");
  });

  it("reshape(-1, null, -1) complained about the two -1s and printed null as nothing: [-1,,-1]", () => {
    expectError(() => zeros(4).reshape(junk<number[]>([-1, null, -1])), "INVALID_ARGUMENT", "reshape: shape[1] must be an integer ≥ 0, got null");
  });

  it("zeros(Float64Array.of(2, 3)) took the typed array for an options object", () => {
    expectError(() => zeros(junk(Float64Array.of(2, 3))), "INVALID_ARGUMENT", "zeros: shape[0] must be an integer ≥ 0, got a Float64Array of length 2");
  });

  it("Optimizer.loadStateDict accepted NaN moments, negative second moments and fractional step counts", () => {
    const p = zeros([2], { requiresGrad: true });
    p.grad = ones(2);
    const adam = new Adam([p]);
    adam.step();
    const nan = adam.stateDict();
    nan.buffers.m![0]![1] = Number.NaN;
    expectError(() => new Adam([p]).loadStateDict(nan), "OUT_OF_RANGE", 'Adam.loadStateDict: buffer "m"[0][1] is NaN, but optimizer state must be finite');
    const negative = adam.stateDict();
    negative.buffers.s![0]![0] = -1;
    expectError(() => new Adam([p]).loadStateDict(negative), "OUT_OF_RANGE", 'buffer "s"[0][0] is -1, but second moments are never negative');
    const fractional = adam.stateDict();
    fractional.buffers.step![0]![0] = 1.5;
    expectError(() => new Adam([p]).loadStateDict(fractional), "OUT_OF_RANGE", 'buffer "step"[0][0] is 1.5, but step counts are integers ≥ 0');
    const sgd = new SGD([p], { lr: 0.1, momentum: 0.9 });
    sgd.step();
    const inf = sgd.stateDict();
    inf.buffers.momentum![0]![0] = Infinity;
    expectError(() => new SGD([p], { lr: 0.1, momentum: 0.9 }).loadStateDict(inf), "OUT_OF_RANGE", 'SGD.loadStateDict: buffer "momentum"[0][0] is Infinity');
  });

  it("DataLoader: a generator that is not a Generator threw TypeError at the first shuffle; batchesInto wrote into a plain object", () => {
    const data = { images: new Float32Array(4), labels: new Int32Array(2), count: 2 };
    expectError(() => new DataLoader(data, { shuffle: true, generator: junk({}) }), "INVALID_ARGUMENT", "DataLoader: generator must be a Generator");
    const loader = new DataLoader(data, { batchSize: 2 });
    expectError(() => [...loader.batchesInto(junk({ length: 4 }), new Int32Array(2))], "INVALID_ARGUMENT", "DataLoader.batchesInto: buffers must be a Float32Array and an Int32Array, got a plain object {length}");
  });

  it("parseIdx(null) and decodeImage(null) threw TypeError", () => {
    expectError(() => parseIdx(junk(null), "train-images-idx3-ubyte"), "INVALID_ARGUMENT", "idx: train-images-idx3-ubyte: expected the file's bytes as a Uint8Array, got null");
    expectError(() => decodeImage(junk(null), "digit.png"), "INVALID_ARGUMENT", "image: digit.png: expected the file's bytes as a Uint8Array, got null");
  });
});

for (const backend of ["ts", "wasm"] as const) {
  describe(`regressions found by the fuzz suite (kernels, ${backend})`, () => {
    afterAll(() => void setBackend("ts"));
    const use = () => void setBackend(backend);

    it("an empty plane with padding gave maxPool2d −∞ and conv2d bias-only outputs from nothing", () => {
      use();
      expectError(() => maxPool2d(zeros(1, 1, 0, 0), 2, { padding: 1 }), "SHAPE_MISMATCH", "maxPool2d: input [1,1,0,0] has an empty plane (height 0, width 0)");
      expectError(() => avgPool2d(zeros(1, 1, 3, 0), 2, { padding: 1 }), "SHAPE_MISMATCH", "avgPool2d: input [1,1,3,0]");
      expectError(() => conv2d(zeros(1, 1, 0, 0), ones(1, 1, 1, 1), tensor([5]), { padding: 1 }), "SHAPE_MISMATCH", "conv2d: input [1,1,0,0] has an empty plane");
      expect(conv2d(zeros(0, 1, 3, 3), ones(1, 1, 1, 1)).shape).toEqual([0, 1, 3, 3]); // an empty batch is still fine
    });

    it("softmax([1e17, 1e17]) was [1, 1] and crossEntropy([[1e20, 1e20]], [0]) was 0: x − (max + log Σ) rounded log Σ away", () => {
      use();
      expect([...softmax(tensor([[1e17, 1e17]])).data]).toEqual([0.5, 0.5]);
      expect([...softmax(tensor([[3e38, 3e38, -3e38]])).data]).toEqual([0.5, 0.5, 0]);
      expect(logSoftmax(tensor([[1e20, 1e20]])).data[0]).toBeCloseTo(-Math.log(2), 6);
      expect(crossEntropy(tensor([[1e20, 1e20]]), [0]).item()).toBeCloseTo(Math.log(2), 6);
    });

    it("Plan: a label outside [0, classes) gave 'the loss became NaN' (TypeScript) or indexed past the row (wasm)", () => {
      use();
      const net = new Sequential(new Linear(4, 3, { generator: new Generator(1) }));
      const plan = new Plan(net, { batchSize: 2, sampleShape: [4] });
      plan.labels.set([0, 3]);
      const before = Float32Array.from(net.parameters()[0]!.data);
      expectError(() => plan.trainStep(new SGD(net.parameters(), { lr: 0.1 })), "OUT_OF_RANGE", "Plan: label 3 at index 1 is out of range for 3 classes [0, 3)");
      expect(net.parameters()[0]!.data).toEqual(before);
      plan.dispose();
    });

    it("Plan: a huge sampleShape was refused by 'zeros', a net folding examples together was accepted, a junk optimizer threw TypeError", () => {
      use();
      expectError(() => new Plan(new Sequential(new Linear(4, 3)), { batchSize: 1, sampleShape: [2 ** 20, 2 ** 20] }), "OUT_OF_RANGE", "Plan: sampleShape [1048576,1048576]");
      expectError(() => new Plan(new Sequential(new Reshape(-1, 8), new Linear(8, 3)), { batchSize: 4, sampleShape: [4] }), "SHAPE_MISMATCH", "Plan: the network maps a batch of 4 examples of shape [4] to logits [2,3]");
      const net = new Sequential(new Linear(4, 3), new ReLU());
      const plan = new Plan(net, { batchSize: 1, sampleShape: [4] });
      expectError(() => plan.trainStep(junk({})), "INVALID_ARGUMENT", "Plan: optimizer must be an Optimizer");
      plan.dispose();
    });
  });
}
