// Two copies of torchlet in one program (the browser bundle beside the source,
// as a page that loads dist/browser/torchlet.js and imports torchlet too): each
// has its own Tensor class, so a tensor of one is not an instanceof the other's.
// The error must say that, not "a must be a Tensor, got a Tensor".

import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { add, clamp, conv2d, mul, tensor, zeros } from "../../src/index.js";
import { describe as describeValue } from "../../src/errors.js";
import { expectError } from "../helpers/errors.js";

const bundlePath = resolve(import.meta.dirname, "../../dist/browser/torchlet.js");
let other: typeof import("../../src/index.js");

beforeAll(async () => {
  expect(existsSync(bundlePath), "run `npm run build` first").toBe(true);
  other = (await import(pathToFileURL(bundlePath).href)) as typeof import("../../src/index.js");
});

describe("a tensor from another copy of torchlet", () => {
  it("is really of another class (the premise)", () => {
    const foreign = other.tensor([1, 2]);
    expect(foreign.constructor.name).toBe("Tensor");
    expect(foreign).not.toBeInstanceOf(tensor([1]).constructor);
  });

  it("is named as such where a Tensor is expected", () => {
    const mine = tensor([1, 2]);
    const foreign = other.tensor([1, 2]);
    const error = expectError(() => add(foreign as never, mine), "INVALID_ARGUMENT", "add: input is a Tensor from another copy of torchlet", "two copies are loaded");
    expect(error.message).not.toContain("got a Tensor");
    expectError(() => conv2d(zeros(1, 1, 3, 3), foreign as never), "INVALID_ARGUMENT", "conv2d: weight is a Tensor from another copy of torchlet");
    // The other way round, the bundle's ops say the same of this copy's tensors.
    expect(() => other.add(mine as never, foreign)).toThrow(/add: input is a Tensor from another copy of torchlet/);
  });

  it("is described as such in any message, while this copy's tensors stay plain 'a Tensor'", () => {
    // add/sub/mul take PyTorch's names (input, other) and explain two copies where a number would also do
    expectError(() => mul(tensor([1, 2]), other.tensor([1, 2]) as never), "INVALID_ARGUMENT", "mul: other is a Tensor from another copy of torchlet", "two copies are loaded");
    expectError(() => clamp(tensor([1, 2]), other.tensor([1]) as never), "INVALID_ARGUMENT", "clamp: min must be a number (not NaN), null or undefined, got a Tensor from another copy of torchlet");
    expect(describeValue(other.tensor([1]))).toBe("a Tensor from another copy of torchlet");
    expect(describeValue(tensor([1]))).toBe("a Tensor");
    expect(describeValue({ shape: [1], data: new Float32Array(1) })).toBe("a plain object {shape, data}");
  });
});
