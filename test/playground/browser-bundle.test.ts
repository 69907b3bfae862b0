// The core entry (src/index.ts) bundled for the browser the way `npm run build`
// makes dist/browser/torchlet.js (vite.browser.config.ts): it must pull in
// nothing from Node, and the bundle must work on its own.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build, type Rollup } from "vite";
import { isNodeBuiltin } from "../../vite.browser.config.js";

const root = resolve(import.meta.dirname, "../..");
const config = join(root, "vite.browser.config.ts");
let work: string;

async function bundle(entry: string): Promise<Rollup.OutputChunk> {
  const result = await build({
    configFile: config,
    logLevel: "silent",
    build: { write: false, emptyOutDir: false, outDir: join(work, "out"), lib: { entry: join(root, entry) } }, // merged into the config's lib (arrays there would be concatenated, so no formats here)
  });
  const outputs = (Array.isArray(result) ? result : [result]) as Rollup.RollupOutput[];
  const chunks = outputs.flatMap((o) => o.output).filter((o): o is Rollup.OutputChunk => o.type === "chunk");
  expect(chunks).toHaveLength(1);
  return chunks[0]!;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "torchlet-browser-"));
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("the browser bundle of src/index.ts", () => {
  let chunk: Rollup.OutputChunk;
  beforeAll(async () => {
    chunk = await bundle("src/index.ts");
  }, 120_000);

  it("pulls in no Node builtin and nothing outside src/ (the build's node-free guard passed)", () => {
    const modules = chunk.moduleIds.filter((id) => !id.startsWith("\0")).map((id) => relative(root, id));
    expect(modules.length).toBeGreaterThan(20);
    expect(modules.filter((m) => !m.startsWith("src/"))).toEqual([]);
    expect(modules.filter(isNodeBuiltin)).toEqual([]);
    // Node-only modules of the library stay out: files, datasets on disk, image files (and the PNG library), Node's threads
    // (worker_threads; the browser's, backend/threads-web.ts, is in), the CLI.
    expect(modules.filter((m) => /src\/(io\/files|io\/read|data\/files|data\/image-node|data\/png|backend\/threads\.ts|cli\/)/.test(m))).toEqual([]);
    expect(modules).toContain("src/backend/threads-web.ts");
  });

  it("has no import of its own: no node: specifier, no require, no stand-in for a Node module", () => {
    expect(chunk.imports).toEqual([]);
    expect(chunk.dynamicImports).toEqual([]);
    expect(chunk.code).not.toMatch(/\bfrom\s*["'](node:)?[a-z_]+["']|\bimport\s*\(|\brequire\s*\(|__vite-browser-external|process\.env|\bBuffer\./);
  });

  it("exports the core API: tensors, nn, LeNet, safetensors, digit preprocessing, backends (image files are torchlet/node's)", () => {
    expect(chunk.exports).toEqual(expect.arrayContaining(["tensor", "nn", "optim", "lenet", "lenetModern", "serialize", "deserialize", "toMnistInput", "initBackend", "setBackend", "getBackend", "crossEntropy", "initThreads"]));
    expect(chunk.exports).not.toContain("decodeImage");
  });

  it("runs on its own: loads the playground's weights with deserialize and reads an MNIST test digit", async () => {
    const file = join(work, "torchlet.mjs");
    writeFileSync(file, chunk.code);
    const torchlet = (await import(pathToFileURL(file).href)) as typeof import("../../src/index.js");
    const net = torchlet.lenetModern().loadStateDict(torchlet.deserialize(readFileSync(join(root, "playground/public/lenet-modern.safetensors"))).tensors);
    const { loadBundledMnist } = await import("../../src/node.js");
    const { test } = loadBundledMnist();
    const logits = torchlet.noGrad(() => net.forward(new torchlet.Tensor(test.images.slice(0, 784), [1, 784])));
    expect(logits.shape).toEqual([1, 10]);
    expect(torchlet.argmax(logits, 1).toArray()).toEqual([test.labels[0]]);
    // Class names survive bundling (Module.typeName is constructor.name): reprs and error messages stay readable.
    expect(net.layers.map((layer) => layer.typeName)).toEqual(["Reshape", "Conv2d", "ReLU", "MaxPool2d", "Conv2d", "ReLU", "MaxPool2d", "Flatten", "Linear", "ReLU", "Linear", "ReLU", "Linear"]);
  });
});

describe("the node-free guard", () => {
  it("fails the build of an entry that imports Node (src/node.ts), naming the builtin and the importer", async () => {
    await expect(bundle("src/node.ts")).rejects.toThrow(/"node:[a-z_]+" is a Node builtin, imported by .*src\//);
  }, 120_000);

  it("knows Node's builtins with and without the node: prefix", () => {
    for (const id of ["node:fs", "fs", "fs/promises", "worker_threads", "node:test"]) expect(isNodeBuiltin(id), id).toBe(true);
    for (const id of ["./fs.js", "vite", "mnist", "../src/index.js"]) expect(isNodeBuiltin(id), id).toBe(false);
  });
});
