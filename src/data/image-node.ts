// Reading a digit image from disk (Node only); image.ts is the browser-safe
// decoder this feeds with the file's bytes and Node's zlib.

import { readFileSync } from "node:fs";
import { inflateSync } from "node:zlib";
import { TorchletError } from "../errors.js";
import { decodeImage, type GrayImage } from "./image.js";

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
  let buffer: Buffer;
  try {
    buffer = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") throw new TorchletError(`image: ${path}`, "NOT_FOUND", "no such file");
    throw new TorchletError(`image: ${path}`, "INVALID_ARGUMENT", `cannot read the file: ${(error as Error).message}`);
  }
  return decodeImage(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength), path, inflateAtMost);
}

// zlib inflate that stops at `maxLength` bytes, so a small file claiming a
// huge image, or a decompression bomb, fails fast instead of exhausting memory.
function inflateAtMost(data: Uint8Array, maxLength: number): Uint8Array {
  let buffer: Buffer;
  try {
    buffer = inflateSync(data, { maxOutputLength: maxLength });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") {
      throw new Error(`it inflates to more than the ${maxLength} bytes the header implies`);
    }
    throw error;
  }
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
