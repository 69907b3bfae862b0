// The package as users get it: `npm pack`, install the tarball into an empty
// folder with no devDependencies, import it from plain ESM JavaScript (and from
// TypeScript, for the types), and train on the MNIST digits it carries.

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve, sep } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adam7GrayScanlines, png as pngFile } from "../helpers/png.js";

const root = resolve(import.meta.dirname, "../..");
let work: string;
let tarball: string;
let packed: { filename: string; size: number; files: { path: string }[] };

// The packed tarball's budget: the code plus the 1.6 MB of embedded MNIST digits.
const MAX_TARBALL_BYTES = 3 * 2 ** 20;
// Test accuracy after one epoch over the 8,000 embedded digits (lenet-modern, Adam lr 0.003, batch 64);
// chance is 0.10, and one epoch measured 0.910–0.938 over seeds 0–4 here (0.9335 for seed 0, the test's).
const ONE_EPOCH_BAR = 0.8;

beforeAll(() => {
  // Under the system temp folder, so nothing in the app can resolve a module from the repository's node_modules.
  work = mkdtempSync(join(tmpdir(), "torchlet-pack-"));
  packed = (JSON.parse(execFileSync("npm", ["pack", "--json", "--pack-destination", work], { cwd: root, encoding: "utf8" })) as (typeof packed)[])[0]!;
  tarball = join(work, packed.filename);
  const app = join(work, "app");
  execFileSync("mkdir", ["-p", app]);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  // --prefer-offline, not --offline: `npm ci` caches the tarballs of the lockfile but not pngjs's registry
  // entry, which resolving the package's dependency needs; on a fresh machine that one request goes out.
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--omit=dev", tarball], { cwd: app, encoding: "utf8" });
}, 180_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("the packed tarball", () => {
  it("has one runtime dependency, pngjs (for torchlet/node), and ships the built dist with types", () => {
    const pkg = JSON.parse(readFileSync(join(work, "app/node_modules/torchlet/package.json"), "utf8"));
    expect(pkg.dependencies).toEqual({ pngjs: "7.0.0" });
    expect(existsSync(join(work, "app/node_modules/torchlet/dist/index.js"))).toBe(true);
    expect(existsSync(join(work, "app/node_modules/torchlet/dist/index.d.ts"))).toBe(true);
    expect(existsSync(join(work, "app/node_modules/torchlet/test"))).toBe(false);
  });

  it("imports from plain ESM JavaScript and runs a forward and backward pass", () => {
    const app = join(work, "app");
    writeFileSync(
      join(app, "main.mjs"),
      `import { nn, optim, tensor, crossEntropy } from "torchlet";
import { save, load } from "torchlet/node";
const layer = new nn.Linear(2, 2);
layer.loadStateDict({ weight: tensor([[1, 2], [3, 4]]), bias: tensor([0.5, -0.5]) });
const x = tensor([[1, 1]]);
const logits = layer.forward(x);
const loss = crossEntropy(logits, [0]);
loss.backward();
const opt = new optim.SGD(layer.parameters(), { lr: 0.1 });
opt.step();
save(layer, "w.safetensors");
console.log(JSON.stringify({ logits: Array.from(logits.data), loss: loss.item(), dW: Array.from(layer.weight.grad.data), reloaded: Array.from(load("w.safetensors").weight.data) }));
`,
    );
    const result = JSON.parse(execFileSync("node", ["main.mjs"], { cwd: app, encoding: "utf8" }));
    // logits = W·x + b = [1+2+0.5, 3+4−0.5] = [3.5, 6.5]
    expect(result.logits).toEqual([3.5, 6.5]);
    // loss = −log softmax(logits)[0] = log(1 + e^3)
    expect(result.loss).toBeCloseTo(Math.log(1 + Math.exp(3)), 5);
    // dL/dlogits = softmax − onehot = [p0 − 1, p1], with p1 = 1/(1 + e^−3); dW = dlogits ⊗ x
    const p1 = 1 / (1 + Math.exp(-3));
    const expected = [-p1, -p1, p1, p1];
    result.dW.forEach((v: number, i: number) => expect(v).toBeCloseTo(expected[i]!, 5));
    // after one SGD step W −= 0.1·dW, and the saved file holds exactly that
    const stepped = [1, 2, 3, 4].map((w, i) => Math.fround(w - 0.1 * Math.fround(expected[i]!)));
    result.reloaded.forEach((v: number, i: number) => expect(v).toBeCloseTo(stepped[i]!, 5));
  });

  it("reads an Adam7-interlaced PNG through torchlet/node, with pngjs installed as its dependency", () => {
    const app = join(work, "app");
    // 2×2 gray, pixels 10 20 / 30 40: Adam7 stores (0, 0), then (1, 0) in pass 6, then row 1 in pass 7.
    writeFileSync(join(app, "digit.png"), pngFile({ width: 2, height: 2, bitDepth: 8, colorType: 0, interlace: 1, scanlines: adam7GrayScanlines(2, 2, [10, 20, 30, 40]) }));
    writeFileSync(join(app, "image.mjs"), `import { readImageFile } from "torchlet/node";
const image = readImageFile("digit.png");
console.log(JSON.stringify({ width: image.width, height: image.height, gray: Array.from(image.gray, (v) => Math.round(v * 255)) }));
`);
    expect(existsSync(join(app, "node_modules/pngjs/package.json"))).toBe(true);
    expect(JSON.parse(execFileSync("node", ["image.mjs"], { cwd: app, encoding: "utf8" }))).toEqual({ width: 2, height: 2, gray: [10, 20, 30, 40] });
  });

  it("type-checks a TypeScript consumer against the shipped declarations", () => {
    const app = join(work, "app");
    writeFileSync(
      join(app, "consumer.ts"),
      `import { nn, optim, tensor, type Tensor } from "torchlet";
const net: nn.Sequential = new nn.Sequential(new nn.Linear(4, 3), new nn.ReLU(), new nn.Linear(3, 2));
const y: Tensor = net.forward(tensor([[1, 2, 3, 4]]));
const opt: optim.SGD = new optim.SGD(net.parameters(), { lr: 0.1 });
opt.step();
// @ts-expect-error lr is required
new optim.SGD(net.parameters(), {});
export const shape: readonly number[] = y.shape;
`,
    );
    writeFileSync(join(app, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: true, module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022", noEmit: true, skipLibCheck: false, types: [] }, files: ["consumer.ts"] }));
    const tsc = join(root, "node_modules/typescript/bin/tsc");
    expect(() => execFileSync("node", [tsc, "-p", "."], { cwd: app, encoding: "utf8", stdio: "pipe" })).not.toThrow();
  });

  it(`stays under ${MAX_TARBALL_BYTES / 2 ** 20} MB packed and ships the embedded MNIST digits`, () => {
    expect(packed.size).toBeLessThan(MAX_TARBALL_BYTES);
    const paths = packed.files.map((f) => f.path);
    for (const file of ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]) {
      expect(paths).toContain(`data/mnist-embedded/${file}`);
    }
    expect(paths.filter((p) => p.startsWith("scripts/") || p.startsWith("test/") || p.startsWith("node_modules/"))).toEqual([]);
  });

  it("installs with nothing but torchlet: no devDependency (the mnist package among them) is reachable from the app", () => {
    const app = join(work, "app");
    expect(realpathSync(app).startsWith(realpathSync(root) + sep)).toBe(false);
    const requireFromApp = createRequire(join(app, "main.mjs"));
    expect(requireFromApp.resolve("torchlet/package.json")).toBe(join(realpathSync(app), "node_modules/torchlet/package.json"));
    for (const dev of ["mnist", "vitest", "typescript", "tsx"]) expect(() => requireFromApp.resolve(dev), dev).toThrow(/Cannot find module/);
    const installed = execFileSync("npm", ["ls", "--all", "--parseable"], { cwd: app, encoding: "utf8" }).trim().split("\n");
    // torchlet's one runtime dependency is pngjs, which only the Node entry and the CLI import (runtime-deps.test.ts).
    expect(installed.map((line) => line.slice(realpathSync(app).length)).sort()).toEqual(["", `${sep}node_modules${sep}pngjs`, `${sep}node_modules${sep}torchlet`]);
  });

  it(`trains one epoch on the embedded digits from the CLI (npx torchlet train): test acc ≥ ${ONE_EPOCH_BAR}, then eval and predict`, () => {
    const app = join(work, "app");
    const npx = (...args: string[]) => execFileSync("npx", ["--no-install", "torchlet", ...args], { cwd: app, encoding: "utf8", stdio: "pipe", timeout: 300_000 });
    const recipe = ["--model", "lenet-modern", "--optimizer", "adam", "--lr", "0.003", "--batch-size", "64", "--epochs", "1", "--threads", "1"];
    const lines = npx("train", ...recipe, "--out", "cli.safetensors", "--json").trim().split("\n");
    const record = JSON.parse(lines[lines.length - 1]!) as { epoch: number; testAcc: number };
    console.log(`packed CLI, one epoch on the embedded digits: test acc ${record.testAcc.toFixed(4)}`);
    expect(record.epoch).toBe(1);
    expect(record.testAcc).toBeGreaterThanOrEqual(ONE_EPOCH_BAR);
    const evaluated = JSON.parse(npx("eval", "--weights", "cli.safetensors", "--json")) as { dataset: string; examples: number; testAcc: number };
    expect(evaluated).toMatchObject({ dataset: "mnist", examples: 2000 });
    expect(evaluated.testAcc).toBeCloseTo(record.testAcc, 4);
    expect(JSON.parse(npx("predict", "--weights", "cli.safetensors", "3", "--json"))).toMatchObject({ input: "3", label: 3 });
  }, 300_000);

  it(`trains one epoch on the embedded digits from the API (loadDataset("mnist") and a training loop): test acc ≥ ${ONE_EPOCH_BAR}`, () => {
    const app = join(work, "app");
    writeFileSync(
      join(app, "train.mjs"),
      `import { Generator, evaluateAccuracy, lenetModern, nn, optim, setBackend, trainStep } from "torchlet";
import { loadDataset } from "torchlet/node";
setBackend("wasm");
const { train, test } = loadDataset("mnist");
const generator = new Generator(0);
const net = lenetModern({ generator });
const optimizer = new optim.Adam(net.parameters(), { lr: 0.003 });
for (const [x, y] of new nn.DataLoader(train, { batchSize: 64, shuffle: true, generator })) trainStep(net, optimizer, x, y);
console.log(JSON.stringify({ train: train.count, test: test.count, accuracy: evaluateAccuracy(net, test) }));
`,
    );
    const result = JSON.parse(execFileSync("node", ["train.mjs"], { cwd: app, encoding: "utf8", timeout: 300_000 })) as { train: number; test: number; accuracy: number };
    console.log(`packed API, one epoch on the embedded digits: test acc ${result.accuracy.toFixed(4)}`);
    expect([result.train, result.test]).toEqual([8000, 2000]);
    expect(result.accuracy).toBeGreaterThanOrEqual(ONE_EPOCH_BAR);
  }, 300_000);
});
