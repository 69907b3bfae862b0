// The wasm backend's kernels that read each value a bounded number of times
// (pooling, activations, softmax, the loss): each wrapper has the signature of
// the TypeScript kernel it overrides, places its arrays in WebAssembly memory,
// writes its dims struct once per thread (src/backend/wasm-dims.ts) and runs
// the twin from src/wasm, split over threads when the call is big enough
// (src/backend/wasm-threads.ts).

import type { Kernels } from "./backend.js";
import type { WasmContext } from "./wasm-threads.js";
import { ACTIVATION_POOL2D_DIMS, POOL2D_DIMS, RELU_POOL2D_DIMS, SOFTMAX_DIMS, WINDOW_DIMS } from "./wasm-dims.js";
import { OUTPUT_ACTIVATIONS } from "../ops/avgpool2d.js";
import type { SoftmaxDims } from "../ops/softmax.js";
import type { PlaneKernels } from "./wasm-planes.js";
import type { RowKernels } from "./wasm-rows.js";
import type { BatchNormKernelName } from "./wasm-batchnorm.js";

type PointwiseKernels = Omit<Kernels, "gemm" | "im2col" | "col2im" | "conv2dForward" | "conv2dBackward" | "linearForward" | "linearBackward"
  | keyof PlaneKernels | keyof RowKernels | BatchNormKernelName>;

// Floats per SIMD vector: elementwise kernels do four at a time, then a scalar tail.
const SIMD_WIDTH = 4;
// Elementwise kernels count elements; one sigmoid element costs about as much as 32 multiply-adds.
const ELEMENT_WORK = 32;

/** The wasm twins of the pooling, activation, softmax and cross-entropy kernels. */
export function pointwiseKernels(context: WasmContext): PointwiseKernels {
  return { ...poolingKernels(context), ...activationKernels(context), ...softmaxKernels(context) };
}

// Pooling: threads take whole (n, c) planes.
function poolingKernels({ ex, threads }: WasmContext) {
  return {
    avgPool2dForward: threads.wrap((call, y, x, d) => {
      const py = call.out(y, false), px = call.in(x);
      return [ex.avgPool2dForward, threads.shares(y.length * d.kH * d.kW, d.N * d.C).map((planes, t) => [py, px, threads.dims(t, POOL2D_DIMS, d, planes)])];
    }),

    avgPool2dBackward: threads.wrap((call, dx, dy, d) => {
      const pdx = call.out(dx, true), pdy = call.in(dy);
      return [ex.avgPool2dBackward, threads.shares(dy.length * d.kH * d.kW, d.N * d.C).map((planes, t) => [pdx, pdy, threads.dims(t, POOL2D_DIMS, d, planes)])];
    }),

    // The struct holds integers only: the activation goes in as its index in OUTPUT_ACTIVATIONS.
    avgPool2dActivationBackward: threads.wrap((call, dx, dy, y, d) => {
      const pdx = call.out(dx, d.accumulate), pdy = call.in(dy), py = call.in(y), struct = { ...d, activation: OUTPUT_ACTIVATIONS.indexOf(d.activation) };
      return [ex.avgPool2dActivationBackward, threads.shares(dx.length * 2, d.N * d.C).map((planes, t) => [pdx, pdy, py, threads.dims(t, ACTIVATION_POOL2D_DIMS, struct, planes)])];
    }),

    maxPool2dForward: threads.wrap((call, y, argmax, x, d) => {
      const py = call.out(y, false), pa = call.out(argmax, false), px = call.in(x);
      return [ex.maxPool2dForward, threads.shares(y.length * d.kH * d.kW, d.N * d.C).map((planes, t) => [py, pa, px, threads.dims(t, WINDOW_DIMS, d, planes)])];
    }),

    // Threads take planes: every argmax is a position within its own plane, so their scatters never meet.
    maxPool2dBackward: threads.wrap((call, dx, dy, argmax, d) => {
      const pdx = call.out(dx, true), pdy = call.in(dy), pa = call.in(argmax);
      return [ex.maxPool2dBackward, threads.shares(dy.length * d.kH * d.kW, d.N * d.C).map((planes, t) => [pdx, pdy, pa, threads.dims(t, WINDOW_DIMS, d, planes)])];
    }),

    // Threads take whole planes: each writes only its planes' pixels.
    maxPool2dReluBackward: threads.wrap((call, dx, dy, argmax, y, d) => {
      const pdx = call.out(dx, d.accumulate), pdy = call.in(dy), pa = call.in(argmax), py = call.in(y);
      return [ex.maxPool2dReluBackward, threads.shares(dx.length * 2, d.N * d.C).map((planes, t) => [pdx, pdy, pa, py, threads.dims(t, RELU_POOL2D_DIMS, d, planes)])];
    }),
  } satisfies Partial<PointwiseKernels>;
}

// Activations: threads take element ranges cut on SIMD-width boundaries.
function activationKernels({ ex, threads }: WasmContext) {
  // An elementwise kernel y = f(x), split by element range.
  const elementwise = (kernel: (y: number, x: number, start: number, end: number) => unknown) => threads.wrap((call, y: Float32Array, x: Float32Array) => {
    const py = call.out(y, false), px = call.in(x);
    return [kernel, threads.shares(x.length * ELEMENT_WORK, x.length, SIMD_WIDTH).map(([start, end]) => [py, px, start, end])];
  });
  // The backward of an elementwise kernel: dx += f(dy, y), split by element range.
  const elementwiseBackward = (kernel: (dx: number, dy: number, y: number, start: number, end: number) => unknown) => threads.wrap((call, dx: Float32Array, dy: Float32Array, y: Float32Array) => {
    const pdx = call.out(dx, true), pdy = call.in(dy), py = call.in(y);
    return [kernel, threads.shares(dy.length * ELEMENT_WORK, dy.length, SIMD_WIDTH).map(([start, end]) => [pdx, pdy, py, start, end])];
  });

  return {
    sigmoidForward: elementwise(ex.sigmoidForward),
    sigmoidBackward: elementwiseBackward(ex.sigmoidBackward),
    reluForward: elementwise(ex.reluForward),
    reluBackward: elementwiseBackward(ex.reluBackward),
    tanhForward: elementwise(ex.tanhForward),
    tanhBackward: elementwiseBackward(ex.tanhBackward),
  } satisfies Partial<PointwiseKernels>;
}

// Softmax, log-softmax and the fused loss: one thread (rows are short, the work small).
function softmaxKernels({ ex, threads }: WasmContext) {
  // A row-wise kernel y = f(x), one thread.
  const rowwise = (kernel: (y: number, x: number, d: number) => unknown) =>
    threads.wrap((call, y: Float32Array, x: Float32Array, d: SoftmaxDims) => [kernel, [[call.out(y, false), call.in(x), threads.dims(0, SOFTMAX_DIMS, d)]]]);
  // Its backward from the saved output: dx += f(dy, y), one thread.
  const rowwiseBackward = (kernel: (dx: number, dy: number, y: number, d: number) => unknown) =>
    threads.wrap((call, dx: Float32Array, dy: Float32Array, y: Float32Array, d: SoftmaxDims) => [kernel, [[call.out(dx, true), call.in(dy), call.in(y), threads.dims(0, SOFTMAX_DIMS, d)]]]);

  return {
    softmaxForward: rowwise(ex.softmaxForward),
    softmaxBackward: rowwiseBackward(ex.softmaxBackward),
    logSoftmaxForward: rowwise(ex.logSoftmaxForward),
    logSoftmaxBackward: rowwiseBackward(ex.logSoftmaxBackward),

    softmaxCrossEntropyForward: threads.wrap((call, loss, logProbs, logits, labels, d) =>
      [ex.softmaxCrossEntropyForward, [[call.out(loss, false), call.out(logProbs, false), call.in(logits), call.in(labels), threads.dims(0, SOFTMAX_DIMS, d)]]]),

    softmaxCrossEntropyBackward: threads.wrap((call, dlogits, dloss, logProbs, labels, d) =>
      [ex.softmaxCrossEntropyBackward, [[call.out(dlogits, true), call.in(dloss), call.in(logProbs), call.in(labels), threads.dims(0, SOFTMAX_DIMS, d)]]]),
  } satisfies Partial<PointwiseKernels>;
}
