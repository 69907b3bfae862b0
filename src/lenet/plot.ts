// The chart d2l's train_ch6 animates while LeNet trains (train loss, train
// acc and test acc against epoch) drawn once, as a standalone SVG document.
// Pure: builds a string, so the CLI writes it to a file and a page can inline it.

import { checkArity, checkOptionKeys } from "../errors.js";

/** The per-epoch numbers the chart plots; extra fields are ignored. */
export interface PlotRecord {
  /** Epoch number, 1-based (fractional values are plotted where they fall). */
  epoch: number;
  /** Mean training loss over the epoch. */
  loss: number;
  /** Training accuracy in [0, 1]. */
  trainAcc: number;
  /** Test accuracy in [0, 1]. */
  testAcc: number;
}

/** Options of {@link trainingPlotSvg}. */
export interface PlotOptions {
  /** Heading above the chart (default `"training progress"`). */
  title?: string;
}

const WIDTH = 560;
const HEIGHT = 360;
// The plot area in SVG pixels; the legend sits to its right so it never covers a line.
const AREA = { left: 56, right: 420, top: 40, bottom: 300 };
const LEGEND = { left: 432, top: AREA.top, width: 116, rowHeight: 20 };
const MARKER_RADIUS = 2.5;
// Aim for about this many labelled y ticks (and at most twice as many x ticks).
const Y_TICKS = 5;
const MAX_X_TICKS = 10;

interface Series {
  label: string;
  value: (record: PlotRecord) => number;
  color: string;
  /** stroke-dasharray, or undefined for a solid line. */
  dash: string | undefined;
}

// d2l's Animator formats: '-' (C0 blue), 'm--' (magenta dashed), 'g-.' (green dash-dot).
const SERIES: readonly Series[] = [
  { label: "train loss", value: (r) => r.loss, color: "#1f77b4", dash: undefined },
  { label: "train acc", value: (r) => r.trainAcc, color: "#bf00bf", dash: "6 4" },
  { label: "test acc", value: (r) => r.testAcc, color: "#008000", dash: "8 3 2 3" },
];

// A linear map from data values to SVG coordinates, with its tick positions.
interface Axis {
  ticks: number[];
  /** Digits after the decimal point in tick labels. */
  decimals: number;
  toPixel: (value: number) => number;
}

/**
 * d2l's training chart as a static SVG: train loss (solid), train acc
 * (dashed) and test acc (dash-dot) against epoch, with point markers, grid,
 * legend, title and axis labels. The y axis runs from 0 to max(1, largest loss).
 *
 * Robust to what a real run produces: one epoch draws just points, a NaN or
 * infinite value skips that point (the line joins its neighbours), and no
 * records (or no finite values) give an empty chart saying "no data".
 *
 * @returns a standalone SVG document (UTF-8 XML with a prolog); the title is XML-escaped.
 * @example writeFileSync("lenet.svg", trainingPlotSvg(records, { title: "LeNet on Fashion-MNIST" }));
 */
export function trainingPlotSvg(records: readonly PlotRecord[], options: PlotOptions = {}): string {
  checkArity("trainingPlotSvg", arguments, ["records", "options"]);
  const title = escapeXml(checkOptionKeys("trainingPlotSvg", options, ["title"]).title ?? "training progress");
  const xAxis = epochAxis(records);
  const yAxis = valueAxis(records);
  const plotted = SERIES.map((series) => ({ series, points: seriesPoints(records, series, xAxis, yAxis) }));
  const empty = plotted.every(({ points }) => points.length === 0);
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" style="font-family: sans-serif" font-size="12">`,
    `<title>${title}</title>`,
    `<rect x="0" y="0" width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${(AREA.left + AREA.right) / 2}" y="${AREA.top - 16}" text-anchor="middle" font-size="15">${title}</text>`,
    ...gridAndTicks(xAxis, yAxis),
    `<rect x="${AREA.left}" y="${AREA.top}" width="${AREA.right - AREA.left}" height="${AREA.bottom - AREA.top}" fill="none" stroke="#333"/>`,
    `<text x="${(AREA.left + AREA.right) / 2}" y="${AREA.bottom + 38}" text-anchor="middle">epoch</text>`,
    `<text x="16" y="${(AREA.top + AREA.bottom) / 2}" text-anchor="middle" transform="rotate(-90 16 ${(AREA.top + AREA.bottom) / 2})">loss / accuracy</text>`,
    ...(empty ? [`<text x="${(AREA.left + AREA.right) / 2}" y="${(AREA.top + AREA.bottom) / 2}" text-anchor="middle" fill="#888" font-size="16">no data</text>`] : []),
    ...plotted.map(({ series, points }) => seriesSvg(series, points)),
    ...legend(),
    `</svg>`,
    ``,
  ].join("\n");
}

// Epochs span the x axis; a single epoch (or none) is centred in a one-epoch-wide range.
function epochAxis(records: readonly PlotRecord[]): Axis {
  const epochs = records.map((r) => r.epoch).filter(Number.isFinite);
  let min = epochs.length === 0 ? 1 : Math.min(...epochs);
  let max = epochs.length === 0 ? 1 : Math.max(...epochs);
  if (min === max) {
    min -= 0.5;
    max += 0.5;
  }
  const step = Math.max(1, niceStep((max - min) / MAX_X_TICKS));
  const ticks: number[] = [];
  for (let tick = Math.ceil(min / step) * step; tick <= max; tick += step) ticks.push(tick);
  return { ticks, decimals: 0, toPixel: (epoch) => AREA.left + ((epoch - min) / (max - min)) * (AREA.right - AREA.left) };
}

// From 0 to max(1, largest finite value), rounded up to a whole tick step.
function valueAxis(records: readonly PlotRecord[]): Axis {
  let largest = 1;
  for (const record of records) {
    for (const series of SERIES) {
      const value = series.value(record);
      if (Number.isFinite(value)) largest = Math.max(largest, value);
    }
  }
  const step = niceStep(largest / Y_TICKS);
  // The small slack keeps 1.0000000001 (float noise) from adding a whole empty step.
  const top = Math.ceil(largest / step - 1e-9) * step;
  const ticks = Array.from({ length: Math.round(top / step) + 1 }, (_, i) => i * step);
  return {
    ticks,
    decimals: Math.max(0, -Math.floor(Math.log10(step))),
    toPixel: (value) => AREA.bottom - (value / top) * (AREA.bottom - AREA.top),
  };
}

// The smallest 1, 2 or 5 × 10^k that is at least `raw`.
function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const multiple = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  return multiple * power;
}

function gridAndTicks(xAxis: Axis, yAxis: Axis): string[] {
  const lines: string[] = [`<g stroke="#e5e5e5" stroke-width="1">`];
  for (const tick of xAxis.ticks) {
    const x = round(xAxis.toPixel(tick));
    lines.push(`<line x1="${x}" y1="${AREA.top}" x2="${x}" y2="${AREA.bottom}"/>`);
  }
  for (const tick of yAxis.ticks) {
    const y = round(yAxis.toPixel(tick));
    lines.push(`<line x1="${AREA.left}" y1="${y}" x2="${AREA.right}" y2="${y}"/>`);
  }
  lines.push(`</g>`, `<g fill="#333">`);
  for (const tick of xAxis.ticks) {
    lines.push(`<text x="${round(xAxis.toPixel(tick))}" y="${AREA.bottom + 18}" text-anchor="middle">${tick.toFixed(xAxis.decimals)}</text>`);
  }
  for (const tick of yAxis.ticks) {
    lines.push(`<text x="${AREA.left - 6}" y="${round(yAxis.toPixel(tick) + 4)}" text-anchor="end">${tick.toFixed(yAxis.decimals)}</text>`);
  }
  lines.push(`</g>`);
  return lines;
}

// SVG coordinates of a series' finite values, in record order.
function seriesPoints(records: readonly PlotRecord[], series: Series, xAxis: Axis, yAxis: Axis): [number, number][] {
  const points: [number, number][] = [];
  for (const record of records) {
    const value = series.value(record);
    if (Number.isFinite(record.epoch) && Number.isFinite(value)) {
      points.push([round(xAxis.toPixel(record.epoch)), round(yAxis.toPixel(value))]);
    }
  }
  return points;
}

// A polyline needs two points to draw anything, so a lone point is just its marker.
function seriesSvg(series: Series, points: readonly [number, number][]): string {
  const parts = [`<g class="series" fill="${series.color}">`];
  if (points.length >= 2) {
    const dash = series.dash === undefined ? "" : ` stroke-dasharray="${series.dash}"`;
    parts.push(`<polyline points="${points.map(([x, y]) => `${x},${y}`).join(" ")}" fill="none" stroke="${series.color}" stroke-width="1.5"${dash}/>`);
  }
  for (const [x, y] of points) parts.push(`<circle cx="${x}" cy="${y}" r="${MARKER_RADIUS}"/>`);
  parts.push(`</g>`);
  return parts.join("\n");
}

function legend(): string[] {
  const height = SERIES.length * LEGEND.rowHeight + 8;
  const lines = [`<rect x="${LEGEND.left}" y="${LEGEND.top}" width="${LEGEND.width}" height="${height}" fill="white" stroke="#bbb"/>`];
  SERIES.forEach((series, i) => {
    const y = LEGEND.top + 4 + LEGEND.rowHeight * (i + 0.5);
    const dash = series.dash === undefined ? "" : ` stroke-dasharray="${series.dash}"`;
    lines.push(
      `<line x1="${LEGEND.left + 8}" y1="${y}" x2="${LEGEND.left + 36}" y2="${y}" stroke="${series.color}" stroke-width="1.5"${dash}/>`,
      `<circle cx="${LEGEND.left + 22}" cy="${y}" r="${MARKER_RADIUS}" fill="${series.color}"/>`,
      `<text x="${LEGEND.left + 44}" y="${y + 4}">${series.label}</text>`,
    );
  });
  return lines;
}

// Two decimals are finer than a pixel and keep the file small.
function round(value: number): number {
  return Math.round(value * 100) / 100;
}

const XML_ENTITIES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => XML_ENTITIES[c]!);
}
