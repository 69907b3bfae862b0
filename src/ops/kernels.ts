// The raw kernels: plain functions over Float32Arrays plus a dims object,
// outputs first, never allocating. `import { kernels } from "torchlet"`.
export { gemm, gemmNaive, type GemmDims } from "./gemm.js";
export { im2col, col2im } from "./im2col.js";
export { windowDims, pool2dDims, poolWindow, type WindowDims, type PoolWindow } from "./window.js";
export { conv2dForward, conv2dBackward, conv2dNaive, conv2dDims, conv2dColsLength, type Conv2dDims } from "./conv2d.js";
export { avgPool2dForward, avgPool2dBackward } from "./avgpool2d.js";
export { maxPool2dForward, maxPool2dBackward } from "./maxpool2d.js";
export { sigmoidForward, sigmoidBackward } from "./sigmoid.js";
export { reluForward, reluBackward } from "./relu.js";
export { tanhForward, tanhBackward } from "./tanh.js";
export { linearForward, linearBackward, type LinearDims } from "./linear.js";
export { softmaxForward, softmaxBackward, logSoftmaxForward, logSoftmaxBackward, type SoftmaxDims } from "./softmax.js";
export { softmaxCrossEntropyForward, softmaxCrossEntropyBackward } from "./cross-entropy.js";
export { addForward, addBackward, subForward, subBackward, mulForward, mulBackward, axpy } from "./elementwise.js";
export { mseLossForward, mseLossBackward, l1LossForward, l1LossBackward } from "./regression-loss.js";
export { bceWithLogitsForward, bceWithLogitsBackward } from "./bce-with-logits.js";
export type { LossDims } from "./loss-reduction.js";
export { dropoutForward, dropoutBackward, dropoutMask, type DropoutDims } from "./dropout.js";
export { batchNormMoments, batchNormForward, batchNormBackward, updateRunningStats, type BatchNormDims } from "./batchnorm.js";
