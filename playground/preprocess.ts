// A drawn digit → the 28×28 input LeNet expects, the way MNIST made its digits
// (LeCun et al.: "the images were centered in a 28x28 image by computing the
// center of mass of the pixels, and translating the image so as to position
// this point at the center of the 28x28 field"):
//
//   1. crop to the bounding box of the ink;
//   2. scale it, keeping its aspect ratio, so its longer side is 20 pixels,
//      averaging the source pixels each target pixel covers (anti-aliased, as
//      MNIST's were), and stretch the values so the darkest ink is 1;
//   3. paste it into a black 28×28 field so that its centre of mass lands on
//      the field's centre, (14, 14) in pixel-edge coordinates.
//
// White on black, values in [0, 1]. Pure: no DOM, so it is unit-tested in Node.

/** Side of the network's input. */
export const FIELD = 28;
/** Side of the box the digit is scaled into (MNIST: 20 × 20). */
export const BOX = 20;
/** Ink below this (of 1) does not count towards the bounding box: the faint halo of anti-aliased strokes. */
export const INK_THRESHOLD = 0.1;

/** An inclusive pixel rectangle. */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** The ink of an RGBA image (e.g. `getImageData`) drawn light on dark: its red channel, 0 … 1. */
export function inkFromRgba(rgba: ArrayLike<number>, width: number, height: number): Float32Array {
  const ink = new Float32Array(width * height);
  for (let i = 0; i < ink.length; i++) ink[i] = rgba[4 * i]! / 255;
  return ink;
}

/** The smallest rectangle holding every pixel above `threshold`, or null when there is none. */
export function boundingBox(ink: ArrayLike<number>, width: number, height: number, threshold = INK_THRESHOLD): Box | null {
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x]! > threshold) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  return x1 < 0 ? null : { x0, y0, x1, y1 };
}

/** The intensity-weighted mean position, in pixel-edge coordinates (pixel (i, j) spans [i, i + 1)), or null for an empty image. */
export function centerOfMass(ink: ArrayLike<number>, width: number, height: number): { x: number; y: number } | null {
  let mass = 0, mx = 0, my = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = ink[y * width + x]!;
      mass += v;
      mx += v * (x + 0.5);
      my += v * (y + 0.5);
    }
  }
  return mass > 0 ? { x: mx / mass, y: my / mass } : null;
}

// For each of `m` target pixels, the source pixels (of `n`) it covers and by how much: box-filter weights summing to 1.
function coverage(n: number, m: number): { start: number; weights: number[] }[] {
  const step = n / m;
  const out = [];
  for (let i = 0; i < m; i++) {
    const a = i * step, b = (i + 1) * step;
    const start = Math.floor(a);
    const weights: number[] = [];
    for (let j = start; j < Math.min(n, Math.ceil(b)); j++) weights.push((Math.min(b, j + 1) - Math.max(a, j)) / step);
    out.push({ start, weights });
  }
  return out;
}

/**
 * Resamples the `box` of `ink` to `outWidth × outHeight` by area averaging
 * (each target pixel is the mean of the source area it covers).
 */
export function resample(ink: ArrayLike<number>, width: number, box: Box, outWidth: number, outHeight: number): Float32Array {
  const bw = box.x1 - box.x0 + 1, bh = box.y1 - box.y0 + 1;
  const cols = coverage(bw, outWidth), rows = coverage(bh, outHeight);
  const tmp = new Float32Array(bh * outWidth); // rows of the box, columns already resampled
  for (let y = 0; y < bh; y++) {
    const row = (box.y0 + y) * width + box.x0;
    for (let x = 0; x < outWidth; x++) {
      const { start, weights } = cols[x]!;
      let sum = 0;
      for (let k = 0; k < weights.length; k++) sum += weights[k]! * ink[row + start + k]!;
      tmp[y * outWidth + x] = sum;
    }
  }
  const out = new Float32Array(outWidth * outHeight);
  for (let y = 0; y < outHeight; y++) {
    const { start, weights } = rows[y]!;
    for (let x = 0; x < outWidth; x++) {
      let sum = 0;
      for (let k = 0; k < weights.length; k++) sum += weights[k]! * tmp[(start + k) * outWidth + x]!;
      out[y * outWidth + x] = sum;
    }
  }
  return out;
}

/**
 * The 784 network inputs (28 × 28, row-major, white digit on black, in [0, 1])
 * for a drawing whose ink is `ink` (width × height, 0 = background, 1 = ink),
 * or null when nothing is drawn.
 */
export function toMnist(ink: ArrayLike<number>, width: number, height: number): Float32Array | null {
  const box = boundingBox(ink, width, height);
  if (box === null) return null;
  const bw = box.x1 - box.x0 + 1, bh = box.y1 - box.y0 + 1;
  const scale = BOX / Math.max(bw, bh);
  const w = Math.max(1, Math.min(BOX, Math.round(bw * scale)));
  const h = Math.max(1, Math.min(BOX, Math.round(bh * scale)));
  const digit = resample(ink, width, box, w, h);
  let max = 0;
  for (const v of digit) max = Math.max(max, v);
  if (max <= 0) return null;
  for (let i = 0; i < digit.length; i++) digit[i] = Math.min(1, digit[i]! / max);

  // Shift by whole pixels so the centre of mass lands as near (14, 14) as the grid allows.
  const com = centerOfMass(digit, w, h)!;
  const dx = Math.round(FIELD / 2 - com.x), dy = Math.round(FIELD / 2 - com.y);
  const out = new Float32Array(FIELD * FIELD);
  for (let y = 0; y < h; y++) {
    const ty = y + dy;
    if (ty < 0 || ty >= FIELD) continue;
    for (let x = 0; x < w; x++) {
      const tx = x + dx;
      if (tx >= 0 && tx < FIELD) out[ty * FIELD + tx] = digit[y * w + x]!;
    }
  }
  return out;
}
