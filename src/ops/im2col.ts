// im2col / col2im — the mirrored pair that turns convolution into one gemm.
//
// Legend: N batch, C channels, H×W input, kH×kW kernel, sH×sW stride,
//         pH×pW zero padding, dH×dW dilation (tap spacing),
//         P×Q output: P = ⌊(H + 2pH − dH·(kH − 1) − 1) / sH⌋ + 1, Q likewise.
//
// im2col copies every kH×kW receptive field of x into a column of `cols`:
//   cols[(c·kH + u)·kW + v,  (n·P + p)·Q + q] = x[n, c, p·sH − pH + u·dH, q·sW − pW + v·dW]
// (zero where the window hangs over the padding). Dilation only moves where
// tap (u, v) reads: the layout of `cols` is the same, so conv2d's gemm is too. Row r = (c, u, v) is one
// kernel tap, column (n, p, q) one output position, so convolution becomes
//   y (K, N·P·Q) = w (K, C·kH·kW) · cols (C·kH·kW, N·P·Q)
// (conv2d runs it one image at a time, N = 1: y[n] (K, P·Q) = w · cols (C·kH·kW, P·Q)).
//
// col2im is im2col's transpose (adjoint): it sends each entry of a column
// back to the pixel it was copied from, adding where windows overlap. That is
// exactly the backward of im2col: d x[n,c,h,w] = Σ of dcols over every (row,
// column) that copied x[n,c,h,w]. The two loops below are the same loop with
// the assignment turned around. See docs/im2col.md for the picture.

import type { WindowDims } from "./window.js";

/**
 * cols (C·kH·kW, N·P·Q) = the receptive fields of x (N, C, H, W), one per column.
 * Overwrites cols. Never allocates. Twin of {@link col2im}: the same loop nest, kept apart so each reads on one screen.
 */
export function im2col(cols: Float32Array, x: Float32Array, d: WindowDims): void {
  const { N, C, H, W, kH, kW, strideH, strideW, padH, padW, dilationH, dilationW, P, Q } = d;
  const columns = N * P * Q;
  for (let c = 0; c < C; c++) {
    for (let u = 0; u < kH; u++) {
      for (let v = 0; v < kW; v++) {
        const row = ((c * kH + u) * kW + v) * columns; // cols[(c, u, v), ·]
        const [q0, q1] = validRange(v * dilationW, padW, strideW, W, Q); // q with 0 ≤ q·sW − pW + v·dW < W
        for (let n = 0; n < N; n++) {
          for (let p = 0; p < P; p++) {
            const out = row + (n * P + p) * Q; // cols[(c, u, v), (n, p, 0)]
            const h = p * strideH - padH + u * dilationH;
            if (h < 0 || h >= H) {
              cols.fill(0, out, out + Q);
              continue;
            }
            const inRow = ((n * C + c) * H + h) * W - padW + v * dilationW; // x[n, c, h, q·sW − pW + v·dW] at inRow + q·sW
            for (let q = 0; q < q0; q++) cols[out + q] = 0;
            for (let q = q0; q < q1; q++) cols[out + q] = x[inRow + q * strideW]!;
            for (let q = q1; q < Q; q++) cols[out + q] = 0;
          }
        }
      }
    }
  }
}

/**
 * dx (N, C, H, W) += the columns of dcols (C·kH·kW, N·P·Q) sent back to the pixels
 * they were copied from: the adjoint of {@link im2col}, its twin (the same loop nest with the copy turned into +=,
 * kept apart so each reads on one screen). Accumulates. Never allocates.
 */
export function col2im(dx: Float32Array, dcols: Float32Array, d: WindowDims): void {
  const { N, C, H, W, kH, kW, strideH, strideW, padH, padW, dilationH, dilationW, P, Q } = d;
  const columns = N * P * Q;
  for (let c = 0; c < C; c++) {
    for (let u = 0; u < kH; u++) {
      for (let v = 0; v < kW; v++) {
        const row = ((c * kH + u) * kW + v) * columns;
        const [q0, q1] = validRange(v * dilationW, padW, strideW, W, Q);
        for (let n = 0; n < N; n++) {
          for (let p = 0; p < P; p++) {
            const h = p * strideH - padH + u * dilationH;
            if (h < 0 || h >= H) continue; // those entries came from padding: no pixel to return to
            const out = row + (n * P + p) * Q;
            const inRow = ((n * C + c) * H + h) * W - padW + v * dilationW;
            for (let q = q0; q < q1; q++) dx[inRow + q * strideW] += dcols[out + q]!;
          }
        }
      }
    }
  }
}

/**
 * The output positions q in [q0, q1) whose window tap at offset `v` (v·dilation) lands inside the
 * input (0 ≤ q·stride − pad + v < size); the rest read padding. Hoisting this
 * out of the inner loop keeps the copy loop free of bounds tests.
 */
function validRange(v: number, pad: number, stride: number, size: number, outSize: number): [number, number] {
  const q0 = Math.min(outSize, Math.max(0, Math.ceil((pad - v) / stride)));
  const q1 = Math.max(q0, Math.min(outSize, Math.ceil((size + pad - v) / stride)));
  return [q0, q1];
}
