// Which implementation of a kernel runs: the one switch every op asks.
//
// An op calls its own TypeScript kernel through `kernel`:
//
//   const backend = activeBackend();                      // once per op call: forward and backward agree
//   kernel(conv2dForward, backend)(y, x, w, b, d, cols);  // the wasm twin when the backend has one
//
// and gets the active backend's replacement for that very function, or the
// function itself. The table is keyed by the TypeScript kernel (a function
// object), not by a name, so the compiler checks that a replacement has the
// signature of what it replaces, and a reader can follow `kernel(conv2dForward)`
// straight to conv2dForward.
//
// This file is a leaf (it imports nothing): src/ops import it
// without importing any backend. The backends themselves sit above src/ops:
//   src/backend/backend.ts  what a backend is: the TypeScript kernels (the "ts" backend), the Backend interface
//   src/backend/wasm*.ts    the WebAssembly backend: wrappers that override the TypeScript kernels
//   src/backend/index.ts    getBackend / setBackend / initBackend: creates backends and makes one active here,
//                           and registers the default (wasm when supported) when it is loaded
// Floors: errors ← dispatch ← ops ← backend.ts ← wasm*.ts ← index.ts ← nn, cli, the public index.

/** A backend as the ops see it: its name and the kernels it replaces. */
export interface KernelOverrides {
  /** `"ts"` or `"wasm"`. */
  readonly name: string;
  /** TypeScript kernel → this backend's replacement, same signature. A kernel not listed runs itself. */
  readonly overrides: ReadonlyMap<Function, Function>;
}

// Until src/backend/index.ts registers its choice (it does when it is loaded, as the
// public entry always does), an op imported on its own runs the TypeScript kernels.
const REFERENCE: KernelOverrides = { name: "ts", overrides: new Map() };

let active: KernelOverrides | null = null;
let chooseDefault: () => KernelOverrides = () => REFERENCE;

/** The backend ops use now; the first call makes the registered default active. */
export function activeBackend(): KernelOverrides {
  return (active ??= chooseDefault());
}

/** Makes `backend` the one every op uses from now on (src/backend/index.ts's setBackend calls this). */
export function useBackend(backend: KernelOverrides): void {
  active = backend;
}

/** How {@link activeBackend} picks a backend when none was chosen: src/backend/index.ts registers "wasm when supported". */
export function useByDefault(choose: () => KernelOverrides): void {
  chooseDefault = choose;
}

/**
 * The implementation of the TypeScript kernel `reference` that `backend` runs:
 * its override, or `reference` itself.
 */
export function kernel<F extends Function>(reference: F, backend: KernelOverrides = activeBackend()): F {
  return (backend.overrides.get(reference) as F | undefined) ?? reference;
}
