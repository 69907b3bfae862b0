// Threads for the wasm backend (Node only): worker_threads that instantiate
// the same kernels module on the same shared WebAssembly.Memory, and a tiny
// call protocol over a SharedArrayBuffer so that a kernel call stays
// synchronous: the caller hands each worker its slice (a batch range, a band
// of rows), runs its own slice, then waits with Atomics.wait until every
// worker has flagged its slice done.
//
// Per worker, the control block holds int32 slots (request number, done
// number, kernel index, argument count, failure flag) and then the arguments
// as float64 (pointers and sizes are exact in a float64). A call bumps the
// request number; the worker runs it and copies the number into "done". Each
// side only ever waits for the other to change a number, so no wake-up is lost.

import { Worker } from "node:worker_threads";
import { availableParallelism } from "node:os";
import { TorchletError, checkArity, checkInt } from "../errors.js";
import { compileWasmKernels, instantiate, sharedMemorySupported, type WasmRuntime } from "./wasm-module.js";
import type { ThreadPool, WasmKernel } from "./wasm-threads.js";
import { createWasmBackend } from "./wasm.js";
import { installWasmBackend, type Backend } from "./index.js";

const REQUEST = 0, DONE = 1, KERNEL = 2, ARGC = 3, FAILED = 4, HEADER = 6; // int32 slots per worker
const MAX_ARGS = 32;
const SLOT_BYTES = HEADER * 4 + MAX_ARGS * 8;
const EXIT = -1; // the kernel index that tells a worker to stop
const NOT_STARTED = -1; // "done" before the worker has instantiated the module
const START_TIMEOUT_MS = 30_000;

const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
const { module, memory, control, index, kernels } = workerData;
const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
const base = (index * ${SLOT_BYTES}) / 4;
const ints = new Int32Array(control);
const args = new Float64Array(control, index * ${SLOT_BYTES} + ${HEADER * 4}, ${MAX_ARGS});
let seen = 0;
Atomics.store(ints, base + ${DONE}, 0);
Atomics.notify(ints, base + ${DONE});
for (;;) {
  Atomics.wait(ints, base + ${REQUEST}, seen);
  seen = Atomics.load(ints, base + ${REQUEST});
  const kernel = ints[base + ${KERNEL}];
  if (kernel === ${EXIT}) break;
  try {
    exports[kernels[kernel]](...args.subarray(0, ints[base + ${ARGC}]));
  } catch (error) {
    ints[base + ${FAILED}] = 1;
  }
  Atomics.store(ints, base + ${DONE}, seen);
  Atomics.notify(ints, base + ${DONE});
}
`;

class NodeThreadPool implements ThreadPool {
  readonly size: number;
  readonly workspaces: number[];
  private readonly workers: Worker[] = [];
  private readonly ints: Int32Array;
  private readonly args: Float64Array[] = [];
  private readonly kernelIndex = new Map<WasmKernel, number>();
  private readonly kernelNames: string[];
  private request = 0;

  constructor(runtime: WasmRuntime, threads: number) {
    this.size = threads;
    // Workers find a kernel by its index in this list of export names; the caller passes the export itself.
    const exports = runtime.exports as unknown as Record<string, unknown>;
    const kernels = (this.kernelNames = Object.keys(exports).filter((name) => typeof exports[name] === "function"));
    kernels.forEach((name, i) => this.kernelIndex.set(exports[name] as WasmKernel, i));
    this.workspaces = Array.from({ length: threads }, () => runtime.heap.alloc(runtime.exports.gemmWorkspaceBytes()));
    const control = new SharedArrayBuffer(SLOT_BYTES * threads);
    this.ints = new Int32Array(control);
    for (let index = 1; index < threads; index++) {
      this.ints[this.slot(index) + DONE] = NOT_STARTED;
      this.args[index] = new Float64Array(control, index * SLOT_BYTES + HEADER * 4, MAX_ARGS);
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module: runtime.module, memory: runtime.memory, control, index, kernels } });
      worker.unref(); // idle workers must not keep the process alive
      this.workers.push(worker);
    }
    for (let index = 1; index < threads; index++) {
      if (Atomics.wait(this.ints, this.slot(index) + DONE, NOT_STARTED, START_TIMEOUT_MS) === "timed-out") {
        this.close();
        throw new TorchletError("setThreads", "INVALID_STATE", `worker thread ${index} did not start within ${START_TIMEOUT_MS / 1000} s`);
      }
    }
  }

  run(kernel: WasmKernel, args: readonly (readonly number[])[]): void {
    const index = this.kernelIndex.get(kernel);
    if (index === undefined) throw new TorchletError("threads", "INVALID_ARGUMENT", "the kernel is not an export of this pool's module");
    const request = ++this.request;
    for (let t = 1; t < args.length; t++) {
      const slot = this.slot(t), values = args[t]!;
      this.ints[slot + KERNEL] = index;
      this.ints[slot + ARGC] = values.length;
      this.ints[slot + FAILED] = 0;
      this.args[t]!.set(values);
      Atomics.store(this.ints, slot + REQUEST, request);
      Atomics.notify(this.ints, slot + REQUEST);
    }
    kernel(...args[0]!);
    let failed = false;
    for (let t = 1; t < args.length; t++) {
      const slot = this.slot(t);
      while (Atomics.load(this.ints, slot + DONE) !== request) Atomics.wait(this.ints, slot + DONE, request - 1);
      failed ||= this.ints[slot + FAILED] === 1;
    }
    if (failed) throw new TorchletError("threads", "INVALID_STATE", `${this.kernelNames[index]} failed on a worker thread`);
  }

  /** Stops the workers. */
  close(): void {
    const request = ++this.request;
    for (let t = 1; t < this.size; t++) {
      this.ints[this.slot(t) + KERNEL] = EXIT;
      Atomics.store(this.ints, this.slot(t) + REQUEST, request);
      Atomics.notify(this.ints, this.slot(t) + REQUEST);
    }
  }

  private slot(thread: number): number {
    return (thread * SLOT_BYTES) / 4;
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
  checkInt("setThreads", "threads", threads, 1);
  if (threads > 256) throw new TorchletError("setThreads", "OUT_OF_RANGE", `threads is ${threads}; at most 256 are supported`);
  pool?.close();
  pool = null;
  if (threads === 1) return installWasmBackend(createWasmBackend(compileWasmKernels()));
  if (!sharedMemorySupported()) throw new TorchletError("setThreads", "INVALID_STATE", "this runtime cannot share WebAssembly memory between threads");
  const module = compileWasmKernels({ shared: true });
  const runtime = instantiate(module, { shared: true });
  pool = new NodeThreadPool(runtime, threads);
  return installWasmBackend(createWasmBackend(module, { shared: true }, runtime, pool));
}
