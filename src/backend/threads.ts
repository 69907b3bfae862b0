// Threads for the wasm backend (Node only): worker_threads that instantiate
// the same kernels module on the same shared WebAssembly.Memory and answer
// calls over the protocol in src/backend/thread-protocol.ts (shared with the
// browser's pool, src/backend/threads-web.ts). Node's caller may block, so the
// pool starts synchronously.

import { Worker } from "node:worker_threads";
import { availableParallelism } from "node:os";
import { TorchletError, checkArity } from "../errors.js";
import { compileWasmKernels, instantiate, sharedMemorySupported, type WasmRuntime } from "./wasm-module.js";
import { CallSlots, SERVE_SOURCE, START_TIMEOUT_MS, checkThreadCount } from "./thread-protocol.js";
import { createWasmBackend } from "./wasm.js";
import { installWasmBackend, type Backend } from "./index.js";

const WORKER_SOURCE = `${SERVE_SOURCE}
serve(require("node:worker_threads").workerData);
`;

/** The protocol's caller side plus worker_threads, started synchronously. */
class NodeThreadPool extends CallSlots {
  constructor(runtime: WasmRuntime, threads: number) {
    super(runtime, threads, "setThreads");
    for (let index = 1; index < threads; index++) {
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: this.setup(index) });
      worker.unref(); // idle workers must not keep the process alive
    }
    for (let index = 1; index < threads; index++) {
      if (!this.waitStarted(index, START_TIMEOUT_MS)) {
        this.close();
        throw this.startTimeout(index, START_TIMEOUT_MS);
      }
    }
  }
}

let pool: NodeThreadPool | null = null;

/** Cores this process may use: the default thread count. */
export function defaultThreads(): number {
  checkArity("defaultThreads", arguments, []);
  return availableParallelism();
}

/**
 * Runs the wasm kernels on `threads` threads (this one plus threads − 1
 * workers) and makes that the active backend. `setThreads(1)` goes back to one
 * thread. Results do not depend on the thread count except conv2d's weight
 * and bias gradients, whose per-thread partial sums are added in a fixed
 * order: bit-identical for a given count, within float32 rounding across counts.
 * @throws TorchletError when threads is not an integer ≥ 1 or shared memory is unavailable.
 */
export function setThreads(threads: number = defaultThreads()): Backend {
  checkArity("setThreads", arguments, ["threads"]);
  checkThreadCount("setThreads", threads);
  pool?.close();
  pool = null;
  if (threads === 1) return installWasmBackend(createWasmBackend(compileWasmKernels()));
  if (!sharedMemorySupported()) throw new TorchletError("setThreads", "INVALID_STATE", "this runtime cannot share WebAssembly memory between threads");
  const module = compileWasmKernels({ shared: true });
  const runtime = instantiate(module, { shared: true });
  pool = new NodeThreadPool(runtime, threads);
  return installWasmBackend(createWasmBackend(module, { shared: true }, runtime, pool));
}
