// Keeps the benchmarks from rotting: runs every case of `npm run bench` and
// `npm run bench:compare` once (--smoke: one timed iteration, compare at batch 8)
// in child processes, exactly as the npm scripts do, and checks every row.
// Timings are not asserted: only that each case ran and produced a finite, positive number.

import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { allCases } from "../../bench/run.js";
import type { Report } from "../../bench/lib/report.js";
import type { Row } from "../../bench/lib/runner.js";

const ROOT = resolve(import.meta.dirname, "..", "..");
const dir = mkdtempSync(join(tmpdir(), "torchlet-bench-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runScript(script: string, out: string): Promise<{ stdout: string; stderr: string; code: number }> {
  // Every backend this tree has: the same case list runs on each.
  const args = ["--expose-gc", "--import", "tsx", join(ROOT, "bench", script), "--smoke", "--backend", "all", "--out", out];
  return new Promise((done) => {
    execFile(process.execPath, args, { cwd: ROOT, maxBuffer: 32 * 2 ** 20, timeout: 110_000 }, (error, stdout, stderr) => {
      done({ stdout, stderr, code: error ? (typeof error.code === "number" ? error.code : 1) : 0 });
    });
  });
}

function checkOkRow(r: Row): void {
  const where = `${r.group} · ${r.name} [${r.backend}]`;
  expect(r.status, `${where}: ${r.note ?? ""}`).toBe("ok");
  // Allocation counts may be exactly 0 (a Plan allocates nothing per step), and a memoryUsage() delta
  // (Δ) may even be negative when a GC inside the step frees more than it allocated; everything else must be > 0.
  const isDelta = r.name.includes("Δ");
  const ok = Number.isFinite(r.value) && (isDelta || (r.zeroIsValid ? r.value! >= 0 : r.value! > 0));
  expect(ok, `${where} value ${r.value}`).toBe(true);
  expect(r.unit, where).not.toBe("");
  if (r.ms !== null) {
    expect(r.samples, where).toBeGreaterThanOrEqual(1);
    expect(Number.isFinite(r.ms.median) && r.ms.median > 0, `${where} ms ${r.ms.median}`).toBe(true);
  }
}

function checkReport(report: Report, suite: string): void {
  expect(report.schema).toBe("torchlet-bench/1");
  expect(report.suite).toBe(suite);
  expect(report.mode).toBe("smoke");
  expect(report.machine.cores).toBeGreaterThan(0);
  expect(report.machine.cpuModel).not.toBe("");
  expect(report.machine.node).toBe(process.version);
  expect(report.software.torchlet).toMatch(/^\d+\.\d+\.\d+/);
  expect(report.command.join(" ")).toContain(`bench`);
}

describe("benchmarks (smoke: every case once)", () => {
  it("npm run bench: every kernel, end-to-end and memory row is a finite positive number", async () => {
    const out = join(dir, "bench.json");
    const { stdout, stderr, code } = await runScript("run.ts", out);
    expect(code, stderr.slice(-2000)).toBe(0);
    expect(stdout).toContain("median");
    const report = JSON.parse(readFileSync(out, "utf8")) as Report;
    checkReport(report, "bench");
    for (const backend of new Set(report.rows.map((r) => r.backend))) {
      const rows = report.rows.filter((r) => r.backend === backend);
      // A backend this tree does not have is one "skipped" row saying why.
      if (backend !== "ts" && rows.length === 1 && rows[0]!.status === "skipped") continue;
      expect(rows.filter((r) => r.group !== "memory").map((r) => r.name), backend).toEqual(allCases(256, backend).map((c) => c.name));
      for (const r of rows) checkOkRow(r);
    }
    expect(report.rows.some((r) => r.backend === "ts")).toBe(true);
    const groups = new Set(report.rows.map((r) => r.group));
    for (const g of ["gemm", "im2col", "conv2d", "pool", "activation", "loss", "e2e", "memory"]) expect(groups, g).toContain(g);
    const memory = report.rows.filter((r) => r.group === "memory" && r.backend === "ts");
    expect(memory.length).toBeGreaterThanOrEqual(12);
    // Peak RSS is never zero; only the per-step allocation rows may be.
    for (const r of memory.filter((m) => m.name.includes("RSS"))) expect(r.value! > 0 && !r.zeroIsValid, r.name).toBe(true);
  }, 120_000);

  it("npm run bench:compare: torchlet, both tfjs backends and ONNX Runtime (web), unsupported work reported as a row", async () => {
    const out = join(dir, "compare.json");
    const { stderr, code } = await runScript("compare.ts", out);
    expect(code, stderr.slice(-2000)).toBe(0);
    const report = JSON.parse(readFileSync(out, "utf8")) as Report;
    checkReport(report, "compare");
    expect(report.peers?.["tfjs-core"]).toBe("4.22.0");
    const engines = new Set(report.rows.map((r) => r.backend));
    expect(report.peers?.["onnxruntime-web"]).toMatch(/^\d+\.\d+\.\d+/);
    for (const e of ["torchlet-ts", "tfjs-cpu", "tfjs-wasm", "onnxruntime-web"]) expect(engines, e).toContain(e);
    expect(report.rows.filter((r) => r.backend === "onnxruntime-web").map((r) => r.group).sort()).toEqual(["inference", "latency b1"]);
    for (const r of report.rows) {
      if (r.backend.startsWith("torchlet-") && r.backend !== "torchlet-ts" && r.group === "peers" && r.status === "skipped") continue;
      // Stock tfjs-wasm has no Conv2DBackpropFilter kernel; if a later version adds it, the row simply becomes a number.
      if (r.backend === "tfjs-wasm" && r.group === "train step" && r.status === "not supported") {
        expect(r.note).toMatch(/not registered/);
        continue;
      }
      checkOkRow(r);
    }
    // Both networks for torchlet, and for PyTorch where it is installed (as in CI); tfjs and ONNX Runtime run d2l's only.
    const modern = (engine: string) => report.rows.filter((r) => r.backend === engine && r.name.startsWith("lenet-modern ")).map((r) => r.group).sort();
    expect(modern("torchlet-ts")).toEqual(["inference", "latency b1", "train step"]);
    if (engines.has("pytorch-1t")) expect(modern("pytorch-1t")).toEqual(["inference", "latency b1", "train step"]);
    for (const e of ["tfjs-cpu", "tfjs-wasm", "onnxruntime-web"]) expect(modern(e), e).toEqual([]);
    // Every torchlet row is compared with every peer that ran the same case.
    const peerRows = report.rows.filter((r) => !r.backend.startsWith("torchlet-") && r.status === "ok");
    expect(peerRows.length).toBeGreaterThanOrEqual(5);
    for (const r of peerRows) expect(Number.isFinite(r.ratios?.["torchlet-ts"]), `${r.name} [${r.backend}]`).toBe(true);
  }, 120_000);
});
