// Row-wise log-softmax and the fused softmax cross-entropy in WebAssembly
// (src/ops/softmax.ts, src/ops/cross-entropy.ts). Legend: N rows, J classes.
// These touch N·J values (2,560 for LeNet at batch 256), so they stay scalar
// and, like the TypeScript reference, do their arithmetic in float64: a
// logit of 1e4 minus the row's log-sum-exp must not lose its fraction.

export function logSoftmaxForward(y: usize, x: usize, N: i32, J: i32): void {
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
export function logSoftmaxBackward(dx: usize, dy: usize, y: usize, N: i32, J: i32): void {
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
export function softmaxForward(y: usize, x: usize, N: i32, J: i32): void {
  logSoftmaxForward(y, x, N, J);
  for (let i = 0; i < N * J; i++) store<f32>(y + <usize>i * 4, <f32>Math.exp(<f64>load<f32>(y + <usize>i * 4)));
}

// ∂y_j/∂x_i = y_j ([i = j] − y_i):  dx += y ⊙ (dy − Σ_j dy·y)
export function softmaxBackward(dx: usize, dy: usize, y: usize, N: i32, J: i32): void {
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

// loss[0] = −1/N Σ_n logProbs[n, label_n]; logProbs = logSoftmax(logits)
export function softmaxCrossEntropyForward(loss: usize, logProbs: usize, logits: usize, labels: usize, N: i32, J: i32): void {
  logSoftmaxForward(logProbs, logits, N, J);
  let total: f64 = 0;
  for (let n = 0; n < N; n++) total -= <f64>load<f32>(logProbs + <usize>(n * J + load<i32>(labels + <usize>n * 4)) * 4);
  store<f32>(loss, <f32>(total / <f64>N));
}

// ∂L/∂logits[n,j] = (softmax[n,j] − [j = label_n]) / N, times the upstream dloss
export function softmaxCrossEntropyBackward(dlogits: usize, dloss: usize, logProbs: usize, labels: usize, N: i32, J: i32): void {
  const scale = <f64>load<f32>(dloss) / <f64>N;
  for (let n = 0; n < N; n++) {
    const row = <usize>(n * J) * 4;
    for (let j = 0; j < J; j++) {
      const at = dlogits + row + <usize>j * 4;
      store<f32>(at, <f32>(<f64>load<f32>(at) + Math.exp(<f64>load<f32>(logProbs + row + <usize>j * 4)) * scale));
    }
    const at = dlogits + row + <usize>load<i32>(labels + <usize>n * 4) * 4;
    store<f32>(at, <f32>(<f64>load<f32>(at) - scale));
  }
}
