// Backends: which implementation of the kernels the Tensor-level ops call.
//
//   "ts"    the readable TypeScript kernels in src/ops (the reference)
//   "wasm"  the WebAssembly SIMD kernels in src/wasm, same signatures
//
// How an op reaches its kernel, floor by floor (no file imports one above it):
//   src/backend/dispatch.ts  a leaf: the active backend's table "TypeScript kernel → replacement".
//                            An op runs `kernel(conv2dForward, backend)(…)`: the wasm twin or conv2dForward itself.
//   src/ops/*.ts             each op's kernels and its Tensor-level function; imports dispatch.ts only.
//   src/backend/backend.ts   the Backend interface; the "ts" backend is the reference kernels themselves.
//   src/backend/wasm*.ts     the "wasm" backend: one wrapper per TypeScript kernel, typed by it, that copies
//                            arrays into WebAssembly memory and calls the kernel's twin from src/wasm.
//   this file                creates backends and switches between them. Loading it registers the default
//                            ("wasm" when the runtime compiles WebAssembly SIMD synchronously, else "ts"),
//                            the one module-evaluation side effect package.json's "sideEffects" names.
//
// Every op asks for the active backend once per call and uses it for its
// forward and its backward. A browser's main thread compiles WebAssembly
// asynchronously only: there "ts" runs until `await initBackend("wasm")`.

import { TorchletError, checkArity, checkOptionKeys, describe } from "../errors.js";
import { useBackend, useByDefault } from "./dispatch.js";
import { createTsBackend, type Backend, type BackendName } from "./backend.js";
import { compileWasmKernels, relaxedSimdSupported, wasmBytes, wasmSupported, type WasmOptions } from "./wasm-module.js";
import { createWasmBackend } from "./wasm.js";

export type { Backend, BackendName, Kernels } from "./backend.js";

let active: Backend | null = null;
let ts: Backend | null = null;
let wasm: Backend | null = null;

function use(backend: Backend): Backend {
  active = backend;
  useBackend(backend);
  return backend;
}

/** The backend ops use now; on first use picks "wasm" if it can start synchronously, else "ts". */
export function getBackend(): Backend {
  checkArity("getBackend", arguments, []);
  return active ?? use(wasmSupported() ? tryWasm() ?? tsBackend() : tsBackend());
}

// The ops ask src/backend/dispatch.ts, which knows no backend: tell it how to pick one.
useByDefault(getBackend);

function tsBackend(): Backend {
  return (ts ??= createTsBackend());
}

function tryWasm(): Backend | null {
  try {
    return (wasm ??= createWasmBackend(compileWasmKernels()));
  } catch {
    return null; // e.g. a browser main thread, where compiling synchronously is not allowed
  }
}

function checkName(name: unknown): BackendName {
  if (name !== "ts" && name !== "wasm") {
    throw new TorchletError("setBackend", "INVALID_ARGUMENT", `backend must be "ts" or "wasm", got ${describe(name)}`);
  }
  return name;
}

/**
 * Selects the kernels every op uses from now on. "wasm" compiles the
 * WebAssembly module synchronously the first time (use {@link initBackend} in
 * a browser's main thread).
 * @throws TorchletError when the runtime lacks WebAssembly SIMD.
 */
export function setBackend(name: BackendName): Backend {
  checkArity("setBackend", arguments, ["name"]);
  if (checkName(name) === "ts") return use(tsBackend());
  if (!wasmSupported()) {
    throw new TorchletError("setBackend", "INVALID_STATE", "this runtime has no WebAssembly SIMD; use the \"ts\" backend");
  }
  return use((wasm ??= createWasmBackend(compileWasmKernels())));
}

/**
 * Like {@link setBackend}, but compiles WebAssembly asynchronously: works on a browser's main thread.
 * Options (`shared`, `relaxedSimd`; see WasmOptions) start a new wasm backend built that way.
 * @throws TorchletError for an unknown option, or `relaxedSimd: true` where the runtime lacks relaxed SIMD.
 */
export async function initBackend(name: BackendName = "wasm", options: WasmOptions = {}): Promise<Backend> {
  checkArity("initBackend", arguments, ["name", "options"]);
  checkOptionKeys("initBackend", options, ["shared", "relaxedSimd"]);
  if (checkName(name) === "ts") return use(tsBackend());
  if (!wasmSupported()) return use(tsBackend());
  if (options.relaxedSimd === true && !relaxedSimdSupported()) {
    throw new TorchletError("initBackend", "INVALID_STATE", "relaxedSimd: true, but this runtime does not validate relaxed SIMD (Node 22+ and current browsers do; on Node 20 call enableRelaxedSimd() from torchlet/node first)");
  }
  // Options ask for a particular build or memory: start a backend with them rather than reuse one made without.
  if (wasm === null || Object.keys(options).length > 0) wasm = createWasmBackend(await WebAssembly.compile(wasmBytes(options) as BufferSource), options);
  return use(wasm);
}

/** The wasm backend if one was started (active or not), else null: it is never created here. @internal */
export function startedWasmBackend(): Backend | null {
  return wasm;
}

/** Replaces the wasm backend (used by the thread pools, setThreads and initThreads, to install a threaded one). @internal */
export function installWasmBackend(backend: Backend): Backend {
  wasm = backend;
  return use(backend);
}
