// npm run bench:browser [-- --rounds n] [--no-build]
//
// Training speed in the browser, as the playground's "train here" panel
// shows it: d2l's LeNet trained in a Web Worker through a Plan in headless
// Chromium, on 1 thread and on 2 (Web Workers on shared WebAssembly memory,
// the page served cross-origin isolated by playground/server/serve.ts).
// Each round trains once per thread count, alternating, on the same digits
// and seed; the table gives the median examples/s of each thread count over
// the rounds and their ratio. Speed is measured here, never asserted by a test
// (the e2e test checks that both threads work and agree).

import { loadavg } from "node:os";
import { join } from "node:path";
import { ROOT, buildPlayground, serveStatic } from "../playground/server/serve.js";
import { CHROMIUM, hasChromium, launchChromium, trainInPage, type TrainChoices } from "../playground/server/chromium.js";
import { fmt, formatMachine, machineInfo, renderTable, softwareInfo } from "./lib/report.js";
import { summarize } from "./lib/stats.js";

const THREADS = [1, 2] as const;
// 4,000 digits × 2 epochs at batch 128: 63 steps, a few seconds a run; Adam as the page's default.
const RUN: TrainChoices = { examples: 4000, epochs: 2, batch: 128, optimizer: "adam" };

function roundsFrom(argv: readonly string[]): number {
  const at = argv.indexOf("--rounds");
  const rounds = at === -1 ? 3 : Number(argv[at + 1]);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds takes a whole number ≥ 1, got ${argv[at + 1]}`);
  return rounds;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const rounds = roundsFrom(argv);
  if (!hasChromium) throw new Error(`${CHROMIUM} is missing (apt-get install -y chromium, or set CHROMIUM_PATH)`);
  if (!argv.includes("--no-build")) await buildPlayground();
  const server = await serveStatic(join(ROOT, "playground/dist"));
  const browser = await launchChromium();
  const chromiumVersion = browser.version();
  const speeds = new Map<number, number[]>(THREADS.map((t) => [t, []]));
  try {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.waitForFunction(() => document.body.dataset.ready === "true", null, { timeout: 60_000 });
    if (!(await page.evaluate(() => crossOriginIsolated))) throw new Error("the page is not cross-origin isolated: no threads to compare");
    await trainInPage(page, { ...RUN, epochs: 1, threads: 1 }); // warm-up: fetches the digits, compiles the kernels
    for (let round = 1; round <= rounds; round++) {
      for (const threads of THREADS) {
        const { stats, text } = await trainInPage(page, { ...RUN, threads });
        if (stats.state !== "done" || stats.threads !== String(threads)) throw new Error(`the ${threads}-thread run failed: ${text}`);
        speeds.get(threads)!.push(Number(stats.examplesPerSecond));
        console.log(`round ${round}: ${threads} thread${threads === 1 ? "" : "s"}: ${fmt(Number(stats.examplesPerSecond))} examples/s`);
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
  const one = summarize(speeds.get(1)!), two = summarize(speeds.get(2)!);
  console.log(`\nbrowser training, d2l LeNet, ${RUN.examples} digits × ${RUN.epochs} epochs, batch ${RUN.batch}, ${RUN.optimizer}; median of ${rounds} round${rounds === 1 ? "" : "s"}`);
  console.log(renderTable(["threads", "examples/s", "min–max"], [one, two].map((s, i) => [String(THREADS[i]), fmt(s.median), `${fmt(s.min)}–${fmt(s.max)}`]), [true, true, true]));
  console.log(`2 threads ÷ 1 thread: ${(two.median / one.median).toFixed(2)}×`);
  console.log(`${formatMachine(machineInfo(), softwareInfo())} · Chromium ${chromiumVersion} · load average ${loadavg().map((l) => l.toFixed(2)).join(", ")}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
