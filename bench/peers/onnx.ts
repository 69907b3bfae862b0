// Optional peer: onnxruntime-node, inference only, on the same LeNet.
//
// The graph comes from PyTorch: torchlet's initial weights are written as
// safetensors and bench/export_onnx.py (python3 + torch) exports the d2l
// LeNet with them. onnxruntime-node is not a devDependency: its install
// script fetches CUDA provider binaries from api.nuget.org, outside the npm
// registry, and fails where only the registry is reachable. If it is
// installed anyway (or TORCHLET_BENCH_ORT names an onnxruntime-node package
// directory installed with --ignore-scripts; the CPU binaries ship in the npm
// tarball), these rows run; otherwise the peer is one "skipped" row.

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Tensor } from "../../src/index.js";
import { serialize } from "../../src/io/safetensors.js";
import { ROOT } from "../lib/report.js";
import type { BenchCase } from "../lib/runner.js";
import { GROUPS, maxAbsDiff, type CompareContext } from "./common.js";

interface OrtTensor {
  data: Float32Array;
}
interface OrtSession {
  run(feeds: Record<string, unknown>): Promise<Record<string, OrtTensor>>;
  release?(): Promise<void>;
}
interface Ort {
  InferenceSession: { create(path: string, options?: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: "float32", data: Float32Array, dims: readonly number[]) => unknown;
  env?: { versions?: Record<string, string> };
}

export const ORT_THREADS = 1;

export interface OrtPeer {
  ort: Ort;
  modelPath: string;
  version: string;
  cleanup(): void;
}

function loadOrt(): Ort {
  const require = createRequire(import.meta.url);
  const where = process.env.TORCHLET_BENCH_ORT ?? "onnxruntime-node";
  return require(where) as Ort;
}

/** Loads onnxruntime-node and exports the ONNX graph; a string is the reason it cannot run. */
export function prepareOrt(ctx: CompareContext): OrtPeer | string {
  let ort: Ort;
  try {
    ort = loadOrt();
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === "MODULE_NOT_FOUND";
    return missing
      ? "onnxruntime-node is not installed (not a devDependency: its install script downloads CUDA binaries from api.nuget.org, outside the npm registry; set TORCHLET_BENCH_ORT to a copy installed with --ignore-scripts to include it)"
      : `onnxruntime-node failed to load: ${(error as Error).message.split("\n")[0]}`;
  }
  const dir = mkdtempSync(join(tmpdir(), "torchlet-bench-onnx-"));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  const weights = join(dir, "lenet.safetensors"), modelPath = join(dir, "lenet.onnx");
  const state: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(ctx.weights.tensors)) state[name] = new Tensor(Float32Array.from(t.data), t.shape);
  writeFileSync(weights, serialize(state));
  // The first Python that has torch: $PYTHON, python3 on PATH, then the system one (pyenv shims may shadow it).
  const pythons = [...new Set([process.env.PYTHON, "python3", "/usr/bin/python3"].filter((p): p is string => !!p))];
  let failure = "";
  let exported = false;
  for (const python of pythons) {
    const result = spawnSync(python, [join(ROOT, "bench", "export_onnx.py"), weights, modelPath], { encoding: "utf8", timeout: 180_000 });
    if (!result.error && result.status === 0) {
      exported = true;
      break;
    }
    failure = `${python}: ${result.error?.message ?? result.stderr.trim().split("\n").pop() ?? `exit ${result.status}`}`;
  }
  if (!exported) {
    cleanup();
    return `cannot export the ONNX graph with Python + PyTorch (bench/export_onnx.py), last tried ${failure}`;
  }
  return { ort, modelPath, version: ort.env?.versions?.node ?? ort.env?.versions?.common ?? "unknown", cleanup };
}

/** Inference cases on onnxruntime's CPU provider, ORT_THREADS intra-op threads. */
export function ortCases(ctx: CompareContext, peer: OrtPeer): BenchCase[] {
  const options = { executionProviders: ["cpu"], intraOpNumThreads: ORT_THREADS, interOpNumThreads: 1, graphOptimizationLevel: "all" };
  const session = async (pixels: Float32Array, n: number) => {
    const s = await peer.ort.InferenceSession.create(peer.modelPath, options);
    const x = new peer.ort.Tensor("float32", pixels, [n, 1, 28, 28]);
    return { s, run: async () => (await s.run({ x })).logits!.data };
  };
  const B = ctx.batch;
  return [
    {
      group: GROUPS.infer,
      name: `LeNet inference, batch ${B}`,
      examples: B,
      setup: async () => {
        const { s, run } = await session(ctx.batches[0]!.pixels, B);
        const diff = maxAbsDiff(await run(), ctx.referenceLogits);
        return { note: `max |Δlogit| vs torchlet ${diff.toExponential(1)}; ${ORT_THREADS} thread`, run, teardown: () => s.release?.() };
      },
    },
    {
      group: GROUPS.latency,
      name: "LeNet inference, batch 1",
      examples: 1,
      setup: async () => {
        const { s, run } = await session(ctx.one.pixels, 1);
        return { note: `${ORT_THREADS} thread`, run, teardown: () => s.release?.() };
      },
    },
  ];
}
