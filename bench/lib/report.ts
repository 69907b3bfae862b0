// Reporting: the machine a run happened on, the stdout table, and the JSON file
// bench/results/<timestamp>.json (git-ignored).

import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem, platform, release, arch } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Row } from "./runner.js";
import { relaxedSimdSupported } from "../../src/backend/wasm.js";

/** The repository root (bench/lib/../..). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  totalMemoryGiB: number;
  platform: string;
  arch: string;
  osRelease: string;
  node: string;
  v8: string;
}

export interface SoftwareInfo {
  torchlet: string;
  gitCommit: string | null;
  /** Uncommitted changes in the work tree when the run started (null when git is unavailable). */
  gitDirty: boolean | null;
  /** The WebAssembly build the wasm rows run: "relaxed SIMD" (fused multiply-add) or "SIMD". */
  wasmBuild: string;
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim() ?? "unknown",
    cores: list.length,
    totalMemoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    platform: platform(),
    arch: arch(),
    osRelease: release(),
    node: process.version,
    v8: process.versions.v8,
  };
}

function git(args: string[]): string | null {
  try {
    return execFileSync("git", args, { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 5000 }).trim();
  } catch {
    return null;
  }
}

export function softwareInfo(): SoftwareInfo {
  let torchlet = "unknown";
  try {
    torchlet = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version?: string }).version ?? "unknown";
  } catch {
    // keep "unknown"
  }
  const status = git(["status", "--porcelain", "--untracked-files=no"]);
  return { torchlet, gitCommit: git(["rev-parse", "HEAD"]), gitDirty: status === null ? null : status !== "", wasmBuild: relaxedSimdSupported() ? "relaxed SIMD" : "SIMD" };
}

/** A number with about three significant digits, thousands grouped. */
export function fmt(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "—";
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString("en-US");
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  if (a === 0) return "0";
  return v.toPrecision(3);
}

function pad(s: string, width: number, right: boolean): string {
  const len = [...s].length;
  if (len >= width) return s;
  return right ? " ".repeat(width - len) + s : s + " ".repeat(width - len);
}

/** Renders rows as a text table with column widths fitted to the content. */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[], rightAligned: readonly boolean[]): string {
  const widths = headers.map((h, i) => Math.max([...h].length, ...rows.map((r) => [...(r[i] ?? "")].length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => pad(c, widths[i]!, rightAligned[i] ?? false)).join("  ").trimEnd();
  return [line(headers), widths.map((w) => "─".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

function spread(r: Row): string {
  if (r.status !== "ok" || r.p25 === null || r.p75 === null) return "";
  if (r.samples < 2) return "";
  return `${fmt(r.p25)}–${fmt(r.p75)}`;
}

function madPercent(r: Row): string {
  if (r.status !== "ok" || r.mad === null || r.value === null || r.value === 0 || r.samples < 2) return "";
  return `±${((r.mad / Math.abs(r.value)) * 100).toFixed(1)}%`;
}

/** The stdout table: one section per group; median, p25–p75 and ±MAD of the row's unit, ms per run, sample count. */
export function formatRows(rows: readonly Row[]): string {
  const headers = ["group", "case", "backend", "median", "unit", "p25–p75", "±MAD", "ms/run", "n", "note"];
  const right = [false, false, false, true, false, true, true, true, true, false];
  const body: string[][] = [];
  let lastGroup = "";
  for (const r of rows) {
    const group = r.group === lastGroup ? "" : r.group;
    lastGroup = r.group;
    if (r.status !== "ok") {
      body.push([group, r.name, r.backend, r.status, "", "", "", "", "", r.note ?? ""]);
      continue;
    }
    body.push([
      group, r.name, r.backend, fmt(r.value), r.unit, spread(r), madPercent(r),
      r.ms ? fmt(r.ms.median) : "", String(r.samples), r.note ?? "",
    ]);
  }
  return renderTable(headers, body, right);
}

export function formatMachine(m: MachineInfo, s: SoftwareInfo): string {
  const commit = s.gitCommit === null ? "unknown commit" : `${s.gitCommit.slice(0, 12)}${s.gitDirty ? " (+ uncommitted changes)" : ""}`;
  return `${m.cpuModel}, ${m.cores} cores, ${m.totalMemoryGiB} GiB · Node ${m.node} (V8 ${m.v8}) · ${m.platform}/${m.arch} · torchlet ${s.torchlet} @ ${commit} · wasm rows: ${s.wasmBuild}`;
}

export interface Report {
  schema: "torchlet-bench/1";
  suite: string;
  mode: string;
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  command: string[];
  options: Record<string, unknown>;
  machine: MachineInfo;
  software: SoftwareInfo;
  /** Versions of the peer libraries a comparison ran against. */
  peers?: Record<string, string>;
  rows: Row[];
}

/** Writes the report as JSON: to `out`, or bench/results/<timestamp>[-suite].json. Returns the path. */
export function writeReport(report: Report, out: string | undefined): string {
  const stamp = report.startedAt.replace(/[:.]/g, "-");
  const path = out !== undefined ? resolve(out) : join(ROOT, "bench", "results", `${stamp}${report.suite === "bench" ? "" : `-${report.suite}`}.json`);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
  return path;
}

/** One progress line on stderr while a suite runs, so a long run shows signs of life. */
export function progressLine(r: Row): string {
  const what = `${r.group} · ${r.name} [${r.backend}]`;
  if (r.status !== "ok") return `  ${what}: ${r.status}${r.note ? ` (${r.note})` : ""}`;
  return `  ${what}: ${fmt(r.value)} ${r.unit}${r.ms ? ` (${fmt(r.ms.median)} ms × ${r.samples})` : ""}`;
}
