// How the wasm backend spreads one kernel call over threads. With a thread
// pool (Node: `setThreads`, threads.ts; browsers: `initThreads`, threads-web.ts), a call big enough to be
// worth waking workers is cut into contiguous shares (of the batch, the rows
// of C, the planes or the elements) and each thread runs the same kernel on
// its share; otherwise the caller runs it alone on the whole range.

import type { WasmExports } from "./wasm-module.js";
import { Call, type WasmMemory } from "./wasm-call.js";
import { DIMS_BLOCK_BYTES, writeDims, type StructLayout } from "./wasm-dims.js";

/** A kernel export: pointers are byte offsets, sizes are i32. */
export type WasmKernel = (...args: number[]) => unknown;

/** What a wrapper's `place` returns: the export to run and its argument list for each thread (none: nothing to run). */
export type Placed = readonly [kernel: WasmKernel, calls: readonly (readonly number[])[]];

/** Runs one call of a kernel per thread and waits for all of them (see src/backend/threads.ts). */
export interface ThreadPool {
  /** Threads including the caller's. */
  readonly size: number;
  /** The gemm workspace of thread i (i = 0 is the caller). */
  readonly workspaces: readonly number[];
  /** Runs `kernel(...calls[i])` on thread i for every i < calls.length, concurrently; returns when all are done. */
  run(kernel: WasmKernel, calls: readonly (readonly number[])[]): void;
  /** Split calls each thread has run so far, the caller's first (what `Backend.threadCalls` reports). */
  calls(): number[];
}

/**
 * Splits [0, total) into `parts` contiguous ranges, as even as possible, dropping empty ones;
 * every cut falls on a multiple of `multiple` (elementwise kernels use 4, the SIMD width, so each
 * element takes the same vector-or-scalar path whatever the thread count).
 */
export function split(total: number, parts: number, multiple = 1): [number, number][] {
  const ranges: [number, number][] = [];
  const cut = (i: number): number => (i === parts ? total : Math.floor((total * i) / parts / multiple) * multiple);
  for (let i = 0; i < parts; i++) {
    const start = cut(i), end = cut(i + 1);
    if (end > start) ranges.push([start, end]);
  }
  return ranges;
}

// Below this much work, waking a thread costs more than it saves. Measured in Node on the 2-core Xeon,
// a split call costs about 2 µs more than half its one-thread time (sigmoidForward on 16,384 floats:
// 19.8 µs on one thread, 11.7 on two), and 2^17 multiply-adds is about 6 µs of one thread's SIMD time.
// At 2^19 the pools of a Plan's 64-example chunks ran on one thread: 2^17 made LeNet's 2-thread train
// step 4% faster (12.0 → 11.45 ms, median of 40 Plan steps at batch 256) and lenet-modern's no slower.
const PARALLEL_MIN_WORK = 1 << 17;

/** The threads of one wasm backend: the caller's, plus a pool's workers when there is one. */
export class Threads {
  /** Threads including the caller's. */
  readonly count: number;
  private readonly mainWorkspace: number;
  private readonly dimsBlocks: number; // one DIMS_BLOCK_BYTES block per thread

  constructor(private readonly pool: ThreadPool | null, private readonly memory: WasmMemory, private readonly exports: WasmExports) {
    this.count = pool?.size ?? 1;
    this.mainWorkspace = pool?.workspaces[0] ?? memory.heap.alloc(exports.gemmWorkspaceBytes());
    this.dimsBlocks = memory.heap.alloc(DIMS_BLOCK_BYTES * this.count);
  }

  /**
   * Writes thread t's dims struct for one call: `layout`'s fields from `dims`, with the thread's share
   * [start, end) and its gemm workspace. @returns its byte offset, the kernel's `d` argument.
   */
  dims(t: number, layout: StructLayout, dims: object, [start, end]: readonly [number, number] = [0, 0]): number {
    return writeDims(this.memory, this.dimsBlocks + t * DIMS_BLOCK_BYTES, layout, dims, { start, end, work: this.workspace(t) });
  }

  /**
   * The shares of [0, total) a call with `work` multiply-adds is cut into: one per thread when it is
   * worth it, else the whole range; cuts fall on multiples of `multiple` (see {@link split}).
   */
  shares(work: number, total: number, multiple = 1): [number, number][] {
    const ranges = this.pool !== null && work >= PARALLEL_MIN_WORK ? split(total, this.count, multiple) : [];
    return ranges.length > 1 ? ranges : [[0, total]];
  }

  /**
   * buffer.fill(0), each thread clearing its share when the buffer lives in this memory and is big enough.
   * One core's stores fill about 23 GB/s here; a Plan clears 3.8 million floats of gradients per LeNet step.
   */
  zero(buffer: Float32Array): void {
    if (!this.memory.resident(buffer)) {
      buffer.fill(0);
      return;
    }
    const p = buffer.byteOffset;
    this.run(this.exports.zeroRange, this.shares(buffer.length, buffer.length, 16).map(([start, end]) => [p, start, end]));
  }

  /** The gemm workspace of thread t (0 is the caller). */
  workspace(t: number): number {
    return t === 0 ? this.mainWorkspace : this.pool!.workspaces[t]!;
  }

  /** Split calls each thread has run: one count per thread with a pool, [] without one. */
  calls(): number[] {
    return this.pool?.calls() ?? [];
  }

  /**
   * A kernel wrapper with the TypeScript kernel's signature: `place` puts the arrays in WebAssembly
   * memory through a {@link Call} and returns the export and one argument list per thread. With one
   * list the wrapper calls the export itself, so a kernel is two calls from its op (op → wrapper →
   * export); with several, the pool runs them. Then the outputs are copied back, and every scratch
   * block is freed in `finally`, however the call ends.
   */
  wrap<Args extends unknown[]>(place: (call: Call, ...args: Args) => Placed): (...args: Args) => void {
    const { memory, pool } = this;
    return (...args: Args): void => {
      const call = new Call(memory);
      try {
        const [kernel, calls] = place(call, ...args);
        if (calls.length === 1) kernel(...calls[0]!);
        else if (calls.length > 1) pool!.run(kernel, calls);
        call.finish();
      } finally {
        call.free();
      }
    };
  }

  /** Runs `kernel(...calls[t])` on thread t for every t, concurrently; returns when all are done (a wrapper's after-steps). */
  run<Args extends number[]>(kernel: (...args: Args) => unknown, calls: readonly NoInfer<Args>[]): void {
    if (calls.length === 1) kernel(...calls[0]!);
    else this.pool!.run(kernel as WasmKernel, calls);
  }
}

/** What every kernel wrapper works with: the module's exports, its memory, its threads. */
export interface WasmContext {
  readonly ex: WasmExports;
  readonly memory: WasmMemory;
  readonly threads: Threads;
}
