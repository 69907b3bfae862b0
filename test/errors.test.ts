// describe(): how error messages name a value a plain-JavaScript caller passed,
// with the right article and the real type ("got a Object" read badly).

import { describe as suite, expect, it } from "vitest";
import { checkArity, checkOptionKeys, closestName, describe } from "../src/errors.js";
import { maxPool2d } from "../src/index.js";
import { expectError } from "./helpers/errors.js";

suite("describe", () => {
  it("names plain objects as such, with their keys", () => {
    expect(describe({})).toBe("a plain object {}");
    expect(describe({ lr: 0.1, momentum: 0.9 })).toBe("a plain object {lr, momentum}");
    expect(describe({ a: 1, b: 2, c: 3, d: 4, e: 5 })).toBe("a plain object {a, b, c, d, …}");
    expect(describe(Object.create(null))).toBe("a plain object {}");
    expect(describe({ ["k".repeat(30)]: 1 })).toBe(`a plain object {${"k".repeat(20)}…}`);
  });

  it("names class instances by their class, with a or an as it is spoken", () => {
    expect(describe(new Map())).toBe("a Map");
    expect(describe(new Error("x"))).toBe("an Error");
    expect(describe(new (class Optimizer {})())).toBe("an Optimizer");
    expect(describe(Int32Array.of(1, 2, 3, 4))).toBe("an Int32Array of length 4");
    expect(describe(new Uint8Array(2))).toBe("a Uint8Array of length 2");
    expect(describe(Float64Array.of(1))).toBe("a Float64Array of length 1");
    expect(describe(new DataView(new ArrayBuffer(8)))).toBe("a DataView of 8 bytes");
    expect(describe(Object.create(Object.create(null)))).toBe("an object");
  });

  it("names functions, bigints and symbols", () => {
    expect(describe(function relu() {})).toBe("the function relu");
    expect(describe(() => 0)).toBe("a function");
    expect(describe(10n)).toBe("a bigint");
    expect(describe(Symbol("s"))).toBe("a symbol");
  });

  it("keeps numbers, strings, null, undefined, booleans and arrays as they were", () => {
    expect([describe(3), describe(-0), describe(NaN), describe("x"), describe(null), describe(undefined), describe(true), describe([1, 2])])
      .toEqual(["3", "0", "NaN", '"x"', "null", "undefined", "true", "an array of length 2"]);
  });

  it("reads naturally inside an op's error", () => {
    expectError(() => maxPool2d({ kernelSize: 2 } as never, 2), "INVALID_ARGUMENT", "maxPool2d: input must be a Tensor, got a plain object {kernelSize}");
  });
});

suite("closestName: the did-you-mean behind every unknown-option error", () => {
  it("finds the same name in another spelling, a unique prefix, a suffix and a near miss", () => {
    expect(closestName("weight_decay", ["lr", "momentum", "weightDecay"])).toBe("weightDecay");
    expect(closestName("batch_size", ["batch-size", "epochs"])).toBe("batch-size");
    expect(closestName("mom", ["lr", "momentum"])).toBe("momentum");
    expect(closestName("data-dir", ["data", "dataset"])).toBe("data");
    expect(closestName("strides", ["stride", "padding"])).toBe("stride");
    expect(closestName("zzz", ["stride", "padding"])).toBeUndefined();
    expect(closestName("datadir", ["data"])).toBe("data");
    expect(closestName("alpha", ["a", "generator"])).toBeUndefined();
    expect(closestName("a_scale", ["a", "generator"])).toBe("a");
  });
});

suite("checkOptionKeys", () => {
  it("accepts known keys and no keys", () => {
    const options = { lr: 0.1 };
    expect(checkOptionKeys("SGD", options, ["lr", "momentum"])).toBe(options);
    expect(checkOptionKeys("SGD", {}, [])).toEqual({});
    expect(checkOptionKeys("SGD", undefined, ["lr"])).toEqual({});
  });

  it("names the op and the key, suggests the right one and lists the allowed ones", () => {
    expectError(() => checkOptionKeys("SGD", { lr: 0.1, weight_decay: 0.1 }, ["lr", "momentum", "weightDecay"]), "INVALID_ARGUMENT", 'SGD: unknown option "weight_decay"; did you mean "weightDecay"? (it takes lr, momentum, weightDecay)');
    expectError(() => checkOptionKeys("conv2d", { strides: 2 }, ["stride", "padding"]), "INVALID_ARGUMENT", 'conv2d: unknown option "strides"; did you mean "stride"?');
    expectError(() => checkOptionKeys("relu", { inplace: true }, []), "INVALID_ARGUMENT", 'relu: unknown option "inplace" (it takes no options)');
  });
});

suite("checkOptionKeys: not an object, not supported yet", () => {
  it("refuses a value that is not an options object, showing the keys it takes", () => {
    expectError(() => checkOptionKeys("conv2d", 2 as never, ["stride", "padding"]), "INVALID_ARGUMENT", "conv2d: options must be an object such as { stride, padding }, got 2");
    expectError(() => checkOptionKeys("conv2d", [1] as never, ["stride"]), "INVALID_ARGUMENT", "got an array of length 1");
    expectError(() => checkOptionKeys("crossEntropy", null as never, []), "INVALID_ARGUMENT", "crossEntropy: options must be an object, got null");
  });

  it("says an option PyTorch has is not supported yet, in either spelling, naming what torchlet implements", () => {
    expectError(() => checkOptionKeys("conv2d", { dilation: 2 }, ["stride", "padding"], ["dilation", "groups"]), "INVALID_ARGUMENT", "conv2d: option dilation is not supported yet (torchlet implements stride and padding)");
    expectError(() => checkOptionKeys("maxPool2d", { ceil_mode: true }, ["stride", "padding"], ["ceilMode"]), "INVALID_ARGUMENT", "maxPool2d: option ceil_mode (ceilMode) is not supported yet");
    expectError(() => checkOptionKeys("DataLoader", { num_workers: 2 }, ["batchSize", "shuffle", "dropLast"], ["numWorkers"]), "INVALID_ARGUMENT", "(torchlet implements batchSize, shuffle and dropLast)");
    expectError(() => checkOptionKeys("crossEntropy", { reduction: "sum" }, [], ["reduction"]), "INVALID_ARGUMENT", "crossEntropy: option reduction is not supported yet (torchlet implements none of its options)");
  });

  it("still suggests the torchlet spelling of an option it does implement", () => {
    expectError(() => checkOptionKeys("DataLoader", { batch_size: 4 }, ["batchSize"], ["numWorkers"]), "INVALID_ARGUMENT", 'DataLoader: unknown option "batch_size"; did you mean "batchSize"?');
  });
});

suite("checkArity", () => {
  it("accepts up to the declared arguments, and trailing undefineds", () => {
    expect(checkArity("relu", [1], ["input"])).toBeUndefined();
    expect(checkArity("conv2d", [1, 2, undefined, undefined], ["input", "weight", "bias", "options"])).toBeUndefined();
    expect(checkArity("relu", [1, undefined, undefined], ["input"])).toBeUndefined();
  });

  it("names the op, how many it takes and the extra value", () => {
    expectError(() => checkArity("relu", [1, true], ["input"]), "INVALID_ARGUMENT", "relu: takes 1 argument (input) but got 2; the second is true");
    expectError(() => checkArity("ReLU", [true], []), "INVALID_ARGUMENT", "ReLU: takes no arguments but got 1; the first is true");
    expectError(() => checkArity("Linear", [4, 8, {}, "extra"], ["inFeatures", "outFeatures", "options"]), "INVALID_ARGUMENT", 'Linear: takes 3 arguments (inFeatures, outFeatures, options) but got 4; the fourth is "extra"');
  });

  it("explains a PyTorch habit when given a hint", () => {
    expectError(() => checkArity("sum", [1, 1], ["input"], "torchlet's sum reduces all elements and takes no dim yet"), "INVALID_ARGUMENT", "sum: got a second argument 1; torchlet's sum reduces all elements and takes no dim yet (its arguments: input)");
  });
});
