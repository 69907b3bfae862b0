// Decoding a PNG digit for `torchlet predict` (Node only). Unfiltering,
// unpacking, de-interlacing and palette lookup are the pngjs library's job;
// torchlet keeps what pngjs's synchronous reader does not do well:
//
// 1. the header check: size, colour type and bit depth are read from IHDR
//    before anything is decoded, so a 16384×16384 file is refused at once;
// 2. a walk over the chunks (each CRC-32, the chunk rules, IEND) that names
//    the problem: pngjs reports a bad CRC as "unrecognised content at end of
//    stream", refuses the bytes after IEND that libpng ignores, and skips
//    unknown critical chunks;
// 3. the decompression-bomb guard: the image data is inflated once, capped at
//    the exact size the header implies (pngjs does not cap interlaced images,
//    and decodes short or corrupt image data as black pixels);
// 4. the conversion to gray: luminance 0.299 R + 0.587 G + 0.114 B (PIL's
//    convert("L")), transparency composited over black, MNIST's background.
//
// Why pngjs 7.0.0 over fast-png 8.0.0, measured on Node 20 (2 shared cores):
// decoding a 28×28 PNG takes 0.04 ms with either, a 1000×1000 RGB one 7 ms with
// pngjs and 9 ms (13 ms checking CRCs) with fast-png; pngjs installs 0.7 MB with
// no dependencies, fast-png 1.3 MB with fflate and iobuffer; and fast-png 8.0.0
// mis-decodes Adam7 images below 8 bits per sample (a 3×1 2-bit image came back
// as raw bytes [192, 0, 128]), which pngjs gets right.

import pngjs from "pngjs";
import { TorchletError } from "../errors.js";
import { decompress } from "../io/read.js";
import { checkImageSize, type GrayImage } from "./preprocess.js";

/** The 8-byte PNG signature. */
export const PNG_SIGNATURE: readonly number[] = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const COLOR_GRAY = 0;
const COLOR_RGB = 2;
const COLOR_PALETTE = 3;
const COLOR_GRAY_ALPHA = 4;
const COLOR_RGBA = 6;

// Colour type → its name, samples per pixel and the bit depths the PNG spec allows.
const COLOR_TYPES: ReadonlyMap<number, { name: string; channels: number; bitDepths: readonly number[] }> = new Map([
  [COLOR_GRAY, { name: "grayscale", channels: 1, bitDepths: [1, 2, 4, 8, 16] }],
  [COLOR_RGB, { name: "RGB", channels: 3, bitDepths: [8, 16] }],
  [COLOR_PALETTE, { name: "palette", channels: 1, bitDepths: [1, 2, 4, 8] }],
  [COLOR_GRAY_ALPHA, { name: "grayscale+alpha", channels: 2, bitDepths: [8, 16] }],
  [COLOR_RGBA, { name: "RGBA", channels: 4, bitDepths: [8, 16] }],
]);

// Where IHDR's 13 data bytes start: after the signature, IHDR's length and its type.
const IHDR_DATA = 16;
const IHDR_LENGTH = 13;

// Adam7's seven passes: first column and row, and the steps between them (PNG spec, section 8.2).
const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]] as const;

interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  channels: number;
  interlaced: boolean;
}

/**
 * Decodes a PNG into gray values in [0, 1]: every colour type at every bit
 * depth, all filters, Adam7 interlacing, tRNS transparency.
 *
 * @param op names the file in every message, e.g. `"image: digit.png"`.
 * @throws TorchletError BAD_FORMAT for a truncated or corrupt file (CRC, zlib,
 *   filter, palette index), an invalid colour type or bit depth, or image data
 *   of the wrong size; OUT_OF_RANGE past `MAX_IMAGE_SIDE` a side, read from IHDR.
 */
export function decodePng(bytes: Uint8Array, op: string): GrayImage {
  const header = readHeader(bytes, op);
  const { end, imageData } = walkChunks(bytes, header, op);
  checkImageData(imageData, header, op);
  let rgba: ArrayLike<number>;
  try {
    // skipRescale keeps 16-bit and sub-byte samples as stored; palette entries come out 8-bit RGBA.
    rgba = pngjs.PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, end), { skipRescale: true }).data;
  } catch (error) {
    throw new TorchletError(op, "BAD_FORMAT", `is not a valid PNG: ${(error as Error).message}`);
  }
  return { width: header.width, height: header.height, gray: grayOf(rgba, header) };
}

// The signature and IHDR, which must come first, checked before any decoding.
function readHeader(bytes: Uint8Array, op: string): PngHeader {
  const signature = bytes.subarray(0, PNG_SIGNATURE.length);
  if (!PNG_SIGNATURE.every((byte, i) => signature[i] === byte)) {
    if (signature.length < PNG_SIGNATURE.length) throw new TorchletError(op, "BAD_FORMAT", `is ${bytes.length} bytes long, too short for the 8-byte PNG signature (truncated)`);
    throw new TorchletError(op, "BAD_FORMAT", `starts like a PNG but its signature is [${hexBytes(signature)}], expected [${hexBytes(PNG_SIGNATURE)}] (line endings converted by a text-mode transfer?)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < IHDR_DATA + IHDR_LENGTH) throw new TorchletError(op, "BAD_FORMAT", `is truncated: ${bytes.length} bytes end inside the IHDR chunk`);
  const firstType = String.fromCharCode(...bytes.subarray(12, 16));
  if (firstType !== "IHDR" || view.getUint32(8) !== IHDR_LENGTH) {
    throw new TorchletError(op, "BAD_FORMAT", `must start with a ${IHDR_LENGTH}-byte IHDR chunk, but the first chunk is ${JSON.stringify(firstType)} of ${view.getUint32(8)} bytes`);
  }
  const width = view.getUint32(IHDR_DATA);
  const height = view.getUint32(IHDR_DATA + 4);
  const [bitDepth, colorType, , , interlace] = bytes.subarray(IHDR_DATA + 8, IHDR_DATA + IHDR_LENGTH) as unknown as number[];
  checkImageSize(op, width, height, "the PNG header");
  const color = COLOR_TYPES.get(colorType!);
  if (color === undefined) {
    throw new TorchletError(op, "BAD_FORMAT", `has PNG colour type ${colorType}; supported are 0 (grayscale), 2 (RGB), 3 (palette), 4 (grayscale+alpha) and 6 (RGBA)`);
  }
  if (!color.bitDepths.includes(bitDepth!)) {
    throw new TorchletError(op, "BAD_FORMAT", `has bit depth ${bitDepth} for colour type ${colorType} (${color.name}); PNG allows ${color.bitDepths.join(", ")}`);
  }
  if (interlace !== 0 && interlace !== 1) {
    throw new TorchletError(op, "BAD_FORMAT", `has interlace method ${interlace} in IHDR; PNG defines 0 (none) and 1 (Adam7)`);
  }
  return { width, height, bitDepth: bitDepth!, colorType: colorType!, channels: color.channels, interlaced: interlace === 1 };
}

// Walks the chunks up to IEND, checking each CRC and refusing what pngjs would
// silently skip; returns where IEND ends and the IDAT chunks' data.
function walkChunks(bytes: Uint8Array, header: PngHeader, op: string): { end: number; imageData: Uint8Array[] } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const imageData: Uint8Array[] = [];
  let offset = PNG_SIGNATURE.length;
  for (let type = "IHDR"; type !== "IEND"; offset += 12 + view.getUint32(offset)) {
    if (offset + 12 > bytes.length || offset + 12 + view.getUint32(offset) > bytes.length) {
      const where = offset === bytes.length ? `after chunk "${type}"` : `inside the chunk at byte ${offset}`;
      throw new TorchletError(op, "BAD_FORMAT", `is truncated: the file ends at byte ${bytes.length}, ${where}, without the IEND chunk that closes a PNG`);
    }
    const length = view.getUint32(offset);
    type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    const stored = view.getUint32(offset + 8 + length);
    const computed = crc32(bytes.subarray(offset + 4, offset + 8 + length));
    if (stored !== computed) {
      throw new TorchletError(op, "BAD_FORMAT", `chunk ${JSON.stringify(type)} at byte ${offset} has CRC ${hex32(stored)} but its bytes give ${hex32(computed)} (the file is corrupt)`);
    }
    if (type === "IDAT") imageData.push(bytes.subarray(offset + 8, offset + 8 + length));
    else if (type === "IHDR" && offset !== PNG_SIGNATURE.length) throw new TorchletError(op, "BAD_FORMAT", `has a second IHDR chunk at byte ${offset}; a PNG has exactly one`);
    else if (type === "PLTE" && (length === 0 || length % 3 !== 0 || length > 256 * 3)) {
      throw new TorchletError(op, "BAD_FORMAT", `PLTE chunk has ${length} bytes; it must hold 1 to 256 RGB entries of 3 bytes`);
    } else if (type === "tRNS" && header.colorType !== COLOR_PALETTE && length !== 2 * header.channels) {
      throw new TorchletError(op, "BAD_FORMAT", `tRNS chunk has ${length} bytes; for colour type ${header.colorType} it must have ${2 * header.channels}`);
    } else if (/^[A-Z]/.test(type) && !["IHDR", "PLTE", "IEND"].includes(type)) {
      throw new TorchletError(op, "BAD_FORMAT", `has critical chunk ${JSON.stringify(type)} at byte ${offset}, which torchlet does not understand (it knows IHDR, PLTE, IDAT, IEND)`);
    }
  }
  if (imageData.length === 0) throw new TorchletError(op, "BAD_FORMAT", "has no IDAT chunk, so no image data");
  return { end: offset, imageData };
}

// Inflates the image data with a cap at the size the header implies, and checks it is exactly that size.
function checkImageData(imageData: readonly Uint8Array[], header: PngHeader, op: string): void {
  const compressed = new Uint8Array(imageData.reduce((total, part) => total + part.length, 0));
  imageData.reduce((at, part) => (compressed.set(part, at), at + part.length), 0);
  const expected = filteredLength(header);
  const image = `a ${header.width}×${header.height} image at bit depth ${header.bitDepth}, colour type ${header.colorType}${header.interlaced ? ", Adam7" : ""}`;
  const scanlines = decompress(op, "zlib", compressed, "PNG image data (IDAT)", { maxBytes: expected, code: "BAD_FORMAT", why: `(what ${image} needs)` });
  if (scanlines.length !== expected) {
    throw new TorchletError(op, "BAD_FORMAT", `PNG image data inflates to ${scanlines.length} bytes, but ${image} needs ${expected}`);
  }
}

// Bytes of the filtered scanlines (a filter byte plus packed samples per row), over the seven passes when interlaced.
function filteredLength(header: PngHeader): number {
  const bitsPerPixel = header.channels * header.bitDepth;
  const rows = (width: number, height: number): number => (width === 0 ? 0 : height * (1 + Math.ceil((width * bitsPerPixel) / 8)));
  if (!header.interlaced) return rows(header.width, header.height);
  let total = 0;
  for (const [x0, y0, dx, dy] of ADAM7) total += rows(Math.ceil((header.width - x0) / dx), Math.ceil((header.height - y0) / dy));
  return total;
}

// ITU-R BT.601 luma, the weights PIL's convert("L") uses.
function luminance(r: number, g: number, b: number): number {
  return 0.299 * r + 0.587 * g + 0.114 * b;
}

// One gray value per pixel from pngjs's RGBA samples (gray replicated into
// R, G and B; a tRNS key colour already made fully transparent).
function grayOf(rgba: ArrayLike<number>, header: PngHeader): Float32Array {
  const { colorType } = header;
  const max = colorType === COLOR_PALETTE ? 255 : 2 ** header.bitDepth - 1;
  const isGray = colorType === COLOR_GRAY || colorType === COLOR_GRAY_ALPHA;
  const gray = new Float32Array(header.width * header.height);
  for (let i = 0; i < gray.length; i++) {
    const r = rgba[4 * i]!, g = rgba[4 * i + 1]!, b = rgba[4 * i + 2]!, alpha = rgba[4 * i + 3]!;
    gray[i] = ((isGray ? r : luminance(r, g, b)) / max) * (alpha / max);
  }
  return gray;
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

function hex32(value: number): string {
  return `0x${value.toString(16).padStart(8, "0")}`;
}

function hexBytes(bytes: ArrayLike<number>): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
}
