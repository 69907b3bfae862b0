// sum and mean in WebAssembly (src/ops/reduce.ts): y[o] = scale · Σ_r x[kept[o] + reduced[r]],
// over the thread's share [start, end) of the O outputs. Like the TypeScript reference
// the sums run in float64, in the same order, so the results are bit for bit the same.
// Each output owns its own positions of x, so shares never write the same dx.

/** ReduceDims of src/ops/reduce.ts as counts (the offset lists are pointer arguments): O outputs, R positions each, then the share. */
@unmanaged
export class ReduceDims {
  O: i32;
  R: i32;
  start: i32;
  end: i32;
}

export function sumForward(y: usize, x: usize, kept: usize, reduced: usize, scale: f64, d: ReduceDims): void {
  const R = d.R;
  for (let o = d.start; o < d.end; o++) {
    const base = load<i32>(kept + <usize>o * 4);
    let total: f64 = 0;
    for (let r = 0; r < R; r++) total += <f64>load<f32>(x + <usize>(base + load<i32>(reduced + <usize>r * 4)) * 4);
    store<f32>(y + <usize>o * 4, <f32>(total * scale));
  }
}

// ∂(scale · Σ x)/∂x_k = scale at each summed position
export function sumBackward(dx: usize, dy: usize, kept: usize, reduced: usize, scale: f64, d: ReduceDims): void {
  const R = d.R;
  for (let o = d.start; o < d.end; o++) {
    const base = load<i32>(kept + <usize>o * 4);
    const g = <f64>load<f32>(dy + <usize>o * 4) * scale;
    for (let r = 0; r < R; r++) {
      const at = dx + <usize>(base + load<i32>(reduced + <usize>r * 4)) * 4;
      store<f32>(at, <f32>(<f64>load<f32>(at) + g));
    }
  }
}
