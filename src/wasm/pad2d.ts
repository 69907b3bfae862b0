// pad2d in WebAssembly: the loops of src/ops/pad2d.ts over the planes
// [d.start, d.end) of the M planes, so threads can split them.
// Legend: H×W input, top/bottom/left/right the rows and columns added, Ho×Wo output.
//
// Each output row is a left border, one input row copied whole (memory.copy;
// its backward a SIMD add), and a right border; a row of the constant mode's
// border is the fill value throughout. Only the borders go through `source`.

import { addInto } from "./simd";

// The modes by their index in PAD_MODES (src/ops/pad2d.ts): the wrapper writes that index into Pad2dDims.mode.
const CONSTANT = 0, REFLECT = 1, REPLICATE = 2;

// The fields of Pad2dDims in src/ops/pad2d.ts, mode as its index, then the thread's share of the planes.
// The constant mode's fill value, a float, is the kernel's last argument instead.
@unmanaged
export class Pad2dDims {
  M: i32;
  H: i32;
  W: i32;
  top: i32;
  bottom: i32;
  left: i32;
  right: i32;
  mode: i32;
  start: i32;
  end: i32;
}

// The input index output offset t reads in a dimension of `size`, or −1 for the fill value: source in src/ops/pad2d.ts.
// @ts-ignore: decorator
@inline function source(t: i32, size: i32, mode: i32): i32 {
  if (t >= 0 && t < size) return t;
  if (mode == CONSTANT) return -1;
  if (mode == REFLECT) return t < 0 ? -t : 2 * (size - 1) - t;
  if (mode == REPLICATE) return t < 0 ? 0 : size - 1;
  return ((t % size) + size) % size; // circular
}

// out[0 .. count) = value, four at a time.
function fillRow(out: usize, value: f32, count: i32): void {
  const v = f32x4.splat(value);
  let j = 0;
  for (; j + 4 <= count; j += 4) v128.store(out + <usize>j * 4, v);
  for (; j < count; j++) store<f32>(out + <usize>j * 4, value);
}

// out[j] for the border columns j in [from, to) of an output row whose input row is `row`.
function borderColumns(out: usize, row: usize, from: i32, to: i32, d: Pad2dDims, value: f32): void {
  for (let j = from; j < to; j++) {
    const w = source(j - d.left, d.W, d.mode);
    store<f32>(out + <usize>j * 4, w < 0 ? value : load<f32>(row + <usize>w * 4));
  }
}

// The adjoint of borderColumns: row[w] += g[j] for the border columns j in [from, to) that read an input.
function borderColumnsBackward(row: usize, g: usize, from: i32, to: i32, d: Pad2dDims): void {
  for (let j = from; j < to; j++) {
    const w = source(j - d.left, d.W, d.mode);
    if (w >= 0) store<f32>(row + <usize>w * 4, load<f32>(row + <usize>w * 4) + load<f32>(g + <usize>j * 4));
  }
}

// Twin of pad2dBackward below (the same row walk; the copy becomes an add), kept apart so each reads on one screen.
export function pad2dForward(y: usize, x: usize, d: Pad2dDims, value: f32): void {
  const H = d.H, W = d.W, top = d.top, left = d.left;
  const Ho = top + H + d.bottom, Wo = left + W + d.right;
  for (let m = d.start; m < d.end; m++) {
    for (let i = 0; i < Ho; i++) {
      const out = y + <usize>((m * Ho + i) * Wo) * 4; // y[m, i, 0]
      const h = source(i - top, H, d.mode);
      if (h < 0) {
        fillRow(out, value, Wo);
        continue;
      }
      const row = x + <usize>((m * H + h) * W) * 4; // x[m, h, 0]
      borderColumns(out, row, 0, left, d, value);
      memory.copy(out + <usize>left * 4, row, <usize>W * 4); // the input row itself
      borderColumns(out, row, left + W, Wo, d, value);
    }
  }
}

// dx[m, h, w] += dy[m, i, j] for every output (i, j) that copied (h, w), in the forward's order (left border,
// row, right border), so every sum rounds as the TypeScript kernel's does.
export function pad2dBackward(dx: usize, dy: usize, d: Pad2dDims): void {
  const H = d.H, W = d.W, top = d.top, left = d.left;
  const Ho = top + H + d.bottom, Wo = left + W + d.right;
  for (let m = d.start; m < d.end; m++) {
    for (let i = 0; i < Ho; i++) {
      const h = source(i - top, H, d.mode);
      if (h < 0) continue; // a row of fill values: no input to return to
      const g = dy + <usize>((m * Ho + i) * Wo) * 4; // dy[m, i, 0]
      const row = dx + <usize>((m * H + h) * W) * 4; // dx[m, h, 0]
      borderColumnsBackward(row, g, 0, left, d);
      addInto(row, g + <usize>left * 4, W); // the input row itself
      borderColumnsBackward(row, g, left + W, Wo, d);
    }
  }
}
