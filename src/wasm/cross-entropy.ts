// The fused softmax cross-entropy in WebAssembly (src/ops/cross-entropy.ts),
// in float64 like src/wasm/softmax.ts. Legend: N rows, J classes.

import { SoftmaxDims, logSoftmaxForward } from "./softmax";

// loss[0] = −1/N Σ_n logProbs[n, label_n]; logProbs = logSoftmax(logits)
export function softmaxCrossEntropyForward(loss: usize, logProbs: usize, logits: usize, labels: usize, d: SoftmaxDims): void {
  const N = d.N, J = d.J;
  logSoftmaxForward(logProbs, logits, d);
  let total: f64 = 0;
  for (let n = 0; n < N; n++) total -= <f64>load<f32>(logProbs + <usize>(n * J + load<i32>(labels + <usize>n * 4)) * 4);
  store<f32>(loss, <f32>(total / <f64>N));
}

// ∂L/∂logits[n,j] = (softmax[n,j] − [j = label_n]) / N, times the upstream dloss
export function softmaxCrossEntropyBackward(dlogits: usize, dloss: usize, logProbs: usize, labels: usize, d: SoftmaxDims): void {
  const N = d.N, J = d.J;
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
