// The one PNG writer of the tests.
//
// - `encodeGrayPng`: an ordinary 8-bit grayscale PNG, written by the PNG
//   library torchlet decodes with (pngjs), for tests that just need a valid file.
// - `png(spec)`: a PNG assembled chunk by chunk from scanlines the test filters
//   itself, for what an ordinary encoder never writes: every colour type, bit
//   depth and filter, tRNS/PLTE, split IDAT, Adam7 interlacing, and broken files.
//   Its CRC-32 is computed bit by bit, independently of any library.

import { deflateSync } from "node:zlib";
import pngjs from "pngjs";

/** The 8-byte PNG signature. */
export const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** An 8-bit grayscale PNG of `gray` (`width * height` values 0 … 255, row-major), written by pngjs (which cannot interlace). */
export function encodeGrayPng(width: number, height: number, gray: ArrayLike<number>): Uint8Array {
  if (gray.length !== width * height) throw new Error(`encodeGrayPng: ${gray.length} values for ${width}×${height} pixels`);
  const options = { width, height, colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 8 } as const;
  const image = new pngjs.PNG(options);
  image.data = Buffer.from(Uint8Array.from(gray));
  return new Uint8Array(pngjs.PNG.sync.write(image, options));
}

/** CRC-32 bit by bit (reflected polynomial 0xedb88320), deliberately not table-driven. */
export function crc32(bytes: ArrayLike<number>): number {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) {
    crc ^= bytes[i]!;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** `value` as 4 big-endian bytes. */
export function u32(value: number): number[] {
  return [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
}

/** One chunk: length, type, data, CRC of type + data. */
export function chunk(type: string, data: ArrayLike<number>): Uint8Array {
  const typeAndData = Uint8Array.from([...Array.from(type, (c) => c.charCodeAt(0)), ...Array.from(data)]);
  return Uint8Array.from([...u32(data.length), ...typeAndData, ...u32(crc32(typeAndData))]);
}

/** The IHDR chunk (compression and filter methods 0). */
export function ihdr(width: number, height: number, bitDepth: number, colorType: number, interlace = 0): Uint8Array {
  return chunk("IHDR", [...u32(width), ...u32(height), bitDepth, colorType, 0, 0, interlace]);
}

/** The bytes of `parts`, one after another. */
export function concat(parts: readonly ArrayLike<number>[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((part) => Array.from(part)));
}

/** What {@link png} assembles. */
export interface PngSpec {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlace?: number;
  /** Filtered scanlines, each starting with its filter-type byte, concatenated (for Adam7: pass after pass). */
  scanlines: ArrayLike<number>;
  /** Chunks between IHDR and IDAT (PLTE, tRNS, ...). */
  before?: Uint8Array[];
  /** Split the zlib stream over this many IDAT chunks. */
  idatCount?: number;
}

/** A PNG file: signature, IHDR, `before`, the deflated scanlines over `idatCount` IDAT chunks, IEND. */
export function png(spec: PngSpec): Uint8Array {
  const compressed = deflateSync(Uint8Array.from(spec.scanlines));
  const count = spec.idatCount ?? 1;
  const size = Math.ceil(compressed.length / count);
  const idats = Array.from({ length: count }, (_, i) => chunk("IDAT", compressed.subarray(i * size, (i + 1) * size)));
  return concat([
    SIGNATURE,
    ihdr(spec.width, spec.height, spec.bitDepth, spec.colorType, spec.interlace),
    ...(spec.before ?? []),
    ...idats,
    chunk("IEND", []),
  ]);
}

// Adam7's seven passes: first column and row, and the steps between them (PNG spec, section 8.2).
const ADAM7 = [
  { x0: 0, y0: 0, dx: 8, dy: 8 },
  { x0: 4, y0: 0, dx: 8, dy: 8 },
  { x0: 0, y0: 4, dx: 4, dy: 8 },
  { x0: 2, y0: 0, dx: 4, dy: 4 },
  { x0: 0, y0: 2, dx: 2, dy: 4 },
  { x0: 1, y0: 0, dx: 2, dy: 2 },
  { x0: 0, y0: 1, dx: 1, dy: 2 },
];

/**
 * The scanlines of an Adam7-interlaced 8-bit grayscale image (filter None):
 * each pass's sub-image row by row; passes with no pixels contribute nothing.
 * Feed them to {@link png} with `interlace: 1`.
 */
export function adam7GrayScanlines(width: number, height: number, gray: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (const { x0, y0, dx, dy } of ADAM7) {
    if (x0 >= width) continue; // an empty pass has no scanlines at all
    for (let y = y0; y < height; y += dy) {
      out.push(0);
      for (let x = x0; x < width; x += dx) out.push(gray[y * width + x]!);
    }
  }
  return out;
}
