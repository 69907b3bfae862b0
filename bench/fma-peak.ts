// The most WebAssembly SIMD can multiply-add on this core, one thread: a loop of ten independent chains of
// relaxed SIMD's fused multiply-add on four lanes (enough chains to hide the instruction's latency). gemm 256³,
// the compute peak `npm run bench` measures kernels against, is the engine's best; this is the machine's ceiling
// for 4-lane vectors above it (the README's Speed section). Plain SIMD has no fused multiply-add, and a chain of
// a multiply then an add is latency-bound here, so it is not measured.
//   npm run bench:peak [-- --iterations N]

import { parseArgs } from "node:util";
import { setFlagsFromString } from "node:v8";
import asc from "assemblyscript/asc";
import { enableRelaxedSimd } from "../src/node.js";

// Ten chains a[i] = a[i]·k + m: ten multiply-adds per iteration, no memory, everything in registers.
const madd = (a: string): string => `f32x4.relaxed_madd(${a}, k, m)`;
const SOURCE = `
export function peak(n: i32, seed: f32): f32 {
  const m = f32x4.splat(seed), k = f32x4.splat(0.999);
  let a0 = f32x4.splat(1), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0;
  for (let i = 0; i < n; i++) {
    a0 = ${madd("a0")}; a1 = ${madd("a1")}; a2 = ${madd("a2")}; a3 = ${madd("a3")}; a4 = ${madd("a4")};
    a5 = ${madd("a5")}; a6 = ${madd("a6")}; a7 = ${madd("a7")}; a8 = ${madd("a8")}; a9 = ${madd("a9")};
  }
  const s = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)), f32x4.add(a8, a9)));
  return f32x4.extract_lane(s, 0);
}`;
const CHAINS = 10, LANES = 4;

async function compile(): Promise<(n: number, seed: number) => number> {
  let wasm: Uint8Array | undefined;
  const { error, stderr } = await asc.main(["peak.ts", "-O3", "--runtime", "stub", "--enable", "simd", "--enable", "relaxed-simd", "--outFile", "peak.wasm"], {
    readFile: (name: string) => (name === "peak.ts" ? SOURCE : null),
    writeFile: (name: string, contents: string | Uint8Array) => {
      if (name.endsWith(".wasm") && typeof contents !== "string") wasm = contents;
    },
  });
  if (error || wasm === undefined) throw new Error(`bench:peak: asc failed: ${stderr.toString()}`);
  setFlagsFromString("--no-liftoff"); // TurboFan from the first call, as the kernels run once warm
  const instance = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(wasm)), { env: { abort() {} } });
  return instance.exports.peak as (n: number, seed: number) => number;
}

/** GFLOP/s of `peak`: the median of 7 timed calls of `iterations` loop trips (2 flops per lane per multiply-add). */
export function measure(peak: (n: number, seed: number) => number, iterations: number): number {
  peak(iterations, 0.5); // one untimed call
  const ms: number[] = [];
  for (let r = 0; r < 7; r++) {
    const t = performance.now();
    peak(iterations, 0.5);
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return (iterations * CHAINS * LANES * 2) / (ms[3]! * 1e6);
}

/** GFLOP/s of the fused multiply-add loop, one thread. */
export async function fmaPeak(iterations: number): Promise<number> {
  if (!enableRelaxedSimd()) throw new Error("bench:peak: this Node has no relaxed SIMD, so no fused multiply-add to measure");
  return measure(await compile(), iterations);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // strict: an unknown option or a stray argument is an error, not ignored
  const { values } = parseArgs({ args: process.argv.slice(2), options: { iterations: { type: "string", default: "50000000" } }, strict: true });
  const iterations = Number(values.iterations);
  if (!Number.isInteger(iterations) || iterations < 1) throw new Error(`bench:peak: --iterations must be a positive integer, got "${values.iterations}"`);
  console.log(`f32x4.relaxed_madd, ${CHAINS} chains, one thread: ${(await fmaPeak(iterations)).toFixed(1)} GFLOP/s`);
}
