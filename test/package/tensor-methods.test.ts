// The Tensor methods (src/ops/methods.ts) are installed by a module-evaluation side
// effect, so they must survive packaging: package.json's "sideEffects" names the file
// (dist and src), and the built package and the browser bundle (both from
// `npm run build`) give tensors that have them.

import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { sideEffects: string[] };

type Built = typeof import("../../src/index.js");

async function load(path: string): Promise<Built> {
  expect(existsSync(join(root, path)), `${path}: run \`npm run build\` first`).toBe(true);
  return (await import(pathToFileURL(join(root, path)).href)) as Built;
}

describe("Tensor methods in the built package", () => {
  it("package.json's sideEffects names the file that installs them, in dist and src, and both exist", () => {
    expect(pkg.sideEffects).toEqual(expect.arrayContaining(["./dist/ops/methods.js", "./src/ops/methods.ts"]));
    for (const path of pkg.sideEffects) expect(existsSync(join(root, path)), path).toBe(true);
  });

  it.each(["dist/index.js", "dist/browser/torchlet.js"])("%s: tensors have the methods and x.T", async (path) => {
    const t = await load(path);
    const x = t.tensor([[1, 2], [3, 4]], { requiresGrad: true });
    expect(x.T.toArray()).toEqual([[1, 3], [2, 4]]);
    const loss = x.matmul(x.T).relu().sum();
    expect(loss.item()).toBe(5 + 11 + 11 + 25);
    loss.backward();
    expect(x.grad!.toArray()).toEqual([[8, 12], [8, 12]]);
    expect(Object.keys(t.TENSOR_METHODS).every((name) => typeof (x as unknown as Record<string, unknown>)[name] === "function")).toBe(true);
  });

  it("dist/node.js alone (no import of torchlet's main entry) installs them too: tensors from load() have them", () => {
    // A fresh process, so nothing else has installed them: a tensor made through dist's own tensor module.
    const script = 'await import("./dist/node.js"); const { tensor } = await import("./dist/tensor/create.js"); const x = tensor([[1, 2], [3, 4]]); console.log(JSON.stringify([typeof x.add, x.T.toArray()]));';
    const before = spawnSync(process.execPath, ["--input-type=module", "-e", script.replace('await import("./dist/node.js"); ', "")], { cwd: root, encoding: "utf8" });
    expect(before.stderr, "without dist/node.js, no methods (the premise)").toContain("TypeError");
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: root, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe('["function",[[1,3],[2,4]]]');
  });
});
