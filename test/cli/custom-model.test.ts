// `--model FILE.mjs`: the user's own network through the built CLI, spawned as a process (a module
// importing torchlet must get the very classes the CLI runs, so these tests use dist/, not src/).

import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { deserialize } from "../../src/io/safetensors.js";
import { save } from "../../src/io/files.js";
import { lenet } from "../../src/lenet/models.js";

const root = resolve(import.meta.dirname, "../..");
const bin = join(root, "dist/cli/main.js");
const example = join(root, "examples/custom-model.mjs");
const work = mkdtempSync(join(tmpdir(), "torchlet-custom-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
// Modules outside the repo import the CLI's own copy of torchlet by its file URL.
const torchletUrl = pathToFileURL(join(root, "dist/index.js")).href;

function torchlet(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: work, encoding: "utf8", timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Writes a module into the work folder and returns its path. */
function writeModule(name: string, source: string): string {
  const path = join(work, name);
  writeFileSync(path, source.replaceAll("TORCHLET", torchletUrl));
  return path;
}

const tiny = ["--limit", "256", "--batch-size", "64", "--optimizer", "adam", "--lr", "0.003", "--threads", "1", "--json"];
const oneEpoch = [...tiny, "--epochs", "1"];

// The example's MLP (same layers, same generator draws) inside a Module with its own forward:
// not a Sequential, so fit trains it eagerly.
const wrapped = writeModule("wrapped.mjs", `
import { nn } from "TORCHLET";
class Wrapped extends nn.Module {
  constructor(generator) {
    super();
    this.inner = this.registerModule("inner", new nn.Sequential(new nn.Linear(784, 128, { generator }), new nn.ReLU(), new nn.Linear(128, 10, { generator })));
  }
  forward(x) { return this.inner.forward(x); }
}
export default ({ generator }) => new Wrapped(generator);
`);

describe("examples/custom-model.mjs, which imports torchlet by its package name", () => {
  const weights = join(work, "mlp.safetensors");
  let record: { loss: number; trainAcc: number; testAcc: number } | undefined;

  it("summary prints its layers and parameter count", () => {
    const r = torchlet("summary", "--model", example);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(["Linear output shape:\t [1, 128]", "ReLU output shape:\t [1, 128]", "Linear output shape:\t [1, 10]", `${(784 * 128 + 128 + 128 * 10 + 10).toLocaleString("en-US")} parameters`, ""].join("\n"));
  });

  it("trains for a tiny run and records the module that built it in the weights' metadata", () => {
    const r = torchlet("train", "--model", example, ...oneEpoch, "--out", weights);
    expect(r.code, r.stderr).toBe(0);
    record = JSON.parse(r.stdout.trim());
    expect(record!.testAcc).toBeGreaterThan(0.3); // chance is 0.1
    const { tensors, metadata } = deserialize(readFileSync(weights));
    expect(metadata.model).toBe(`module:${realpathSync(example)}`);
    expect(Object.keys(tensors)).toEqual(["0.weight", "0.bias", "2.weight", "2.bias"]);
  });

  it("eval and predict find the network from the metadata alone", () => {
    const evaluated = torchlet("eval", "--weights", weights, "--json");
    expect(evaluated.code, evaluated.stderr).toBe(0);
    expect(JSON.parse(evaluated.stdout).testAcc).toBe(record!.testAcc);
    const predicted = torchlet("predict", "--weights", weights, "--json", "3");
    expect(predicted.code, predicted.stderr).toBe(0);
    const { probabilities, predicted: digit } = JSON.parse(predicted.stdout) as { probabilities: number[]; predicted: number };
    expect(probabilities).toHaveLength(10);
    expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(digit).toBe(probabilities.indexOf(Math.max(...probabilities)));
  });

  it("a non-Sequential module (trained eagerly) ends with the same bits as the Sequential it wraps (trained by a Plan)", () => {
    const out = join(work, "wrapped.safetensors");
    const r = torchlet("train", "--model", wrapped, ...oneEpoch, "--out", out);
    expect(r.code, r.stderr).toBe(0);
    const eager = JSON.parse(r.stdout.trim());
    expect([eager.loss, eager.trainAcc, eager.testAcc]).toEqual([record!.loss, record!.trainAcc, record!.testAcc]);
    const planned = deserialize(readFileSync(weights)).tensors;
    const trained = deserialize(readFileSync(out)).tensors;
    for (const name of Object.keys(planned)) expect(Array.from(trained[`inner.${name}`]!.data), name).toEqual(Array.from(planned[name]!.data));
    const summary = torchlet("summary", "--model", wrapped);
    expect(summary.stdout).toBe("Wrapped output shape:\t [1, 10]\n101,770 parameters\n");
  });

  it("a non-Sequential module's run resumes from a checkpoint to the bits of an uninterrupted run", () => {
    const whole = torchlet("train", "--model", wrapped, ...tiny, "--epochs", "2");
    expect(whole.code, whole.stderr).toBe(0);
    const checkpoint = join(work, "wrapped.ckpt");
    expect(torchlet("train", "--model", wrapped, ...oneEpoch, "--checkpoint", checkpoint).code).toBe(0);
    const resumed = torchlet("train", "--model", wrapped, ...tiny, "--epochs", "2", "--resume", checkpoint);
    expect(resumed.code, resumed.stderr).toBe(0);
    const figures = (stdout: string) => stdout.trim().split("\n").map((line) => JSON.parse(line)).map((r) => [r.epoch, r.loss, r.trainAcc, r.testAcc]);
    expect(figures(resumed.stdout)).toEqual(figures(whole.stdout).slice(1));
    const other = torchlet("train", "--model", example, ...tiny, "--epochs", "2", "--resume", checkpoint);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain(`--model module:${realpathSync(wrapped)} in the checkpoint but module:${realpathSync(example)} here`);
  });

  it("weights whose module has moved: a clear error saying to pass --model, which then works", () => {
    const moving = writeModule("moving.mjs", readFileSync(example, "utf8").replace('from "torchlet"', 'from "TORCHLET"'));
    const out = join(work, "moving.safetensors");
    const trained = torchlet("train", "--model", moving, ...oneEpoch, "--out", out);
    expect(trained.code, trained.stderr).toBe(0);
    const moved = join(work, "moved.mjs");
    renameSync(moving, moved);
    const lost = torchlet("eval", "--weights", out);
    expect(lost.code).toBe(1);
    expect(lost.stderr).toBe(`torchlet: weights: ${out}: was trained with the network built by ${join(realpathSync(work), "moving.mjs")} (its "model" metadata), which is not there anymore; pass --model PATH with the module that builds it\n`);
    const found = torchlet("eval", "--weights", out, "--model", moved, "--json");
    expect(found.code, found.stderr).toBe(0);
    expect(JSON.parse(found.stdout).testAcc).toBe(JSON.parse(trained.stdout.trim()).testAcc);
  });

  it("refuses a built-in --model for a module's weights, and a module for lenet's", () => {
    const r = torchlet("eval", "--weights", weights, "--model", "lenet");
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`torchlet: weights: ${weights}: holds the network built by ${realpathSync(example)} but --model lenet was given\n`);
    const lenet = join(work, "lenet.safetensors");
    expect(torchlet("train", "--limit", "64", "--epochs", "1", "--batch-size", "64", "--threads", "1", "--out", lenet).code).toBe(0);
    const other = torchlet("eval", "--weights", lenet, "--model", example);
    expect(other.code).toBe(1);
    expect(other.stderr).toBe(`torchlet: weights: ${lenet}: holds a lenet model but --model ${example} was given\n`);
  });
});

describe("bad modules: one line naming the module and what is wrong, no stack", () => {
  const mlp = "new nn.Sequential(new nn.Linear(784, 16, { generator }), new nn.ReLU(), new nn.Linear(16, 10, { generator }))";
  // [file name, source, exit code, the whole message after "torchlet: "]; PATH stands for the module's path.
  const cases: [string, string | null, number, string][] = [
    ["missing.mjs", null, 1, `module PATH: no such file (${join(realpathSync(work), "missing.mjs")})`],
    ["syntax.mjs", "export default function () {\n  return 1 +;\n}\n", 1, `module PATH: cannot be loaded: SyntaxError at ${join(realpathSync(work), "syntax.mjs")}:2: Unexpected token ';'`],
    ["top-level-throw.mjs", 'throw new Error("no GPU here");\n', 1, "module PATH: cannot be loaded: no GPU here"],
    ["no-package.mjs", 'import { nn } from "no-such-package-anywhere";\nexport default () => nn;\n', 1, `module PATH: cannot be loaded: Cannot find package 'no-such-package-anywhere' imported from ${join(realpathSync(work), "no-package.mjs")}`],
    ["named-only.mjs", `import { nn } from "TORCHLET";\nexport const model = ({ generator }) => ${mlp};\nexport const epochs = 3;\n`, 1, "module PATH: has no default export (it exports epochs, model); write `export default function ({ generator }) { return new nn.Sequential(...); }`, as examples/custom-model.mjs does"],
    ["not-a-function.mjs", "export default 42;\n", 1, "module PATH: its default export is 42, not a function; export default a function that returns an nn.Module"],
    ["returns-object.mjs", "export default () => ({ layers: [] });\n", 1, "module PATH: its default export returned a plain object {layers}, not an nn.Module"],
    ["returns-promise.mjs", `import { nn } from "TORCHLET";\nexport default async ({ generator }) => ${mlp};\n`, 1, "module PATH: its default export returned a Promise; build the network synchronously (await anything you need at the module's top level)"],
    ["factory-throws.mjs", 'export default () => { throw new Error("hidden size must be even"); };\n', 1, "module PATH: its default export threw while building the network: hidden size must be even"],
    ["wrong-input.mjs", `import { nn } from "TORCHLET";\nexport default ({ generator }) => new nn.Linear(100, 10, { generator });\n`, 1, "module PATH: the network cannot take the CLI's input, (N, 784): each row a 28×28 image flattened, pixels in [0, 1] (a convnet starts with nn.Reshape(-1, 1, 28, 28)); on a batch of shape [2,784] its forward failed: linear: …"], // then linear's own message
    ["five-classes.mjs", `import { nn } from "TORCHLET";\nexport default ({ generator }) => new nn.Linear(784, 5, { generator });\n`, 1, "module PATH: the network maps a batch of shape [2,784] to [2,5], but the CLI needs (N, 10) logits: one row per example, one column per class of MNIST and Fashion-MNIST"],
    ["folds-batch.mjs", `import { nn } from "TORCHLET";\nexport default ({ generator }) => new nn.Sequential(new nn.Reshape(-1, 1568), new nn.Linear(1568, 10, { generator }));\n`, 1, "module PATH: the network maps a batch of shape [2,784] to [1,10], but the CLI needs (N, 10) logits: one row per example, one column per class of MNIST and Fashion-MNIST"],
    ["typescript.ts", "export default 1;\n", 2, '--model PATH: plain node cannot import TypeScript; give the network as JavaScript (an ES module ending in .mjs, or .js in a "type": "module" package), e.g. compiled with tsc'],
  ];

  it.each(cases)("%s", (name, source, code, message) => {
    const path = source === null ? join(work, name) : writeModule(name, source);
    for (const command of [["summary"], ["train", ...oneEpoch]]) {
      const r = torchlet(...command, "--model", path);
      expect(r.code, r.stderr).toBe(code);
      expect(r.stdout).toBe("");
      const lines = r.stderr.trimEnd().split("\n");
      const expected = `torchlet: ${message.replace("PATH", path)}`;
      if (expected.endsWith("…")) expect(lines[0]!.startsWith(expected.slice(0, -1)), lines[0]).toBe(true);
      else expect(lines[0]).toBe(expected);
      expect(lines).toHaveLength(code === 2 ? 2 : 1); // a usage error adds its hint line
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it("the line for eval as well: a module that fails names itself, not the weights", () => {
    const path = writeModule("eval-throws.mjs", 'export default () => { throw new Error("broken on purpose"); };\n');
    const weights = join(work, "no-metadata.safetensors");
    save(lenet(), weights); // no "model" metadata, so --model decides
    const r = torchlet("eval", "--weights", weights, "--model", path);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`torchlet: module ${path}: its default export threw while building the network: broken on purpose\n`);
  });

  it("an nn.Module of another copy of torchlet is named as such (instanceof cannot work across copies)", () => {
    const copy = join(work, "second-install");
    cpSync(join(root, "dist"), join(copy, "dist"), { recursive: true });
    const path = writeModule("other-copy.mjs", `import { nn } from ${JSON.stringify(pathToFileURL(join(copy, "dist/index.js")).href)};\nexport default ({ generator }) => new nn.Linear(784, 10);\n`);
    const r = torchlet("summary", "--model", path);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`torchlet: module ${path}: its default export returned an nn.Module of another copy of torchlet: import torchlet from the install the CLI runs from (\`import { nn } from "torchlet"\` in a project where torchlet is installed once)\n`);
  });

  it("an unknown name that is not a module path is a usage error naming both forms", () => {
    const r = torchlet("train", "--model", "resnet");
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")[0]).toBe('torchlet: --model must be one of lenet, lenet-modern; got "resnet" (or the path of an ES module, .mjs or .js, that builds your own network; did you mean lenet?)');
  });
});
