// Runs the kernel suites on the relaxed-SIMD build of the WebAssembly kernels
// (fused multiply-add in mad(), src/wasm/simd.ts). Node 20 validates that build
// only under --experimental-wasm-relaxed-simd, which vitest.config.ts passes to
// this project's workers; without it the suite would quietly test the plain
// SIMD build again, so that is refused here.
import { setBackend } from "../../src/backend/index.js";
import { relaxedSimdSupported } from "../../src/backend/wasm-module.js";

if (!relaxedSimdSupported()) {
  throw new Error(`the wasm-relaxed project needs relaxed SIMD; run node with --experimental-wasm-relaxed-simd (execArgv: ${process.execArgv.join(" ")})`);
}
setBackend("wasm");
