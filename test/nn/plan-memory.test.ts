// A Plan on WebAssembly memory that is not shared (a browser page that is not cross-origin
// isolated): growing such a memory detaches every view of it, so the Plan must view its blocks
// again instead of failing on a detached array. The reference is the same training run on a
// memory that never grows in between: the losses and the weights must be the same bits.

import { describe, expect, it } from "vitest";
import { createWasmBackend } from "../../src/backend/wasm.js";
import { compileWasmKernels } from "../../src/backend/wasm-module.js";
import { Generator, lenet, nn, optim, type Backend } from "../../src/index.js";

const BATCH = 8;

function privateBackend(): Backend {
  return createWasmBackend(compileWasmKernels({ shared: false }), { shared: false });
}

// Three SGD steps of LeNet through a Plan on `backend`; `between` runs after the first step.
function train(backend: Backend, between: () => void): { losses: number[]; weights: number[] } {
  const net = lenet({ generator: new Generator(3) });
  const optimizer = new optim.SGD(net.parameters(), { lr: 0.1 });
  const plan = new nn.Plan(net, { batchSize: BATCH, sampleShape: [1, 28, 28], backend });
  const random = new Generator(4);
  const losses: number[] = [];
  for (let step = 0; step < 3; step++) {
    plan.input.set(Float32Array.from({ length: BATCH * 784 }, () => random.uniform()));
    plan.labels.set(Int32Array.from({ length: BATCH }, (_, i) => (i + step) % 10));
    losses.push(plan.trainStep(optimizer).loss);
    if (step === 0) between();
  }
  plan.dispose();
  return { losses, weights: net.parameters().flatMap((p) => [...p.data]) };
}

describe("Plan on private (not shared) WebAssembly memory", () => {
  it("keeps training after the memory grows under it, bit for bit as without the growth", () => {
    const reference = train(privateBackend(), () => {});
    const backend = privateBackend();
    let grown = false;
    const result = train(backend, () => {
      const before = backend.alloc(1).buffer;
      const big = backend.alloc(64 * 1024 * 1024); // 256 MiB: more than the memory holds, so it grows
      grown = before.byteLength === 0; // the old buffer was detached: the case under test
      backend.release(big);
    });
    expect(grown).toBe(true);
    expect(result.losses).toEqual(reference.losses);
    expect(result.weights).toEqual(reference.weights);
  });

  it("reattach gives the same block and contents on the new buffer, and release frees it", () => {
    const backend = privateBackend();
    const a = backend.alloc(5);
    a.set([1, 2, 3, 4, 5]);
    const big = backend.alloc(64 * 1024 * 1024);
    expect(a.length).toBe(0); // detached
    const b = backend.reattach(a);
    expect([...b]).toEqual([1, 2, 3, 4, 5]);
    expect(backend.reattach(b)).toBe(b); // attached: itself
    backend.release(big);
    backend.release(a); // the detached view still names its block
    const c = backend.alloc(5); // the freed block is handed out again, zeroed
    expect([...c]).toEqual([0, 0, 0, 0, 0]);
    expect(c.byteOffset).toBe(b.byteOffset);
  });

  it("reattach refuses an array the backend did not allocate", () => {
    expect(() => privateBackend().reattach(new Float32Array(3))).toThrow(/reattach: the buffer was not allocated by this backend/);
  });
});
