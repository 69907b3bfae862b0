// examples/lenet-d2l.ts (d2l's LeNet chapter in torchlet) run as a user runs it,
// as a child process through tsx, on a small slice: the shape table must be
// the book's, and the training loop must print its epoch and summary lines.

import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { D2L_SHAPE_TABLE } from "../helpers/d2l.js";

const root = resolve(import.meta.dirname, "../..");
const tsx = join(root, "node_modules/.bin/tsx");


describe("examples/lenet-d2l.ts", () => {
  it("prints d2l's shape table, trains one epoch on 512 examples and prints the epoch and final lines", () => {
    const r = spawnSync(tsx, ["examples/lenet-d2l.ts", "--limit", "512", "--epochs", "1"], { cwd: root, encoding: "utf8", timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines.slice(0, D2L_SHAPE_TABLE.length)).toEqual(D2L_SHAPE_TABLE);
    expect(r.stdout).toMatch(/^(fashion-mnist|mnist): 512 training and \d+ test examples$/m);
    expect(r.stdout).toMatch(/^training on (wasm|ts) /m);
    expect(r.stdout).toMatch(/^epoch 1: loss \d+\.\d{3}, train acc [01]\.\d{3}, test acc [01]\.\d{3}$/m);
    expect(r.stdout).toMatch(/^loss \d+\.\d{3}, train acc [01]\.\d{3}, test acc [01]\.\d{3}$/m);
    expect(r.stdout).toMatch(/^\d+\.\d examples\/sec on /m);
    // Two SGD steps of the sigmoid LeNet do not leave the ln 10 ≈ 2.30 plateau (see the example's header).
    const loss = Number(/^epoch 1: loss (\S+),/m.exec(r.stdout)![1]);
    expect(loss).toBeGreaterThan(1.5);
    expect(loss).toBeLessThan(4);
  });

  it("rejects a bad --epochs with a usage message", () => {
    const r = spawnSync(tsx, ["examples/lenet-d2l.ts", "--epochs", "zero"], { cwd: root, encoding: "utf8", timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--epochs must be an integer ≥ 1");
  });
});
