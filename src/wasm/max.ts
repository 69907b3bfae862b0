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

// max(x)'s gradient over all `length` elements, as maxAllBackward in src/ops/max.ts: one pass to count the
// elements equal to `value` (every NaN when it is NaN), one to add the share, both in float64 as the reference.
// ∂max/∂x_k = 1/count where x_k is a maximum, else 0 (PyTorch's evenly_distribute_backward)
export function maxAllBackward(dx: usize, dy: usize, x: usize, value: f64, length: i32): void {
  const nan = isNaN(value);
  let count = 0;
  for (let k = 0; k < length; k++) if (isMaxOf(<f64>load<f32>(x + <usize>k * 4), value, nan)) count++;
  const share = <f64>load<f32>(dy) / <f64>count;
  for (let k = 0; k < length; k++) {
    const at = dx + <usize>k * 4;
    if (isMaxOf(<f64>load<f32>(x + <usize>k * 4), value, nan)) store<f32>(at, <f32>(<f64>load<f32>(at) + share));
  }
}

// @ts-ignore: decorator
@inline function isMaxOf(v: f64, value: f64, nan: bool): bool {
  return nan ? isNaN(v) : v == value;
}
