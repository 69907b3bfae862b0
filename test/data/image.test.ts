// The image decoder (src/data/image-node.ts: PNG through fast-png, PGM by
// hand) against hand-built files: every PNG colour type and bit depth, every
// scanline filter, Adam7 interlacing, PGM P5/P2, the size check from the
// header, and each error a user feeding `torchlet predict` a bad file is likely to hit.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { deflateSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeImage, readImageFile } from "../../src/data/image-node.js";
import { MAX_IMAGE_SIDE, toMnistInput, type GrayImage } from "../../src/data/preprocess.js";
import { expectError } from "../helpers/errors.js";
import { SIGNATURE, adam7GrayScanlines, chunk, concat, encodeGrayPng, ihdr, png } from "../helpers/png.js";

// Filters one row with PNG filter `type`, straight from the spec's formulas.
function filterRow(type: number, row: readonly number[], above: readonly number[], bpp: number): number[] {
  return row.map((value, i) => {
    const a = i >= bpp ? row[i - bpp]! : 0;
    const b = above[i] ?? 0;
    const c = i >= bpp ? above[i - bpp] ?? 0 : 0;
    const p = a + b - c;
    const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
    const paeth = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    const predictor = [0, a, b, Math.floor((a + b) / 2), paeth][type]!;
    return (value - predictor + 256) % 256;
  });
}

// Raw rows of bytes filtered row y with filter y % 5, filter bytes included.
function filterAllTypes(rows: readonly number[][], bpp: number): number[] {
  return rows.flatMap((row, y) => [y % 5, ...filterRow(y % 5, row, rows[y - 1] ?? [], bpp)]);
}

function decode(bytes: Uint8Array, name = "digit.png"): GrayImage {
  return decodeImage(bytes, name);
}

function expectGray(image: GrayImage, width: number, height: number, expected: readonly number[]): void {
  expect([image.width, image.height]).toEqual([width, height]);
  expect(image.gray).toBeInstanceOf(Float32Array);
  expect(image.gray.length).toBe(expected.length);
  image.gray.forEach((value, i) => expect(value, `pixel ${i}`).toBeCloseTo(expected[i]!, 6));
}

// Asserts `fn` throws a TorchletError with `code` whose message contains every fragment.
const lum = (r: number, g: number, b: number): number => 0.299 * r + 0.587 * g + 0.114 * b;

// ---------------------------------------------------------------------------

describe("PNG scanline filters", () => {
  it("undoes None, Sub, Up, Average and Paeth on 8-bit gray (hand-computed)", () => {
    const scanlines = [
      0, 10, 20, 30, //   None:    pixels 10 20 30
      1, 40, 5, 155, //   Sub:     40, 40+5=45, 45+155=200
      2, 10, 251, 10, //  Up:      40+10=50, 45+251-256=40, 200+10=210
      3, 35, 50, 201, //  Average: 35+(0+50>>1)=60, 50+(60+40>>1)=100, 201+(100+210>>1)-256=100
      4, 10, 246, 165, // Paeth:   10+60 (b)=70, 246+100 (b) -256=90, 165+90 (a)=255
    ];
    const image = decode(png({ width: 3, height: 5, bitDepth: 8, colorType: 0, scanlines }));
    expectGray(image, 3, 5, [10, 20, 30, 40, 45, 200, 50, 40, 210, 60, 100, 100, 70, 90, 255].map((v) => v / 255));
  });

  it("breaks Paeth ties as the spec orders them: left, then above, then upper-left", () => {
    // Row 1: pixel 0 has above 20 (246 + 20 − 256 = 10).
    // Pixel 1: left 10, above 40, upper-left 20 → estimate 30, distances 20, 10, 10 → above: 40 + 10 = 50.
    // Pixel 2: left 50, above 35, upper-left 40 → estimate 45, distances 5, 10, 5 → left: 50 + 10 = 60.
    const scanlines = [0, 20, 40, 35, 4, 246, 10, 10];
    expectGray(decode(png({ width: 3, height: 2, bitDepth: 8, colorType: 0, scanlines })), 3, 2, [20, 40, 35, 10, 50, 60].map((v) => v / 255));
  });

  it("uses the pixel 3 bytes to the left for RGB Sub (hand-computed)", () => {
    // Pixels (10,20,30) and (15,25,35): the second is stored as differences 5,5,5.
    const image = decode(png({ width: 2, height: 1, bitDepth: 8, colorType: 2, scanlines: [1, 10, 20, 30, 5, 5, 5] }));
    expectGray(image, 2, 1, [lum(10, 20, 30) / 255, lum(15, 25, 35) / 255]);
  });

  it("round-trips every filter on RGB 8-bit (3 bytes per pixel) and RGBA 16-bit (8 bytes per pixel)", () => {
    const width = 4, height = 10; // rows cycle through the filters twice
    const byte = (x: number, y: number, c: number): number => (x * 67 + y * 29 + c * 101 + x * y * 13) % 256;
    const rgbRows = Array.from({ length: height }, (_, y) => Array.from({ length: width * 3 }, (_, i) => byte(Math.floor(i / 3), y, i % 3)));
    const rgb = decode(png({ width, height, bitDepth: 8, colorType: 2, scanlines: filterAllTypes(rgbRows, 3) }));
    const rgbExpected = rgbRows.flatMap((row) => Array.from({ length: width }, (_, x) => lum(row[3 * x]!, row[3 * x + 1]!, row[3 * x + 2]!) / 255));
    expectGray(rgb, width, height, rgbExpected);

    // 16-bit RGBA: each channel two bytes big-endian; alpha ≥ 0x8000 so nothing vanishes.
    const sample = (x: number, y: number, c: number): number => (c === 3 ? 0x8000 + x * 1000 + y * 300 : byte(x, y, c) * 257 + c);
    const rgbaRows = Array.from({ length: height }, (_, y) =>
      Array.from({ length: width * 4 }, (_, i) => sample(Math.floor(i / 4), y, i % 4)).flatMap((v) => [v >> 8, v & 0xff]));
    const rgba = decode(png({ width, height, bitDepth: 16, colorType: 6, scanlines: filterAllTypes(rgbaRows, 8) }));
    const rgbaExpected = Array.from({ length: width * height }, (_, k) => {
      const [x, y] = [k % width, Math.floor(k / width)];
      return (lum(sample(x, y, 0), sample(x, y, 1), sample(x, y, 2)) / 65535) * (sample(x, y, 3) / 65535);
    });
    expectGray(rgba, width, height, rgbaExpected);
  });
});

describe("PNG colour types and bit depths", () => {
  it("grayscale at 1, 2, 4, 8 and 16 bits", () => {
    // 1 bit, 10 pixels 1011000110: bytes 1011 0001, 10 (padded with zeros).
    expectGray(decode(png({ width: 10, height: 1, bitDepth: 1, colorType: 0, scanlines: [0, 0xb1, 0x80] })), 10, 1, [1, 0, 1, 1, 0, 0, 0, 1, 1, 0]);
    // 2 bits, values 0 1 2 3 3: bytes 00 01 10 11, 11 000000.
    expectGray(decode(png({ width: 5, height: 1, bitDepth: 2, colorType: 0, scanlines: [0, 0x1b, 0xc0] })), 5, 1, [0, 1 / 3, 2 / 3, 1, 1]);
    // 4 bits, values 0 15 5: bytes 0000 1111, 0101 0000.
    expectGray(decode(png({ width: 3, height: 1, bitDepth: 4, colorType: 0, scanlines: [0, 0x0f, 0x50] })), 3, 1, [0, 1, 5 / 15]);
    // 4 bits over two rows: each row starts on a fresh byte.
    expectGray(decode(png({ width: 1, height: 2, bitDepth: 4, colorType: 0, scanlines: [0, 0xf0, 0, 0x30] })), 1, 2, [1, 3 / 15]);
    expectGray(decode(png({ width: 2, height: 1, bitDepth: 8, colorType: 0, scanlines: [0, 0, 51] })), 2, 1, [0, 0.2]);
    expectGray(decode(png({ width: 2, height: 1, bitDepth: 16, colorType: 0, scanlines: [0, 0xff, 0xff, 0x80, 0x00] })), 2, 1, [1, 0x8000 / 0xffff]);
  });

  it("grayscale with a tRNS key: that gray level is transparent, so black", () => {
    const trns = chunk("tRNS", [0, 200]);
    expectGray(decode(png({ width: 2, height: 1, bitDepth: 8, colorType: 0, scanlines: [0, 200, 100], before: [trns] })), 2, 1, [0, 100 / 255]);
  });

  it("RGB at 8 and 16 bits as luminance 0.299 R + 0.587 G + 0.114 B", () => {
    const scanlines = [0, 255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30];
    expectGray(decode(png({ width: 4, height: 1, bitDepth: 8, colorType: 2, scanlines })), 4, 1, [0.299, 0.587, 0.114, lum(10, 20, 30) / 255]);
    expectGray(decode(png({ width: 1, height: 1, bitDepth: 16, colorType: 2, scanlines: [0, 0xff, 0xff, 0, 0, 0, 0] })), 1, 1, [0.299]);
  });

  it("RGB with a tRNS key colour", () => {
    const trns = chunk("tRNS", [0, 10, 0, 20, 0, 30]); // (10, 20, 30) is transparent
    const scanlines = [0, 10, 20, 30, 255, 0, 0, 30, 20, 10];
    const image = decode(png({ width: 3, height: 1, bitDepth: 8, colorType: 2, scanlines, before: [trns] }));
    expectGray(image, 3, 1, [0, 0.299, lum(30, 20, 10) / 255]);
  });

  it("palette at 8 bits, and at 2 bits with per-entry tRNS alpha", () => {
    const plte = chunk("PLTE", [0, 0, 0, 255, 255, 255, 255, 0, 0]); // black, white, red
    expectGray(decode(png({ width: 3, height: 1, bitDepth: 8, colorType: 3, scanlines: [0, 2, 1, 0], before: [plte] })), 3, 1, [0.299, 1, 0]);

    const plte4 = chunk("PLTE", [255, 255, 255, 255, 0, 0, 0, 255, 0, 0, 0, 255]); // white, red, green, blue
    const trns = chunk("tRNS", [0, 128]); // white transparent, red half; green and blue stay opaque
    const image = decode(png({ width: 4, height: 1, bitDepth: 2, colorType: 3, scanlines: [0, 0x1b], before: [plte4, trns] }));
    expectGray(image, 4, 1, [0, (0.299 * 128) / 255, 0.587, 0.114]);
  });

  it("grayscale+alpha and RGBA composite over black", () => {
    expectGray(decode(png({ width: 2, height: 1, bitDepth: 8, colorType: 4, scanlines: [0, 200, 128, 255, 255] })), 2, 1, [(200 / 255) * (128 / 255), 1]);
    expectGray(decode(png({ width: 1, height: 1, bitDepth: 16, colorType: 4, scanlines: [0, 0xff, 0xff, 0x80, 0x00] })), 1, 1, [0x8000 / 0xffff]);
    const rgba = [0, 255, 255, 255, 0, 255, 0, 0, 255, 0, 255, 0, 51];
    expectGray(decode(png({ width: 3, height: 1, bitDepth: 8, colorType: 6, scanlines: rgba })), 3, 1, [0, 0.299, 0.587 * 0.2]);
  });

  it("joins a zlib stream split over several IDAT chunks and skips ancillary chunks", () => {
    const text = chunk("tEXt", Array.from("Comment\0hand made", (c) => c.charCodeAt(0)));
    const scanlines = Array.from({ length: 8 }, (_, y) => [0, ...Array.from({ length: 8 }, (_, x) => (x * 32 + y) % 256)]).flat();
    const image = decode(png({ width: 8, height: 8, bitDepth: 8, colorType: 0, scanlines, before: [text], idatCount: 3 }));
    expectGray(image, 8, 8, scanlines.filter((_, i) => i % 9 !== 0).map((v) => v / 255));
  });
});

describe("PNG written by the library, and Adam7-interlaced", () => {
  it("decodes pngjs's 8-bit grayscale PNG back to the same pixels", () => {
    const pixels = Uint8Array.from({ length: 28 * 28 }, (_, i) => (i * 37) % 256);
    const bytes = encodeGrayPng(28, 28, pixels);
    expect(Array.from(bytes.subarray(0, 8))).toEqual(SIGNATURE);
    expect(bytes[28], "interlace method in IHDR").toBe(0);
    expect(Array.from(decode(bytes).gray, (v) => Math.round(v * 255))).toEqual(Array.from(pixels));
  });

  it("decodes Adam7 interlacing to the pixels that went in", () => {
    // 13×11 leaves every pass partly filled; 3×2 and 1×1 leave some passes empty (no scanlines at all).
    for (const [width, height] of [[13, 11], [3, 2], [1, 1]] as const) {
      const pixels = Array.from({ length: width * height }, (_, i) => (i * 53 + 7) % 256);
      const bytes = png({ width, height, bitDepth: 8, colorType: 0, interlace: 1, scanlines: adam7GrayScanlines(width, height, pixels) });
      expect(bytes[28], "interlace method in IHDR").toBe(1);
      expectGray(decode(bytes, "adam7.png"), width, height, pixels.map((v) => v / 255));
    }
  });

  it("decodes interlaced 4-bit palette (hand-computed)", () => {
    // 3×2, indices 1 3 2 / 0 1 2: pass 1 holds (0, 0), pass 4 (2, 0), pass 6 (1, 0), pass 7 row 1.
    const plte = chunk("PLTE", [0, 0, 0, 51, 51, 51, 102, 102, 102, 255, 0, 0]); // black, 0.2, 0.4, red
    const scanlines = [0, 0x10, 0, 0x20, 0, 0x30, 0, 0x01, 0x20];
    expectGray(decode(png({ width: 3, height: 2, bitDepth: 4, colorType: 3, interlace: 1, scanlines, before: [plte] })), 3, 2, [0.2, 0.299, 0.4, 0, 0.2, 0.4]);
  });

  it("decodes interlaced 2-bit grayscale (passes of packed samples, each row on a fresh byte)", () => {
    // 3×1, values 3 0 2: pass 1 holds x = 0, pass 4 (x0 = 2) x = 2, pass 6 (x0 = 1) x = 1; the others are empty.
    const scanlines = [0, 0b11_000000, 0, 0b10_000000, 0, 0b00_000000];
    expectGray(decode(png({ width: 3, height: 1, bitDepth: 2, colorType: 0, interlace: 1, scanlines })), 3, 1, [1, 0, 2 / 3]);
  });
});

describe("PGM", () => {
  const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));

  it("reads binary P5 with comments in the header", () => {
    const bytes = concat([ascii("P5\n# made by hand\n3 2\n# maxval next\n255\n"), [0, 51, 255, 10, 20, 30]]);
    expectGray(decode(bytes, "digit.pgm"), 3, 2, [0, 0.2, 1, 10 / 255, 20 / 255, 30 / 255]);
  });

  it("reads 16-bit P5 (maxval > 255: two bytes per sample, big-endian)", () => {
    const bytes = concat([ascii("P5 2 1 1000\n"), [0x03, 0xe8, 0x01, 0xf4]]);
    expectGray(decode(bytes, "deep.pgm"), 2, 1, [1, 0.5]);
  });

  it("reads ASCII P2 with comments", () => {
    const bytes = ascii("P2\n# a comment\n3 2 # width height\n15\n0 15 5 # row one\n 1\t2\n3\n");
    expectGray(decode(bytes, "digit.pgm"), 3, 2, [0, 1, 5 / 15, 1 / 15, 2 / 15, 3 / 15]);
  });

  it("explains a header that does not parse, a short raster, and a sample above maxval", () => {
    expectError(() => decode(ascii("P5\n3 x 255\n"), "bad.pgm"), "BAD_FORMAT", ["bad.pgm", "height", "decimal integer", '"x"']);
    expectError(() => decode(ascii("P5\n3 2"), "bad.pgm"), "BAD_FORMAT", ["bad.pgm", "truncated", "maxval"]);
    expectError(() => decode(ascii("P5 3 2 0\n"), "bad.pgm"), "BAD_FORMAT", ["bad.pgm", "maxval is 0"]);
    expectError(() => decode(concat([ascii("P5 3 2 255\n"), [1, 2, 3, 4]]), "short.pgm"), "BAD_FORMAT", ["short.pgm", "truncated", "4 bytes", "3×2", "need 6"]);
    expectError(() => decode(ascii("P2 2 1 15\n3"), "short.pgm"), "BAD_FORMAT", ["short.pgm", "truncated", "pixel 1 of 2"]);
    expectError(() => decode(ascii("P2 2 1 15\n3 16\n"), "hot.pgm"), "BAD_FORMAT", ["hot.pgm", "(1, 0)", "16", "maxval 15"]);
    expectError(() => decode(ascii("P5\n0 0\n255\n"), "empty.pgm"), "BAD_FORMAT", ["empty.pgm", "0×0"]);
  });
});

describe("decodeImage errors", () => {
  const valid = (): Uint8Array => png({ width: 2, height: 2, bitDepth: 8, colorType: 0, scanlines: [0, 1, 2, 0, 3, 4] });

  it("names the file and shows the first bytes of something that is not an image", () => {
    const text = Uint8Array.from("hello world, not a picture", (c) => c.charCodeAt(0));
    expectError(() => decode(text, "notes.txt"), "BAD_FORMAT", ["notes.txt", "not a PNG or PGM", "68 65 6c 6c 6f 20 77 6f", '"hello wo"']);
    expectError(() => decode(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]), "photo.jpg"), "BAD_FORMAT", ["photo.jpg", "ff d8 ff e0", "JPEG"]);
    expectError(() => decode(new Uint8Array(0), "nothing.png"), "BAD_FORMAT", ["nothing.png", "empty"]);
  });

  it("reports a PNG cut short anywhere as truncated", () => {
    const bytes = valid();
    // Inside the signature, inside a chunk header, inside IHDR, inside IEND, and just before IEND.
    for (const length of [5, 10, 20, bytes.length - 1, bytes.length - 12]) {
      expectError(() => decode(bytes.subarray(0, length), "cut.png"), "BAD_FORMAT", ["cut.png", "truncated"]);
    }
    expectError(() => decode(bytes.subarray(0, bytes.length - 12), "cut.png"), "BAD_FORMAT", ['after chunk "IDAT"', "IEND"]);
  });

  it("detects a corrupted byte by its CRC", () => {
    // In an ancillary chunk the image does not need: only the CRC can tell.
    const text = chunk("tEXt", Array.from("Comment\0hand made", (c) => c.charCodeAt(0)));
    const bytes = png({ width: 2, height: 2, bitDepth: 8, colorType: 0, scanlines: [0, 1, 2, 0, 3, 4], before: [text] });
    expect(decode(bytes).gray.length).toBe(4);
    const flipped = bytes.slice();
    flipped[Buffer.from(flipped).indexOf("hand")]! ^= 0x01;
    expectError(() => decode(flipped, "flipped.png"), "BAD_FORMAT", ["flipped.png", 'chunk "tEXt"', "CRC", "corrupt"]);
  });

  it("detects a corrupted byte in the image data by its CRC", () => {
    const bytes = valid().slice();
    bytes[Buffer.from(bytes).indexOf("IDAT") + 6]! ^= 0x01;
    expectError(() => decode(bytes, "flipped.png"), "BAD_FORMAT", ["flipped.png", 'chunk "IDAT"', "CRC", "corrupt"]);
  });

  it("says a signature mangled by line-ending conversion is one", () => {
    const bytes = valid();
    const mangled = concat([bytes.subarray(0, 4), [0x0a], bytes.subarray(6)]); // \r\n → \n
    expectError(() => decode(mangled, "crlf.png"), "BAD_FORMAT", ["crlf.png", "signature", "89 50 4e 47 0a 1a 0a"]);
  });

  it("refuses interlaced image data laid out as if it were not interlaced, and an unknown interlace method", () => {
    // 2×2 Adam7 has two 1-pixel passes (pass 1 and 6) of 2 bytes, plus pass 7, one row of 2 pixels, 3 bytes: 7, not 6.
    const bytes = png({ width: 2, height: 2, bitDepth: 8, colorType: 0, interlace: 1, scanlines: [0, 1, 2, 0, 3, 4] });
    expectError(() => decode(bytes, "adam7.png"), "BAD_FORMAT", ["adam7.png", "inflates to 6 bytes", "Adam7", "needs 7"]);
    expectError(() => decode(png({ width: 1, height: 1, bitDepth: 8, colorType: 0, interlace: 2, scanlines: [0, 0] }), "i2.png"), "BAD_FORMAT", ["i2.png", "interlace method 2"]);
  });

  it("refuses what a decoder must not skip: an unknown critical chunk, a second IHDR, no IDAT", () => {
    const idat = chunk("IDAT", deflateSync(Uint8Array.from([0, 5])));
    const file = (...middle: Uint8Array[]): Uint8Array => concat([SIGNATURE, ihdr(1, 1, 8, 0), ...middle, chunk("IEND", [])]);
    expect(decode(file(idat)).gray[0]).toBeCloseTo(5 / 255, 6);
    expectError(() => decode(file(chunk("ABCD", [1]), idat), "abcd.png"), "BAD_FORMAT", ["abcd.png", 'critical chunk "ABCD"']);
    expectError(() => decode(file(ihdr(1, 1, 8, 0), idat), "two.png"), "BAD_FORMAT", ["two.png", "second IHDR"]);
    expectError(() => decode(file(), "none.png"), "BAD_FORMAT", ["none.png", "no IDAT"]);
  });

  it("ignores bytes after IEND, as libpng does", () => {
    expectGray(decode(concat([valid(), [1, 2, 3]])), 2, 2, [1, 2, 3, 4].map((v) => v / 255));
  });

  it("refuses an unknown colour type and a bit depth the colour type does not allow", () => {
    expectError(() => decode(png({ width: 1, height: 1, bitDepth: 8, colorType: 5, scanlines: [0, 0] }), "c5.png"), "BAD_FORMAT", ["c5.png", "colour type 5"]);
    expectError(() => decode(png({ width: 1, height: 1, bitDepth: 4, colorType: 2, scanlines: [0, 0, 0] }), "rgb4.png"), "BAD_FORMAT", ["rgb4.png", "bit depth 4", "colour type 2 (RGB)", "8, 16"]);
  });

  it("refuses a palette index past the end of the palette, and a palette image without PLTE", () => {
    const plte = chunk("PLTE", [0, 0, 0, 255, 255, 255]);
    const bytes = png({ width: 2, height: 1, bitDepth: 8, colorType: 3, scanlines: [0, 1, 2], before: [plte] }); // index 2 is one past the end
    expectError(() => decode(bytes, "pal.png"), "BAD_FORMAT", ["pal.png", "is not a valid PNG", "index 2 not in palette"]);
    expectError(() => decode(png({ width: 1, height: 1, bitDepth: 8, colorType: 3, scanlines: [0, 0] }), "nopal.png"), "BAD_FORMAT", ["nopal.png", "palette not found"]);
  });

  it("refuses a 0×0 header and an absurdly large one", () => {
    expectError(() => decode(png({ width: 0, height: 0, bitDepth: 8, colorType: 0, scanlines: [] }), "zero.png"), "BAD_FORMAT", ["zero.png", "0×0"]);
    expectError(() => decode(png({ width: 20000, height: 1, bitDepth: 8, colorType: 0, scanlines: [0] }), "huge.png"), "OUT_OF_RANGE", ["huge.png", "20000×1", "1024"]);
  });

  it("refuses a 16384×16384 16-bit PNG from its header alone, before decoding anything", () => {
    // A valid IHDR claiming 16384×16384 RGBA at 16 bits (2 GiB of pixels) over 10 bytes of image data:
    // decoding would first fail on the data, so OUT_OF_RANGE can only come from the header check.
    expect(MAX_IMAGE_SIDE).toBe(1024);
    const huge = concat([SIGNATURE, ihdr(16384, 16384, 16, 6), chunk("IDAT", deflateSync(new Uint8Array(10))), chunk("IEND", [])]);
    const started = performance.now();
    expectError(() => decode(huge, "huge.png"), "OUT_OF_RANGE", ["image: huge.png: the PNG header gives a size of 16384×16384 pixels", "at most 1024×1024", "resize it to 28×28 first"]);
    expect(performance.now() - started).toBeLessThan(100);
    expectError(() => decode(concat([SIGNATURE, ihdr(1025, 1, 8, 0)]), "wide.png"), "OUT_OF_RANGE", ["wide.png", "1025×1"]);
  });

  it("decodes an image of exactly the largest size", () => {
    const side = MAX_IMAGE_SIDE;
    const pixels = Uint8Array.from({ length: side * side }, (_, i) => (i % side) ^ Math.floor(i / side)); // low 8 bits of x XOR y
    const image = decode(encodeGrayPng(side, side, pixels), "big.png");
    expect([image.width, image.height]).toEqual([side, side]);
    expect(image.gray[5 * side + 3]).toBeCloseTo((5 ^ 3) / 255, 6);
    expect(image.gray[side * side - 1]).toBeCloseTo(0, 6);
  });

  it("refuses image data of the wrong inflated size, an unknown filter type and corrupt zlib data", () => {
    const extraRow = png({ width: 2, height: 1, bitDepth: 8, colorType: 0, scanlines: [0, 1, 2, 0, 3, 4] });
    expectError(() => decode(extraRow, "long.png"), "BAD_FORMAT", ["long.png", "decompresses to more than 3 bytes", "2×1 image"]);
    const shortRow = png({ width: 2, height: 2, bitDepth: 8, colorType: 0, scanlines: [0, 1, 2] });
    expectError(() => decode(shortRow, "short.png"), "BAD_FORMAT", ["short.png", "inflates to 3 bytes", "needs 6"]);
    const badFilter = png({ width: 2, height: 2, bitDepth: 8, colorType: 0, scanlines: [0, 1, 2, 7, 3, 4] });
    expectError(() => decode(badFilter, "filter.png"), "BAD_FORMAT", ["filter.png", "is not a valid PNG", "filter type - 7"]);
    const garbage = concat([SIGNATURE, ihdr(1, 1, 8, 0), chunk("IDAT", [1, 2, 3, 4]), chunk("IEND", [])]);
    expectError(() => decode(garbage, "zlib.png"), "BAD_FORMAT", ["zlib.png", "corrupt or truncated PNG image data (IDAT)", "4 compressed bytes"]);
  });
});

describe("readImageFile", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "torchlet-image-"));
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("reads a PNG and a PGM from disk", () => {
    const pngPath = path.join(dir, "digit.png");
    fs.writeFileSync(pngPath, encodeGrayPng(2, 1, [0, 255]));
    expectGray(readImageFile(pngPath), 2, 1, [0, 1]);
    const pgmPath = path.join(dir, "digit.pgm");
    fs.writeFileSync(pgmPath, "P2 2 1 255 255 0\n");
    expectGray(readImageFile(pgmPath), 2, 1, [1, 0]);
  });

  it("reports a missing file as NOT_FOUND, naming the path", () => {
    const missing = path.join(dir, "nope.png");
    expectError(() => readImageFile(missing), "NOT_FOUND", [missing]);
  });

  it("stops inflating at the size the header implies (a decompression bomb fails fast)", () => {
    const bomb = concat([SIGNATURE, ihdr(1, 1, 8, 0), chunk("IDAT", deflateSync(new Uint8Array(100_000))), chunk("IEND", [])]);
    const bombPath = path.join(dir, "bomb.png");
    fs.writeFileSync(bombPath, bomb);
    expectError(() => readImageFile(bombPath), "BAD_FORMAT", [bombPath, "decompresses to more than 2 bytes"]);
  });
});

describe("toMnistInput", () => {
  // A 28×28 image of `background` with a vertical stroke of `ink` in columns 12..15.
  function digit(background: number, ink: number): GrayImage {
    const gray = Float32Array.from({ length: 784 }, (_, i) => (i % 28 >= 12 && i % 28 < 16 ? ink : background));
    return { width: 28, height: 28, gray };
  }

  it("keeps a white-on-black digit as it is", () => {
    const image = digit(0, 1);
    const input = toMnistInput(image, "white-on-black.png");
    expect(Array.from(input)).toEqual(Array.from(image.gray));
    expect(input).not.toBe(image.gray);
  });

  it("inverts a black-on-white digit (mean above 0.5) into white on black, leaving the image alone", () => {
    const image = digit(1, 0);
    expect(Array.from(toMnistInput(image, "black-on-white.png"))).toEqual(Array.from(digit(0, 1).gray));
    expect(image.gray[0]).toBe(1);
  });

  it("inverts only above a mean of 0.5, not at it", () => {
    const half = { width: 28, height: 28, gray: new Float32Array(784).fill(0.5) };
    expect(Array.from(toMnistInput(half, "gray.png"))).toEqual(Array.from(half.gray));
  });

  it("requires exactly 28×28", () => {
    const image = { width: 27, height: 28, gray: new Float32Array(27 * 28) };
    expectError(() => toMnistInput(image, "small.png"), "SHAPE_MISMATCH", ["small.png", "27×28", "MNIST digits are 28×28"]);
  });

  it("works end to end on a decoded black-on-white PNG", () => {
    const pixels = Uint8Array.from({ length: 784 }, (_, i) => (i % 28 === 14 ? 0 : 255));
    const input = toMnistInput(decode(encodeGrayPng(28, 28, pixels), "drawn.png"), "drawn.png");
    expect(input[14]).toBe(1);
    expect(input[0]).toBe(0);
  });
});
