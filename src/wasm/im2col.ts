// im2col / col2im in WebAssembly: the same loops as src/ops/im2col.ts (read
// that file for the layout), over byte pointers. cols is (C·kH·kW, N·P·Q).

import { WindowDims, firstValid, endValid } from "./window";

export function im2col(cols: usize, x: usize, d: WindowDims): void {
  im2colImages(cols, x, d, d.N);
}

export function col2im(dx: usize, dcols: usize, d: WindowDims): void {
  col2imImages(dx, dcols, d, d.N);
}

// im2col of the first N images of x (conv2d passes one image at a time: N = 1, whatever d.N).
// Twin of col2imImages below: the same loop nest, kept apart so each reads on one screen.
// Unlike the TypeScript loop, the valid output rows [p0, p1) are found once per tap (as the valid
// columns [q0, q1) are) and the pointers step by a row: a LeNet row is 10 floats, so the per-row
// index arithmetic and bounds test cost as much as the copy (1.4–1.5× the per-row version at LeNet's shapes).
export function im2colImages(cols: usize, x: usize, d: WindowDims, N: i32): void {
  const C = d.C, H = d.H, W = d.W, kH = d.kH, kW = d.kW, strideH = d.strideH, strideW = d.strideW, padH = d.padH, padW = d.padW, P = d.P, Q = d.Q;
  const dilationH = d.dilationH, dilationW = d.dilationW;
  const columns = N * P * Q, rowBytes = <usize>Q * 4, inStep = <usize>(strideH * W) * 4;
  for (let c = 0; c < C; c++) {
    for (let u = 0; u < kH; u++) {
      const p0 = firstValid(u * dilationH, padH, strideH, P), p1 = max(p0, endValid(u * dilationH, padH, strideH, H, P));
      for (let v = 0; v < kW; v++) {
        const row = ((c * kH + u) * kW + v) * columns;
        const q0 = firstValid(v * dilationW, padW, strideW, Q), q1 = max(q0, endValid(v * dilationW, padW, strideW, W, Q));
        for (let n = 0; n < N; n++) {
          const image = cols + <usize>(row + n * P * Q) * 4; // cols[(c, u, v), (n, 0, 0)]
          // rows whose tap lands in the top or bottom padding (tested first: memory.fill is a call even for 0 bytes)
          if (p0 > 0) memory.fill(image, 0, <usize>p0 * rowBytes);
          if (p1 < P) memory.fill(image + <usize>p1 * rowBytes, 0, <usize>(P - p1) * rowBytes);
          let out = image + <usize>p0 * rowBytes;
          let inRow = x + <usize>(((n * C + c) * H + p0 * strideH - padH + u * dilationH) * W - padW + v * dilationW) * 4; // x[n, c, h, q·sW − pW + v·dW] at inRow + 4·q·sW
          if (shortWholeRows(strideW, q0, q1, Q)) {
            copyShortRows(out, inRow, p1 - p0, Q, inStep);
            continue;
          }
          for (let p = p0; p < p1; p++, out += rowBytes, inRow += inStep) {
            for (let q = 0; q < q0; q++) store<f32>(out + <usize>q * 4, 0);
            if (strideW == 1) {
              copyRow(out, inRow, q0, q1); // rows are short (LeNet: 10 to 28 floats): vectors beat memory.copy's call
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
  const columns = N * P * Q, rowBytes = <usize>Q * 4, inStep = <usize>(strideH * W) * 4;
  for (let c = 0; c < C; c++) {
    for (let u = 0; u < kH; u++) {
      const p0 = firstValid(u * dilationH, padH, strideH, P), p1 = max(p0, endValid(u * dilationH, padH, strideH, H, P));
      for (let v = 0; v < kW; v++) {
        const row = ((c * kH + u) * kW + v) * columns;
        const q0 = firstValid(v * dilationW, padW, strideW, Q), q1 = max(q0, endValid(v * dilationW, padW, strideW, W, Q));
        for (let n = 0; n < N; n++) {
          let out = dcols + <usize>(row + n * P * Q) * 4 + <usize>p0 * rowBytes; // rows outside [p0, p1) came from padding
          let inRow = dx + <usize>(((n * C + c) * H + p0 * strideH - padH + u * dilationH) * W - padW + v * dilationW) * 4;
          if (shortWholeRows(strideW, q0, q1, Q)) {
            addShortRows(inRow, out, p1 - p0, Q, inStep);
            continue;
          }
          for (let p = p0; p < p1; p++, out += rowBytes, inRow += inStep) {
            if (strideW == 1) {
              addRow(inRow, out, q0, q1);
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

// A tap whose rows are whole (no padding at either end), 4 to 12 floats, at a unit column stride: copyShortRows/addShortRows.
// @ts-ignore: decorator
@inline function shortWholeRows(strideW: i32, q0: i32, q1: i32, Q: i32): bool {
  return strideW == 1 && q0 == 0 && q1 == Q && Q >= 4 && Q <= 12;
}

// rows × Q floats (4 ≤ Q ≤ 12) from rows inStep bytes apart to consecutive rows: two or three vectors per row,
// the last one ending at Q, with no loop inside a row (LeNet's conv2: 10-float rows, every tap unpadded).
// @ts-ignore: decorator
@inline function copyShortRows(dst: usize, src: usize, rows: i32, Q: i32, inStep: usize): void {
  const rowBytes = <usize>Q * 4, last = <usize>(Q - 4) * 4;
  if (Q > 8) {
    for (let p = 0; p < rows; p++, dst += rowBytes, src += inStep) {
      v128.store(dst, v128.load(src));
      v128.store(dst, v128.load(src, 16), 16);
      v128.store(dst + last, v128.load(src + last));
    }
  } else {
    for (let p = 0; p < rows; p++, dst += rowBytes, src += inStep) {
      v128.store(dst, v128.load(src));
      v128.store(dst + last, v128.load(src + last));
    }
  }
}

// copyShortRows' mirror: rows × Q floats (4 ≤ Q ≤ 12) added from consecutive rows into rows inStep bytes apart.
// A row's vectors are all loaded before any is stored, so no load meets a store a float to the side (see addRow),
// and the lanes where the last vector (ending at Q) overlaps the one before it get the same sum from both.
// @ts-ignore: decorator
@inline function addShortRows(dst: usize, src: usize, rows: i32, Q: i32, inStep: usize): void {
  const rowBytes = <usize>Q * 4, last = <usize>(Q - 4) * 4;
  if (Q > 8) {
    for (let p = 0; p < rows; p++, dst += inStep, src += rowBytes) {
      const d0 = v128.load(dst), d1 = v128.load(dst, 16), dLast = v128.load(dst + last);
      v128.store(dst + last, f32x4.add(dLast, v128.load(src + last)));
      v128.store(dst, f32x4.add(d1, v128.load(src, 16)), 16);
      v128.store(dst, f32x4.add(d0, v128.load(src)));
    }
  } else {
    for (let p = 0; p < rows; p++, dst += inStep, src += rowBytes) {
      const d0 = v128.load(dst), dLast = v128.load(dst + last);
      v128.store(dst + last, f32x4.add(dLast, v128.load(src + last)));
      v128.store(dst, f32x4.add(d0, v128.load(src)));
    }
  }
}

// dst[q] = src[q] for q in [q0, q1), four at a time. A row of LeNet's conv2 is 10 floats: two
// vectors, then the last four again (rewriting two with the same values) instead of a scalar tail.
// @ts-ignore: decorator
@inline export function copyRow(dst: usize, src: usize, q0: i32, q1: i32): void {
  let q = q0;
  for (; q + 4 <= q1; q += 4) v128.store(dst + <usize>q * 4, v128.load(src + <usize>q * 4));
  if (q == q1) return;
  if (q1 - q0 < 4) {
    for (; q < q1; q++) store<f32>(dst + <usize>q * 4, load<f32>(src + <usize>q * 4));
    return;
  }
  const t = <usize>(q1 - 4) * 4;
  v128.store(dst + t, v128.load(src + t));
}

// dst[q] += src[q] for q in [q0, q1), four at a time, then one at a time: copyRow's mirror, without
// its overlapping last vector. Here that vector would load lanes the loop has just stored a float to
// the side, which the CPU cannot forward from its store buffer: it stalls until the store retires
// (a masked overlapping tail made LeNet's conv2 col2im 1.7× slower than this scalar tail).
// @ts-ignore: decorator
@inline function addRow(dst: usize, src: usize, q0: i32, q1: i32): void {
  let q = q0;
  for (; q + 4 <= q1; q += 4) {
    const at = dst + <usize>q * 4;
    v128.store(at, f32x4.add(v128.load(at), v128.load(src + <usize>q * 4)));
  }
  for (; q < q1; q++) store<f32>(dst + <usize>q * 4, load<f32>(dst + <usize>q * 4) + load<f32>(src + <usize>q * 4));
}
