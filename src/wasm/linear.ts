// linear in WebAssembly: y = x·Wᵀ + b and its backward, as three gemms
// (src/ops/linear.ts). Legend: N rows, I in-features, O out-features.
// Rows [n0, n1) only, so threads can split the batch for y and dx; dW and db
// sum over all rows and are split by output feature instead: [o0, o1).

import { gemm } from "./gemm";

export function linearForward(y: usize, x: usize, w: usize, b: usize, N: i32, I: i32, O: i32, n0: i32, n1: i32, work: usize): void {
  const rows = n1 - n0;
  if (rows <= 0) return;
  const yRows = y + <usize>(n0 * O) * 4;
  // y (rows, O) = x (rows, I) · Wᵀ: op(B)[i, o] = W[o, i]
  gemm(yRows, O, x + <usize>(n0 * I) * 4, I, 1, w, 1, I, rows, O, I, false, work);
  if (b == 0) return;
  for (let n = 0; n < rows; n++) {
    const row = yRows + <usize>(n * O) * 4;
    let o = 0;
    for (; o + 4 <= O; o += 4) v128.store(row + <usize>o * 4, f32x4.add(v128.load(row + <usize>o * 4), v128.load(b + <usize>o * 4)));
    for (; o < O; o++) store<f32>(row + <usize>o * 4, load<f32>(row + <usize>o * 4) + load<f32>(b + <usize>o * 4));
  }
}

// dx (rows n0..n1, I) += dy · W
export function linearBackwardInput(dx: usize, dy: usize, w: usize, N: i32, I: i32, O: i32, n0: i32, n1: i32, work: usize): void {
  const rows = n1 - n0;
  if (rows <= 0) return;
  gemm(dx + <usize>(n0 * I) * 4, I, dy + <usize>(n0 * O) * 4, O, 1, w, I, 1, rows, I, O, true, work);
}

// dW (rows o0..o1, I) += dyᵀ · x and db[o0..o1) += Σ_n dy[n, o]
export function linearBackwardWeight(dw: usize, db: usize, dy: usize, x: usize, N: i32, I: i32, O: i32, o0: i32, o1: i32, work: usize): void {
  const rows = o1 - o0;
  if (rows <= 0) return;
  if (dw != 0) gemm(dw + <usize>(o0 * I) * 4, I, dy + <usize>o0 * 4, 1, O, x, I, 1, rows, I, N, true, work);
  if (db != 0) {
    for (let o = o0; o < o1; o++) {
      let total: f32 = 0;
      for (let n = 0; n < N; n++) total += load<f32>(dy + <usize>(n * O + o) * 4);
      store<f32>(db + <usize>o * 4, load<f32>(db + <usize>o * 4) + total);
    }
  }
}
