// im2col / col2im in WebAssembly: the same loops as src/ops/im2col.ts (read
// that file for the layout), over byte pointers. cols is (C·kH·kW, N·P·Q).

import { WindowDims } from "./window";

export function im2col(cols: usize, x: usize, d: WindowDims): void {
  im2colImages(cols, x, d, d.N);
}

export function col2im(dx: usize, dcols: usize, d: WindowDims): void {
  col2imImages(dx, dcols, d, d.N);
}

// im2col of the first N images of x (conv2d passes one image at a time: N = 1, whatever d.N).
// Twin of col2imImages below: the same loop nest, kept apart so each reads on one screen.
export function im2colImages(cols: usize, x: usize, d: WindowDims, N: i32): void {
  const C = d.C, H = d.H, W = d.W, kH = d.kH, kW = d.kW, strideH = d.strideH, strideW = d.strideW, padH = d.padH, padW = d.padW, P = d.P, Q = d.Q;
  const dilationH = d.dilationH, dilationW = d.dilationW;
  const columns = N * P * Q;
  for (let c = 0; c < C; c++) {
    for (let u = 0; u < kH; u++) {
      for (let v = 0; v < kW; v++) {
        const row = ((c * kH + u) * kW + v) * columns;
        const q0 = firstValid(v * dilationW, padW, strideW, Q), q1 = max(q0, endValid(v * dilationW, padW, strideW, W, Q));
        for (let n = 0; n < N; n++) {
          for (let p = 0; p < P; p++) {
            const out = cols + <usize>(row + (n * P + p) * Q) * 4;
            const h = p * strideH - padH + u * dilationH;
            if (h < 0 || h >= H) {
              memory.fill(out, 0, <usize>Q * 4);
              continue;
            }
            const inRow = x + <usize>(((n * C + c) * H + h) * W - padW + v * dilationW) * 4; // x[n, c, h, q·sW − pW + v·dW] at inRow + 4·q·sW
            for (let q = 0; q < q0; q++) store<f32>(out + <usize>q * 4, 0);
            if (strideW == 1) {
              // Rows are short (LeNet: 10 to 28 floats): four at a time beats memory.copy's call.
              let q = q0;
              for (; q + 4 <= q1; q += 4) v128.store(out + <usize>q * 4, v128.load(inRow + <usize>q * 4));
              for (; q < q1; q++) store<f32>(out + <usize>q * 4, load<f32>(inRow + <usize>q * 4));
            } else {
              for (let q = q0; q < q1; q++) store<f32>(out + <usize>q * 4, load<f32>(inRow + <usize>(q * strideW) * 4));
            }
            for (let q = q1; q < Q; q++) store<f32>(out + <usize>q * 4, 0);
          }
        }
      }
    }
  }
}

// col2im into the first N images of dx (conv2d: one image at a time). Twin of im2colImages above:
// its loop nest with the copy turned into +=, kept apart so each reads on one screen.
export function col2imImages(dx: usize, dcols: usize, d: WindowDims, N: i32): void {
  const C = d.C, H = d.H, W = d.W, kH = d.kH, kW = d.kW, strideH = d.strideH, strideW = d.strideW, padH = d.padH, padW = d.padW, P = d.P, Q = d.Q;
  const dilationH = d.dilationH, dilationW = d.dilationW;
  const columns = N * P * Q;
  for (let c = 0; c < C; c++) {
    for (let u = 0; u < kH; u++) {
      for (let v = 0; v < kW; v++) {
        const row = ((c * kH + u) * kW + v) * columns;
        const q0 = firstValid(v * dilationW, padW, strideW, Q), q1 = max(q0, endValid(v * dilationW, padW, strideW, W, Q));
        for (let n = 0; n < N; n++) {
          for (let p = 0; p < P; p++) {
            const h = p * strideH - padH + u * dilationH;
            if (h < 0 || h >= H) continue;
            const out = dcols + <usize>(row + (n * P + p) * Q) * 4;
            const inRow = dx + <usize>(((n * C + c) * H + h) * W - padW + v * dilationW) * 4;
            if (strideW == 1) {
              let q = q0;
              for (; q + 4 <= q1; q += 4) {
                const at = inRow + <usize>q * 4;
                v128.store(at, f32x4.add(v128.load(at), v128.load(out + <usize>q * 4)));
              }
              for (; q < q1; q++) store<f32>(inRow + <usize>q * 4, load<f32>(inRow + <usize>q * 4) + load<f32>(out + <usize>q * 4));
            } else {
              for (let q = q0; q < q1; q++) {
                const at = inRow + <usize>(q * strideW) * 4;
                store<f32>(at, load<f32>(at) + load<f32>(out + <usize>q * 4));
              }
            }
          }
        }
      }
    }
  }
}

// First output position whose window tap at offset v (= tap·dilation) lands at or right of column 0: ⌈(pad − v)/stride⌉, clamped to [0, Q].
// @ts-ignore: decorator
@inline function firstValid(v: i32, pad: i32, stride: i32, Q: i32): i32 {
  const num = pad - v;
  const q = num <= 0 ? 0 : (num + stride - 1) / stride;
  return min(Q, q);
}

// One past the last output position whose tap at offset v lands left of column W: ⌈(W + pad − v)/stride⌉, clamped to [0, Q].
// @ts-ignore: decorator
@inline function endValid(v: i32, pad: i32, stride: i32, W: i32, Q: i32): i32 {
  const num = W + pad - v;
  const q = num <= 0 ? 0 : (num + stride - 1) / stride;
  return min(Q, q);
}
