// The raw kernels: plain functions over Float32Arrays plus a dims object,
// outputs first, never allocating. `import { kernels } from "torchlet"`.
//
// Each kernel exported here is the one in src/ops/<op>.ts wrapped with its
// entry checks (src/ops/kernel-checks.ts): arrays must be Float32Arrays
// (Int32Array for labels, argmax positions and maxUnpool2d's indices) of exactly the length the dims
// give (scratch: at least), dims fields integers in range, and no output may
// share memory with another argument. The only exceptions, where an output may
// be the very same array as an input (in place), are the pointwise kernels,
// whose element i reads only element i:
//   addForward, subForward, mulForward, divForward   y = a or y = b
//   sigmoidForward, reluForward, tanhForward   y = x
//   expForward, logForward, sqrtForward, absForward, negForward, clampForward, dropoutForward   y = x
//   powForward                           y = b or y = e
//   extremumForward, compareForward      y = a or y = b
//   whereForward                         y = condition, a or b
//   axpy                                 dx = dy (dx += scale·dx)
// Every kernel that indexes by array contents checks them first: labels
// (−1, ignored, allowed for nllLoss), argmax positions, take's offsets, the
// reach of a strided view, reduceDims' offsets, dropout's 0/1 mask.
// `kernels.unchecked(kernels.gemm)` (and so on) is the kernel without the
// checks, for a caller that checked its buffers once and calls it in a loop.

export * from "./kernels/conv.js";
export * from "./kernels/pool.js";
export * from "./kernels/pointwise.js";
export * from "./kernels/rows.js";
export * from "./kernels/pad.js";
export * from "./kernels/reductions.js";
export * from "./kernels/losses.js";
export * from "./kernels/movement.js";
export * from "./kernels/batchnorm.js";
export { unchecked } from "./kernel-checks.js";
export { windowDims, pool2dDims, poolWindow, type WindowDims, type PoolWindow } from "./window.js";
export { conv2dDims, conv2dColsLength, type Conv2dDims } from "./conv2d.js";
export type { GemmDims } from "./gemm.js";
export type { LinearDims } from "./linear.js";
export type { SoftmaxDims } from "./softmax.js";
export { reduceDims, type ReduceDims } from "./reduce.js";
export type { LossDims } from "./nll-loss.js";
export type { LossDims as ElementwiseLossDims, Reduction } from "./loss-reduction.js";
export type { AxisDims } from "./axis.js";
export type { BinaryKernels } from "./elementwise.js";
export type { StridedDims } from "./strided.js";
export { broadcastOffsets } from "./broadcast.js";
export type { ClampDims } from "./clamp.js";
export { powC, type Power } from "./pow.js";
export type { DropoutDims } from "./dropout.js";
export type { CatDims } from "./cat.js";
export { pad2dDims, type Pad2dDims } from "./pad2d.js";
export { windowCount, pool2dOutputShape, type Pool2dDims } from "./window.js";
export { OUTPUT_ACTIVATIONS, type ActivationPool2dDims, type OutputActivation } from "./avgpool2d.js";
export type { MaxUnpool2dDims } from "./maxunpool2d.js";
export type { ReluPool2dDims } from "./maxpool2d.js";
export { adaptiveAvgPool2dDims, type AdaptiveAvgPool2dDims } from "./adaptive-avgpool2d.js";
export type { BatchNormDims } from "./batchnorm.js";
