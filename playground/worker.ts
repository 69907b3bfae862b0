// The "train here" worker: trains d2l's LeNet (lenet(): sigmoid, average
// pooling) on torchlet's embedded MNIST digits, off the main thread so the
// page stays responsive, and sends back its loss step by step and its weights
// at the end.
//
// A worker may compile WebAssembly synchronously, so setBackend("wasm") works
// here (a page's main thread must await initBackend instead). Training runs
// through a Plan: every buffer laid out once in WebAssembly memory, no
// allocation or copying per step.
//
// Threads: a worker may also block in Atomics.wait, so on a cross-origin
// isolated page `initThreads(n)` spreads the kernels over this worker and
// n − 1 more; without isolation there is no SharedArrayBuffer and it trains
// on one thread.

import { Generator, initThreads, lenet, nn, optim, setBackend, type Backend, type BackendName } from "../src/index.js";
import { PIXELS, fetchDigits, type DigitsFile } from "./digits.js";
import type { FromWorker, ToWorker } from "./protocol.js";

// `self` as a dedicated worker: the page's tsconfig has the DOM types, not the WebWorker ones.
const scope = globalThis as unknown as {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
};
const post = (message: FromWorker, transfer: Transferable[] = []): void => scope.postMessage(message, transfer);

let backend: BackendName;
try {
  backend = setBackend("wasm").name;
} catch {
  backend = setBackend("ts").name; // no WebAssembly SIMD here: the TypeScript kernels
}

let digits: Promise<DigitsFile> | null = null;
let kernels: Backend | null = null;

// Progress goes to the page at most this often, with every loss since the last message: a message per step
// (70 a second at batch 128) kept the page's main thread redrawing text and the loss curve, in software on a
// machine without a GPU, and on 2 cores that took the time the second kernel thread needed (bench:browser:
// 2 threads were 0.92× one thread with a message per step).
const PROGRESS_MS = 100;

/** The wasm kernels on `requested` threads (1 unless the page is cross-origin isolated); the pool is kept while the count stays. */
async function useThreads(requested: number): Promise<Backend | null> {
  if (backend !== "wasm") return null;
  const threads = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true ? requested : 1;
  if (kernels?.threads !== threads) kernels = await initThreads(threads);
  return kernels;
}

async function train(request: Extract<ToWorker, { type: "train" }>): Promise<void> {
  digits ??= fetchDigits(request.digits);
  const { train: all, test } = await digits;
  const count = Math.min(request.examples, all.count);
  const data = { images: all.images.subarray(0, count * PIXELS), labels: all.labels.subarray(0, count), count, sampleShape: [1, 28, 28] };

  // Before the Plan: it lays its buffers out in the memory of the backend active when it is made.
  const threaded = await useThreads(request.threads);
  const threads = threaded?.threads ?? 1;
  const callsBefore = threaded?.threadCalls() ?? [];
  const generator = new Generator(request.seed);
  const net = lenet({ generator });
  const optimizer = request.optimizer === "adam" ? new optim.Adam(net.parameters(), { lr: request.lr }) : new optim.SGD(net.parameters(), { lr: request.lr });
  const plan = new nn.Plan(net, { batchSize: request.batchSize, sampleShape: [1, 28, 28] });
  const loader = new nn.DataLoader(data, { batchSize: request.batchSize, shuffle: true, generator });
  const steps = loader.length * request.epochs;
  post({ type: "start", backend, threads, steps, examples: count, epochs: request.epochs });

  try {
    const started = performance.now();
    let step = 0, seen = 0, posted = started, losses: number[] = [];
    for (let epoch = 0; epoch < request.epochs; epoch++) {
      for (const n of loader.batchesInto(plan.input, plan.labels)) {
        losses.push(plan.trainStep(optimizer, n).loss);
        step++;
        seen += n;
        const now = performance.now();
        if (now - posted < PROGRESS_MS && step < steps) continue;
        post({ type: "step", step, steps, epoch: epoch + 1, losses, examples: seen, examplesPerSecond: seen / ((now - started) / 1000) });
        posted = now;
        losses = [];
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const evaluation = plan.evaluateDataset({ ...test, sampleShape: [1, 28, 28] });
    const weights = net.namedParameters().map(([name, p]) => ({ name, shape: [...p.shape], data: Float32Array.from(p.data) }));
    // The split calls each thread ran during this run, counted by the threads themselves.
    const threadCalls = (threaded?.threadCalls() ?? []).map((calls, t) => calls - (callsBefore[t] ?? 0));
    post({ type: "done", weights, seconds, examplesPerSecond: seen / seconds, testAccuracy: evaluation.acc, testCount: test.count, threads, threadCalls }, weights.map((w) => w.data.buffer));
  } finally {
    plan.dispose();
  }
}

scope.onmessage = (event) => {
  const message = event.data;
  if (message.type === "train") {
    train(message).catch((error: unknown) => post({ type: "error", message: error instanceof Error ? error.message : String(error) }));
  }
};

post({ type: "ready", backend });
