// A first-fit allocator over a WebAssembly.Memory: the wasm backend keeps
// kernel buffers here (planned activations, per-call copies, gemm scratch).
// Blocks are 64-byte aligned (a cache line, and every SIMD load aligned); free
// blocks are kept sorted by address and merged with their neighbours.

import { TorchletError } from "../errors.js";

const ALIGN = 64;
const PAGE = 65536;

export class WasmHeap {
  /** Free blocks [start, start + size), sorted by start, never adjacent. */
  private readonly freeBlocks: { start: number; size: number }[] = [];
  private readonly allocated = new Map<number, number>();

  /** @param base first byte the heap may use (the module's static data lives below it). */
  constructor(private readonly memory: WebAssembly.Memory, base: number, private readonly maxPages: number) {
    const start = align(base);
    const end = memory.buffer.byteLength;
    if (end > start) this.freeBlocks.push({ start, size: end - start });
  }

  /** Bytes currently handed out. */
  get used(): number {
    let total = 0;
    for (const size of this.allocated.values()) total += size;
    return total;
  }

  /** A 64-byte-aligned block of at least `bytes` bytes; grows the memory when no free block fits. */
  alloc(bytes: number): number {
    const size = align(Math.max(bytes, 1));
    let index = this.freeBlocks.findIndex((b) => b.size >= size);
    if (index === -1) index = this.grow(size);
    const block = this.freeBlocks[index]!;
    const start = block.start;
    if (block.size === size) this.freeBlocks.splice(index, 1);
    else {
      block.start += size;
      block.size -= size;
    }
    this.allocated.set(start, size);
    return start;
  }

  /** Returns a block from {@link WasmHeap.alloc}. */
  free(start: number): void {
    const size = this.allocated.get(start);
    if (size === undefined) throw new TorchletError("wasm heap", "INVALID_STATE", `free of ${start}, which is not an allocated block`);
    this.allocated.delete(start);
    this.insertFree(start, size);
  }

  // Adds pages so that a block of `size` bytes fits at the end; returns that free block's index.
  private grow(size: number): number {
    const end = this.memory.buffer.byteLength;
    const last = this.freeBlocks[this.freeBlocks.length - 1];
    const tail = last && last.start + last.size === end ? last.size : 0;
    const pages = Math.ceil((size - tail) / PAGE);
    const current = end / PAGE;
    if (current + pages > this.maxPages) {
      throw new TorchletError("wasm", "OUT_OF_RANGE", `out of WebAssembly memory: need ${size} more bytes, and ${current} of at most ${this.maxPages} pages (64 KiB each) are in use`);
    }
    this.memory.grow(pages);
    this.insertFree(end, pages * PAGE);
    return this.freeBlocks.length - 1;
  }

  private insertFree(start: number, size: number): void {
    const blocks = this.freeBlocks;
    let i = 0;
    while (i < blocks.length && blocks[i]!.start < start) i++;
    blocks.splice(i, 0, { start, size });
    // Merge with the next block, then with the previous one.
    const next = blocks[i + 1];
    if (next && start + size === next.start) {
      blocks[i]!.size += next.size;
      blocks.splice(i + 1, 1);
    }
    const prev = blocks[i - 1];
    if (prev && prev.start + prev.size === start) {
      prev.size += blocks[i]!.size;
      blocks.splice(i, 1);
    }
  }
}

function align(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}
