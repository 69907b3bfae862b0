// The fused softmax cross-entropy in WebAssembly (src/ops/cross-entropy.ts),
// in float64 like src/wasm/softmax.ts. Legend: N outer, J classes, I inner;
// one label per sample (n, i), N·I samples.

import { SoftmaxDims, logSoftmaxForward } from "./softmax";

// loss[0] = −1/(N·I) Σ_(n,i) logProbs[n, label_(n,i), i]; logProbs = logSoftmax(logits) over J
export function softmaxCrossEntropyForward(loss: usize, logProbs: usize, logits: usize, labels: usize, d: SoftmaxDims): void {
  const N = d.N, J = d.J, inner = d.inner;
  logSoftmaxForward(logProbs, logits, d);
  let total: f64 = 0;
  for (let n = 0; n < N; n++) {
    for (let i = 0; i < inner; i++) {
      const label = load<i32>(labels + <usize>(n * inner + i) * 4);
      total -= <f64>load<f32>(logProbs + <usize>((n * J + label) * inner + i) * 4);
    }
  }
  store<f32>(loss, <f32>(total / <f64>(N * inner)));
}

// ∂L/∂logits[n,j,i] = (softmax[n,j,i] − [j = label_(n,i)]) / (N·I), times the upstream dloss
export function softmaxCrossEntropyBackward(dlogits: usize, dloss: usize, logProbs: usize, labels: usize, d: SoftmaxDims): void {
  const N = d.N, J = d.J, inner = d.inner;
  const scale = <f64>load<f32>(dloss) / <f64>(N * inner);
  for (let k = 0; k < N * J * inner; k++) {
    const at = dlogits + <usize>k * 4;
    store<f32>(at, <f32>(<f64>load<f32>(at) + Math.exp(<f64>load<f32>(logProbs + <usize>k * 4)) * scale));
  }
  for (let n = 0; n < N; n++) {
    for (let i = 0; i < inner; i++) {
      const label = load<i32>(labels + <usize>(n * inner + i) * 4);
      const at = dlogits + <usize>((n * J + label) * inner + i) * 4;
      store<f32>(at, <f32>(<f64>load<f32>(at) - scale));
    }
  }
}
