// The playground page: a drawing pad, LeNet's ten class probabilities as you
// draw, what each layer sees, and a panel that trains a LeNet in a worker
// (train.ts).

import { initBackend, type nn } from "../src/index.js";
import { toMnist, inkFromRgba, FIELD } from "./preprocess.js";
import { STAGES, loadLeNet, read, stageOps, type Reading, type StageOutput } from "./model.js";
import { setupTraining } from "./train.js";
import { $ } from "./dom.js";

declare const __SOURCE_BASE__: string;

const pad = $<HTMLCanvasElement>("#pad");
const padContext = pad.getContext("2d", { willReadFrequently: true })!;
const input28 = $<HTMLCanvasElement>("#input28");
const prediction = $<HTMLOutputElement>("#prediction");
const confidence = $("#confidence");
const bars = $("#bars");
const layersView = $("#layers");
const modelInfo = $("#model-info");
const usePretrained = $<HTMLButtonElement>("#use-pretrained");
const useTrained = $<HTMLButtonElement>("#use-trained");

/** Pretrained LeNet's accuracy on the 2,000 embedded test digits, printed by the CLI when it made the weights (playground/README.md). */
const PRETRAINED_ACCURACY = "97.7%";

// ---------------------------------------------------------------- models

interface Model {
  net: nn.Sequential;
  name: string;
  info: string;
}

let pretrained: Model | null = null;
let trained: Model | null = null;
let active: Model | null = null;

function activate(model: Model | null): void {
  if (model === null) return;
  active = model;
  usePretrained.classList.toggle("active", model === pretrained);
  useTrained.classList.toggle("active", model === trained);
  modelInfo.textContent = model.info;
  document.body.dataset.model = model.name;
  buildLayerRows(model.net);
  predict();
}

usePretrained.addEventListener("click", () => activate(pretrained));
useTrained.addEventListener("click", () => activate(trained));

// ---------------------------------------------------------------- drawing

const STROKE = 22; // px on the 280 px pad: about 2 px once the digit is scaled into its 20 px box, like MNIST's strokes

function clearPad(): void {
  padContext.fillStyle = "#000";
  padContext.fillRect(0, 0, pad.width, pad.height);
}

let drawing = false;
let last: { x: number; y: number } | null = null;

function padPoint(event: PointerEvent): { x: number; y: number } {
  const rect = pad.getBoundingClientRect();
  return { x: ((event.clientX - rect.left) * pad.width) / rect.width, y: ((event.clientY - rect.top) * pad.height) / rect.height };
}

function strokeTo(point: { x: number; y: number }): void {
  padContext.strokeStyle = "#fff";
  padContext.fillStyle = "#fff";
  padContext.lineWidth = STROKE;
  padContext.lineCap = "round";
  padContext.lineJoin = "round";
  if (last === null) {
    padContext.beginPath();
    padContext.arc(point.x, point.y, STROKE / 2, 0, 2 * Math.PI);
    padContext.fill();
  } else {
    padContext.beginPath();
    padContext.moveTo(last.x, last.y);
    padContext.lineTo(point.x, point.y);
    padContext.stroke();
  }
  last = point;
}

pad.addEventListener("pointerdown", (event) => {
  event.preventDefault();
  pad.setPointerCapture(event.pointerId);
  drawing = true;
  last = null;
  strokeTo(padPoint(event));
  schedulePrediction();
});
pad.addEventListener("pointermove", (event) => {
  if (!drawing) return;
  for (const e of event.getCoalescedEvents?.() ?? [event]) strokeTo(padPoint(e));
  schedulePrediction();
});
const endStroke = (): void => {
  if (!drawing) return;
  drawing = false;
  last = null;
  predict(); // the final answer for this stroke, now rather than next frame
};
pad.addEventListener("pointerup", endStroke);
pad.addEventListener("pointercancel", endStroke);

$("#clear").addEventListener("click", () => {
  clearPad();
  predict();
});

// ---------------------------------------------------------------- prediction

let frame = 0;
function schedulePrediction(): void {
  if (frame === 0) frame = requestAnimationFrame(() => predict());
}

function predict(): void {
  if (frame !== 0) cancelAnimationFrame(frame);
  frame = 0;
  if (active === null) return;
  const ink = inkFromRgba(padContext.getImageData(0, 0, pad.width, pad.height).data, pad.width, pad.height);
  const input = toMnist(ink, pad.width, pad.height);
  drawGray(input28, input ?? new Float32Array(FIELD * FIELD), FIELD, FIELD, 0, 1);
  if (input === null) {
    showReading(null);
    return;
  }
  showReading(read(active.net, input));
}

function showReading(reading: Reading | null): void {
  prediction.dataset.count = String(Number(prediction.dataset.count) + 1);
  prediction.dataset.digit = reading === null ? "" : String(reading.digit);
  prediction.textContent = reading === null ? "?" : String(reading.digit);
  confidence.textContent = reading === null ? "draw a digit" : `${(100 * reading.probabilities[reading.digit]!).toFixed(1)}% sure`;
  for (let d = 0; d < 10; d++) {
    const p = reading === null ? 0 : reading.probabilities[d]!;
    const bar = bars.children[d] as HTMLElement;
    bar.dataset.p = p.toFixed(4);
    bar.classList.toggle("top", reading !== null && d === reading.digit);
    (bar.querySelector(".fill") as HTMLElement).style.height = `${(100 * p).toFixed(1)}%`;
    (bar.querySelector(".pct") as HTMLElement).textContent = reading === null ? "" : `${Math.round(100 * p)}%`;
  }
  for (const row of layerRows) row.update(reading?.stages.find((s) => s.stage.id === row.id) ?? null);
}

for (let d = 0; d < 10; d++) {
  const bar = document.createElement("div");
  bar.className = "bar";
  bar.setAttribute("role", "listitem");
  bar.dataset.digit = String(d);
  bar.dataset.p = "0";
  bar.innerHTML = `<span class="pct"></span><div class="track"><div class="fill"></div></div><span class="label">${d}</span>`;
  bars.append(bar);
}

// ---------------------------------------------------------------- what each layer sees

/** Draws values as gray pixels, `lo` → black, `hi` → white. */
function drawGray(canvas: HTMLCanvasElement, values: ArrayLike<number>, width: number, height: number, lo: number, hi: number): void {
  const context = canvas.getContext("2d", { willReadFrequently: true })!;
  const image = context.createImageData(width, height);
  const range = hi - lo;
  for (let i = 0; i < width * height; i++) {
    const g = range > 0 ? Math.round((255 * (values[i]! - lo)) / range) : 0;
    image.data[4 * i] = image.data[4 * i + 1] = image.data[4 * i + 2] = Math.max(0, Math.min(255, g));
    image.data[4 * i + 3] = 255;
  }
  context.putImageData(image, 0, 0);
}

function extent(values: Float32Array): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

interface LayerRow {
  id: string;
  update(output: StageOutput | null): void;
}

let layerRows: LayerRow[] = [];

const formatShape = (shape: readonly number[]): string => `(${shape.join(", ")})`;

// The output shapes of LeNet's stages for one image, known before anything is drawn.
function stageShapes(net: nn.Sequential): Map<string, readonly number[]> {
  return new Map(read(net, new Float32Array(FIELD * FIELD)).stages.map((s) => [s.stage.id, s.shape]));
}

function buildLayerRows(net: nn.Sequential): void {
  layersView.replaceChildren();
  const shapes = stageShapes(net);
  layerRows = STAGES.map((stage) => {
    const shape = shapes.get(stage.id)!;
    const row = document.createElement("div");
    row.className = `layer ${stage.view}`;
    row.dataset.stage = stage.id;
    row.tabIndex = 0;
    const ops = stageOps(net, stage);
    const head = document.createElement("div");
    head.className = "layer-head";
    head.innerHTML = `<strong>${stage.title}</strong> <span class="shape">${formatShape(shape)}</span>`;
    const card = document.createElement("div");
    card.className = "layer-card";
    card.innerHTML =
      ops.map((o) => `<div class="op"><code>${escapeHtml(o.op)}</code> <a class="source" href="${__SOURCE_BASE__}${o.source}" target="_blank" rel="noopener">${o.source}</a></div>`).join("") +
      `<div class="shape-line">output shape <code>${formatShape(shape)}</code>${stage.view === "maps" ? `: ${shape[1]} feature maps of ${shape[2]}×${shape[3]}` : `: ${shape[1]} values`}</div>`;
    head.append(card);
    const body = document.createElement("div");
    body.className = "layer-body";
    row.append(head, body);
    layersView.append(row);

    if (stage.view === "maps") {
      const [, channels, h, w] = shape as [number, number, number, number];
      const canvases = Array.from({ length: channels }, (_, c) => {
        const canvas = document.createElement("canvas");
        canvas.width = w;
        canvas.height = h;
        canvas.className = "fmap";
        canvas.title = `${stage.title} channel ${c}`;
        body.append(canvas);
        return canvas;
      });
      return {
        id: stage.id,
        update(output) {
          canvases.forEach((canvas, c) => {
            const map = output === null ? new Float32Array(w * h) : output.data.subarray(c * w * h, (c + 1) * w * h);
            const [lo, hi] = extent(map);
            drawGray(canvas, map, w, h, lo, hi); // each map scaled to its own range
          });
        },
      };
    }
    const n = shape[1]!;
    const canvas = document.createElement("canvas");
    canvas.width = n;
    canvas.height = 1;
    canvas.className = "strip";
    canvas.style.setProperty("--cells", String(n));
    body.append(canvas);
    return {
      id: stage.id,
      update(output) {
        const values = output?.data ?? new Float32Array(n);
        const [lo, hi] = extent(values);
        drawGray(canvas, values, n, 1, lo, hi);
      },
    };
  });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}

// ---------------------------------------------------------------- train here

setupTraining((net, info) => {
  trained = { net, name: "trained", info };
  useTrained.disabled = false;
  activate(trained);
});

// ---------------------------------------------------------------- start

async function start(): Promise<void> {
  clearPad();
  const backend = await initBackend("wasm"); // compiles WebAssembly asynchronously: a page's main thread may not do it synchronously
  const threads = crossOriginIsolated ? `cross-origin isolated: training may use ${navigator.hardwareConcurrency} threads` : "not cross-origin isolated: training uses one thread";
  $("#backend-info").textContent = `kernels: ${backend.name === "wasm" ? "WebAssembly SIMD" : "TypeScript (no WebAssembly SIMD here)"} · ${threads}`;
  document.body.dataset.backend = backend.name;
  const url = new URL("lenet-modern.safetensors", document.baseURI);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url.pathname}: HTTP ${response.status}`);
  const net = loadLeNet(new Uint8Array(await response.arrayBuffer()), "lenet-modern", "lenet-modern.safetensors");
  pretrained = { net, name: "pretrained", info: `pretrained: LeNet with ReLU and max-pooling, trained by torchlet's CLI on 8,000 embedded MNIST digits, ${PRETRAINED_ACCURACY} on the 2,000 held-out ones (lenet-modern.safetensors, read with deserialize + loadStateDict).` };
  activate(pretrained);
  document.body.dataset.ready = "true";
}

start().catch((error: unknown) => {
  document.body.dataset.ready = "error";
  confidence.textContent = `failed to start: ${error instanceof Error ? error.message : String(error)}`;
  console.error(error);
});
