// conv2d — 2-D convolution (cross-correlation, as in PyTorch) as im2col + gemm.
//
// Legend: N batch, C in-channels, K out-channels, H×W input, kH×kW kernel,
//         P×Q output, G groups, Cg = C/G and Kg = K/G channels per group,
//         R = C·kH·kW (one receptive field), Rg = Cg·kH·kW (its share in one group).
//
//   y[n,k,p,q] = b[k] + Σ_{c,u,v} w[k,c,u,v] · x[n, g·Cg + c, p·sH − pH + u·dH, q·sW − pW + v·dW]
//   with g = ⌊k / Kg⌋ the group of filter k and c < Cg (G = 1: every filter sees every channel).
//
// One image at a time (its columns stay in cache, and y[n] comes out of the
// gemm already in (K, P, Q) order):
// Forward:  cols (R, P·Q) = im2col(x[n])          (rows of group g: g·Rg … (g+1)·Rg − 1)
//           y[n][g] (Kg, P·Q) = w[g] (Kg, Rg) · cols[g] (Rg, P·Q)  + b,   one gemm per group
// Backward (docs/conv2d.md derives it):
//           db[k]  += Σ_{p,q} dy[n,k,p,q]
//           dw[g]  += dy[n][g] (Kg, P·Q) · cols[g]ᵀ     (cols recomputed from x[n])
//           dx[n]  += col2im(wᵀ · dy[n]), group by group
// Weight layout (K, Cg, kH, kW) and output size are PyTorch's, so weights move
// between the two unchanged. conv2dNaive is the direct six-loop definition.
// The options (padding "same"/"valid", groups, unbatched input) are read in conv2d-options.ts.

import { allocFloat32, checkArity, checkOptionKeys } from "../errors.js";
import { Tensor, expectTensor, record } from "../tensor/tensor.js";
import { gemm } from "./gemm.js";
import { im2col, col2im } from "./im2col.js";
import { conv2dDims, conv2dOutputShape, CONV2D_OPTIONS, CONV2D_OPTIONS_NOT_YET, type Conv2dDims, type Conv2dOptions } from "./conv2d-options.js";
import { activeBackend, kernel } from "../backend/dispatch.js";

export { conv2dDims, conv2dOutputShape, convPads, CONV2D_OPTIONS, CONV2D_OPTIONS_NOT_YET, type Conv2dDims, type Conv2dOptions, type Conv2dPadding, type Pads4 } from "./conv2d-options.js";

/** Floats of the `cols` scratch conv2d needs: one image's receptive fields, (C·kH·kW, P·Q). */
export function conv2dColsLength(d: Conv2dDims): number {
  return d.C * d.kH * d.kW * d.P * d.Q;
}

/**
 * y (N, K, P, Q) = conv(x, w) + b. Overwrites y. Never allocates.
 * @param b (K), or null for no bias.
 * @param cols scratch of {@link conv2dColsLength} floats.
 */
export function conv2dForward(
  y: Float32Array, // (N, K, P, Q)
  x: Float32Array, // (N, C, H, W)
  w: Float32Array, // (K, Cg, kH, kW) = (K, Rg)
  b: Float32Array | null, // (K)
  d: Conv2dDims,
  cols: Float32Array, // (R, P·Q) scratch
): void {
  const { N, C, H, W, K, kH, kW, P, Q, groups: G } = d;
  const PQ = P * Q, Kg = K / G, Rg = (C / G) * kH * kW;
  const image = { ...d, N: 1 };
  for (let n = 0; n < N; n++) {
    const yn = y.subarray(n * K * PQ, (n + 1) * K * PQ); // (K, P·Q)
    im2col(cols, x.subarray(n * C * H * W, (n + 1) * C * H * W), image);
    for (let g = 0; g < G; g++) {
      // y[n][g] (Kg, P·Q) = w[g] (Kg, Rg) · cols[g] (Rg, P·Q); G = 1: the whole of each
      const [yg, wg, colsg] = [yn.subarray(g * Kg * PQ, (g + 1) * Kg * PQ), w.subarray(g * Kg * Rg, (g + 1) * Kg * Rg), cols.subarray(g * Rg * PQ, (g + 1) * Rg * PQ)];
      gemm(yg, wg, colsg, { M: Kg, N: PQ, K: Rg, transA: false, transB: false, accumulate: false });
    }
    if (b !== null) {
      for (let k = 0; k < K; k++) {
        for (let i = k * PQ; i < (k + 1) * PQ; i++) yn[i] += b[k]!;
      }
    }
  }
}

/**
 * Accumulates the conv2d gradients: dx += ∂L/∂x, dw += ∂L/∂w, db += ∂L/∂b.
 * Pass null for a gradient that is not needed (its work is skipped). Never allocates.
 * @param cols scratch of {@link conv2dColsLength} floats.
 * @param dcols scratch of {@link conv2dColsLength} floats (unused when dx is null).
 */
export function conv2dBackward(
  dx: Float32Array | null, // (N, C, H, W)
  dw: Float32Array | null, // (K, Rg)
  db: Float32Array | null, // (K)
  dy: Float32Array, // (N, K, P, Q)
  x: Float32Array, // (N, C, H, W)
  w: Float32Array, // (K, Rg)
  d: Conv2dDims,
  cols: Float32Array, // (R, P·Q) scratch
  dcols: Float32Array, // (R, P·Q) scratch
): void {
  const { N, C, H, W, K, kH, kW, P, Q, groups: G } = d;
  const PQ = P * Q, CHW = C * H * W, Kg = K / G, Rg = (C / G) * kH * kW;
  const image = { ...d, N: 1 };
  for (let n = 0; n < N; n++) {
    const dyn = dy.subarray(n * K * PQ, (n + 1) * K * PQ); // (K, P·Q)
    if (db !== null) {
      // ∂y[n,k,p,q]/∂b[k] = 1
      for (let k = 0; k < K; k++) {
        let sum = 0;
        for (let i = k * PQ; i < (k + 1) * PQ; i++) sum += dyn[i]!;
        db[k] += sum;
      }
    }
    if (dw !== null) im2col(cols, x.subarray(n * CHW, (n + 1) * CHW), image);
    for (let g = 0; g < G; g++) {
      const dyg = dyn.subarray(g * Kg * PQ, (g + 1) * Kg * PQ); // (Kg, P·Q)
      const wRows = [g * Kg * Rg, (g + 1) * Kg * Rg] as const, colRows = [g * Rg * PQ, (g + 1) * Rg * PQ] as const; // w[g], cols[g]
      if (dw !== null) {
        // ∂y[n,k,·]/∂w[k,r] = cols[r,·]: dw[g] (Kg, Rg) += dy[n][g] (Kg, P·Q) · cols[g]ᵀ (P·Q, Rg)
        gemm(dw.subarray(...wRows), dyg, cols.subarray(...colRows), { M: Kg, N: Rg, K: PQ, transA: false, transB: true, accumulate: true });
      }
      if (dx !== null) {
        // ∂y[n,k,·]/∂cols[r,·] = w[k,r]: dcols[g] (Rg, P·Q) = w[g]ᵀ (Rg, Kg) · dy[n][g]
        gemm(dcols.subarray(...colRows), w.subarray(...wRows), dyg, { M: Rg, N: PQ, K: Kg, transA: true, transB: false, accumulate: false });
      }
    }
    if (dx !== null) col2im(dx.subarray(n * CHW, (n + 1) * CHW), dcols, image); // back to pixels
  }
}

/**
 * The definition, six nested loops summed in float64: the reference conv2dForward is tested against.
 * Never allocates.
 */
export function conv2dNaive(
  y: Float32Array, // (N, K, P, Q)
  x: Float32Array, // (N, C, H, W)
  w: Float32Array, // (K, Cg, kH, kW)
  b: Float32Array | null, // (K)
  d: Conv2dDims,
): void {
  const { N, C, H, W, K, kH, kW, strideH, strideW, padH, padW, dilationH, dilationW, P, Q, groups } = d;
  const Cg = C / groups, Kg = K / groups;
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < K; k++) {
      const c0 = Math.floor(k / Kg) * Cg; // filter k's group reads channels c0 … c0 + Cg − 1
      for (let p = 0; p < P; p++) {
        for (let q = 0; q < Q; q++) {
          let sum = b === null ? 0 : b[k]!;
          for (let c = 0; c < Cg; c++) {
            for (let u = 0; u < kH; u++) {
              const h = p * strideH - padH + u * dilationH;
              if (h < 0 || h >= H) continue;
              for (let v = 0; v < kW; v++) {
                const col = q * strideW - padW + v * dilationW;
                if (col < 0 || col >= W) continue;
                sum += w[((k * Cg + c) * kH + u) * kW + v]! * x[((n * C + c0 + c) * H + h) * W + col]!;
              }
            }
          }
          y[((n * K + k) * P + p) * Q + q] = sum;
        }
      }
    }
  }
}

// The scratch an overriding kernel is given: none (see conv2d).
const NO_SCRATCH = new Float32Array(0);

/**
 * 2-D convolution with PyTorch's semantics: x (N, C, H, W) or (C, H, W), w (K, C/groups, kH, kW), b (K) → (N, K, P, Q) or (K, P, Q).
 * @throws TorchletError on mismatched channels, bad stride/padding/dilation/groups, or a kernel larger than the padded input.
 * @example conv2d(x, w, b, { padding: 2 }) // LeNet's first layer: [N,1,28,28] → [N,6,28,28]
 * @example conv2d(x, w, null, { padding: "same", dilation: 2, groups: 4 }) // w (K, C/4, kH, kW), output H×W
 */
export function conv2d(x: Tensor, w: Tensor, b: Tensor | null = null, options: Conv2dOptions = {}): Tensor {
  checkArity("conv2d", arguments, ["input", "weight", "bias", "options"]);
  expectTensor("conv2d", "input", x);
  expectTensor("conv2d", "weight", w);
  if (b !== null) expectTensor("conv2d", "bias", b);
  checkOptionKeys("conv2d", options, CONV2D_OPTIONS, CONV2D_OPTIONS_NOT_YET);
  const d = conv2dDims(x.shape, w.shape, b?.shape ?? null, options);
  const { N, K, P, Q } = d;
  const backend = activeBackend(); // one backend for the forward and its backward
  const y = allocFloat32("conv2d", N * K * P * Q);
  // The cols scratch is for the TypeScript kernels; an override places its own in its memory (the wasm
  // wrappers take a block there when the caller's array is too small), so it gets an empty one.
  const scratch = (run: Function, reference: Function) => (run === reference ? allocFloat32("conv2d", conv2dColsLength(d)) : NO_SCRATCH);
  const forward = kernel(conv2dForward, backend);
  forward(y, x.data, w.data, b?.data ?? null, d, scratch(forward, conv2dForward));
  const inputs = b === null ? [x, w] : [x, w, b];
  return record("conv2d", y, conv2dOutputShape(x.shape, d), inputs, (dy, [dx, dw, db]) => {
    const backward = kernel(conv2dBackward, backend);
    backward(dx ?? null, dw ?? null, db ?? null, dy, x.data, w.data, d, scratch(backward, conv2dBackward), scratch(backward, conv2dBackward));
  });
}
