// The memory measurements, run in a child process of their own (bench/lib/memory.ts
// starts it with --expose-gc) so that nothing the other benchmarks allocated
// shows up in its RSS. Prints one JSON object (MemoryReport) on stdout.
//
//   node --expose-gc --import tsx bench/memory-child.ts --steps 300 --batch 256 [--backend ts] [--mode eager|plan]
//
// --mode eager trains with trainStep (autograd), --mode plan with nn.Plan.
//
// 1. peak RSS: `process.memoryUsage().rss` sampled after every step of a
//    training run, plus the kernel's high-water mark (getrusage maxRSS).
// 2. typed-array bytes per warm step, counted by wrapping the constructors.
// 3. `process.memoryUsage()` deltas over single steps, gc() before each.
// 4. JS-heap bytes allocated per step: heap growth plus everything each GC
//    freed meanwhile (v8.GCProfiler), which counts garbage a delta misses.

import v8 from "node:v8";
import { trainStep, optim, Generator, lenet } from "../src/index.js";
import { FASHION_MNIST_CLASSES } from "../src/data/dataset.js";
import { loadIdxDataset, loadBundledMnist, DEFAULT_FASHION_MNIST_DIR } from "../src/data/files.js";
import { countAllocations, type AllocationCounts } from "./lib/alloc-counter.js";
import { selectBackends } from "./lib/backends.js";
import { batchesOf, type BenchData } from "./lib/data.js";
import { lenetPlan } from "./cases/e2e.js";

export interface MemoryReport {
  /** "eager" (trainStep) or "plan" (nn.Plan). */
  mode: string;
  data: string;
  batch: number;
  warmSteps: number;
  /** Steps of the peak-RSS run. */
  steps: number;
  stepMs: number[];
  rssBeforeMB: number;
  rssAfterMB: number;
  /** Every RSS sample of the run, MB. */
  rssSamplesMB: number[];
  peakRssSampledMB: number;
  /** getrusage's maxRSS for the whole child process, MB. */
  maxRssOsMB: number;
  countedSteps: number;
  counted: AllocationCounts;
  deltaSteps: number;
  /** Per-step deltas of process.memoryUsage(), MB, gc() before each step. */
  deltasMB: { rss: number[]; heapUsed: number[]; external: number[]; arrayBuffers: number[] };
  heapAllocatedPerStepMB: number;
  gcsPerStep: number;
}

const MB = 2 ** 20;

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer`);
  return v;
}

// The smaller test split (10,000 images) is enough for a few batches and keeps
// the data's own memory out of the way; the embedded MNIST if Fashion-MNIST is missing.
function loadData(count: number): BenchData {
  let name: string, images: Float32Array, labels: Int32Array, note: string;
  try {
    ({ name, images, labels } = loadIdxDataset(DEFAULT_FASHION_MNIST_DIR, "test", "fashion-mnist", FASHION_MNIST_CLASSES));
    note = "Fashion-MNIST";
  } catch {
    ({ name, images, labels } = loadBundledMnist().test);
    note = "embedded MNIST";
  }
  const n = Math.min(count, labels.length);
  return { name, images: images.slice(0, n * 784), labels: labels.slice(0, n), count: n, note };
}

async function main(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with node --expose-gc");
  const steps = option("--steps", 300);
  const B = option("--batch", 256);
  const warmSteps = option("--warm", 3);
  const countedSteps = option("--count-steps", 3);
  const deltaSteps = option("--delta-steps", 5);
  const text = (name: string, fallback: string): string => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1]! : fallback;
  };
  for (const backend of selectBackends(text("--backend", "ts"))) await backend.activate();
  const mode = text("--mode", "eager");
  if (mode !== "eager" && mode !== "plan") throw new Error(`--mode must be eager or plan, got ${mode}`);

  const data = loadData(8 * B);
  const batches = batchesOf(data, B, 8);
  const net = lenet({ generator: new Generator(0) });
  const optimizer = new optim.SGD(net.parameters(), { lr: 0.9 });
  const plan = mode === "plan" ? lenetPlan(net, B) : null;
  let i = 0;
  const step = (): number => {
    const b = batches[i++ % batches.length]!;
    if (plan === null) return trainStep(net, optimizer, b.x, b.labels).loss;
    plan.input.set(b.pixels);
    plan.labels.set(b.labels);
    return plan.trainStep(optimizer, B).loss;
  };

  for (let s = 0; s < warmSteps; s++) step();

  // 1. Peak RSS over a training run, sampled every step.
  gc();
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const rssSamples: number[] = [];
  const stepMs: number[] = [];
  for (let s = 0; s < steps; s++) {
    const t0 = performance.now();
    step();
    stepMs.push(performance.now() - t0);
    const rss = process.memoryUsage().rss;
    rssSamples.push(rss / MB);
    if (rss > peak) peak = rss;
  }
  gc();
  const rssAfter = process.memoryUsage().rss;

  // 2. Typed arrays allocated by warm steps.
  const { counts } = countAllocations(() => {
    for (let s = 0; s < countedSteps; s++) step();
  });

  // 3. memoryUsage() deltas of single steps.
  const deltas = { rss: [] as number[], heapUsed: [] as number[], external: [] as number[], arrayBuffers: [] as number[] };
  for (let s = 0; s < deltaSteps; s++) {
    gc();
    const m0 = process.memoryUsage();
    step();
    const m1 = process.memoryUsage();
    deltas.rss.push((m1.rss - m0.rss) / MB);
    deltas.heapUsed.push((m1.heapUsed - m0.heapUsed) / MB);
    deltas.external.push((m1.external - m0.external) / MB);
    deltas.arrayBuffers.push((m1.arrayBuffers - m0.arrayBuffers) / MB);
  }

  // 4. JS heap allocated: growth + what every GC in between freed.
  gc();
  const h0 = v8.getHeapStatistics().used_heap_size;
  const profiler = new v8.GCProfiler();
  profiler.start();
  for (let s = 0; s < deltaSteps; s++) step();
  const profile = profiler.stop();
  let heapAllocated = v8.getHeapStatistics().used_heap_size - h0;
  for (const g of profile.statistics) heapAllocated += g.beforeGC.heapStatistics.usedHeapSize - g.afterGC.heapStatistics.usedHeapSize;

  plan?.dispose();
  const report: MemoryReport = {
    mode,
    data: data.note,
    batch: B,
    warmSteps,
    steps,
    stepMs,
    rssBeforeMB: rssBefore / MB,
    rssAfterMB: rssAfter / MB,
    rssSamplesMB: rssSamples,
    peakRssSampledMB: peak / MB,
    maxRssOsMB: (process.resourceUsage().maxRSS * 1024) / MB,
    countedSteps,
    counted: counts,
    deltaSteps,
    deltasMB: deltas,
    heapAllocatedPerStepMB: heapAllocated / deltaSteps / MB,
    gcsPerStep: profile.statistics.length / deltaSteps,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

await main();
