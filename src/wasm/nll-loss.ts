// The class-target and probability-target losses on log-probabilities in
// WebAssembly (src/ops/nll-loss.ts), over the thread's share [start, end) of the
// N·inner samples. Legend: N outer, J classes, I inner; lp = logProbs, w = class
// weights, ε = label smoothing (a float64 argument: the dims struct holds only
// integers). Every product and sum runs in float64 in the reference's order, so
// the results are bit for bit the TypeScript reference's.

import { AxisDims, rowStart } from "./axis";

// nll_s = −w[y_s]·lp[y_s] and, when ε > 0, smooth_s = −Σ_c w[c]·lp[c]; both 0 where y_s = −1 (ignored)
export function nllLossForward(nll: usize, smooth: usize, logProbs: usize, labels: usize, weight: usize, d: AxisDims, smoothing: f64): void {
  const J = d.J, inner = d.inner, step = <usize>inner * 4;
  for (let s = d.start; s < d.end; s++) {
    const y = load<i32>(labels + <usize>s * 4);
    const row = logProbs + rowStart(s, J, inner);
    let total: f64 = 0;
    if (y >= 0 && smoothing > 0) {
      for (let c = 0; c < J; c++) total -= <f64>load<f32>(weight + <usize>c * 4) * <f64>load<f32>(row + <usize>c * step);
    }
    const term: f64 = y < 0 ? 0 : -<f64>load<f32>(weight + <usize>y * 4) * <f64>load<f32>(row + <usize>y * step);
    store<f32>(nll + <usize>s * 4, <f32>term);
    store<f32>(smooth + <usize>s * 4, <f32>total);
  }
}

// ∂nll_s/∂lp[y_s] = −w[y_s];  ∂smooth_s/∂lp[c] = −w[c]
export function nllLossBackward(dlogProbs: usize, gNll: usize, gSmooth: usize, labels: usize, weight: usize, d: AxisDims, smoothing: f64): void {
  const J = d.J, inner = d.inner, step = <usize>inner * 4;
  for (let s = d.start; s < d.end; s++) {
    const y = load<i32>(labels + <usize>s * 4);
    if (y < 0) continue; // an ignored sample's terms are the constant 0
    const row = dlogProbs + rowStart(s, J, inner);
    const at = row + <usize>y * step;
    store<f32>(at, <f32>(<f64>load<f32>(at) - <f64>load<f32>(weight + <usize>y * 4) * <f64>load<f32>(gNll + <usize>s * 4)));
    if (smoothing > 0) {
      const g = <f64>load<f32>(gSmooth + <usize>s * 4);
      for (let c = 0; c < J; c++) {
        const cell = row + <usize>c * step;
        store<f32>(cell, <f32>(<f64>load<f32>(cell) - <f64>load<f32>(weight + <usize>c * 4) * g));
      }
    }
  }
}

// loss_s = −Σ_c w[c]·t'[c]·lp[c], t' = (1 − ε)·t + ε/J
export function probabilityLossForward(loss: usize, logProbs: usize, target: usize, weight: usize, d: AxisDims, smoothing: f64): void {
  const J = d.J, inner = d.inner, step = <usize>inner * 4;
  for (let s = d.start; s < d.end; s++) {
    const row = rowStart(s, J, inner);
    let total: f64 = 0;
    for (let c = 0; c < J; c++) {
      const at = row + <usize>c * step;
      const t = (1 - smoothing) * <f64>load<f32>(target + at) + smoothing / <f64>J;
      total -= <f64>load<f32>(weight + <usize>c * 4) * t * <f64>load<f32>(logProbs + at);
    }
    store<f32>(loss + <usize>s * 4, <f32>total);
  }
}

// ∂loss_s/∂lp_c = −w_c·t'_c;  ∂loss_s/∂t_c = −(1 − ε)·w_c·lp_c  (a null pointer, 0, skips that gradient)
export function probabilityLossBackward(dlogProbs: usize, dtarget: usize, g: usize, logProbs: usize, target: usize, weight: usize, d: AxisDims, smoothing: f64): void {
  const J = d.J, inner = d.inner, step = <usize>inner * 4;
  for (let s = d.start; s < d.end; s++) {
    const row = rowStart(s, J, inner);
    const gs = <f64>load<f32>(g + <usize>s * 4);
    for (let c = 0; c < J; c++) {
      const at = row + <usize>c * step;
      const w = <f64>load<f32>(weight + <usize>c * 4);
      if (dlogProbs != 0) {
        const t = (1 - smoothing) * <f64>load<f32>(target + at) + smoothing / <f64>J;
        store<f32>(dlogProbs + at, <f32>(<f64>load<f32>(dlogProbs + at) - w * t * gs));
      }
      if (dtarget != 0) store<f32>(dtarget + at, <f32>(<f64>load<f32>(dtarget + at) - (1 - smoothing) * w * <f64>load<f32>(logProbs + at) * gs));
    }
  }
}
