// Softmax and log-softmax over one dimension in WebAssembly (src/ops/softmax.ts).
// Legend: N outer, J classes, I inner (the stride between two classes; 1 when
// they are the last dimension). These touch N·J·I values (2,560 for LeNet at
// batch 256), so they stay scalar and, like the TypeScript reference, do their
// arithmetic in float64: a logit of 1e4 minus the log-sum-exp must not lose its
// fraction.

/** SoftmaxDims of src/ops/softmax.ts. */
@unmanaged
export class SoftmaxDims {
  N: i32;
  J: i32;
  inner: i32;
}

export function logSoftmaxForward(y: usize, x: usize, d: SoftmaxDims): void {
  const N = d.N, J = d.J, inner = d.inner;
  const step = <usize>inner * 4; // bytes from class j to class j + 1
  for (let n = 0; n < N; n++) {
    for (let i = 0; i < inner; i++) {
      const row = <usize>(n * J * inner + i) * 4; // element (n, 0, i)
      let m: f64 = -Infinity;
      for (let j = 0; j < J; j++) m = max(m, <f64>load<f32>(x + row + <usize>j * step));
      let total: f64 = 0;
      for (let j = 0; j < J; j++) total += Math.exp(<f64>load<f32>(x + row + <usize>j * step) - m);
      const logTotal = Math.log(total);
      // (x − m) − log Σ, as src/ops/softmax.ts: for |m| ≳ 1e16, x − (m + log Σ) loses log Σ entirely
      for (let j = 0; j < J; j++) store<f32>(y + row + <usize>j * step, <f32>(<f64>load<f32>(x + row + <usize>j * step) - m - logTotal));
    }
  }
}

// ∂y_j/∂x_k = [k = j] − softmax_k:  dx += dy − e^y · Σ_j dy
export function logSoftmaxBackward(dx: usize, dy: usize, y: usize, d: SoftmaxDims): void {
  const N = d.N, J = d.J, inner = d.inner;
  const step = <usize>inner * 4;
  for (let n = 0; n < N; n++) {
    for (let i = 0; i < inner; i++) {
      const row = <usize>(n * J * inner + i) * 4;
      let total: f64 = 0;
      for (let j = 0; j < J; j++) total += <f64>load<f32>(dy + row + <usize>j * step);
      for (let j = 0; j < J; j++) {
        const at = dx + row + <usize>j * step;
        const g = <f64>load<f32>(dy + row + <usize>j * step) - Math.exp(<f64>load<f32>(y + row + <usize>j * step)) * total;
        store<f32>(at, <f32>(<f64>load<f32>(at) + g));
      }
    }
  }
}

// softmax = e^logSoftmax, taken of the stored float32 log-probabilities as src/ops/softmax.ts does
export function softmaxForward(y: usize, x: usize, d: SoftmaxDims): void {
  logSoftmaxForward(y, x, d);
  for (let i = 0; i < d.N * d.J * d.inner; i++) store<f32>(y + <usize>i * 4, <f32>Math.exp(<f64>load<f32>(y + <usize>i * 4)));
}

// ∂y_j/∂x_k = y_j ([k = j] − y_k):  dx += y ⊙ (dy − Σ_j dy·y)
export function softmaxBackward(dx: usize, dy: usize, y: usize, d: SoftmaxDims): void {
  const N = d.N, J = d.J, inner = d.inner;
  const step = <usize>inner * 4;
  for (let n = 0; n < N; n++) {
    for (let i = 0; i < inner; i++) {
      const row = <usize>(n * J * inner + i) * 4;
      let dot: f64 = 0;
      for (let j = 0; j < J; j++) dot += <f64>load<f32>(dy + row + <usize>j * step) * <f64>load<f32>(y + row + <usize>j * step);
      for (let j = 0; j < J; j++) {
        const at = dx + row + <usize>j * step;
        const g = <f64>load<f32>(y + row + <usize>j * step) * (<f64>load<f32>(dy + row + <usize>j * step) - dot);
        store<f32>(at, <f32>(<f64>load<f32>(at) + g));
      }
    }
  }
}
