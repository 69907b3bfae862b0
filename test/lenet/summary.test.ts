// nn.summary on the two LeNets: the per-layer output shapes of d2l's lesson,
// the exact printed lines, and the parameter counts per layer.

import { describe, expect, it } from "vitest";
import { nn } from "../../src/index.js";
import { lenet, lenetModern } from "../../src/lenet/index.js";
import { Generator } from "../../src/tensor/index.js";
import { D2L_SHAPE_TABLE } from "../helpers/d2l.js";

// d2l, chapter 7.6: the shapes after each layer for one 28×28 image.
const D2L_SHAPES: [string, number[]][] = [
  ["Reshape", [1, 1, 28, 28]],
  ["Conv2d", [1, 6, 28, 28]],
  ["Sigmoid", [1, 6, 28, 28]],
  ["AvgPool2d", [1, 6, 14, 14]],
  ["Conv2d", [1, 16, 10, 10]],
  ["Sigmoid", [1, 16, 10, 10]],
  ["AvgPool2d", [1, 16, 5, 5]],
  ["Flatten", [1, 400]],
  ["Linear", [1, 120]],
  ["Sigmoid", [1, 120]],
  ["Linear", [1, 84]],
  ["Sigmoid", [1, 84]],
  ["Linear", [1, 10]],
];

// Parameters per layer: conv1 6·25 + 6, conv2 16·150 + 16, fc 400·120 + 120, 120·84 + 84, 84·10 + 10.
const PARAMS = [0, 156, 0, 0, 2416, 0, 0, 0, 48120, 0, 10164, 0, 850];

describe("nn.summary", () => {
  it("lenet(): one row per layer with d2l's output shapes and parameter counts", () => {
    const rows = nn.summary(lenet(), [1, 1, 28, 28], null);
    expect(rows.map((r) => [r.layer, r.outputShape])).toEqual(D2L_SHAPES);
    expect(rows.map((r) => r.parameters)).toEqual(PARAMS);
    expect(PARAMS.reduce((a, b) => a + b, 0)).toBe(61_706);
  });

  it("prints exactly d2l's lines through the print callback", () => {
    const lines: string[] = [];
    nn.summary(lenet(), [1, 1, 28, 28], (line) => lines.push(line));
    expect(lines).toEqual(D2L_SHAPE_TABLE);
  });

  it("lenetModern(): ReLU and MaxPool2d in the same places, same shapes", () => {
    const rows = nn.summary(lenetModern(), [1, 1, 28, 28], null);
    const expected = D2L_SHAPES.map(([name, shape]) => [name === "Sigmoid" ? "ReLU" : name === "AvgPool2d" ? "MaxPool2d" : name, shape]);
    expect(rows.map((r) => [r.layer, r.outputShape])).toEqual(expected);
    expect(rows.map((r) => r.parameters)).toEqual(PARAMS);
  });

  it("the batch dimension carries through; a flat (N, 784) input is reshaped by the first layer", () => {
    const rows = nn.summary(lenet(), [3, 784], null);
    expect(rows.map((r) => r.outputShape)).toEqual(D2L_SHAPES.map(([, s]) => [3, ...s.slice(1)]));
  });

  it("leaves the parameters and their gradients untouched", () => {
    const net = lenet({ generator: new Generator(1) });
    const before = net.parameters().map((p) => Array.from(p.data));
    nn.summary(net, [2, 1, 28, 28], null);
    for (const p of net.parameters()) expect(p.grad).toBeNull();
    expect(net.parameters().map((p) => Array.from(p.data))).toEqual(before);
  });
});
