// The wasm backend's memory: which arrays already live in WebAssembly memory,
// and, for one kernel call, copying the others in and the results back out.
//
// Kernels work on byte offsets into one WebAssembly.Memory. An argument that
// already lives there (a buffer from backend.alloc, as planned training steps
// use) is passed as its offset: no copy. Any other array is copied into a
// scratch block first, and outputs are copied back, so eager ops work on
// ordinary arrays too.

import { TorchletError } from "../errors.js";
import type { WasmHeap } from "./heap.js";

/** The WebAssembly memory the kernels run in, and the heap of blocks in it. */
export class WasmMemory {
  // Every ArrayBuffer object this memory has handed out: a shared memory gives a new one after each
  // grow, and views of the old ones stay valid. Views are only ever made through buffer().
  private readonly ownBuffers = new WeakSet<ArrayBufferLike>();
  private words: Int32Array | null = null;
  // Where each alloc'd array lives: a private (not shared) memory detaches every view when it grows,
  // and a detached view forgets its offset and length.
  private readonly blocks = new WeakMap<Float32Array | Int32Array, { pointer: number; length: number }>();

  constructor(private readonly memory: WebAssembly.Memory, readonly heap: WasmHeap) {}

  /** The memory's current buffer (it changes when the memory grows). */
  buffer(): ArrayBufferLike {
    const current = this.memory.buffer;
    this.ownBuffers.add(current);
    return current;
  }

  /** An Int32Array over the whole memory (made again only after the memory grows): for writing dims structs. */
  int32(): Int32Array {
    const current = this.buffer();
    if (this.words?.buffer !== current) this.words = new Int32Array(current);
    return this.words;
  }

  /** True when `a` is a view of this memory: kernels can use it in place. */
  resident(a: Float32Array | Int32Array): boolean {
    return this.ownBuffers.has(a.buffer);
  }

  /** A zeroed Float32Array in WebAssembly memory. */
  alloc(length: number): Float32Array {
    const p = this.heap.alloc(length * 4); // first: it may grow the memory, which replaces its buffer
    const a = new Float32Array(this.buffer(), p, length);
    a.fill(0);
    this.blocks.set(a, { pointer: p, length });
    return a;
  }

  /** A zeroed Int32Array in WebAssembly memory. */
  allocInt32(length: number): Int32Array {
    const p = this.heap.alloc(length * 4); // first, as in alloc
    const a = new Int32Array(this.buffer(), p, length);
    a.fill(0);
    this.blocks.set(a, { pointer: p, length });
    return a;
  }

  /** Gives back a buffer from alloc/allocInt32 (or a view reattach made of one). */
  release(a: Float32Array | Int32Array): void {
    const block = this.blocks.get(a);
    if (!block && !this.resident(a)) throw new TorchletError("wasm", "INVALID_ARGUMENT", "release: the buffer was not allocated by this backend");
    this.heap.free(block?.pointer ?? a.byteOffset);
  }

  /**
   * A buffer from alloc/allocInt32 as a view of the memory's current buffer: the same block, the same
   * contents. Only a private memory needs it: growing one detaches every view of it (a shared memory's
   * old views stay valid), so a holder of long-lived buffers (a Plan) calls this after any other call
   * may have grown the memory. Returns `a` itself when it is still attached.
   */
  reattach<T extends Float32Array | Int32Array>(a: T): T {
    const current = this.buffer();
    if (a.buffer === current) return a;
    const block = this.blocks.get(a);
    if (!block) throw new TorchletError("wasm", "INVALID_ARGUMENT", "reattach: the buffer was not allocated by this backend");
    const view = (a instanceof Float32Array ? new Float32Array(current, block.pointer, block.length) : new Int32Array(current, block.pointer, block.length)) as T;
    this.blocks.set(view, block);
    return view;
  }
}

/**
 * The arrays of one kernel call, placed in WebAssembly memory. Threads.wrap (src/backend/wasm-threads.ts)
 * makes one per call, runs the kernel, calls finish() and, however the call ends, free().
 */
export class Call {
  private readonly blocks: number[] = [];
  private readonly results: [Float32Array | Int32Array, number][] = [];
  private readonly steps: (() => void)[] = [];

  constructor(private readonly memory: WasmMemory) {}

  /** An array the kernel reads: its byte offset. */
  in(a: Float32Array | Int32Array): number {
    if (this.memory.resident(a)) return a.byteOffset;
    const p = this.temp(a.byteLength);
    view(a, this.memory.buffer(), p).set(a);
    return p;
  }

  /** An array the kernel writes (an accumulating output is read first): its byte offset. */
  out(a: Float32Array | Int32Array, accumulates: boolean): number {
    if (this.memory.resident(a)) return a.byteOffset;
    const p = accumulates ? this.in(a) : this.temp(a.byteLength);
    this.results.push([a, p]);
    return p;
  }

  /** A scratch block of `bytes` bytes, zero-filled when asked. */
  temp(bytes: number, zero = false): number {
    const p = this.memory.heap.alloc(bytes);
    this.blocks.push(p);
    // Through the memory's one Int32Array, not a new view per call (two threads' partial dw, db in every
    // training step); blocks are 64-byte aligned and sized, so rounding up to whole words stays inside.
    if (zero) this.memory.int32().fill(0, p >> 2, (p + bytes + 3) >> 2);
    return p;
  }

  /** Scratch of `bytes` bytes: the caller's own array when it lives in WebAssembly memory and is big enough, else a temp block. */
  scratch(a: Float32Array, bytes: number): number {
    return this.memory.resident(a) && a.byteLength >= bytes ? a.byteOffset : this.temp(bytes);
  }

  /** Runs `step` after the kernel, before the outputs are copied back (a second kernel, a sum of partials). */
  after(step: () => void): void {
    this.steps.push(step);
  }

  /** After the kernel: runs the steps, then copies every output back into the caller's array. */
  finish(): void {
    for (const step of this.steps) step();
    for (const [a, p] of this.results) a.set(view(a, this.memory.buffer(), p));
  }

  /** Frees every scratch block. */
  free(): void {
    for (const p of this.blocks) this.memory.heap.free(p);
    this.blocks.length = 0;
  }
}

// A view of `a`'s type and length at byte offset p of buffer.
function view(a: Float32Array | Int32Array, buffer: ArrayBufferLike, p: number): Float32Array | Int32Array {
  return a instanceof Int32Array ? new Int32Array(buffer, p, a.length) : new Float32Array(buffer, p, a.length);
}
