// Optional peer: PyTorch on the CPU (the native yardstick), in a child Python
// process: bench/pytorch_lenet.py runs d2l's LeNet and lenet-modern on the same
// initial weights and the same images as torchlet, on 1 thread and on every core.
// Debian's python3-torch is what CI installs; without it the peer is one
// "skipped" row.

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { Tensor } from "../../src/index.js";
import { serialize } from "../../src/io/safetensors.js";
import { ROOT } from "../lib/report.js";
import { statusRow, valueRow, type Row } from "../lib/runner.js";
import { GROUPS, comparedModels, maxAbsDiff, TRAIN_BATCHES, type CompareContext } from "./common.js";

const PYTHONS = ["/usr/bin/python3", "python3"];

/** PyTorch's rows (train, inference, latency) for each compared network, on 1 thread and on every core, or a skipped row. */
export function pytorchRows(ctx: CompareContext, suite: string, seconds: number): Row[] {
  const B = ctx.batch;
  const dir = mkdtempSync(join(tmpdir(), "torchlet-bench-pytorch-"));
  try {
    const images = new Float32Array(TRAIN_BATCHES * B * 784), labels = new Int32Array(TRAIN_BATCHES * B);
    ctx.batches.forEach((b, i) => {
      images.set(b.pixels, i * B * 784);
      labels.set(b.labels, i * B);
    });
    writeFileSync(join(dir, "x.f32"), images);
    writeFileSync(join(dir, "y.i32"), labels);
    const rows: Row[] = [];
    for (const m of comparedModels(ctx)) {
      const state: Record<string, Tensor> = {};
      for (const [name, t] of Object.entries(m.weights.tensors)) state[name] = new Tensor(Float32Array.from(t.data), t.shape);
      const weights = join(dir, `${m.model}.safetensors`);
      writeFileSync(weights, serialize(state));
      for (const threads of [...new Set([1, availableParallelism()])]) {
        const engine = `pytorch-${threads}t`;
        const args = [join(ROOT, "bench", "pytorch_lenet.py"), weights, join(dir, "x.f32"), join(dir, "y.i32"), String(B), String(threads), String(seconds), m.model, m.optimizer.name, String(m.optimizer.lr)];
        let result: ReturnType<typeof spawnSync> | undefined;
        for (const python of PYTHONS) {
          result = spawnSync(python, args, { encoding: "utf8", timeout: 600_000 });
          if (!result.error && result.status === 0) break;
        }
        if (!result || result.error || result.status !== 0) {
          const why = result?.error?.message ?? String(result?.stderr ?? "").trim().split("\n").pop() ?? "failed";
          return [statusRow(suite, { group: "peers", name: "pytorch" }, "pytorch", "skipped", `PyTorch not available (apt-get install -y python3-torch libopenblas0-openmp): ${why}`)];
        }
        const out = JSON.parse(String(result.stdout)) as { torch: string; cases: Record<"train" | "infer" | "latency", number[]>; logits: number[] };
        const note = `torch ${out.torch}, ${threads} thread${threads === 1 ? "" : "s"}; max |Δlogit| vs torchlet ${maxAbsDiff(out.logits, m.referenceLogits).toExponential(1)}`;
        const perSecond = (examples: number, ms: number[]) => ms.map((t) => (examples * 1000) / t);
        rows.push(
          valueRow(suite, GROUPS.train, `${m.label} train step, batch ${B}`, engine, "examples/s", perSecond(B, out.cases.train), note, true),
          valueRow(suite, GROUPS.infer, `${m.label} inference, batch ${B}`, engine, "examples/s", perSecond(B, out.cases.infer), note, true),
          valueRow(suite, GROUPS.latency, `${m.label} inference, batch 1`, engine, "examples/s", perSecond(1, out.cases.latency), note, true),
        );
      }
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
