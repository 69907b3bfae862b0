// Runs bench/memory-child.ts in a fresh `node --expose-gc` process and turns its
// report into rows (all in MB, lower is better).

import { execFile } from "node:child_process";
import { join } from "node:path";
import type { MemoryReport } from "../memory-child.js";
import { ROOT } from "./report.js";
import { statusRow, valueRow, type Row } from "./runner.js";

export interface MemoryOptions {
  /** Steps of the peak-RSS training run. */
  steps: number;
  batch: number;
  warmSteps: number;
  countedSteps: number;
  deltaSteps: number;
}

export const MEMORY_PLANS = {
  full: { steps: 300, batch: 256, warmSteps: 3, countedSteps: 3, deltaSteps: 7 },
  quick: { steps: 8, batch: 256, warmSteps: 1, countedSteps: 1, deltaSteps: 2 },
  smoke: { steps: 2, batch: 256, warmSteps: 1, countedSteps: 1, deltaSteps: 1 },
} satisfies Record<string, MemoryOptions>;

export type TrainMode = "eager" | "plan";

export function runMemoryChild(o: MemoryOptions, backend: string, mode: TrainMode): Promise<MemoryReport> {
  const args = [
    "--expose-gc", "--import", "tsx", join(ROOT, "bench", "memory-child.ts"),
    "--steps", String(o.steps), "--batch", String(o.batch), "--warm", String(o.warmSteps),
    "--count-steps", String(o.countedSteps), "--delta-steps", String(o.deltaSteps), "--backend", backend, "--mode", mode,
  ];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: ROOT, maxBuffer: 64 * 2 ** 20, timeout: 20 * 60_000 }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`memory child failed: ${error.message}${stderr ? `\n${stderr.trim().split("\n").slice(-5).join("\n")}` : ""}`));
        return;
      }
      const last = stdout.trim().split("\n").pop() ?? "";
      try {
        resolve(JSON.parse(last) as MemoryReport);
      } catch {
        reject(new Error(`memory child printed no report: ${last.slice(0, 200)}`));
      }
    });
  });
}

const mb = (v: number): string => `${v.toFixed(1)} MB`;

/** The memory rows of eager training and of Plan training, each in its own child process. */
export async function memoryRows(suite: string, backend: string, o: MemoryOptions): Promise<Row[]> {
  return [...(await modeRows(suite, backend, o, "eager")), ...(await modeRows(suite, backend, o, "plan"))];
}

/** The memory rows of one mode (a status row if the child fails). */
async function modeRows(suite: string, backend: string, o: MemoryOptions, mode: TrainMode): Promise<Row[]> {
  const group = "memory";
  const how = mode === "eager" ? "trainStep" : "Plan";
  let r: MemoryReport;
  try {
    r = await runMemoryChild(o, backend, mode);
  } catch (error) {
    return [statusRow(suite, { group, name: `training memory, ${how}` }, backend, "error", (error as Error).message.split("\n")[0]!)];
  }
  const perStep = (v: number): number => v / r.countedSteps;
  const c = r.counted;
  const biggest = c.largest.length === 0 ? "" : `; largest ${c.largest.slice(0, 3).map((b) => mb(b / 2 ** 20)).join(", ")}`;
  const kinds = c.arrays === 0 ? "" : ` (${Object.entries(c.byKind).map(([k, v]) => `${k} ${(v.arrays / r.countedSteps).toFixed(0)}`).join(", ")})`;
  const zeroOk = (row: Row): Row => ({ ...row, zeroIsValid: true });
  const stepMedian = [...r.stepMs].sort((a, b) => a - b)[Math.floor(r.stepMs.length / 2)] ?? NaN;
  const B = r.batch;
  return [
    valueRow(suite, group, `${how}: peak RSS, ${r.steps} training steps (batch ${B}, sampled each step)`, backend, "MB", [r.peakRssSampledMB],
      `RSS before ${mb(r.rssBeforeMB)}, after (gc) ${mb(r.rssAfterMB)}; step median ${stepMedian.toFixed(0)} ms; ${r.data}`),
    valueRow(suite, group, `${how}: max RSS of the process (getrusage high-water mark)`, backend, "MB", [r.maxRssOsMB],
      "includes loading the data and the transient peaks inside a step"),
    // Zero is a legitimate answer here (a Plan allocates nothing per step): reported as measured.
    zeroOk(valueRow(suite, group, `${how}: typed arrays allocated per warm step (counted constructors)`, backend, "MB", [perStep(c.bytes) / 2 ** 20],
      `${perStep(c.arrays).toFixed(0)} arrays${kinds} + ${perStep(c.views).toFixed(0)} views (subarrays) per step${biggest}; ${r.countedSteps} step${r.countedSteps === 1 ? "" : "s"} counted`)),
    zeroOk(valueRow(suite, group, `${how}: memoryUsage().arrayBuffers Δ per step (gc before, none during)`, backend, "MB", r.deltasMB.arrayBuffers,
      "a GC the step triggers hides what it freed, so this can undercount")),
    zeroOk(valueRow(suite, group, `${how}: memoryUsage().heapUsed Δ per step (gc before, none during)`, backend, "MB", r.deltasMB.heapUsed,
      "noisy both ways: a GC inside the step hides garbage; the forced gc() before it makes the step re-create code and feedback it dropped")),
    zeroOk(valueRow(suite, group, `${how}: JS heap allocated per step (v8.GCProfiler: growth + freed by GCs)`, backend, "MB", [r.heapAllocatedPerStepMB],
      `${r.gcsPerStep.toFixed(1)} GCs per step; after the warm run, so optimized code`)),
  ];
}
