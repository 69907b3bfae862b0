// Reading a digit image (PNG or PGM) for `torchlet predict` (Node only: PNG
// goes through the fast-png library and Node's zlib, which the core library and
// the browser bundle must not depend on; the playground reads its canvas instead).

import { TorchletError, describe, checkArity } from "../errors.js";
import { readFileBytes } from "../io/read.js";
import { decodePgm, isPgm } from "./pgm.js";
import { PNG_SIGNATURE, decodePng } from "./png.js";
import type { GrayImage } from "./preprocess.js";

/**
 * Decodes a PNG or PGM image into gray values in [0, 1].
 *
 * - PNG: every colour type (gray, RGB, palette, gray+alpha, RGBA) at every
 *   bit depth the spec allows (1/2/4/8/16), all five scanline filters, Adam7
 *   interlacing, a `tRNS` transparency chunk. Colour becomes luminance
 *   0.299 R + 0.587 G + 0.114 B, and transparency is composited over black,
 *   MNIST's background. Every chunk's CRC-32 is checked.
 * - PGM: binary `P5` and ASCII `P2`, maxval up to 65535, `#` comments.
 *
 * The size is read from the header first: a side over 1,024 pixels is refused
 * without decoding (a digit for `torchlet predict` must be 28×28 anyway).
 *
 * @param fileName named in every error message.
 * @throws TorchletError BAD_FORMAT when the bytes are not a PNG or PGM (the
 *   message shows the first bytes), are truncated or corrupt, use an invalid
 *   colour type or bit depth, or inflate to the wrong size; OUT_OF_RANGE when a
 *   side exceeds 1,024 pixels (the message says to resize to 28×28).
 * @example const image = decodeImage(readFileSync("digit.png"), "digit.png");
 */
export function decodeImage(bytes: Uint8Array, fileName: string): GrayImage {
  checkArity("decodeImage", arguments, ["bytes", "fileName"]);
  const op = `image: ${fileName}`;
  if (!(bytes instanceof Uint8Array)) {
    throw new TorchletError(op, "INVALID_ARGUMENT", `expected the file's bytes as a Uint8Array, got ${describe(bytes)}`);
  }
  // "\x89PNG" is enough to recognise a PNG whose line-ending bytes were mangled, and say so.
  if (PNG_SIGNATURE.slice(0, 4).every((byte, i) => bytes[i] === byte)) return decodePng(bytes, op);
  if (isPgm(bytes)) return decodePgm(bytes, op);
  throw new TorchletError(op, "BAD_FORMAT", `is not a PNG or PGM (P5/P2) image: ${describeStart(bytes)}`);
}

/**
 * Reads and decodes the PNG or PGM image at `path` into gray values in [0, 1]
 * (see {@link decodeImage} for the formats supported).
 *
 * @throws TorchletError NOT_FOUND if the file does not exist; INVALID_ARGUMENT
 *   if it cannot be read (a directory, no permission); the errors of
 *   {@link decodeImage} for a malformed image. Every message names `path`.
 * @example const input = toMnistInput(readImageFile("seven.png"), "seven.png");
 */
export function readImageFile(path: string): GrayImage {
  checkArity("readImageFile", arguments, ["path"]);
  return decodeImage(readFileBytes(`image: ${path}`, path), path);
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
  const known = KNOWN_SIGNATURES.find((signature) => signature.bytes.every((byte, i) => bytes[i] === byte));
  const guess = known === undefined ? "" : `; it looks like ${known.name}, convert it to PNG`;
  const hex = (values: ArrayLike<number>): string => Array.from(values, (b) => b.toString(16).padStart(2, "0")).join(" ");
  return `it starts with bytes [${hex(start)}] (${JSON.stringify(text)}); PNG starts with [${hex(PNG_SIGNATURE)}], PGM with "P5" or "P2"${guess}`;
}
