// Batch normalisation in WebAssembly: the same math as src/ops/batchnorm.ts
// (docs/batchnorm.md), over the channels [start, end) of the dims (a thread's
// share: each channel's statistics and gradients are its own, so threads never
// write the same value and the result does not depend on the thread count).
//
// Legend: x (N, C, L): N batch, C channels, L positions per channel; M = N·L.
// Like the TypeScript reference, the arithmetic is float64: the sums (two
// passes for the variance, no Σx² − Mμ² cancellation) and each element's
// (x − μ)·scale + shift, rounded to float32 once when stored. Two values at a
// time: each pair of floats is widened into one f64x2 vector.
// eps is a float, and every dims field is an i32, so it comes as its own argument.

/** BatchNormDims of src/ops/batchnorm.ts (without eps), then the thread's channels [start, end). */
@unmanaged
export class BatchNormDims {
  N: i32;
  C: i32;
  L: i32;
  start: i32;
  end: i32;
}

// Two float32 at p, widened to float64.
// @ts-ignore: decorator
@inline function load2(p: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(p));
}

// Two float64 lanes, rounded to float32 and stored at p.
// @ts-ignore: decorator
@inline function store2(p: usize, v: v128): void {
  v128.store64_lane(p, f32x4.demote_f64x2_zero(v), 0);
}

// The sum of both lanes.
// @ts-ignore: decorator
@inline function total(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

// Σ (x − shift)^power over channel c's M values, power 1 or 2, in float64.
function channelSum(x: usize, d: BatchNormDims, c: i32, shift: f64, power: i32): f64 {
  const L = d.L, s = f64x2.splat(shift);
  let lanes = f64x2.splat(0), tail: f64 = 0;
  for (let n = 0; n < d.N; n++) {
    const row = x + (<usize>(n * d.C + c) * <usize>L) * 4; // x[n, c, :]
    let l = 0;
    for (; l + 2 <= L; l += 2) {
      const v = f64x2.sub(load2(row + <usize>l * 4), s);
      lanes = f64x2.add(lanes, power == 2 ? f64x2.mul(v, v) : v);
    }
    for (; l < L; l++) {
      const v = <f64>load<f32>(row + <usize>l * 4) - shift;
      tail += power == 2 ? v * v : v;
    }
  }
  return total(lanes) + tail;
}

/** mean (C) and biased variance (C) of x per channel, for the channels [start, end). */
export function batchNormMoments(mean: usize, variance: usize, x: usize, d: BatchNormDims): void {
  const M = <f64>d.N * <f64>d.L;
  for (let c = d.start; c < d.end; c++) {
    const mu = channelSum(x, d, c, 0, 1) / M;
    store<f32>(mean + <usize>c * 4, <f32>mu);
    store<f32>(variance + <usize>c * 4, <f32>(channelSum(x, d, c, mu, 2) / M));
  }
}

// v = (x − μ)·scale + shift (+ gain·dy when dy is given) over channel c, then y = v, or y += v with accumulate:
// the forward's normalisation and both forms of the backward's ∂L/∂x are this one pass.
function channelAffine(y: usize, x: usize, dy: usize, d: BatchNormDims, c: i32, mu: f64, scale: f64, shift: f64, gain: f64, accumulate: bool): void {
  const L = d.L, m = f64x2.splat(mu), a = f64x2.splat(scale), b = f64x2.splat(shift), g = f64x2.splat(gain);
  for (let n = 0; n < d.N; n++) {
    const o = (<usize>(n * d.C + c) * <usize>L) * 4; // byte offset of [n, c, 0]
    let l = 0;
    for (; l + 2 <= L; l += 2) {
      const at = o + <usize>l * 4;
      let v = f64x2.add(f64x2.mul(f64x2.sub(load2(x + at), m), a), b);
      if (dy != 0) v = f64x2.add(v, f64x2.mul(g, load2(dy + at)));
      store2(y + at, accumulate ? f64x2.add(load2(y + at), v) : v);
    }
    for (; l < L; l++) {
      const at = o + <usize>l * 4;
      let v = (<f64>load<f32>(x + at) - mu) * scale + shift;
      if (dy != 0) v += gain * <f64>load<f32>(dy + at);
      store<f32>(y + at, <f32>(accumulate ? <f64>load<f32>(y + at) + v : v));
    }
  }
}

/** y = γ·(x − mean)/√(variance + eps) + β for the channels [start, end); weight, bias 0 when absent (γ = 1, β = 0). */
export function batchNormForward(y: usize, x: usize, weight: usize, bias: usize, mean: usize, variance: usize, d: BatchNormDims, eps: f64): void {
  for (let c = d.start; c < d.end; c++) {
    const gamma: f64 = weight == 0 ? 1 : <f64>load<f32>(weight + <usize>c * 4);
    const scale = gamma / Math.sqrt(<f64>load<f32>(variance + <usize>c * 4) + eps);
    const shift: f64 = bias == 0 ? 0 : <f64>load<f32>(bias + <usize>c * 4);
    channelAffine(y, x, 0, d, c, <f64>load<f32>(mean + <usize>c * 4), scale, shift, 0, false);
  }
}

// Σ dy·(x − μ) over channel c's M values, in float64.
function channelDot(dy: usize, x: usize, d: BatchNormDims, c: i32, mu: f64): f64 {
  const L = d.L, m = f64x2.splat(mu);
  let lanes = f64x2.splat(0), tail: f64 = 0;
  for (let n = 0; n < d.N; n++) {
    const o = (<usize>(n * d.C + c) * <usize>L) * 4;
    let l = 0;
    for (; l + 2 <= L; l += 2) {
      const at = o + <usize>l * 4;
      lanes = f64x2.add(lanes, f64x2.mul(load2(dy + at), f64x2.sub(load2(x + at), m)));
    }
    for (; l < L; l++) tail += <f64>load<f32>(dy + o + <usize>l * 4) * (<f64>load<f32>(x + o + <usize>l * 4) - mu);
  }
  return total(lanes) + tail;
}

// ∂L/∂x = γ/(M·σ)·(M·dy − Σ dy − x̂·Σ dy·x̂) with batch statistics, γ·dy/σ with running ones;
// ∂L/∂γ = Σ dy·x̂, ∂L/∂β = Σ dy. dx, dweight, dbias 0 skip that gradient; all accumulate (+=).
export function batchNormBackward(dx: usize, dweight: usize, dbias: usize, dy: usize, x: usize, weight: usize, mean: usize, variance: usize, d: BatchNormDims, eps: f64, batchStats: i32): void {
  const M = <f64>d.N * <f64>d.L;
  for (let c = d.start; c < d.end; c++) {
    const at = <usize>c * 4;
    const mu = <f64>load<f32>(mean + at), invStd = 1 / Math.sqrt(<f64>load<f32>(variance + at) + eps);
    const gamma: f64 = weight == 0 ? 1 : <f64>load<f32>(weight + at);
    const sumDy = channelSum(dy, d, c, 0, 1), sumDyXhat = channelDot(dy, x, d, c, mu) * invStd;
    if (dbias != 0) store<f32>(dbias + at, <f32>(<f64>load<f32>(dbias + at) + sumDy));
    if (dweight != 0) store<f32>(dweight + at, <f32>(<f64>load<f32>(dweight + at) + sumDyXhat));
    if (dx == 0) continue;
    const k = gamma * invStd; // γ/σ
    if (batchStats == 0) {
      channelAffine(dx, dy, 0, d, c, 0, k, 0, 0, true); // dx += γ/σ·dy
    } else {
      // dx += γ/(M·σ)·(M·dy − Σ dy − x̂·Σ dy·x̂) = (x − μ)·(−γ/σ²·Σ dy·x̂/M) + (−γ/σ·Σ dy/M) + γ/σ·dy
      channelAffine(dx, x, dy, d, c, mu, (-k * invStd * sumDyXhat) / M, (-k * sumDy) / M, k, true);
    }
  }
}
