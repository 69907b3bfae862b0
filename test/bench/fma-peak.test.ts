// bench/fma-peak.ts (npm run bench:peak) keeps working: it compiles its loop with relaxed SIMD and returns a
// finite, positive GFLOP/s. Timings are not asserted (speed is measured in benchmarks, not in tests).

import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { fmaPeak, measure } from "../../bench/fma-peak.js";

describe("npm run bench:peak", () => {
  it("measures the fused multiply-add loop: a finite, positive GFLOP/s", async () => {
    const gflops = await fmaPeak(10_000);
    expect(Number.isFinite(gflops) && gflops > 0, `${gflops}`).toBe(true);
  });

  it("counts 80 flops per loop trip (10 chains × 4 lanes × 2) over the median call's time", () => {
    let clock = 0;
    const realNow = performance.now.bind(performance);
    performance.now = () => clock;
    try {
      // each call "takes" n/1e6 ms: 1e6 trips in 1 ms is 80 GFLOP/s
      expect(measure((n) => ((clock += n / 1e6), 0), 1_000_000)).toBeCloseTo(80, 9);
    } finally {
      performance.now = realNow;
    }
  });

  // Run as npm runs it: an unknown option, a stray argument or a bad count stops it with the reason.
  it.each([
    [["--iters", "5"], "Unknown option '--iters'"],
    [["extra"], "Unexpected argument 'extra'"],
    [["--iterations", "0"], '--iterations must be a positive integer, got "0"'],
  ])("refuses %j", (args, reason) => {
    const script = resolve(import.meta.dirname, "..", "..", "bench", "fma-peak.ts");
    let stderr = "";
    try {
      execFileSync(process.execPath, ["--import", "tsx", script, ...args], { encoding: "utf8", stdio: "pipe", timeout: 60_000 });
    } catch (error) {
      stderr = String((error as { stderr?: string }).stderr);
    }
    expect(stderr).toContain(reason);
  });
});
