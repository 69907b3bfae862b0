// The roofline: how far each kernel is from what this engine reaches on this machine. Two peaks
// are measured in the same run, on the same backend: compute, the gemm at 256³ (the engine's best
// GFLOP/s), and bandwidth, a plain copy of conv1's output (read once, written once: what an
// elementwise kernel cannot beat). Every GFLOP/s row then gets "x% of gemm 256³", every GB/s row
// "x% of copy", and the run ends with one roofline line per backend naming the kernels farthest
// from their limit (bench/README.md, "The roofline").

import { fmt } from "./report.js";
import type { BenchCase, Row } from "./runner.js";

/** The bandwidth peak: a copy of conv1's output at batch B, between two buffers of the active backend. */
export function rooflineCases(B: number): BenchCase[] {
  const n = B * 6 * 28 * 28;
  return [{
    group: "roofline",
    name: `copy conv1 out (${B},6,28,28): the bandwidth peak`,
    bytes: 4 * 2 * n, // read once, written once
    setup: (ctx) => {
      const from = ctx.alloc(n).fill(1), to = ctx.alloc(n);
      return { run: () => to.set(from) };
    },
  }];
}

const isComputePeak = (r: Row): boolean => r.group === "gemm" && r.name.startsWith("gemm square 256 ");
const isBandwidthPeak = (r: Row): boolean => r.group === "roofline";

/** Notes each throughput row's share of its backend's peak; returns the roofline lines to print. */
export function annotateRoofline(rows: Row[], shown = 4): string[] {
  const lines: string[] = [];
  for (const backend of new Set(rows.map((r) => r.backend))) {
    const measured = rows.filter((r) => r.backend === backend && r.status === "ok" && r.value !== null);
    const compute = measured.find(isComputePeak)?.value ?? null, bandwidth = measured.find(isBandwidthPeak)?.value ?? null;
    if (compute === null && bandwidth === null) continue;
    const shares: [string, number][] = [];
    for (const r of measured) {
      const peak = r.unit === "GFLOP/s" ? compute : r.unit === "GB/s" ? bandwidth : null;
      if (peak === null || isComputePeak(r) || isBandwidthPeak(r)) continue;
      const percent = (100 * r.value!) / peak;
      r.note = [r.note, `${fmt(percent)}% of ${r.unit === "GFLOP/s" ? "gemm 256³" : "copy"}`].filter(Boolean).join("; ");
      shares.push([r.name, percent]);
    }
    const peaks = `peak ${compute === null ? "compute not measured" : `${fmt(compute)} GFLOP/s (gemm 256³)`}, ${bandwidth === null ? "bandwidth not measured" : `${fmt(bandwidth)} GB/s (copy)`}`;
    const farthest = shares.sort((a, b) => a[1] - b[1]).slice(0, shown).map(([name, percent]) => `${name} ${fmt(percent)}%`);
    lines.push(`roofline ${backend}: ${peaks}; farthest from it: ${farthest.join(", ") || "none measured"}`);
  }
  return lines;
}
