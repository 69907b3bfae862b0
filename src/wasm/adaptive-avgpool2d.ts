// adaptiveAvgPool2d in WebAssembly: the loops of src/ops/adaptive-avgpool2d.ts
// over the planes [d.start, d.end) of the N·C planes, so threads can split them.
// Legend: H×W input, P×Q output; window (p, q) covers rows ⌊p·H/P⌋ .. ⌈(p+1)·H/P⌉ − 1
// (columns likewise).
//
// Global pooling (P = Q = 1, small ResNets' last pool) is a mean per plane:
// four floats at a time, summed in float64 lanes so long planes lose no more
// than the TypeScript kernel's float64 sum; its backward adds dy/(H·W) to the
// whole plane four at a time. Other sizes run the reference's scalar loops.

// The fields of AdaptiveAvgPool2dDims in src/ops/adaptive-avgpool2d.ts, then the thread's share of the planes.
@unmanaged
export class AdaptiveAvgPool2dDims {
  N: i32;
  C: i32;
  H: i32;
  W: i32;
  P: i32;
  Q: i32;
  start: i32;
  end: i32;
}

// The sum of the n floats at `from`, in float64: two f64x2 accumulators over four floats at a time.
function planeSum(from: usize, n: i32): f64 {
  let low = f64x2.splat(0), high = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(from + <usize>i * 4);
    low = f64x2.add(low, f64x2.promote_low_f32x4(v));
    high = f64x2.add(high, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)));
  }
  let sum = f64x2.extract_lane(low, 0) + f64x2.extract_lane(low, 1) + f64x2.extract_lane(high, 0) + f64x2.extract_lane(high, 1);
  for (; i < n; i++) sum += <f64>load<f32>(from + <usize>i * 4);
  return sum;
}

// Twin of adaptiveAvgPool2dBackward below (the same window walk; the sum becomes a spread), kept apart so each
// reads on one screen. Window bounds in integers: ⌊a/b⌋ and ⌈a/b⌉ = ⌊(a + b − 1)/b⌋ for a ≥ 0, b > 0.
export function adaptiveAvgPool2dForward(y: usize, x: usize, d: AdaptiveAvgPool2dDims): void {
  const H = d.H, W = d.W, P = d.P, Q = d.Q;
  for (let plane = d.start; plane < d.end; plane++) {
    const xPlane = x + <usize>(plane * H * W) * 4;
    if (P == 1 && Q == 1) {
      store<f32>(y + <usize>plane * 4, <f32>(planeSum(xPlane, H * W) / <f64>(H * W)));
      continue;
    }
    for (let p = 0; p < P; p++) {
      const h0 = (p * H) / P, h1 = ((p + 1) * H + P - 1) / P;
      for (let q = 0; q < Q; q++) {
        const w0 = (q * W) / Q, w1 = ((q + 1) * W + Q - 1) / Q;
        let sum: f64 = 0; // float64, as the TypeScript kernel's
        for (let h = h0; h < h1; h++) {
          for (let w = w0; w < w1; w++) sum += <f64>load<f32>(xPlane + <usize>(h * W + w) * 4);
        }
        store<f32>(y + <usize>((plane * P + p) * Q + q) * 4, <f32>(sum / <f64>((h1 - h0) * (w1 - w0))));
      }
    }
  }
}

// dx[h, w] += dy[p, q] / (window size) for every window (p, q) that covers (h, w).
export function adaptiveAvgPool2dBackward(dx: usize, dy: usize, d: AdaptiveAvgPool2dDims): void {
  const H = d.H, W = d.W, P = d.P, Q = d.Q;
  for (let plane = d.start; plane < d.end; plane++) {
    const dxPlane = dx + <usize>(plane * H * W) * 4;
    if (P == 1 && Q == 1) {
      spread(dxPlane, <f32>(<f64>load<f32>(dy + <usize>plane * 4) / <f64>(H * W)), H * W);
      continue;
    }
    for (let p = 0; p < P; p++) {
      const h0 = (p * H) / P, h1 = ((p + 1) * H + P - 1) / P;
      for (let q = 0; q < Q; q++) {
        const w0 = (q * W) / Q, w1 = ((q + 1) * W + Q - 1) / Q;
        const g = <f32>(<f64>load<f32>(dy + <usize>((plane * P + p) * Q + q) * 4) / <f64>((h1 - h0) * (w1 - w0)));
        for (let h = h0; h < h1; h++) spread(dxPlane + <usize>(h * W + w0) * 4, g, w1 - w0);
      }
    }
  }
}

// to[0 .. n) += g, four at a time.
function spread(to: usize, g: f32, n: i32): void {
  const v = f32x4.splat(g);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = to + <usize>i * 4;
    v128.store(at, f32x4.add(v128.load(at), v));
  }
  for (; i < n; i++) {
    const at = to + <usize>i * 4;
    store<f32>(at, load<f32>(at) + g);
  }
}
