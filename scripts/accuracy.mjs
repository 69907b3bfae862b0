// npm run accuracy: the accuracy figures the README quotes, measured by the CLI
// itself. Three runs, each checked against its bar:
//   d2l's recipe on Fashion-MNIST   (lenet, SGD lr 0.9, batch 256, 10 epochs)  test acc ≥ 0.77
//   lenet-modern on Fashion-MNIST   (Adam lr 1e-3, batch 256, 10 epochs)       test acc ≥ 0.88
//   lenet-modern on embedded MNIST  (8,000 / 2,000 real digits, Adam lr 1e-3,
//                                    batch 64, 20 epochs: a small set wants more, smaller steps)  test acc ≥ 0.97
// Fashion-MNIST comes from Debian: apt-get install -y dataset-fashion-mnist.
// Exits 1 if a run falls short. Pass --quick for one epoch each (no bars checked).
// Each run uses every core (the CLI's default); the figures move by a few tenths
// of a percent with the seed and the thread count.

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const cli = join(root, "dist/cli/main.js");
const quick = process.argv.includes("--quick");

const runs = [
  { name: "d2l LeNet, Fashion-MNIST", bar: 0.77, epochs: 10, args: ["--model", "lenet", "--dataset", "fashion-mnist", "--optimizer", "sgd", "--lr", "0.9", "--batch-size", "256"] },
  { name: "LeNet (ReLU, max-pool), Fashion-MNIST", bar: 0.88, epochs: 10, args: ["--model", "lenet-modern", "--dataset", "fashion-mnist", "--optimizer", "adam", "--lr", "0.001", "--batch-size", "256"] },
  { name: "LeNet (ReLU, max-pool), embedded MNIST", bar: 0.97, epochs: 20, args: ["--model", "lenet-modern", "--dataset", "mnist", "--optimizer", "adam", "--lr", "0.001", "--batch-size", "64"] },
];

if (!existsSync(cli)) {
  console.error("dist/cli/main.js is missing: run npm install (or npm run build) first");
  process.exit(1);
}
let failed = false;
const rows = [];
for (const run of runs) {
  const epochs = quick ? 1 : run.epochs;
  const args = [cli, "train", ...run.args, "--epochs", String(epochs), "--seed", "0", "--json"];
  console.error(`$ node ${args.map((a) => a.replace(root + "/", "")).join(" ")}`);
  const started = Date.now();
  const result = spawnSync(process.execPath, args, { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  if (result.status !== 0) {
    console.error(`${run.name}: the CLI failed (exit ${result.status})`);
    failed = true;
    continue;
  }
  const last = result.stdout.trim().split("\n").map((line) => JSON.parse(line)).at(-1);
  const ok = quick || last.testAcc >= run.bar;
  failed ||= !ok;
  rows.push({ run: run.name, epochs, loss: last.loss.toFixed(3), "train acc": last.trainAcc.toFixed(3), "test acc": last.testAcc.toFixed(3), bar: run.bar, ok, seconds: Math.round((Date.now() - started) / 1000) });
}
console.table(rows);
process.exit(failed ? 1 : 0);
