// Shared SIMD helpers for the WebAssembly kernels (AssemblyScript).
//
// mad(a, b, c) = a·b + c on four float32 lanes: the fused relaxed-SIMD
// instruction when the module is built with relaxed SIMD (Node 22+, current
// browsers), a multiply then an add otherwise. Both builds come from this one
// source; the loader picks whichever the runtime validates.

// @ts-ignore: decorator
@inline export function mad(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

// e^x on four lanes (Cephes expf): x = n·ln2 + r with |r| ≤ ln2/2, e^r as the degree-7
// polynomial 1 + r + r²·P(r) (P of degree 5), then 2^n built in the exponent bits. 2^n is
// applied as 2^(n/2) twice, so results that underflow into float32's
// subnormals (x < −87.3) round correctly instead of flushing: e^(−100) ≈ 3.7e-44.
// Relative error ≈ 1e-7 for normal results; x is clamped to [−104, 88.7],
// outside which e^x is 0 or ∞ in float32 anyway.
// @ts-ignore: decorator
@inline export function exp4(x: v128): v128 {
  x = f32x4.max(f32x4.min(x, f32x4.splat(88.7228391116729996)), f32x4.splat(-104.0));
  const n = f32x4.floor(f32x4.add(f32x4.mul(x, f32x4.splat(1.44269504088896341)), f32x4.splat(0.5)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.9875691500e-4);
  p = mad(p, r, f32x4.splat(1.3981999507e-3));
  p = mad(p, r, f32x4.splat(8.3334519073e-3));
  p = mad(p, r, f32x4.splat(4.1665795894e-2));
  p = mad(p, r, f32x4.splat(1.6666665459e-1));
  p = mad(p, r, f32x4.splat(5.0000001201e-1));
  p = mad(p, f32x4.mul(r, r), f32x4.add(r, f32x4.splat(1)));
  const ni = i32x4.trunc_sat_f32x4_s(n);
  const half = i32x4.shr_s(ni, 1); // ⌊n/2⌋, and n − ⌊n/2⌋: both keep 2^k a normal float for n ≥ −252
  const bias = i32x4.splat(127);
  const scale1 = i32x4.shl(i32x4.add(half, bias), 23);
  const scale2 = i32x4.shl(i32x4.add(i32x4.sub(ni, half), bias), 23);
  return f32x4.mul(f32x4.mul(p, scale1), scale2);
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
