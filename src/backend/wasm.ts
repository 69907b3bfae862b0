// The WebAssembly SIMD backend: loads the kernels compiled from src/wasm and
// wraps each export in the signature of its TypeScript twin in src/ops.
//
// Kernels work on byte offsets into one WebAssembly.Memory. An argument that
// already lives there (a buffer from backend.alloc, as planned training steps
// use) is passed as its offset: no copy. Any other Float32Array is copied into
// a scratch block first, and outputs are copied back, so eager ops work on
// ordinary arrays too. With a thread pool (Node: `setThreads`), big calls are
// split over threads by batch, rows or planes; only conv2d's weight and bias
// gradients then sum in a thread-count-dependent order (docs/backends.md).

import { TorchletError } from "../errors.js";
import { overridesOf, type Backend } from "./backend.js";
import type { GemmDims } from "../ops/gemm.js";
import type { WindowDims } from "../ops/window.js";
import type { Conv2dDims } from "../ops/conv2d.js";
import type { LinearDims } from "../ops/linear.js";
import type { SoftmaxDims } from "../ops/softmax.js";
import { WasmHeap } from "./heap.js";
import { WASM_KERNELS, WASM_MAX_PAGES } from "./wasm-binary.js";

/** Choices for loading the module. */
export interface WasmOptions {
  /** Shared memory, needed for threads (default: whenever the runtime allows it). */
  shared?: boolean;
}

/** The first 64 KiB page holds the module's static data (math tables); the heap starts after it. */
export const HEAP_BASE = 65536;
const INITIAL_PAGES = 256; // 16 MiB to start with; the heap grows the memory on demand

/** Raw exports of the kernels module: pointers are byte offsets, sizes are i32. */
export interface WasmExports {
  gemmWorkspaceBytes(): number;
  [kernel: string]: (...args: number[]) => number | void;
}

/** Runs one call of a kernel per thread and waits for all of them (see src/backend/threads.ts). */
export interface ThreadPool {
  /** Threads including the caller's. */
  readonly size: number;
  /** The gemm workspace of thread i (i = 0 is the caller). */
  readonly workspaces: readonly number[];
  /** Runs `kernel(...args[i])` on thread i for every i < args.length, concurrently; returns when all are done. */
  run(kernel: string, args: readonly (readonly number[])[]): void;
}

function decode(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

let supported: boolean | null = null;
let relaxed: boolean | null = null;

/** True when this runtime validates the WebAssembly SIMD build. */
export function wasmSupported(): boolean {
  supported ??= typeof WebAssembly === "object" && WebAssembly.validate(decode(WASM_KERNELS.simd.private) as BufferSource);
  return supported;
}

/** True when it also validates relaxed SIMD (fused multiply-add): Node 22+, current browsers. */
export function relaxedSimdSupported(): boolean {
  relaxed ??= wasmSupported() && WebAssembly.validate(decode(WASM_KERNELS.relaxed.private) as BufferSource);
  return relaxed;
}

/** True when shared WebAssembly memory can be created (Node; browsers only when cross-origin isolated). */
export function sharedMemorySupported(): boolean {
  try {
    return new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

/** The module bytes for this runtime: relaxed SIMD when it validates, shared memory when asked (default: when possible). */
export function wasmBytes(options: WasmOptions = {}): Uint8Array {
  const flavour = relaxedSimdSupported() ? WASM_KERNELS.relaxed : WASM_KERNELS.simd;
  return decode((options.shared ?? sharedMemorySupported()) ? flavour.shared : flavour.private);
}

/** Compiles the kernels synchronously (fine in Node and workers; a browser main thread must use WebAssembly.compile). */
export function compileWasmKernels(options: WasmOptions = {}): WebAssembly.Module {
  return new WebAssembly.Module(wasmBytes(options) as BufferSource);
}

/** A loaded kernels module: its exports, memory and heap. Workers instantiate the same module on the same memory. */
export interface WasmRuntime {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  exports: WasmExports;
  heap: WasmHeap;
  shared: boolean;
}

/** Instantiates the module on a fresh memory; `options.shared` must match the bytes it was compiled from. */
export function instantiate(module: WebAssembly.Module, options: WasmOptions = {}): WasmRuntime {
  const shared = options.shared ?? sharedMemorySupported();
  const memory = shared
    ? new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: WASM_MAX_PAGES, shared: true })
    : new WebAssembly.Memory({ initial: INITIAL_PAGES });
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return { module, memory, exports: instance.exports as unknown as WasmExports, heap: new WasmHeap(memory, HEAP_BASE, WASM_MAX_PAGES), shared };
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

// Floats per SIMD vector: elementwise kernels do four at a time, then a scalar tail.
const SIMD_WIDTH = 4;

// Below this much work, waking a thread (tens of microseconds) costs more than it saves: 2^19
// multiply-adds is about 25 µs of one thread's SIMD time.
const PARALLEL_MIN_WORK = 1 << 19;
// Elementwise kernels count elements; one sigmoid element costs about as much as 32 multiply-adds.
const ELEMENT_WORK = 32;

/** The "wasm" backend over a compiled kernels module; `pool` (optional) spreads calls over threads. */
export function createWasmBackend(module: WebAssembly.Module, options: WasmOptions = {}, runtime: WasmRuntime = instantiate(module, options), pool: ThreadPool | null = null): Backend {
  const { memory, exports: ex, heap } = runtime;
  const threads = pool?.size ?? 1;
  const mainWorkspace = pool?.workspaces[0] ?? heap.alloc(ex.gemmWorkspaceBytes());
  // Every ArrayBuffer object this memory has handed out: a shared memory gives a new one after each
  // grow, and views of the old ones stay valid. Views are only ever made through buffer().
  const ownBuffers = new WeakSet<ArrayBufferLike>();
  const buffer = (): ArrayBufferLike => {
    const current = memory.buffer;
    ownBuffers.add(current);
    return current;
  };
  const resident = (a: Float32Array | Int32Array): boolean => ownBuffers.has(a.buffer);

  /** Copies arguments into WebAssembly memory for one kernel call, and results back out. */
  class Call {
    private readonly blocks: number[] = [];
    private readonly results: [Float32Array | Int32Array, number][] = [];

    /** An array the kernel reads. */
    in(a: Float32Array | Int32Array): number {
      if (resident(a)) return a.byteOffset;
      const p = this.temp(a.byteLength);
      (a instanceof Int32Array ? new Int32Array(buffer(), p, a.length) : new Float32Array(buffer(), p, a.length)).set(a);
      return p;
    }

    /** An array the kernel writes (accumulating outputs are read first). */
    out(a: Float32Array, accumulates: boolean): number {
      if (resident(a)) return a.byteOffset;
      const p = accumulates ? this.in(a) : this.temp(a.byteLength);
      this.results.push([a, p]);
      return p;
    }

    /** Same as out, for Int32 results (maxPool2d's argmax). */
    outInt32(a: Int32Array): number {
      if (resident(a)) return a.byteOffset;
      const p = this.temp(a.byteLength);
      this.results.push([a, p]);
      return p;
    }

    /** A scratch block, zero-filled when asked. */
    temp(bytes: number, zero = false): number {
      const p = heap.alloc(bytes);
      this.blocks.push(p);
      if (zero) ex.zeroFill!(p, bytes);
      return p;
    }

    /** Copies results out and frees every scratch block. */
    finish(): void {
      for (const [a, p] of this.results) {
        if (a instanceof Int32Array) a.set(new Int32Array(buffer(), p, a.length));
        else a.set(new Float32Array(buffer(), p, a.length));
      }
      for (const p of this.blocks) heap.free(p);
    }
  }

  // Runs `kernel` once per range, on as many threads as there are ranges; `args(range, thread)` builds each call.
  function parallel(kernel: string, work: number, total: number, args: (range: [number, number], thread: number) => number[], multiple = 1): void {
    const ranges = pool !== null && work >= PARALLEL_MIN_WORK ? split(total, threads, multiple) : [[0, total] as [number, number]];
    if (ranges.length <= 1) {
      ex[kernel]!(...args([0, total], 0));
      return;
    }
    pool!.run(kernel, ranges.map((range, t) => args(range, t)));
  }
  const workspaceOf = (thread: number): number => (thread === 0 ? mainWorkspace : pool!.workspaces[thread]!);

  const windowArgs = (d: WindowDims): number[] => [d.H, d.W, d.kH, d.kW, d.strideH, d.strideW, d.padH, d.padW, d.P, d.Q];

  // An elementwise kernel (y, x) over [0, n), split by element range.
  function elementwise(kernel: string, y: Float32Array, x: Float32Array): void {
    const call = new Call();
    const py = call.out(y, false), px = call.in(x);
    parallel(kernel, x.length * ELEMENT_WORK, x.length, ([i0, i1]) => [py, px, i0, i1], SIMD_WIDTH);
    call.finish();
  }
  // The backward of an elementwise kernel: dx += f(dy, y), split by element range.
  function elementwiseBackward(kernel: string, dx: Float32Array, dy: Float32Array, y: Float32Array): void {
    const call = new Call();
    const pdx = call.out(dx, true), pdy = call.in(dy), py = call.in(y);
    parallel(kernel, dy.length * ELEMENT_WORK, dy.length, ([i0, i1]) => [pdx, pdy, py, i0, i1], SIMD_WIDTH);
    call.finish();
  }

  const backend: Omit<Backend, "overrides"> = {
    name: "wasm",
    threads,

    alloc(length) {
      const p = heap.alloc(length * 4);
      const a = new Float32Array(buffer(), p, length);
      a.fill(0);
      return a;
    },
    allocInt32(length) {
      const p = heap.alloc(length * 4);
      const a = new Int32Array(buffer(), p, length);
      a.fill(0);
      return a;
    },
    release(buffer) {
      if (!resident(buffer)) throw new TorchletError("wasm", "INVALID_ARGUMENT", "release: the buffer was not allocated by this backend");
      heap.free(buffer.byteOffset);
    },

    gemm(c, a, b, d: GemmDims) {
      const call = new Call();
      const pc = call.out(c, d.accumulate), pa = call.in(a), pb = call.in(b);
      const aI = d.transA ? 1 : d.K, aK = d.transA ? d.M : 1, bK = d.transB ? 1 : d.N, bJ = d.transB ? d.K : 1;
      // Threads take bands of rows of C (and the matching rows of op(A)).
      parallel("gemm", d.M * d.N * d.K, d.M, ([i0, i1], t) => [pc + i0 * d.N * 4, d.N, pa + i0 * aI * 4, aI, aK, pb, bK, bJ, i1 - i0, d.N, d.K, d.accumulate ? 1 : 0, workspaceOf(t)]);
      call.finish();
    },

    im2col(cols, x, d) {
      const call = new Call();
      const pc = call.out(cols, false), px = call.in(x);
      ex.im2col!(pc, px, d.N, d.C, ...windowArgs(d));
      call.finish();
    },

    col2im(dx, dcols, d) {
      const call = new Call();
      const pdx = call.out(dx, true), pc = call.in(dcols);
      ex.col2im!(pdx, pc, d.N, d.C, ...windowArgs(d));
      call.finish();
    },

    conv2dForward(y, x, w, b, d: Conv2dDims, cols) {
      const call = new Call();
      const py = call.out(y, false), px = call.in(x), pw = call.in(w), pb = b === null ? 0 : call.in(b);
      const colsBytes = d.C * d.kH * d.kW * d.P * d.Q * 4;
      const pcols = resident(cols) && cols.byteLength >= colsBytes ? cols.byteOffset : call.temp(colsBytes);
      const geometry = [d.N, d.C, d.H, d.W, d.K, d.kH, d.kW, d.strideH, d.strideW, d.padH, d.padW, d.P, d.Q];
      const work = d.N * d.K * d.P * d.Q * d.C * d.kH * d.kW;
      // Each thread takes a slice of the batch, with its own columns scratch.
      parallel("conv2dForward", work, d.N, ([n0, n1], t) => [py, px, pw, pb, ...geometry, n0, n1, t === 0 ? pcols : call.temp(colsBytes), workspaceOf(t)]);
      call.finish();
    },

    conv2dBackward(dx, dw, db, dy, x, w, d: Conv2dDims, cols, dcols) {
      const call = new Call();
      const pdx = dx === null ? 0 : call.out(dx, true), pdw = dw === null ? 0 : call.out(dw, true), pdb = db === null ? 0 : call.out(db, true);
      const pdy = call.in(dy), px = call.in(x), pw = call.in(w);
      const colsBytes = d.C * d.kH * d.kW * d.P * d.Q * 4;
      const scratch = (a: Float32Array): number => (resident(a) && a.byteLength >= colsBytes ? a.byteOffset : call.temp(colsBytes));
      const pcols = scratch(cols), pdcols = dx === null ? 0 : scratch(dcols);
      const geometry = [d.N, d.C, d.H, d.W, d.K, d.kH, d.kW, d.strideH, d.strideW, d.padH, d.padW, d.P, d.Q];
      const work = d.N * d.K * d.P * d.Q * d.C * d.kH * d.kW;
      // Threads take slices of the batch. dx slices are disjoint; dw and db are sums over the whole batch,
      // so thread t > 0 sums its slice into a zeroed partial, added to dw/db in thread order afterwards.
      const partials: [number, number][] = [];
      parallel("conv2dBackward", work, d.N, ([n0, n1], t) => {
        let tdw = pdw, tdb = pdb, tcols = pcols, tdcols = pdcols;
        if (t > 0) {
          tdw = dw === null ? 0 : call.temp(dw.byteLength, true);
          tdb = db === null ? 0 : call.temp(db.byteLength, true);
          partials.push([tdw, tdb]);
          tcols = call.temp(colsBytes);
          tdcols = dx === null ? 0 : call.temp(colsBytes);
        }
        return [pdx, tdw, tdb, pdy, px, pw, ...geometry, n0, n1, tcols, tdcols, workspaceOf(t)];
      });
      for (const [tdw, tdb] of partials) {
        if (dw !== null) ex.addInto!(pdw, tdw, dw.length);
        if (db !== null) ex.addInto!(pdb, tdb, db.length);
      }
      call.finish();
    },

    avgPool2dForward(y, x, d) {
      const call = new Call();
      const py = call.out(y, false), px = call.in(x);
      parallel("avgPool2dForward", y.length * d.kH * d.kW, d.N * d.C, ([p0, p1]) => [py, px, ...windowArgs(d), p0, p1]);
      call.finish();
    },

    avgPool2dBackward(dx, dy, d) {
      const call = new Call();
      const pdx = call.out(dx, true), pdy = call.in(dy);
      parallel("avgPool2dBackward", dy.length * d.kH * d.kW, d.N * d.C, ([p0, p1]) => [pdx, pdy, ...windowArgs(d), p0, p1]);
      call.finish();
    },

    maxPool2dForward(y, argmax, x, d) {
      const call = new Call();
      const py = call.out(y, false), pa = call.outInt32(argmax), px = call.in(x);
      parallel("maxPool2dForward", y.length * d.kH * d.kW, d.N * d.C, ([p0, p1]) => [py, pa, px, ...windowArgs(d), p0, p1]);
      call.finish();
    },

    maxPool2dBackward(dx, dy, argmax) {
      const call = new Call();
      const pdx = call.out(dx, true), pdy = call.in(dy), pa = call.in(argmax);
      // Without the geometry the scatter cannot be split safely by plane: one thread, one "plane" of all outputs.
      ex.maxPool2dBackward!(pdx, pdy, pa, 1, dy.length, 0, 1);
      call.finish();
    },

    sigmoidForward: (y, x) => elementwise("sigmoidForward", y, x),
    sigmoidBackward: (dx, dy, y) => elementwiseBackward("sigmoidBackward", dx, dy, y),
    reluForward: (y, x) => elementwise("reluForward", y, x),
    reluBackward: (dx, dy, y) => elementwiseBackward("reluBackward", dx, dy, y),
    tanhForward: (y, x) => elementwise("tanhForward", y, x),
    tanhBackward: (dx, dy, y) => elementwiseBackward("tanhBackward", dx, dy, y),

    linearForward(y, x, w, b, d: LinearDims) {
      const call = new Call();
      const py = call.out(y, false), px = call.in(x), pw = call.in(w), pb = b === null ? 0 : call.in(b);
      parallel("linearForward", d.N * d.I * d.O, d.N, ([n0, n1], t) => [py, px, pw, pb, d.N, d.I, d.O, n0, n1, workspaceOf(t)]);
      call.finish();
    },

    linearBackward(dx, dw, db, dy, x, w, d: LinearDims) {
      const call = new Call();
      const pdx = dx === null ? 0 : call.out(dx, true), pdw = dw === null ? 0 : call.out(dw, true), pdb = db === null ? 0 : call.out(db, true);
      const pdy = call.in(dy), px = call.in(x), pw = call.in(w);
      const work = d.N * d.I * d.O;
      if (dx !== null) parallel("linearBackwardInput", work, d.N, ([n0, n1], t) => [pdx, pdy, pw, d.N, d.I, d.O, n0, n1, workspaceOf(t)]);
      // dW and db are split by output feature: each thread sums whole rows, so the result does not depend on the thread count.
      if (dw !== null || db !== null) parallel("linearBackwardWeight", work, d.O, ([o0, o1], t) => [pdw, pdb, pdy, px, d.N, d.I, d.O, o0, o1, workspaceOf(t)]);
      call.finish();
    },

    logSoftmaxForward(y, x, d: SoftmaxDims) {
      const call = new Call();
      const py = call.out(y, false), px = call.in(x);
      ex.logSoftmaxForward!(py, px, d.N, d.J);
      call.finish();
    },

    logSoftmaxBackward(dx, dy, y, d: SoftmaxDims) {
      const call = new Call();
      const pdx = call.out(dx, true), pdy = call.in(dy), py = call.in(y);
      ex.logSoftmaxBackward!(pdx, pdy, py, d.N, d.J);
      call.finish();
    },

    softmaxCrossEntropyForward(loss, logProbs, logits, labels, d: SoftmaxDims) {
      const call = new Call();
      const pl = call.out(loss, false), pp = call.out(logProbs, false), px = call.in(logits), py = call.in(labels);
      ex.softmaxCrossEntropyForward!(pl, pp, px, py, d.N, d.J);
      call.finish();
    },

    softmaxCrossEntropyBackward(dlogits, dloss, logProbs, labels, d: SoftmaxDims) {
      const call = new Call();
      const pd = call.out(dlogits, true), pg = call.in(dloss), pp = call.in(logProbs), py = call.in(labels);
      ex.softmaxCrossEntropyBackward!(pd, pg, pp, py, d.N, d.J);
      call.finish();
    },
  };
  return { ...backend, overrides: overridesOf(backend) };
}
