// Pooling kernel cases (batch B = 256 by default): LeNet's two pools, then a 3×3 window
// over C1's output, off the 2×2 SIMD paths, so the kernels' general loops are timed too:
//
//   pool1  (B,6,28,28) → (B,6,14,14)     pool2  (B,16,10,10) → (B,16,5,5)     3×3  (B,6,27,27) → (B,6,9,9)
//
// Each pool's forward and backward, and a Plan's fused backwards (an activation's folded into the pool after it)
// beside the unfused steps they replace. Every case allocates its buffers in setup(); run() only calls the kernel.

import { kernels } from "../../src/index.js";
import type { Pool2dDims } from "../../src/ops/kernels.js";
import type { BenchCase } from "../lib/runner.js";
import { FLOAT, filled } from "./kernels.js";

const { pool2dDims } = kernels;

/** avgPool2d and maxPool2d forward and backward, fused and unfused, at each window. */
export function poolCases(B: number): BenchCase[] {
  const out: BenchCase[] = [];
  // LeNet's two pools, then a 3×3 window over C1's output: off the 2×2 SIMD paths, the kernels' general loops
  for (const [layer, C, H, k] of [["pool1", 6, 28, 2], ["pool2", 16, 10, 2], ["3×3", 6, 27, 3]] as const) {
    const d: Pool2dDims = pool2dDims("bench", [B, C, H, H], k, { stride: k });
    const nIn = B * C * H * H, nOut = B * C * d.P * d.Q;
    const shape = `(${B},${C},${H},${H})→(${B},${C},${d.P},${d.Q})`;
    out.push(
      {
        group: "pool",
        name: `avgPool2dForward ${layer} ${shape}`,
        bytes: FLOAT * (nIn + nOut),
        setup: (ctx) => {
          const x = filled(ctx, nIn, 9), y = ctx.alloc(nOut);
          return { run: () => ctx.kernels.avgPool2dForward(y, x, d) };
        },
      },
      {
        group: "pool",
        name: `avgPool2dBackward ${layer} ${shape}`,
        bytes: FLOAT * (nOut + 2 * nIn),
        setup: (ctx) => {
          const dy = filled(ctx, nOut, 10), dx = ctx.alloc(nIn);
          return { run: () => ctx.kernels.avgPool2dBackward(dx, dy, d) };
        },
      },
      // A Plan's sigmoid + avgPool2d backward (d2l's LeNet), fused, then the three steps it replaces
      {
        group: "pool",
        name: `avgPool2dActivationBackward ${layer} ${shape}, sigmoid (a Plan's fused backward)`,
        bytes: FLOAT * (nOut + 2 * nIn), // dy and y in; dx written, never read (accumulate false, as a Plan runs it)
        setup: (ctx) => {
          const dy = filled(ctx, nOut, 10), y = filled(ctx, nIn, 13), dx = ctx.alloc(nIn);
          return { run: () => ctx.kernels.avgPool2dActivationBackward(dx, dy, y, { ...d, activation: "sigmoid", accumulate: false }) };
        },
      },
      {
        group: "pool",
        name: `avgPool2dBackward + sigmoidBackward ${layer} ${shape} (unfused: zero, pool, sigmoid)`,
        bytes: FLOAT * (nOut + 7 * nIn), // zero the gradient between; the pool reads dy and adds into it; sigmoid reads it and y, adds into dx
        setup: (ctx) => {
          const dy = filled(ctx, nOut, 10), y = filled(ctx, nIn, 13), between = ctx.alloc(nIn), dx = ctx.alloc(nIn);
          return {
            run: () => {
              between.fill(0);
              ctx.kernels.avgPool2dBackward(between, dy, d);
              ctx.kernels.sigmoidBackward(dx, between, y);
            },
          };
        },
      },
      {
        group: "pool",
        name: `maxPool2dForward ${layer} ${shape}`,
        bytes: FLOAT * (nIn + 2 * nOut), // x in; y and argmax out
        setup: (ctx) => {
          const x = filled(ctx, nIn, 11), y = ctx.alloc(nOut), argmax = ctx.allocInt32(nOut);
          return { run: () => ctx.kernels.maxPool2dForward(y, argmax, x, d) };
        },
      },
      {
        group: "pool",
        name: `maxPool2dBackward ${layer} ${shape}`,
        bytes: FLOAT * (2 * nOut + 2 * nOut), // dy and argmax in; dx read-modify-written where the maxima were
        setup: (ctx) => {
          const x = filled(ctx, nIn, 11), y = ctx.alloc(nOut), argmax = ctx.allocInt32(nOut);
          ctx.kernels.maxPool2dForward(y, argmax, x, d);
          const dy = filled(ctx, nOut, 12), dx = ctx.alloc(nIn);
          return { run: () => ctx.kernels.maxPool2dBackward(dx, dy, argmax, d) };
        },
      },
      // A Plan's relu + maxPool2d backward (lenet-modern), fused, then the three steps it replaces
      {
        group: "pool",
        name: `maxPool2dReluBackward ${layer} ${shape} (a Plan's fused backward)`,
        bytes: FLOAT * (2 * nOut + 2 * nIn), // dy, argmax and y in; dx written, never read (accumulate false, as a Plan runs it)
        setup: (ctx) => {
          const y = filled(ctx, nIn, 11), argmax = ctx.allocInt32(nOut);
          ctx.kernels.maxPool2dForward(ctx.alloc(nOut), argmax, y, d);
          const dy = filled(ctx, nOut, 12), dx = ctx.alloc(nIn);
          return { run: () => ctx.kernels.maxPool2dReluBackward(dx, dy, argmax, y, { ...d, accumulate: false }) };
        },
      },
      {
        group: "pool",
        name: `maxPool2dBackward + reluBackward ${layer} ${shape} (unfused: zero, pool, relu)`,
        bytes: FLOAT * (2 * nOut + 6 * nIn), // zero the gradient between; the pool scatters into it; relu reads it and y, adds into dx
        setup: (ctx) => {
          const y = filled(ctx, nIn, 11), argmax = ctx.allocInt32(nOut);
          ctx.kernels.maxPool2dForward(ctx.alloc(nOut), argmax, y, d);
          const dy = filled(ctx, nOut, 12), between = ctx.alloc(nIn), dx = ctx.alloc(nIn);
          return {
            run: () => {
              between.fill(0);
              ctx.kernels.maxPool2dBackward(between, dy, argmax, d);
              ctx.kernels.reluBackward(dx, between, y);
            },
          };
        },
      },
    );
  }
  return out;
}
