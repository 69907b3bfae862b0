// maxPool2d in WebAssembly: the loops of src/ops/maxpool2d.ts over the planes
// [d.start, d.end) of the N·C planes, so threads can split them.
// Legend: H×W input, kH×kW window, P×Q output.

import { WindowDims } from "./window";

// The first tap of a window starting at `start` (negative in the padding) inside the input: firstTap in src/ops/maxpool2d.ts.
// @ts-ignore: decorator
@inline function firstTap(start: i32, dilation: i32): i32 {
  return start >= 0 ? start : start + ((-start + dilation - 1) / dilation) * dilation;
}

export function maxPool2dForward(y: usize, argmax: usize, x: usize, d: WindowDims): void {
  const H = d.H, W = d.W, kH = d.kH, kW = d.kW, strideH = d.strideH, strideW = d.strideW, padH = d.padH, padW = d.padW;
  const dilationH = d.dilationH, dilationW = d.dilationW, P = d.P, Q = d.Q;
  for (let plane = d.start; plane < d.end; plane++) {
    const first = plane * H * W; // flat index of x[plane, 0, 0]
    for (let p = 0; p < P; p++) {
      const top = p * strideH - padH, h0 = firstTap(top, dilationH), h1 = min(H, top + (kH - 1) * dilationH + 1);
      for (let q = 0; q < Q; q++) {
        const left = q * strideW - padW, w0 = firstTap(left, dilationW), w1 = min(W, left + (kW - 1) * dilationW + 1);
        let best: f32 = -Infinity;
        let where = first + h0 * W + w0;
        for (let h = h0; h < h1; h += dilationH) {
          for (let w = w0; w < w1; w += dilationW) {
            const index = first + h * W + w;
            const v = load<f32>(x + <usize>index * 4);
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

// dx[argmax[i]] += dy[i] for the outputs i in [start, end).
export function maxPool2dBackward(dx: usize, dy: usize, argmax: usize, start: i32, end: i32): void {
  for (let i = start; i < end; i++) {
    const at = dx + <usize>load<i32>(argmax + <usize>i * 4) * 4;
    store<f32>(at, load<f32>(at) + load<f32>(dy + <usize>i * 4));
  }
}
