// Relaxed SIMD (fused multiply-add): which build a backend runs, choosing it, and turning it on
// in Node 20, where V8 validates it only behind --experimental-wasm-relaxed-simd. The flag is
// process-wide, so what enableRelaxedSimd does to a fresh process is checked in child processes.

import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { initBackend, setBackend } from "../../src/backend/index.js";
import { relaxedSimdSupported } from "../../src/backend/wasm-module.js";
import { gemm } from "../../src/ops/gemm.js";
import { TorchletError } from "../../src/errors.js";

const root = resolve(import.meta.dirname, "../..");
/** Node 22+ validates relaxed SIMD without a flag; Node 20 needs --experimental-wasm-relaxed-simd. */
const relaxedByDefault = Number(process.versions.node.split(".")[0]) >= 22;
const active = setBackend("wasm"); // this project's backend, restored after
afterAll(async () => {
  await initBackend("wasm", { relaxedSimd: active.relaxedSimd });
  if (active.name === "wasm") setBackend("wasm");
});

// Runs `body` (an ES module's text) in a fresh Node process without the flag; returns its JSON line.
function fresh(body: string): Record<string, unknown> {
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", body], { cwd: root, encoding: "utf8", timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split("\n").at(-1)!) as Record<string, unknown>;
}

const imports = `
import { enableRelaxedSimd } from "./src/node.ts";
import { getBackend, setBackend } from "./src/backend/index.ts";
import { relaxedSimdSupported } from "./src/backend/wasm-module.ts";`;

describe("enableRelaxedSimd (torchlet/node)", () => {
  it("turns relaxed SIMD on in a process that started without it, and the wasm backend runs it", () => {
    const out = fresh(`${imports}
const before = relaxedSimdSupported();
const enabled = enableRelaxedSimd();
console.log(JSON.stringify({ before, enabled, after: relaxedSimdSupported(), backend: getBackend().name, relaxed: getBackend().relaxedSimd }));`);
    expect(out.before).toBe(relaxedByDefault);
    expect(out).toMatchObject({ enabled: true, after: true, backend: "wasm", relaxed: true });
  });

  it("restarts a wasm backend that started on plain SIMD, and leaves the ts backend active when it was", () => {
    const out = fresh(`${imports}
const plain = setBackend("wasm").relaxedSimd;
setBackend("ts");
const enabled = enableRelaxedSimd();
const stillTs = getBackend().name;
console.log(JSON.stringify({ plain, enabled, stillTs, wasmAfter: setBackend("wasm").relaxedSimd }));`);
    expect(out).toMatchObject({ enabled: true, stillTs: "ts", wasmAfter: true });
    if (!relaxedByDefault) expect(out.plain).toBe(false);
  });

  it("refuses an argument", () => {
    const out = fresh(`${imports}
try { enableRelaxedSimd(true); console.log(JSON.stringify({ threw: false })); } catch (e) { console.log(JSON.stringify({ threw: true, message: e.message })); }`);
    expect(out.threw).toBe(true);
    expect(out.message).toMatch(/enableRelaxedSimd/);
  });
});

describe("initBackend's relaxedSimd option", () => {
  it("false runs the plain SIMD build, whose multiply-adds round twice; the relaxed build agrees within float32 rounding", async () => {
    // Products near 1 whose low bits a fused multiply-add keeps and a separate multiply rounds away: both builds
    // stay within float32 rounding (8 sums of 2^-23 relative) of the float64 TypeScript kernel.
    const a = Float32Array.from({ length: 64 }, (_, i) => 1 + (i + 1) * 2 ** -12);
    const b = Float32Array.from({ length: 64 }, (_, i) => 1 - (i + 1) * 2 ** -12);
    const run = (k: { gemm: typeof gemm }) => {
      const c = new Float32Array(8 * 8);
      k.gemm(c, a, b, { M: 8, N: 8, K: 8, transA: false, transB: false, accumulate: false });
      return c;
    };
    const plain = await initBackend("wasm", { relaxedSimd: false });
    expect(plain.relaxedSimd).toBe(false);
    const reference = run({ gemm }); // the TypeScript kernel, in float64
    const plainC = run(plain);
    for (let i = 0; i < 64; i++) expect(Math.abs(plainC[i]! - reference[i]!)).toBeLessThanOrEqual(8 * 2 ** -23 * Math.abs(reference[i]!));
    if (relaxedSimdSupported()) {
      const relaxed = await initBackend("wasm", { relaxedSimd: true });
      expect(relaxed.relaxedSimd).toBe(true);
      const fusedC = run(relaxed);
      for (let i = 0; i < 64; i++) expect(Math.abs(fusedC[i]! - reference[i]!)).toBeLessThanOrEqual(8 * 2 ** -23 * Math.abs(reference[i]!));
    }
  });

  it("true where the runtime lacks relaxed SIMD is a TorchletError saying how to get it; unknown keys are refused", async () => {
    if (!relaxedSimdSupported()) {
      await expect(initBackend("wasm", { relaxedSimd: true })).rejects.toThrow(/relaxedSimd: true.*enableRelaxedSimd/);
    }
    await expect(initBackend("wasm", { relaxedSIMD: false } as never)).rejects.toThrow(TorchletError);
    await expect(initBackend("wasm", { relaxedSIMD: false } as never)).rejects.toThrow(/did you mean "relaxedSimd"/);
  });
});
