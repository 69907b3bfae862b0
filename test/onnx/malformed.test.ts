// fromOnnx refuses what it cannot honour, naming the node, the operator and the attribute,
// and every malformed file (truncated, wrong wire types, missing initializers, cycles,
// shapes that do not fit) with a TorchletError; a byte-mutation fuzzer checks the rest.

import fc from "fast-check";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { TorchletError } from "../../src/errors.js";
import { fromOnnx, toOnnx } from "../../src/onnx/index.js";
import { everyLayerModel, EVERY_LAYER_INPUT, onnxModel, type TestNode } from "./helpers.js";
import { attempt, fuzz, mutate, mutations, refusedValid, unchanged } from "../fuzz/helpers.js";

const refusal = (bytes: Uint8Array): TorchletError => {
  try {
    fromOnnx(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(TorchletError);
    expect((error as Error).message).toMatch(/^fromOnnx: /);
    return error as TorchletError;
  }
  throw new Error("fromOnnx accepted the model");
};

// A 2×2 image of 1 channel through one node whose weight is w (1, 1, 2, 2) and bias b.
const conv = (attributes: TestNode["attributes"], extra: Partial<TestNode> = {}) => onnxModel({
  input: ["input", ["batch", 1, 4, 4]],
  nodes: [{ op: "Conv", inputs: ["input", "w", "b"], name: "conv1", attributes, ...extra }],
  initializers: { w: { dims: [1, 1, 2, 2], values: [1, 2, 3, 4] }, b: { dims: [1], values: [0.5] } },
});
const padThenAverage = (attributes: TestNode["attributes"]) => onnxModel({
  input: ["input", ["batch", 1, 4, 4]],
  initializers: { p: { dims: [8], values: [0, 0, 1, 1, 0, 0, 1, 1], int64: true } },
  nodes: [{ op: "Pad", inputs: ["input", "p"], name: "pad" }, { op: "AveragePool", inputs: ["v0"], name: "avg", attributes }],
});
const linear = (nodes: TestNode[], initializers = { w: { dims: [3, 4], values: Array.from({ length: 12 }, (_, i) => i) } }) => onnxModel({ nodes, initializers });

describe("fromOnnx names the node, operator and attribute it cannot honour", () => {
  it("accepts the plain versions of the hand-built models (so the refusals below are about one change)", () => {
    expect(fromOnnx(conv({ kernel_shape: [2, 2], dilations: [1, 1], group: 1, auto_pad: "NOTSET" })).toString()).toContain("Conv2d(1, 1");
    expect(fromOnnx(linear([{ op: "Gemm", inputs: ["input", "w"], attributes: { transB: 1 } }])).toString()).toContain("Linear(inFeatures=4, outFeatures=3");
  });

  const cases: [string, Uint8Array, RegExp][] = [
    ["dilations of three dimensions", conv({ dilations: [2, 2, 2] }), /node "conv1" \(Conv\): dilations \[2,2,2\] cannot be honoured/],
    ["asymmetric pads other than \"same\"'s", conv({ pads: [0, 0, 1, 1], strides: [2, 2] }), /node "conv1" \(Conv\): pads \[0,0,1,1\] cannot be honoured/],
    ["group", conv({ group: 2 }), /node "conv1" \(Conv\): group 2 cannot be honoured/],
    ["auto_pad", conv({ auto_pad: "SAME_UPPER" }), /node "conv1" \(Conv\): auto_pad "SAME_UPPER"/],
    ["asymmetric pads", conv({ pads: [1, 0, 0, 0] }), /node "conv1" \(Conv\): pads \[1,0,0,0\]/],
    ["an unknown attribute", conv({ fancy: 1 }), /node "conv1" \(Conv\) has attribute "fancy", which torchlet cannot honour/],
    ["an attribute of the wrong type", conv({ group: [1] }), /node "conv1" \(Conv\): attribute group has type 7, expected int/],
    // ceil_mode and count_include_pad 0 are read (test/onnx/pool-options.test.ts), but not after a Pad whose zeros would count as pixels
    ["ceil_mode after a Pad", padThenAverage({ kernel_shape: [2, 2], ceil_mode: 1, count_include_pad: 1 }), /node "avg" \(AveragePool\): ceil_mode 1 cannot be honoured: it follows a Pad node/],
    ["count_include_pad=0 with own pads after a Pad", padThenAverage({ kernel_shape: [4, 4], pads: [1, 1, 1, 1] }), /node "avg" \(AveragePool\): count_include_pad 0 cannot be honoured: it follows a Pad node/],
    ["MaxPool's Indices output", onnxModel({ input: ["input", ["batch", 1, 4, 4]], nodes: [{ op: "MaxPool", inputs: ["input"], outputs: ["v0", "idx"], name: "pool", attributes: { kernel_shape: [2, 2] } }] }), /node "pool" \(MaxPool\): outputs/],
    ["Gemm alpha", linear([{ op: "Gemm", inputs: ["input", "w"], name: "fc", attributes: { transB: 1, alpha: { float: 2 } } }]), /node "fc" \(Gemm\): alpha 2/],
    ["an unsupported operator", linear([{ op: "Softmax", inputs: ["input"], name: "sm" }]), /node "sm" \(Softmax\): operator Softmax has no torchlet layer/],
    ["a non-zero Pad before a MaxPool", onnxModel({ input: ["input", ["batch", 1, 4, 4]], initializers: { p: { dims: [8], values: [0, 0, 1, 1, 0, 0, 1, 1], int64: true } }, nodes: [{ op: "Pad", inputs: ["input", "p"], name: "pad" }, { op: "MaxPool", inputs: ["v0"], attributes: { kernel_shape: [2, 2] } }] }), /node "pad" \(Pad\): pads/],
    ["an operator set torchlet does not read", onnxModel({ opset: 9, nodes: [{ op: "Relu", inputs: ["input"] }] }), /operator set 9; torchlet reads 11 to 17/],
    ["an operator reading two computed values", onnxModel({ nodes: [{ op: "Relu", inputs: ["input"] }, { op: "Add", inputs: ["input", "v0"], name: "sum" }] }), /node "sum" \(Add\) takes 2 computed inputs \(input, v0\)/],
  ];
  for (const [what, bytes, message] of cases) {
    it(what, () => expect(refusal(bytes).message).toMatch(message));
  }
});

describe("fromOnnx refuses malformed files", () => {
  const valid = toOnnx(everyLayerModel(), { inputShape: [1, ...EVERY_LAYER_INPUT] });

  it("truncated: every cut of a valid model is refused or (at a field boundary) still a consistent model", () => {
    let refused = 0;
    for (let n = 0; n < valid.length; n += 97) {
      const outcome = attempt("fromOnnx", () => fromOnnx(valid.subarray(0, n)));
      if (!outcome.ok) refused++;
    }
    expect(refused).toBeGreaterThan(Math.floor(valid.length / 97) - 3);
    expect(refusal(new Uint8Array(0)).message).toMatch(/empty/);
  });

  it("wrong wire types: a varint where the graph message should be", () => {
    expect(refusal(Uint8Array.from([0x08, 0x07, 0x38, 0x01])).message).toMatch(/ModelProto\.graph \(field 7\) has wire type varint, expected length-delimited/);
    expect(refusal(Uint8Array.from([0x0a, 0x05, 0x01])).message).toMatch(/runs past the end/);
    expect(refusal(Uint8Array.from([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])).message).toMatch(/longer than 10 bytes/);
  });

  it("a missing initializer", () => {
    const bytes = conv({}, { inputs: ["input", "w", "missing"] });
    expect(refusal(bytes).message).toMatch(/node "conv1" \(Conv\) reads "missing", which is neither the input, an initializer, a Constant nor a node's output \(a missing initializer\?\)/);
    const noWeight = onnxModel({ nodes: [{ op: "Gemm", inputs: ["input", "w"], name: "fc" }] });
    expect(refusal(noWeight).code).toBe("BAD_FORMAT");
    expect(refusal(noWeight).message).toMatch(/node "fc" \(Gemm\) reads "w"/);
  });

  it("a cyclic graph", () => {
    const cyclic = onnxModel({ nodes: [{ op: "Relu", inputs: ["v1"], name: "a" }, { op: "Relu", inputs: ["v0"], name: "b" }] });
    expect(refusal(cyclic).message).toMatch(/cycle through node "[ab]" \(Relu\)/);
  });

  it("shapes that do not fit: a weight for another input size, a declared output that disagrees, weights of the wrong length", () => {
    expect(refusal(linear([{ op: "Gemm", inputs: ["input", "w"], name: "fc" }])).message).toMatch(/node "fc" \(Gemm\): linear: input's last dimension must be 3/);
    const wrongCount = linear([{ op: "Gemm", inputs: ["input", "w"], attributes: { transB: 1 } }], { w: { dims: [3, 4], values: [1, 2, 3] } });
    expect(refusal(wrongCount).message).toMatch(/float_data holds 3 values but dims \[3,4\] need 12/);
    const model = onnxModel({ input: ["input", ["batch", 1, 4, 4]], nodes: [{ op: "Flatten", inputs: ["input"] }, { op: "Reshape", inputs: ["v0", "s"] }], initializers: { s: { dims: [2], values: [-1, 3], int64: true } } });
    expect(refusal(model).message).toMatch(/reshape/);
  });

  it("a node off the path from input to output", () => {
    const branch = onnxModel({ nodes: [{ op: "Relu", inputs: ["input"], name: "main" }, { op: "Tanh", inputs: ["input"], name: "side" }], output: "v0" });
    expect(refusal(branch).message).toMatch(/node "side" \(Tanh\) is not on the path/);
  });

  it("not bytes at all", () => {
    expect(() => fromOnnx("model.onnx" as never)).toThrow(/bytes must be a Uint8Array/);
  });
});

describe("fuzz: fromOnnx", () => {
  const torchFile = new Uint8Array(readFileSync(fileURLToPath(new URL("./fixtures/every_layer_opset11.onnx", import.meta.url))));
  const small = toOnnx(everyLayerModel(), { inputShape: [1, ...EVERY_LAYER_INPUT] });
  fuzz("fromOnnx of randomly mutated valid models (torchlet's and PyTorch's)", 1500, 20_000,
    fc.property(fc.constantFrom(small, torchFile), mutations, (valid, ms) => {
      const bytes = ms.reduce(mutate, valid);
      const r = attempt("fromOnnx", () => fromOnnx(bytes));
      if (!r.ok && unchanged(bytes, valid)) throw new Error(`${refusedValid}: ${r.error.message}`);
    }));
});
