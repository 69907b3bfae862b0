// Decoding a digit image (PNG or PGM) into grayscale pixels for
// `torchlet predict`, and writing 8-bit grayscale PNGs of example digits.
// Pure (no Node imports): zlib comes in as a function, so the browser can pass
// its own and Node passes `zlib.inflateSync` (see image-node.ts).
//
// PNG reference: https://www.w3.org/TR/png/ — chunks (length, type, data,
// CRC-32 of type + data), a zlib stream split over IDAT chunks, and scanlines
// that each start with a filter-type byte.

import { TorchletError, checkInt, describe } from "../errors.js";
import { IMAGE_SIZE, PIXELS_PER_IMAGE } from "./dataset.js";

/** A decoded image: its size and one gray value per pixel. */
export interface GrayImage {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** Intensity of each pixel, row-major, 0 (black) … 1 (white); length `width * height`. */
  gray: Float32Array;
}

/**
 * Decompresses a zlib stream (RFC 1950), e.g. `(data, max) => zlib.inflateSync(data, { maxOutputLength: max })`.
 * `maxLength` is the exact size the image header implies; an inflater may
 * refuse to produce more (a decompression-bomb guard) by throwing. The
 * decoder unfilters the returned bytes in place, so return a fresh buffer.
 */
export type Inflate = (data: Uint8Array, maxLength: number) => Uint8Array;

/** Compresses bytes into a zlib stream (RFC 1950), e.g. `zlib.deflateSync`. */
export type Deflate = (data: Uint8Array) => Uint8Array;

/** Largest width or height torchlet decodes or encodes; a bigger header is almost surely corrupt. */
export const MAX_IMAGE_SIDE = 16384;

// ITU-R BT.601 luma, the weights PIL's convert("L") uses.
const RED_WEIGHT = 0.299;
const GREEN_WEIGHT = 0.587;
const BLUE_WEIGHT = 0.114;

/**
 * Decodes a PNG or PGM image into gray values in [0, 1].
 *
 * - PNG: every colour type (gray, RGB, palette, gray+alpha, RGBA) at every
 *   bit depth the spec allows (1/2/4/8/16), all five scanline filters, a
 *   `tRNS` transparency chunk; non-interlaced only. Colour becomes luminance
 *   0.299 R + 0.587 G + 0.114 B, and transparency is composited over black,
 *   MNIST's background. Every chunk's CRC-32 is checked; ancillary chunks
 *   other than tRNS are skipped.
 * - PGM: binary `P5` and ASCII `P2`, maxval up to 65535, `#` comments.
 *
 * @param fileName named in every error message.
 * @param inflate decompresses PNG image data: `(data, maxLength) => bytes`, a zlib (RFC 1950) inflater such as `zlib.inflateSync` that may throw past `maxLength`.
 * @throws TorchletError BAD_FORMAT when the bytes are not a PNG or PGM (the
 *   message shows the first bytes), are truncated, fail a CRC, use an
 *   unsupported colour type, bit depth or interlacing, or inflate to the wrong
 *   size; OUT_OF_RANGE when a side exceeds 16,384 pixels (`MAX_IMAGE_SIDE`).
 * @example const image = decodeImage(bytes, "digit.png", (data, max) => inflateSync(data, { maxOutputLength: max }));
 */
export function decodeImage(bytes: Uint8Array, fileName: string, inflate: Inflate): GrayImage {
  const op = `image: ${fileName}`;
  if (!(bytes instanceof Uint8Array)) {
    throw new TorchletError(op, "INVALID_ARGUMENT", `expected the file's bytes as a Uint8Array, got ${describe(bytes)}`);
  }
  if (startsWith(bytes, PNG_MAGIC)) return decodePng(bytes, op, inflate);
  if (bytes[0] === CHAR_P && (bytes[1] === CHAR_2 || bytes[1] === CHAR_5)) return decodePgm(bytes, op);
  throw new TorchletError(op, "BAD_FORMAT", `is not a PNG or PGM (P5/P2) image: ${describeStart(bytes)}`);
}

/**
 * The 784 network inputs (a 28×28 image, row-major, in [0, 1]) for a decoded digit.
 *
 * MNIST digits are white strokes on a black background. A drawing is usually
 * the opposite, so the rule is: if the mean intensity is above 0.5 (mostly
 * light, i.e. a dark digit on a light background) every pixel v becomes 1 − v;
 * otherwise the pixels are used as they are.
 *
 * @returns a new array; `image` is not modified.
 * @throws TorchletError SHAPE_MISMATCH if the image is not 28×28 (the message gives the size found).
 */
export function toMnistInput(image: GrayImage, fileName: string): Float32Array {
  const op = `image: ${fileName}`;
  const { width, height, gray } = image;
  if (width !== IMAGE_SIZE || height !== IMAGE_SIZE) {
    throw new TorchletError(op, "SHAPE_MISMATCH", `is ${width}×${height} pixels (width×height), but MNIST digits are ${IMAGE_SIZE}×${IMAGE_SIZE}: resize it to ${IMAGE_SIZE}×${IMAGE_SIZE} first`);
  }
  if (gray.length !== PIXELS_PER_IMAGE) {
    throw new TorchletError(op, "SHAPE_MISMATCH", `has ${gray.length} gray values for its ${IMAGE_SIZE}×${IMAGE_SIZE} = ${PIXELS_PER_IMAGE} pixels`);
  }
  let sum = 0;
  for (let i = 0; i < gray.length; i++) sum += gray[i]!;
  const input = Float32Array.from(gray);
  if (sum / gray.length > 0.5) {
    for (let i = 0; i < input.length; i++) input[i] = 1 - input[i]!;
  }
  return input;
}

/**
 * Encodes 8-bit gray pixels as a PNG (colour type 0, bit depth 8, every scanline filter 0).
 *
 * @param gray `width * height` values 0 (black) … 255 (white), row-major.
 * @param deflate compresses the image data: `(data) => bytes`, a zlib (RFC 1950) deflater such as `zlib.deflateSync`.
 * @throws TorchletError INVALID_ARGUMENT for a non-integer or zero size;
 *   OUT_OF_RANGE past 16,384 pixels (`MAX_IMAGE_SIDE`); SHAPE_MISMATCH when `gray` has
 *   the wrong length.
 * @example writeFileSync("digit.png", encodePng(28, 28, pixels, deflateSync));
 */
export function encodePng(width: number, height: number, gray: Uint8Array, deflate: Deflate): Uint8Array {
  const op = "encodePng";
  checkInt(op, "width", width, 1);
  checkInt(op, "height", height, 1);
  checkImageSize(op, width, height, "the requested size");
  if (gray.length !== width * height) {
    throw new TorchletError(op, "SHAPE_MISMATCH", `gray has ${gray.length} values but a ${width}×${height} image has ${width * height} pixels`);
  }
  const stride = width + 1;
  const scanlines = new Uint8Array(height * stride); // each row's filter byte stays 0 (None)
  for (let y = 0; y < height; y++) scanlines.set(gray.subarray(y * width, (y + 1) * width), y * stride + 1);
  const header = new Uint8Array(IHDR_LENGTH);
  const view = dataView(header);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header[8] = 8; // bit depth
  header[9] = COLOR_GRAY; // compression, filter and interlace methods stay 0
  return concatBytes([
    PNG_SIGNATURE,
    pngChunk("IHDR", header),
    pngChunk("IDAT", deflate(scanlines)),
    pngChunk("IEND", new Uint8Array(0)),
  ]);
}

// ---------------------------------------------------------------------------
// PNG

const PNG_SIGNATURE = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
// "\x89PNG": enough to recognise a PNG whose line-ending bytes were mangled, and say so.
const PNG_MAGIC = PNG_SIGNATURE.subarray(0, 4);
const IHDR_LENGTH = 13;
// Length, type and CRC around each chunk's data.
const CHUNK_OVERHEAD = 12;
// The PNG spec caps chunk lengths at 2^31 − 1.
const MAX_CHUNK_LENGTH = 2 ** 31 - 1;

const COLOR_GRAY = 0;
const COLOR_RGB = 2;
const COLOR_PALETTE = 3;
const COLOR_GRAY_ALPHA = 4;
const COLOR_RGBA = 6;

interface ColorType {
  name: string;
  /** Samples per pixel. */
  channels: number;
  /** The bit depths the PNG spec allows for this colour type. */
  bitDepths: readonly number[];
}

const COLOR_TYPES: ReadonlyMap<number, ColorType> = new Map([
  [COLOR_GRAY, { name: "grayscale", channels: 1, bitDepths: [1, 2, 4, 8, 16] }],
  [COLOR_RGB, { name: "RGB", channels: 3, bitDepths: [8, 16] }],
  [COLOR_PALETTE, { name: "palette", channels: 1, bitDepths: [1, 2, 4, 8] }],
  [COLOR_GRAY_ALPHA, { name: "grayscale+alpha", channels: 2, bitDepths: [8, 16] }],
  [COLOR_RGBA, { name: "RGBA", channels: 4, bitDepths: [8, 16] }],
]);

interface PngChunk {
  type: string;
  data: Uint8Array;
  /** Byte offset of the chunk in the file, for error messages. */
  offset: number;
}

interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  channels: number;
  /** Bytes per scanline, without its filter byte. */
  rowBytes: number;
  /** How far back the "left" byte is for filtering: bytes per pixel, at least 1. */
  filterStride: number;
}

// Gray value in [0, 1] of pixel x of a scanline, from its unpacked samples.
type PixelGray = (samples: Uint16Array, x: number, y: number) => number;

function decodePng(bytes: Uint8Array, op: string, inflate: Inflate): GrayImage {
  const chunks = readPngChunks(bytes, op);
  const header = parseHeader(chunks[0]!, op);
  let palette: PngChunk | undefined;
  let transparency: PngChunk | undefined;
  const imageData: Uint8Array[] = [];
  for (const chunk of chunks.slice(1)) {
    if (chunk.type === "PLTE") palette = chunk;
    else if (chunk.type === "tRNS") transparency = chunk;
    else if (chunk.type === "IDAT") imageData.push(chunk.data);
    else if (chunk.type === "IHDR") throw new TorchletError(op, "BAD_FORMAT", `has a second IHDR chunk at byte ${chunk.offset}; a PNG has exactly one`);
    else if (isCritical(chunk.type) && chunk.type !== "IEND") {
      throw new TorchletError(op, "BAD_FORMAT", `has critical chunk "${chunk.type}" at byte ${chunk.offset}, which torchlet does not understand (it knows IHDR, PLTE, IDAT, IEND)`);
    }
  }
  if (imageData.length === 0) throw new TorchletError(op, "BAD_FORMAT", "has no IDAT chunk, so no image data");
  const pixelGray = pixelGrayFunction(header, palette, transparency, op);
  const scanlines = inflateScanlines(concatBytes(imageData), header, op, inflate);
  unfilter(scanlines, header, op);
  return scanlinesToGray(scanlines, header, pixelGray);
}

// Splits the file into chunks, checking the signature, every length and CRC,
// and that it ends with IEND (bytes after IEND are ignored, as libpng does).
function readPngChunks(bytes: Uint8Array, op: string): PngChunk[] {
  if (bytes.length < PNG_SIGNATURE.length) {
    throw new TorchletError(op, "BAD_FORMAT", `is ${bytes.length} bytes long, too short for the ${PNG_SIGNATURE.length}-byte PNG signature (truncated)`);
  }
  if (!startsWith(bytes, PNG_SIGNATURE)) {
    throw new TorchletError(op, "BAD_FORMAT", `starts like a PNG but its signature is [${hexBytes(bytes.subarray(0, 8))}], expected [${hexBytes(PNG_SIGNATURE)}] (line endings converted by a text-mode transfer?)`);
  }
  const view = dataView(bytes);
  const chunks: PngChunk[] = [];
  let offset = PNG_SIGNATURE.length;
  for (;;) {
    if (offset + 8 > bytes.length) {
      const where = offset === bytes.length
        ? `after ${chunks.length === 0 ? "the signature" : `chunk "${chunks[chunks.length - 1]!.type}"`}`
        : `${bytes.length - offset} bytes into the 8-byte header of a chunk at byte ${offset}`;
      throw new TorchletError(op, "BAD_FORMAT", `is truncated: the file ends at byte ${bytes.length}, ${where}, without the IEND chunk that closes a PNG`);
    }
    const length = view.getUint32(offset);
    const type = chunkType(bytes, offset + 4, op);
    if (length > MAX_CHUNK_LENGTH) {
      throw new TorchletError(op, "BAD_FORMAT", `chunk "${type}" at byte ${offset} declares ${length} data bytes, more than the 2^31 − 1 PNG allows (corrupt file)`);
    }
    const dataStart = offset + 8;
    const end = dataStart + length + 4;
    if (end > bytes.length) {
      throw new TorchletError(op, "BAD_FORMAT", `is truncated: chunk "${type}" at byte ${offset} needs ${length} data bytes and a 4-byte CRC, but only ${bytes.length - dataStart} bytes follow its header`);
    }
    const stored = view.getUint32(dataStart + length);
    const computed = crc32(bytes.subarray(offset + 4, dataStart + length));
    if (stored !== computed) {
      throw new TorchletError(op, "BAD_FORMAT", `chunk "${type}" at byte ${offset} has CRC ${hex32(stored)} but its bytes give ${hex32(computed)} (the file is corrupt)`);
    }
    chunks.push({ type, data: bytes.subarray(dataStart, dataStart + length), offset });
    if (chunks.length === 1 && type !== "IHDR") {
      throw new TorchletError(op, "BAD_FORMAT", `the first chunk is "${type}", but a PNG must start with IHDR`);
    }
    if (type === "IEND") return chunks;
    offset = end;
  }
}

// A chunk type is four ASCII letters; anything else means the file is corrupt
// or the previous chunk's length was wrong.
function chunkType(bytes: Uint8Array, start: number, op: string): string {
  const code = bytes.subarray(start, start + 4);
  if (!code.every(isAsciiLetter)) {
    throw new TorchletError(op, "BAD_FORMAT", `the chunk type at byte ${start} is [${hexBytes(code)}], not four ASCII letters (corrupt file)`);
  }
  return String.fromCharCode(...code);
}

function isAsciiLetter(byte: number): boolean {
  return (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a);
}

// An uppercase first letter marks a chunk a decoder must understand to show the image.
function isCritical(type: string): boolean {
  return type[0] === type[0]!.toUpperCase();
}

function parseHeader(chunk: PngChunk, op: string): PngHeader {
  if (chunk.data.length !== IHDR_LENGTH) {
    throw new TorchletError(op, "BAD_FORMAT", `IHDR chunk has ${chunk.data.length} data bytes, expected ${IHDR_LENGTH}`);
  }
  const view = dataView(chunk.data);
  const width = view.getUint32(0);
  const height = view.getUint32(4);
  const bitDepth = chunk.data[8]!;
  const colorType = chunk.data[9]!;
  const compression = chunk.data[10]!;
  const filterMethod = chunk.data[11]!;
  const interlace = chunk.data[12]!;
  checkImageSize(op, width, height, "the PNG header");
  const color = COLOR_TYPES.get(colorType);
  if (color === undefined) {
    throw new TorchletError(op, "BAD_FORMAT", `has PNG colour type ${colorType}; supported are 0 (grayscale), 2 (RGB), 3 (palette), 4 (grayscale+alpha) and 6 (RGBA)`);
  }
  if (!color.bitDepths.includes(bitDepth)) {
    throw new TorchletError(op, "BAD_FORMAT", `has bit depth ${bitDepth} for colour type ${colorType} (${color.name}); PNG allows ${color.bitDepths.join(", ")}`);
  }
  if (compression !== 0 || filterMethod !== 0) {
    throw new TorchletError(op, "BAD_FORMAT", `has compression method ${compression} and filter method ${filterMethod} in IHDR; PNG defines only 0 and 0`);
  }
  if (interlace === 1) {
    throw new TorchletError(op, "BAD_FORMAT", "Adam7 interlaced PNG is not supported: save the image again without interlacing");
  }
  if (interlace !== 0) {
    throw new TorchletError(op, "BAD_FORMAT", `has interlace method ${interlace} in IHDR; PNG defines 0 (none) and 1 (Adam7)`);
  }
  const bitsPerPixel = color.channels * bitDepth;
  return {
    width,
    height,
    bitDepth,
    colorType,
    channels: color.channels,
    rowBytes: Math.ceil((width * bitsPerPixel) / 8),
    filterStride: Math.max(1, bitsPerPixel / 8),
  };
}

// Inflates the concatenated IDAT data and checks it holds exactly one
// filter byte plus one scanline per row.
function inflateScanlines(compressed: Uint8Array, header: PngHeader, op: string, inflate: Inflate): Uint8Array {
  const expected = header.height * (1 + header.rowBytes);
  let scanlines: Uint8Array;
  try {
    scanlines = inflate(compressed, expected);
  } catch (error) {
    if (error instanceof TorchletError) throw error;
    throw new TorchletError(op, "BAD_FORMAT", `cannot inflate the PNG image data (${compressed.length} compressed bytes in IDAT): ${(error as Error).message}`);
  }
  if (scanlines.length !== expected) {
    throw new TorchletError(op, "BAD_FORMAT", `PNG image data inflates to ${scanlines.length} bytes, but a ${header.width}×${header.height} image at bit depth ${header.bitDepth}, colour type ${header.colorType} needs ${expected} (${header.height} rows × (1 filter byte + ${header.rowBytes} bytes))`);
  }
  return scanlines;
}

// Undoes the per-scanline filters in place. Every filter predicts a byte from
// bytes already reconstructed (left, above, above-left), so one forward pass works.
function unfilter(scanlines: Uint8Array, header: PngHeader, op: string): void {
  const { rowBytes, filterStride: bpp } = header;
  const stride = rowBytes + 1;
  let above: Uint8Array = new Uint8Array(rowBytes); // the row above the first is all zeros
  for (let y = 0; y < header.height; y++) {
    const filter = scanlines[y * stride]!;
    const row = scanlines.subarray(y * stride + 1, (y + 1) * stride);
    // Uint8Array stores modulo 256, which is exactly PNG's filter arithmetic.
    switch (filter) {
      case 0: // None
        break;
      case 1: // Sub
        for (let i = bpp; i < rowBytes; i++) row[i] = row[i]! + row[i - bpp]!;
        break;
      case 2: // Up
        for (let i = 0; i < rowBytes; i++) row[i] = row[i]! + above[i]!;
        break;
      case 3: // Average
        for (let i = 0; i < rowBytes; i++) row[i] = row[i]! + ((leftOf(row, i, bpp) + above[i]!) >> 1);
        break;
      case 4: // Paeth
        for (let i = 0; i < rowBytes; i++) row[i] = row[i]! + paeth(leftOf(row, i, bpp), above[i]!, leftOf(above, i, bpp));
        break;
      default:
        throw new TorchletError(op, "BAD_FORMAT", `scanline ${y} has filter type ${filter}; PNG defines 0 (None) to 4 (Paeth)`);
    }
    above = row;
  }
}

function leftOf(row: Uint8Array, i: number, bpp: number): number {
  return i >= bpp ? row[i - bpp]! : 0;
}

// The Paeth predictor: whichever of left, above, upper-left is closest to left + above − upper-left.
function paeth(left: number, above: number, upperLeft: number): number {
  const estimate = left + above - upperLeft;
  const toLeft = Math.abs(estimate - left);
  const toAbove = Math.abs(estimate - above);
  const toUpperLeft = Math.abs(estimate - upperLeft);
  if (toLeft <= toAbove && toLeft <= toUpperLeft) return left;
  return toAbove <= toUpperLeft ? above : upperLeft;
}

function scanlinesToGray(scanlines: Uint8Array, header: PngHeader, pixelGray: PixelGray): GrayImage {
  const { width, height, rowBytes } = header;
  const gray = new Float32Array(width * height);
  const samples = new Uint16Array(width * header.channels);
  for (let y = 0; y < height; y++) {
    const start = y * (rowBytes + 1) + 1;
    unpackSamples(scanlines.subarray(start, start + rowBytes), header.bitDepth, samples);
    for (let x = 0; x < width; x++) gray[y * width + x] = pixelGray(samples, x, y);
  }
  return { width, height, gray };
}

// Splits a scanline into its samples: several per byte (most significant
// bits first) below 8 bits, two big-endian bytes each at 16.
function unpackSamples(row: Uint8Array, bitDepth: number, samples: Uint16Array): void {
  if (bitDepth === 8) {
    samples.set(row);
  } else if (bitDepth === 16) {
    for (let i = 0; i < samples.length; i++) samples[i] = (row[2 * i]! << 8) | row[2 * i + 1]!;
  } else {
    const perByte = 8 / bitDepth;
    const mask = (1 << bitDepth) - 1;
    for (let i = 0; i < samples.length; i++) {
      const shift = 8 - bitDepth * ((i % perByte) + 1);
      samples[i] = (row[Math.floor(i / perByte)]! >> shift) & mask;
    }
  }
}

// How one pixel's samples become a gray value for this colour type, with
// transparency composited over black.
function pixelGrayFunction(header: PngHeader, palette: PngChunk | undefined, transparency: PngChunk | undefined, op: string): PixelGray {
  const max = 2 ** header.bitDepth - 1;
  switch (header.colorType) {
    case COLOR_GRAY: {
      const key = transparentKey(transparency, 1, op);
      return (s, x) => (key !== undefined && s[x] === key[0] ? 0 : s[x]! / max);
    }
    case COLOR_RGB: {
      const key = transparentKey(transparency, 3, op);
      return (s, x) => {
        const r = s[3 * x]!, g = s[3 * x + 1]!, b = s[3 * x + 2]!;
        if (key !== undefined && r === key[0] && g === key[1] && b === key[2]) return 0;
        return luminance(r, g, b) / max;
      };
    }
    case COLOR_PALETTE: {
      const table = paletteGray(palette, transparency, op);
      return (s, x, y) => {
        const index = s[x]!;
        if (index >= table.length) {
          throw new TorchletError(op, "BAD_FORMAT", `pixel (${x}, ${y}) has palette index ${index}, but the palette has only ${table.length} entries`);
        }
        return table[index]!;
      };
    }
    case COLOR_GRAY_ALPHA:
      return (s, x) => (s[2 * x]! / max) * (s[2 * x + 1]! / max);
    default: // COLOR_RGBA; parseHeader admits no other colour type
      return (s, x) => (luminance(s[4 * x]!, s[4 * x + 1]!, s[4 * x + 2]!) / max) * (s[4 * x + 3]! / max);
  }
}

// The gray value of each palette entry, each times its tRNS alpha (255 when tRNS is shorter).
function paletteGray(palette: PngChunk | undefined, transparency: PngChunk | undefined, op: string): Float32Array {
  if (palette === undefined) throw new TorchletError(op, "BAD_FORMAT", "has colour type 3 (palette) but no PLTE chunk");
  const rgb = palette.data;
  if (rgb.length === 0 || rgb.length % 3 !== 0 || rgb.length > 256 * 3) {
    throw new TorchletError(op, "BAD_FORMAT", `PLTE chunk has ${rgb.length} bytes; it must hold 1 to 256 RGB entries of 3 bytes`);
  }
  const entries = rgb.length / 3;
  const alpha = transparency?.data ?? new Uint8Array(0);
  if (alpha.length > entries) {
    throw new TorchletError(op, "BAD_FORMAT", `tRNS chunk has ${alpha.length} alpha values but the palette has only ${entries} entries`);
  }
  const table = new Float32Array(entries);
  for (let i = 0; i < entries; i++) {
    table[i] = (luminance(rgb[3 * i]!, rgb[3 * i + 1]!, rgb[3 * i + 2]!) / 255) * ((alpha[i] ?? 255) / 255);
  }
  return table;
}

// The sample values tRNS marks fully transparent for gray (1 sample) or RGB (3), if any.
function transparentKey(transparency: PngChunk | undefined, samples: number, op: string): number[] | undefined {
  if (transparency === undefined) return undefined;
  if (transparency.data.length !== 2 * samples) {
    throw new TorchletError(op, "BAD_FORMAT", `tRNS chunk has ${transparency.data.length} bytes; for this colour type it must have ${2 * samples} (${samples} 16-bit sample${samples === 1 ? "" : "s"})`);
  }
  const view = dataView(transparency.data);
  return Array.from({ length: samples }, (_, i) => view.getUint16(2 * i));
}

function luminance(r: number, g: number, b: number): number {
  return RED_WEIGHT * r + GREEN_WEIGHT * g + BLUE_WEIGHT * b;
}

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const chunk = new Uint8Array(data.length + CHUNK_OVERHEAD);
  const view = dataView(chunk);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) chunk[4 + i] = type.charCodeAt(i);
  chunk.set(data, 8);
  view.setUint32(8 + data.length, crc32(chunk.subarray(4, 8 + data.length)));
  return chunk;
}

// CRC-32 as PNG (and zlib, gzip) define it: reflected polynomial 0xedb88320.
const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = CRC_TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

// ---------------------------------------------------------------------------
// PGM (Netpbm graymap): "P5" or "P2", whitespace-separated width, height and
// maxval in ASCII (with # comments to the end of a line), then the pixels:
// binary after one whitespace byte for P5 (two bytes big-endian when
// maxval > 255), decimal numbers for P2.

const CHAR_0 = 0x30;
const CHAR_P = 0x50;
const CHAR_2 = 0x32;
const CHAR_5 = 0x35;
const CHAR_HASH = 0x23;
const MAX_PGM_MAXVAL = 65535;

// Where the next header token starts; moved along as tokens are read.
interface Cursor {
  position: number;
}

function decodePgm(bytes: Uint8Array, op: string): GrayImage {
  const binary = bytes[1] === CHAR_5;
  const format = binary ? "P5" : "P2";
  const cursor: Cursor = { position: 2 };
  if (bytes.length > 2 && !isWhitespace(bytes[2]!)) {
    throw new TorchletError(op, "BAD_FORMAT", `PGM header: expected whitespace after "${format}" at byte 2, found ${describeByte(bytes[2]!)}`);
  }
  const width = readPgmInteger(bytes, cursor, "PGM header", "width", op);
  const height = readPgmInteger(bytes, cursor, "PGM header", "height", op);
  const maxval = readPgmInteger(bytes, cursor, "PGM header", "maxval", op);
  checkImageSize(op, width, height, `the ${format} header`);
  if (maxval < 1 || maxval > MAX_PGM_MAXVAL) {
    throw new TorchletError(op, "BAD_FORMAT", `PGM header: maxval is ${maxval}; it must be 1 to ${MAX_PGM_MAXVAL}`);
  }
  const samples = binary ? binarySamples(bytes, cursor.position, width, height, maxval, op) : asciiSamples(bytes, cursor, width * height, op);
  const gray = new Float32Array(width * height);
  for (let i = 0; i < gray.length; i++) {
    const value = samples[i]!;
    if (value > maxval) {
      throw new TorchletError(op, "BAD_FORMAT", `pixel (${i % width}, ${Math.floor(i / width)}) is ${value}, above the maxval ${maxval} of the PGM header`);
    }
    gray[i] = value / maxval;
  }
  return { width, height, gray };
}

// The P5 raster: exactly one whitespace byte after the maxval, then the samples.
function binarySamples(bytes: Uint8Array, maxvalEnd: number, width: number, height: number, maxval: number, op: string): Uint16Array {
  if (maxvalEnd >= bytes.length) {
    throw new TorchletError(op, "BAD_FORMAT", `is truncated: the P5 file ends right after its header, with no pixel data for ${width}×${height} pixels`);
  }
  if (!isWhitespace(bytes[maxvalEnd]!)) {
    throw new TorchletError(op, "BAD_FORMAT", `PGM header: expected one whitespace byte after the maxval at byte ${maxvalEnd}, found ${describeByte(bytes[maxvalEnd]!)}`);
  }
  const start = maxvalEnd + 1;
  const bytesPerSample = maxval > 255 ? 2 : 1;
  const needed = width * height * bytesPerSample;
  if (bytes.length - start < needed) {
    throw new TorchletError(op, "BAD_FORMAT", `is truncated: the P5 pixel data has ${bytes.length - start} bytes, but ${width}×${height} pixels at ${bytesPerSample} byte${bytesPerSample === 1 ? "" : "s"} each need ${needed}`);
  }
  const raster = bytes.subarray(start, start + needed);
  if (bytesPerSample === 1) return Uint16Array.from(raster);
  const view = dataView(raster);
  return Uint16Array.from({ length: width * height }, (_, i) => view.getUint16(2 * i));
}

// The P2 raster: `count` decimal numbers (trailing data, e.g. a second image, is ignored).
function asciiSamples(bytes: Uint8Array, cursor: Cursor, count: number, op: string): Float64Array {
  const samples = new Float64Array(count);
  for (let i = 0; i < count; i++) samples[i] = readPgmInteger(bytes, cursor, "P2 pixel data", `value of pixel ${i} of ${count}`, op);
  return samples;
}

// Skips whitespace and # comments, then reads one decimal integer.
function readPgmInteger(bytes: Uint8Array, cursor: Cursor, section: string, what: string, op: string): number {
  let i = cursor.position;
  while (i < bytes.length && (isWhitespace(bytes[i]!) || bytes[i] === CHAR_HASH)) {
    if (bytes[i] === CHAR_HASH) {
      while (i < bytes.length && bytes[i] !== 0x0a && bytes[i] !== 0x0d) i++;
    } else {
      i++;
    }
  }
  if (i >= bytes.length) throw new TorchletError(op, "BAD_FORMAT", `is truncated: the file ends before the ${what} in the ${section}`);
  const start = i;
  while (i < bytes.length && !isWhitespace(bytes[i]!) && bytes[i] !== CHAR_HASH) i++;
  const token = bytes.subarray(start, i);
  if (!token.every(isDigit)) {
    const shown = String.fromCharCode(...token.subarray(0, 20)) + (token.length > 20 ? "…" : "");
    throw new TorchletError(op, "BAD_FORMAT", `${section}: expected the ${what} as a decimal integer at byte ${start}, found ${JSON.stringify(shown)}`);
  }
  cursor.position = i;
  // A 30-digit width grows past 2^53 here; it is then rejected as too large, not misread.
  return token.reduce((value, digit) => value * 10 + (digit - CHAR_0), 0);
}

function isDigit(byte: number): boolean {
  return byte >= CHAR_0 && byte <= CHAR_0 + 9;
}

function isWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0b || byte === 0x0c || byte === 0x0d;
}

// ---------------------------------------------------------------------------
// Shared helpers

function checkImageSize(op: string, width: number, height: number, source: string): void {
  if (width === 0 || height === 0) {
    throw new TorchletError(op, "BAD_FORMAT", `${source} gives a size of ${width}×${height} pixels (width×height); both must be at least 1`);
  }
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE) {
    throw new TorchletError(op, "OUT_OF_RANGE", `${source} gives a size of ${width}×${height} pixels (width×height); torchlet handles at most ${MAX_IMAGE_SIDE}×${MAX_IMAGE_SIDE}`);
  }
}

// Well-known file signatures, so "not an image" can say what the file is instead.
const KNOWN_SIGNATURES: readonly { bytes: readonly number[]; name: string }[] = [
  { bytes: [0xff, 0xd8, 0xff], name: "a JPEG image" },
  { bytes: [0x47, 0x49, 0x46, 0x38], name: "a GIF image" },
  { bytes: [0x42, 0x4d], name: "a BMP image" },
  { bytes: [0x52, 0x49, 0x46, 0x46], name: "a RIFF file (WebP?)" },
  { bytes: [0x50, 0x36], name: "a colour PPM (P6) image" },
  { bytes: [0x50, 0x33], name: "a colour PPM (P3) image" },
  { bytes: [0x1f, 0x8b], name: "gzip data" },
];

// "it starts with bytes [68 65 6c 6c] ("hell")", plus a guess at the format when it is a known one.
function describeStart(bytes: Uint8Array): string {
  if (bytes.length === 0) return "the file is empty";
  const start = bytes.subarray(0, 8);
  const text = String.fromCharCode(...start).replace(/[^\x20-\x7e]/g, ".");
  const known = KNOWN_SIGNATURES.find((signature) => startsWith(bytes, signature.bytes));
  const guess = known === undefined ? "" : `; it looks like ${known.name}, convert it to PNG`;
  return `it starts with bytes [${hexBytes(start)}] (${JSON.stringify(text)}); PNG starts with [${hexBytes(PNG_SIGNATURE)}], PGM with "P5" or "P2"${guess}`;
}

function describeByte(byte: number): string {
  return byte >= 0x20 && byte <= 0x7e ? `${JSON.stringify(String.fromCharCode(byte))} (0x${byte.toString(16).padStart(2, "0")})` : `byte 0x${byte.toString(16).padStart(2, "0")}`;
}

function startsWith(bytes: Uint8Array, prefix: ArrayLike<number>): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

function hexBytes(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
}

function hex32(value: number): string {
  return `0x${value.toString(16).padStart(8, "0")}`;
}

function dataView(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
