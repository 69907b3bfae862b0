// The package as users get it: `npm pack`, install the tarball into an empty
// folder, and import it from plain ESM JavaScript (and from TypeScript, for the types).

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adam7GrayScanlines, png as pngFile } from "../helpers/png.js";

const root = resolve(import.meta.dirname, "../..");
let work: string;
let tarball: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "torchlet-pack-"));
  const packed = JSON.parse(execFileSync("npm", ["pack", "--json", "--pack-destination", work], { cwd: root, encoding: "utf8" })) as { filename: string }[];
  tarball = join(work, packed[0]!.filename);
  const app = join(work, "app");
  execFileSync("mkdir", ["-p", app]);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--offline", tarball], { cwd: app, encoding: "utf8" });
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
});
