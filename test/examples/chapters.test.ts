// The d2l chapter examples (examples/softmax-regression.ts, mlp-dropout.ts,
// lenet-batchnorm.ts) run as a user runs them, as child processes through tsx,
// on a small slice: the book's worked values must come out as the book prints
// them, each training loop must print its epoch and summary lines, the loss
// must show the model learning (or, where a slice is too short to learn,
// stay where the book's start puts it), and the --json line must carry the
// figures `npm run accuracy` reads.

import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");
const tsx = join(root, "node_modules/.bin/tsx");

interface Run {
  readonly lines: readonly string[];
  readonly stdout: string;
  readonly epochLosses: readonly number[];
  readonly json: { example: string; epochs: number; dataset: string; trainLoss: number; trainAcc: number; testAcc: number; examplesPerSecond: number; seconds: number };
}

// Runs examples/<name>.ts with `args` and --json; checks the lines every example ends with.
function runExample(name: string, ...args: string[]): Run {
  const r = spawnSync(tsx, [`examples/${name}.ts`, ...args, "--json"], { cwd: root, encoding: "utf8", timeout: 120_000 });
  expect(r.status, r.stderr).toBe(0);
  const lines = r.stdout.trim().split("\n");
  expect(r.stdout).toMatch(/^(fashion-mnist|mnist): \d+ training and \d+ test examples$/m);
  expect(lines.at(-3)).toMatch(/^loss \d+\.\d{3}, train acc [01]\.\d{3}, test acc [01]\.\d{3}$/);
  expect(lines.at(-2)).toMatch(/^\d+\.\d examples\/sec on (wasm|ts) /);
  const epochLosses = [...r.stdout.matchAll(/^epoch \d+: loss (\S+), train acc [01]\.\d{3}, test acc [01]\.\d{3}$/gm)].map((m) => Number(m[1]));
  for (const loss of epochLosses) expect(Number.isFinite(loss)).toBe(true);
  const json = JSON.parse(lines.at(-1)!) as Run["json"];
  expect(json.example).toBe(name);
  expect(json.epochs).toBe(epochLosses.length);
  expect(json.trainLoss.toFixed(3)).toBe(epochLosses.at(-1)!.toFixed(3));
  for (const key of ["trainAcc", "testAcc"] as const) {
    expect(json[key]).toBeGreaterThanOrEqual(0);
    expect(json[key]).toBeLessThanOrEqual(1);
  }
  expect(json.examplesPerSecond).toBeGreaterThan(0);
  return { lines, stdout: r.stdout, epochLosses, json };
}

describe("examples/softmax-regression.ts", () => {
  it("prints the book's worked values, and learns: two epochs of 2 SGD steps take the loss below ln 10 and lower again", () => {
    const run = runExample("softmax-regression", "--limit", "512", "--epochs", "2");
    // The book's outputs: X.sum(0/1, keepdim=True), y_hat[[0, 1], y], cross_entropy = −ln 0.1, −ln 0.5, accuracy 1 of 2.
    expect(run.lines).toContain("X.sum(0, keepdim=True): [[5,7,9]] X.sum(1, keepdim=True): [[6],[15]]");
    expect(run.stdout).toMatch(/^X_prob: \[\[(0\.\d+,){4}0\.\d+\],\[(0\.\d+,){4}0\.\d+\]\] X_prob\.sum\(1\): \[1,1\]$/m);
    expect(run.lines).toContain("y_hat[[0, 1], y]: [0.1,0.5]");
    expect(run.lines).toContain(`cross_entropy(y_hat, y): [${(-Math.log(0.1)).toFixed(4)},${(-Math.log(0.5)).toFixed(4)}]`);
    expect(run.lines).toContain("accuracy(y_hat, y) / len(y): 0.5");
    // Before training: W ~ N(0, 0.01²) guesses, near chance (0.1) on ten classes.
    const before = Number(/^evaluate_accuracy\(net, test_iter\) before training: (\S+)$/m.exec(run.stdout)![1]);
    expect(before).toBeLessThan(0.3);
    const [first, second] = run.epochLosses as [number, number];
    expect(first).toBeLessThan(Math.log(10)); // a uniform guess scores ln 10 ≈ 2.303
    expect(second).toBeLessThan(first);
    expect(run.json.testAcc).toBeGreaterThan(before + 0.1);
  });
});

describe("examples/mlp-dropout.ts", () => {
  it("prints the book's net, starts from a uniform guess and learns within 3 epochs of 16 steps, and its dropout acts in train() only", () => {
    const run = runExample("mlp-dropout", "--limit", "4096", "--epochs", "3");
    expect(run.lines.slice(0, 10)).toEqual([
      "Sequential(",
      "  (0): Flatten()",
      "  (1): Linear(inFeatures=784, outFeatures=256)",
      "  (2): ReLU()",
      "  (3): Dropout(p=0.2)",
      "  (4): Linear(inFeatures=256, outFeatures=256)",
      "  (5): ReLU()",
      "  (6): Dropout(p=0.5)",
      "  (7): Linear(inFeatures=256, outFeatures=10)",
      ")",
    ]);
    const differences = (mode: string): number => Number(new RegExp(`^net\\.${mode}\\(\\): two forwards of one batch differ by up to (\\S+)$`, "m").exec(run.stdout)![1]);
    expect(differences("train")).toBeGreaterThan(0);
    expect(differences("eval")).toBe(0);
    // Weights from N(0, 0.01²) make every logit ≈ 0: the first epoch's loss is ln 10 ≈ 2.303, a uniform guess; then it falls.
    const [first, , third] = run.epochLosses as [number, number, number];
    expect(Math.abs(first - Math.log(10))).toBeLessThan(0.05);
    expect(third).toBeLessThan(first - 0.1);
    expect(run.json.trainAcc).toBeGreaterThan(0.2);
  });
});

describe("examples/lenet-batchnorm.ts", () => {
  it("trains d2l's BatchNorm LeNet: the loss falls within one epoch of 8 steps and the first BatchNorm has learned and tracked", () => {
    const run = runExample("lenet-batchnorm", "--limit", "2048", "--epochs", "1");
    expect(run.stdout).toMatch(/^training on (wasm|ts) /m);
    // BatchNorm lets lr 1.0 learn at once (the plain LeNet idles at ln 10 for hundreds of steps). The test accuracy is
    // not checked: after 8 batches the running statistics (momentum 0.1) are still far from the batches' own.
    expect(run.epochLosses[0]).toBeLessThan(Math.log(10) - 0.2);
    expect(run.json.trainAcc).toBeGreaterThan(0.25);
    const values = (name: string): number[] => /^net\[1\]\.(\S+)(?: \(\w+\))?: \[(.*)\]$/m.exec(run.lines.find((line) => line.startsWith(`net[1].${name}`))!)![2]!.split(", ").map(Number);
    // Six channels each; γ and β moved from their 1 and 0, and the running statistics from their 0 and 1.
    for (const [name, start] of [["weight", 1], ["bias", 0], ["running_mean", 0], ["running_var", 1]] as const) {
      const v = values(name);
      expect(v).toHaveLength(6);
      expect(v.some((x) => x !== start), name).toBe(true);
    }
  });
});
