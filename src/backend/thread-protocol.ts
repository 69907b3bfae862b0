// The call protocol of both thread pools (Node: src/backend/threads.ts on
// worker_threads; browsers: src/backend/threads-web.ts on Web Workers). Each
// worker instantiates the same kernels module on the same shared
// WebAssembly.Memory; a kernel call stays synchronous: the caller hands each
// worker its slice (a batch range, a band of rows), runs its own slice, then
// waits with Atomics.wait until every worker has flagged its slice done.
//
// Per worker, the control block (a SharedArrayBuffer) holds int32 slots
// (request number, done number, kernel index, argument count, failure flag,
// calls run) and then the arguments as float64 (pointers and sizes are exact
// in a float64). A call bumps the request number; the worker runs it and
// copies the number into "done". Each side only ever waits for the other to
// change a number, so no wake-up is lost, and re-reads it after every wake-up,
// so a late one runs nothing twice. Nothing here imports from Node.
//
// Each side spins for up to SPIN_MS, re-reading the number, before it sleeps in
// Atomics.wait: a training step's kernel calls come a few hundred microseconds
// apart, and waking a sleeping thread costs 100–300 µs on a virtual machine
// (measured here), as much as a small call's whole share. OpenMP's threads,
// PyTorch's, spin between parallel regions for the same reason. The price is
// up to SPIN_MS of a core after each call, while nothing else is asked of it.

import { TorchletError, checkInt } from "../errors.js";
import type { WasmRuntime } from "./wasm-module.js";
import type { ThreadPool, WasmKernel } from "./wasm-threads.js";

const REQUEST = 0, DONE = 1, KERNEL = 2, ARGC = 3, FAILED = 4, CALLS = 5, HEADER = 6; // int32 slots per worker
const MAX_ARGS = 32;
const SLOT_BYTES = HEADER * 4 + MAX_ARGS * 8;
const EXIT = -1; // the kernel index that tells a worker to stop
const NOT_STARTED = -1; // "done" before the worker has instantiated the module
/** How long a waiting side spins before it sleeps. */
const SPIN_MS = 1;

/** The most threads a pool starts. */
const MAX_THREADS = 256;

/** Checks a thread count for `op` (setThreads, initThreads): an integer in [1, 256]. */
export function checkThreadCount(op: string, threads: unknown): number {
  checkInt(op, "threads", threads, 1);
  if ((threads as number) > MAX_THREADS) throw new TorchletError(op, "OUT_OF_RANGE", `threads is ${threads}; at most ${MAX_THREADS} are supported`);
  return threads as number;
}

/** How long a pool waits for its workers to instantiate the module. */
export const START_TIMEOUT_MS = 30_000;

/** What worker `index` needs: the module, the memory, the control block and the kernel export names (by index). */
export interface WorkerSetup {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  index: number;
  kernels: string[];
}

/**
 * The worker's side, as JavaScript source both pools embed in their worker script:
 * `serve(setup, started)` instantiates the module, flags "done = 0", calls `started()`
 * (a browser's worker posts a message; Node's caller waits on the flag) and runs calls until EXIT.
 */
export const SERVE_SOURCE = `
function serve({ module, memory, control, index, kernels }, started) {
  const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const base = (index * ${SLOT_BYTES}) / 4;
  const ints = new Int32Array(control);
  const args = new Float64Array(control, index * ${SLOT_BYTES} + ${HEADER * 4}, ${MAX_ARGS});
  let seen = 0;
  Atomics.store(ints, base + ${DONE}, 0);
  Atomics.notify(ints, base + ${DONE});
  if (started) started();
  for (;;) {
    const until = performance.now() + ${SPIN_MS};
    while (Atomics.load(ints, base + ${REQUEST}) === seen && performance.now() < until);
    // A wake-up is not a request: the caller's notify for the call just run can land after this side has
    // finished it and gone to sleep (the caller preempted between its store and its notify), so sleep again
    // until the number changes, or the call would run twice.
    while (Atomics.load(ints, base + ${REQUEST}) === seen) Atomics.wait(ints, base + ${REQUEST}, seen);
    seen = Atomics.load(ints, base + ${REQUEST});
    const kernel = ints[base + ${KERNEL}];
    if (kernel === ${EXIT}) break;
    try {
      exports[kernels[kernel]](...args.subarray(0, ints[base + ${ARGC}]));
    } catch (error) {
      ints[base + ${FAILED}] = 1;
    }
    ints[base + ${CALLS}]++;
    Atomics.store(ints, base + ${DONE}, seen);
    Atomics.notify(ints, base + ${DONE});
  }
}
`;

/**
 * The caller's side of a pool: its control block, the workspaces, `run` and `close`. The Node and the
 * browser pools add only how workers are started (and stopped).
 */
export class CallSlots implements ThreadPool {
  readonly size: number;
  readonly workspaces: number[];
  readonly control: SharedArrayBuffer;
  private readonly ints: Int32Array;
  private readonly args: Float64Array[] = [];
  private readonly kernelIndex = new Map<WasmKernel, number>();
  private readonly kernelNames: string[];
  private request = 0;
  private callerCalls = 0;

  /** @param op the public function that started the pool, named in errors. */
  constructor(private readonly runtime: WasmRuntime, threads: number, private readonly op: string) {
    this.size = threads;
    // Workers find a kernel by its index in this list of export names; the caller passes the export itself.
    const exports = runtime.exports as unknown as Record<string, unknown>;
    const kernels = (this.kernelNames = Object.keys(exports).filter((name) => typeof exports[name] === "function"));
    kernels.forEach((name, i) => this.kernelIndex.set(exports[name] as WasmKernel, i));
    this.workspaces = Array.from({ length: threads }, () => runtime.heap.alloc(runtime.exports.gemmWorkspaceBytes()));
    this.control = new SharedArrayBuffer(SLOT_BYTES * threads);
    this.ints = new Int32Array(this.control);
    for (let index = 1; index < threads; index++) {
      this.ints[this.slot(index) + DONE] = NOT_STARTED;
      this.args[index] = new Float64Array(this.control, index * SLOT_BYTES + HEADER * 4, MAX_ARGS);
    }
  }

  /** What worker `index` (1 … size − 1) is started with. */
  setup(index: number): WorkerSetup {
    return { module: this.runtime.module, memory: this.runtime.memory, control: this.control, index, kernels: this.kernelNames };
  }

  /** True once worker `index` has instantiated the module. */
  started(index: number): boolean {
    return Atomics.load(this.ints, this.slot(index) + DONE) !== NOT_STARTED;
  }

  /** Blocks until worker `index` has started (Node's synchronous start). @returns false on timeout. */
  waitStarted(index: number, timeoutMs: number): boolean {
    return Atomics.wait(this.ints, this.slot(index) + DONE, NOT_STARTED, timeoutMs) !== "timed-out" || this.started(index);
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
    this.callerCalls++;
    let failed = false;
    for (let t = 1; t < args.length; t++) {
      const slot = this.slot(t), until = performance.now() + SPIN_MS;
      while (Atomics.load(this.ints, slot + DONE) !== request && performance.now() < until);
      while (Atomics.load(this.ints, slot + DONE) !== request) Atomics.wait(this.ints, slot + DONE, request - 1);
      failed ||= this.ints[slot + FAILED] === 1;
    }
    if (failed) throw new TorchletError("threads", "INVALID_STATE", `${this.kernelNames[index]} failed on a worker thread`);
  }

  /** Split calls each thread has run, the caller's first: each worker counts its own in the control block. */
  calls(): number[] {
    return Array.from({ length: this.size }, (_, t) => (t === 0 ? this.callerCalls : Atomics.load(this.ints, this.slot(t) + CALLS)));
  }

  /** Tells the workers to stop. */
  close(): void {
    const request = ++this.request;
    for (let t = 1; t < this.size; t++) {
      this.ints[this.slot(t) + KERNEL] = EXIT;
      Atomics.store(this.ints, this.slot(t) + REQUEST, request);
      Atomics.notify(this.ints, this.slot(t) + REQUEST);
    }
  }

  /** The TorchletError for workers that did not start within `timeoutMs`. */
  startTimeout(index: number, timeoutMs: number): TorchletError {
    return new TorchletError(this.op, "INVALID_STATE", `worker thread ${index} did not start within ${timeoutMs / 1000} s`);
  }

  private slot(thread: number): number {
    return (thread * SLOT_BYTES) / 4;
  }
}
