// Shared SIMD helpers for the WebAssembly kernels (AssemblyScript).
//
// mad(a, b, c) = a·b + c on four float32 lanes: the fused relaxed-SIMD
// instruction when the module is built with relaxed SIMD (Node 22+, current
// browsers), a multiply then an add otherwise. Both builds come from this one
// source; the loader picks whichever the runtime validates.

/** 1 when this module was built with relaxed SIMD (mad is one fused instruction), else 0: the backend reports it. */
export function relaxedSimdBuild(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 1 : 0;
}

// @ts-ignore: decorator
@inline export function mad(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

// Why the SIMD constants of a hot loop sit in a table in memory: measured, exp4's 13 constants loaded
// from a table made sigmoidForward 4.05 → 5.06 GB/s at LeNet's conv1 output (npm run bench -- --quick
// --filter sigmoidForward). Our reading, not checked in V8's machine code: Node 20's V8 rebuilds each
// v128.const at its use inside the loop (two 64-bit immediates into a register), a table is one load.
// table(t, i) is the i-th 16-byte entry of a table written four floats per entry.
// @ts-ignore: decorator
@inline export function table(t: usize, i: i32): v128 {
  return v128.load(t + <usize>i * 16);
}

// exp4's constants (see exp4 for what each is), four lanes each.
const EXP4: usize = memory.data<f32>([
  12582912, 12582912, 12582912, 12582912, // 0: 1.5·2²³, the rounding constant
  89.5, 89.5, 89.5, 89.5, // 1, 2: the clamp
  -104.0, -104.0, -104.0, -104.0,
  1.44269504088896341, 1.44269504088896341, 1.44269504088896341, 1.44269504088896341, // 3: log₂e
  -0.693359375, -0.693359375, -0.693359375, -0.693359375, // 4, 5: −ln2 in two parts
  2.12194440e-4, 2.12194440e-4, 2.12194440e-4, 2.12194440e-4,
  1.9875691500e-4, 1.9875691500e-4, 1.9875691500e-4, 1.9875691500e-4, // 6–11: P, highest degree first
  1.3981999507e-3, 1.3981999507e-3, 1.3981999507e-3, 1.3981999507e-3,
  8.3334519073e-3, 8.3334519073e-3, 8.3334519073e-3, 8.3334519073e-3,
  4.1665795894e-2, 4.1665795894e-2, 4.1665795894e-2, 4.1665795894e-2,
  1.6666665459e-1, 1.6666665459e-1, 1.6666665459e-1, 1.6666665459e-1,
  5.0000001201e-1, 5.0000001201e-1, 5.0000001201e-1, 5.0000001201e-1,
  1, 1, 1, 1, // 12
], 16);

// The float32 exponent bias, as i32 lanes; then the bias plus 24 (exp4Times2p24).
const EXP4_BIAS: usize = memory.data<i32>([127, 127, 127, 127, 151, 151, 151, 151], 16);

// e^x on four lanes (Cephes expf): x = n·ln2 + r with |r| ≤ ln2/2, e^r as the degree-7
// polynomial 1 + r + r²·P(r) (P of degree 5), then 2^n built in the exponent bits. 2^n is
// applied as 2^(n/2) twice, so results that underflow into float32's subnormals
// (x < −87.3) round correctly instead of flushing: e^(−100) ≈ 3.7e-44, and results past
// float32's largest (x > 88.72) overflow to +∞. x is clamped to [−104, 89.5], outside which
// e^x rounds to 0 or ∞ anyway (so −∞ → 0, +∞ → ∞); NaN stays NaN. Error against the exact
// e^x: at most 1.5 ulp of float32 over the whole range (1.21 measured), asserted by
// test/backend/exp4.test.ts and quoted in docs/backends.md.
// Cheap on x64: pmin/pmax are one instruction each (min/max spend several on NaN rules that
// the clamp does not need), and n is rounded by adding 1.5·2²³, whose low mantissa bits are
// then n itself, instead of floor and a float-to-int conversion.
// @ts-ignore: decorator
@inline export function exp4(x: v128): v128 {
  return exp4Clamped(f32x4.pmax(f32x4.pmin(x, table(EXP4, 1)), table(EXP4, 2)));
}

// 2²⁴·e^x for x ≤ 0, every result a normal float (x is clamped at −104, e^x's underflow to 0): sigmoid's
// e^(−|x|) and tanh's e^(−2|x|), scaled so that σ's division rounds its subnormals (x < −87.3) once. exp4 gets those right
// by applying 2^n in two halves; one scaling here is 5 vector instructions fewer: sigmoidForward on LeNet's
// C1 output, one thread, 1.24–1.27 → 1.05–1.08 ms (then 0.95–0.98 with the reduction's multiply-adds fused).
// @ts-ignore: decorator
@inline export function exp4Times2p24(x: v128): v128 {
  x = f32x4.pmax(x, table(EXP4, 2));
  const shifted = exp4Shifted(x);
  // 2^(n+24) in the bits: shifted's bits are magic's plus n, and magic's low nine bits are 0, so
  // (bits + 24 + 127) << 23 is (n + 151) << 23, the exponent field of 2^(n+24) (normal: n ≥ −150).
  const scale = i32x4.shl(i32x4.add(shifted, table(EXP4_BIAS, 1)), 23);
  return f32x4.mul(exp4Reduced(x, shifted), scale);
}

// exp4's body for x already in [−104, 89.5] (or NaN).
// @ts-ignore: decorator
@inline function exp4Clamped(x: v128): v128 {
  const shifted = exp4Shifted(x);
  const p = exp4Reduced(x, shifted);
  const ni = i32x4.sub(shifted, table(EXP4, 0)); // the integer n, from the bits
  const half = i32x4.shr_s(ni, 1); // ⌊n/2⌋, and n − ⌊n/2⌋: both keep 2^k a normal float for n ≥ −252
  const bias = table(EXP4_BIAS, 0);
  const scale1 = i32x4.shl(i32x4.add(half, bias), 23);
  const scale2 = i32x4.shl(i32x4.add(i32x4.sub(ni, half), bias), 23);
  return f32x4.mul(f32x4.mul(p, scale1), scale2);
}

// x·log₂e rounded to the integer n, plus 1.5·2²³: adding it rounds, and leaves n in the low mantissa bits.
// @ts-ignore: decorator
@inline function exp4Shifted(x: v128): v128 {
  return mad(x, table(EXP4, 3), table(EXP4, 0));
}

// e^r for r = x − n·ln2 (|r| ≤ ln2/2), n = shifted − magic: 1 + r + r²·P(r).
// @ts-ignore: decorator
@inline function exp4Reduced(x: v128, shifted: v128): v128 {
  const n = f32x4.sub(shifted, table(EXP4, 0));
  let r = mad(n, table(EXP4, 4), x); // ln2 in two parts: n·0.693359375 is exact
  r = mad(n, table(EXP4, 5), r);
  let p = table(EXP4, 6);
  p = mad(p, r, table(EXP4, 7));
  p = mad(p, r, table(EXP4, 8));
  p = mad(p, r, table(EXP4, 9));
  p = mad(p, r, table(EXP4, 10));
  p = mad(p, r, table(EXP4, 11));
  return mad(p, f32x4.mul(r, r), f32x4.add(r, table(EXP4, 12)));
}

// y[i] = e^x[i] for i < count through exp4 (a scalar tail through exp4 of a splat, so every
// element takes the same path): test/backend/exp4.test.ts checks exp4 against Math.exp with it.
export function exp4Into(y: usize, x: usize, count: i32): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) v128.store(y + <usize>i * 4, exp4(v128.load(x + <usize>i * 4)));
  for (; i < count; i++) store<f32>(y + <usize>i * 4, f32x4.extract_lane(exp4(f32x4.splat(load<f32>(x + <usize>i * 4))), 0));
}

// p[i] = 0 for i in [i0, i1): a thread's share of a buffer to clear.
export function zeroRange(p: usize, i0: i32, i1: i32): void {
  memory.fill(p + <usize>i0 * 4, 0, <usize>(i1 - i0) * 4);
}

// dst[i] += src[i] for i < count: sums a thread's partial gradient into the total.
export function addInto(dst: usize, src: usize, count: i32): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const at = dst + <usize>i * 4;
    v128.store(at, f32x4.add(v128.load(at), v128.load(src + <usize>i * 4)));
  }
  for (; i < count; i++) {
    const at = dst + <usize>i * 4;
    store<f32>(at, load<f32>(at) + load<f32>(src + <usize>i * 4));
  }
}
