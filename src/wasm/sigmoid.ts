// sigmoid in WebAssembly over the element range [i0, i1) (a thread's share):
// the same math as src/ops/sigmoid.ts, four lanes at a time.

import { exp4Times2p24, table } from "./simd";

// 2²⁴ and −0 (the sign bit) on four lanes, loaded rather than built in the loop (why: table in src/wasm/simd.ts).
const SIGMOID: usize = memory.data<f32>([16777216, 16777216, 16777216, 16777216, -0.0, -0.0, -0.0, -0.0], 16);

// σ(x) without overflow: e = e^(−|x|) ∈ (0, 1]; σ = 1/(1+e) for x ≥ 0 and e/(1+e) for x < 0, as
// 2²⁴/(2²⁴+E) and E/(2²⁴+E) with E = 2²⁴·e: the same quotients (scaling by a power of two is exact), and E
// is a normal float where e would be subnormal, so the division rounds σ's subnormals (x < −87.3) once.
// Four vectors a step, so the four exponentials' independent chains overlap: LeNet's C1 output at batch 256,
// one thread, in cache-resident slices of 64K floats (as a Plan's chunks run it) 1.30 → 0.99–1.01 ms (two vectors
// a step: 1.02–1.04); npm run bench's whole-batch case (6.4 MB, past L2) 1.07–1.11 → 0.96–1.05 ms.
export function sigmoidForward(y: usize, x: usize, i0: i32, i1: i32): void {
  let i = i0;
  for (; i + 16 <= i1; i += 16) {
    const at = x + <usize>i * 4, out = y + <usize>i * 4;
    const v0 = v128.load(at), v1 = v128.load(at, 16), v2 = v128.load(at, 32), v3 = v128.load(at, 48);
    const sign = table(SIGMOID, 1);
    const e0 = exp4Times2p24(v128.or(v0, sign)), e1 = exp4Times2p24(v128.or(v1, sign));
    const e2 = exp4Times2p24(v128.or(v2, sign)), e3 = exp4Times2p24(v128.or(v3, sign));
    const scale = table(SIGMOID, 0), zero = f32x4.splat(0);
    v128.store(out, sigmoidOf(v0, e0, scale, zero));
    v128.store(out, sigmoidOf(v1, e1, scale, zero), 16);
    v128.store(out, sigmoidOf(v2, e2, scale, zero), 32);
    v128.store(out, sigmoidOf(v3, e3, scale, zero), 48);
  }
  for (; i + 4 <= i1; i += 4) {
    const v = v128.load(x + <usize>i * 4);
    v128.store(y + <usize>i * 4, sigmoidOf(v, exp4Times2p24(v128.or(v, table(SIGMOID, 1))), table(SIGMOID, 0), f32x4.splat(0)));
  }
  for (; i < i1; i++) {
    const v = load<f32>(x + <usize>i * 4);
    const e = Mathf.exp(-Mathf.abs(v));
    store<f32>(y + <usize>i * 4, v < 0 ? e / (1 + e) : 1 / (1 + e));
  }
}

// σ(v) from E = 2²⁴·e^(−|v|) (scale: 2²⁴), in one division: E/(2²⁴+E) in lanes with v < 0, 2²⁴/(2²⁴+E) in the others
// (a NaN lane: E is NaN, so is the quotient).
// @ts-ignore: decorator
@inline function sigmoidOf(v: v128, e: v128, scale: v128, zero: v128): v128 {
  return f32x4.div(v128.bitselect(e, scale, f32x4.lt(v, zero)), f32x4.add(scale, e));
}

// dσ/dx = σ(1−σ)
export function sigmoidBackward(dx: usize, dy: usize, y: usize, i0: i32, i1: i32): void {
  const one = f32x4.splat(1);
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const s = v128.load(y + <usize>i * 4);
    const g = f32x4.mul(v128.load(dy + <usize>i * 4), f32x4.mul(s, f32x4.sub(one, s)));
    v128.store(dx + <usize>i * 4, f32x4.add(v128.load(dx + <usize>i * 4), g));
  }
  for (; i < i1; i++) {
    const s = load<f32>(y + <usize>i * 4);
    store<f32>(dx + <usize>i * 4, load<f32>(dx + <usize>i * 4) + load<f32>(dy + <usize>i * 4) * (s * (1 - s))); // the vector loop's order
  }
}
