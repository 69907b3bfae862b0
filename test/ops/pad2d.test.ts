// pad2d: each mode by hand, forward against an independent float64 reference
// (padRef builds the padding from slices, as PyTorch's docs draw it), float64
// gradchecks of every mode, the adjoint identity (pad2d is linear), and errors.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { pad2d, pad2dBackward, pad2dDims, pad2dForward, type PadMode } from "../../src/ops/pad2d.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { tensor, zeros } from "../../src/tensor/create.js";
import { checkGradients } from "../helpers/gradcheck.js";
import { expectAdjoint } from "../helpers/adjoint.js";
import { expectError } from "../helpers/errors.js";
import { expectAllClose } from "../helpers/close.js";
import { padRef } from "../helpers/reference.js";
import { f32, randn64, rng } from "../helpers/random.js";

const MODES: PadMode[] = ["constant", "reflect", "replicate", "circular"];
type Pads = [number, number, number, number];

describe("pad2d by hand: x = [[1, 2, 3], [4, 5, 6]], one column left and right, one row on top", () => {
  const x = () => tensor([[[[1, 2, 3], [4, 5, 6]]]], undefined, { requiresGrad: true });
  const pads: Pads = [1, 1, 1, 0];
  const cases: [PadMode, number[][], number[][]][] = [
    // mode, y, dx of a backward of ones (how many outputs copy each input)
    ["constant", [[0, 0, 0, 0, 0], [0, 1, 2, 3, 0], [0, 4, 5, 6, 0]], [[1, 1, 1], [1, 1, 1]]],
    // the row above mirrors row 1 (the edge row 0 is not repeated); columns mirror columns 1 and 1
    ["reflect", [[5, 4, 5, 6, 5], [2, 1, 2, 3, 2], [5, 4, 5, 6, 5]], [[1, 3, 1], [2, 6, 2]]],
    ["replicate", [[1, 1, 2, 3, 3], [1, 1, 2, 3, 3], [4, 4, 5, 6, 6]], [[4, 2, 4], [2, 1, 2]]],
    // wrapped: the row above is the last row, the column left the last column, the column right the first
    ["circular", [[6, 4, 5, 6, 4], [3, 1, 2, 3, 1], [6, 4, 5, 6, 4]], [[2, 1, 2], [4, 2, 4]]],
  ];
  it.each(cases)("%s", (mode, y, dx) => {
    const input = x();
    const out = pad2d(input, pads, { mode });
    expect(out.toArray()).toEqual([[y]]);
    out.backward(tensor([[y.map((row) => row.map(() => 1))]]));
    expect(input.grad!.toArray()).toEqual([[dx]]);
  });

  it("constant with a value; one number pads all four sides", () => {
    expect(pad2d(tensor([[7]]), 1, { value: -1 }).toArray()).toEqual([[-1, -1, -1], [-1, 7, -1], [-1, -1, -1]]);
  });
});

const geometry = fc.record({
  lead: fc.array(fc.integer({ min: 1, max: 2 }), { minLength: 0, maxLength: 2 }),
  H: fc.integer({ min: 1, max: 5 }),
  W: fc.integer({ min: 1, max: 5 }),
  pads: fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 })),
  mode: fc.constantFrom(...MODES),
  seed: fc.integer({ min: 0, max: 1e6 }),
}).map((g) => {
  // PyTorch's limits: reflect pads < the size they mirror, circular ≤ it
  const cap = (p: number, size: number) => (g.mode === "reflect" ? Math.min(p, size - 1) : g.mode === "circular" ? Math.min(p, size) : p);
  return { ...g, pads: [cap(g.pads[0], g.W), cap(g.pads[1], g.W), cap(g.pads[2], g.H), cap(g.pads[3], g.H)] as Pads };
});

describe("pad2d against the float64 reference", () => {
  it("forward on random shapes and modes (any number of leading dimensions)", () => {
    fc.assert(fc.property(geometry, (g) => {
      const shape = [...g.lead, g.H, g.W];
      const x = f32(randn64(rng(g.seed), shape.reduce((a, b) => a * b, 1)));
      const y = pad2d(new Tensor(x, shape), g.pads, { mode: g.mode });
      const ref = padRef(x, shape, g.pads, g.mode);
      expect(y.shape).toEqual(ref.shape);
      expect(Array.from(y.data)).toEqual(Array.from(ref.data));
    }), { numRuns: 60 });
  });

  it("gradcheck of every mode", () => {
    fc.assert(fc.property(geometry, (g) => {
      const shape = [2, g.H, g.W];
      const r = rng(g.seed);
      checkGradients({
        inputs: [{ name: "x", data: randn64(r, 2 * g.H * g.W), shape }],
        reference: ([x]) => padRef(x!, shape, g.pads, g.mode).data,
        op: ([x]) => pad2d(x!, g.pads, { mode: g.mode }),
        generator: r,
      });
    }), { numRuns: 30 });
  });

  it("pad2dBackward is the adjoint of pad2dForward and accumulates", () => {
    fc.assert(fc.property(geometry, (g) => {
      const d = pad2dDims("pad2d", [1, g.H, g.W], g.pads, g.mode);
      const outLength = (d.top + d.H + d.bottom) * (d.left + d.W + d.right);
      const r = rng(g.seed);
      const x = f32(randn64(r, g.H * g.W)), G = f32(randn64(r, outLength));
      expectAdjoint(
        (v) => { const y = new Float32Array(outLength).fill(Number.NaN); pad2dForward(y, v, d); return y; },
        (gy) => { const dx = new Float32Array(g.H * g.W); pad2dBackward(dx, gy, d); return dx; },
        x, G, 1e-5, JSON.stringify(g),
      );
      // += : a second backward into the same dx doubles it
      const once = new Float32Array(g.H * g.W), twice = new Float32Array(g.H * g.W);
      pad2dBackward(once, G, d);
      pad2dBackward(twice, G, d);
      pad2dBackward(twice, G, d);
      expectAllClose(twice, once.map((v) => 2 * v), 1e-6, 1e-6, "dx after two backwards");
    }), { numRuns: 30 });
  });
});

describe("pad2d errors", () => {
  it("pads too large for reflect or circular, negative pads, bad modes and values", () => {
    const x = zeros(1, 1, 3, 4);
    expectError(() => pad2d(x, [0, 0, 3, 0], { mode: "reflect" }), "INVALID_ARGUMENT", ["pad2d: reflect padding top 3 must be smaller than the input's height 3"]);
    expectError(() => pad2d(x, [5, 0, 0, 0], { mode: "circular" }), "INVALID_ARGUMENT", ["circular padding left 5 must be at most the input's width 4"]);
    expectError(() => pad2d(x, [0, -1, 0, 0]), "INVALID_ARGUMENT", ["padding[1] must be an integer ≥ 0, got -1"]);
    expectError(() => pad2d(x, [1, 1] as unknown as Pads), "INVALID_ARGUMENT", ["padding must be a number or [left, right, top, bottom], got an array of length 2"]);
    expectError(() => pad2d(x, 1, { mode: "reflection" as PadMode }), "INVALID_ARGUMENT", ['mode must be one of "constant", "reflect", "replicate", "circular", got "reflection"; did you mean "reflect"?']);
    expectError(() => pad2d(x, 1, { mode: "reflect", value: 2 }), "INVALID_ARGUMENT", ['value 2 is for mode "constant" only']);
    expectError(() => pad2d(zeros(4), 1), "SHAPE_MISMATCH", ["pad2d: input must have at least 2 dimensions"]);
  });
});
