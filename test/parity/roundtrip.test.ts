// Round trips through real PyTorch: a LeNet trained in torchlet, saved with
// save(), loaded by PyTorch into d2l's nn.Sequential (strict), gives the same
// logits; and a LeNet trained in PyTorch, saved from its state_dict(), loaded
// by torchlet's load() into lenet(), gives PyTorch's logits.
//
// Needs Debian's PyTorch at /usr/bin/python3 (test/parity/torch_roundtrip.py
// does the PyTorch side); without it the tests are skipped and say why.

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Tensor, noGrad } from "../../src/tensor/tensor.js";
import { Generator } from "../../src/tensor/random.js";
import { SGD } from "../../src/nn/optim.js";
import { lenet } from "../../src/lenet/models.js";
import { trainStep } from "../../src/lenet/train.js";
import { load, loadWithMetadata, save } from "../../src/io/files.js";
import { loadBundledMnist } from "../../src/data/files.js";
import type { Dataset } from "../../src/data/dataset.js";
import { expectAllClose } from "../helpers/close.js";

const PYTHON = "/usr/bin/python3";
const SCRIPT = fileURLToPath(new URL("./torch_roundtrip.py", import.meta.url));
const hasTorch = spawnSync(PYTHON, ["-c", "import torch"], { stdio: "ignore" }).status === 0;
const SKIPPED = hasTorch ? "" : " (skipped: PyTorch not installed: apt-get install -y python3-torch libopenblas0-openmp)";

/** Runs torch_roundtrip.py; fails with its stderr when it exits non-zero. */
function python(...args: string[]): void {
  const run = spawnSync(PYTHON, [SCRIPT, ...args], { encoding: "utf8", timeout: 60_000 });
  if (run.error) throw run.error;
  if (run.status !== 0) throw new Error(`${PYTHON} ${SCRIPT} ${args.join(" ")} exited with ${run.status}:\n${run.stderr}`);
}

/** Images n0 .. n0+count-1 of a dataset as (count, 1, 28, 28), with their labels. */
function batch(data: Dataset, n0: number, count: number): { x: Tensor; y: Int32Array } {
  const x = new Tensor(data.images.slice(n0 * 784, (n0 + count) * 784), [count, 1, 28, 28]);
  return { x, y: data.labels.slice(n0, n0 + count) };
}

describe("round trip through real PyTorch (d2l LeNet, safetensors)", () => {
  let dir = "";
  let imagesPath = "";
  let images: Tensor;
  let train: Dataset;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "torchlet-parity-"));
    const mnist = loadBundledMnist();
    train = mnist.train;
    const eval32 = batch(mnist.test, 0, 32);
    images = eval32.x;
    imagesPath = join(dir, "images.safetensors");
    save({ images, labels: new Tensor(Float32Array.from(eval32.y), [32]) }, imagesPath);
  });

  afterAll(() => {
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(!hasTorch)(`torchlet → PyTorch: a LeNet trained in torchlet gives the same logits in PyTorch${SKIPPED}`, () => {
    const net = lenet({ generator: new Generator(7) });
    const optimizer = new SGD(net.parameters(), { lr: 0.9 });
    const losses: number[] = [];
    for (let step = 0; step < 6; step++) {
      const { x, y } = batch(train, step * 32, 32);
      losses.push(trainStep(net, optimizer, x, y).loss);
    }
    expect(losses.every(Number.isFinite)).toBe(true);
    const modelPath = join(dir, "torchlet-lenet.safetensors");
    save(net, modelPath, { steps: String(losses.length) });

    const outPath = join(dir, "torch-logits.safetensors");
    python("to-torch", modelPath, imagesPath, outPath);

    net.eval();
    const ours = noGrad(() => net.forward(images));
    const theirs = load(outPath).logits!;
    expect([...theirs.shape]).toEqual([32, 10]);
    expectAllClose(ours.data, theirs.data, 0, 1e-4, "logits: torchlet (actual) vs PyTorch (expected)", { requireFinite: true });
  });

  it.skipIf(!hasTorch)(`PyTorch → torchlet: a LeNet trained in PyTorch gives the same logits in torchlet${SKIPPED}`, () => {
    const modelPath = join(dir, "torch-lenet.safetensors");
    const logitsPath = join(dir, "torch-trained-logits.safetensors");
    python("from-torch", imagesPath, modelPath, logitsPath, "0", "2");

    const { tensors, metadata } = loadWithMetadata(modelPath);
    expect(metadata.format).toBe("pt");
    const net = lenet().loadStateDict(tensors); // strict: exactly d2l's ten names and shapes
    net.eval();
    const ours = noGrad(() => net.forward(images));
    const theirs = load(logitsPath).logits!;
    expect([...theirs.shape]).toEqual([32, 10]);
    expectAllClose(ours.data, theirs.data, 0, 1e-4, "logits: torchlet (actual) vs PyTorch (expected)", { requireFinite: true });
  });
});
