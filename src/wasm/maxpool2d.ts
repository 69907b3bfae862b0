// maxPool2d in WebAssembly: the loops of src/ops/maxpool2d.ts over the planes
// [d.start, d.end) of the N·C planes, so threads can split them.
// Legend: H×W input, kH×kW window, P×Q output.

import { WindowDims } from "./window";

export function maxPool2dForward(y: usize, argmax: usize, x: usize, d: WindowDims): void {
  const H = d.H, W = d.W, kH = d.kH, kW = d.kW, strideH = d.strideH, strideW = d.strideW, padH = d.padH, padW = d.padW, P = d.P, Q = d.Q;
  for (let plane = d.start; plane < d.end; plane++) {
    const first = plane * H * W; // flat index of x[plane, 0, 0]
    for (let p = 0; p < P; p++) {
      const h0 = max(0, p * strideH - padH), h1 = min(H, p * strideH - padH + kH);
      for (let q = 0; q < Q; q++) {
        const w0 = max(0, q * strideW - padW), w1 = min(W, q * strideW - padW + kW);
        let best: f32 = -Infinity;
        let where = first + h0 * W + w0;
        let found = false;
        for (let h = h0; h < h1 && !found; h++) {
          for (let w = w0; w < w1; w++) {
            const index = first + h * W + w;
            const v = load<f32>(x + <usize>index * 4);
            if (v > best) {
              best = v;
              where = index;
            } else if (isNaN(v)) {
              best = v; // a NaN wins and propagates, as in PyTorch
              where = index;
              found = true;
              break;
            }
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
