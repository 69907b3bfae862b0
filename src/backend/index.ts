// Backends: which implementation of the kernels the Tensor-level ops call.
//
//   "ts"    the readable TypeScript kernels in src/ops (the reference)
//   "wasm"  the WebAssembly SIMD kernels in src/wasm, same signatures
//
// Every op asks getBackend() once per call and uses that backend for its
// forward and its backward. The default is "wasm" when the runtime can
// compile WebAssembly SIMD synchronously (Node, workers), "ts" otherwise
// (a browser's main thread compiles asynchronously: `await initBackend("wasm")`).

import { TorchletError, describe } from "../errors.js";
import { gemm, type GemmDims } from "../ops/gemm.js";
import { im2col, col2im } from "../ops/im2col.js";
import { conv2dForward, conv2dBackward, type Conv2dDims } from "../ops/conv2d.js";
import { avgPool2dForward, avgPool2dBackward } from "../ops/avgpool2d.js";
import { maxPool2dForward, maxPool2dBackward } from "../ops/maxpool2d.js";
import { sigmoidForward, sigmoidBackward } from "../ops/sigmoid.js";
import { reluForward, reluBackward } from "../ops/relu.js";
import { tanhForward, tanhBackward } from "../ops/tanh.js";
import { linearForward, linearBackward, type LinearDims } from "../ops/linear.js";
import { logSoftmaxForward, logSoftmaxBackward, type SoftmaxDims } from "../ops/softmax.js";
import { softmaxCrossEntropyForward, softmaxCrossEntropyBackward } from "../ops/cross-entropy.js";
import type { WindowDims } from "../ops/window.js";
import { createWasmBackend, compileWasmKernels, wasmBytes, wasmSupported, type WasmOptions } from "./wasm.js";

/** The kernels an op can run, each with the signature of its TypeScript reference in src/ops. */
export interface Kernels {
  /** C (M, N) (+)= op(A) · op(B); see {@link kernels.gemm}. */
  gemm(c: Float32Array, a: Float32Array, b: Float32Array, d: GemmDims): void;
  /** cols (C·kH·kW, N·P·Q) = the receptive fields of x (N, C, H, W); see {@link kernels.im2col}. */
  im2col(cols: Float32Array, x: Float32Array, d: WindowDims): void;
  /** dx (N, C, H, W) += dcols sent back to the pixels they came from; see {@link kernels.col2im}. */
  col2im(dx: Float32Array, dcols: Float32Array, d: WindowDims): void;
  /** y (N, K, P, Q) = conv(x, w) + b, with `cols` as scratch; see {@link kernels.conv2dForward}. */
  conv2dForward(y: Float32Array, x: Float32Array, w: Float32Array, b: Float32Array | null, d: Conv2dDims, cols: Float32Array): void;
  /** dx, dw, db += the conv2d gradients (null skips one); see {@link kernels.conv2dBackward}. */
  conv2dBackward(dx: Float32Array | null, dw: Float32Array | null, db: Float32Array | null, dy: Float32Array, x: Float32Array, w: Float32Array, d: Conv2dDims, cols: Float32Array, dcols: Float32Array): void;
  /** y (N, C, P, Q) = window means of x (N, C, H, W); see {@link kernels.avgPool2dForward}. */
  avgPool2dForward(y: Float32Array, x: Float32Array, d: WindowDims): void;
  /** dx += dy spread evenly over each window; see {@link kernels.avgPool2dBackward}. */
  avgPool2dBackward(dx: Float32Array, dy: Float32Array, d: WindowDims): void;
  /** y (N, C, P, Q) = window maxima of x, argmax = where each came from; see {@link kernels.maxPool2dForward}. */
  maxPool2dForward(y: Float32Array, argmax: Int32Array, x: Float32Array, d: WindowDims): void;
  /** dx += dy routed to each window's argmax; see {@link kernels.maxPool2dBackward}. */
  maxPool2dBackward(dx: Float32Array, dy: Float32Array, argmax: Int32Array): void;
  /** y = σ(x), elementwise; see {@link kernels.sigmoidForward}. */
  sigmoidForward(y: Float32Array, x: Float32Array): void;
  /** dx += dy · y(1 − y); see {@link kernels.sigmoidBackward}. */
  sigmoidBackward(dx: Float32Array, dy: Float32Array, y: Float32Array): void;
  /** y = max(0, x), elementwise; see {@link kernels.reluForward}. */
  reluForward(y: Float32Array, x: Float32Array): void;
  /** dx += dy where y > 0; see {@link kernels.reluBackward}. */
  reluBackward(dx: Float32Array, dy: Float32Array, y: Float32Array): void;
  /** y = tanh(x), elementwise; see {@link kernels.tanhForward}. */
  tanhForward(y: Float32Array, x: Float32Array): void;
  /** dx += dy · (1 − y²); see {@link kernels.tanhBackward}. */
  tanhBackward(dx: Float32Array, dy: Float32Array, y: Float32Array): void;
  /** y (N, O) = x (N, I) · wᵀ + b; see {@link kernels.linearForward}. */
  linearForward(y: Float32Array, x: Float32Array, w: Float32Array, b: Float32Array | null, d: LinearDims): void;
  /** dx, dw, db += the linear gradients (null skips one); see {@link kernels.linearBackward}. */
  linearBackward(dx: Float32Array | null, dw: Float32Array | null, db: Float32Array | null, dy: Float32Array, x: Float32Array, w: Float32Array, d: LinearDims): void;
  /** y (N, J) = log-softmax of each row of x; see {@link kernels.logSoftmaxForward}. */
  logSoftmaxForward(y: Float32Array, x: Float32Array, d: SoftmaxDims): void;
  /** dx += dy − softmax · Σ_j dy, from the saved output y; see {@link kernels.logSoftmaxBackward}. */
  logSoftmaxBackward(dx: Float32Array, dy: Float32Array, y: Float32Array, d: SoftmaxDims): void;
  /** loss (1) = mean −log softmax(logits)[label]; keeps logProbs for the backward; see {@link kernels.softmaxCrossEntropyForward}. */
  softmaxCrossEntropyForward(loss: Float32Array, logProbs: Float32Array, logits: Float32Array, labels: Int32Array, d: SoftmaxDims): void;
  /** dlogits += dloss · (softmax − onehot(labels)) / N; see {@link kernels.softmaxCrossEntropyBackward}. */
  softmaxCrossEntropyBackward(dlogits: Float32Array, dloss: Float32Array, logProbs: Float32Array, labels: Int32Array, d: SoftmaxDims): void;
}

/** A set of kernels plus the memory they work in best. */
export interface Backend extends Kernels {
  /** Which backend this is: `"ts"` or `"wasm"`. */
  readonly name: BackendName;
  /** A zeroed buffer the kernels use in place (WebAssembly memory for "wasm"; copies are skipped). */
  alloc(length: number): Float32Array;
  /** An Int32Array counterpart of {@link Backend.alloc}. */
  allocInt32(length: number): Int32Array;
  /** Gives back a buffer from alloc/allocInt32 (a no-op for "ts", whose buffers the garbage collector reclaims). */
  release(buffer: Float32Array | Int32Array): void;
  /** Threads the kernels split work over (1 unless a thread pool was started). */
  readonly threads: number;
}

/** The backends torchlet has. */
export type BackendName = "ts" | "wasm";

function createTsBackend(): Backend {
  return {
    name: "ts",
    threads: 1,
    gemm, im2col, col2im, conv2dForward, conv2dBackward,
    avgPool2dForward, avgPool2dBackward, maxPool2dForward, maxPool2dBackward,
    sigmoidForward, sigmoidBackward, reluForward, reluBackward, tanhForward, tanhBackward,
    linearForward, linearBackward, logSoftmaxForward, logSoftmaxBackward,
    softmaxCrossEntropyForward, softmaxCrossEntropyBackward,
    alloc: (length) => new Float32Array(length),
    allocInt32: (length) => new Int32Array(length),
    release: () => {},
  };
}

let active: Backend | null = null;
let ts: Backend | null = null;
let wasm: Backend | null = null;

/** The backend ops use now; on first use picks "wasm" if it can start synchronously, else "ts". */
export function getBackend(): Backend {
  if (active === null) active = wasmSupported() ? tryWasm() ?? tsBackend() : tsBackend();
  return active;
}

function tsBackend(): Backend {
  return (ts ??= createTsBackend());
}

function tryWasm(): Backend | null {
  try {
    return (wasm ??= createWasmBackend(compileWasmKernels()));
  } catch {
    return null; // e.g. a browser main thread, where compiling synchronously is not allowed
  }
}

function checkName(name: unknown): BackendName {
  if (name !== "ts" && name !== "wasm") {
    throw new TorchletError("setBackend", "INVALID_ARGUMENT", `backend must be "ts" or "wasm", got ${describe(name)}`);
  }
  return name;
}

/**
 * Selects the kernels every op uses from now on. "wasm" compiles the
 * WebAssembly module synchronously the first time (use {@link initBackend} in
 * a browser's main thread).
 * @throws TorchletError when the runtime lacks WebAssembly SIMD.
 */
export function setBackend(name: BackendName): Backend {
  if (checkName(name) === "ts") return (active = tsBackend());
  if (!wasmSupported()) {
    throw new TorchletError("setBackend", "INVALID_STATE", "this runtime has no WebAssembly SIMD; use the \"ts\" backend");
  }
  return (active = wasm ??= createWasmBackend(compileWasmKernels()));
}

/** Like {@link setBackend}, but compiles WebAssembly asynchronously: works on a browser's main thread. */
export async function initBackend(name: BackendName = "wasm", options: WasmOptions = {}): Promise<Backend> {
  if (checkName(name) === "ts") return (active = tsBackend());
  if (!wasmSupported()) return (active = tsBackend());
  wasm ??= createWasmBackend(await WebAssembly.compile(wasmBytes(options) as BufferSource), options);
  return (active = wasm);
}

/** Replaces the wasm backend (used by the Node thread pool to install a threaded one). @internal */
export function installWasmBackend(backend: Backend): Backend {
  wasm = backend;
  return (active = backend);
}
