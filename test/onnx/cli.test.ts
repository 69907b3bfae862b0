// `torchlet export`: saved weights become an ONNX model that ONNX Runtime runs to torchlet's logits.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../../src/cli/main.js";
import { save } from "../../src/io/files.js";
import { loadOnnx } from "../../src/io/onnx-files.js";
import { Generator } from "../../src/tensor/random.js";
import { lenetModern } from "../../src/lenet/models.js";
import { expectClose, forward, randomInput, runOrt } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "torchlet-onnx-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function torchlet(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "", err = "";
  const code = await run(argv, { out: { write: (s: string) => (out += s) }, err: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

describe("torchlet export", () => {
  const net = lenetModern({ generator: new Generator(12) });
  const weights = join(dir, "modern.safetensors");
  save(net, weights, { model: "lenet-modern" });

  it("writes an ONNX model that ONNX Runtime runs to torchlet's logits, and loadOnnx reads back", async () => {
    const onnx = join(dir, "modern.onnx");
    const r = await torchlet("export", "--weights", weights, "--onnx", onnx, "--opset", "17", "--json");
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ onnx, model: "lenet-modern", opset: 17, input: "input", output: "output" });
    const x = randomInput(5, [1, 28, 28]);
    const theirs = await runOrt(new Uint8Array(readFileSync(onnx)), x);
    expectClose(theirs.data, forward(net, x).data, "torchlet export");
    expect(Array.from(forward(loadOnnx(onnx), x).data)).toEqual(Array.from(forward(net, x).data));
  });

  it("is in the help; mistakes are one line, no stack trace", async () => {
    expect((await torchlet("--help")).out).toMatch(/\n {2}export +Write saved weights as an ONNX model/);
    expect((await torchlet("export", "--help")).out).toContain("--onnx FILE");
    const missing = await torchlet("export", "--weights", weights);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("--onnx is required");
    const opset = await torchlet("export", "--weights", weights, "--onnx", join(dir, "x.onnx"), "--opset", "9");
    expect(opset.code).toBe(2);
    expect(opset.err).toContain("--opset must be ≥ 11; got 9");
    const same = await torchlet("export", "--weights", weights, "--onnx", weights);
    expect(same.code).toBe(2);
    const bare = join(dir, "bare.safetensors");
    save(net, bare);
    const unknown = await torchlet("export", "--weights", bare, "--onnx", join(dir, "bare.onnx"));
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/^torchlet: weights: .*give --model lenet or --model lenet-modern\n$/);
    writeFileSync(join(dir, "junk.onnx"), "not onnx");
    expect(() => loadOnnx(join(dir, "junk.onnx"))).toThrow(/^onnx: .*junk\.onnx: fromOnnx: /);
  });
});
