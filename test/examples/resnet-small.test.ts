// examples/resnet-small.ts (d2l 8.6's ResNet, scaled to 28×28) run as a user runs it,
// through its npm script, on a small slice: the layer-by-layer shape table must be
// this network's (the book's table at 28×28), and the training loop must print its
// epoch and summary lines.

import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");

// Shape by shape, worked out by hand: the 3×3 stem keeps 28×28 (padding 1, stride 1) and its 3×3 stride-2
// max-pool (padding 1) halves it, ⌊(28 + 2 − 3)/2⌋ + 1 = 14; b2 keeps 14×14; b3 and b4 open with a stride-2
// Residual, ⌊(14 + 2 − 3)/2⌋ + 1 = 7 and ⌊(7 + 2 − 3)/2⌋ + 1 = 4; then global pooling.
const SHAPE_TABLE = [
  "Sequential output shape:\t [1, 16, 14, 14]",
  "Sequential output shape:\t [1, 16, 14, 14]",
  "Sequential output shape:\t [1, 32, 7, 7]",
  "Sequential output shape:\t [1, 64, 4, 4]",
  "AdaptiveAvgPool2d output shape:\t [1, 64, 1, 1]",
  "Flatten output shape:\t [1, 64]",
  "Linear output shape:\t [1, 10]",
];

describe("examples/resnet-small.ts", () => {
  // On the embedded MNIST digits (2,000 test images; Fashion-MNIST's 10,000 would be most of the run's time).
  it("prints the ResNet shape table, trains one epoch on 256 examples and prints the epoch and final lines", () => {
    const args = ["run", "--silent", "example:resnet-small", "--", "--limit", "256", "--epochs", "1", "--dataset", "mnist", "--json"];
    const r = spawnSync("npm", args, { cwd: root, encoding: "utf8", timeout: 150_000 });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines.slice(0, SHAPE_TABLE.length)).toEqual(SHAPE_TABLE);
    expect(r.stdout).toMatch(/^mnist: 256 training and 2000 test examples$/m);
    expect(r.stdout).toMatch(/^training on (wasm|ts) /m);
    expect(r.stdout).toMatch(/^epoch 1: loss \d+\.\d{3}, train acc [01]\.\d{3}, test acc [01]\.\d{3}$/m);
    expect(r.stdout).toMatch(/^loss \d+\.\d{3}, train acc [01]\.\d{3}, test acc [01]\.\d{3}$/m);
    expect(r.stdout).toMatch(/^\d+\.\d examples\/sec on /m);
    const result = JSON.parse(lines.filter((line) => line.startsWith("{")).at(-1)!);
    expect(result).toMatchObject({ example: "resnet-small", epochs: 1, dataset: "mnist" });
    // Two Adam steps from Xavier-initialised weights: the loss is finite and near ln 10 ≈ 2.30, not diverged.
    expect(result.trainLoss).toBeGreaterThan(0.5);
    expect(result.trainLoss).toBeLessThan(5);
  }, 150_000);
});
