// Backends: the second dimension of the benchmark matrix (cases × backends).
//
//   ts         torchlet's TypeScript kernels (src/ops), the reference
//   wasm       the WebAssembly SIMD kernels on one thread: the relaxed-SIMD build (fused multiply-add)
//              where the runtime has it, as the library and the CLI pick (enableRelaxedSimd on Node 20)
//   wasm-mt    the same kernels on every core (setThreads from torchlet/node)
//   wasm-nofma the plain SIMD build on one thread (a multiply, then an add): what the fused
//              multiply-add is worth, in the same run
//
// Kernel cases take their kernels and buffers from the active backend
// (ctx.kernels, ctx.alloc), so one case list runs on each; the end-to-end
// cases go through the ops and plans, which use whatever backend is active.

import { availableParallelism } from "node:os";
import { setBackend, type Backend, type Kernels } from "../../src/index.js";
import { createTsBackend } from "../../src/backend/backend.js";
import { enableRelaxedSimd, setThreads } from "../../src/node.js";
import { compileWasmKernels, createWasmBackend, relaxedSimdSupported, wasmSupported } from "../../src/backend/wasm.js";
import { installWasmBackend } from "../../src/backend/index.js";

// The wasm and wasm-mt rows run what the CLI runs: the relaxed-SIMD build, turned on here before any
// backend starts (Node 20 needs V8's flag); report.ts names the build on the machine line.
enableRelaxedSimd();

/** The kernels the cases call, as a backend holds them (the public `kernels.*` add entry checks on top). */
export type BenchKernels = Pick<Kernels,
  | "gemm" | "im2col" | "col2im" | "conv2dForward" | "conv2dBackward"
  | "avgPool2dForward" | "avgPool2dBackward" | "avgPool2dActivationBackward" | "maxPool2dForward" | "maxPool2dBackward" | "maxPool2dReluBackward"
  | "sigmoidForward" | "sigmoidBackward" | "tanhForward" | "tanhBackward" | "reluForward" | "reluBackward" | "softmaxCrossEntropyForward" | "softmaxCrossEntropyBackward"
  | "pad2dForward" | "pad2dBackward" | "maxUnpool2dForward" | "maxUnpool2dBackward" | "adaptiveAvgPool2dForward" | "adaptiveAvgPool2dBackward"
  | "sumForward" | "sumBackward" | "maxForward" | "argmaxForward" | "maxBackward" | "nllLossForward" | "nllLossBackward">;

/** A backend made active: its kernels and where its buffers come from. */
export interface ActiveBackend {
  name: string;
  kernels: BenchKernels;
  /** A zeroed buffer the kernels work on in place (WebAssembly memory for wasm). */
  alloc(length: number): Float32Array;
  allocInt32(length: number): Int32Array;
  /** Gives back a buffer from alloc / allocInt32. */
  release(buffer: Float32Array | Int32Array): void;
}

/** One backend the suite can run its cases on. */
export interface BackendSpec {
  /** The name rows and `--backend` use. */
  name: string;
  /** Why it cannot run here, or null when it can. */
  unavailable(): Promise<string | null>;
  /** Makes it the active backend for everything that follows. */
  activate(): Promise<ActiveBackend>;
}

const plain = {
  alloc: (length: number) => new Float32Array(length),
  allocInt32: (length: number) => new Int32Array(length),
  release: () => {},
};

/** The TypeScript reference kernels with ordinary buffers (also what peers' cases get). */
export const TS_BACKEND: ActiveBackend = { name: "ts", kernels: createTsBackend(), ...plain };

function fromLibrary(name: string, b: Backend): ActiveBackend {
  return { name, kernels: b, alloc: (n) => b.alloc(n), allocInt32: (n) => b.allocInt32(n), release: (buffer) => b.release(buffer) };
}

const noWasm = async () => (wasmSupported() ? null : "this runtime has no WebAssembly SIMD");

/** Threads the multi-threaded backend uses: every core. */
export const THREADS = availableParallelism();

export const BACKENDS: readonly BackendSpec[] = [
  {
    name: "ts",
    unavailable: async () => null,
    activate: async () => {
      setBackend("ts"); // the ops must use the reference kernels too
      return TS_BACKEND;
    },
  },
  { name: "wasm", unavailable: noWasm, activate: async () => fromLibrary("wasm", setThreads(1)) },
  {
    name: "wasm-mt",
    unavailable: async () => (await noWasm()) ?? (THREADS < 2 ? "this machine has one core" : null),
    activate: async () => fromLibrary("wasm-mt", setThreads(THREADS)),
  },
  {
    name: "wasm-nofma",
    unavailable: async () => (await noWasm()) ?? (relaxedSimdSupported() ? null : "the wasm rows already run plain SIMD: this runtime has no relaxed SIMD"),
    activate: async () => {
      setThreads(1); // stops a pool a wasm-mt row started
      const plain = createWasmBackend(compileWasmKernels({ relaxedSimd: false }));
      return fromLibrary("wasm-nofma", installWasmBackend(plain));
    },
  },
];

/** The backends `--backend` names: one name, a comma list, or "all". */
export function selectBackends(spec: string): BackendSpec[] {
  if (spec === "all") return [...BACKENDS];
  const names = spec.split(",").map((s) => s.trim()).filter((s) => s !== "");
  return names.map((name) => {
    const backend = BACKENDS.find((b) => b.name === name);
    if (!backend) throw new Error(`unknown backend "${name}"; known: ${BACKENDS.map((b) => b.name).join(", ")}, all`);
    return backend;
  });
}
