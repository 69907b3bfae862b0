// What a backend is: a full set of kernels (each with the signature of its
// TypeScript reference in src/ops) plus the memory they work in best. The
// "ts" backend is the references themselves; the "wasm" backend
// (src/backend/wasm.ts) replaces every one of them.
//
// The ops never see this object: they ask src/backend/dispatch.ts for one
// kernel at a time. It is for code that drives kernels directly over buffers
// it laid out itself (nn's Plan, the benchmarks), through `getBackend()`.

import type { KernelOverrides } from "./dispatch.js";
import { gemm } from "../ops/gemm.js";
import { im2col, col2im } from "../ops/im2col.js";
import { conv2dForward, conv2dBackward } from "../ops/conv2d.js";
import { avgPool2dForward, avgPool2dBackward, avgPool2dActivationBackward } from "../ops/avgpool2d.js";
import { maxPool2dForward, maxPool2dBackward, maxPool2dReluBackward } from "../ops/maxpool2d.js";
import { sigmoidForward, sigmoidBackward } from "../ops/sigmoid.js";
import { reluForward, reluBackward } from "../ops/relu.js";
import { tanhForward, tanhBackward } from "../ops/tanh.js";
import { linearForward, linearBackward } from "../ops/linear.js";
import { softmaxForward, softmaxBackward, logSoftmaxForward, logSoftmaxBackward } from "../ops/softmax.js";
import { softmaxCrossEntropyForward, softmaxCrossEntropyBackward } from "../ops/cross-entropy.js";
import { pad2dForward, pad2dBackward } from "../ops/pad2d.js";
import { maxUnpool2dForward, maxUnpool2dBackward } from "../ops/maxunpool2d.js";
import { adaptiveAvgPool2dForward, adaptiveAvgPool2dBackward } from "../ops/adaptive-avgpool2d.js";
import { sumForward, sumBackward } from "../ops/reduce.js";
import { argmaxForward, maxForward, maxBackward, maxAllBackward } from "../ops/max.js";
import { nllLossForward, nllLossBackward, probabilityLossForward, probabilityLossBackward } from "../ops/nll-loss.js";
import { mseLossForward, mseLossBackward, l1LossForward, l1LossBackward } from "../ops/regression-loss.js";
import { batchNormMoments, batchNormForward, batchNormBackward } from "../ops/batchnorm.js";

/** The kernels an op can run, each typed by its TypeScript reference in src/ops (`kernels.<name>` documents its contract). */
export interface Kernels {
  /** C (M, N) (+)= op(A) · op(B). */
  gemm: typeof gemm;
  /** cols (C·kH·kW, N·P·Q) = the receptive fields of x (N, C, H, W). */
  im2col: typeof im2col;
  /** dx (N, C, H, W) += dcols sent back to the pixels they came from. */
  col2im: typeof col2im;
  /** y (N, K, P, Q) = conv(x, w) + b, with `cols` as scratch. */
  conv2dForward: typeof conv2dForward;
  /** dx, dw, db += the conv2d gradients (null skips one). */
  conv2dBackward: typeof conv2dBackward;
  /** y (N, C, P, Q) = window means of x (N, C, H, W). */
  avgPool2dForward: typeof avgPool2dForward;
  /** dx += dy spread evenly over each window. */
  avgPool2dBackward: typeof avgPool2dBackward;
  /** dx += ∂L/∂x through a sigmoid or tanh and the average pool after it, in one pass (a Plan's fusion). */
  avgPool2dActivationBackward: typeof avgPool2dActivationBackward;
  /** y (N, C, P, Q) = window maxima of x, argmax = where each came from. */
  maxPool2dForward: typeof maxPool2dForward;
  /** dx += dy routed to each window's argmax. */
  maxPool2dBackward: typeof maxPool2dBackward;
  /** dx += ∂L/∂x through a relu and the max pool after it, in one pass (a Plan's fusion). */
  maxPool2dReluBackward: typeof maxPool2dReluBackward;
  /** y = σ(x), elementwise. */
  sigmoidForward: typeof sigmoidForward;
  /** dx += dy · y(1 − y). */
  sigmoidBackward: typeof sigmoidBackward;
  /** y = max(0, x), elementwise. */
  reluForward: typeof reluForward;
  /** dx += dy where y > 0 or y is NaN. */
  reluBackward: typeof reluBackward;
  /** y = tanh(x), elementwise. */
  tanhForward: typeof tanhForward;
  /** dx += dy · (1 − y²). */
  tanhBackward: typeof tanhBackward;
  /** y (N, O) = x (N, I) · wᵀ + b. */
  linearForward: typeof linearForward;
  /** dx, dw, db += the linear gradients (null skips one). */
  linearBackward: typeof linearBackward;
  /** y (N, J) = softmax of each row of x. */
  softmaxForward: typeof softmaxForward;
  /** dx += y ⊙ (dy − Σ_j dy·y), from the saved output y. */
  softmaxBackward: typeof softmaxBackward;
  /** y (N, J) = log-softmax of each row of x. */
  logSoftmaxForward: typeof logSoftmaxForward;
  /** dx += dy − softmax · Σ_j dy, from the saved output y. */
  logSoftmaxBackward: typeof logSoftmaxBackward;
  /** loss (1) = mean −log softmax(logits)[label]; keeps logProbs for the backward. */
  softmaxCrossEntropyForward: typeof softmaxCrossEntropyForward;
  /** dlogits += dloss · (softmax − onehot(labels)) / N. */
  softmaxCrossEntropyBackward: typeof softmaxCrossEntropyBackward;
  /** y (M, Ho, Wo) = x (M, H, W) with its border filled by the pad mode. */
  pad2dForward: typeof pad2dForward;
  /** dx += dy sent back to the input each output copied. */
  pad2dBackward: typeof pad2dBackward;
  /** y (N, C, H, W) = x (N, C, P, Q) placed at indices, zero elsewhere. */
  maxUnpool2dForward: typeof maxUnpool2dForward;
  /** dx += dy gathered from where each input went. */
  maxUnpool2dBackward: typeof maxUnpool2dBackward;
  /** y (N, C, P, Q) = the mean of each adaptive window of x (N, C, H, W). */
  adaptiveAvgPool2dForward: typeof adaptiveAvgPool2dForward;
  /** dx += dy spread evenly over each adaptive window. */
  adaptiveAvgPool2dBackward: typeof adaptiveAvgPool2dBackward;
  /** y (O) = scale · the sum of x over each output's reduced positions (sum, mean). */
  sumForward: typeof sumForward;
  /** dx += scale · dy at every position each output summed. */
  sumBackward: typeof sumBackward;
  /** indices (N, I) = where x (N, J, I) is largest over J (the first NaN, else the first of ties). */
  argmaxForward: typeof argmaxForward;
  /** values, indices (N, I) = the maximum of x (N, J, I) over J and where it is. */
  maxForward: typeof maxForward;
  /** dx (N, J, I) += dy (N, I) at each maximum's index. */
  maxBackward: typeof maxBackward;
  /** dx += dy[0] / count at each of the count elements equal to max(x) (ties share it; every NaN when it is NaN). */
  maxAllBackward: typeof maxAllBackward;
  /** nll, smooth (N, I) = the class-target loss terms of log-probabilities (N, J, I). */
  nllLossForward: typeof nllLossForward;
  /** dlogProbs += the gradient of the nll and smooth terms. */
  nllLossBackward: typeof nllLossBackward;
  /** loss (N, I) = the probability-target loss of log-probabilities (N, J, I). */
  probabilityLossForward: typeof probabilityLossForward;
  /** dlogProbs, dtarget += its gradients (null skips one). */
  probabilityLossBackward: typeof probabilityLossBackward;
  /** loss = (x − t)² per element, or its sum or mean. */
  mseLossForward: typeof mseLossForward;
  /** dinput += g·2(x − t), dtarget −= the same (null skips one). */
  mseLossBackward: typeof mseLossBackward;
  /** loss = |x − t| per element, or its sum or mean. */
  l1LossForward: typeof l1LossForward;
  /** dinput += g·sign(x − t), dtarget −= the same (null skips one). */
  l1LossBackward: typeof l1LossBackward;
  /** mean (C), variance (C) = each channel's batch statistics of x (N, C, L); the variance biased (÷N·L). */
  batchNormMoments: typeof batchNormMoments;
  /** y (N, C, L) = γ·(x − mean)/√(variance + eps) + β per channel. */
  batchNormForward: typeof batchNormForward;
  /** dx, dweight, dbias += the batch-norm gradients (null skips one), with batch or running statistics. */
  batchNormBackward: typeof batchNormBackward;
}

// The "ts" backend's kernels: the references themselves.
const referenceKernels: Kernels = {
  gemm, im2col, col2im, conv2dForward, conv2dBackward,
  avgPool2dForward, avgPool2dBackward, avgPool2dActivationBackward, maxPool2dForward, maxPool2dBackward, maxPool2dReluBackward,
  sigmoidForward, sigmoidBackward, reluForward, reluBackward, tanhForward, tanhBackward,
  linearForward, linearBackward, softmaxForward, softmaxBackward, logSoftmaxForward, logSoftmaxBackward,
  softmaxCrossEntropyForward, softmaxCrossEntropyBackward,
  pad2dForward, pad2dBackward, maxUnpool2dForward, maxUnpool2dBackward, adaptiveAvgPool2dForward, adaptiveAvgPool2dBackward,
  sumForward, sumBackward, argmaxForward, maxForward, maxBackward, maxAllBackward,
  nllLossForward, nllLossBackward, probabilityLossForward, probabilityLossBackward,
  mseLossForward, mseLossBackward, l1LossForward, l1LossBackward,
  batchNormMoments, batchNormForward, batchNormBackward,
};

/** The backends torchlet has. */
export type BackendName = "ts" | "wasm";

/** A set of kernels plus the memory they work in best. */
export interface Backend extends Kernels, KernelOverrides {
  /** Which backend this is: `"ts"` or `"wasm"`. */
  readonly name: BackendName;
  /** A zeroed buffer the kernels use in place (WebAssembly memory for "wasm"; copies are skipped). */
  alloc(length: number): Float32Array;
  /** An Int32Array counterpart of {@link Backend.alloc}. */
  allocInt32(length: number): Int32Array;
  /** Gives back a buffer from alloc/allocInt32 (a no-op for "ts", whose buffers the garbage collector reclaims). */
  release(buffer: Float32Array | Int32Array): void;
  /**
   * Sets every element to 0 (a Plan's activation gradients, before each backward accumulates into them).
   * For "wasm" every thread clears its share of a buffer from alloc at once; otherwise `buffer.fill(0)`.
   */
  zero(buffer: Float32Array): void;
  /**
   * A buffer from alloc/allocInt32 as a view of the backend's memory as it is now (the same block and
   * contents): WebAssembly memory that is not shared (a browser page that is not cross-origin isolated)
   * detaches every view when it grows. The buffer itself when nothing moved, and always for "ts".
   */
  reattach<T extends Float32Array | Int32Array>(buffer: T): T;
  /** Threads the kernels split work over (1 unless a thread pool was started). */
  readonly threads: number;
  /**
   * True when the kernels are WebAssembly's relaxed-SIMD build, whose multiply-adds are fused (rounded
   * once, as PyTorch's FMA kernels): the default where the runtime validates it. False for "ts".
   */
  readonly relaxedSimd: boolean;
  /**
   * Kernel calls each thread has run as its share of a split call, the caller's first, as the threads
   * themselves counted them: proof that the workers really work. [] without a thread pool.
   */
  threadCalls(): number[];
}

/** The override table of a backend whose kernels are `kernels`: each TypeScript reference → its replacement. */
export function overridesOf(kernels: Kernels): Map<Function, Function> {
  const names = Object.keys(referenceKernels) as (keyof Kernels)[];
  return new Map(names.filter((name) => kernels[name] !== referenceKernels[name]).map((name) => [referenceKernels[name], kernels[name]]));
}

/** The "ts" backend: the reference kernels over ordinary arrays. */
export function createTsBackend(): Backend {
  return {
    name: "ts",
    threads: 1,
    relaxedSimd: false,
    threadCalls: () => [],
    ...referenceKernels,
    overrides: new Map(),
    alloc: (length) => new Float32Array(length),
    allocInt32: (length) => new Int32Array(length),
    release: () => {},
    zero: (buffer) => void buffer.fill(0),
    reattach: (buffer) => buffer,
  };
}
