// tanh in WebAssembly over the element range [i0, i1) (a thread's share):
// the same function as src/ops/tanh.ts, four lanes at a time (Cephes tanhf).

import { exp4Times2p24, mad } from "./simd";

// Below this |x| the odd polynomial is used: 1 − 2/(e^(2|x|)+1) would cancel to a few correct bits near 0.
const POLYNOMIAL_BELOW: f32 = 0.625;

// tanh(|x|) = x + x³·P(x²) for |x| < 0.625, else 1 − 2e/(1 + e) with e = e^(−2|x|), e and 1 scaled by 2²⁴
// (exp4Times2p24, one scaling of the exponent); the sign of x put back. Both branches are computed for all
// four lanes and the right one kept per lane (NaN lanes keep the polynomial's NaN; ±∞ give e = 0, so ±1).
// Four vectors a step, their chains overlapping: LeNet's C1 output at batch 256, one thread, 1.73–1.77 →
// 1.50–1.65 ms (npm run bench -- --quick --filter tanhForward, back to back).
// The odd polynomial's steps as fused multiply-adds too (mad: one instruction with relaxed SIMD): 33 → 28 floating-
// point instructions per four elements, 6.6 → 7.2–7.7 GB/s on cache-resident slices (docs/backends.md).
export function tanhForward(y: usize, x: usize, i0: i32, i1: i32): void {
  let i = i0;
  for (; i + 16 <= i1; i += 16) {
    const at = x + <usize>i * 4, out = y + <usize>i * 4;
    const t0 = tanh4(v128.load(at)), t1 = tanh4(v128.load(at, 16)), t2 = tanh4(v128.load(at, 32)), t3 = tanh4(v128.load(at, 48));
    v128.store(out, t0);
    v128.store(out, t1, 16);
    v128.store(out, t2, 32);
    v128.store(out, t3, 48);
  }
  for (; i + 4 <= i1; i += 4) v128.store(y + <usize>i * 4, tanh4(v128.load(x + <usize>i * 4)));
  for (; i < i1; i++) store<f32>(y + <usize>i * 4, f32x4.extract_lane(tanh4(f32x4.splat(load<f32>(x + <usize>i * 4))), 0));
}

// @ts-ignore: decorator
@inline function tanh4(x: v128): v128 {
  const one = f32x4.splat(1);
  const z = f32x4.abs(x);
  const z2 = f32x4.mul(z, z);
  let p = f32x4.splat(-5.70498872745e-3);
  p = mad(p, z2, f32x4.splat(2.06390887954e-2));
  p = mad(p, z2, f32x4.splat(-5.37397155531e-2));
  p = mad(p, z2, f32x4.splat(1.33314422036e-1));
  p = mad(p, z2, f32x4.splat(-3.33332819422e-1));
  const small = mad(f32x4.mul(p, z2), z, z);
  const scale = f32x4.splat(16777216); // 2²⁴
  const e = exp4Times2p24(v128.or(f32x4.add(z, z), f32x4.splat(-0.0))); // 2²⁴·e^(−2|x|): the sign bit set
  const large = f32x4.sub(one, f32x4.div(f32x4.add(e, e), f32x4.add(scale, e))); // 1 − 2e/(1 + e): 1.26 ulp at worst, (1 − e)/(1 + e) 1.48
  const magnitude = v128.bitselect(large, small, f32x4.gt(z, f32x4.splat(POLYNOMIAL_BELOW)));
  return v128.or(magnitude, v128.and(x, f32x4.splat(-0.0))); // |tanh| with x's sign bit
}

// d tanh/dx = 1 − tanh²  (the loop of sigmoidBackward in src/wasm/sigmoid.ts with this derivative: AssemblyScript has no cheap way to pass one in)
export function tanhBackward(dx: usize, dy: usize, y: usize, i0: i32, i1: i32): void {
  const one = f32x4.splat(1);
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const t = v128.load(y + <usize>i * 4);
    const g = f32x4.mul(v128.load(dy + <usize>i * 4), f32x4.sub(one, f32x4.mul(t, t)));
    v128.store(dx + <usize>i * 4, f32x4.add(v128.load(dx + <usize>i * 4), g));
  }
  for (; i < i1; i++) {
    const t = load<f32>(y + <usize>i * 4);
    store<f32>(dx + <usize>i * 4, load<f32>(dx + <usize>i * 4) + load<f32>(dy + <usize>i * 4) * (1 - t * t)); // the vector loop's order
  }
}
