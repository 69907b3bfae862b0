// Loading the WebAssembly kernels compiled from src/wasm: which build this
// runtime takes (SIMD or relaxed SIMD, private or shared memory), compiling
// it, and instantiating it on a memory whose heap src/backend/heap.ts manages.
// The kernels themselves are wrapped in src/backend/wasm-gemm.ts, wasm-pointwise.ts and wasm-batchnorm.ts.

import { WasmHeap } from "./heap.js";
import { WASM_KERNELS, WASM_MAX_PAGES } from "./wasm-binary.js";

/** Choices for loading the module. */
export interface WasmOptions {
  /** Shared memory, needed for threads (default: whenever the runtime allows it). */
  shared?: boolean;
  /**
   * The relaxed-SIMD build, whose multiply-adds are fused (default: whenever the runtime validates it);
   * false takes the plain SIMD build, whose results do not depend on the CPU (bench:compare shows both).
   */
  relaxedSimd?: boolean;
}

/** The first 64 KiB page holds the module's static data (math tables); the heap starts after it. */
export const HEAP_BASE = 65536;
const INITIAL_PAGES = 256; // 16 MiB to start with; the heap grows the memory on demand

/** A byte offset into the module's memory. */
type Ptr = number;

/**
 * The kernels module's exports (src/wasm/index.ts): each kernel takes the arrays of its TypeScript twin as
 * pointers and its dims object as a pointer `d` to the struct src/backend/wasm-dims.ts writes. The
 * elementwise kernels, which have no dims, take the element range [start, end) of their thread instead.
 */
export interface WasmExports {
  gemmWorkspaceBytes(): number;
  relaxedSimdBuild(): number;
  gemm(c: Ptr, a: Ptr, b: Ptr, d: Ptr): void;
  addInto(dst: Ptr, src: Ptr, count: number): void;
  zeroRange(p: Ptr, i0: number, i1: number): void;
  exp4Into(y: Ptr, x: Ptr, count: number): void;
  im2col(cols: Ptr, x: Ptr, d: Ptr): void;
  col2im(dx: Ptr, dcols: Ptr, d: Ptr): void;
  conv2dForward(y: Ptr, x: Ptr, w: Ptr, b: Ptr, d: Ptr, cols: Ptr): void;
  conv2dBackward(dx: Ptr, dw: Ptr, db: Ptr, dy: Ptr, x: Ptr, w: Ptr, d: Ptr, cols: Ptr, dcols: Ptr): void;
  conv2dDirectForward(y: Ptr, x: Ptr, w: Ptr, b: Ptr, d: Ptr, xp: Ptr): void;
  conv2dDirectScratchFloats(d: Ptr): number;
  conv2dDirectBackward(dx: Ptr, dw: Ptr, db: Ptr, dy: Ptr, x: Ptr, w: Ptr, d: Ptr, cols: Ptr, dcols: Ptr): void;
  conv2dDirectBackwardScratchFloats(d: Ptr): number;
  conv2dBackwardImages(d: Ptr): number;
  avgPool2dForward(y: Ptr, x: Ptr, d: Ptr): void;
  avgPool2dBackward(dx: Ptr, dy: Ptr, d: Ptr): void;
  avgPool2dActivationBackward(dx: Ptr, dy: Ptr, y: Ptr, d: Ptr): void;
  maxPool2dForward(y: Ptr, argmax: Ptr, x: Ptr, d: Ptr): void;
  maxPool2dBackward(dx: Ptr, dy: Ptr, argmax: Ptr, d: Ptr): void;
  maxPool2dReluBackward(dx: Ptr, dy: Ptr, argmax: Ptr, y: Ptr, d: Ptr): void;
  sigmoidForward(y: Ptr, x: Ptr, start: number, end: number): void;
  sigmoidBackward(dx: Ptr, dy: Ptr, y: Ptr, start: number, end: number): void;
  reluForward(y: Ptr, x: Ptr, start: number, end: number): void;
  reluBackward(dx: Ptr, dy: Ptr, y: Ptr, start: number, end: number): void;
  tanhForward(y: Ptr, x: Ptr, start: number, end: number): void;
  tanhBackward(dx: Ptr, dy: Ptr, y: Ptr, start: number, end: number): void;
  linearForward(y: Ptr, x: Ptr, w: Ptr, b: Ptr, d: Ptr): void;
  linearBackwardInput(dx: Ptr, dy: Ptr, w: Ptr, d: Ptr): void;
  linearBackwardWeight(dw: Ptr, db: Ptr, dy: Ptr, x: Ptr, d: Ptr): void;
  softmaxForward(y: Ptr, x: Ptr, d: Ptr): void;
  softmaxBackward(dx: Ptr, dy: Ptr, y: Ptr, d: Ptr): void;
  logSoftmaxForward(y: Ptr, x: Ptr, d: Ptr): void;
  logSoftmaxBackward(dx: Ptr, dy: Ptr, y: Ptr, d: Ptr): void;
  softmaxCrossEntropyForward(loss: Ptr, logProbs: Ptr, logits: Ptr, labels: Ptr, d: Ptr): void;
  softmaxCrossEntropyBackward(dlogits: Ptr, dloss: Ptr, logProbs: Ptr, labels: Ptr, d: Ptr): void;
  pad2dForward(y: Ptr, x: Ptr, d: Ptr, value: number): void;
  pad2dBackward(dx: Ptr, dy: Ptr, d: Ptr): void;
  maxUnpool2dForward(y: Ptr, x: Ptr, indices: Ptr, d: Ptr): void;
  maxUnpool2dBackward(dx: Ptr, dy: Ptr, indices: Ptr, d: Ptr): void;
  adaptiveAvgPool2dForward(y: Ptr, x: Ptr, d: Ptr): void;
  adaptiveAvgPool2dBackward(dx: Ptr, dy: Ptr, d: Ptr): void;
  sumForward(y: Ptr, x: Ptr, kept: Ptr, reduced: Ptr, scale: number, d: Ptr): void;
  sumBackward(dx: Ptr, dy: Ptr, kept: Ptr, reduced: Ptr, scale: number, d: Ptr): void;
  argmaxForward(indices: Ptr, x: Ptr, d: Ptr): void;
  maxForward(values: Ptr, indices: Ptr, x: Ptr, d: Ptr): void;
  maxBackward(dx: Ptr, dy: Ptr, indices: Ptr, d: Ptr): void;
  maxAllBackward(dx: Ptr, dy: Ptr, x: Ptr, value: number, length: number): void;
  nllLossForward(nll: Ptr, smooth: Ptr, logProbs: Ptr, labels: Ptr, weight: Ptr, d: Ptr, smoothing: number): void;
  nllLossBackward(dlogProbs: Ptr, gNll: Ptr, gSmooth: Ptr, labels: Ptr, weight: Ptr, d: Ptr, smoothing: number): void;
  probabilityLossForward(loss: Ptr, logProbs: Ptr, target: Ptr, weight: Ptr, d: Ptr, smoothing: number): void;
  probabilityLossBackward(dlogProbs: Ptr, dtarget: Ptr, g: Ptr, logProbs: Ptr, target: Ptr, weight: Ptr, d: Ptr, smoothing: number): void;
  mseLossForward(loss: Ptr, input: Ptr, target: Ptr, d: Ptr): void;
  mseLossBackward(dinput: Ptr, dtarget: Ptr, dloss: Ptr, input: Ptr, target: Ptr, d: Ptr): void;
  l1LossForward(loss: Ptr, input: Ptr, target: Ptr, d: Ptr): void;
  l1LossBackward(dinput: Ptr, dtarget: Ptr, dloss: Ptr, input: Ptr, target: Ptr, d: Ptr): void;
  batchNormMoments(mean: Ptr, variance: Ptr, x: Ptr, d: Ptr): void;
  batchNormForward(y: Ptr, x: Ptr, weight: Ptr, bias: Ptr, mean: Ptr, variance: Ptr, d: Ptr, eps: number): void;
  batchNormBackward(dx: Ptr, dweight: Ptr, dbias: Ptr, dy: Ptr, x: Ptr, weight: Ptr, mean: Ptr, variance: Ptr, d: Ptr, eps: number, batchStats: number): void;
}

function decode(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

let supported: boolean | null = null;
let relaxed: boolean | null = null;

/** True when this runtime validates the WebAssembly SIMD build. */
export function wasmSupported(): boolean {
  supported ??= typeof WebAssembly === "object" && WebAssembly.validate(decode(WASM_KERNELS.simd.private) as BufferSource);
  return supported;
}

/** Forgets whether relaxed SIMD validates: after a V8 flag turned it on (enableRelaxedSimd in Node). @internal */
export function recheckRelaxedSimd(): void {
  relaxed = null;
}

/** True when it also validates relaxed SIMD (fused multiply-add): Node 22+, current browsers, Node 20 after `enableRelaxedSimd()`. */
export function relaxedSimdSupported(): boolean {
  relaxed ??= wasmSupported() && WebAssembly.validate(decode(WASM_KERNELS.relaxed.private) as BufferSource);
  return relaxed;
}

/** True when shared WebAssembly memory can be created (Node; browsers only when cross-origin isolated). */
export function sharedMemorySupported(): boolean {
  try {
    return new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

/** The module bytes for this runtime: relaxed SIMD when it validates (unless told not to), shared memory when asked (default: when possible). */
export function wasmBytes(options: WasmOptions = {}): Uint8Array {
  const flavour = (options.relaxedSimd ?? true) && relaxedSimdSupported() ? WASM_KERNELS.relaxed : WASM_KERNELS.simd;
  return decode((options.shared ?? sharedMemorySupported()) ? flavour.shared : flavour.private);
}

/** Compiles the kernels synchronously (fine in Node and workers; a browser main thread must use WebAssembly.compile). */
export function compileWasmKernels(options: WasmOptions = {}): WebAssembly.Module {
  return new WebAssembly.Module(wasmBytes(options) as BufferSource);
}

/** A loaded kernels module: its exports, memory and heap. Workers instantiate the same module on the same memory. */
export interface WasmRuntime {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  exports: WasmExports;
  heap: WasmHeap;
  shared: boolean;
}

/** Instantiates the module on a fresh memory; `options.shared` must match the bytes it was compiled from. */
export function instantiate(module: WebAssembly.Module, options: WasmOptions = {}): WasmRuntime {
  const shared = options.shared ?? sharedMemorySupported();
  const memory = shared
    ? new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: WASM_MAX_PAGES, shared: true })
    : new WebAssembly.Memory({ initial: INITIAL_PAGES });
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return { module, memory, exports: instance.exports as unknown as WasmExports, heap: new WasmHeap(memory, HEAP_BASE, WASM_MAX_PAGES), shared };
}

