// Every kind of bad input the ops reject: each must throw a TorchletError
// with a stable `code` and a message that names the op and the offending
// values, so a user can fix the call without reading the source.

import { describe, expect, it } from "vitest";
import type { ErrorCode } from "../../src/errors.js";
import { conv2d } from "../../src/ops/conv2d.js";
import { avgPool2d } from "../../src/ops/avgpool2d.js";
import { maxPool2d } from "../../src/ops/maxpool2d.js";
import { linear } from "../../src/ops/linear.js";
import { matmul } from "../../src/ops/gemm.js";
import { crossEntropy } from "../../src/ops/cross-entropy.js";
import { add, mul, sub } from "../../src/ops/elementwise.js";
import { mean, sum } from "../../src/ops/reduce.js";
import { logSoftmax, softmax } from "../../src/ops/softmax.js";
import { argmax } from "../../src/ops/max.js";
import { relu } from "../../src/ops/relu.js";
import { sigmoid } from "../../src/ops/sigmoid.js";
import { tanh } from "../../src/ops/tanh.js";
import type { Tensor } from "../../src/tensor/tensor.js";
import { tensor, zeros } from "../../src/tensor/create.js";
import { expectError } from "../helpers/errors.js";

// Asserts `fn` throws a TorchletError with `code` whose message contains every fragment.
const x1 = zeros(1, 1, 6, 6);
const w1 = zeros(2, 1, 3, 3);
const img = zeros(1, 2, 6, 6);
const asTensor = (v: unknown): Tensor => v as Tensor;

describe("conv2d shape errors", () => {
  it("channel mismatch names both shapes", () => {
    const e = expectError(() => conv2d(zeros(8, 3, 28, 28), zeros(6, 1, 5, 5)), "SHAPE_MISMATCH", [
      "input has 3 channels but weight expects 1 (input [8,3,28,28], weight [6,1,5,5])",
    ]);
    expect(e.message).toBe("conv2d: input has 3 channels but weight expects 1 (input [8,3,28,28], weight [6,1,5,5])");
    expect(e.op).toBe("conv2d");
    expect(e.name).toBe("TorchletError");
    expect(e).toBeInstanceOf(Error);
  });

  it("input neither 4-D nor 3-D (unbatched, as PyTorch)", () => {
    expectError(() => conv2d(zeros(6, 6), w1), "SHAPE_MISMATCH", ["conv2d:", "input must be 4-D (N, C, H, W) or 3-D (C, H, W)", "[6,6]"]);
    expectError(() => conv2d(zeros(1, 1, 1, 6, 6), w1), "SHAPE_MISMATCH", ["input must be 4-D", "[1,1,1,6,6]"]);
  });

  it("non-4-D weight", () => {
    expectError(() => conv2d(x1, zeros(2, 3, 3)), "SHAPE_MISMATCH", ["weight must be 4-D", "[2,3,3]"]);
  });

  it("a zero-sized weight dimension", () => {
    expectError(() => conv2d(x1, zeros(2, 1, 0, 3)), "SHAPE_MISMATCH", ["weight dimensions must all be ≥ 1", "[2,1,0,3]"]);
    expectError(() => conv2d(x1, zeros(0, 1, 3, 3)), "SHAPE_MISMATCH", ["[0,1,3,3]"]);
  });

  it("wrong bias shape", () => {
    expectError(() => conv2d(x1, w1, zeros(3)), "SHAPE_MISMATCH", ["bias must have shape [2]", "got [3]"]);
    expectError(() => conv2d(x1, w1, zeros(2, 1)), "SHAPE_MISMATCH", ["bias must have shape [2]", "got [2,1]"]);
  });

  it("kernel larger than the padded input", () => {
    expectError(() => conv2d(zeros(1, 1, 3, 3), zeros(1, 1, 5, 5)), "SHAPE_MISMATCH", ["kernel 5×5 is larger than the padded input 3×3", "[1,1,3,3]"]);
    expectError(() => conv2d(zeros(1, 1, 3, 8), zeros(1, 1, 4, 2), null, { padding: [0, 1] }), "SHAPE_MISMATCH", ["kernel 4×2", "padded input 3×10", "padding 0×1"]);
    // padding that makes it fit is fine
    expect(conv2d(zeros(1, 1, 3, 3), zeros(1, 1, 5, 5), null, { padding: 1 }).shape).toEqual([1, 1, 1, 1]);
  });
});

describe("stride, padding and kernel sizes", () => {
  const cases: { what: string; value: unknown; code: ErrorCode; message: string }[] = [
    { what: "negative", value: -1, code: "INVALID_ARGUMENT", message: "must be an integer ≥ MIN, got -1" },
    { what: "fractional", value: 1.5, code: "INVALID_ARGUMENT", message: "must be an integer, got 1.5" },
    { what: "NaN", value: Number.NaN, code: "INVALID_ARGUMENT", message: "must be an integer, got NaN" },
    { what: "Infinity", value: Number.POSITIVE_INFINITY, code: "INVALID_ARGUMENT", message: "must be an integer, got Infinity" },
    { what: "a string", value: "2", code: "INVALID_ARGUMENT", message: 'must be a number or [height, width], got "2"' },
    { what: "a 3-element array", value: [1, 1, 1], code: "INVALID_ARGUMENT", message: "must be a number or [height, width], got an array of length 3" },
  ];

  for (const c of cases) {
    it(`conv2d stride ${c.what}`, () => {
      expectError(() => conv2d(x1, w1, null, { stride: c.value as number }), c.code, ["conv2d:", "stride", c.message.replace("MIN", "1")]);
    });
    it(`conv2d padding ${c.what}`, () => {
      expectError(() => conv2d(x1, w1, null, { padding: c.value as number }), c.code, ["conv2d:", "padding", c.message.replace("MIN", "0")]);
    });
    it(`avgPool2d / maxPool2d kernel size ${c.what}`, () => {
      expectError(() => avgPool2d(img, c.value as number), c.code, ["avgPool2d:", "kernelSize", c.message.replace("MIN", "1")]);
      expectError(() => maxPool2d(img, c.value as number), c.code, ["maxPool2d:", "kernelSize", c.message.replace("MIN", "1")]);
    });
    it(`pool stride ${c.what}`, () => {
      expectError(() => maxPool2d(img, 2, { stride: c.value as number }), c.code, ["maxPool2d:", "stride", c.message.replace("MIN", "1")]);
    });
  }

  it("zero stride and zero kernel size are rejected; zero padding is fine", () => {
    expectError(() => conv2d(x1, w1, null, { stride: 0 }), "INVALID_ARGUMENT", ["stride must be an integer ≥ 1, got 0"]);
    expectError(() => avgPool2d(img, 2, { stride: 0 }), "INVALID_ARGUMENT", ["stride must be an integer ≥ 1, got 0"]);
    expectError(() => avgPool2d(img, 0), "INVALID_ARGUMENT", ["kernelSize must be an integer ≥ 1, got 0"]);
    expectError(() => maxPool2d(img, [2, 0]), "INVALID_ARGUMENT", ["kernelSize[1] must be an integer ≥ 1, got 0"]);
    expect(conv2d(x1, w1, null, { padding: 0 }).shape).toEqual([1, 2, 4, 4]);
  });

  it("per-dimension values name the bad dimension", () => {
    expectError(() => conv2d(x1, w1, null, { stride: [1, -2] }), "INVALID_ARGUMENT", ["stride[1] must be an integer ≥ 1, got -2"]);
    expectError(() => conv2d(x1, w1, null, { padding: [0.5, 0] }), "INVALID_ARGUMENT", ["padding[0] must be an integer, got 0.5"]);
    expectError(() => avgPool2d(img, [2, Number.NaN]), "INVALID_ARGUMENT", ["kernelSize[1] must be an integer, got NaN"]);
  });

  it("conv kernel sizes come from the weight, whose shape must be non-negative integers", () => {
    expectError(() => zeros(2, 1, -3, 3), "INVALID_ARGUMENT", ["zeros:", "shape[2] must be an integer ≥ 0, got -3"]);
    expectError(() => zeros(2, 1, 2.5, 3), "INVALID_ARGUMENT", ["shape[2] must be an integer ≥ 0, got 2.5"]);
    expectError(() => zeros(2, 1, Number.NaN, 3), "INVALID_ARGUMENT", ["shape[2] must be an integer ≥ 0, got NaN"]);
  });
});

describe("pooling errors", () => {
  it("padding more than half the kernel", () => {
    expectError(() => avgPool2d(img, 2, { padding: 2 }), "INVALID_ARGUMENT", ["avgPool2d:", "padding 2×2 must be at most half the kernel size 2×2"]);
    expectError(() => maxPool2d(img, [3, 2], { padding: [1, 2] }), "INVALID_ARGUMENT", ["maxPool2d:", "padding 1×2 must be at most half the kernel size 3×2"]);
    expectError(() => avgPool2d(img, 3, { padding: [2, 1] }), "INVALID_ARGUMENT", ["padding 2×1 must be at most half the kernel size 3×3"]);
    expectError(() => maxPool2d(img, [4, 3], { padding: [1, 2] }), "INVALID_ARGUMENT", ["padding 1×2 must be at most half the kernel size 4×3"]);
    // exactly half is allowed
    expect(maxPool2d(img, 2, { padding: 1 }).shape).toEqual([1, 2, 4, 4]);
  });

  it("kernel larger than the padded input", () => {
    expectError(() => avgPool2d(zeros(1, 1, 3, 3), 4), "SHAPE_MISMATCH", ["avgPool2d:", "kernel 4×4 is larger than the padded input 3×3"]);
    expectError(() => maxPool2d(zeros(1, 1, 3, 5), [1, 6]), "SHAPE_MISMATCH", ["maxPool2d:", "kernel 1×6 is larger than the padded input 3×5"]);
  });

  it("input neither 3-D nor 4-D (3-D is PyTorch's unbatched (C, H, W), tested in pool.test.ts)", () => {
    expectError(() => avgPool2d(zeros(6, 6), 2), "SHAPE_MISMATCH", ["avgPool2d:", "input must be 3-D (C, H, W) or 4-D (N, C, H, W)", "[6,6]"]);
    expectError(() => avgPool2d(zeros(1, 2, 2, 6, 6), 2), "SHAPE_MISMATCH", ["avgPool2d:", "input must be 3-D (C, H, W) or 4-D", "[1,2,2,6,6]"]);
    expectError(() => maxPool2d(zeros(36), 2), "SHAPE_MISMATCH", ["maxPool2d:", "input must be 3-D (C, H, W) or 4-D", "[36]"]);
  });
});

describe("linear errors", () => {
  it("in-feature mismatch names both shapes", () => {
    expectError(() => linear(zeros(4, 5), zeros(3, 6)), "SHAPE_MISMATCH", ["linear:", "last dimension must be 6", "weight [3,6]", "input [4,5]"]);
  });

  it("wrong bias shape", () => {
    expectError(() => linear(zeros(4, 6), zeros(3, 6), zeros(4)), "SHAPE_MISMATCH", ["bias must have shape [3]", "got [4]"]);
    expectError(() => linear(zeros(4, 6), zeros(3, 6), zeros(1, 3)), "SHAPE_MISMATCH", ["bias must have shape [3]", "got [1,3]"]);
  });

  it("weight not 2-D", () => {
    expectError(() => linear(zeros(4, 6), zeros(6)), "SHAPE_MISMATCH", ["weight must be 2-D", "[6]"]);
  });
});

describe("crossEntropy errors", () => {
  const logits = zeros(3, 4);

  it("label out of range (too large, negative)", () => {
    expectError(() => crossEntropy(logits, [0, 4, 1]), "OUT_OF_RANGE", ["crossEntropy:", "label 4 at index 1", "[0, 4)"]);
    expectError(() => crossEntropy(logits, Int32Array.of(0, 1, -1)), "OUT_OF_RANGE", ["label -1 at index 2", "[0, 4)"]);
    expectError(() => crossEntropy(logits, tensor([9, 0, 0])), "OUT_OF_RANGE", ["label 9 at index 0"]);
  });

  it("label count mismatch", () => {
    expectError(() => crossEntropy(logits, [0, 1]), "SHAPE_MISMATCH", ["crossEntropy:", "got 2 labels for a batch of 3"]);
    expectError(() => crossEntropy(logits, tensor([0, 1, 2, 3])), "SHAPE_MISMATCH", ["got 4 labels for a batch of 3"]);
  });

  it("non-integer label", () => {
    expectError(() => crossEntropy(logits, [0, 1.5, 2]), "INVALID_ARGUMENT", ["label 1.5 at index 1", "not an integer class index"]);
    expectError(() => crossEntropy(logits, tensor([0, 1, 2.25])), "INVALID_ARGUMENT", ["label 2.25 at index 2"]);
    expectError(() => crossEntropy(logits, [0, Number.NaN, 2]), "INVALID_ARGUMENT", ["label NaN at index 1"]);
    expectError(() => crossEntropy(logits, [0, "1", 2] as unknown as number[]), "INVALID_ARGUMENT", ['label "1" at index 1']);
  });

  it("empty batch", () => {
    expectError(() => crossEntropy(zeros(0, 4), []), "SHAPE_MISMATCH", ["crossEntropy:", "non-empty", "[0,4]"]);
    expectError(() => crossEntropy(zeros(3, 0), [0, 0, 0]), "SHAPE_MISMATCH", ["non-empty", "[3,0]"]);
  });

  it("scalar logits, or a target whose shape does not fit the logits' (1-D logits are unbatched: one scalar label)", () => {
    expectError(() => crossEntropy(zeros(), 0), "SHAPE_MISMATCH", ["logits must be (batch, classes, …) or unbatched (classes)", "[]"]);
    expectError(() => crossEntropy(zeros(4), [0]), "SHAPE_MISMATCH", ["target shape [1] does not fit input shape [4]", "class indices of shape []"]);
    expectError(() => crossEntropy(zeros(2, 4), 1), "SHAPE_MISMATCH", ["a single label 1 goes with unbatched", "[2,4]"]);
    expectError(() => crossEntropy(zeros(2, 4, 3), tensor([0, 1, 2, 3, 0, 1])), "SHAPE_MISMATCH", ["target shape [6] does not fit input shape [2,4,3]", "class indices of shape [2,3]", "probabilities of shape [2,4,3]"]);
    expectError(() => crossEntropy(zeros(2, 4, 3), [0, 1]), "SHAPE_MISMATCH", ["got 2 labels for 6 samples of shape [2,3]"]);
    expectError(() => crossEntropy(zeros(2, 4), zeros(2, 3)), "SHAPE_MISMATCH", ["got 6 labels for a batch of 2"]);
  });

  it("labels of the wrong kind", () => {
    expectError(() => crossEntropy(logits, "012" as unknown as number[]), "INVALID_ARGUMENT", ["labels must be an Int32Array, an array of integers or a Tensor", '"012"']);
    expectError(() => crossEntropy(logits, Float64Array.of(0, 1, 2) as unknown as number[]), "INVALID_ARGUMENT", ["a Float64Array of length 3"]);
  });
});

describe("matmul and elementwise shape errors", () => {
  it("matmul inner dimension mismatch", () => {
    expectError(() => matmul(zeros(2, 3), zeros(4, 5)), "SHAPE_MISMATCH", ["matmul:", "(M, K) · (K, N)", "[2,3] · [4,5]"]);
  });

  it("matmul of non-2-D tensors", () => {
    expectError(() => matmul(zeros(3), zeros(3, 1)), "SHAPE_MISMATCH", ["[3] · [3,1]"]);
    expectError(() => matmul(zeros(1, 2, 3), zeros(3, 1)), "SHAPE_MISMATCH", ["[1,2,3] · [3,1]"]);
  });

  it("add, sub, mul shape mismatch (shapes that do not broadcast)", () => {
    expectError(() => add(zeros(2, 3), zeros(3, 2)), "SHAPE_MISMATCH", ["add:", "cannot broadcast", "[2,3] and [3,2]"]);
    expectError(() => sub(zeros(6), zeros(2, 3)), "SHAPE_MISMATCH", ["sub:", "[6] and [2,3]"]);
    expectError(() => mul(zeros(2, 3), zeros(2, 3, 1)), "SHAPE_MISMATCH", ["mul:", "[2,3] and [2,3,1]"]);
  });

  it("softmax of an empty last dimension", () => {
    expectError(() => softmax(zeros(2, 0)), "SHAPE_MISMATCH", ["softmax:", "non-empty last dimension", "[2,0]"]);
    expectError(() => argmax(zeros(3, 0)), "SHAPE_MISMATCH", ["argmax:", "[3,0]"]);
    expectError(() => argmax(zeros(3, 0), -1), "SHAPE_MISMATCH", ["argmax:", "[3,0]"]);
  });

  it("mean of an empty tensor", () => {
    expectError(() => mean(zeros(0, 3)), "SHAPE_MISMATCH", ["mean:", "empty tensor", "[0,3]"]);
  });
});

describe("non-Tensor arguments from plain JavaScript", () => {
  it("conv2d names input, weight and bias", () => {
    expectError(() => conv2d(asTensor("x"), w1), "INVALID_ARGUMENT", ["conv2d:", "input must be a Tensor", 'got "x"']);
    expectError(() => conv2d(x1, asTensor([[1]])), "INVALID_ARGUMENT", ["weight must be a Tensor", "got an array of length 1"]);
    expectError(() => conv2d(x1, w1, asTensor(Float32Array.of(0, 0))), "INVALID_ARGUMENT", ["bias must be a Tensor", "a Float32Array of length 2"]);
    expectError(() => conv2d(asTensor(undefined), w1), "INVALID_ARGUMENT", ["input must be a Tensor, got undefined"]);
  });

  it("pooling, activations and reductions name their input", () => {
    expectError(() => avgPool2d(asTensor(null), 2), "INVALID_ARGUMENT", ["avgPool2d:", "input must be a Tensor, got null"]);
    expectError(() => maxPool2d(asTensor({}), 2), "INVALID_ARGUMENT", ["maxPool2d:", "input must be a Tensor, got a plain object {}"]);
    expectError(() => relu(asTensor(3)), "INVALID_ARGUMENT", ["relu:", "input must be a Tensor, got 3"]);
    expectError(() => sigmoid(asTensor([1])), "INVALID_ARGUMENT", ["sigmoid:", "input must be a Tensor"]);
    expectError(() => tanh(asTensor("t")), "INVALID_ARGUMENT", ["tanh:", "input must be a Tensor"]);
    expectError(() => sum(asTensor([1, 2])), "INVALID_ARGUMENT", ["sum:", "input must be a Tensor"]);
    expectError(() => mean(asTensor(1)), "INVALID_ARGUMENT", ["mean:", "input must be a Tensor"]);
    expectError(() => softmax(asTensor(1)), "INVALID_ARGUMENT", ["softmax:", "input must be a Tensor"]);
    expectError(() => logSoftmax(asTensor(1)), "INVALID_ARGUMENT", ["logSoftmax:", "input must be a Tensor"]);
    expectError(() => argmax(asTensor(1)), "INVALID_ARGUMENT", ["argmax:", "input must be a Tensor"]);
  });

  it("linear, matmul, elementwise and crossEntropy name the bad argument", () => {
    expectError(() => linear(asTensor([1, 2]), zeros(3, 2)), "INVALID_ARGUMENT", ["linear:", "input must be a Tensor"]);
    expectError(() => linear(zeros(1, 2), asTensor("w")), "INVALID_ARGUMENT", ["linear:", "weight must be a Tensor"]);
    expectError(() => linear(zeros(1, 2), zeros(3, 2), asTensor(0)), "INVALID_ARGUMENT", ["linear:", "bias must be a Tensor, got 0"]);
    expectError(() => matmul(asTensor("a"), zeros(2, 2)), "INVALID_ARGUMENT", ["matmul:", "a must be a Tensor"]);
    expectError(() => matmul(zeros(2, 2), asTensor("b")), "INVALID_ARGUMENT", ["matmul:", "b must be a Tensor"]);
    expectError(() => add(asTensor("1"), zeros(1)), "INVALID_ARGUMENT", ["add:", 'input must be a Tensor or a number, got "1"']);
    expectError(() => mul(zeros(1), asTensor("2")), "INVALID_ARGUMENT", ["mul:", 'other must be a Tensor or a number, got "2"']);
    expectError(() => crossEntropy(asTensor([[0, 1]]), [0]), "INVALID_ARGUMENT", ["crossEntropy:", "logits must be a Tensor"]);
  });
});
