// The call protocol both thread pools share (src/backend/thread-protocol.ts),
// driven here from Node: a worker_threads worker runs SERVE_SOURCE exactly as
// the browser's Web Workers do (setup in its first message, "started" posted
// back), and the caller side (CallSlots) hands it calls. Then initThreads, the
// browser's entry, where Node can check it: what it refuses and why.

import { Worker } from "node:worker_threads";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { CallSlots, SERVE_SOURCE, START_TIMEOUT_MS } from "../../src/backend/thread-protocol.js";
import { compileWasmKernels, instantiate } from "../../src/backend/wasm-module.js";
import { initThreads, threadsUnavailable } from "../../src/backend/threads-web.js";
import { setThreads } from "../../src/backend/threads.js";
import { setBackend } from "../../src/backend/index.js";
import { TorchletError } from "../../src/errors.js";
import { Plan } from "../../src/nn/plan.js";
import { Adam } from "../../src/nn/optim.js";
import { DataLoader } from "../../src/nn/dataloader.js";
import { lenet } from "../../src/lenet/models.js";
import { Generator } from "../../src/tensor/random.js";
import { loadDataset } from "../../src/data/files.js";

// The browser's worker script, with Node's message port standing in for the worker's global scope.
const NODE_AS_WEB_WORKER = `${SERVE_SOURCE}
const { parentPort } = require("node:worker_threads");
parentPort.once("message", (setup) => serve(setup, () => parentPort.postMessage("started")));
`;

afterAll(() => setBackend("wasm"));

describe("the shared call protocol, caller side and worker side", () => {
  const runtime = instantiate(compileWasmKernels({ shared: true }), { shared: true });
  const slots = new CallSlots(runtime, 2, "test");
  const worker = new Worker(NODE_AS_WEB_WORKER, { eval: true });
  const exited = new Promise<number>((done) => worker.once("exit", done));
  afterAll(() => worker.terminate());

  const floats = (values: number[]): number => {
    const at = runtime.heap.alloc(values.length * 4);
    new Float32Array(runtime.memory.buffer, at, values.length).set(values);
    return at;
  };
  const read = (at: number, n: number): number[] => Array.from(new Float32Array(runtime.memory.buffer, at, n));

  it("a worker is 'not started' until it has instantiated the module, then says so in its message and its flag", async () => {
    expect(slots.started(1)).toBe(false);
    expect(slots.waitStarted(1, 1)).toBe(false); // nothing has started it yet: the wait times out
    const started = new Promise((done) => worker.once("message", done));
    worker.postMessage(slots.setup(1));
    expect(await started).toBe("started");
    expect(slots.started(1)).toBe(true);
    expect(slots.waitStarted(1, START_TIMEOUT_MS)).toBe(true);
  });

  it("run() gives each thread its own call and returns when both are done; each thread counts its calls", () => {
    // addInto(dst, src, count): dst += src. Thread 0 (here) adds the first half, the worker the second.
    const dst = floats([1, 2, 3, 4, 5, 6, 7, 8]), src = floats([10, 20, 30, 40, 50, 60, 70, 80]);
    expect(slots.calls()).toEqual([0, 0]);
    const addInto = runtime.exports.addInto as (...args: number[]) => unknown;
    slots.run(addInto, [[dst, src, 4], [dst + 16, src + 16, 4]]);
    expect(read(dst, 8)).toEqual([11, 22, 33, 44, 55, 66, 77, 88]);
    slots.run(addInto, [[dst, src, 2], [dst + 8, src + 8, 6]]);
    expect(read(dst, 8)).toEqual([21, 42, 63, 84, 105, 126, 147, 168]);
    expect(slots.calls()).toEqual([2, 2]);
  });

  it("a call that traps on the worker is reported by name; a function that is no export is refused", () => {
    const past = runtime.memory.buffer.byteLength; // out of bounds: the worker's addInto traps
    const addInto = runtime.exports.addInto as (...args: number[]) => unknown;
    expect(() => slots.run(addInto, [[past - 16, past - 16, 0], [past, past, 4]])).toThrow("threads: addInto failed on a worker thread");
    expect(() => slots.run(() => 0, [[], []])).toThrow(/not an export of this pool's module/);
    expect(slots.calls()).toEqual([3, 3]); // the trapped call was still run (and counted) by both
  });

  // The caller stores the request number, then notifies. If it is preempted in between, the worker can see the
  // number, run the call and go back to sleep before the notify lands: that wake-up must not run the call again.
  it("a late wake-up with no new request runs nothing (a call is never run twice)", () => {
    const ints = new Int32Array(slots.control), worker1 = slots.control.byteLength / 2 / 4; // slot 1's first int32
    const before = slots.calls();
    const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    pause(20); // the worker has spun its 1 ms and sleeps on the request number
    expect(Atomics.notify(ints, worker1), "the worker is asleep on the request number").toBe(1);
    pause(50);
    expect(slots.calls()).toEqual(before);
  });

  it("close() ends the worker's loop", async () => {
    slots.close();
    await expect(exited).resolves.toBe(0);
  });
});

describe("the Node pool reports what its workers ran", () => {
  afterEach(() => setThreads(1));

  it("a split gemm runs once on each of two threads, counted by each", () => {
    const two = setThreads(2);
    expect(two.threadCalls()).toEqual([0, 0]);
    const n = 256, a = new Float32Array(n * n).fill(1), c = new Float32Array(n * n);
    two.gemm(c, a, a, { M: n, N: n, K: n, transA: false, transB: false, accumulate: false });
    expect(c[0]).toBe(n);
    expect(two.threadCalls()).toEqual([1, 1]);
    expect(setThreads(1).threadCalls()).toEqual([]);
  });
});

describe("initThreads (the browser's setThreads) where Node can check it", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("starts one thread anywhere with WebAssembly SIMD", async () => {
    const one = await initThreads(1);
    expect([one.name, one.threads]).toEqual(["wasm", 1]);
  });

  it("one thread takes the memory setBackend would (shared here): a Plan trains twice on it, as the playground's worker does", async () => {
    // On private memory a growing heap detaches the Plans' views: the second run used to fail with "free of 0".
    await initThreads(1);
    const { train } = loadDataset("mnist");
    const data = { images: train.images.subarray(0, 512 * 784), labels: train.labels.subarray(0, 512), count: 512, sampleShape: [1, 28, 28] };
    for (let run = 0; run < 2; run++) {
      const generator = new Generator(0);
      const net = lenet({ generator });
      const optimizer = new Adam(net.parameters(), { lr: 0.003 });
      const plan = new Plan(net, { batchSize: 128, sampleShape: [1, 28, 28] });
      let steps = 0;
      for (const n of new DataLoader(data, { batchSize: 128, shuffle: true, generator }).batchesInto(plan.input, plan.labels)) {
        expect(Number.isFinite(plan.trainStep(optimizer, n).loss)).toBe(true);
        steps++;
      }
      plan.dispose();
      expect(steps, `run ${run}`).toBe(4);
    }
  });

  it("refuses more threads in Node, where there are no Web Workers, pointing to setThreads", async () => {
    await expect(initThreads(2)).rejects.toThrow("initThreads: cannot start 2 threads: this runtime has no Web Workers (in Node, use setThreads from torchlet/node)");
    await expect(initThreads(2)).rejects.toBeInstanceOf(TorchletError);
  });

  it("names the missing headers on a page that is not cross-origin isolated", async () => {
    vi.stubGlobal("crossOriginIsolated", false);
    expect(threadsUnavailable()).toMatch(/not cross-origin isolated.*Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp/);
    await expect(initThreads(2)).rejects.toThrow(/^initThreads: cannot start 2 threads: this page is not cross-origin isolated/);
  });

  it("names the missing SharedArrayBuffer the same way", () => {
    vi.stubGlobal("SharedArrayBuffer", undefined);
    expect(threadsUnavailable()).toMatch(/not cross-origin isolated/);
  });
});
