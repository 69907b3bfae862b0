// maxPool2d in WebAssembly: the loops of src/ops/maxpool2d.ts over the planes
// [d.start, d.end) of the N·C planes, so threads can split them, forward and backward
// (argmax holds positions within a plane, so each plane's scatter stays in its plane).
// Legend: H×W input, kH×kW window, P×Q output.

import { WindowDims } from "./window";

// The first tap of a window starting at `start` (negative in the padding) inside the input: firstTap in src/ops/maxpool2d.ts.
// @ts-ignore: decorator
@inline function firstTap(start: i32, dilation: i32): i32 {
  return start >= 0 ? start : start + ((-start + dilation - 1) / dilation) * dilation;
}

// LeNet-modern's window (2×2, stride 2, no padding or dilation, every window whole) four windows at a time:
// gather each window's four taps into four vectors (even and odd lanes of two rows), then apply PyTorch's rule
// (a larger value or a NaN takes over) tap by tap in row-major order with lane masks instead of branches.
function isPair(d: WindowDims): bool {
  return d.kH == 2 && d.kW == 2 && d.strideH == 2 && d.strideW == 2 && d.padH == 0 && d.padW == 0
    && d.dilationH == 1 && d.dilationW == 1 && 2 * d.P <= d.H && 2 * d.Q <= d.W;
}

// Takes (value, index) into (best, where) where PyTorch's rule says so: v > best or v is NaN.
// @ts-ignore: decorator
@inline function takeOver(best: v128, v: v128): v128 {
  return v128.or(f32x4.gt(v, best), f32x4.ne(v, v));
}

function maxPool2x2Forward(y: usize, argmax: usize, x: usize, d: WindowDims): void {
  const H = d.H, W = d.W, P = d.P, Q = d.Q;
  for (let plane = d.start; plane < d.end; plane++) {
    for (let p = 0; p < P; p++) {
      const xRow = x + <usize>((plane * H + 2 * p) * W) * 4; // x[plane, 2p, 0]
      const out = (plane * P + p) * Q;
      let q = 0;
      for (; q + 4 <= Q; q += 4) maxPool4Windows(y, argmax, xRow, 2 * p * W, out, q, W);
      // A ragged end (LeNet: Q = 14 and 5) takes the last four windows again, rewriting some outputs with
      // the same values, instead of a scalar tail that cost as much as the vector loop.
      if (q < Q && Q >= 4) maxPool4Windows(y, argmax, xRow, 2 * p * W, out, Q - 4, W);
      else if (q < Q) maxPoolWindowsScalar(y, argmax, xRow, 2 * p * W, out, q, Q, W);
    }
  }
}

// Windows q … q + 3 of output row `out`, whose taps start at xRow, position rowStart (h·W) in the plane.
// @ts-ignore: decorator
@inline function maxPool4Windows(y: usize, argmax: usize, xRow: usize, rowStart: i32, out: i32, q: i32, W: i32): void {
  const top = xRow + <usize>(2 * q) * 4, bottom = top + <usize>W * 4;
  const t0 = v128.load(top), t1 = v128.load(top, 16), b0 = v128.load(bottom), b1 = v128.load(bottom, 16);
  const topLeft = i32x4.add(i32x4.splat(rowStart + 2 * q), i32x4(0, 2, 4, 6)); // four neighbouring windows' top-left taps
  let best = v128.shuffle<f32>(t0, t1, 0, 2, 4, 6); // the first tap always takes over from −∞ (or is −∞ itself)
  let where = topLeft;
  let v = v128.shuffle<f32>(t0, t1, 1, 3, 5, 7);
  let take = takeOver(best, v);
  best = v128.bitselect(v, best, take);
  where = v128.bitselect(i32x4.add(topLeft, i32x4.splat(1)), where, take);
  v = v128.shuffle<f32>(b0, b1, 0, 2, 4, 6);
  take = takeOver(best, v);
  best = v128.bitselect(v, best, take);
  where = v128.bitselect(i32x4.add(topLeft, i32x4.splat(W)), where, take);
  v = v128.shuffle<f32>(b0, b1, 1, 3, 5, 7);
  take = takeOver(best, v);
  best = v128.bitselect(v, best, take);
  where = v128.bitselect(i32x4.add(topLeft, i32x4.splat(W + 1)), where, take);
  v128.store(y + <usize>(out + q) * 4, best);
  v128.store(argmax + <usize>(out + q) * 4, where);
}

// Windows [q, Q) one at a time, for a row of fewer than four windows.
function maxPoolWindowsScalar(y: usize, argmax: usize, xRow: usize, rowStart: i32, out: i32, q: i32, Q: i32, W: i32): void {
  for (; q < Q; q++) {
    let best: f32 = -Infinity, where = rowStart + 2 * q;
    for (let tap = 0; tap < 4; tap++) {
      const offset = 2 * q + (tap >> 1) * W + (tap & 1), index = rowStart + offset;
      const v = load<f32>(xRow + <usize>offset * 4);
      const wins = (v > best) | (v != v);
      best = select<f32>(v, best, wins);
      where = select<i32>(index, where, wins);
    }
    store<f32>(y + <usize>(out + q) * 4, best);
    store<i32>(argmax + <usize>(out + q) * 4, where);
  }
}

// Any window: the loops of src/ops/maxpool2d.ts.
export function maxPool2dForward(y: usize, argmax: usize, x: usize, d: WindowDims): void {
  if (isPair(d)) {
    maxPool2x2Forward(y, argmax, x, d);
    return;
  }
  const H = d.H, W = d.W, kH = d.kH, kW = d.kW, strideH = d.strideH, strideW = d.strideW, padH = d.padH, padW = d.padW;
  const dilationH = d.dilationH, dilationW = d.dilationW, P = d.P, Q = d.Q;
  for (let plane = d.start; plane < d.end; plane++) {
    const first = x + <usize>(plane * H * W) * 4; // x[plane, 0, 0]
    for (let p = 0; p < P; p++) {
      const top = p * strideH - padH, h0 = firstTap(top, dilationH), h1 = min(H, top + (kH - 1) * dilationH + 1);
      for (let q = 0; q < Q; q++) {
        const left = q * strideW - padW, w0 = firstTap(left, dilationW), w1 = min(W, left + (kW - 1) * dilationW + 1);
        let best: f32 = -Infinity;
        let where = h0 * W + w0;
        for (let h = h0; h < h1; h += dilationH) {
          for (let w = w0; w < w1; w += dilationW) {
            const index = h * W + w; // in the plane, as argmax keeps it
            const v = load<f32>(first + <usize>index * 4);
            const wins = (v > best) | (v != v); // larger, or NaN: PyTorch's rule, so the last NaN wins
            best = select<f32>(v, best, wins); // selects, not branches: random data would mispredict half the time
            where = select<i32>(index, where, wins);
          }
        }
        const out = (plane * P + p) * Q + q;
        store<f32>(y + <usize>out * 4, best);
        store<i32>(argmax + <usize>out * 4, where);
      }
    }
  }
}

// dx[plane, argmax[i]] += dy[i] for the outputs i of the planes [d.start, d.end).
export function maxPool2dBackward(dx: usize, dy: usize, argmax: usize, d: WindowDims): void {
  const planeIn = d.H * d.W, planeOut = d.P * d.Q;
  for (let plane = d.start; plane < d.end; plane++) {
    const dxPlane = dx + <usize>(plane * planeIn) * 4;
    for (let i = plane * planeOut; i < (plane + 1) * planeOut; i++) {
      const at = dxPlane + <usize>load<i32>(argmax + <usize>i * 4) * 4;
      store<f32>(at, load<f32>(at) + load<f32>(dy + <usize>i * 4));
    }
  }
}
