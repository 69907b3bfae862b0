// Row-wise softmax and log-softmax in WebAssembly (src/ops/softmax.ts).
// Legend: N rows, J classes. These touch N·J values (2,560 for LeNet at
// batch 256), so they stay scalar and, like the TypeScript reference, do their
// arithmetic in float64: a logit of 1e4 minus the row's log-sum-exp must not
// lose its fraction.

/** SoftmaxDims of src/ops/softmax.ts. */
@unmanaged
export class SoftmaxDims {
  N: i32;
  J: i32;
}

export function logSoftmaxForward(y: usize, x: usize, d: SoftmaxDims): void {
  const N = d.N, J = d.J;
  for (let n = 0; n < N; n++) {
    const row = <usize>(n * J) * 4;
    let m: f64 = -Infinity;
    for (let j = 0; j < J; j++) m = max(m, <f64>load<f32>(x + row + <usize>j * 4));
    let total: f64 = 0;
    for (let j = 0; j < J; j++) total += Math.exp(<f64>load<f32>(x + row + <usize>j * 4) - m);
    const logTotal = Math.log(total);
    // (x − m) − log Σ, as src/ops/softmax.ts: for |m| ≳ 1e16, x − (m + log Σ) loses log Σ entirely
    for (let j = 0; j < J; j++) store<f32>(y + row + <usize>j * 4, <f32>(<f64>load<f32>(x + row + <usize>j * 4) - m - logTotal));
  }
}

// ∂y_j/∂x_i = [i = j] − softmax_i:  dx += dy − e^y · Σ_j dy
export function logSoftmaxBackward(dx: usize, dy: usize, y: usize, d: SoftmaxDims): void {
  const N = d.N, J = d.J;
  for (let n = 0; n < N; n++) {
    const row = <usize>(n * J) * 4;
    let total: f64 = 0;
    for (let j = 0; j < J; j++) total += <f64>load<f32>(dy + row + <usize>j * 4);
    for (let j = 0; j < J; j++) {
      const at = dx + row + <usize>j * 4;
      const g = <f64>load<f32>(dy + row + <usize>j * 4) - Math.exp(<f64>load<f32>(y + row + <usize>j * 4)) * total;
      store<f32>(at, <f32>(<f64>load<f32>(at) + g));
    }
  }
}

// softmax = e^logSoftmax, taken of the stored float32 log-probabilities as src/ops/softmax.ts does
export function softmaxForward(y: usize, x: usize, d: SoftmaxDims): void {
  logSoftmaxForward(y, x, d);
  for (let i = 0; i < d.N * d.J; i++) store<f32>(y + <usize>i * 4, <f32>Math.exp(<f64>load<f32>(y + <usize>i * 4)));
}

// ∂y_j/∂x_i = y_j ([i = j] − y_i):  dx += y ⊙ (dy − Σ_j dy·y)
export function softmaxBackward(dx: usize, dy: usize, y: usize, d: SoftmaxDims): void {
  const N = d.N, J = d.J;
  for (let n = 0; n < N; n++) {
    const row = <usize>(n * J) * 4;
    let dot: f64 = 0;
    for (let j = 0; j < J; j++) dot += <f64>load<f32>(dy + row + <usize>j * 4) * <f64>load<f32>(y + row + <usize>j * 4);
    for (let j = 0; j < J; j++) {
      const at = dx + row + <usize>j * 4;
      const g = <f64>load<f32>(y + row + <usize>j * 4) * (<f64>load<f32>(dy + row + <usize>j * 4) - dot);
      store<f32>(at, <f32>(<f64>load<f32>(at) + g));
    }
  }
}
