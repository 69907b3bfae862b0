// npm run accuracy: the accuracy figures the README quotes, measured by the CLI
// and by the d2l chapter examples themselves, each checked against its bar.
// The CLI runs:
//   d2l's recipe on Fashion-MNIST   (lenet, SGD lr 0.9, batch 256, 10 epochs)  test acc ≥ 0.77
//   lenet-modern on Fashion-MNIST   (Adam lr 1e-3, batch 256, 10 epochs)       test acc ≥ 0.88
//   lenet-modern on embedded MNIST  (8,000 / 2,000 real digits, Adam lr 1e-3,
//                                    batch 64, 20 epochs: a small set wants more, smaller steps)  test acc ≥ 0.97
// The examples (examples/<name>.ts through tsx, the book's recipe and its 10 epochs, on Fashion-MNIST;
// the bars are issue #14's):
//   softmax-regression ≥ 0.82, mlp-dropout ≥ 0.85, lenet-d2l ≥ 0.77, lenet-batchnorm ≥ 0.84
// Fashion-MNIST comes from Debian: apt-get install -y dataset-fashion-mnist.
// Exits 1 if a run falls short. Pass --quick for one epoch each (no bars checked).
// Each run uses every core (the CLI's default, and the examples' d2l.try_gpu());
// the figures move by a few tenths of a percent with the seed and the thread count.

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const cli = join(root, "dist/cli/main.js");
const quick = process.argv.includes("--quick");

const cliRuns = [
  { name: "d2l LeNet, Fashion-MNIST", bar: 0.77, epochs: 10, args: ["--model", "lenet", "--dataset", "fashion-mnist", "--optimizer", "sgd", "--lr", "0.9", "--batch-size", "256"] },
  { name: "LeNet (ReLU, max-pool), Fashion-MNIST", bar: 0.88, epochs: 10, args: ["--model", "lenet-modern", "--dataset", "fashion-mnist", "--optimizer", "adam", "--lr", "0.001", "--batch-size", "256"] },
  { name: "LeNet (ReLU, max-pool), embedded MNIST", bar: 0.97, epochs: 20, args: ["--model", "lenet-modern", "--dataset", "mnist", "--optimizer", "adam", "--lr", "0.001", "--batch-size", "64"] },
];

// One line per example: examples/<example>.ts, its bar on Fashion-MNIST test accuracy after the example's default epochs (the book's 10, but resnet-small's 4).
const exampleRuns = [
  { example: "softmax-regression", bar: 0.82 },
  { example: "mlp-dropout", bar: 0.85 },
  { example: "lenet-d2l", bar: 0.77 },
  { example: "lenet-batchnorm", bar: 0.84 },
  { example: "resnet-small", bar: 0.9 }, // 4 epochs, Adam: see the example's header
];

// Each run as a command whose last stdout line is JSON with trainAcc and testAcc, and the keys of its training loss and epoch count.
const runs = [
  ...cliRuns.map((run) => ({ name: run.name, bar: run.bar, lossKey: "loss", epochsKey: "epoch", args: [cli, "train", ...run.args, "--epochs", String(quick ? 1 : run.epochs), "--seed", "0", "--json"] })),
  ...exampleRuns.map((run) => ({
    name: `examples/${run.example}.ts`, bar: run.bar, lossKey: "trainLoss", epochsKey: "epochs",
    args: ["--import", "tsx", join(root, "examples", `${run.example}.ts`), "--dataset", "fashion-mnist", ...(quick ? ["--epochs", "1"] : []), "--json"],
  })),
];

if (!existsSync(cli)) {
  console.error("dist/cli/main.js is missing: run npm install (or npm run build) first");
  process.exit(1);
}
let failed = false;
const rows = [];
for (const run of runs) {
  console.error(`$ node ${run.args.map((a) => a.replace(root + "/", "")).join(" ")}`);
  const started = Date.now();
  const result = spawnSync(process.execPath, run.args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  if (result.status !== 0) {
    console.error(`${run.name}: the run failed (exit ${result.status})`);
    failed = true;
    continue;
  }
  const last = JSON.parse(result.stdout.trim().split("\n").at(-1));
  const ok = quick || last.testAcc >= run.bar;
  failed ||= !ok;
  rows.push({ run: run.name, epochs: last[run.epochsKey], loss: last[run.lossKey].toFixed(3), "train acc": last.trainAcc.toFixed(3), "test acc": last.testAcc.toFixed(3), bar: run.bar, ok, seconds: Math.round((Date.now() - started) / 1000) });
}
console.table(rows);
process.exit(failed ? 1 : 0);
