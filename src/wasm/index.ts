// The WebAssembly module's exports: every kernel of the fast backend, each in
// the file named after its TypeScript twin in src/ops. Built four ways by
// scripts/build-wasm.mjs (plain or relaxed SIMD, each with shared or private
// memory); src/backend/wasm-module.ts loads one.
export { gemm, gemmWorkspaceBytes } from "./gemm";
export { addInto, exp4Into, relaxedSimdBuild, zeroRange } from "./simd";
export { im2col, col2im } from "./im2col";
export { conv2dForward, conv2dBackward, conv2dBackwardImages } from "./conv2d";
export { conv2dDirectForward, conv2dDirectScratchFloats, conv2dDirectBackward, conv2dDirectBackwardScratchFloats } from "./conv2d-direct";
export { avgPool2dForward, avgPool2dBackward, avgPool2dActivationBackward } from "./avgpool2d";
export { maxPool2dForward, maxPool2dBackward, maxPool2dReluBackward } from "./maxpool2d";
export { sigmoidForward, sigmoidBackward } from "./sigmoid";
export { reluForward, reluBackward } from "./relu";
export { tanhForward, tanhBackward } from "./tanh";
export { linearForward, linearBackwardInput, linearBackwardWeight } from "./linear";
export { softmaxForward, softmaxBackward, logSoftmaxForward, logSoftmaxBackward } from "./softmax";
export { softmaxCrossEntropyForward, softmaxCrossEntropyBackward } from "./cross-entropy";
export { pad2dForward, pad2dBackward } from "./pad2d";
export { maxUnpool2dForward, maxUnpool2dBackward } from "./maxunpool2d";
export { adaptiveAvgPool2dForward, adaptiveAvgPool2dBackward } from "./adaptive-avgpool2d";
export { sumForward, sumBackward } from "./reduce";
export { argmaxForward, maxForward, maxBackward, maxAllBackward } from "./max";
export { nllLossForward, nllLossBackward, probabilityLossForward, probabilityLossBackward } from "./nll-loss";
export { mseLossForward, mseLossBackward, l1LossForward, l1LossBackward } from "./regression-loss";
export { batchNormMoments, batchNormForward, batchNormBackward } from "./batchnorm";
