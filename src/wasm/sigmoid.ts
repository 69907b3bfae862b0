// sigmoid in WebAssembly over the element range [i0, i1) (a thread's share):
// the same math as src/ops/sigmoid.ts, four lanes at a time.

import { exp4Nonpositive, table } from "./simd";

// 1 and −0 (the sign bit) on four lanes, loaded rather than built in the loop (why: table in src/wasm/simd.ts).
const SIGMOID: usize = memory.data<f32>([1, 1, 1, 1, -0.0, -0.0, -0.0, -0.0], 16);

// σ(x) without overflow: e = e^(−|x|) ∈ (0, 1]; σ = 1/(1+e) for x ≥ 0 and e/(1+e) for x < 0.
export function sigmoidForward(y: usize, x: usize, i0: i32, i1: i32): void {
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const v = v128.load(x + <usize>i * 4);
    const one = table(SIGMOID, 0);
    const e = exp4Nonpositive(v128.or(v, table(SIGMOID, 1))); // e^(−|x|): the sign bit set
    // one division: e/(1+e) in lanes with x < 0, 1/(1+e) in the others (a NaN lane: e is NaN, so is the quotient)
    v128.store(y + <usize>i * 4, f32x4.div(v128.bitselect(e, one, f32x4.lt(v, f32x4.splat(0))), f32x4.add(one, e)));
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
