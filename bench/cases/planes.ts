// Kernel cases for the plane kernels a small ResNet or a padded Conv2d runs
// (batch B = 256 by default), beside LeNet's in kernels.ts:
//
//   pad2d             (B,6,28,28) reflect and circular, 2 on every side → (B,6,32,32): Conv2d's paddingMode before conv1
//   maxUnpool2d       (B,6,14,14) → (B,6,28,28) at the positions maxPool2d(2) picked: pool1 undone
//   adaptiveAvgPool2d (B,64,7,7) → 1×1: a small ResNet's global pool; (B,16,10,10) → 3×3: windows that overlap
//
// Every case allocates its buffers in setup(); run() only calls the kernel.

import { kernels } from "../../src/index.js";
import type { AdaptiveAvgPool2dDims, Pad2dDims } from "../../src/ops/kernels.js";
import type { BenchCase, CaseContext } from "../lib/runner.js";
import { FLOAT, randomFill } from "./kernels.js";

const { pad2dDims, pool2dDims, adaptiveAvgPool2dDims } = kernels;
const shape = (dims: readonly number[]) => `(${dims.join(",")})`;

type Kernels = CaseContext["kernels"];

/** A kernel pair that reads x (nIn values) into y (nOut) and adds dy back into dx, each run on the active backend's kernels. */
interface KernelPair {
  group: string;
  names: readonly [forward: string, backward: string];
  /** The shapes, after the kernel's name. */
  label: string;
  nIn: number;
  nOut: number;
  seed: number;
  forward(k: Kernels, y: Float32Array, x: Float32Array): void;
  backward(k: Kernels, dx: Float32Array, dy: Float32Array): void;
}

/** The forward row and the backward row of a {@link KernelPair}. */
function pairCases(p: KernelPair): BenchCase[] {
  return [
    {
      group: p.group,
      name: `${p.names[0]} ${p.label}`,
      bytes: FLOAT * (p.nIn + p.nOut),
      setup: (ctx) => {
        const x = randomFill(ctx.alloc(p.nIn), p.seed), y = ctx.alloc(p.nOut);
        return { run: () => p.forward(ctx.kernels, y, x) };
      },
    },
    {
      group: p.group,
      name: `${p.names[1]} ${p.label}`,
      bytes: FLOAT * (p.nOut + 2 * p.nIn), // dy in; dx read-modify-written
      setup: (ctx) => {
        const dy = randomFill(ctx.alloc(p.nOut), p.seed + 1), dx = ctx.alloc(p.nIn);
        return { run: () => p.backward(ctx.kernels, dx, dy) };
      },
    },
  ];
}

function padCases(B: number): BenchCase[] {
  return (["reflect", "circular"] as const).flatMap((mode) => {
    const d: Pad2dDims = pad2dDims("bench", [B, 6, 28, 28], 2, mode);
    return pairCases({
      group: "pad", names: ["pad2dForward", "pad2dBackward"], label: `${mode} ${shape([B, 6, 28, 28])}→${shape([B, 6, 32, 32])}`,
      nIn: B * 6 * 28 * 28, nOut: B * 6 * 32 * 32, seed: 21,
      forward: (k, y, x) => k.pad2dForward(y, x, d), backward: (k, dx, dy) => k.pad2dBackward(dx, dy, d),
    });
  });
}

function unpoolCases(B: number): BenchCase[] {
  const pool = pool2dDims("bench", [B, 6, 28, 28], 2, {});
  const d = { planes: B * 6, inputs: 14 * 14, outputs: 28 * 28 };
  const nIn = d.planes * d.inputs, nOut = d.planes * d.outputs;
  const name = `${shape([B, 6, 14, 14])}→${shape([B, 6, 28, 28])}`;
  // The positions maxPool2d(2) picks, made plane-relative as maxPool2d's returnIndices does.
  const positions = (ctx: CaseContext) => {
    const x = randomFill(ctx.alloc(B * 6 * 28 * 28), 23), y = ctx.alloc(nIn), argmax = ctx.allocInt32(nIn);
    ctx.kernels.maxPool2dForward(y, argmax, x, pool);
    for (let i = 0; i < nIn; i++) argmax[i] = argmax[i]! - Math.floor(i / d.inputs) * d.outputs;
    return argmax;
  };
  return [
    {
      group: "pool",
      name: `maxUnpool2dForward ${name}`,
      bytes: FLOAT * (2 * nIn + nOut), // x and indices in; y zeroed and written
      setup: (ctx) => {
        const indices = positions(ctx), x = randomFill(ctx.alloc(nIn), 24), y = ctx.alloc(nOut);
        return { run: () => ctx.kernels.maxUnpool2dForward(y, x, indices, d) };
      },
    },
    {
      group: "pool",
      name: `maxUnpool2dBackward ${name}`,
      bytes: FLOAT * (2 * nIn + nIn + nIn), // indices and the dy they pick in; dx read-modify-written
      setup: (ctx) => {
        const indices = positions(ctx), dy = randomFill(ctx.alloc(nOut), 25), dx = ctx.alloc(nIn);
        return { run: () => ctx.kernels.maxUnpool2dBackward(dx, dy, indices, d) };
      },
    },
  ];
}

function adaptiveCases(B: number): BenchCase[] {
  const cases: [string, AdaptiveAvgPool2dDims][] = [
    ["global", adaptiveAvgPool2dDims("bench", [B, 64, 7, 7], 1)],
    ["3×3", adaptiveAvgPool2dDims("bench", [B, 16, 10, 10], 3)],
  ];
  return cases.flatMap(([label, d]) => pairCases({
    group: "pool", names: ["adaptiveAvgPool2dForward", "adaptiveAvgPool2dBackward"], label: `${label} ${shape([d.N, d.C, d.H, d.W])}→${shape([d.N, d.C, d.P, d.Q])}`,
    nIn: d.N * d.C * d.H * d.W, nOut: d.N * d.C * d.P * d.Q, seed: 26,
    forward: (k, y, x) => k.adaptiveAvgPool2dForward(y, x, d), backward: (k, dx, dy) => k.adaptiveAvgPool2dBackward(dx, dy, d),
  }));
}

/** The pad2d, maxUnpool2d and adaptiveAvgPool2d cases at batch B. */
export function planeCases(B = 256): BenchCase[] {
  return [...padCases(B), ...unpoolCases(B), ...adaptiveCases(B)];
}
