// Reproducibility of `torchlet train`: the same seed gives the same bits on
// the same backend and thread count. Across thread counts (conv2d's weight
// gradients sum per-thread partials) and across backends (the wasm kernels
// accumulate in float32 SIMD lanes, the TypeScript ones in float64), the
// results differ in the last bits, by a bounded amount.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { deserialize } from "../../src/io/safetensors.js";
import { tinyMnistWorkspace, torchlet, weightsOf } from "./helpers.js";
import { relativeError } from "../helpers/close.js";

const { work, data } = tinyMnistWorkspace("determinism", 512, 64);

// d2l's LeNet (sigmoid, average pooling): 16 Adam steps per epoch, 2 epochs.
const recipe = () => ["train", "--data", data, "--model", "lenet", "--optimizer", "adam", "--lr", "0.003", "--batch-size", "32", "--epochs", "2", "--seed", "3", "--json"];
const kernels = { ts: ["--backend", "ts"], wasm1: ["--backend", "wasm", "--threads", "1"], wasm2: ["--backend", "wasm", "--threads", "2"] } as const;

const outputs = new Map<string, Buffer>();
function train(name: keyof typeof kernels, copy: number): Buffer {
  const key = `${name}-${copy}`;
  if (!outputs.has(key)) {
    const out = join(work, `${key}.safetensors`);
    const r = torchlet([...recipe(), ...kernels[name], "--out", out], work);
    expect(r.code, r.stderr).toBe(0);
    outputs.set(key, readFileSync(out));
  }
  return outputs.get(key)!;
}
const weights = (bytes: Buffer) => weightsOf(deserialize(bytes).tensors);

describe("same seed, same bits", () => {
  it.each(["ts", "wasm1", "wasm2"] as const)("two uninterrupted runs on %s write identical weight files", (name) => {
    expect(train(name, 1).equals(train(name, 2))).toBe(true);
  }, 60_000);

  it("1 and 2 threads differ only in float32 rounding (relative error < 1e-3)", () => {
    const error = relativeError(weights(train("wasm2", 1)), weights(train("wasm1", 1)), { relativeTo: "expected" });
    console.log(`determinism: wasm 1 vs 2 threads, relative error of the final weights ${error.toExponential(2)}`);
    expect(error).toBeLessThan(1e-3);
  }, 60_000);

  it("the TypeScript and WebAssembly kernels agree closely but not bit for bit (relative error < 1e-3)", () => {
    const error = relativeError(weights(train("ts", 1)), weights(train("wasm1", 1)), { relativeTo: "expected" });
    console.log(`determinism: ts vs wasm (1 thread), relative error of the final weights ${error.toExponential(2)}`);
    expect(error).toBeLessThan(1e-3);
  }, 60_000);
});
