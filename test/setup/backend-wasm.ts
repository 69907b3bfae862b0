// Runs the suite on the WebAssembly SIMD kernels.
import { setBackend } from "../../src/backend/index.js";
setBackend("wasm");
