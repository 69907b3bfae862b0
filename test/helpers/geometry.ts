// Random sliding-window geometry for the property tests of im2col and pooling:
// batch, channels, a non-square input, and kernel, stride and padding per dimension.

import fc from "fast-check";

/** One random window geometry (sizes per dimension, and a seed for the data). */
export interface WindowGeometry {
  N: number;
  C: number;
  H: number;
  W: number;
  kH: number;
  kW: number;
  sH: number;
  sW: number;
  pH: number;
  pW: number;
  seed: number;
}

/** Geometries whose window fits the padded input; `maxN` and `maxHW` bound the batch and the input side. */
export function windowGeometry(maxN: number, maxHW: number): fc.Arbitrary<WindowGeometry> {
  return fc
    .record({
      N: fc.integer({ min: 1, max: maxN }),
      C: fc.integer({ min: 1, max: 3 }),
      H: fc.integer({ min: 1, max: maxHW }),
      W: fc.integer({ min: 1, max: maxHW }),
      kH: fc.integer({ min: 1, max: 4 }),
      kW: fc.integer({ min: 1, max: 4 }),
      sH: fc.integer({ min: 1, max: 3 }),
      sW: fc.integer({ min: 1, max: 3 }),
      pH: fc.integer({ min: 0, max: 2 }),
      pW: fc.integer({ min: 0, max: 2 }),
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    })
    .filter((g) => g.H + 2 * g.pH >= g.kH && g.W + 2 * g.pW >= g.kW);
}
