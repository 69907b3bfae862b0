// max and argmax over one dimension in WebAssembly (src/ops/max.ts), over the
// thread's share [start, end) of the N·inner outputs. Comparisons only, so the
// results are exactly the TypeScript reference's: a row's first NaN wins, ties
// keep the first index.

import { AxisDims, rowStart } from "./axis";

// The j in [0, J) of the largest of J values `step` bytes apart from `row`: the first NaN, else the first of ties.
function argmaxAt(x: usize, J: i32, step: usize): i32 {
  let best = 0;
  let top = load<f32>(x);
  for (let j = 0; j < J; j++) {
    const v = load<f32>(x + <usize>j * step);
    if (isNaN(v)) return j;
    if (v > top) {
      best = j;
      top = v;
    }
  }
  return best;
}

export function argmaxForward(indices: usize, x: usize, d: AxisDims): void {
  const J = d.J, inner = d.inner, step = <usize>inner * 4;
  for (let k = d.start; k < d.end; k++) store<i32>(indices + <usize>k * 4, argmaxAt(x + rowStart(k, J, inner), J, step));
}

export function maxForward(values: usize, indices: usize, x: usize, d: AxisDims): void {
  const J = d.J, inner = d.inner, step = <usize>inner * 4;
  for (let k = d.start; k < d.end; k++) {
    const row = x + rowStart(k, J, inner);
    const j = argmaxAt(row, J, step);
    store<i32>(indices + <usize>k * 4, j);
    store<f32>(values + <usize>k * 4, load<f32>(row + <usize>j * step));
  }
}

// ∂max/∂x_j = [j = index]
export function maxBackward(dx: usize, dy: usize, indices: usize, d: AxisDims): void {
  const J = d.J, inner = d.inner, step = <usize>inner * 4;
  for (let k = d.start; k < d.end; k++) {
    const at = dx + rowStart(k, J, inner) + <usize>load<i32>(indices + <usize>k * 4) * step;
    store<f32>(at, load<f32>(at) + load<f32>(dy + <usize>k * 4));
  }
}
