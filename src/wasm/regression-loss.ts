// mseLoss and l1Loss in WebAssembly (src/ops/regression-loss.ts): ℓ_i = (x_i − t_i)²
// or |x_i − t_i|, reduced as the dims say. Float64 arithmetic in the reference's
// order, so the results are the TypeScript kernels', bit for bit.

import { LossDims, MEAN, NONE, sharedGradient } from "./loss-reduction";

// ℓ_i of one element: squared (mse) or absolute (l1) difference, in float64.
// @ts-ignore: decorator
@inline
function elementLoss(input: usize, target: usize, i: i32, squared: bool): f64 {
  const v = <f64>load<f32>(input + <usize>i * 4) - <f64>load<f32>(target + <usize>i * 4);
  return squared ? v * v : Math.abs(v);
}

function regressionForward(loss: usize, input: usize, target: usize, d: LossDims, squared: bool): void {
  const n = d.count;
  if (d.reduction == NONE) {
    for (let i = 0; i < n; i++) store<f32>(loss + <usize>i * 4, <f32>elementLoss(input, target, i, squared));
    return;
  }
  let total: f64 = 0;
  for (let i = 0; i < n; i++) total += elementLoss(input, target, i, squared);
  store<f32>(loss, <f32>(d.reduction == MEAN ? total / <f64>n : total));
}

// ∂(x − t)²/∂x = 2(x − t) = −∂/∂t;  ∂|x − t|/∂x = sign(x − t) = −∂/∂t (sign(0) = 0, as PyTorch)
function regressionBackward(dinput: usize, dtarget: usize, dloss: usize, input: usize, target: usize, d: LossDims, squared: bool): void {
  const shared = sharedGradient(dloss, d);
  for (let i = 0; i < d.count; i++) {
    const g = d.reduction == NONE ? <f64>load<f32>(dloss + <usize>i * 4) : shared;
    const diff = <f64>load<f32>(input + <usize>i * 4) - <f64>load<f32>(target + <usize>i * 4);
    const v = squared ? g * 2 * diff : g * Math.sign(diff);
    if (dinput != 0) store<f32>(dinput + <usize>i * 4, <f32>(<f64>load<f32>(dinput + <usize>i * 4) + v));
    if (dtarget != 0) store<f32>(dtarget + <usize>i * 4, <f32>(<f64>load<f32>(dtarget + <usize>i * 4) - v));
  }
}

export function mseLossForward(loss: usize, input: usize, target: usize, d: LossDims): void {
  regressionForward(loss, input, target, d, true);
}

export function mseLossBackward(dinput: usize, dtarget: usize, dloss: usize, input: usize, target: usize, d: LossDims): void {
  regressionBackward(dinput, dtarget, dloss, input, target, d, true);
}

export function l1LossForward(loss: usize, input: usize, target: usize, d: LossDims): void {
  regressionForward(loss, input, target, d, false);
}

export function l1LossBackward(dinput: usize, dtarget: usize, dloss: usize, input: usize, target: usize, d: LossDims): void {
  regressionBackward(dinput, dtarget, dloss, input, target, d, false);
}
