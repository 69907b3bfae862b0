import { configDefaults, defineConfig } from "vitest/config";

// Every test runs on the TypeScript reference backend; everything that exercises
// kernels (ops, tensors, nn, LeNet, PyTorch parity) runs again on WebAssembly.
const kernelSuites = ["test/ops/**/*.test.ts", "test/tensor/**/*.test.ts", "test/nn/**/*.test.ts", "test/lenet/**/*.test.ts", "test/parity/**/*.test.ts", "test/backend/**/*.test.ts"];
// The kernels themselves run a third time on the relaxed-SIMD build (fused multiply-add), which Node 20
// validates only behind a flag: what a Node 22+ or a current browser runs by default.
const relaxedSuites = ["test/ops/**/*.test.ts", "test/backend/**/*.test.ts", "test/parity/**/*.test.ts"];
// ...except the training-plot SVG, which computes nothing with tensors.
const notKernelSuites = ["test/lenet/plot.test.ts"];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 180_000,
    projects: [
      { extends: true, test: { name: "ts", include: ["test/**/*.test.ts"], setupFiles: ["test/setup/fast-check.ts", "test/setup/backend-ts.ts"] } },
      { extends: true, test: { name: "wasm", include: kernelSuites, exclude: [...configDefaults.exclude, ...notKernelSuites], setupFiles: ["test/setup/fast-check.ts", "test/setup/backend-wasm.ts"] } },
      { extends: true, test: { name: "wasm-relaxed", include: relaxedSuites, execArgv: ["--experimental-wasm-relaxed-simd"], setupFiles: ["test/setup/fast-check.ts", "test/setup/backend-wasm-relaxed.ts"] } },
    ],
  },
});
