// Every WebAssembly kernel against its TypeScript reference on random shapes
// (fast-check). The wasm backend sums in a different order (SIMD lanes,
// blocked gemm) and uses a polynomial e^x, so results agree to float32
// rounding, not bit for bit. Arguments are passed both as ordinary arrays
// (copied in and out) and as buffers in WebAssembly memory (used in place).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { setBackend, type Backend, type Kernels } from "../../src/backend/index.js";
import { conv2dDims, conv2dColsLength } from "../../src/ops/conv2d.js";
import { pool2dDims } from "../../src/ops/window.js";
import { Generator } from "../../src/tensor/random.js";

const ts = setBackend("ts");
const wasm = setBackend("wasm");

function random(g: Generator, n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = g.normal();
  return a;
}

function close(actual: Float32Array, expected: Float32Array, what: string, tolerance = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  let num = 0, den = 0, worst = 0, scale = 0;
  for (let i = 0; i < actual.length; i++) {
    num += (actual[i]! - expected[i]!) ** 2;
    den += expected[i]! ** 2;
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  // Both the whole array and its worst element, measured against the array's scale: a sum that
  // cancels to almost nothing may differ in relative terms, but never by more than rounding of the terms.
  expect(Math.sqrt(num / Math.max(den, 1e-30)), `${what}: relative error`).toBeLessThan(tolerance);
  expect(worst / Math.max(scale, 1e-30), `${what}: worst element relative to the largest`).toBeLessThan(tolerance);
}

/** Runs `body` with kernel arguments as plain arrays, then again with copies placed in wasm memory. */
function bothPlacements(body: (k: Kernels, place: (a: Float32Array) => Float32Array, placeInt: (a: Int32Array) => Int32Array) => void): void {
  body(wasm, (a) => a, (a) => a);
  const held: (Float32Array | Int32Array)[] = [];
  const place = (a: Float32Array) => {
    const r = wasm.alloc(a.length);
    r.set(a);
    held.push(r);
    return r;
  };
  const placeInt = (a: Int32Array) => {
    const r = wasm.allocInt32(a.length);
    r.set(a);
    held.push(r);
    return r;
  };
  try {
    body(wasm, place, placeInt);
  } finally {
    for (const r of held) wasm.release(r);
  }
}

const small = (max: number) => fc.integer({ min: 1, max });
const runs = { numRuns: 25 };

describe("wasm kernels equal the TypeScript reference", () => {
  it("gemm, every transpose, with and without accumulate, in one block of k and in several", () => {
    // K past the kernel's block depth (KC = 256 in src/wasm/gemm.ts): several blocks add into one C, where one block stores it
    const depth = fc.oneof(small(40), fc.integer({ min: 250, max: 530 }));
    fc.assert(
      fc.property(small(40), small(40), depth, fc.boolean(), fc.boolean(), fc.boolean(), fc.integer(), (M, N, K, transA, transB, accumulate, seed) => {
        const g = new Generator(seed);
        const a = random(g, M * K), b = random(g, K * N), c0 = random(g, M * N);
        const d = { M, N, K, transA, transB, accumulate };
        const expected = c0.slice();
        ts.gemm(expected, a, b, d);
        bothPlacements((k, place) => {
          const c = place(c0.slice());
          k.gemm(c, place(a), place(b), d);
          close(c, expected, `gemm ${JSON.stringify(d)}`);
        });
      }),
      runs,
    );
  });

  const geometry = fc.record({
    N: small(3), C: small(3), K: small(4), H: small(9), W: small(9), kH: small(4), kW: small(4),
    sH: small(3), sW: small(3), pH: fc.integer({ min: 0, max: 2 }), pW: fc.integer({ min: 0, max: 2 }), dH: small(2), dW: small(2), seed: fc.integer(),
  }).filter((g) => g.H + 2 * g.pH >= g.dH * (g.kH - 1) + 1 && g.W + 2 * g.pW >= g.dW * (g.kW - 1) + 1);

  it("im2col, col2im, conv2d forward and backward (stride, padding, dilation)", () => {
    fc.assert(
      fc.property(geometry, fc.boolean(), (geo, bias) => {
        const g = new Generator(geo.seed);
        const d = conv2dDims([geo.N, geo.C, geo.H, geo.W], [geo.K, geo.C, geo.kH, geo.kW], bias ? [geo.K] : null, { stride: [geo.sH, geo.sW], padding: [geo.pH, geo.pW], dilation: [geo.dH, geo.dW] });
        const x = random(g, geo.N * geo.C * geo.H * geo.W), w = random(g, geo.K * geo.C * geo.kH * geo.kW), b = bias ? random(g, geo.K) : null;
        const dy = random(g, geo.N * geo.K * d.P * d.Q);
        const scratch = () => new Float32Array(conv2dColsLength(d));
        // references
        const cols = new Float32Array(geo.C * geo.kH * geo.kW * geo.N * d.P * d.Q);
        ts.im2col(cols, x, d);
        const pixels0 = random(g, x.length), pixels = pixels0.slice();
        ts.col2im(pixels, cols, d);
        const y = new Float32Array(dy.length);
        ts.conv2dForward(y, x, w, b, d, scratch());
        const dx0 = random(g, x.length), dw0 = random(g, w.length), db0 = random(g, geo.K);
        const dx = dx0.slice(), dw = dw0.slice(), db = db0.slice();
        ts.conv2dBackward(dx, dw, bias ? db : null, dy, x, w, d, scratch(), scratch());
        bothPlacements((k, place) => {
          const colsW = place(new Float32Array(cols.length));
          k.im2col(colsW, place(x), d);
          close(colsW, cols, "im2col", 1e-7);
          const pixelsW = place(pixels0.slice());
          k.col2im(pixelsW, place(cols), d);
          close(pixelsW, pixels, "col2im");
          const yW = place(new Float32Array(y.length));
          k.conv2dForward(yW, place(x), place(w), b ? place(b) : null, d, place(scratch()));
          close(yW, y, "conv2dForward");
          const dxW = place(dx0.slice()), dwW = place(dw0.slice()), dbW = place(db0.slice());
          k.conv2dBackward(dxW, dwW, bias ? dbW : null, place(dy), place(x), place(w), d, place(scratch()), place(scratch()));
          close(dxW, dx, "conv2dBackward dx");
          close(dwW, dw, "conv2dBackward dw");
          close(dbW, db, "conv2dBackward db");
        });
      }),
      runs,
    );
  });

  it("avgPool2d and maxPool2d, forward and backward", () => {
    const pools = fc.record({ N: small(3), C: small(3), H: small(10), W: small(10), kH: small(4), kW: small(4), sH: small(3), sW: small(3), seed: fc.integer() })
      .chain((p) => fc.record({ pH: fc.integer({ min: 0, max: Math.floor(p.kH / 2) }), pW: fc.integer({ min: 0, max: Math.floor(p.kW / 2) }) }).map((pad) => ({ ...p, ...pad })))
      .filter((p) => p.H + 2 * p.pH >= p.kH && p.W + 2 * p.pW >= p.kW);
    // LeNet's 2×2 / stride 2 window has its own SIMD path: always include it, with even and odd sizes.
    const pairs = fc.record({ N: small(2), C: small(3), H: fc.integer({ min: 2, max: 29 }), W: fc.integer({ min: 2, max: 29 }), seed: fc.integer() })
      .map((p) => ({ ...p, kH: 2, kW: 2, sH: 2, sW: 2, pH: 0, pW: 0 }));
    fc.assert(
      fc.property(fc.oneof(pools, pairs), fc.constantFrom("none", "ties", "nan"), (p, specials) => {
        const g = new Generator(p.seed);
        const d = pool2dDims("pool", [p.N, p.C, p.H, p.W], [p.kH, p.kW], { stride: [p.sH, p.sW], padding: [p.pH, p.pW] });
        const x = random(g, p.N * p.C * p.H * p.W);
        // maxPool2d's input may hold PyTorch's hard cases in every lane: ties (the first one wins, −0 against +0 too) and ±∞,
        // without a NaN (the SIMD path's fast case) or with NaNs (the last one wins)
        const tiesAndInfinities = (v: number): number => (v > 0.9 ? Infinity : v < -0.9 ? -Infinity : Math.round(v * 2));
        const xMax = specials === "none" ? x : x.map((v, i) => (specials === "nan" && (i * 7919) % 11 === 0 ? Number.NaN : tiesAndInfinities(v)));
        const dy = random(g, p.N * p.C * d.P * d.Q), dx0 = random(g, x.length);
        const avg = new Float32Array(dy.length), max = new Float32Array(dy.length), argmax = new Int32Array(dy.length);
        ts.avgPool2dForward(avg, x, d);
        ts.maxPool2dForward(max, argmax, xMax, d);
        const dAvg = dx0.slice(), dMax = dx0.slice();
        ts.avgPool2dBackward(dAvg, dy, d);
        ts.maxPool2dBackward(dMax, dy, argmax, d);
        bothPlacements((k, place, placeInt) => {
          const avgW = place(new Float32Array(dy.length)), maxW = place(new Float32Array(dy.length)), argmaxW = placeInt(new Int32Array(dy.length));
          k.avgPool2dForward(avgW, place(x), d);
          k.maxPool2dForward(maxW, argmaxW, place(xMax), d);
          close(avgW, avg, "avgPool2dForward");
          expect(Array.from(maxW)).toEqual(Array.from(max)); // max is exact
          expect(Array.from(argmaxW)).toEqual(Array.from(argmax));
          const dAvgW = place(dx0.slice()), dMaxW = place(dx0.slice());
          k.avgPool2dBackward(dAvgW, place(dy), d);
          k.maxPool2dBackward(dMaxW, place(dy), argmaxW, d);
          close(dAvgW, dAvg, "avgPool2dBackward");
          expect(Array.from(dMaxW)).toEqual(Array.from(dMax));
        });
      }),
      runs,
    );
  });

  it("sigmoid, relu and tanh, forward and backward, on lengths that are not multiples of the SIMD width", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.double({ min: 0.1, max: 200, noNaN: true }), fc.integer(), (n, scale, seed) => {
        const g = new Generator(seed);
        const x = random(g, n).map((v) => v * scale), dy = random(g, n), dx0 = random(g, n);
        for (const name of ["sigmoid", "relu", "tanh"] as const) {
          const y = new Float32Array(n), dx = dx0.slice();
          ts[`${name}Forward`](y, x);
          ts[`${name}Backward`](dx, dy, y);
          bothPlacements((k, place) => {
            const yW = place(new Float32Array(n)), dxW = place(dx0.slice());
            k[`${name}Forward`](yW, place(x));
            k[`${name}Backward`](dxW, place(dy), yW);
            close(yW, y, `${name}Forward`);
            close(dxW, dx, `${name}Backward`);
          });
        }
      }),
      runs,
    );
  });

  it("linear forward and backward", () => {
    fc.assert(
      fc.property(small(40), small(40), small(40), fc.boolean(), fc.integer(), (N, I, O, bias, seed) => {
        const g = new Generator(seed);
        const d = { N, I, O };
        const x = random(g, N * I), w = random(g, O * I), b = bias ? random(g, O) : null, dy = random(g, N * O);
        const dx0 = random(g, N * I), dw0 = random(g, O * I), db0 = random(g, O);
        const y = new Float32Array(N * O), dx = dx0.slice(), dw = dw0.slice(), db = db0.slice();
        ts.linearForward(y, x, w, b, d);
        ts.linearBackward(dx, dw, bias ? db : null, dy, x, w, d);
        bothPlacements((k, place) => {
          const yW = place(new Float32Array(N * O)), dxW = place(dx0.slice()), dwW = place(dw0.slice()), dbW = place(db0.slice());
          k.linearForward(yW, place(x), place(w), b ? place(b) : null, d);
          k.linearBackward(dxW, dwW, bias ? dbW : null, place(dy), place(x), place(w), d);
          close(yW, y, "linearForward");
          close(dxW, dx, "linearBackward dx");
          close(dwW, dw, "linearBackward dw");
          close(dbW, db, "linearBackward db");
        });
      }),
      runs,
    );
  });

  it("logSoftmax and softmax cross-entropy, forward and backward (classes last, or strided by inner)", () => {
    fc.assert(
      fc.property(small(20), small(12), fc.constantFrom(1, 1, 2, 3), fc.double({ min: 0.1, max: 1000, noNaN: true }), fc.integer(), (N0, J, inner, scale, seed) => {
        const g = new Generator(seed);
        const d = { N: N0, J, inner }, N = N0 * inner; // N·J·inner values, N0·inner labels
        const x = random(g, N * J).map((v) => v * scale), dy = random(g, N * J), dx0 = random(g, N * J);
        const labels = Int32Array.from({ length: N }, () => g.randint(J));
        const y = new Float32Array(N * J), dx = dx0.slice();
        ts.logSoftmaxForward(y, x, d);
        ts.logSoftmaxBackward(dx, dy, y, d);
        const loss = new Float32Array(1), logProbs = new Float32Array(N * J), dlogits = dx0.slice(), dloss = Float32Array.of(0.75);
        ts.softmaxCrossEntropyForward(loss, logProbs, x, labels, d);
        ts.softmaxCrossEntropyBackward(dlogits, dloss, logProbs, labels, d);
        bothPlacements((k, place, placeInt) => {
          const yW = place(new Float32Array(N * J)), dxW = place(dx0.slice());
          k.logSoftmaxForward(yW, place(x), d);
          k.logSoftmaxBackward(dxW, place(dy), yW, d);
          close(yW, y, "logSoftmaxForward");
          close(dxW, dx, "logSoftmaxBackward");
          const lossW = place(new Float32Array(1)), logProbsW = place(new Float32Array(N * J)), dlogitsW = place(dx0.slice());
          k.softmaxCrossEntropyForward(lossW, logProbsW, place(x), placeInt(labels), d);
          k.softmaxCrossEntropyBackward(dlogitsW, place(dloss), logProbsW, placeInt(labels), d);
          close(lossW, loss, "softmaxCrossEntropyForward");
          close(dlogitsW, dlogits, "softmaxCrossEntropyBackward");
        });
      }),
      runs,
    );
  });

  it("softmax, forward and backward (classes last, or strided by inner)", () => {
    fc.assert(
      fc.property(small(20), small(12), fc.constantFrom(1, 1, 2, 3), fc.double({ min: 0.1, max: 1000, noNaN: true }), fc.integer(), (N0, J, inner, scale, seed) => {
        const g = new Generator(seed);
        const d = { N: N0, J, inner }, N = N0 * inner; // N·J·inner values
        const x = random(g, N * J).map((v) => v * scale), dy = random(g, N * J), dx0 = random(g, N * J);
        const y = new Float32Array(N * J), dx = dx0.slice();
        ts.softmaxForward(y, x, d);
        ts.softmaxBackward(dx, dy, y, d);
        bothPlacements((k, place) => {
          const yW = place(new Float32Array(N * J)), dxW = place(dx0.slice());
          k.softmaxForward(yW, place(x), d);
          k.softmaxBackward(dxW, place(dy), yW, d);
          close(yW, y, "softmaxForward");
          close(dxW, dx, "softmaxBackward");
        });
      }),
      runs,
    );
  });

  it("batchNorm moments, forward and backward (batch or running statistics, with or without γ and β)", () => {
    fc.assert(
      fc.property(small(6), small(8), small(40), fc.boolean(), fc.boolean(), fc.double({ min: 0.01, max: 100, noNaN: true }), fc.integer(), (N, C, L, affine, batchStats, scale, seed) => {
        const g = new Generator(seed);
        const d = { N, C, L, eps: 1e-5 }, n = N * C * L; // x (N, C, L); L odd as often as even, off the two-lane width
        const x = random(g, n).map((v) => v * scale + 3), dy = random(g, n), dx0 = random(g, n);
        const weight = affine ? random(g, C) : null, bias = affine ? random(g, C) : null;
        const dw0 = random(g, C), db0 = random(g, C), mean = new Float32Array(C), variance = new Float32Array(C);
        ts.batchNormMoments(mean, variance, x, d);
        const y = new Float32Array(n), dx = dx0.slice(), dw = dw0.slice(), db = db0.slice();
        ts.batchNormForward(y, x, weight, bias, mean, variance, d);
        ts.batchNormBackward(dx, affine ? dw : null, affine ? db : null, dy, x, weight, mean, variance, d, batchStats);
        bothPlacements((k, place) => {
          const meanW = place(new Float32Array(C)), varianceW = place(new Float32Array(C));
          k.batchNormMoments(meanW, varianceW, place(x), d);
          close(meanW, mean, "batchNormMoments mean");
          close(varianceW, variance, "batchNormMoments variance");
          const yW = place(new Float32Array(n)), dxW = place(dx0.slice()), dwW = place(dw0.slice()), dbW = place(db0.slice());
          const w = weight && place(weight), b = bias && place(bias);
          k.batchNormForward(yW, place(x), w, b, mean, variance, d);
          k.batchNormBackward(dxW, affine ? dwW : null, affine ? dbW : null, place(dy), place(x), w, mean, variance, d, batchStats);
          close(yW, y, "batchNormForward");
          close(dxW, dx, "batchNormBackward dx");
          if (affine) close(dwW, dw, "batchNormBackward dweight");
          if (affine) close(dbW, db, "batchNormBackward dbias");
          if (!affine) expect([...dwW, ...dbW]).toEqual([...dw0, ...db0]); // null skips them: untouched
        });
      }),
      runs,
    );
  });
});

describe("the backend switch", () => {
  it("names its backends and rejects unknown ones", () => {
    expect(ts.name).toBe("ts");
    expect(wasm.name).toBe("wasm");
    expect(() => setBackend("gpu" as "ts")).toThrow(/backend must be "ts" or "wasm", got "gpu"/);
  });

  it("wasm buffers are resident: release refuses arrays it did not allocate", () => {
    const resident: Backend = wasm;
    const a = resident.alloc(10);
    expect(a.length).toBe(10);
    resident.release(a);
    expect(() => resident.release(new Float32Array(10))).toThrow(/not allocated by this backend/);
  });
});
