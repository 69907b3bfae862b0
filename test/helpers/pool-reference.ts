// Float64 references for the pooling options (ceilMode, countIncludePad,
// divisorOverride, dilation) and adaptive pooling, written independently of
// src/ops: the windows are enumerated one by one on an explicitly padded
// input, rather than computed from the output-size formula.

/** The options a reference pool takes, all per dimension. */
export interface PoolRefOptions {
  kernel: readonly [number, number];
  stride: readonly [number, number];
  padding: readonly [number, number];
  dilation?: readonly [number, number];
  ceilMode?: boolean;
  countIncludePad?: boolean;
  divisorOverride?: number;
}

/**
 * The start positions (in padded coordinates) of the windows along one axis. Floor mode: every window
 * that fits in the padded input. Ceil mode: also one more partial window, when the last whole one
 * stopped short of the end (starting less than a stride past the last start that fits), provided it
 * starts inside the input or its left padding.
 */
export function windowStarts(size: number, pad: number, span: number, stride: number, ceilMode: boolean): number[] {
  const padded = size + 2 * pad;
  const starts: number[] = [];
  for (let start = 0; start + span <= padded; start += stride) starts.push(start);
  if (ceilMode) {
    // one more window if it starts less than a stride past the last start that fits, and not in the right padding
    const next = starts.length === 0 ? 0 : starts.at(-1)! + stride;
    if (next < padded - span + stride && next < size + pad) starts.push(next);
  }
  return starts;
}

/** Pools x (N, C, H, W) with `reduce` over each window's taps: value (NaN-free padding: `fill`) and whether the tap is real or padding. */
function poolRef(x: ArrayLike<number>, shape: readonly number[], o: PoolRefOptions, reduce: (taps: { v: number; real: boolean; inPadded: boolean }[]) => number): { data: Float64Array; shape: number[] } {
  const [N, C, H, W] = shape as [number, number, number, number];
  const [dH, dW] = o.dilation ?? [1, 1];
  const rows = windowStarts(H, o.padding[0], dH * (o.kernel[0] - 1) + 1, o.stride[0], o.ceilMode ?? false);
  const cols = windowStarts(W, o.padding[1], dW * (o.kernel[1] - 1) + 1, o.stride[1], o.ceilMode ?? false);
  const out = new Float64Array(N * C * rows.length * cols.length);
  let i = 0;
  for (let plane = 0; plane < N * C; plane++) {
    for (const r of rows) {
      for (const c of cols) {
        const taps = [];
        for (let u = 0; u < o.kernel[0]; u++) {
          for (let v = 0; v < o.kernel[1]; v++) {
            const h = r + u * dH - o.padding[0], w = c + v * dW - o.padding[1]; // input coordinates
            const real = h >= 0 && h < H && w >= 0 && w < W;
            const inPadded = h < H + o.padding[0] && w < W + o.padding[1];
            taps.push({ v: real ? x[plane * H * W + h * W + w]! : NaN, real, inPadded });
          }
        }
        out[i++] = reduce(taps);
      }
    }
  }
  return { data: out, shape: [N, C, rows.length, cols.length] };
}

/** PyTorch's avg_pool2d: padding counts as zero; divisor = divisorOverride, or the taps inside the padded input (countIncludePad), or the real ones. */
export function avgPoolRef(x: ArrayLike<number>, shape: readonly number[], o: PoolRefOptions): { data: Float64Array; shape: number[] } {
  return poolRef(x, shape, o, (taps) => {
    const sum = taps.filter((t) => t.real).reduce((s, t) => s + t.v, 0);
    const divisor = o.divisorOverride ?? ((o.countIncludePad ?? true) ? taps.filter((t) => t.inPadded).length : taps.filter((t) => t.real).length);
    return sum / divisor;
  });
}

/** PyTorch's max_pool2d: padding never wins; any NaN among the real taps makes the window NaN. */
export function maxPoolRef(x: ArrayLike<number>, shape: readonly number[], o: PoolRefOptions): { data: Float64Array; shape: number[] } {
  return poolRef(x, shape, o, (taps) => {
    const real = taps.filter((t) => t.real).map((t) => t.v);
    return real.some(Number.isNaN) ? NaN : Math.max(...real);
  });
}

/** PyTorch's adaptive_avg_pool2d: window p covers rows ⌊p·H/P⌋ … ⌈(p+1)·H/P⌉ − 1, found by integer search. */
export function adaptiveAvgPoolRef(x: ArrayLike<number>, shape: readonly number[], P: number, Q: number): Float64Array {
  const [N, C, H, W] = shape as [number, number, number, number];
  // ⌊a/b⌋ and ⌈a/b⌉ by counting, so no floating-point division is trusted
  const floorDiv = (a: number, b: number) => { let k = 0; while ((k + 1) * b <= a) k++; return k; };
  const ceilDiv = (a: number, b: number) => { let k = 0; while (k * b < a) k++; return k; };
  const out = new Float64Array(N * C * P * Q);
  let i = 0;
  for (let plane = 0; plane < N * C; plane++) {
    for (let p = 0; p < P; p++) {
      for (let q = 0; q < Q; q++) {
        let sum = 0, n = 0;
        for (let h = floorDiv(p * H, P); h < ceilDiv((p + 1) * H, P); h++) {
          for (let w = floorDiv(q * W, Q); w < ceilDiv((q + 1) * W, Q); w++) { sum += x[plane * H * W + h * W + w]!; n++; }
        }
        out[i++] = sum / n;
      }
    }
  }
  return out;
}
