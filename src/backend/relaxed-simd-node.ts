// Relaxed SIMD on Node 20. Its fused multiply-add (f32x4.relaxed_madd) is what lets the gemm
// micro-kernel do one instruction per multiply-add instead of two; Node 22+ and current browsers
// validate it by default, Node 20's V8 (11.3) only behind --experimental-wasm-relaxed-simd. V8 reads
// that flag when it validates a module, so setting it in a running process is enough, as long as
// it happens before the kernels are compiled (a started wasm backend is restarted).

import { setFlagsFromString } from "node:v8";
import { checkArity } from "../errors.js";
import { recheckRelaxedSimd, relaxedSimdSupported, wasmSupported } from "./wasm-module.js";
import { getBackend, setBackend, startedWasmBackend } from "./index.js";
import { setThreads } from "./threads.js";

/**
 * Lets the wasm kernels use relaxed SIMD's fused multiply-add on Node 20, where V8 has it behind a
 * flag: sets `--experimental-wasm-relaxed-simd` in this process (a no-op where relaxed SIMD already
 * validates) and restarts a wasm backend that started without it, on as many threads; the active
 * backend stays the active one. Fused multiply-adds round once instead of twice, so results move in
 * the last bits (the kernel tests run on both builds). The CLI and the benchmarks call it; a program
 * calls it once, before it allocates buffers on the wasm backend (a Plan keeps the backend it was made on).
 * @returns true when the kernels now use relaxed SIMD.
 * @example import { enableRelaxedSimd } from "torchlet/node"; enableRelaxedSimd(); // then setThreads(), Plans, training
 */
export function enableRelaxedSimd(): boolean {
  checkArity("enableRelaxedSimd", arguments, []);
  if (!wasmSupported()) return false;
  if (!relaxedSimdSupported()) {
    setFlagsFromString("--experimental-wasm-relaxed-simd");
    recheckRelaxedSimd();
    if (!relaxedSimdSupported()) return false;
  }
  const started = startedWasmBackend();
  if (started !== null && !started.relaxedSimd) {
    const wasActive = getBackend() === started;
    const restarted = setThreads(started.threads); // makes the new wasm backend active
    if (!wasActive) setBackend("ts");
    return restarted.relaxedSimd;
  }
  return true;
}
