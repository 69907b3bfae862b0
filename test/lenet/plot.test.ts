// The training chart SVG: well-formed XML, the three d2l series with one point
// per epoch, legend and labels, an escaped title, and the awkward inputs a real
// run produces (one epoch, NaN, nothing at all).

import { describe, expect, it } from "vitest";
import { trainingPlotSvg, type PlotRecord } from "../../src/lenet/plot.js";

interface Element {
  name: string;
  attributes: Record<string, string>;
  children: Element[];
  text: string;
}

// A small XML parser that is strict about well-formedness: one root, balanced
// tags, quoted and unique attributes, `<` only in markup, `&` only in entities.
// Returns the root element; throws on anything malformed.
function parseXml(xml: string): Element {
  let rest = xml.replace(/^<\?xml[^?]*\?>\s*/, "");
  const root: Element = { name: "#document", attributes: {}, children: [], text: "" };
  const stack: Element[] = [root];
  // `<` cannot reach here: text ends at the next `<`, and attribute values exclude it.
  const checkText = (text: string): void => {
    const bad = text.match(/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);)/i);
    if (bad) throw new Error(`bare & in ${JSON.stringify(text)}`);
  };
  while (rest.length > 0) {
    const lt = rest.indexOf("<");
    const text = lt === -1 ? rest : rest.slice(0, lt);
    checkText(text);
    stack[stack.length - 1]!.text += text;
    if (lt === -1) break;
    rest = rest.slice(lt);
    const close = /^<\/([A-Za-z][\w:.-]*)\s*>/.exec(rest);
    if (close) {
      const open = stack.pop();
      if (open === undefined || open.name !== close[1]) throw new Error(`</${close[1]}> closes <${open?.name}>`);
      rest = rest.slice(close[0].length);
      continue;
    }
    const tag = /^<([A-Za-z][\w:.-]*)((?:\s+[A-Za-z][\w:.-]*\s*=\s*"[^"<]*")*)\s*(\/?)>/.exec(rest);
    if (!tag) throw new Error(`malformed markup at ${JSON.stringify(rest.slice(0, 40))}`);
    const attributes: Record<string, string> = {};
    for (const [, name, value] of tag[2]!.matchAll(/([A-Za-z][\w:.-]*)\s*=\s*"([^"]*)"/g)) {
      if (name! in attributes) throw new Error(`duplicate attribute ${name} on <${tag[1]}>`);
      checkText(value!);
      attributes[name!] = value!;
    }
    const element: Element = { name: tag[1]!, attributes, children: [], text: "" };
    if (stack.length === 1 && root.children.length > 0) throw new Error("more than one root element");
    stack[stack.length - 1]!.children.push(element);
    if (tag[3] !== "/") stack.push(element);
    rest = rest.slice(tag[0].length);
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1]!.name}>`);
  if (root.children.length !== 1 || root.text.trim() !== "") throw new Error("not exactly one root element");
  return root.children[0]!;
}

function all(element: Element, name: string): Element[] {
  return [...(element.name === name ? [element] : []), ...element.children.flatMap((child) => all(child, name))];
}

function texts(svg: Element): string[] {
  return all(svg, "text").map((t) => t.text);
}

function pointCount(polyline: Element): number {
  return polyline.attributes.points!.trim().split(/\s+/).length;
}

// Parses the SVG and checks what every chart must have.
function parseChart(svgText: string): Element {
  const svg = parseXml(svgText);
  expect(svg.name).toBe("svg");
  expect(svg.attributes.xmlns).toBe("http://www.w3.org/2000/svg");
  expect(svg.attributes.viewBox).toMatch(/^0 0 \d+ \d+$/);
  expect(Number(svg.attributes.width)).toBeGreaterThan(0);
  expect(Number(svg.attributes.height)).toBeGreaterThan(0);
  expect(svg.attributes.style).toContain("font-family: sans-serif");
  expect(svgText).not.toMatch(/NaN|Infinity|undefined/);
  return svg;
}

const FIVE: PlotRecord[] = [
  { epoch: 1, loss: 2.31, trainAcc: 0.1, testAcc: 0.1 },
  { epoch: 2, loss: 1.2, trainAcc: 0.52, testAcc: 0.6 },
  { epoch: 3, loss: 0.8, trainAcc: 0.7, testAcc: 0.68 },
  { epoch: 4, loss: 0.6, trainAcc: 0.77, testAcc: 0.75 },
  { epoch: 5, loss: 0.5, trainAcc: 0.81, testAcc: 0.79 },
];

describe("trainingPlotSvg", () => {
  it("parses as XML with the SVG attributes a standalone file needs", () => {
    const text = trainingPlotSvg(FIVE);
    expect(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    parseChart(text);
  });

  it("draws three distinct polylines with one point per record, plus markers", () => {
    const svg = parseChart(trainingPlotSvg(FIVE));
    const lines = all(svg, "polyline");
    expect(lines.map(pointCount)).toEqual([5, 5, 5]);
    expect(new Set(lines.map((l) => l.attributes.stroke)).size).toBe(3);
    // train loss solid, train acc dashed, test acc dash-dot (four dash entries).
    expect(lines.map((l) => l.attributes["stroke-dasharray"]?.split(" ").length)).toEqual([undefined, 2, 4]);
    // 15 data markers and 3 legend markers.
    expect(all(svg, "circle")).toHaveLength(18);
  });

  it("places epoch 1 left of epoch 5 and a higher loss higher up", () => {
    const [loss] = all(parseChart(trainingPlotSvg(FIVE)), "polyline");
    const points = loss!.attributes.points!.split(" ").map((p) => p.split(",").map(Number));
    const xs = points.map(([x]) => x!);
    const ys = points.map(([, y]) => y!);
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    expect(new Set(xs).size).toBe(5);
    expect(ys[0]).toBeLessThan(ys[4]!); // SVG y grows downwards; loss falls
  });

  it("has the legend, axis labels, integer epoch ticks and a y axis from 0 past the largest loss", () => {
    const labels = texts(parseChart(trainingPlotSvg(FIVE)));
    for (const label of ["train loss", "train acc", "test acc", "epoch", "loss / accuracy", "training progress"]) expect(labels).toContain(label);
    for (const tick of ["1", "2", "3", "4", "5"]) expect(labels).toContain(tick);
    expect(labels).toContain("0.0");
    expect(labels).toContain("2.5"); // max loss 2.31 rounds up to a whole 0.5 step
    expect(labels).not.toContain("3.0");
  });

  it("runs the y axis to 1 when every value is at most 1", () => {
    const records = FIVE.map((r) => ({ ...r, loss: r.loss / 3 }));
    const labels = texts(parseChart(trainingPlotSvg(records)));
    expect(labels).toEqual(expect.arrayContaining(["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]));
    expect(labels).not.toContain("1.2");
  });

  it("escapes <, & and > (and quotes) in the title", () => {
    const title = `LeNet <sigmoid> & "avg" pool`;
    const text = trainingPlotSvg(FIVE, { title });
    const svg = parseChart(text);
    expect(text).toContain("LeNet &lt;sigmoid&gt; &amp; &quot;avg&quot; pool");
    expect(text).not.toContain("<sigmoid>");
    expect(all(svg, "title")[0]!.text).toBe("LeNet &lt;sigmoid&gt; &amp; &quot;avg&quot; pool");
  });

  it("draws a single epoch as points only", () => {
    const svg = parseChart(trainingPlotSvg([FIVE[0]!]));
    expect(all(svg, "polyline")).toHaveLength(0);
    expect(all(svg, "circle")).toHaveLength(3 + 3);
    expect(texts(svg)).toContain("1");
    for (const circle of all(svg, "circle")) expect(Number.isFinite(Number(circle.attributes.cx))).toBe(true);
  });

  it("skips NaN and infinite values instead of writing broken coordinates", () => {
    const records = FIVE.map((r, i) => ({ ...r, loss: i === 2 ? NaN : r.loss, testAcc: i === 4 ? Infinity : r.testAcc }));
    const svg = parseChart(trainingPlotSvg(records));
    expect(all(svg, "polyline").map(pointCount)).toEqual([4, 5, 4]);
    const coordinates = all(svg, "polyline").flatMap((l) => l.attributes.points!.split(/[ ,]/).map(Number));
    expect(coordinates.every(Number.isFinite)).toBe(true);
  });

  it("draws an empty 'no data' chart for no records or only NaN", () => {
    for (const records of [[], [{ epoch: 1, loss: NaN, trainAcc: NaN, testAcc: NaN }]]) {
      const svg = parseChart(trainingPlotSvg(records));
      expect(all(svg, "polyline")).toHaveLength(0);
      expect(texts(svg)).toContain("no data");
      expect(texts(svg)).toContain("train loss");
    }
    expect(texts(parseChart(trainingPlotSvg(FIVE)))).not.toContain("no data");
  });

  it("catches malformed XML (a check of the checker)", () => {
    expect(() => parseXml("<svg><g></svg>")).toThrow();
    expect(() => parseXml("<svg><text>a & b</text></svg>")).toThrow();
    expect(() => parseXml('<svg a="1" a="2"/>')).toThrow();
    expect(() => parseXml("<svg/><svg/>")).toThrow();
    expect(() => parseXml("<svg><text>1 < 2</text></svg>")).toThrow();
    expect(parseXml('<svg a="1"><g/><text>x &amp; y</text></svg>').children).toHaveLength(2);
  });
});
