#!/usr/bin/env node
// Long-run memory check: trains LeNet for 10 epochs through exactly the path
// `torchlet train` takes (trainCommand from the built CLI: Plan, DataLoader,
// optimizer, per-epoch test evaluation), records RSS and heap after every
// epoch (after a full GC when node runs with --expose-gc), prints a table, and
// exits 1 if RSS after the last epoch is not within 10% of RSS after epoch 1.
//
//   npm run long-run                              # embedded MNIST (8,000 train digits), 10 epochs
//   npm run long-run -- --dataset fashion-mnist   # 60,000 Fashion-MNIST images (apt-get install dataset-fashion-mnist)
//   npm run long-run -- --epochs 20 --backend ts --threads 1 --json
//
// Run it with `npm run long-run` (which builds first and passes --expose-gc).

import { parseArgs } from "node:util";
import { trainCommand } from "../dist/cli/commands.js";
import { setBackend } from "../dist/backend/index.js";
import { setThreads, defaultThreads } from "../dist/backend/threads.js";

const { values: args } = parseArgs({
  options: {
    dataset: { type: "string", default: "mnist" },
    fashion: { type: "boolean", default: false },
    epochs: { type: "string", default: "10" },
    backend: { type: "string", default: "wasm" },
    threads: { type: "string" },
    tolerance: { type: "string", default: "0.10" },
    json: { type: "boolean", default: false },
  },
});
const dataset = args.fashion ? "fashion-mnist" : args.dataset;
const epochs = Number(args.epochs);
const tolerance = Number(args.tolerance);
if (!["mnist", "fashion-mnist"].includes(dataset) || !Number.isInteger(epochs) || epochs < 2 || !(tolerance > 0)) {
  console.error("usage: long-run.mjs [--dataset mnist|fashion-mnist | --fashion] [--epochs N ≥ 2] [--backend wasm|ts] [--threads N] [--tolerance 0.10] [--json]");
  process.exit(2);
}
if (args.backend === "ts") setBackend("ts");
else setThreads(args.threads === undefined ? defaultThreads() : Number(args.threads));

const MiB = 2 ** 20;
const gc = globalThis.gc;
const samples = [];
const sample = (label, record) => {
  gc?.();
  const m = process.memoryUsage();
  samples.push({ label, epoch: record?.epoch ?? 0, loss: record?.loss, testAcc: record?.testAcc, seconds: record?.seconds, rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers });
};

sample("start");
const quiet = { write() {} };
const started = performance.now();
trainCommand(
  { model: "lenet", dataset, epochs, batchSize: 256, lr: 0.003, optimizer: "adam", momentum: 0, weightDecay: 0, seed: 0, json: true },
  { out: quiet, err: quiet },
  { onEpoch: (record) => sample(`epoch ${record.epoch}`, record) },
);
const minutes = (performance.now() - started) / 60000;

const first = samples[1], last = samples[samples.length - 1];
const growth = (last.rss - first.rss) / first.rss;
const ok = Math.abs(growth) <= tolerance;
if (args.json) {
  console.log(JSON.stringify({ dataset, epochs, backend: args.backend, gcExposed: gc !== undefined, samples, rssGrowth: growth, ok }));
} else {
  const mb = (bytes) => (bytes / MiB).toFixed(1).padStart(8);
  console.log(`long run: lenet + Adam on ${dataset}, ${epochs} epochs, ${args.backend === "ts" ? "TypeScript kernels" : `wasm on ${args.threads ?? defaultThreads()} thread(s)`}, node ${process.version}${gc ? ", after a full GC each epoch" : " (run with --expose-gc for stable figures)"}`);
  console.log("");
  console.log("| after    |   loss | test acc | seconds |  RSS MiB | heap used MiB | heap total MiB | external MiB | array buffers MiB |");
  console.log("| -------- | -----: | -------: | ------: | -------: | ------------: | -------------: | -----------: | ----------------: |");
  for (const s of samples) {
    const cells = [s.label.padEnd(8), s.loss === undefined ? "      " : s.loss.toFixed(3).padStart(6), s.testAcc === undefined ? "        " : s.testAcc.toFixed(3).padStart(8), s.seconds === undefined ? "       " : s.seconds.toFixed(1).padStart(7), mb(s.rss), mb(s.heapUsed).padStart(13), mb(s.heapTotal).padStart(14), mb(s.external).padStart(12), mb(s.arrayBuffers).padStart(17)];
    console.log(`| ${cells.join(" | ")} |`);
  }
  console.log("");
  console.log(`RSS after epoch ${last.epoch} is ${(last.rss / MiB).toFixed(1)} MiB vs ${(first.rss / MiB).toFixed(1)} MiB after epoch 1: ${growth >= 0 ? "+" : ""}${(growth * 100).toFixed(1)}% (limit ±${(tolerance * 100).toFixed(0)}%) — ${ok ? "OK" : "FAIL"}; ${minutes.toFixed(1)} min in all`);
}
process.exit(ok ? 0 : 1);
