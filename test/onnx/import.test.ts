// fromOnnx on models PyTorch wrote (torch.onnx.export, committed fixtures from make_fixtures.py):
// the imported model gives PyTorch's outputs; trained one step in torchlet and exported back,
// ONNX Runtime agrees with torchlet. Plus torchlet → ONNX → torchlet round trips, and a live
// run of make_fixtures.py when PyTorch is installed.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Generator, manualSeed } from "../../src/tensor/random.js";
import { randn } from "../../src/tensor/create.js";
import { SGD } from "../../src/nn/optim.js";
import { trainStep } from "../../src/lenet/train.js";
import { lenetModern } from "../../src/lenet/models.js";
import { deserialize } from "../../src/io/safetensors.js";
import { fromOnnx, toOnnx } from "../../src/onnx/index.js";
import { EVERY_LAYER_INPUT, everyLayerModel, expectClose, forward, randomInput, runOrt } from "./helpers.js";

const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));
const CASES = ["lenet_opset13", "every_layer_opset11", "every_layer_opset17"];
const PYTHON = "/usr/bin/python3";
const hasTorch = spawnSync(PYTHON, ["-c", "import torch"], { stdio: "ignore" }).status === 0;

function fixture(dir: string, name: string) {
  const { tensors, metadata } = deserialize(new Uint8Array(readFileSync(join(dir, `${name}.safetensors`))), name);
  return { bytes: new Uint8Array(readFileSync(join(dir, `${name}.onnx`))), x: tensors.x!, y: tensors.y!, metadata };
}

describe("fromOnnx: models exported by PyTorch", () => {
  for (const name of CASES) {
    it(`${name}: the imported model gives PyTorch's outputs`, () => {
      const { bytes, x, y, metadata } = fixture(FIXTURES, name);
      expect(metadata.opset).toBe(name.split("opset")[1]);
      const net = fromOnnx(bytes);
      const ours = forward(net, x);
      expect(ours.shape).toEqual(y.shape);
      expectClose(ours.data, y.data, name);
    });

    it(`${name}: trained one step in torchlet and exported back, ONNX Runtime agrees with torchlet`, async () => {
      const { bytes, x } = fixture(FIXTURES, name);
      const net = fromOnnx(bytes);
      const before = forward(net, x);
      net.train();
      const labels = Int32Array.from({ length: x.shape[0]! }, (_, i) => i % before.shape[1]!);
      trainStep(net, new SGD(net.parameters(), { lr: 0.5 }), x, labels);
      const after = forward(net, x);
      expect(after.data.some((v, i) => v !== before.data[i]), "the step changed the outputs").toBe(true);
      const exported = await runOrt(toOnnx(net, { inputShape: [1, ...x.shape.slice(1)] }), x);
      expectClose(exported.data, after.data, `${name} after one step`);
    });
  }

  it.skipIf(!hasTorch)(`live: today's PyTorch exports what torchlet imports (make_fixtures.py into a temporary directory)${hasTorch ? "" : " (skipped: no PyTorch at /usr/bin/python3)"}`, () => {
    const dir = mkdtempSync(join(tmpdir(), "torchlet-onnx-"));
    try {
      const run = spawnSync(PYTHON, [join(FIXTURES, "..", "make_fixtures.py"), dir], { encoding: "utf8", timeout: 120_000 });
      expect(run.status, run.stderr).toBe(0);
      for (const name of CASES) {
        const { bytes, x, y } = fixture(dir, name);
        expectClose(forward(fromOnnx(bytes), x).data, y.data, `live ${name}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);
});

describe("fromOnnx(toOnnx(model)) is the same model", () => {
  for (const opset of [11, 17]) {
    it(`every layer and option, opset ${opset}: same outputs, same parameter values`, () => {
      const net = everyLayerModel(9);
      const back = fromOnnx(toOnnx(net, { inputShape: [1, ...EVERY_LAYER_INPUT], opset }));
      const x = randomInput(4, EVERY_LAYER_INPUT);
      expect(Array.from(forward(back, x).data)).toEqual(Array.from(forward(net, x).data));
      expect(back.parameters().map((p) => Array.from(p.data))).toEqual(net.parameters().map((p) => Array.from(p.data)));
    });
  }

  it("lenetModern on flat input (its Reshape keeps the batch dynamic); importing leaves the global generator alone", () => {
    const net = lenetModern({ generator: new Generator(5) });
    const bytes = toOnnx(net, { inputShape: [2, 784] });
    const x = randomInput(3, [784]);
    manualSeed(8);
    const back = fromOnnx(bytes);
    const drawn = randn(4).data;
    manualSeed(8);
    expect(Array.from(drawn)).toEqual(Array.from(randn(4).data));
    expect(back.toString()).toBe(net.toString());
    expect(Array.from(forward(back, x).data)).toEqual(Array.from(forward(net, x).data));
  });
});
