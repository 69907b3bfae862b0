// npm run bench:compare [-- --quick | --smoke] [--filter <substring>] [--batch n] [--out file.json]
//
// torchlet against its peers in one process, on the same images and the same
// initial weights: d2l's LeNet training step (batch 256), inference (batch 256)
// and single-image inference, all in examples/s, with torchlet ÷ peer.
//
//   torchlet-<backend>        this library, eager (every backend --backend names: ts, wasm and wasm-mt on the
//                             relaxed-SIMD build where the runtime has it, wasm-nofma on plain SIMD)
//   torchlet-<backend>-plan   the same through an nn.Plan
//   tfjs-cpu, tfjs-wasm  TensorFlow.js 4.22, plain-JS and WebAssembly backends
//   pytorch-1t, pytorch-Nt  PyTorch on the CPU in a child process, 1 thread and every core (peers/pytorch.ts)
//   onnxruntime-web      ONNX Runtime on WebAssembly, inference only, 1 thread, on torchlet's ONNX export (peers/onnx.ts)
//
// What a peer cannot do is a row ("not supported", "skipped"), never a crash.

import { pathToFileURL } from "node:url";
import { selectBackends, type ActiveBackend } from "./lib/backends.js";
import { budgetFor, modeName, parseArgs, USAGE_OPTIONS, type BenchArgs } from "./lib/cli.js";
import { fmt, formatMachine, formatRows, machineInfo, progressLine, renderTable, softwareInfo, writeReport, type Report } from "./lib/report.js";
import { runCases, statusRow, type BenchCase, type Row } from "./lib/runner.js";
import { compareContext, GROUPS } from "./peers/common.js";
import { ortCases, prepareOrt, ORT_ENGINE } from "./peers/onnx.js";
import { tfjsCases, tfVersions } from "./peers/tfjs.js";
import { torchletCases } from "./peers/torchlet.js";
import { pytorchRows } from "./peers/pytorch.js";

const SUITE = "compare";
const TORCHLET = "torchlet-";

function matches(filter: string | undefined, engine: string, c: { group: string; name: string }): boolean {
  return !filter || `${engine} ${c.group} ${c.name}`.toLowerCase().includes(filter.toLowerCase());
}

/** Records torchlet ÷ peer on every peer row (same group and case name), per torchlet engine. */
function addRatios(rows: Row[]): void {
  const ours = rows.filter((r) => r.backend.startsWith(TORCHLET) && r.status === "ok");
  for (const r of rows) {
    if (r.backend.startsWith(TORCHLET) || r.status !== "ok" || !r.value) continue;
    const ratios: Record<string, number> = {};
    for (const t of ours) if (t.group === r.group && t.name === r.name && t.value) ratios[t.backend] = t.value / r.value;
    if (Object.keys(ratios).length === 0) continue;
    r.ratios = ratios; // shown in the ratio table and kept in the JSON
  }
}

/** Two tables: examples/s per case and engine; then torchlet ÷ peer for every torchlet engine and peer. */
function summaryTables(rows: Row[]): string {
  const engines = [...new Set(rows.filter((r) => r.group !== "peers").map((r) => r.backend))];
  const ours = engines.filter((e) => e.startsWith(TORCHLET));
  const peers = engines.filter((e) => !e.startsWith(TORCHLET));
  const cases = [...new Map(rows.filter((r) => r.group !== "peers").map((r) => [`${r.group}\u0000${r.name}`, r])).values()];
  const find = (e: string, c: Row) => rows.find((x) => x.backend === e && x.group === c.group && x.name === c.name);
  const cell = (r: Row | undefined, text: (r: Row) => string) => (r === undefined ? "—" : r.status !== "ok" ? r.status : text(r));
  const values = renderTable(
    ["examples/s", ...engines],
    cases.map((c) => [c.name, ...engines.map((e) => cell(find(e, c), (r) => fmt(r.value)))]),
    [false, ...engines.map(() => true)],
  );
  const ratioRows: string[][] = [];
  for (const c of cases) {
    ours.forEach((o, i) => {
      ratioRows.push([i === 0 ? c.name : "", o, ...peers.map((p) => cell(find(p, c), (r) => (r.ratios?.[o] === undefined ? "—" : `${fmt(r.ratios[o])}×`)))]);
    });
  }
  const ratios = renderTable(["torchlet ÷ peer (> 1: torchlet faster)", "torchlet", ...peers], ratioRows, [false, false, ...peers.map(() => true)]);
  return `${values}\n\n${ratios}`;
}

export async function runCompare(args: BenchArgs): Promise<{ rows: Row[]; path: string | null }> {
  const budget = budgetFor(args);
  const mode = modeName(args);
  const B = args.batch ?? (args.smoke ? 8 : 256);
  const started = new Date();
  const machine = machineInfo();
  const software = softwareInfo();
  console.log(`torchlet bench:compare — ${mode} mode, batch ${B}`);
  console.log(formatMachine(machine, software));

  // The reference logits every engine is checked against come from the TypeScript kernels.
  await selectBackends("ts")[0]!.activate();
  const ctx = compareContext(B, args.quick, args.smoke);
  const rows: Row[] = [];
  const run = async (engine: string, cases: BenchCase[], active?: ActiveBackend) => {
    const selected = cases.filter((c) => matches(args.filter, engine, c));
    if (selected.length === 0) return;
    console.error(`running ${selected.length} cases on ${engine}…`);
    rows.push(...(await runCases(selected, { suite: SUITE, backend: engine, ...(active ? { active } : {}), budget, quick: args.quick, smoke: args.smoke, onRow: (r) => console.error(progressLine(r)) })));
  };

  // torchlet on each backend asked for (default: every backend this tree has).
  for (const backend of selectBackends(args.backend)) {
    const reason = await backend.unavailable();
    if (reason !== null) {
      rows.push(statusRow(SUITE, { group: "peers", name: "torchlet" }, TORCHLET + backend.name, "skipped", reason));
      continue;
    }
    const active = await backend.activate();
    await run(TORCHLET + backend.name, torchletCases(ctx, "eager"), active);
    await run(`${TORCHLET}${backend.name}-plan`, torchletCases(ctx, "plan"), active);
  }
  await run("tfjs-cpu", tfjsCases(ctx, "cpu"));
  await run("tfjs-wasm", tfjsCases(ctx, "wasm"));

  if (matches(args.filter, "pytorch", { group: `${GROUPS.train} ${GROUPS.infer} ${GROUPS.latency} peers`, name: "pytorch" })) {
    console.error("running PyTorch (child process)…");
    const seconds = args.smoke ? 0 : args.quick ? 0.5 : 3;
    rows.push(...pytorchRows(ctx, SUITE, seconds));
  }

  let ortVersion: string | undefined;
  if (matches(args.filter, ORT_ENGINE, { group: `${GROUPS.infer} ${GROUPS.latency}`, name: "LeNet inference" })) {
    const { model, version } = prepareOrt(ctx);
    ortVersion = version;
    await run(ORT_ENGINE, ortCases(ctx, model));
  }
  addRatios(rows);

  const finished = new Date();
  const seconds = (finished.getTime() - started.getTime()) / 1000;
  console.log("");
  console.log(formatRows(rows));
  console.log("");
  console.log(summaryTables(rows));
  console.log(`\n${rows.length} rows in ${seconds.toFixed(1)} s; data: ${ctx.dataNote}; same initial weights in every engine`);
  let path: string | null = null;
  if (args.json) {
    const report: Report = {
      schema: "torchlet-bench/1", suite: SUITE, mode,
      startedAt: started.toISOString(), finishedAt: finished.toISOString(), durationSeconds: seconds,
      command: [process.execPath, ...process.execArgv, ...process.argv.slice(1)],
      options: { ...args, batch: B, budget },
      machine, software, peers: { ...(await tfVersions()), ...(ortVersion ? { [ORT_ENGINE]: ortVersion } : {}) }, rows,
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
    console.error(`bench:compare: ${(error as Error).message}\n\n${USAGE_OPTIONS}`);
    process.exit(2);
  }
  if (args.help) {
    console.log(`Usage: npm run bench:compare -- [options]\n\n${USAGE_OPTIONS}`);
    return;
  }
  const { rows } = await runCompare(args);
  if (rows.some((r) => r.status === "error")) process.exitCode = 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
