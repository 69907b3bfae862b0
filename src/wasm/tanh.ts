// tanh in WebAssembly over the element range [i0, i1) (a thread's share):
// the same math as src/ops/tanh.ts.

// tanh is not on LeNet's hot path: the accurate scalar Mathf.tanh keeps small |x| exact.
export function tanhForward(y: usize, x: usize, i0: i32, i1: i32): void {
  for (let i = i0; i < i1; i++) store<f32>(y + <usize>i * 4, Mathf.tanh(load<f32>(x + <usize>i * 4)));
}

// d tanh/dx = 1 − tanh²
export function tanhBackward(dx: usize, dy: usize, y: usize, i0: i32, i1: i32): void {
  for (let i = i0; i < i1; i++) {
    const t = load<f32>(y + <usize>i * 4);
    store<f32>(dx + <usize>i * 4, load<f32>(dx + <usize>i * 4) + load<f32>(dy + <usize>i * 4) * (1 - t * t));
  }
}
