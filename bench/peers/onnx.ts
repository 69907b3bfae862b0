// Peer: ONNX Runtime (onnxruntime-web, its WebAssembly backend, run in Node), inference only, on the same LeNet.
//
// The graph is torchlet's own export: the seeded initial weights every peer starts
// from are loaded into lenet() and written by toOnnx (opset 13, batch dynamic), so
// ONNX Runtime runs the very network torchlet, tfjs and PyTorch run. One intra-op
// thread, like the "1 thread" rows of the other peers; graph optimizations on.

import * as ort from "onnxruntime-web";
import { Tensor, lenet, toOnnx } from "../../src/index.js";
import type { BenchCase } from "../lib/runner.js";
import { GROUPS, maxAbsDiff, type CompareContext } from "./common.js";

export const ORT_ENGINE = "onnxruntime-web";
export const ORT_THREADS = 1;

/** The ONNX model of the context's LeNet and the runtime's version. */
export function prepareOrt(ctx: CompareContext): { model: Uint8Array; version: string } {
  const net = lenet();
  const state: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(ctx.lenet.weights.tensors)) state[name] = new Tensor(Float32Array.from(t.data), [...t.shape]);
  net.loadStateDict(state).eval();
  ort.env.wasm.numThreads = ORT_THREADS;
  return { model: toOnnx(net, { inputShape: [1, 1, 28, 28], inputName: "x", outputName: "logits" }), version: ort.env.versions.web ?? "unknown" };
}

/** Inference cases on ONNX Runtime's WebAssembly execution provider, ORT_THREADS thread. */
export function ortCases(ctx: CompareContext, model: Uint8Array): BenchCase[] {
  const options: ort.InferenceSession.SessionOptions = { executionProviders: ["wasm"], intraOpNumThreads: ORT_THREADS, interOpNumThreads: 1, graphOptimizationLevel: "all" };
  const session = async (pixels: Float32Array, n: number) => {
    const s = await ort.InferenceSession.create(model, options);
    const x = new ort.Tensor("float32", pixels, [n, 1, 28, 28]);
    return { s, run: async () => (await s.run({ x })).logits!.data as Float32Array };
  };
  const B = ctx.batch;
  return [
    {
      group: GROUPS.infer,
      name: `LeNet inference, batch ${B}`,
      examples: B,
      setup: async () => {
        const { s, run } = await session(ctx.batches[0]!.pixels, B);
        const diff = maxAbsDiff(await run(), ctx.lenet.referenceLogits);
        if (!(diff <= 1e-4)) throw new Error(`ONNX Runtime's logits differ from torchlet's by ${diff}`);
        return { note: `max |Δlogit| vs torchlet ${diff.toExponential(1)}; ${ORT_THREADS} thread`, run, teardown: () => s.release() };
      },
    },
    {
      group: GROUPS.latency,
      name: "LeNet inference, batch 1",
      examples: 1,
      setup: async () => {
        const { s, run } = await session(ctx.one.pixels, 1);
        return { note: `${ORT_THREADS} thread`, run, teardown: () => s.release() };
      },
    },
  ];
}
