// The playground's preprocessing: a drawing → MNIST's 28×28 format (20 px box, centred by mass).

import { describe, expect, it } from "vitest";
import { BOX, FIELD, boundingBox, centerOfMass, inkFromRgba, resample, toMnist } from "../../playground/preprocess.js";
import { loadBundledMnist } from "../../src/node.js";

const SIDE = 280;

/** A SIDE×SIDE canvas of zeros with `paint(x, y)` → ink value. */
function drawing(paint: (x: number, y: number) => number, side = SIDE): Float32Array {
  const ink = new Float32Array(side * side);
  for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) ink[y * side + x] = paint(x, y);
  return ink;
}

/** A "7"-like stroke image: a bar across the top and a slanted stroke down, scaled by `s` and placed at (ox, oy). */
function seven(ox: number, oy: number, s: number): Float32Array {
  return drawing((x, y) => {
    const u = (x - ox) / s, v = (y - oy) / s; // shape coordinates: a 60 × 100 glyph, strokes 10 wide
    if (u < 0 || u > 60 || v < 0 || v > 100) return 0;
    if (v <= 10) return 1;
    const centre = 55 - (v - 10) * 0.45; // the diagonal, from the bar's right end down to the left
    return Math.abs(u - centre) <= 6 ? 1 : 0;
  });
}

function stats(image: Float32Array) {
  const box = boundingBox(image, FIELD, FIELD, 0)!;
  const com = centerOfMass(image, FIELD, FIELD)!;
  let min = Infinity, max = -Infinity;
  for (const v of image) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  return { width: box.x1 - box.x0 + 1, height: box.y1 - box.y0 + 1, com, min, max };
}

describe("toMnist", () => {
  it("scales a stroke image into a 20 px box (aspect kept) centred by mass at (14, 14) ± 1, values in [0, 1]", () => {
    for (const [ox, oy, s] of [[10, 20, 1], [150, 160, 1.1], [40, 5, 2.6], [200, 200, 0.7]] as const) {
      const out = toMnist(seven(ox, oy, s), SIDE, SIDE)!;
      expect(out).toHaveLength(FIELD * FIELD);
      const { width, height, com, min, max } = stats(out);
      expect(height).toBe(BOX); // the longer side (the glyph is 100 tall, 60 wide)
      expect(Math.abs(width - 12)).toBeLessThanOrEqual(1); // 60/100 · 20
      expect(Math.abs(com.x - FIELD / 2)).toBeLessThanOrEqual(1);
      expect(Math.abs(com.y - FIELD / 2)).toBeLessThanOrEqual(1);
      expect(min).toBeGreaterThanOrEqual(0);
      expect(max).toBe(1);
    }
  });

  it("gives (nearly) the same input wherever and however large the digit is drawn", () => {
    const a = toMnist(seven(10, 20, 1), SIDE, SIDE)!;
    const b = toMnist(seven(120, 90, 1.7), SIDE, SIDE)!;
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff += Math.abs(a[i]! - b[i]!);
    expect(diff / a.length).toBeLessThan(0.02);
  });

  it("keeps the aspect ratio of a wide shape: 100 × 50 → 20 × 10", () => {
    const out = toMnist(drawing((x, y) => (x >= 30 && x < 130 && y >= 200 && y < 250 ? 1 : 0)), SIDE, SIDE)!;
    const { width, height, com } = stats(out);
    expect([width, height]).toEqual([20, 10]);
    expect(com).toEqual({ x: 14, y: 14 });
  });

  it("is null for an empty pad and ignores faint anti-aliasing halos", () => {
    expect(toMnist(new Float32Array(SIDE * SIDE), SIDE, SIDE)).toBeNull();
    expect(toMnist(drawing(() => 0.05), SIDE, SIDE)).toBeNull();
  });

  it("leaves real MNIST digits (already 20 px boxes centred by mass) nearly as they are", () => {
    const { test } = loadBundledMnist();
    let total = 0;
    for (let i = 0; i < 100; i++) {
      const digit = test.images.subarray(i * 784, (i + 1) * 784);
      const out = toMnist(digit, FIELD, FIELD)!;
      const { com } = stats(out);
      expect(Math.abs(com.x - 14)).toBeLessThanOrEqual(1);
      expect(Math.abs(com.y - 14)).toBeLessThanOrEqual(1);
      let diff = 0;
      for (let j = 0; j < 784; j++) diff += Math.abs(out[j]! - digit[j]!);
      total += diff / 784;
    }
    expect(total / 100).toBeLessThan(0.06); // mean absolute pixel change, of pixels in [0, 1]
  });
});

describe("the pieces", () => {
  it("boundingBox finds the inked rectangle", () => {
    const ink = drawing((x, y) => (x >= 3 && x <= 7 && y >= 2 && y <= 4 ? 1 : 0), 10);
    expect(boundingBox(ink, 10, 10)).toEqual({ x0: 3, y0: 2, x1: 7, y1: 4 });
    expect(boundingBox(new Float32Array(100), 10, 10)).toBeNull();
  });

  it("centerOfMass uses pixel-edge coordinates: one pixel at (i, j) has its mass at (i + ½, j + ½)", () => {
    const ink = new Float32Array(100);
    ink[3 * 10 + 6] = 1;
    expect(centerOfMass(ink, 10, 10)).toEqual({ x: 6.5, y: 3.5 });
  });

  it("resample averages areas: 4×4 → 2×2 gives 2×2 block means; 2×2 → 4×4 repeats pixels", () => {
    const ink = Float32Array.from([1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0]);
    expect(Array.from(resample(ink, 4, { x0: 0, y0: 0, x1: 3, y1: 3 }, 2, 2))).toEqual([1, 0, 0, 0.25]);
    const small = Float32Array.from([1, 0, 0, 0.5]);
    expect(Array.from(resample(small, 2, { x0: 0, y0: 0, x1: 1, y1: 1 }, 4, 4))).toEqual([1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0.5, 0.5, 0, 0, 0.5, 0.5]);
  });

  it("inkFromRgba reads the red channel of light-on-dark pixels", () => {
    expect(Array.from(inkFromRgba(Uint8ClampedArray.from([255, 255, 255, 255, 0, 0, 0, 255, 51, 51, 51, 255]), 3, 1))).toEqual([1, 0, Math.fround(0.2)]);
  });
});
