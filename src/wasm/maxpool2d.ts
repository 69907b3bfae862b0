// maxPool2d in WebAssembly: the loops of src/ops/maxpool2d.ts over the planes
// [d.start, d.end) of the N·C planes, so threads can split them, forward and backward
// (argmax holds positions within a plane, so each plane's scatter stays in its plane).
// Legend: H×W input, kH×kW window, P×Q output.

import { WindowDims, firstValid, endValid } from "./window";

// The first tap of a window starting at `start` (negative in the padding) inside the input: firstTap in src/ops/maxpool2d.ts.
// @ts-ignore: decorator
@inline function firstTap(start: i32, dilation: i32): i32 {
  return start >= 0 ? start : start + ((-start + dilation - 1) / dilation) * dilation;
}

// LeNet-modern's window (2×2, stride 2, no padding or dilation, every window whole), two windows of two output rows
// at a time: the 4 floats of each of four input rows hold both windows' taps, and two shuffles per tap row gather
// each window's four taps into four vectors; then PyTorch's rule tap by tap in row-major order, with lane masks
// instead of branches.
function isPair(d: WindowDims): bool {
  return d.kH == 2 && d.kW == 2 && d.strideH == 2 && d.strideW == 2 && d.padH == 0 && d.padW == 0
    && d.dilationH == 1 && d.dilationW == 1 && 2 * d.P <= d.H && 2 * d.Q <= d.W;
}

// Takes (value, index) into (best, where) where PyTorch's rule says so: v > best or v is NaN.
// @ts-ignore: decorator
@inline function takeOver(best: v128, v: v128): v128 {
  return v128.or(f32x4.gt(v, best), f32x4.ne(v, v));
}

// Output rows p, p + 1 in steps of windows q, q + 1. A ragged end (an odd P or Q: LeNet's pool2 has P = Q = 5) takes
// the last two rows or windows again, rewriting some outputs with the same values; the ragged step stays out of the
// loop (a min(q, Q − 2) inside it cost a quarter of the time). Two rows at a time rather than four windows of one
// row, whose ragged end made pool2's rows of 5 windows take 8 windows' work. npm run bench -- --quick --filter
// maxPool2dForward, one thread, three runs each: pool1 17.4–18.8 → 20.8–22.6 GB/s, pool2 11.3–12.1 → 15.8–16.5.
function maxPool2x2Forward(y: usize, argmax: usize, x: usize, d: WindowDims): void {
  const H = d.H, W = d.W, P = d.P, Q = d.Q;
  // each lane's tap codes (top-left, top-right, bottom-left, bottom-right: 0, 1, W, W + 1), and each lane's window
  // top-left position relative to the step's first (windows q, q + 1 of row p, then of row p + 1)
  const right = i32x4.splat(1), bottomLeft = i32x4.splat(W), bottomRight = i32x4.splat(W + 1), lanes = i32x4(0, 2, 2 * W, 2 * W + 2);
  for (let plane = d.start; plane < d.end; plane++) {
    if (P < 2 || Q < 2) {
      for (let p = 0; p < P; p++) maxPoolWindowsScalar(y, argmax, x + <usize>((plane * H + 2 * p) * W) * 4, 2 * p * W, (plane * P + p) * Q, 0, Q, W);
      continue;
    }
    for (let p0 = 0; p0 < P; p0 += 2) {
      const p = min(p0, P - 2), xRow = x + <usize>((plane * H + 2 * p) * W) * 4; // x[plane, 2p, 0]
      const out = y + <usize>((plane * P + p) * Q) * 4, argmaxOut = argmax + <usize>((plane * P + p) * Q) * 4;
      const base = i32x4.add(i32x4.splat(2 * p * W), lanes);
      let q = 0;
      for (; q + 2 <= Q; q += 2) maxPool2x2Windows(out, argmaxOut, xRow, base, q, W, Q, right, bottomLeft, bottomRight);
      if (q < Q) maxPool2x2Windows(out, argmaxOut, xRow, base, Q - 2, W, Q, right, bottomLeft, bottomRight);
    }
  }
}

// Windows q, q + 1 of output rows p and p + 1 (the rows' y and argmax at out and argmaxOut; their taps from x[2p, 2q],
// x[2p] at xRow; base + 2q: each lane's top-left tap position in the plane). Without a NaN among the 16 taps, PyTorch's rule is
// "v > best takes over", which pmax computes in one instruction (best < v ? v : best), and the argmax is the largest
// tap code among the taps that took over (the codes grow in row-major order), added to topLeft once. One sum of the
// taps tells: it is NaN when a tap is (or when +∞ meets −∞), and then the windows take the exact rule.
// @ts-ignore: decorator
@inline function maxPool2x2Windows(out: usize, argmaxOut: usize, xRow: usize, base: v128, q: i32, W: i32, Q: i32, right: v128, bottomLeft: v128, bottomRight: v128): void {
  const rowBytes = <usize>W * 4, top = xRow + <usize>(2 * q) * 4, topLeft = i32x4.add(base, i32x4.splat(2 * q));
  out += <usize>q * 4;
  argmaxOut += <usize>q * 4;
  const t0 = v128.load(top), t1 = v128.load(top + 2 * rowBytes), b0 = v128.load(top + rowBytes), b1 = v128.load(top + 3 * rowBytes);
  const sum = f32x4.add(f32x4.add(t0, t1), f32x4.add(b0, b1));
  if (v128.any_true(f32x4.ne(sum, sum))) {
    maxPool2x2WindowsWithNaN(out, argmaxOut, t0, t1, b0, b1, topLeft, W, Q);
    return;
  }
  let best = v128.shuffle<f32>(t0, t1, 0, 2, 4, 6);
  let v = v128.shuffle<f32>(t0, t1, 1, 3, 5, 7);
  let code = v128.and(right, f32x4.lt(best, v));
  best = f32x4.pmax(best, v);
  v = v128.shuffle<f32>(b0, b1, 0, 2, 4, 6);
  code = i32x4.max_s(code, v128.and(bottomLeft, f32x4.lt(best, v)));
  best = f32x4.pmax(best, v);
  v = v128.shuffle<f32>(b0, b1, 1, 3, 5, 7);
  code = i32x4.max_s(code, v128.and(bottomRight, f32x4.lt(best, v)));
  best = f32x4.pmax(best, v);
  storeTwoRows(out, argmaxOut, best, i32x4.add(topLeft, code), Q);
}

// maxPool2x2Windows' windows by the exact rule (a larger value or a NaN takes over), tap by tap in row-major order.
function maxPool2x2WindowsWithNaN(out: usize, argmaxOut: usize, t0: v128, t1: v128, b0: v128, b1: v128, topLeft: v128, W: i32, Q: i32): void {
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
  storeTwoRows(out, argmaxOut, best, where, Q);
}

// Lanes 0, 1 of best and where to row p's two outputs, lanes 2, 3 to row p + 1's (Q floats further).
// @ts-ignore: decorator
@inline function storeTwoRows(out: usize, argmaxOut: usize, best: v128, where: v128, Q: i32): void {
  const next = <usize>Q * 4;
  v128.store64_lane(out, best, 0);
  v128.store64_lane(out + next, best, 1);
  v128.store64_lane(argmaxOut, where, 0);
  v128.store64_lane(argmaxOut + next, where, 1);
}

// Windows [q, Q) of one output row one at a time, for planes of fewer than two output rows or columns.
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

// Any window: the rule of src/ops/maxpool2d.ts, each window's taps in row-major order, but a whole row of windows at
// a time, tap by tap: y's row holds each window's best so far and argmax's its position, so neighbouring windows'
// comparisons do not wait on each other, four windows a step (their taps gathered lane by lane when the stride is not 1).
// A 3×3 window, stride 3, over LeNet's C1 output at batch 256, one thread: 5.2 ms window by window, 1.7 this way
// (npm run bench -- --quick --filter maxPool2dForward; avgPool2dForward, whose sums do not compare and select, gained nothing).
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
      const top = p * strideH - padH, out = <usize>((plane * P + p) * Q) * 4; // into y and argmax
      const h0 = firstTap(top, dilationH);
      for (let q = 0; q < Q; q++) { // every window starts at −∞, at its first tap inside the input
        store<f32>(y + out + <usize>q * 4, -Infinity);
        store<i32>(argmax + out + <usize>q * 4, h0 * W + firstTap(q * strideW - padW, dilationW));
      }
      for (let u = 0; u < kH; u++) {
        const h = top + u * dilationH;
        if (h < 0 || h >= H) continue; // a row of taps in the padding
        for (let v = 0; v < kW; v++) {
          const q0 = firstValid(v * dilationW, padW, strideW, Q), q1 = max(q0, endValid(v * dilationW, padW, strideW, W, Q)); // the windows whose tap v is inside
          tapRow(y + out, argmax + out, first, h * W + v * dilationW - padW, strideW, q0, q1); // window q's tap at position base + q·strideW
        }
      }
    }
  }
}

// One tap of windows [q0, q1) of a row: window q's tap value at position base + q·stride of the plane (first: its
// start) takes over y[q] and argmax[q] when larger, or NaN (PyTorch's rule), four windows at a time.
// @ts-ignore: decorator
@inline function tapRow(yRow: usize, aRow: usize, first: usize, base: i32, stride: i32, q0: i32, q1: i32): void {
  let q = q0;
  const step = i32x4(0, stride, 2 * stride, 3 * stride);
  for (; q + 4 <= q1; q += 4) {
    const at = base + q * stride, src = first + <usize>at * 4;
    let v: v128;
    if (stride == 1) {
      v = v128.load(src);
    } else {
      v = f32x4.splat(load<f32>(src));
      v = f32x4.replace_lane(v, 1, load<f32>(src + <usize>stride * 4));
      v = f32x4.replace_lane(v, 2, load<f32>(src + <usize>(2 * stride) * 4));
      v = f32x4.replace_lane(v, 3, load<f32>(src + <usize>(3 * stride) * 4));
    }
    const yAt = yRow + <usize>q * 4, aAt = aRow + <usize>q * 4;
    const best = v128.load(yAt), take = takeOver(best, v);
    v128.store(yAt, v128.bitselect(v, best, take));
    v128.store(aAt, v128.bitselect(i32x4.add(i32x4.splat(at), step), v128.load(aAt), take));
  }
  for (; q < q1; q++) {
    const at = base + q * stride, v = load<f32>(first + <usize>at * 4);
    const yAt = yRow + <usize>q * 4, aAt = aRow + <usize>q * 4, best = load<f32>(yAt);
    const wins = (v > best) | (v != v); // larger, or NaN: PyTorch's rule, so the last NaN wins
    store<f32>(yAt, select<f32>(v, best, wins));
    store<i32>(aAt, select<i32>(at, load<i32>(aAt), wins));
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

/** ReluPool2dDims of src/ops/maxpool2d.ts: the window, then accumulate as 0/1. */
@unmanaged
export class ReluPool2dDims extends WindowDims {
  /** 1: dx += the gradient; 0: dx = 0 + the gradient. */
  accumulate: i32;
}

// dx += ∂L/∂x (or dx = 0 + ∂L/∂x: d.accumulate 0) for y = relu(x) then maxPool2d, windows that do not overlap: the two
// passes of src/ops/maxpool2d.ts over each plane (+ 0 everywhere, then each window's dy at its argmax where y is not
// ≤ 0), bit for bit maxPool2dBackward into a zeroed gradient and then reluBackward. LeNet-modern's pool1 (a 2×2 window
// tiling the plane, 14 windows a row) pixel by pixel in vectors instead: 0.73 → 0.52 ms at batch 256, one thread
// (npm run bench -- --quick --filter maxPool2dReluBackward), where its pool2 (5 windows a row) went 0.20 → 0.22.
export function maxPool2dReluBackward(dx: usize, dy: usize, argmax: usize, y: usize, d: ReluPool2dDims): void {
  if (isPair(d) && 2 * d.P == d.H && 2 * d.Q == d.W && d.Q >= 8) { // pool2's 5 windows a row: the two passes are faster
    if (d.accumulate != 0) pairsThroughRelu(dx, dy, argmax, y, d, true);
    else pairsThroughRelu(dx, dy, argmax, y, d, false);
    return;
  }
  const planeIn = d.H * d.W, planeOut = d.P * d.Q;
  for (let plane = d.start; plane < d.end; plane++) {
    const dxPlane = dx + <usize>(plane * planeIn) * 4, yPlane = y + <usize>(plane * planeIn) * 4;
    if (d.accumulate != 0) addZero(dxPlane, planeIn);
    else memory.fill(dxPlane, 0, <usize>planeIn * 4);
    for (let i = plane * planeOut; i < (plane + 1) * planeOut; i++) {
      const at = <usize>load<i32>(argmax + <usize>i * 4) * 4;
      const g: f32 = 0 + load<f32>(dy + <usize>i * 4);
      store<f32>(dxPlane + at, load<f32>(dxPlane + at) + select<f32>(g, 0, !(load<f32>(yPlane + at) <= 0)));
    }
  }
}

// p[i] += 0 for i < count: what reluBackward adds where no window's maximum is (a −0 turns +0).
function addZero(p: usize, count: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= count; i += 4) v128.store(p + <usize>i * 4, f32x4.add(v128.load(p + <usize>i * 4), zero));
  for (; i < count; i++) store<f32>(p + <usize>i * 4, load<f32>(p + <usize>i * 4) + 0);
}

// maxPool2dReluBackward for LeNet-modern's window when it tiles the plane (2P = H, 2Q = W), four windows (two rows of
// eight pixels) at a time: each pixel keeps its window's 0 + dy where its position equals the window's argmax, then
// relu's mask; no scatter, every pixel written. One inlined copy per accumulate flag.
// @ts-ignore: decorator
@inline function pairsThroughRelu(dx: usize, dy: usize, argmax: usize, y: usize, d: ReluPool2dDims, accumulate: bool): void {
  const H = d.H, W = d.W, P = d.P, Q = d.Q;
  for (let plane = d.start; plane < d.end; plane++) {
    for (let p = 0; p < P; p++) {
      const top = <usize>((plane * H + 2 * p) * W) * 4, bottom = top + <usize>W * 4; // byte offsets into dx and y
      const out = <usize>((plane * P + p) * Q) * 4; // into dy and argmax
      let q = 0;
      for (; q + 4 <= Q; q += 4) fourWindowsThroughRelu(dx, dy, argmax, y, top, bottom, out, 2 * p * W, q, W, accumulate);
      // A ragged end (Q = 14 and 5): without accumulate, the last four windows again (rewriting some pixels with the
      // same values) instead of one at a time; adding, each pixel must be written once.
      if (!accumulate && q < Q && Q >= 4) {
        fourWindowsThroughRelu(dx, dy, argmax, y, top, bottom, out, 2 * p * W, Q - 4, W, accumulate);
        q = Q;
      }
      for (; q < Q; q++) {
        const g: f32 = 0 + load<f32>(dy + out + <usize>q * 4), a = load<i32>(argmax + out + <usize>q * 4);
        for (let tap = 0; tap < 4; tap++) {
          const h = 2 * p + (tap >> 1), w = 2 * q + (tap & 1), at = <usize>((plane * H + h) * W + w) * 4;
          const hit = (a == h * W + w) & !(load<f32>(y + at) <= 0); // no branch: which pixel is the maximum is data
          store<f32>(dx + at, (accumulate ? load<f32>(dx + at) : 0) + select<f32>(g, 0, hit));
        }
      }
    }
  }
}

// Windows q … q + 3 of output row p (out: its byte offset into dy and argmax; top, bottom: its two input rows' into
// dx and y; rowStart = 2p·W, the top row's position in the plane).
// @ts-ignore: decorator
@inline function fourWindowsThroughRelu(dx: usize, dy: usize, argmax: usize, y: usize, top: usize, bottom: usize, out: usize, rowStart: i32, q: i32, W: i32, accumulate: bool): void {
  const g = f32x4.add(f32x4.splat(0), v128.load(dy + out + <usize>q * 4)), a = v128.load(argmax + out + <usize>q * 4);
  const left = i32x4.add(i32x4.splat(rowStart + 2 * q), i32x4(0, 1, 2, 3)); // the positions of the top row's first four pixels
  const gLo = v128.shuffle<f32>(g, g, 0, 0, 1, 1), gHi = v128.shuffle<f32>(g, g, 2, 2, 3, 3); // each window's to its two columns
  const aLo = v128.shuffle<i32>(a, a, 0, 0, 1, 1), aHi = v128.shuffle<i32>(a, a, 2, 2, 3, 3);
  const right = i32x4.add(left, i32x4.splat(4)), below = i32x4.splat(W), at = <usize>(2 * q) * 4;
  reluThrough(dx, y, top + at, v128.and(gLo, i32x4.eq(aLo, left)), accumulate);
  reluThrough(dx, y, top + at + 16, v128.and(gHi, i32x4.eq(aHi, right)), accumulate);
  reluThrough(dx, y, bottom + at, v128.and(gLo, i32x4.eq(aLo, i32x4.add(left, below))), accumulate);
  reluThrough(dx, y, bottom + at + 16, v128.and(gHi, i32x4.eq(aHi, i32x4.add(right, below))), accumulate);
}

// dx[at … at+4) += g where y[at … at+4) is not ≤ 0, + 0 elsewhere (reluBackward's vector step); without accumulate
// dx = 0 + that, and dx is never read. at: a byte offset into both.
// @ts-ignore: decorator
@inline function reluThrough(dx: usize, y: usize, at: usize, g: v128, accumulate: bool): void {
  const base = accumulate ? v128.load(dx + at) : f32x4.splat(0);
  v128.store(dx + at, f32x4.add(base, v128.andnot(g, f32x4.le(v128.load(y + at), f32x4.splat(0))))); // g where not y ≤ 0
}
