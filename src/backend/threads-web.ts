// Threads for the wasm backend in a browser: Web Workers, started from a Blob
// URL of a small script, that instantiate the same kernels module on the same
// shared WebAssembly.Memory and answer calls over the protocol in
// src/backend/thread-protocol.ts (the one Node's pool uses, threads.ts).
//
// Two things differ from Node:
//   - The caller of a kernel waits for the workers with Atomics.wait, which a
//     page's main thread may never do: threads work inside a dedicated worker.
//   - SharedArrayBuffer exists only on a cross-origin isolated page (served
//     with Cross-Origin-Opener-Policy: same-origin and
//     Cross-Origin-Embedder-Policy: require-corp), and workers start
//     asynchronously: `await initThreads(n)`.
// Nothing here imports from Node: the core entry exports initThreads.

import { TorchletError, checkArity } from "../errors.js";
import { instantiate, sharedMemorySupported, wasmBytes, wasmSupported, type WasmRuntime } from "./wasm-module.js";
import { CallSlots, SERVE_SOURCE, START_TIMEOUT_MS, checkThreadCount } from "./thread-protocol.js";
import { createWasmBackend } from "./wasm.js";
import { installWasmBackend, type Backend } from "./index.js";

// The first message is the worker's setup; serve() then blocks in its call loop, so it posts "started" first.
const WORKER_SOURCE = `${SERVE_SOURCE}
onmessage = (event) => {
  onmessage = null;
  serve(event.data, () => postMessage("started"));
};
`;

/** The protocol's caller side plus Web Workers, started asynchronously. */
class WebThreadPool extends CallSlots {
  private readonly workers: Worker[] = [];

  /** Starts threads − 1 workers; resolves when every one has instantiated the module. */
  static async start(runtime: WasmRuntime, threads: number, timeoutMs = START_TIMEOUT_MS): Promise<WebThreadPool> {
    const pool = new WebThreadPool(runtime, threads, "initThreads");
    const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "text/javascript" }));
    try {
      await Promise.all(Array.from({ length: threads - 1 }, (_, i) => pool.startWorker(url, i + 1, timeoutMs)));
      return pool;
    } catch (error) {
      pool.close();
      throw error;
    } finally {
      URL.revokeObjectURL(url);
    }
  }

  private startWorker(url: string, index: number, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(url, { name: `torchlet-thread-${index}` });
      this.workers.push(worker);
      const timer = setTimeout(() => reject(this.startTimeout(index, timeoutMs)), timeoutMs);
      worker.onmessage = () => {
        clearTimeout(timer);
        resolve();
      };
      worker.onerror = (event) => {
        clearTimeout(timer);
        event.preventDefault();
        reject(new TorchletError("initThreads", "INVALID_STATE", `worker thread ${index} failed to start: ${event.message || "no reason given"}`));
      };
      worker.postMessage(this.setup(index));
    });
  }

  /** Tells the workers to stop, and ends them. */
  override close(): void {
    super.close();
    for (const worker of this.workers) worker.terminate();
  }
}

/** True when this thread may block in Atomics.wait: a worker may, a page's main thread may not. */
function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/** Why threads cannot start here, or null when they can. */
export function threadsUnavailable(): string | null {
  if (!wasmSupported()) return "this runtime has no WebAssembly SIMD";
  if (typeof SharedArrayBuffer === "undefined" || (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === false) {
    return "this page is not cross-origin isolated (crossOriginIsolated is false), so it has no SharedArrayBuffer: serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp";
  }
  if (!canBlock()) return "threads work only inside a dedicated worker: a kernel call waits for its threads with Atomics.wait, which a page's main thread may not do; call initThreads in a Worker";
  if (typeof Worker === "undefined") return "this runtime has no Web Workers (in Node, use setThreads from torchlet/node)";
  if (!sharedMemorySupported()) return "this runtime cannot share WebAssembly memory between threads";
  return null;
}

function defaultThreads(): number {
  return (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
}

let pool: WebThreadPool | null = null;

/**
 * The browser's `setThreads` (torchlet/node): runs the wasm kernels on `threads` threads (this one plus
 * threads − 1 Web Workers on the same shared memory) and makes that the active backend; resolves
 * once every worker has started. Threads need a dedicated worker on a cross-origin isolated page
 * (docs/backends.md). `initThreads(1)` goes back to one thread and works anywhere with WebAssembly
 * SIMD. Results are bit-identical for a given thread count, as with setThreads.
 * @param threads default: navigator.hardwareConcurrency.
 * @throws TorchletError (as a rejection) for a bad count, or naming why threads cannot start here.
 */
export async function initThreads(threads: number = defaultThreads()): Promise<Backend> {
  checkArity("initThreads", arguments, ["threads"]);
  checkThreadCount("initThreads", threads);
  pool?.close();
  pool = null;
  const why = threads === 1 ? (wasmSupported() ? null : "this runtime has no WebAssembly SIMD") : threadsUnavailable();
  if (why !== null) throw new TorchletError("initThreads", "INVALID_STATE", `cannot start ${threads} thread${threads === 1 ? "" : "s"}: ${why}`);
  // One thread: the memory setBackend("wasm") would take (shared where the runtime allows it, as setThreads(1)).
  if (threads === 1) return installWasmBackend(createWasmBackend(await WebAssembly.compile(wasmBytes() as BufferSource)));
  const module = await WebAssembly.compile(wasmBytes({ shared: true }) as BufferSource);
  const runtime = instantiate(module, { shared: true });
  pool = await WebThreadPool.start(runtime, threads);
  return installWasmBackend(createWasmBackend(module, { shared: true }, runtime, pool));
}
