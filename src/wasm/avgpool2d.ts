// avgPool2d in WebAssembly: the loops of src/ops/avgpool2d.ts over the planes
// [d.start, d.end) of the N·C planes, so threads can split them.
// Legend: H×W input, kH×kW window, P×Q output.

import { Pool2dDims } from "./window";

/** ActivationPool2dDims of src/ops/avgpool2d.ts: the pool's window, then its activation as an index in OUTPUT_ACTIVATIONS. */
@unmanaged
export class ActivationPool2dDims extends Pool2dDims {
  /** 0: sigmoid; 1: tanh. */
  activation: i32;
  /** 1: dx += the gradient; 0: dx = 0 + the gradient. */
  accumulate: i32;
}

// LeNet's window (2×2, stride 2, no padding, every window whole: no ceil-mode
// partial window, divisor 4) four outputs at a time: add the two input rows,
// then add neighbouring columns by gathering even and odd lanes.
function isPair(d: Pool2dDims): bool {
  return d.kH == 2 && d.kW == 2 && d.strideH == 2 && d.strideW == 2 && d.padH == 0 && d.padW == 0
    && 2 * d.P <= d.H && 2 * d.Q <= d.W && d.divisorOverride == 0;
}

// PyTorch's divisor of the window whose top-left corner is (top, left): windowExtent in src/ops/avgpool2d.ts, per axis.
// @ts-ignore: decorator
@inline function divisor(d: Pool2dDims, top: i32, left: i32): f32 {
  if (d.divisorOverride != 0) return <f32>d.divisorOverride;
  const padH = d.countIncludePad != 0 ? d.padH : 0, padW = d.countIncludePad != 0 ? d.padW : 0; // what counts as window
  return <f32>((min(d.H + padH, top + d.kH) - max(-padH, top)) * (min(d.W + padW, left + d.kW) - max(-padW, left)));
}

// Twin of avgPool2x2Backward (same walk; the sum becomes a spread), kept apart so each reads on one screen.
function avgPool2x2Forward(y: usize, x: usize, d: Pool2dDims): void {
  const H = d.H, W = d.W, P = d.P, Q = d.Q;
  const quarter = f32x4.splat(0.25);
  for (let plane = d.start; plane < d.end; plane++) {
    for (let p = 0; p < P; p++) {
      const top = x + <usize>((plane * H + 2 * p) * W) * 4, bottom = top + <usize>W * 4;
      const out = y + <usize>((plane * P + p) * Q) * 4;
      let q = 0;
      for (; q + 4 <= Q; q += 4) {
        const at = <usize>(2 * q) * 4;
        const lo = f32x4.add(v128.load(top + at), v128.load(bottom + at)); // columns 2q .. 2q+3
        const hi = f32x4.add(v128.load(top + at, 16), v128.load(bottom + at, 16)); // columns 2q+4 .. 2q+7
        const even = v128.shuffle<f32>(lo, hi, 0, 2, 4, 6), odd = v128.shuffle<f32>(lo, hi, 1, 3, 5, 7);
        v128.store(out + <usize>q * 4, f32x4.mul(f32x4.add(even, odd), quarter));
      }
      for (; q < Q; q++) {
        const at = <usize>(2 * q) * 4;
        store<f32>(out + <usize>q * 4, (load<f32>(top + at) + load<f32>(top + at + 4) + load<f32>(bottom + at) + load<f32>(bottom + at + 4)) * 0.25);
      }
    }
  }
}

// Twin of avgPool2x2Forward: each gradient/4 added back to the four pixels its window read.
function avgPool2x2Backward(dx: usize, dy: usize, d: Pool2dDims): void {
  const H = d.H, W = d.W, P = d.P, Q = d.Q;
  const quarter = f32x4.splat(0.25);
  for (let plane = d.start; plane < d.end; plane++) {
    for (let p = 0; p < P; p++) {
      const top = dx + <usize>((plane * H + 2 * p) * W) * 4, bottom = top + <usize>W * 4;
      const g = dy + <usize>((plane * P + p) * Q) * 4;
      let q = 0;
      for (; q + 4 <= Q; q += 4) {
        const v = f32x4.mul(v128.load(g + <usize>q * 4), quarter);
        const lo = v128.shuffle<f32>(v, v, 0, 0, 1, 1), hi = v128.shuffle<f32>(v, v, 2, 2, 3, 3); // each gradient to both columns
        const at = <usize>(2 * q) * 4;
        v128.store(top + at, f32x4.add(v128.load(top + at), lo));
        v128.store(top + at, f32x4.add(v128.load(top + at, 16), hi), 16);
        v128.store(bottom + at, f32x4.add(v128.load(bottom + at), lo));
        v128.store(bottom + at, f32x4.add(v128.load(bottom + at, 16), hi), 16);
      }
      for (; q < Q; q++) {
        const v = load<f32>(g + <usize>q * 4) * 0.25;
        const at = <usize>(2 * q) * 4;
        store<f32>(top + at, load<f32>(top + at) + v);
        store<f32>(top + at + 4, load<f32>(top + at + 4) + v);
        store<f32>(bottom + at, load<f32>(bottom + at) + v);
        store<f32>(bottom + at + 4, load<f32>(bottom + at + 4) + v);
      }
    }
  }
}

// Any window: the loops of src/ops/avgpool2d.ts. Twin of avgPool2dBackward below (the same window walk),
// kept apart so each reads on one screen.
export function avgPool2dForward(y: usize, x: usize, d: Pool2dDims): void {
  if (isPair(d)) {
    avgPool2x2Forward(y, x, d);
    return;
  }
  const H = d.H, W = d.W, kH = d.kH, kW = d.kW, strideH = d.strideH, strideW = d.strideW, padH = d.padH, padW = d.padW, P = d.P, Q = d.Q;
  for (let plane = d.start; plane < d.end; plane++) {
    const xPlane = x + <usize>(plane * H * W) * 4;
    for (let p = 0; p < P; p++) {
      const top = p * strideH - padH, h0 = max(0, top), h1 = min(H, top + kH);
      for (let q = 0; q < Q; q++) {
        const left = q * strideW - padW, w0 = max(0, left), w1 = min(W, left + kW);
        let total: f32 = 0;
        for (let h = h0; h < h1; h++) {
          for (let w = w0; w < w1; w++) total += load<f32>(xPlane + <usize>(h * W + w) * 4);
        }
        store<f32>(y + <usize>((plane * P + p) * Q + q) * 4, total / divisor(d, top, left));
      }
    }
  }
}

// Twin of avgPool2dForward above: its window walk, each gradient spread over the window instead of summed.
export function avgPool2dBackward(dx: usize, dy: usize, d: Pool2dDims): void {
  if (isPair(d)) {
    avgPool2x2Backward(dx, dy, d);
    return;
  }
  for (let plane = d.start; plane < d.end; plane++) spreadPlane(dx + <usize>(plane * d.H * d.W) * 4, dy + <usize>(plane * d.P * d.Q) * 4, d);
}

// One plane of avgPool2dBackward: each window's dy/D added to its pixels (dxPlane: (H, W); dyPlane: (P, Q)).
function spreadPlane(dxPlane: usize, dyPlane: usize, d: Pool2dDims): void {
  const H = d.H, W = d.W, kH = d.kH, kW = d.kW, strideH = d.strideH, strideW = d.strideW, padH = d.padH, padW = d.padW, P = d.P, Q = d.Q;
  for (let p = 0; p < P; p++) {
    const top = p * strideH - padH, h0 = max(0, top), h1 = min(H, top + kH);
    for (let q = 0; q < Q; q++) {
      const left = q * strideW - padW, w0 = max(0, left), w1 = min(W, left + kW);
      const g = load<f32>(dyPlane + <usize>(p * Q + q) * 4) / divisor(d, top, left);
      for (let h = h0; h < h1; h++) {
        for (let w = w0; w < w1; w++) {
          const at = dxPlane + <usize>(h * W + w) * 4;
          store<f32>(at, load<f32>(at) + g);
        }
      }
    }
  }
}

// dσ/dx = σ(1−σ) for sigmoid, d tanh/dx = 1 − tanh² for tanh, from the activation's output a: the factors
// sigmoidBackward and tanhBackward multiply dy by, in their order (no fused multiply-add, as there).
// @ts-ignore: decorator
@inline function derivative(tanh: bool, a: v128): v128 {
  const one = f32x4.splat(1);
  return tanh ? f32x4.sub(one, f32x4.mul(a, a)) : f32x4.mul(a, f32x4.sub(one, a));
}

// @ts-ignore: decorator
@inline function derivativeOf(tanh: bool, a: f32): f32 {
  return tanh ? 1 - a * a : a * (1 - a);
}

// dx[at … at+4) += g · a′(y[at … at+4)), at a byte offset into both; without accumulate, dx = 0 + g · a′
// (what adding into a zeroed dx gives: −0 turns +0), and dx is never read.
// @ts-ignore: decorator
@inline function addThrough(dx: usize, y: usize, at: usize, g: v128, tanh: bool, accumulate: bool): void {
  const base = accumulate ? v128.load(dx + at) : f32x4.splat(0);
  v128.store(dx + at, f32x4.add(base, f32x4.mul(g, derivative(tanh, v128.load(y + at)))));
}

// avgPool2dActivationBackward for LeNet's window when it tiles the plane (2P = H, 2Q = W): avgPool2x2Backward's
// walk, each dy/4 (plus 0, as added into a zeroed gradient) times the derivative at the four pixels it reaches.
// One inlined copy per activation, so the derivative is chosen once, not per vector (C1's at batch 256, one thread: 0.49 → 0.46 ms; C3's 0.20 → 0.18),
// and per accumulate flag, so the overwriting copy never reads dx.
function avgPool2x2ActivationBackward(dx: usize, dy: usize, y: usize, d: ActivationPool2dDims): void {
  const tanh = d.activation != 0;
  if (d.accumulate != 0) {
    if (tanh) pairThrough(dx, dy, y, d, true, true);
    else pairThrough(dx, dy, y, d, false, true);
  } else {
    if (tanh) pairThrough(dx, dy, y, d, true, false);
    else pairThrough(dx, dy, y, d, false, false);
  }
}

// @ts-ignore: decorator
@inline function pairThrough(dx: usize, dy: usize, y: usize, d: ActivationPool2dDims, tanh: bool, accumulate: bool): void {
  const H = d.H, W = d.W, P = d.P, Q = d.Q;
  const quarter = f32x4.splat(0.25), zero = f32x4.splat(0);
  for (let plane = d.start; plane < d.end; plane++) {
    for (let p = 0; p < P; p++) {
      const top = <usize>((plane * H + 2 * p) * W) * 4, bottom = top + <usize>W * 4; // byte offsets into dx and y
      const g = dy + <usize>((plane * P + p) * Q) * 4;
      let q = 0;
      for (; q + 4 <= Q; q += 4) {
        const v = f32x4.add(zero, f32x4.mul(v128.load(g + <usize>q * 4), quarter));
        const lo = v128.shuffle<f32>(v, v, 0, 0, 1, 1), hi = v128.shuffle<f32>(v, v, 2, 2, 3, 3); // each gradient to both columns
        const at = <usize>(2 * q) * 4;
        addThrough(dx, y, top + at, lo, tanh, accumulate);
        addThrough(dx, y, top + at + 16, hi, tanh, accumulate);
        addThrough(dx, y, bottom + at, lo, tanh, accumulate);
        addThrough(dx, y, bottom + at + 16, hi, tanh, accumulate);
      }
      for (; q < Q; q++) {
        const v: f32 = 0 + load<f32>(g + <usize>q * 4) * 0.25;
        for (let i = 0; i < 4; i++) {
          const at = (i < 2 ? top : bottom) + <usize>(2 * q + (i & 1)) * 4;
          store<f32>(dx + at, (accumulate ? load<f32>(dx + at) : 0) + v * derivativeOf(tanh, load<f32>(y + at)));
        }
      }
    }
  }
}

// dx += ∂L/∂x (or dx = 0 + ∂L/∂x: d.accumulate 0) for y = a(x) then avgPool2d (a = sigmoid or tanh), windows that do
// not overlap; a pixel gets 0 + dy/D of its one window (0 outside every window) times a′, bit for bit avgPool2dBackward
// into a zeroed gradient and then sigmoidBackward or tanhBackward. Without accumulate (a Plan's call) that is what it
// does, plane by plane in dx itself: clear the plane, avgPool2dBackward's spread into it, then a vector pass times a′.
// Adding, the walk of src/ops/avgpool2d.ts row by row, each window's columns and the gaps between them as runs. On a
// 3×3 window over LeNet's C1 output at batch 256, one thread: the two kernels 2.0 ms, plane by plane 1.5, run by
// run 2.4–2.7 (each window's divisor found once per row), pixel by pixel, each one's window found by division, 7.6.
export function avgPool2dActivationBackward(dx: usize, dy: usize, y: usize, d: ActivationPool2dDims): void {
  if (isPair(d) && 2 * d.P == d.H && 2 * d.Q == d.W) {
    avgPool2x2ActivationBackward(dx, dy, y, d);
    return;
  }
  const tanh = d.activation != 0, HW = d.H * d.W;
  if (d.accumulate == 0) {
    for (let plane = d.start; plane < d.end; plane++) {
      const at = <usize>(plane * HW) * 4;
      memory.fill(dx + at, 0, <usize>HW * 4);
      spreadPlane(dx + at, dy + <usize>(plane * d.P * d.Q) * 4, d);
      scaleThrough(dx + at, y + at, HW, tanh);
    }
    return;
  }
  const H = d.H, W = d.W, kH = d.kH, kW = d.kW, strideH = d.strideH, strideW = d.strideW, padH = d.padH, padW = d.padW, P = d.P, Q = d.Q;
  for (let plane = d.start; plane < d.end; plane++) {
    for (let h = 0; h < H; h++) {
      const row = <usize>((plane * H + h) * W) * 4; // byte offset of x[plane, h, 0] into dx and y
      const p = (h + padH) / strideH, top = p * strideH - padH; // the one window row that can hold h
      let w = 0; // pixels before w are done
      if (p < P && h < top + kH) {
        for (let q = 0; q < Q; q++) {
          const left = q * strideW - padW, w0 = max(0, left), w1 = min(W, left + kW);
          const g: f32 = 0 + load<f32>(dy + <usize>((plane * P + p) * Q + q) * 4) / divisor(d, top, left);
          runThrough(dx, y, row, w, w0, 0, tanh); // between windows: no pool gradient
          runThrough(dx, y, row, w0, w1, g, tanh);
          w = w1;
        }
      }
      runThrough(dx, y, row, w, W, 0, tanh); // past the last window, or a row in no window
    }
  }
}

// dx[w0 … w1) of the row at byte offset `row` += g·a′(y) there.
// @ts-ignore: decorator
@inline function runThrough(dx: usize, y: usize, row: usize, w0: i32, w1: i32, g: f32, tanh: bool): void {
  for (let w = w0; w < w1; w++) {
    const at = row + <usize>w * 4;
    store<f32>(dx + at, load<f32>(dx + at) + g * derivativeOf(tanh, load<f32>(y + at)));
  }
}

// dx[i] = 0 + dx[i]·a′(y[i]) for i < count: the pool's gradient there times the derivative, four lanes at a time.
function scaleThrough(dx: usize, y: usize, count: i32, tanh: bool): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const at = <usize>i * 4;
    v128.store(dx + at, f32x4.add(zero, f32x4.mul(v128.load(dx + at), derivative(tanh, v128.load(y + at)))));
  }
  for (; i < count; i++) {
    const at = <usize>i * 4;
    store<f32>(dx + at, 0 + load<f32>(dx + at) * derivativeOf(tanh, load<f32>(y + at)));
  }
}
