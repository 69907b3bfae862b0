// npm run bench [-- --quick | --smoke] [--filter <substring>] [--backend ts|all] [--out file.json]
//
// torchlet's own benchmark suite: the kernels at LeNet's real shapes, the
// end-to-end training step and inference, and memory. Prints a table and
// writes bench/results/<timestamp>.json with the machine and every row.

import { pathToFileURL } from "node:url";
import { kernelCases } from "./cases/kernels.js";
import { poolCases } from "./cases/pools.js";
import { planeCases } from "./cases/planes.js";
import { rowCases } from "./cases/rows.js";
import { e2eCases } from "./cases/e2e.js";
import { selectBackends } from "./lib/backends.js";
import { budgetFor, modeName, parseArgs, USAGE_OPTIONS, type BenchArgs } from "./lib/cli.js";
import { MEMORY_PLANS, memoryRows } from "./lib/memory.js";
import { fmt, formatMachine, formatRows, machineInfo, progressLine, softwareInfo, writeReport, type Report } from "./lib/report.js";
import { filterCases, runCases, statusRow, type BenchCase, type Row } from "./lib/runner.js";
import { annotateRoofline, rooflineCases } from "./lib/roofline.js";

const SUITE = "bench";

/** The whole case list at batch B, for one backend pass. */
export function allCases(B: number, backend = "ts"): BenchCase[] {
  return [...kernelCases(B, backend), ...poolCases(B), ...planeCases(B), ...rowCases(B), ...e2eCases(B), ...rooflineCases(B)];
}

const MEMORY_ENTRY = { group: "memory", name: "training memory: peak RSS, allocations per step" };

/** Adds "N× naive" to each gemm row that has a gemmNaive twin of the same shape. */
function annotateSpeedups(rows: Row[]): void {
  for (const r of rows) {
    if (r.group !== "gemm" || !r.name.startsWith("gemm ") || r.status !== "ok" || r.value === null) continue;
    const twin = rows.find((n) => n.backend === r.backend && n.name === `gemmNaive ${r.name.slice(5)}`);
    if (twin?.status === "ok" && twin.value) r.note = [r.note, `${fmt(r.value / twin.value)}× naive`].filter(Boolean).join("; ");
  }
}

export async function runBench(args: BenchArgs): Promise<{ rows: Row[]; path: string | null }> {
  const budget = budgetFor(args);
  const mode = modeName(args);
  const B = args.batch ?? 256;
  const started = new Date();
  const machine = machineInfo();
  const software = softwareInfo();
  console.log(`torchlet bench — ${mode} mode, batch ${B}`);
  console.log(formatMachine(machine, software));

  const rows: Row[] = [];
  const withMemory = filterCases([MEMORY_ENTRY], args.filter).length > 0;
  for (const backend of selectBackends(args.backend)) {
    const cases = filterCases(allCases(B, backend.name), args.filter);
    const reason = await backend.unavailable();
    if (reason !== null) {
      rows.push(statusRow(SUITE, { group: "backend", name: `all cases on ${backend.name}` }, backend.name, "skipped", reason));
      continue;
    }
    const active = await backend.activate();
    console.error(`running ${cases.length} cases on backend ${backend.name}${withMemory ? " + memory" : ""}…`);
    const options = { suite: SUITE, backend: backend.name, active, budget, quick: args.quick, smoke: args.smoke, onRow: (r: Row) => console.error(progressLine(r)) };
    rows.push(...(await runCases(cases, options)));
    if (withMemory) {
      const plan = { ...MEMORY_PLANS[mode === "full" ? "full" : mode === "quick" ? "quick" : "smoke"], batch: B };
      const memory = await memoryRows(SUITE, backend.name, plan);
      memory.forEach((r) => console.error(progressLine(r)));
      rows.push(...memory);
    }
  }
  annotateSpeedups(rows);
  const roofline = annotateRoofline(rows);

  const finished = new Date();
  console.log("");
  console.log(formatRows(rows));
  console.log("");
  for (const line of roofline) console.log(line);
  const seconds = (finished.getTime() - started.getTime()) / 1000;
  console.log(`\n${rows.length} rows in ${seconds.toFixed(1)} s`);
  let path: string | null = null;
  if (args.json) {
    const report: Report = {
      schema: "torchlet-bench/1", suite: SUITE, mode,
      startedAt: started.toISOString(), finishedAt: finished.toISOString(), durationSeconds: seconds,
      command: [process.execPath, ...process.execArgv, ...process.argv.slice(1)],
      options: { ...args, batch: B, budget },
      machine, software, rows,
    };
    path = writeReport(report, args.out);
    console.log(`JSON: ${path}`);
  }
  return { rows, path };
}

async function main(): Promise<void> {
  let args: BenchArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`bench: ${(error as Error).message}\n\n${USAGE_OPTIONS}`);
    process.exit(2);
  }
  if (args.help) {
    console.log(`Usage: npm run bench -- [options]\n\n${USAGE_OPTIONS}`);
    return;
  }
  const { rows } = await runBench(args);
  if (rows.some((r) => r.status === "error")) process.exitCode = 1;
}

// Run only when executed (not when imported, e.g. for allCases()).
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
