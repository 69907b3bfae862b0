// Counts typed-array allocations by wrapping the global constructors for the
// duration of a callback. Bench code only: it slows the wrapped code down and
// must never be left installed.
//
// What it sees: `new Float32Array(n)`, `new Float32Array(arrayLike)`,
// `Float32Array.from(...)` / `.of(...)`, and `.slice()` / `.map()` / `.filter()`
// (their species constructor is the prototype's `constructor`, which is wrapped
// too), for every typed-array kind and ArrayBuffer. A view on an existing buffer
// (`new Float32Array(buffer, offset, length)`, and `.subarray()`, which goes
// through the same species constructor) allocates no memory: counted as a view.

const KINDS = [
  "Float32Array", "Float64Array", "Int32Array", "Uint32Array", "Int16Array", "Uint16Array",
  "Int8Array", "Uint8Array", "Uint8ClampedArray", "ArrayBuffer",
] as const;

export interface AllocationCounts {
  /** Arrays that got fresh memory. */
  arrays: number;
  /** Their bytes. */
  bytes: number;
  /** Views on existing buffers (no new memory). */
  views: number;
  /** Per constructor name. */
  byKind: Record<string, { arrays: number; bytes: number }>;
  /** The largest single allocations, in bytes, largest first (at most 8). */
  largest: number[];
}

type AnyCtor = new (...args: unknown[]) => unknown;

function isBuffer(v: unknown): boolean {
  return v instanceof ArrayBuffer || (typeof SharedArrayBuffer !== "undefined" && v instanceof SharedArrayBuffer);
}

/** Runs fn with the constructors wrapped; returns its result and what it allocated. */
export function countAllocations<T>(fn: () => T): { result: T; counts: AllocationCounts } {
  const counts: AllocationCounts = { arrays: 0, bytes: 0, views: 0, byKind: {}, largest: [] };
  const g = globalThis as unknown as Record<string, AnyCtor>;
  const restore: (() => void)[] = [];
  try {
    for (const kind of KINDS) {
      const original = g[kind]!;
      const proto = original.prototype as { constructor: unknown };
      const wrapped = new Proxy(original, {
        construct(target, args, newTarget) {
          const made = Reflect.construct(target, args, newTarget === wrapped ? target : newTarget) as { byteLength: number };
          if (kind !== "ArrayBuffer" && isBuffer(args[0])) {
            counts.views++;
          } else {
            counts.arrays++;
            counts.bytes += made.byteLength;
            const k = (counts.byKind[kind] ??= { arrays: 0, bytes: 0 });
            k.arrays++;
            k.bytes += made.byteLength;
            counts.largest.push(made.byteLength);
            if (counts.largest.length > 64) counts.largest = counts.largest.sort((a, b) => b - a).slice(0, 8);
          }
          return made as object;
        },
      });
      g[kind] = wrapped;
      proto.constructor = wrapped;
      restore.push(() => {
        g[kind] = original;
        proto.constructor = original;
      });
    }
    const result = fn();
    counts.largest = counts.largest.sort((a, b) => b - a).slice(0, 8);
    return { result, counts };
  } finally {
    for (const undo of restore.reverse()) undo();
  }
}
