// avgPool2d and maxPool2d in WebAssembly: the loops of src/ops/avgpool2d.ts
// and src/ops/maxpool2d.ts, over the planes [plane0, plane1) of the N·C planes
// so threads can split them. Legend: H×W input, kH×kW window, P×Q output.

export function avgPool2dForward(
  y: usize, x: usize, H: i32, W: i32, kH: i32, kW: i32,
  strideH: i32, strideW: i32, padH: i32, padW: i32, P: i32, Q: i32, plane0: i32, plane1: i32,
): void {
  const scale: f32 = 1 / <f32>(kH * kW); // count_include_pad: always the full window
  for (let plane = plane0; plane < plane1; plane++) {
    const xPlane = x + <usize>(plane * H * W) * 4;
    for (let p = 0; p < P; p++) {
      const h0 = max(0, p * strideH - padH), h1 = min(H, p * strideH - padH + kH);
      for (let q = 0; q < Q; q++) {
        const w0 = max(0, q * strideW - padW), w1 = min(W, q * strideW - padW + kW);
        let total: f32 = 0;
        for (let h = h0; h < h1; h++) {
          for (let w = w0; w < w1; w++) total += load<f32>(xPlane + <usize>(h * W + w) * 4);
        }
        store<f32>(y + <usize>((plane * P + p) * Q + q) * 4, total * scale);
      }
    }
  }
}

export function avgPool2dBackward(
  dx: usize, dy: usize, H: i32, W: i32, kH: i32, kW: i32,
  strideH: i32, strideW: i32, padH: i32, padW: i32, P: i32, Q: i32, plane0: i32, plane1: i32,
): void {
  const scale: f32 = 1 / <f32>(kH * kW);
  for (let plane = plane0; plane < plane1; plane++) {
    const dxPlane = dx + <usize>(plane * H * W) * 4;
    for (let p = 0; p < P; p++) {
      const h0 = max(0, p * strideH - padH), h1 = min(H, p * strideH - padH + kH);
      for (let q = 0; q < Q; q++) {
        const w0 = max(0, q * strideW - padW), w1 = min(W, q * strideW - padW + kW);
        const g = load<f32>(dy + <usize>((plane * P + p) * Q + q) * 4) * scale;
        for (let h = h0; h < h1; h++) {
          for (let w = w0; w < w1; w++) {
            const at = dxPlane + <usize>(h * W + w) * 4;
            store<f32>(at, load<f32>(at) + g);
          }
        }
      }
    }
  }
}

export function maxPool2dForward(
  y: usize, argmax: usize, x: usize, H: i32, W: i32, kH: i32, kW: i32,
  strideH: i32, strideW: i32, padH: i32, padW: i32, P: i32, Q: i32, plane0: i32, plane1: i32,
): void {
  for (let plane = plane0; plane < plane1; plane++) {
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

// dx[argmax[i]] += dy[i] for the outputs of planes [plane0, plane1) (their argmaxes stay inside those planes).
export function maxPool2dBackward(dx: usize, dy: usize, argmax: usize, P: i32, Q: i32, plane0: i32, plane1: i32): void {
  for (let i = plane0 * P * Q; i < plane1 * P * Q; i++) {
    const at = dx + <usize>load<i32>(argmax + <usize>i * 4) * 4;
    store<f32>(at, load<f32>(at) + load<f32>(dy + <usize>i * 4));
  }
}
