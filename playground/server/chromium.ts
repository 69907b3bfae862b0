// Driving the playground in Chromium (playwright-core, Debian's /usr/bin/chromium
// or CHROMIUM_PATH): used by the e2e test (test/playground/e2e.test.ts) and by
// the browser speed bench (bench/browser.ts, `npm run bench:browser`).

import { existsSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM);

/** Headless Chromium, without the background traffic a first run would make. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/** The "train here" form's choices; what is left out keeps the page's default. */
export interface TrainChoices {
  examples?: number;
  epochs?: number;
  batch?: number;
  optimizer?: "adam" | "sgd";
  threads?: number;
}

/** What a training run left on the page: #train-stats' data attributes and its text. */
export interface TrainResult {
  stats: Record<string, string | undefined>;
  text: string;
}

/** Sets the form, starts a run and waits for it to end (done or error). */
export async function trainInPage(page: Page, choices: TrainChoices = {}, timeout = 120_000): Promise<TrainResult> {
  const fields: [string, string | number | undefined][] = [
    ["#train-examples", choices.examples], ["#train-epochs", choices.epochs], ["#train-batch", choices.batch],
    ["#train-optimizer", choices.optimizer], ["#train-threads", choices.threads],
  ];
  for (const [selector, value] of fields) if (value !== undefined) await page.selectOption(selector, String(value));
  await page.click("#train-start"); // its handler marks the run "running" before the click returns
  await page.waitForFunction(() => ["done", "error"].includes(document.querySelector<HTMLElement>("#train-stats")!.dataset.state!), null, { timeout });
  return page.evaluate(() => {
    const stats = document.querySelector<HTMLElement>("#train-stats")!;
    return { stats: { ...stats.dataset }, text: stats.textContent ?? "" };
  });
}
