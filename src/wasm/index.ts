// The WebAssembly module's exports: every kernel of the fast backend.
// Built twice by scripts/build-wasm.mjs (plain SIMD and relaxed SIMD), each in
// a shared-memory and a private-memory flavour; src/backend/wasm.ts loads one.
export { gemm, gemmWorkspaceBytes } from "./gemm";
export { addInto, zeroFill } from "./simd";
export { im2col, col2im } from "./im2col";
export { conv2dForward, conv2dBackward } from "./conv2d";
export { avgPool2dForward, avgPool2dBackward, maxPool2dForward, maxPool2dBackward } from "./pool";
export { sigmoidForward, sigmoidBackward, reluForward, reluBackward, tanhForward, tanhBackward } from "./activations";
export { linearForward, linearBackwardInput, linearBackwardWeight } from "./linear";
export { softmaxForward, softmaxBackward, logSoftmaxForward, logSoftmaxBackward, softmaxCrossEntropyForward, softmaxCrossEntropyBackward } from "./softmax";
