// Decoding a PGM (Netpbm graymap) digit for `torchlet predict`. Short enough
// to own: a text header and a raw or decimal raster, no compression.
// Pure (no Node imports).

import { TorchletError } from "../errors.js";
import { checkImageSize, type GrayImage } from "./preprocess.js";

/** True when `bytes` start like a PGM: "P5" (binary) or "P2" (ASCII). */
export function isPgm(bytes: Uint8Array): boolean {
  return bytes[0] === CHAR_P && (bytes[1] === CHAR_2 || bytes[1] === CHAR_5);
}

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

/**
 * Decodes a binary `P5` or ASCII `P2` graymap (maxval up to 65535, `#` comments)
 * into gray values in [0, 1].
 *
 * @param op names the file in every message, e.g. `"image: digit.pgm"`.
 * @throws TorchletError BAD_FORMAT for a header that does not parse, a short
 *   raster or a sample above maxval; OUT_OF_RANGE past `MAX_IMAGE_SIDE` (preprocess.ts) a side.
 */
export function decodePgm(bytes: Uint8Array, op: string): GrayImage {
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
  const view = new DataView(raster.buffer, raster.byteOffset, raster.byteLength);
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

function describeByte(byte: number): string {
  return byte >= 0x20 && byte <= 0x7e ? `${JSON.stringify(String.fromCharCode(byte))} (0x${byte.toString(16).padStart(2, "0")})` : `byte 0x${byte.toString(16).padStart(2, "0")}`;
}
