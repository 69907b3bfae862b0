// Reading files and decompressing their bytes (Node only). The one place where
// a file-system failure becomes a TorchletError (a missing file is NOT_FOUND)
// and where zlib output is capped, for every reader: safetensors and
// checkpoints (io/files.ts), IDX datasets (data/files.ts), images (data/image-node.ts).

import { readFileSync } from "node:fs";
import { gunzipSync, inflateSync } from "node:zlib";
import { TorchletError, type ErrorCode } from "../errors.js";

/**
 * Wraps a Node file-system error as a TorchletError: NOT_FOUND when the file
 * or a directory on its path does not exist, INVALID_ARGUMENT otherwise (a
 * directory, no permission, a full disk). The message reads `<op>: <action>: <reason>`.
 *
 * @param op names the file, e.g. `"idx: train-images-idx3-ubyte"` or the path itself.
 * @param action what failed, e.g. `"could not read"`.
 */
export function fileError(op: string, action: string, error: unknown): TorchletError {
  const code = errnoCode(error);
  const missing = code === "ENOENT" || code === "ENOTDIR";
  const reason = missing ? "no such file or directory" : error instanceof Error ? error.message : String(error);
  const wrapped = new TorchletError(op, missing ? "NOT_FOUND" : "INVALID_ARGUMENT", `${action}: ${reason}`);
  wrapped.cause = error;
  return wrapped;
}

/**
 * The whole file at `path`, as a plain Uint8Array view (never a Buffer, so
 * callers and test equality see one type).
 *
 * @throws TorchletError from {@link fileError}, action "could not read".
 */
export function readFileBytes(op: string, path: string): Uint8Array {
  let buffer: Buffer;
  try {
    buffer = readFileSync(path);
  } catch (error) {
    throw fileError(op, "could not read", error);
  }
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** How much {@link decompress} may produce, and what to say past it. */
export interface DecompressLimit {
  /** Most bytes the output may have. */
  maxBytes: number;
  /** The error code past the limit: OUT_OF_RANGE for a size policy, BAD_FORMAT when the file itself says less. */
  code: ErrorCode;
  /** Why this is the limit, ending the message, e.g. `"(512 MiB), the most torchlet will gunzip"`. */
  why: string;
}

/**
 * Decompresses gzip (RFC 1952) or zlib (RFC 1950) data, stopping at
 * `limit.maxBytes` so a decompression bomb fails fast instead of exhausting memory.
 *
 * @param what names the data in messages, e.g. `"gzip data"` or `"PNG image data (IDAT)"`.
 * @throws TorchletError `limit.code` past the limit; BAD_FORMAT for corrupt or truncated data.
 */
export function decompress(op: string, format: "gzip" | "zlib", compressed: Uint8Array, what: string, limit: DecompressLimit): Uint8Array {
  const options = { maxOutputLength: limit.maxBytes };
  let buffer: Buffer;
  try {
    buffer = format === "gzip" ? gunzipSync(compressed, options) : inflateSync(compressed, options);
  } catch (error) {
    if (errnoCode(error) === "ERR_BUFFER_TOO_LARGE") {
      throw new TorchletError(op, limit.code, `${what} decompresses to more than ${limit.maxBytes} bytes ${limit.why}`);
    }
    throw new TorchletError(op, "BAD_FORMAT", `corrupt or truncated ${what} (${compressed.length} compressed bytes): ${(error as Error).message}`);
  }
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** The `code` of a Node system error (`"ENOENT"`, ...), if it has one. */
export function errnoCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}
