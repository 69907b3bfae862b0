// The case runner: every benchmark is a BenchCase in a list; the runner sets it
// up once (buffers allocated there, never inside run()), times run() with
// tinybench, and turns the samples into a Row.
//
// Backends are a separate dimension: runCases() takes the backend name and
// passes it to setup() in the context, so the same case list can be run once
// per backend (see backends.ts) without the cases knowing how many there are.

import { Bench } from "tinybench";
import { TS_BACKEND, type ActiveBackend, type BenchKernels } from "./backends.js";
import { summarize, type Summary } from "./stats.js";

/** Thrown by setup() or run() when an engine cannot do what the case asks: the row reads "not supported". */
export class NotSupportedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NotSupportedError";
  }
}

/** Thrown by setup() when a case cannot run on this machine (missing optional dependency): the row reads "skipped". */
export class SkipError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SkipError";
  }
}

/** What setup() is told. */
export interface CaseContext {
  /** The backend this pass runs on: "ts", "wasm", or a peer's name. */
  backend: string;
  /** The active backend's kernels (the TypeScript ones for peers). */
  kernels: BenchKernels;
  /** A zeroed buffer from the active backend; released after the case. */
  alloc(length: number): Float32Array;
  allocInt32(length: number): Int32Array;
  /** --quick: keep setup cheap too. */
  quick: boolean;
  /** --smoke: one tiny iteration of everything (the test). */
  smoke: boolean;
}

/** A case after setup: run() is what gets timed; everything it needs is already allocated. */
export interface PreparedCase {
  /** One timed unit of work. May return a promise (awaited and timed). */
  run: () => unknown;
  /** Frees what setup() made (tensors of another library, sessions). */
  teardown?: () => unknown;
  /** Appended to the row's note (e.g. which data set was used). */
  note?: string;
}

/** One benchmark. Exactly one of flops / bytes / examples sets the throughput unit; none means "ms per run". */
export interface BenchCase {
  /** Shown in the table; unique within its group. */
  name: string;
  /** Table section and --filter target: "gemm", "im2col", "conv2d", "pool", "e2e", ... */
  group: string;
  /** Floating-point operations per run(): the row reports GFLOP/s. */
  flops?: number;
  /** Bytes read + written per run(): the row reports GB/s. */
  bytes?: number;
  /** Examples processed per run(): the row reports examples/s. */
  examples?: number;
  /**
   * Time exactly this many iterations (a slow peer), unless the budget fixes a count (--smoke, --iterations).
   * 0: report the first call itself, cold, with no warm-up (a peer too slow for even one extra call).
   */
  fixedIterations?: number;
  /** Never time more than this many iterations (slow reference kernels, slow peers). */
  maxIterations?: number;
  /** Never warm up with more than this many extra iterations (the calibration call is always one). */
  maxWarmup?: number;
  /** A fixed remark for the table (e.g. "3 iterations after 1 warm-up"). */
  note?: string;
  /** Allocates buffers and returns the run() to time. Throw NotSupportedError / SkipError to report instead of time. */
  setup(ctx: CaseContext): PreparedCase | Promise<PreparedCase>;
}

/** How long to spend per case. */
export interface Budget {
  /** Aim for about this much measured time per case... */
  timeMs: number;
  /** ...and this much warm-up. */
  warmupMs: number;
  /** At least this many measured iterations (unless the case cap or maxCaseMs says fewer)... */
  minIterations: number;
  /** ...and at most this many. */
  maxIterations: number;
  /** Hard cap on the measured time of a slow case: iterations ≤ maxCaseMs / (one call). */
  maxCaseMs: number;
  /** Fixed iteration count, overriding everything above (--iterations, --smoke). */
  iterations?: number;
  /** false: no warm-up beyond the calibration call. */
  warmup: boolean;
}

export const BUDGETS = {
  full: { timeMs: 1500, warmupMs: 300, minIterations: 10, maxIterations: 400, maxCaseMs: 8000, warmup: true },
  quick: { timeMs: 120, warmupMs: 40, minIterations: 3, maxIterations: 40, maxCaseMs: 900, warmup: true },
  smoke: { timeMs: 0, warmupMs: 0, minIterations: 1, maxIterations: 1, maxCaseMs: 0, iterations: 1, warmup: false },
} satisfies Record<string, Budget>;

export type RowStatus = "ok" | "not supported" | "skipped" | "error";

/** One line of the report (and one entry of the JSON file's rows). */
export interface Row {
  /** "bench" or "compare". */
  suite: string;
  group: string;
  name: string;
  /** The backend or peer engine the row ran on: "ts", "tfjs-cpu", ... */
  backend: string;
  status: RowStatus;
  /** Unit of value / p25 / p75 / mad: "GFLOP/s", "GB/s", "examples/s", "ms", "MB", ... */
  unit: string;
  /** Whether a larger value is better (throughput) or worse (time, memory). */
  higherIsBetter: boolean;
  /** Median (null unless status is "ok"). */
  value: number | null;
  p25: number | null;
  p75: number | null;
  /** Median absolute deviation, in the same unit. */
  mad: number | null;
  /** Time of one run() in ms (timed rows). */
  ms: Summary | null;
  /** Measured iterations. */
  samples: number;
  /** Warm-up iterations, the calibration call included. */
  warmup: number;
  /** Work per run(). */
  work?: { flops?: number; bytes?: number; examples?: number };
  note?: string;
  /** Zero is a meaningful measurement here (bytes allocated per step by code that allocates nothing). */
  zeroIsValid?: boolean;
  /** Compare suite: torchlet's value ÷ this row's value, keyed by torchlet's backend row ("torchlet-ts"). */
  ratios?: Record<string, number>;
  /** Every measured time in ms (JSON only). */
  samplesMs?: number[];
}

export interface RunOptions {
  suite: string;
  /** The row label of this pass ("ts", "tfjs-cpu", ...). */
  backend: string;
  /** The torchlet backend the kernel cases use (default: the TypeScript kernels). */
  active?: ActiveBackend;
  budget: Budget;
  quick: boolean;
  smoke: boolean;
  /** Called after each row (progress output). */
  onRow?: (row: Row) => void;
}

/** The unit and work amount a case's throughput is reported in. */
function throughputOf(c: BenchCase): { unit: string; perMs: (ms: number) => number; higherIsBetter: boolean } {
  if (c.flops !== undefined) return { unit: "GFLOP/s", perMs: (ms) => c.flops! / ms / 1e6, higherIsBetter: true };
  if (c.bytes !== undefined) return { unit: "GB/s", perMs: (ms) => c.bytes! / ms / 1e6, higherIsBetter: true };
  if (c.examples !== undefined) return { unit: "examples/s", perMs: (ms) => (c.examples! * 1000) / ms, higherIsBetter: true };
  return { unit: "ms", perMs: (ms) => ms, higherIsBetter: false };
}

function isPromiseLike(v: unknown): v is PromiseLike<unknown> {
  return typeof v === "object" && v !== null && typeof (v as { then?: unknown }).then === "function";
}

function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** A row that carries a status and a reason instead of a number. */
export function statusRow(suite: string, c: Pick<BenchCase, "group" | "name">, backend: string, status: RowStatus, note: string, unit = "—"): Row {
  return { suite, group: c.group, name: c.name, backend, status, unit, higherIsBetter: true, value: null, p25: null, p75: null, mad: null, ms: null, samples: 0, warmup: 0, note };
}

/** A row for a number that was measured some other way (memory), with its spread if there is one. */
export function valueRow(suite: string, group: string, name: string, backend: string, unit: string, values: readonly number[], note?: string, higherIsBetter = false): Row {
  const s = summarize(values);
  return { suite, group, name, backend, status: "ok", unit, higherIsBetter, value: s.median, p25: s.p25, p75: s.p75, mad: s.mad, ms: null, samples: s.n, warmup: 0, ...(note ? { note } : {}) };
}

/** Sets up, calibrates, warms up and times one case, then frees it. Never throws: failures become status rows or notes. */
export async function runCase(c: BenchCase, options: RunOptions): Promise<Row> {
  const active = options.active ?? TS_BACKEND;
  const buffers: (Float32Array | Int32Array)[] = [];
  const context: CaseContext = {
    backend: options.backend, kernels: active.kernels, quick: options.quick, smoke: options.smoke,
    alloc: (n) => { const b = active.alloc(n); buffers.push(b); return b; },
    allocInt32: (n) => { const b = active.allocInt32(n); buffers.push(b); return b; },
  };
  let prepared: PreparedCase | undefined;
  let row: Row;
  try {
    prepared = await c.setup(context);
    row = await measure(c, prepared, options);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const status: RowStatus = error instanceof NotSupportedError ? "not supported" : error instanceof SkipError ? "skipped" : "error";
    row = statusRow(options.suite, c, options.backend, status, status === "error" ? message.split("\n")[0]! : message);
  }
  // Clean up; a failure here is worth a note, not the row.
  const problems: string[] = [];
  try {
    await prepared?.teardown?.();
  } catch (error) {
    problems.push(`teardown failed: ${(error as Error).message}`);
  }
  prepared = undefined;
  let unreleased = 0, why = "";
  for (const b of buffers) {
    try {
      active.release(b);
    } catch (error) {
      unreleased++;
      why = (error as Error).message;
    }
  }
  if (unreleased > 0) problems.push(`${unreleased} of ${buffers.length} buffers could not be released (${why})`);
  if (problems.length > 0) row.note = [row.note, ...problems].filter(Boolean).join("; ");
  collectGarbage();
  return row;
}

/** Calibrates, warms up and times a prepared case. */
async function measure(c: BenchCase, prepared: PreparedCase, options: RunOptions): Promise<Row> {
  const { budget } = options;
  const run = prepared.run;
  // Calibration: one call tells how long a call takes (and whether it is async); it is also the first warm-up.
  const t0 = performance.now();
  const first = run();
  const async = isPromiseLike(first);
  if (async) await first;
  const oneMs = Math.max(performance.now() - t0, 1e-3);
  if (c.fixedIterations === 0 && budget.iterations === undefined) return rowFrom(c, prepared, options, [oneMs], 0);

  let iterations: number;
  if (budget.iterations !== undefined) {
    iterations = budget.iterations;
  } else if (c.fixedIterations !== undefined) {
    iterations = c.fixedIterations;
  } else {
    iterations = Math.min(budget.maxIterations, Math.max(budget.minIterations, Math.round(budget.timeMs / oneMs)));
    iterations = Math.min(iterations, Math.max(1, Math.floor(budget.maxCaseMs / oneMs)));
  }
  if (c.maxIterations !== undefined) iterations = Math.min(iterations, c.maxIterations);
  iterations = Math.max(1, iterations);
  let warmup = budget.warmup ? Math.min(20, Math.max(0, Math.ceil(budget.warmupMs / oneMs) - 1)) : 0;
  if (c.maxWarmup !== undefined) warmup = Math.min(warmup, c.maxWarmup);

  collectGarbage();
  // time: 0 so the iteration counts alone decide (tinybench runs until both its time and its iterations are reached).
  const bench = new Bench({ time: 0, iterations, warmup: warmup > 0, warmupIterations: warmup, warmupTime: 0, retainSamples: true, throws: true });
  bench.add(c.name, run, { async });
  await bench.run();
  const result = bench.tasks[0]!.result;
  if (result.state !== "completed" || result.latency.samples === undefined) {
    throw new Error(`tinybench finished in state ${result.state}`);
  }
  return rowFrom(c, prepared, options, [...result.latency.samples], warmup + 1);
}

function rowFrom(c: BenchCase, prepared: PreparedCase, options: RunOptions, samplesMs: number[], warmup: number): Row {
  const { suite, backend } = options;
  const ms = summarize(samplesMs);
  const tp = throughputOf(c);
  const values = summarize(samplesMs.map(tp.perMs));
  const notes = [c.note, prepared.note].filter((n): n is string => typeof n === "string" && n !== "");
  const work: Row["work"] = {};
  if (c.flops !== undefined) work.flops = c.flops;
  if (c.bytes !== undefined) work.bytes = c.bytes;
  if (c.examples !== undefined) work.examples = c.examples;
  return {
    suite, group: c.group, name: c.name, backend, status: "ok",
    unit: tp.unit, higherIsBetter: tp.higherIsBetter,
    value: values.median, p25: values.p25, p75: values.p75, mad: values.mad,
    ms, samples: samplesMs.length, warmup, work,
    ...(notes.length > 0 ? { note: notes.join("; ") } : {}),
    samplesMs,
  };
}

/** Runs every case in order on one backend. */
export async function runCases(cases: readonly BenchCase[], options: RunOptions): Promise<Row[]> {
  const rows: Row[] = [];
  for (const c of cases) {
    const row = await runCase(c, options);
    rows.push(row);
    options.onRow?.(row);
  }
  return rows;
}

/** Cases whose "group name" contains the filter (case-insensitive); all when the filter is empty. */
export function filterCases<T extends { group: string; name: string }>(cases: readonly T[], filter: string | undefined): T[] {
  if (!filter) return [...cases];
  const f = filter.toLowerCase();
  return cases.filter((c) => `${c.group} ${c.name}`.toLowerCase().includes(f));
}
