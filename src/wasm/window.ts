// The geometry of a sliding window as the WebAssembly kernels read it: the
// fields of WindowDims in src/ops/window.ts, in this order, written by the
// wrapper (src/backend/wasm-dims.ts) into a small block of memory once per
// call and read here through changetype. Legend: N batch, C channels, H×W
// input, kH×kW window, P×Q output.

@unmanaged
export class WindowDims {
  N: i32;
  C: i32;
  H: i32;
  W: i32;
  kH: i32;
  kW: i32;
  strideH: i32;
  strideW: i32;
  padH: i32;
  padW: i32;
  dilationH: i32;
  dilationW: i32;
  P: i32;
  Q: i32;
  /** This thread's share [start, end): of the batch (conv2d) or of the N·C planes (pooling). */
  start: i32;
  end: i32;
  /** This thread's gemm workspace (conv2d), or 0. */
  work: usize;
}

// The pooling ops' geometry (Pool2dDims in src/ops/window.ts): the window, then
// how avgPool2d divides each sum.
@unmanaged
export class Pool2dDims extends WindowDims {
  /** 1: divide by the window clipped to the padded input; 0: by its real pixels only. */
  countIncludePad: i32;
  /** The divisor of every window when nonzero. */
  divisorOverride: i32;
}

// First output position whose window tap at offset v (= tap·dilation) lands at or right of column 0: ⌈(pad − v)/stride⌉, clamped to [0, Q].
// @ts-ignore: decorator
@inline export function firstValid(v: i32, pad: i32, stride: i32, Q: i32): i32 {
  const num = pad - v;
  const q = num <= 0 ? 0 : (num + stride - 1) / stride;
  return min(Q, q);
}

// One past the last output position whose tap at offset v lands left of column W: ⌈(W + pad − v)/stride⌉, clamped to [0, Q].
// @ts-ignore: decorator
@inline export function endValid(v: i32, pad: i32, stride: i32, W: i32, Q: i32): i32 {
  const num = W + pad - v;
  const q = num <= 0 ? 0 : (num + stride - 1) / stride;
  return min(Q, q);
}
