// Float64 reference implementations written straight from the math
// definitions. They share no code with src/ops (no kernels imported) and are
// deliberately naive: padding is materialised as an explicit larger array
// (zeros for conv/avg, −∞ for max) and every window is read by plain index
// arithmetic, so a bug in the kernels' clamped-range or im2col bookkeeping
// cannot be mirrored here.
//
// Layouts are row-major like torchlet's: x (N, C, H, W), conv weight
// (K, C, kH, kW), linear weight (O, I), logits (N, J).

/** [height, width] of a window geometry. */
export type Pair = readonly [number, number];

/** Output size of a window of size k, stride s, padding p over n: ⌊(n + 2p − k)/s⌋ + 1 (PyTorch, floor mode). */
export function outSize(n: number, k: number, s: number, p: number): number {
  return Math.floor((n + 2 * p - k) / s) + 1;
}

/** x (N, C, H, W) surrounded by `pad` rows/columns of `fill` (`after` below/right, default the same): (N, C, H + pH + aH, W + pW + aW). */
export function pad4d(x: ArrayLike<number>, shape: readonly number[], pad: Pair, fill: number, after: Pair = pad): { data: Float64Array; H: number; W: number } {
  const [N, C, H, W] = shape as [number, number, number, number];
  const Hp = H + pad[0] + after[0];
  const Wp = W + pad[1] + after[1];
  const data = new Float64Array(N * C * Hp * Wp).fill(fill);
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++)
      for (let h = 0; h < H; h++)
        for (let w = 0; w < W; w++) data[((n * C + c) * Hp + h + pad[0]) * Wp + w + pad[1]] = x[((n * C + c) * H + h) * W + w]!;
  return { data, H: Hp, W: Wp };
}

/** conv2dRef's further options, PyTorch's: tap spacing, channel groups, and padding below/right when it differs ("same"). */
export interface ConvRefOptions {
  dilation?: Pair;
  groups?: number;
  padAfter?: Pair;
}

/**
 * y[n,k,p,q] = b[k] + Σ_{c,u,v} w[k,c,u,v] · xpad[n, g·Cg + c, p·sH + u·dH, q·sW + v·dW]
 * (cross-correlation, as PyTorch's conv2d; g = k's group, Cg = C/groups). Returns y (N, K, P, Q).
 */
export function conv2dRef(
  x: ArrayLike<number>, xShape: readonly number[],
  w: ArrayLike<number>, wShape: readonly number[],
  b: ArrayLike<number> | null,
  stride: Pair, padding: Pair, more: ConvRefOptions = {},
): { data: Float64Array; shape: number[] } {
  const [N, C] = xShape as [number, number];
  const [K, Cg, kH, kW] = wShape as [number, number, number, number];
  const [dH, dW] = more.dilation ?? [1, 1];
  const groups = more.groups ?? 1;
  if (C !== Cg * groups || K % groups !== 0) throw new Error("conv2dRef: channel mismatch");
  const xp = pad4d(x, xShape, padding, 0, more.padAfter ?? padding);
  const P = Math.floor((xp.H - dH * (kH - 1) - 1) / stride[0]) + 1;
  const Q = Math.floor((xp.W - dW * (kW - 1) - 1) / stride[1]) + 1;
  const y = new Float64Array(N * K * P * Q);
  for (let n = 0; n < N; n++)
    for (let k = 0; k < K; k++)
      for (let p = 0; p < P; p++)
        for (let q = 0; q < Q; q++) {
          let s = b === null ? 0 : b[k]!;
          const group = Math.floor(k / (K / groups));
          for (let c = 0; c < Cg; c++)
            for (let u = 0; u < kH; u++)
              for (let v = 0; v < kW; v++)
                s += w[((k * Cg + c) * kH + u) * kW + v]! * xp.data[((n * C + group * Cg + c) * xp.H + p * stride[0] + u * dH) * xp.W + q * stride[1] + v * dW]!;
          y[((n * K + k) * P + p) * Q + q] = s;
        }
  return { data: y, shape: [N, K, P, Q] };
}

// One pooling window reducer over the explicitly padded input.
function pool2dRef(
  x: ArrayLike<number>, shape: readonly number[], kernel: Pair, stride: Pair, padding: Pair,
  fill: number, reduce: (window: number[]) => number,
): { data: Float64Array; shape: number[] } {
  const [N, C, H, W] = shape as [number, number, number, number];
  const xp = pad4d(x, shape, padding, fill);
  const P = outSize(H, kernel[0], stride[0], padding[0]);
  const Q = outSize(W, kernel[1], stride[1], padding[1]);
  const y = new Float64Array(N * C * P * Q);
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++)
      for (let p = 0; p < P; p++)
        for (let q = 0; q < Q; q++) {
          const window: number[] = [];
          for (let u = 0; u < kernel[0]; u++)
            for (let v = 0; v < kernel[1]; v++) window.push(xp.data[((n * C + c) * xp.H + p * stride[0] + u) * xp.W + q * stride[1] + v]!);
          y[((n * C + c) * P + p) * Q + q] = reduce(window);
        }
  return { data: y, shape: [N, C, P, Q] };
}

/** Average pooling with zero padding counted and divisor kH·kW (count_include_pad=True). */
export function avgPool2dRef(x: ArrayLike<number>, shape: readonly number[], kernel: Pair, stride: Pair, padding: Pair): { data: Float64Array; shape: number[] } {
  return pool2dRef(x, shape, kernel, stride, padding, 0, (win) => win.reduce((a, b) => a + b, 0) / (kernel[0] * kernel[1]));
}

/** Max pooling with −∞ padding (padding never wins). NaN inputs are not supported here. */
export function maxPool2dRef(x: ArrayLike<number>, shape: readonly number[], kernel: Pair, stride: Pair, padding: Pair): { data: Float64Array; shape: number[] } {
  return pool2dRef(x, shape, kernel, stride, padding, -Infinity, (win) => Math.max(...win));
}

/** σ(x) = 1 / (1 + e^−x). */
export function sigmoidRef(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** max(0, x). */
export function reluRef(x: number): number {
  return x > 0 ? x : 0;
}

/** tanh(x) = (e^x − e^−x) / (e^x + e^−x), written out rather than calling Math.tanh (fine for |x| ≲ 300). */
export function tanhRef(x: number): number {
  const a = Math.exp(x);
  const b = Math.exp(-x);
  return (a - b) / (a + b);
}

/** f applied to every element, in float64. */
export function map64(x: ArrayLike<number>, f: (v: number) => number): Float64Array {
  return Float64Array.from(x as ArrayLike<number>, f);
}

/** y (N, O) = x (N, I) · Wᵀ + b, W (O, I). */
export function linearRef(x: ArrayLike<number>, N: number, I: number, w: ArrayLike<number>, O: number, b: ArrayLike<number> | null): Float64Array {
  const y = new Float64Array(N * O);
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++) {
      let s = b === null ? 0 : b[o]!;
      for (let i = 0; i < I; i++) s += x[n * I + i]! * w[o * I + i]!;
      y[n * O + o] = s;
    }
  return y;
}

/**
 * C (M, N) = op(A) · op(B) where op(A) is A (M, K) or, with transA, Aᵀ of A stored (K, M);
 * likewise op(B) is B (K, N) or Bᵀ of B stored (N, K).
 */
export function matmulRef(a: ArrayLike<number>, b: ArrayLike<number>, M: number, K: number, N: number, transA = false, transB = false): Float64Array {
  const A = (i: number, k: number): number => (transA ? a[k * M + i]! : a[i * K + k]!);
  const B = (k: number, j: number): number => (transB ? b[j * K + k]! : b[k * N + j]!);
  const c = new Float64Array(M * N);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += A(i, k) * B(k, j);
      c[i * N + j] = s;
    }
  return c;
}

/** log softmax of each row: (x − m) − log Σ e^(x − m), m the row maximum. */
export function logSoftmaxRef(x: ArrayLike<number>, N: number, J: number): Float64Array {
  const y = new Float64Array(N * J);
  for (let n = 0; n < N; n++) {
    let m = -Infinity;
    for (let j = 0; j < J; j++) m = Math.max(m, x[n * J + j]!);
    let s = 0;
    for (let j = 0; j < J; j++) s += Math.exp(x[n * J + j]! - m);
    // (x − m) − log Σ, not x − (m + log Σ): for |m| ≳ 1e16 the latter loses log Σ entirely
    const logS = Math.log(s);
    for (let j = 0; j < J; j++) y[n * J + j] = x[n * J + j]! - m - logS;
  }
  return y;
}

/** softmax of each row: e^(log softmax). */
export function softmaxRef(x: ArrayLike<number>, N: number, J: number): Float64Array {
  return logSoftmaxRef(x, N, J).map(Math.exp);
}

/** Mean over the batch of −log softmax(logits)[n, label_n]. */
export function crossEntropyRef(logits: ArrayLike<number>, N: number, J: number, labels: ArrayLike<number>): number {
  const lp = logSoftmaxRef(logits, N, J);
  let s = 0;
  for (let n = 0; n < N; n++) s -= lp[n * J + labels[n]!]!;
  return s / N;
}

/**
 * im2col by its definition: cols[(c·kH + u)·kW + v, (n·P + p)·Q + q] = xpad[n, c, p·sH + u, q·sW + v].
 * Returns cols (C·kH·kW, N·P·Q).
 */
export function im2colRef(x: ArrayLike<number>, shape: readonly number[], kernel: Pair, stride: Pair, padding: Pair): Float64Array {
  const [N, C, H, W] = shape as [number, number, number, number];
  const xp = pad4d(x, shape, padding, 0);
  const P = outSize(H, kernel[0], stride[0], padding[0]);
  const Q = outSize(W, kernel[1], stride[1], padding[1]);
  const L = N * P * Q;
  const cols = new Float64Array(C * kernel[0] * kernel[1] * L);
  for (let c = 0; c < C; c++)
    for (let u = 0; u < kernel[0]; u++)
      for (let v = 0; v < kernel[1]; v++)
        for (let n = 0; n < N; n++)
          for (let p = 0; p < P; p++)
            for (let q = 0; q < Q; q++)
              cols[((c * kernel[0] + u) * kernel[1] + v) * L + (n * P + p) * Q + q] = xp.data[((n * C + c) * xp.H + p * stride[0] + u) * xp.W + q * stride[1] + v]!;
  return cols;
}

/**
 * F.pad of the last two dimensions of x (…, H, W) by [left, right, top, bottom], built as PyTorch's docs
 * describe each mode, by concatenating slices of a row (columns first, then whole rows): reflect mirrors
 * without repeating the edge, replicate repeats it, circular wraps around, constant fills `value`.
 */
export function padRef(x: ArrayLike<number>, shape: readonly number[], pads: readonly [number, number, number, number], mode: "constant" | "reflect" | "replicate" | "circular", value = 0): { data: Float64Array; shape: number[] } {
  const H = shape[shape.length - 2]!, W = shape[shape.length - 1]!;
  const planes = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  const [left, right, top, bottom] = pads;
  const extend = <T>(line: T[], before: number, after: number, fill: T): T[] => {
    const n = line.length;
    if (mode === "constant") return [...Array<T>(before).fill(fill), ...line, ...Array<T>(after).fill(fill)];
    if (mode === "replicate") return [...Array<T>(before).fill(line[0]!), ...line, ...Array<T>(after).fill(line[n - 1]!)];
    if (mode === "circular") return [...line.slice(n - before), ...line, ...line.slice(0, after)];
    return [...line.slice(1, before + 1).reverse(), ...line, ...line.slice(n - 1 - after, n - 1).reverse()];
  };
  const out: number[] = [];
  for (let m = 0; m < planes; m++) {
    const rows = Array.from({ length: H }, (_, h) => extend(Array.from({ length: W }, (_, w) => Number(x[(m * H + h) * W + w])), left, right, value));
    for (const row of extend(rows, top, bottom, Array<number>(left + W + right).fill(value))) out.push(...row);
  }
  return { data: Float64Array.from(out), shape: [...shape.slice(0, -2), top + H + bottom, left + W + right] };
}
