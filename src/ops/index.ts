// Tensor-level ops (with autograd). The raw Float32Array kernels are exported as `kernels`.
export { matmul } from "./gemm.js";
export { conv2d, type Conv2dOptions } from "./conv2d.js";
export { avgPool2d } from "./avgpool2d.js";
export { maxPool2d } from "./maxpool2d.js";
export { sigmoid } from "./sigmoid.js";
export { relu } from "./relu.js";
export { tanh } from "./tanh.js";
export { linear } from "./linear.js";
export { softmax, logSoftmax, argmax } from "./softmax.js";
export { softmaxCrossEntropy, crossEntropy, type Labels, type CrossEntropyOptions } from "./cross-entropy.js";
export { add, sub, mul } from "./elementwise.js";
export { sum, mean } from "./reduce.js";
export type { Size2, WindowOptions, Pool2dOptions } from "./window.js";
export { mseLoss, l1Loss } from "./regression-loss.js";
export { binaryCrossEntropyWithLogits, type BceWithLogitsOptions } from "./bce-with-logits.js";
export type { Reduction, ReductionOptions } from "./loss-reduction.js";
export { dropout, type DropoutOptions } from "./dropout.js";
export { batchNorm, type BatchNormOptions } from "./batchnorm.js";
