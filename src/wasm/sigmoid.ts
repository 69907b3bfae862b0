// sigmoid in WebAssembly over the element range [i0, i1) (a thread's share):
// the same math as src/ops/sigmoid.ts, four lanes at a time.

import { exp4Times2p24, table } from "./simd";

// 2²⁴ and −0 (the sign bit) on four lanes, loaded rather than built in the loop (why: table in src/wasm/simd.ts).
const SIGMOID: usize = memory.data<f32>([16777216, 16777216, 16777216, 16777216, -0.0, -0.0, -0.0, -0.0], 16);

// σ(x) without overflow: e = e^(−|x|) ∈ (0, 1]; σ = 1/(1+e) for x ≥ 0 and e/(1+e) for x < 0, as
// 2²⁴/(2²⁴+E) and E/(2²⁴+E) with E = 2²⁴·e: the same quotients (scaling by a power of two is exact), and E
// is a normal float where e would be subnormal, so the division rounds σ's subnormals (x < −87.3) once.
export function sigmoidForward(y: usize, x: usize, i0: i32, i1: i32): void {
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const v = v128.load(x + <usize>i * 4);
    const scale = table(SIGMOID, 0);
    const e = exp4Times2p24(v128.or(v, table(SIGMOID, 1))); // 2²⁴·e^(−|x|): the sign bit set
    // one division: E/(2²⁴+E) in lanes with x < 0, 2²⁴/(2²⁴+E) in the others (a NaN lane: E is NaN, so is the quotient)
    v128.store(y + <usize>i * 4, f32x4.div(v128.bitselect(e, scale, f32x4.lt(v, f32x4.splat(0))), f32x4.add(scale, e)));
  }
  for (; i < i1; i++) {
    const v = load<f32>(x + <usize>i * 4);
    const e = Mathf.exp(-Mathf.abs(v));
    store<f32>(y + <usize>i * 4, v < 0 ? e / (1 + e) : 1 / (1 + e));
  }
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
