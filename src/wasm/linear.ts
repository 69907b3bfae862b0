// linear in WebAssembly: y = x·Wᵀ + b and its backward, as three gemms
// (src/ops/linear.ts). Legend: N rows, I in-features, O out-features.
// Each call covers a share [d.start, d.end) so threads can split it: of the
// rows n for y and dx; of the output features o for dW and db (they sum over
// all rows, so splitting by o keeps each sum whole).

import { gemm, gemmSlot } from "./gemm";

/** LinearDims of src/ops/linear.ts, then this thread's share and gemm workspace. */
@unmanaged
export class LinearDims {
  N: i32;
  I: i32;
  O: i32;
  start: i32;
  end: i32;
  work: usize;
}

// y (rows start..end, O) = x · Wᵀ + b
export function linearForward(y: usize, x: usize, w: usize, b: usize, d: LinearDims): void {
  const O = d.O;
  const g = gemmSlot(d.work, d.N, O, d.I); // y (N, O) = x (N, I) · Wᵀ, rows [start, end)
  g.transB = 1;
  g.start = d.start;
  g.end = d.end;
  gemm(y, x, w, g);
  if (b == 0) return;
  for (let n = d.start; n < d.end; n++) {
    const row = y + <usize>(n * O) * 4;
    let o = 0;
    for (; o + 4 <= O; o += 4) v128.store(row + <usize>o * 4, f32x4.add(v128.load(row + <usize>o * 4), v128.load(b + <usize>o * 4)));
    for (; o < O; o++) store<f32>(row + <usize>o * 4, load<f32>(row + <usize>o * 4) + load<f32>(b + <usize>o * 4));
  }
}

// dx (rows start..end, I) += dy · W
export function linearBackwardInput(dx: usize, dy: usize, w: usize, d: LinearDims): void {
  const g = gemmSlot(d.work, d.N, d.I, d.O); // dx (N, I) += dy (N, O) · W (O, I), rows [start, end)
  g.accumulate = 1;
  g.start = d.start;
  g.end = d.end;
  gemm(dx, dy, w, g);
}

// dW (rows start..end, I) += dyᵀ · x and db[start..end) += Σ_n dy[n, o]
export function linearBackwardWeight(dw: usize, db: usize, dy: usize, x: usize, d: LinearDims): void {
  const N = d.N, O = d.O;
  if (dw != 0) {
    const g = gemmSlot(d.work, O, d.I, N); // dW (O, I) += dyᵀ (O, N) · x (N, I), rows [start, end)
    g.transA = 1;
    g.accumulate = 1;
    g.start = d.start;
    g.end = d.end;
    gemm(dw, dy, x, g);
  }
  if (db != 0) {
    for (let o = d.start; o < d.end; o++) {
      let total: f32 = 0;
      for (let n = 0; n < N; n++) total += load<f32>(dy + <usize>(n * O + o) * 4);
      store<f32>(db + <usize>o * 4, load<f32>(db + <usize>o * 4) + total);
    }
  }
}
