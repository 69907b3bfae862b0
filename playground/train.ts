// The "train here" panel: the form, the loss curve and the statistics of a
// training run in the worker (worker.ts), on as many threads as the page may
// use: a cross-origin isolated page offers up to navigator.hardwareConcurrency,
// any other page one (playground/README.md, "Threads").

import { lenet, Tensor, type nn } from "../src/index.js";
import type { FromWorker, ToWorker, WeightMessage } from "./protocol.js";
import type { DigitsUrls } from "./digits.js";
import { $ } from "./dom.js";
// torchlet's embedded MNIST, the files loadDataset("mnist") reads: Vite copies them into the build as assets.
import trainImagesUrl from "../data/mnist-embedded/train-images-idx3-ubyte.gz?url";
import trainLabelsUrl from "../data/mnist-embedded/train-labels-idx1-ubyte.gz?url";
import testImagesUrl from "../data/mnist-embedded/t10k-images-idx3-ubyte.gz?url";
import testLabelsUrl from "../data/mnist-embedded/t10k-labels-idx1-ubyte.gz?url";

const trainForm = $<HTMLFormElement>("#train-form");
const trainButton = $<HTMLButtonElement>("#train-start");
const lossCurve = $<SVGSVGElement>("#loss-curve");
const trainStats = $("#train-stats");
const threadsChoice = $<HTMLSelectElement>("#train-threads");
let worker: Worker | null = null;
let losses: number[] = [];
let totalSteps = 0;
let onTrained: (net: nn.Sequential, info: string) => void = () => {};

const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);

function drawLossCurve(): void {
  const W = 600, H = 220, left = 40, bottom = 24, top = 10, right = 10;
  const yMax = Math.max(3, ...losses.map((l) => Math.min(l, 6)));
  const x = (i: number): number => left + ((W - left - right) * i) / Math.max(1, totalSteps - 1);
  const y = (l: number): number => top + (H - top - bottom) * (1 - Math.min(l, yMax) / yMax);
  let ema = losses[0] ?? 0;
  const smooth = losses.map((l) => (ema = 0.9 * ema + 0.1 * l));
  const path = (values: number[]): string => values.map((l, i) => `${x(i).toFixed(1)},${y(l).toFixed(1)}`).join(" ");
  const ticks = [0, 1, 2, 3].filter((t) => t <= yMax);
  lossCurve.innerHTML =
    ticks.map((t) => `<line class="grid" x1="${left}" x2="${W - right}" y1="${y(t)}" y2="${y(t)}"/><text class="tick" x="${left - 6}" y="${y(t) + 4}">${t}</text>`).join("") +
    `<line class="chance" x1="${left}" x2="${W - right}" y1="${y(Math.LN10)}" y2="${y(Math.LN10)}"/><text class="tick chance-label" x="${W - right}" y="${y(Math.LN10) - 4}">ln 10 ≈ 2.30: guessing</text>` +
    `<polyline class="raw" points="${path(losses)}"/><polyline class="smooth" points="${path(smooth)}"/>` +
    `<text class="tick start" x="${left}" y="${H - 6}">step 0</text><text class="tick end" x="${W - right}" y="${H - 6}">step ${totalSteps}</text>`;
}

function startWorker(): Worker {
  const w = new Worker(new URL("./worker.ts", import.meta.url), { type: "module", name: "torchlet-train" });
  w.onmessage = (event: MessageEvent<FromWorker>) => onWorkerMessage(event.data);
  w.onerror = (event) => onWorkerMessage({ type: "error", message: event.message || "the worker failed to start" });
  return w;
}

function onWorkerMessage(message: FromWorker): void {
  switch (message.type) {
    case "ready":
      break;
    case "start":
      totalSteps = message.steps;
      losses = [];
      Object.assign(trainStats.dataset, { backend: message.backend, threads: message.threads });
      trainStats.textContent = `training on ${message.examples.toLocaleString("en")} digits × ${message.epochs} epochs (${message.steps} steps), ${message.backend} kernels on ${threadCount(message.threads)}…`;
      drawLossCurve();
      break;
    case "step":
      losses.push(...message.losses);
      trainStats.dataset.steps = String(losses.length);
      trainStats.textContent = `epoch ${message.epoch} · step ${message.step}/${message.steps} · loss ${losses[losses.length - 1]!.toFixed(3)} · ${Math.round(message.examplesPerSecond).toLocaleString("en")} examples/s on ${threadCount(Number(trainStats.dataset.threads))}`;
      drawLossCurve();
      break;
    case "done": {
      drawLossCurve();
      // The worker sent lenet()'s namedParameters(): the same names and shapes as a fresh lenet().
      const net = lenet().loadStateDict(Object.fromEntries(message.weights.map((w) => [w.name, new Tensor(w.data, w.shape)])));
      const first = mean(losses.slice(0, 10)), lastLosses = mean(losses.slice(-10));
      const { digest, sumOfSquares } = fingerprint(message.weights);
      Object.assign(trainStats.dataset, {
        state: "done", firstLoss: first.toFixed(4), lastLoss: lastLosses.toFixed(4), accuracy: message.testAccuracy.toFixed(4), examplesPerSecond: Math.round(message.examplesPerSecond),
        threads: message.threads, threadCalls: message.threadCalls.join(","), weightsDigest: digest, weightsSumOfSquares: sumOfSquares,
      });
      const accuracy = `${(100 * message.testAccuracy).toFixed(1)}%`;
      trainStats.textContent = `done in ${message.seconds.toFixed(1)} s · ${Math.round(message.examplesPerSecond).toLocaleString("en")} examples/s on ${threadCount(message.threads)} · loss ${first.toFixed(2)} → ${lastLosses.toFixed(2)} (mean of first/last 10 steps) · ${accuracy} on ${message.testCount} held-out digits · weights ${digest} · now predicting with it`;
      trainButton.disabled = false;
      onTrained(net, `trained here: d2l LeNet (sigmoid, average pooling), ${losses.length} steps on ${threadCount(message.threads)}, ${accuracy} on ${message.testCount} held-out digits.`);
      break;
    }
    case "error":
      trainStats.dataset.state = "error";
      trainStats.textContent = `training failed: ${message.message}`;
      trainButton.disabled = false;
      break;
  }
}

function digitsUrls(): DigitsUrls {
  const absolute = (url: string): string => new URL(url, document.baseURI).href;
  return { trainImages: absolute(trainImagesUrl), trainLabels: absolute(trainLabelsUrl), testImages: absolute(testImagesUrl), testLabels: absolute(testLabelsUrl) };
}

const threadCount = (threads: number): string => `${threads} thread${threads === 1 ? "" : "s"}`;

/**
 * The trained weights at a glance: an FNV-1a digest of their bytes (equal for runs that must be
 * bit-identical: the same seed and thread count) and their sum of squares (close across thread counts).
 */
function fingerprint(weights: WeightMessage[]): { digest: string; sumOfSquares: string } {
  let hash = 0x811c9dc5, sum = 0;
  for (const { data } of weights) {
    for (const byte of new Uint8Array(data.buffer, data.byteOffset, data.byteLength)) hash = Math.imul(hash ^ byte, 0x01000193);
    for (const value of data) sum += value * value;
  }
  return { digest: (hash >>> 0).toString(16).padStart(8, "0"), sumOfSquares: sum.toPrecision(12) };
}

/** The thread choices: 1 … navigator.hardwareConcurrency on a cross-origin isolated page (all of them chosen), else 1 only. */
function offerThreads(): void {
  const isolated = globalThis.crossOriginIsolated === true;
  const most = isolated ? Math.max(1, navigator.hardwareConcurrency || 1) : 1;
  threadsChoice.innerHTML = Array.from({ length: most }, (_, i) => `<option value="${i + 1}"${i + 1 === most ? " selected" : ""}>${i + 1}</option>`).join("");
  threadsChoice.disabled = !isolated;
  threadsChoice.title = isolated ? "kernel threads for training" : "one thread: this page is not cross-origin isolated, so it has no SharedArrayBuffer (playground/README.md)";
  document.body.dataset.isolated = String(isolated);
}

/** Wires up the panel; `trained(net, info)` receives each trained network. */
export function setupTraining(trained: (net: nn.Sequential, info: string) => void): void {
  onTrained = trained;
  offerThreads();
  trainForm.addEventListener("submit", (event) => {
    event.preventDefault();
    worker ??= startWorker();
    const value = (id: string): string => $<HTMLSelectElement>(id).value;
    const optimizer = value("#train-optimizer") === "sgd" ? "sgd" : "adam";
    const request: ToWorker = {
      type: "train",
      digits: digitsUrls(),
      examples: Number(value("#train-examples")),
      epochs: Number(value("#train-epochs")),
      batchSize: Number(value("#train-batch")),
      optimizer,
      lr: optimizer === "adam" ? 0.003 : 0.9,
      seed: 0,
      threads: Number(threadsChoice.value),
    };
    trainButton.disabled = true;
    trainStats.dataset.state = "running";
    trainStats.textContent = "loading the digits…";
    worker.postMessage(request);
  });
}
