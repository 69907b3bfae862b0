// The WebAssembly SIMD backend: the kernels compiled from src/wasm, each
// wrapped in the signature of the TypeScript kernel in src/ops it overrides.
//
//   src/backend/wasm-module.ts     which build this runtime takes; compiling and instantiating it
//   src/backend/wasm-call.ts       WebAssembly memory: arrays copied in and out per call, scratch freed in `finally`
//   src/backend/wasm-threads.ts    splitting a call over threads (pools: threads.ts in Node, threads-web.ts in browsers)
//   src/backend/wasm-gemm.ts       the wrappers of gemm, im2col/col2im, conv2d, linear
//   src/backend/wasm-pointwise.ts  the wrappers of pooling, activations, softmax, cross-entropy
//   src/backend/wasm-planes.ts     the wrappers of pad2d, maxUnpool2d, adaptiveAvgPool2d
//   src/backend/wasm-rows.ts       the wrappers of sum/mean, max/argmax, nllLoss, probability targets, mse/l1
//   src/backend/wasm-batchnorm.ts  the wrappers of the batch-norm kernels
//
// With a thread pool, big calls are split over threads by batch, rows or
// planes; only conv2d's weight and bias gradients then sum in a
// thread-count-dependent order (docs/backends.md).

import { overridesOf, type Backend, type Kernels } from "./backend.js";
import { instantiate, type WasmOptions, type WasmRuntime } from "./wasm-module.js";
import { WasmMemory } from "./wasm-call.js";
import { Threads, type ThreadPool } from "./wasm-threads.js";
import { gemmKernels } from "./wasm-gemm.js";
import { pointwiseKernels } from "./wasm-pointwise.js";
import { planeKernels } from "./wasm-planes.js";
import { rowKernels } from "./wasm-rows.js";
import { batchNormKernels } from "./wasm-batchnorm.js";

export { wasmSupported, relaxedSimdSupported, sharedMemorySupported, wasmBytes, compileWasmKernels, instantiate, HEAP_BASE } from "./wasm-module.js";
export type { WasmOptions, WasmExports, WasmRuntime } from "./wasm-module.js";
export { split, type ThreadPool } from "./wasm-threads.js";

/** The "wasm" backend over a compiled kernels module; `pool` (optional) spreads calls over threads. */
export function createWasmBackend(module: WebAssembly.Module, options: WasmOptions = {}, runtime: WasmRuntime = instantiate(module, options), pool: ThreadPool | null = null): Backend {
  const memory = new WasmMemory(runtime.memory, runtime.heap);
  const threads = new Threads(pool, memory, runtime.exports);
  const context = { ex: runtime.exports, memory, threads };
  const kernels: Kernels = { ...gemmKernels(context), ...pointwiseKernels(context), ...planeKernels(context), ...rowKernels(context), ...batchNormKernels(context) };
  return {
    name: "wasm",
    threads: threads.count,
    relaxedSimd: runtime.exports.relaxedSimdBuild() === 1,
    threadCalls: () => threads.calls(),
    ...kernels,
    overrides: overridesOf(kernels),
    alloc: (length) => memory.alloc(length),
    allocInt32: (length) => memory.allocInt32(length),
    release: (buffer) => memory.release(buffer),
    zero: (buffer) => threads.zero(buffer),
    reattach: (buffer) => memory.reattach(buffer),
  };
}
