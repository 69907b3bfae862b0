// linear — a fully connected layer: y = x · Wᵀ + b, with PyTorch's weight layout (O, I).
//
// Legend: N rows (the batch: every leading dimension of x), I in-features, O out-features.
//
//   y[n,o] = b[o] + Σ_i x[n,i] · W[o,i]
//
// Three gemms do all the work (docs/linear.md):
//   forward   y  (N, O)  = x (N, I) · Wᵀ
//   backward  dx (N, I) += dy (N, O) · W (O, I)
//             dW (O, I) += dyᵀ (O, N) · x (N, I)
//             db (O)    += Σ_n dy[n, ·]

import { TorchletError, allocFloat32, formatShape, checkArity } from "../errors.js";
import { Tensor, expectTensor, record } from "../tensor/tensor.js";
import { gemm } from "./gemm.js";
import { activeBackend, kernel } from "../backend/dispatch.js";

/** Sizes of one linear layer application. */
export interface LinearDims {
  /** Rows: the product of every dimension of x but the last. */
  N: number;
  /** In-features: the last dimension of x. */
  I: number;
  /** Out-features. */
  O: number;
}

/** y (N, O) = x (N, I) · Wᵀ + b. Overwrites y. Never allocates. */
export function linearForward(
  y: Float32Array, // (N, O)
  x: Float32Array, // (N, I)
  w: Float32Array, // (O, I)
  b: Float32Array | null, // (O)
  d: LinearDims,
): void {
  const { N, I, O } = d;
  gemm(y, x, w, { M: N, N: O, K: I, transA: false, transB: true, accumulate: false });
  if (b === null) return;
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < O; o++) y[n * O + o] += b[o]!;
  }
}

/** Accumulates dx, dW, db (pass null to skip one). Never allocates. */
export function linearBackward(
  dx: Float32Array | null, // (N, I)
  dw: Float32Array | null, // (O, I)
  db: Float32Array | null, // (O)
  dy: Float32Array, // (N, O)
  x: Float32Array, // (N, I)
  w: Float32Array, // (O, I)
  d: LinearDims,
): void {
  const { N, I, O } = d;
  // ∂y[n,o]/∂x[n,i] = W[o,i]
  if (dx !== null) gemm(dx, dy, w, { M: N, N: I, K: O, transA: false, transB: false, accumulate: true });
  // ∂y[n,o]/∂W[o,i] = x[n,i]
  if (dw !== null) gemm(dw, dy, x, { M: O, N: I, K: N, transA: true, transB: false, accumulate: true });
  if (db !== null) {
    // ∂y[n,o]/∂b[o] = 1
    for (let n = 0; n < N; n++) {
      for (let o = 0; o < O; o++) db[o] += dy[n * O + o]!;
    }
  }
}

/**
 * y = x · wᵀ + b over the last dimension: x (*, I), w (O, I), b (O) → (*, O).
 * @throws TorchletError when x's last dimension is not w's second.
 * @example linear(x, w, b) // x [256,400], w [120,400] → [256,120]
 */
export function linear(x: Tensor, w: Tensor, b: Tensor | null = null): Tensor {
  checkArity("linear", arguments, ["input", "weight", "bias"]);
  expectTensor("linear", "input", x);
  expectTensor("linear", "weight", w);
  if (b !== null) expectTensor("linear", "bias", b);
  if (w.ndim !== 2) {
    throw new TorchletError("linear", "SHAPE_MISMATCH", `weight must be 2-D (out, in), got shape ${formatShape(w.shape)}`);
  }
  const [O, I] = w.shape as [number, number];
  if (x.ndim < 1 || x.shape[x.ndim - 1] !== I) {
    throw new TorchletError("linear", "SHAPE_MISMATCH", `input's last dimension must be ${I} (weight ${formatShape(w.shape)}), got input ${formatShape(x.shape)}`);
  }
  if (b !== null && (b.ndim !== 1 || b.shape[0] !== O)) {
    throw new TorchletError("linear", "SHAPE_MISMATCH", `bias must have shape [${O}], got ${formatShape(b.shape)}`);
  }
  // N is the product of the leading dimensions (not numel / I, which loses them when I = 0)
  const d: LinearDims = { N: x.shape.slice(0, -1).reduce((a, b) => a * b, 1), I, O };
  const backend = activeBackend(); // one backend for the forward and its backward
  const y = allocFloat32("linear", d.N * O);
  kernel(linearForward, backend)(y, x.data, w.data, b?.data ?? null, d);
  const inputs = b === null ? [x, w] : [x, w, b];
  return record("linear", y, [...x.shape.slice(0, -1), O], inputs, (dy, [dx, dw, db]) => {
    kernel(linearBackward, backend)(dx ?? null, dw ?? null, db ?? null, dy, x.data, w.data, d);
  });
}
