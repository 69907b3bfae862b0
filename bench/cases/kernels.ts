// Kernel cases at the shapes d2l's LeNet-5 really runs at (batch B = 256 by default):
//
//   conv1  x (B,1,28,28)  w (6,1,5,5)  pad 2  → (B,6,28,28)    R = 25,  P·Q = 784
//   pool1  (B,6,28,28) → (B,6,14,14)    (pooling: pools.ts)
//   conv2  x (B,6,14,14)  w (16,6,5,5) pad 0  → (B,16,10,10)   R = 150, P·Q = 100
//   pool2  (B,16,10,10) → (B,16,5,5)
//   fc1 400→120, fc2 120→84, fc3 84→10 over B rows
//
// The GEMM shapes are the ones conv2d.ts and linear.ts pass to gemm(). conv2d
// works one image at a time, so each conv GEMM is called B times per layer:
//   conv forward   y[n] (K,PQ)  = w (K,R) · cols (R,PQ)          NN  M=K N=PQ K=R
//   conv dW        dw (K,R)    += dy[n] (K,PQ) · colsᵀ           NT  M=K N=R  K=PQ
//   conv dcols     dcols (R,PQ) = wᵀ (R,K) · dy[n] (K,PQ)        TN  M=R N=PQ K=K
//   linear forward y (B,O)      = x (B,I) · Wᵀ                   NT  M=B N=O K=I
//   linear dx      dx (B,I)    += dy (B,O) · W (O,I)             NN  M=B N=I K=O
//   linear dW      dW (O,I)    += dyᵀ (O,B) · x (B,I)            TN  M=O N=I K=B
// The conv GEMMs are also timed at whole-batch size (L = B·P·Q columns in one
// call, as an im2col-the-whole-batch conv2d would do) to show what batching
// the GEMM would buy. In training conv1's input needs no gradient, so conv1
// never runs its dcols GEMM or col2im; those are timed for conv2 (col2im for
// both, the conv1 one marked).
//
// Every case allocates its buffers in setup(); run() only calls the kernel.

import { kernels } from "../../src/index.js";
import type { GemmDims, Conv2dDims } from "../../src/ops/kernels.js";
import type { BenchCase, CaseContext } from "../lib/runner.js";

// Geometry helpers and the reference gemm come from the TypeScript kernels; the
// kernels being timed come from the active backend (ctx.kernels).
const { gemmNaive, conv2dDims, conv2dColsLength } = kernels;

/** Deterministic values in [-1, 1): no zeros, no denormals, the same every run. */
export function randomFill(a: Float32Array, seed = 1): Float32Array {
  let s = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < a.length; i++) {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    a[i] = (s / 4294967296) * 2 - 1;
  }
  return a;
}

/** A backend buffer of deterministic values. */
export function filled(ctx: CaseContext, length: number, seed: number): Float32Array {
  return randomFill(ctx.alloc(length), seed);
}

/** Bytes per float32. */
export const FLOAT = 4;

interface GemmShape {
  /** Layer and pass, e.g. "conv1 fwd". */
  label: string;
  dims: GemmDims;
  /** Calls per run(): B for conv2d's per-image GEMMs, else 1. */
  calls: number;
  /** Which operand is a different slice on each call (the per-image one); the others are shared, as in conv2d. */
  vary: "a" | "b" | "c" | null;
  /** Cap on the naive kernel's iterations (it can take a second per call). */
  naiveMax?: number;
}

function gemmShapes(B: number): GemmShape[] {
  const nn = (M: number, N: number, K: number, accumulate = false): GemmDims => ({ M, N, K, transA: false, transB: false, accumulate });
  const nt = (M: number, N: number, K: number, accumulate = false): GemmDims => ({ M, N, K, transA: false, transB: true, accumulate });
  const tn = (M: number, N: number, K: number, accumulate = false): GemmDims => ({ M, N, K, transA: true, transB: false, accumulate });
  const conv = (name: string, K: number, R: number, PQ: number, withDcols: boolean): GemmShape[] => {
    const perImage: GemmShape[] = [
      { label: `${name} fwd per image ×${B}`, dims: nn(K, PQ, R), calls: B, vary: "c" },
      { label: `${name} dW per image ×${B}`, dims: nt(K, R, PQ, true), calls: B, vary: "a" },
    ];
    const batch: GemmShape[] = [
      { label: `${name} fwd whole batch`, dims: nn(K, B * PQ, R), calls: 1, vary: null },
      { label: `${name} dW whole batch`, dims: nt(K, R, B * PQ, true), calls: 1, vary: null },
    ];
    if (withDcols) {
      perImage.push({ label: `${name} dcols per image ×${B}`, dims: tn(R, PQ, K), calls: B, vary: "b" });
      batch.push({ label: `${name} dcols whole batch`, dims: tn(R, B * PQ, K), calls: 1, vary: null });
    }
    return [...perImage, ...batch];
  };
  const linear = (name: string, I: number, O: number): GemmShape[] => [
    { label: `${name} fwd`, dims: nt(B, O, I), calls: 1, vary: null },
    { label: `${name} dx`, dims: nn(B, I, O, true), calls: 1, vary: null },
    { label: `${name} dW`, dims: tn(O, I, B, true), calls: 1, vary: null },
  ];
  return [
    ...conv("conv1", 6, 25, 28 * 28, false),
    ...conv("conv2", 16, 150, 10 * 10, true),
    ...linear("fc1", 400, 120),
    ...linear("fc2", 120, 84),
    ...linear("fc3", 84, 10),
    { label: "square 128", dims: nn(128, 128, 128), calls: 1, vary: null },
    { label: "square 256", dims: nn(256, 256, 256), calls: 1, vary: null },
    { label: "square 512", dims: nn(512, 512, 512), calls: 1, vary: null, naiveMax: 3 },
  ];
}

function gemmLabel(s: GemmShape): string {
  const { M, N, K, transA, transB } = s.dims;
  return `${s.label} [${transA ? "T" : "N"}${transB ? "T" : "N"} M=${M} N=${N} K=${K}]`;
}

/** `count` views of `size` floats, consecutive in one buffer (or the same whole buffer when not varying). */
function operand(ctx: CaseContext, size: number, count: number, seed: number): Float32Array[] {
  const all = filled(ctx, size * count, seed);
  return Array.from({ length: count }, (_, i) => all.subarray(i * size, (i + 1) * size));
}

function gemmCases(B: number, naive: boolean): BenchCase[] {
  const out: BenchCase[] = [];
  for (const shape of gemmShapes(B)) {
    const { M, N, K } = shape.dims;
    const calls = shape.calls;
    for (const kernelName of naive ? (["gemm", "gemmNaive"] as const) : (["gemm"] as const)) {
      out.push({
        group: "gemm",
        name: `${kernelName} ${gemmLabel(shape)}`,
        flops: 2 * M * N * K * calls,
        ...(kernelName === "gemmNaive" ? { maxIterations: shape.naiveMax ?? 10, maxWarmup: 1 } : {}),
        setup: (ctx) => {
          // A and B are stored (M,K)/(K,M) and (K,N)/(N,K): the same element counts either way.
          const as = operand(ctx, M * K, shape.vary === "a" ? calls : 1, 1);
          const bs = operand(ctx, K * N, shape.vary === "b" ? calls : 1, 2);
          const cs = shape.vary === "c" ? operand(ctx, M * N, calls, 3) : [ctx.alloc(M * N)];
          const dims = { ...shape.dims };
          const kernel = kernelName === "gemm" ? (c: Float32Array, a: Float32Array, b: Float32Array, d: GemmDims) => ctx.kernels.gemm(c, a, b, d) : gemmNaive;
          const pick = (list: Float32Array[], i: number) => list[list.length === 1 ? 0 : i]!;
          return {
            run: () => {
              for (let i = 0; i < calls; i++) kernel(pick(cs, i), pick(as, i), pick(bs, i), dims);
            },
          };
        },
      });
    }
  }
  return out;
}

function conv1Dims(B: number): Conv2dDims {
  return conv2dDims([B, 1, 28, 28], [6, 1, 5, 5], [6], { padding: 2 });
}

function conv2Dims(B: number): Conv2dDims {
  return conv2dDims([B, 6, 14, 14], [16, 6, 5, 5], [16], {});
}

const sizes = (d: Conv2dDims) => {
  const R = d.C * d.kH * d.kW, PQ = d.P * d.Q;
  return { R, PQ, L: d.N * PQ, cols: conv2dColsLength(d), x: d.N * d.C * d.H * d.W, xImage: d.C * d.H * d.W, y: d.N * d.K * PQ, w: d.K * R };
};

function im2colCases(B: number): BenchCase[] {
  const out: BenchCase[] = [];
  for (const [layer, d] of [["conv1", conv1Dims(B)], ["conv2", conv2Dims(B)]] as const) {
    const s = sizes(d);
    const image: Conv2dDims = { ...d, N: 1 };
    const unused = layer === "conv1" ? { note: "not called in training (conv1 needs no dx)" } : {};
    // im2col writes every column entry (padding included) and reads x at least once;
    // col2im reads every column entry and read-modify-writes dx.
    const im2colBytes = FLOAT * (s.R * s.L + s.x), col2imBytes = FLOAT * (s.R * s.L + 2 * s.x);
    out.push(
      {
        group: "im2col",
        name: `im2col ${layer} per image ×${B}: x (1,${d.C},${d.H},${d.W}) → cols (${s.R},${s.PQ})`,
        bytes: im2colBytes,
        setup: (ctx) => {
          const x = operand(ctx, s.xImage, B, 3), cols = ctx.alloc(s.R * s.PQ);
          return { run: () => { for (let n = 0; n < B; n++) ctx.kernels.im2col(cols, x[n]!, image); } };
        },
      },
      {
        group: "im2col",
        name: `col2im ${layer} per image ×${B}: cols (${s.R},${s.PQ}) → dx (1,${d.C},${d.H},${d.W})`,
        bytes: col2imBytes,
        ...unused,
        setup: (ctx) => {
          const dcols = filled(ctx, s.R * s.PQ, 4), dx = operand(ctx, s.xImage, B, 5);
          return { run: () => { for (let n = 0; n < B; n++) ctx.kernels.col2im(dx[n]!, dcols, image); } };
        },
      },
      {
        group: "im2col",
        name: `im2col ${layer} whole batch: x (${B},${d.C},${d.H},${d.W}) → cols (${s.R},${s.L})`,
        bytes: im2colBytes,
        setup: (ctx) => {
          const x = filled(ctx, s.x, 3), cols = ctx.alloc(s.R * s.L);
          return { run: () => ctx.kernels.im2col(cols, x, d) };
        },
      },
      {
        group: "im2col",
        name: `col2im ${layer} whole batch: cols (${s.R},${s.L}) → dx (${B},${d.C},${d.H},${d.W})`,
        bytes: col2imBytes,
        ...unused,
        setup: (ctx) => {
          const dcols = filled(ctx, s.R * s.L, 4), dx = ctx.alloc(s.x);
          return { run: () => ctx.kernels.col2im(dx, dcols, d) };
        },
      },
    );
  }
  return out;
}

function conv2dCases(B: number): BenchCase[] {
  const out: BenchCase[] = [];
  for (const [layer, d, needsDx] of [["conv1", conv1Dims(B), false], ["conv2", conv2Dims(B), true]] as const) {
    const s = sizes(d);
    const shape = `(${d.N},${d.C},${d.H},${d.W})→(${d.N},${d.K},${d.P},${d.Q})`;
    out.push({
      group: "conv2d",
      name: `conv2dForward ${layer} ${shape}`,
      flops: 2 * d.K * s.R * s.L,
      setup: (ctx) => {
        const x = filled(ctx, s.x, 5), w = filled(ctx, s.w, 6), b = filled(ctx, d.K, 7);
        const y = ctx.alloc(s.y), cols = ctx.alloc(s.cols);
        return { run: () => ctx.kernels.conv2dForward(y, x, w, b, d, cols) };
      },
    });
    out.push({
      group: "conv2d",
      name: `conv2dBackward ${layer} ${shape}${needsDx ? "" : " (no dx)"}`,
      flops: (needsDx ? 4 : 2) * d.K * s.R * s.L,
      note: needsDx ? "dx, dW, db" : "dW, db only, as in training",
      setup: (ctx) => {
        const x = filled(ctx, s.x, 5), w = filled(ctx, s.w, 6), dy = filled(ctx, s.y, 8);
        const dw = ctx.alloc(s.w), db = ctx.alloc(d.K);
        const cols = ctx.alloc(s.cols), dcols = ctx.alloc(s.cols);
        const dx = needsDx ? ctx.alloc(s.x) : null;
        return { run: () => ctx.kernels.conv2dBackward(dx, dw, db, dy, x, w, d, cols, dcols) };
      },
    });
  }
  return out;
}

function activationCases(B: number): BenchCase[] {
  const out: BenchCase[] = [];
  const shapes: [string, number[]][] = [
    ["conv1 out", [B, 6, 28, 28]],
    ["conv2 out", [B, 16, 10, 10]],
    ["fc1 out", [B, 120]],
    ["fc2 out", [B, 84]],
  ];
  // sigmoid (d2l's LeNet) at every activation; tanh and ReLU (lenet-modern) at the largest, conv1's output.
  const activations = [["sigmoid", shapes], ["tanh", shapes.slice(0, 1)], ["relu", shapes.slice(0, 1)]] as const;
  for (const [op, at] of activations) {
    for (const [where, shape] of at) {
      const n = shape.reduce((a, b) => a * b, 1);
      const label = `${where} (${shape.join(",")})`;
      out.push(
        {
          group: "activation",
          name: `${op}Forward ${label}`,
          bytes: FLOAT * 2 * n,
          setup: (ctx) => {
            const x = preActivations(ctx, n), y = ctx.alloc(n);
            return { run: () => ctx.kernels[`${op}Forward`](y, x) };
          },
        },
        {
          group: "activation",
          name: `${op}Backward ${label}`,
          bytes: FLOAT * 4 * n, // dy, y in; dx read-modify-written
          setup: (ctx) => {
            const x = filled(ctx, n, 13), y = ctx.alloc(n), dy = filled(ctx, n, 14), dx = ctx.alloc(n);
            ctx.kernels[`${op}Forward`](y, x);
            return { run: () => ctx.kernels[`${op}Backward`](dx, dy, y) };
          },
        },
      );
    }
  }
  out.push(...cacheResidentCases());
  return out;
}

// sigmoid and tanh on slices that stay in L2 (as a Plan's chunks of 32 examples run them): their arithmetic alone,
// against the whole-batch rows above, which also pay for memory (docs/backends.md, "Where sigmoid and tanh stand").
function cacheResidentCases(): BenchCase[] {
  const slice = 1 << 16, slices = 16; // x and y 512 KB together, within one core's 2 MB L2
  return (["sigmoid", "tanh"] as const).map((op) => ({
    group: "activation",
    name: `${op}Forward ${slices} slices of ${slice} floats, cache-resident`,
    bytes: FLOAT * 2 * slice * slices,
    note: "the arithmetic without the memory traffic",
    setup: (ctx) => {
      const x = preActivations(ctx, slice), y = ctx.alloc(slice);
      return { run: () => { for (let r = 0; r < slices; r++) ctx.kernels[`${op}Forward`](y, x); } };
    },
  }));
}

// n inputs for an activation's forward in a realistic pre-activation range, both of sigmoid's and tanh's branches taken.
function preActivations(ctx: CaseContext, n: number): Float32Array {
  const x = filled(ctx, n, 13);
  for (let i = 0; i < n; i++) x[i] = x[i]! * 6;
  return x;
}

function lossCases(B: number): BenchCase[] {
  const d = { N: B, J: 10, inner: 1 };
  const labelsOf = (ctx: CaseContext) => {
    const labels = ctx.allocInt32(B);
    for (let i = 0; i < B; i++) labels[i] = (i * 7) % 10;
    return labels;
  };
  return [
    {
      group: "loss",
      name: `softmaxCrossEntropyForward (${B},10)`,
      setup: (ctx) => {
        const logits = filled(ctx, B * 10, 15), logProbs = ctx.alloc(B * 10), loss = ctx.alloc(1), labels = labelsOf(ctx);
        return { run: () => ctx.kernels.softmaxCrossEntropyForward(loss, logProbs, logits, labels, d) };
      },
    },
    {
      group: "loss",
      name: `softmaxCrossEntropyBackward (${B},10)`,
      setup: (ctx) => {
        const logits = filled(ctx, B * 10, 15), logProbs = ctx.alloc(B * 10), loss = ctx.alloc(1), labels = labelsOf(ctx);
        ctx.kernels.softmaxCrossEntropyForward(loss, logProbs, logits, labels, d);
        const dloss = ctx.alloc(1), dlogits = ctx.alloc(B * 10);
        dloss[0] = 1;
        return { run: () => ctx.kernels.softmaxCrossEntropyBackward(dlogits, dloss, logProbs, labels, d) };
      },
    },
  ];
}

/**
 * Every kernel case at batch B (LeNet's real shapes; GEMMs also at square 128/256/512).
 * The naive reference GEMM rows are only in the "ts" list: they do not depend on the backend.
 */
export function kernelCases(B = 256, backend = "ts"): BenchCase[] {
  return [...gemmCases(B, backend === "ts"), ...im2colCases(B), ...conv2dCases(B), ...activationCases(B), ...lossCases(B)];
}
