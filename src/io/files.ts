// Saving and loading safetensors files on disk (Node only; safetensors.ts is
// the browser-safe part).
//
// Saving never leaves a torn file: the bytes go to a temporary file in the
// same directory, which is flushed to disk and then renamed over the target.
// rename is atomic within one file system, so after a crash the target holds
// either the old contents or the new ones.

import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { errnoCode, fileError, readFileBytes } from "./read.js";
import { deserialize, serialize, type SafetensorsContents, type StateDict } from "./safetensors.js";

/** Errors from fsync on a directory that mean "this platform cannot do that" (Windows, some network file systems), not failure. */
const DIRECTORY_SYNC_UNSUPPORTED = new Set(["EISDIR", "EINVAL", "EPERM"]);

/**
 * Replaces the file at `path` with `bytes` atomically: a crash at any point
 * leaves either the old file or the new one, never a partial one.
 *
 * Writes `.<base>.<pid>.<random>.tmp` next to the target, fsyncs and closes it,
 * renames it over `path`, then fsyncs the directory so the rename itself is durable.
 * On failure the temporary file is removed.
 *
 * @throws TorchletError naming `path`: NOT_FOUND when its directory does not exist, INVALID_ARGUMENT for other I/O failures.
 */
export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  const directory = dirname(path);
  const temp = join(directory, `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, "wx");
    writeAll(fd, bytes);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, path);
  } catch (error) {
    closeQuietly(fd);
    ignoreErrors(() => rmSync(temp, { force: true }));
    throw fileError(path, "could not write", error);
  }
  syncDirectory(directory, path);
}

/**
 * Saves tensors to a safetensors file at `path`, atomically (see {@link writeFileAtomic}).
 * Nothing is written if serialization fails, so an existing file stays intact.
 *
 * @param source a state dict, or a module with `stateDict()`.
 * @param metadata optional free-form strings stored as `__metadata__`.
 * @example
 * save(model, "lenet.safetensors", { epoch: "10" });
 */
export function save(source: StateDict | { stateDict(): StateDict }, path: string, metadata?: Record<string, string>): void {
  const tensors = hasStateDict(source) ? source.stateDict() : source;
  writeFileAtomic(path, serialize(tensors, metadata));
}

/**
 * Loads the tensors of the safetensors file at `path` (F16/BF16/F64 converted to float32).
 *
 * @throws TorchletError NOT_FOUND for a missing file, BAD_FORMAT for a malformed one; messages start with `path`.
 */
export function load(path: string): StateDict {
  return loadWithMetadata(path).tensors;
}

/**
 * Loads the tensors and the `__metadata__` strings of the safetensors file at `path`.
 *
 * @throws TorchletError NOT_FOUND for a missing file, BAD_FORMAT for a malformed one; messages start with `path`.
 */
export function loadWithMetadata(path: string): SafetensorsContents {
  return deserialize(readFileBytes(path, path), path);
}

/** Writes all of `bytes`: writeSync may write fewer bytes than asked. */
function writeAll(fd: number, bytes: Uint8Array): void {
  for (let written = 0; written < bytes.length;) {
    written += writeSync(fd, bytes, written, bytes.length - written);
  }
}

/** Flushes `directory`'s entry list so a rename in it survives a power loss. */
function syncDirectory(directory: string, target: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(directory, "r");
    fsyncSync(fd);
  } catch (error) {
    const code = errnoCode(error);
    if (code === undefined || !DIRECTORY_SYNC_UNSUPPORTED.has(code)) {
      throw fileError(target, "was written but its directory could not be synced", error);
    }
  } finally {
    closeQuietly(fd);
  }
}

/** True when `source` is a module-like object rather than a plain state dict. */
function hasStateDict(source: unknown): source is { stateDict(): StateDict } {
  return typeof source === "object" && source !== null && typeof (source as { stateDict?: unknown }).stateDict === "function";
}

/** Closes `fd` if it is open, during cleanup. */
function closeQuietly(fd: number | undefined): void {
  if (fd !== undefined) ignoreErrors(() => closeSync(fd));
}

/** Runs best-effort cleanup whose failure must not hide the error being reported. */
function ignoreErrors(cleanup: () => void): void {
  try {
    cleanup();
  } catch {
    // The original error is the one worth reporting.
  }
}
