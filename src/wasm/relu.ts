// relu in WebAssembly over the element range [i0, i1) (a thread's share):
// the same math as src/ops/relu.ts, four lanes at a time.

// relu(x) = x where x > 0 or x is NaN, else 0.
export function reluForward(y: usize, x: usize, i0: i32, i1: i32): void {
  const zero = f32x4.splat(0);
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const v = v128.load(x + <usize>i * 4);
    const keep = v128.or(f32x4.gt(v, zero), f32x4.ne(v, v)); // positive or NaN
    v128.store(y + <usize>i * 4, v128.and(v, keep));
  }
  for (; i < i1; i++) {
    const v = load<f32>(x + <usize>i * 4);
    store<f32>(y + <usize>i * 4, v > 0 || isNaN(v) ? v : 0);
  }
}

// d relu/dx = 0 where the output is ≤ 0, else 1 (a NaN output passes dy, as in PyTorch)
export function reluBackward(dx: usize, dy: usize, y: usize, i0: i32, i1: i32): void {
  const zero = f32x4.splat(0);
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const pass = v128.not(f32x4.le(v128.load(y + <usize>i * 4), zero));
    const g = v128.and(v128.load(dy + <usize>i * 4), pass);
    v128.store(dx + <usize>i * 4, f32x4.add(v128.load(dx + <usize>i * 4), g));
  }
  for (; i < i1; i++) {
    const g: f32 = !(load<f32>(y + <usize>i * 4) <= 0) ? load<f32>(dy + <usize>i * 4) : 0; // the vector loop's masked dy
    store<f32>(dx + <usize>i * 4, load<f32>(dx + <usize>i * 4) + g);
  }
}
