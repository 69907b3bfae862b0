// Saving and loading safetensors files on disk (Node only; safetensors.ts is
// the browser-safe part).
//
// Saving never leaves a torn file: the bytes go to a temporary file in the
// same directory, which is flushed to disk and then renamed over the target.
// rename is atomic within one file system, so after a crash the target holds
// either the old contents or the new ones. Only a regular file (or nothing)
// is ever replaced: renaming over a FIFO or a device node would destroy it.

import { randomBytes } from "node:crypto";
import { closeSync, fchmodSync, fsyncSync, lstatSync, openSync, realpathSync, renameSync, rmSync, statSync, writeSync, type Stats } from "node:fs";
import { basename, dirname, join } from "node:path";
import { TorchletError, checkArity } from "../errors.js";
import { errnoCode, fileError, readFileBytes } from "./read.js";
import { deserialize, serialize, type SafetensorsContents, type StateDict } from "./safetensors.js";

/** Errors from fsync on a directory that mean "this platform cannot do that" (Windows, some network file systems), not failure. */
const DIRECTORY_SYNC_UNSUPPORTED = new Set(["EISDIR", "EINVAL", "EPERM"]);

/**
 * Replaces the file at `path` with `bytes` atomically: a crash at any point
 * leaves either the old file or the new one, never a partial one.
 *
 * Writes `.<base>.<pid>.<random>.tmp` next to the target, fsyncs and closes it,
 * renames it over the target, then fsyncs the directory so the rename itself is durable.
 * On failure the temporary file is removed.
 *
 * What is replaced (checked by `outputTarget` first): a regular file keeps its permission bits (a
 * 600 file stays 600); a symbolic link is followed, so the link stays and the file it points
 * to is replaced; a FIFO, device, socket or directory is refused, never replaced.
 *
 * @throws TorchletError naming `path`: NOT_FOUND when its directory does not exist, INVALID_ARGUMENT for a
 *   target that is not a regular file and for other I/O failures.
 */
export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  checkArity("writeFileAtomic", arguments, ["path", "bytes"]);
  const target = outputTarget(path);
  const directory = dirname(target.path);
  const temp = temporaryPath(target.path);
  let fd: number | undefined;
  try {
    fd = openSync(temp, "wx");
    writeAll(fd, bytes);
    if (target.mode !== undefined) fchmodSync(fd, target.mode);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, target.path);
  } catch (error) {
    closeQuietly(fd);
    ignoreErrors(() => rmSync(temp, { force: true }));
    throw fileError(path, "could not write", error);
  }
  syncDirectory(directory, path);
}

/** Where {@link writeFileAtomic} writes for a `path`: the file itself, or the file a symbolic link points to. */
export interface OutputTarget {
  /** The file that will be replaced or created. */
  path: string;
  /** Permission bits of the existing regular file (kept by the write), or undefined when it does not exist yet. */
  mode: number | undefined;
}

/**
 * Resolves and checks where writing `path` would go, without writing: its directory must exist and be a
 * directory; the target must be a regular file or not exist. A symbolic link is followed to the file it
 * points to (which must exist and be a regular file), so writing through a link updates that file and
 * keeps the link.
 * @throws TorchletError naming `path` (message `could not write: ...`): NOT_FOUND for a missing directory
 *   or a dangling link, INVALID_ARGUMENT for a directory, FIFO, device or socket.
 */
export function outputTarget(path: string): OutputTarget {
  let stats: Stats;
  try {
    stats = lstatSync(path);
  } catch (error) {
    if (errnoCode(error) !== "ENOENT" && errnoCode(error) !== "ENOTDIR") throw fileError(path, "could not write", error);
    checkDirectory(path, dirname(path));
    return { path, mode: undefined };
  }
  let real = path;
  if (stats.isSymbolicLink()) {
    try {
      real = realpathSync(path);
      stats = statSync(real);
    } catch (error) {
      throw refusal(path, "NOT_FOUND", "it is a symbolic link to a file that does not exist (give the target's path instead)", error);
    }
  }
  if (!stats.isFile()) throw refusal(path, "INVALID_ARGUMENT", `${real === path ? "it" : `it links to ${real}, which`} is ${fileKind(stats)}; torchlet writes only regular files`);
  return { path: real, mode: stats.mode & 0o7777 };
}

/**
 * Checks that {@link writeFileAtomic} can write `path`, by {@link outputTarget} and then by creating and
 * removing a temporary file beside the target (so a read-only or virtual file system like /proc is caught).
 * Lets a long job refuse a bad output path before it starts instead of after it ends.
 * @throws TorchletError naming `path`, as {@link outputTarget}, or INVALID_ARGUMENT/NOT_FOUND when the directory refuses new files.
 */
export function checkWritable(path: string): void {
  const target = outputTarget(path);
  const probe = temporaryPath(target.path);
  try {
    closeSync(openSync(probe, "wx"));
  } catch (error) {
    throw refusal(path, "INVALID_ARGUMENT", `cannot create files in ${dirname(target.path)} (${errnoCode(error) ?? String(error)})`, error);
  }
  ignoreErrors(() => rmSync(probe, { force: true }));
}

/** The temporary file writeFileAtomic writes before renaming it over `target`: `.<base>.<pid>.<random>.tmp` beside it. */
export function temporaryPath(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
}

// The directory a new file would go into must exist and be a directory.
function checkDirectory(path: string, directory: string): void {
  let stats: Stats;
  try {
    stats = statSync(directory);
  } catch (error) {
    const code = errnoCode(error);
    if (code === "ENOENT") throw refusal(path, "NOT_FOUND", `its directory ${directory} does not exist`, error);
    if (code === "ENOTDIR") throw refusal(path, "NOT_FOUND", `its directory ${directory} is not a directory (part of the path is a file)`, error);
    throw fileError(path, "could not write", error);
  }
  if (!stats.isDirectory()) throw refusal(path, "NOT_FOUND", `its directory ${directory} is ${fileKind(stats)}, not a directory`);
}

function fileKind(stats: Stats): string {
  if (stats.isDirectory()) return "a directory";
  if (stats.isFIFO()) return "a FIFO (named pipe)";
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return "a device";
  if (stats.isSocket()) return "a socket";
  if (stats.isFile()) return "a regular file";
  return "not a regular file";
}

function refusal(path: string, code: "NOT_FOUND" | "INVALID_ARGUMENT", reason: string, cause?: unknown): TorchletError {
  const error = new TorchletError(path, code, `could not write: ${reason}`);
  if (cause !== undefined) error.cause = cause;
  return error;
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
  checkArity("save", arguments, ["source", "path", "metadata"]);
  const tensors = hasStateDict(source) ? source.stateDict() : source;
  writeFileAtomic(path, serialize(tensors, metadata));
}

/**
 * Loads the tensors of the safetensors file at `path` (F16/BF16/F64 converted to float32).
 *
 * @throws TorchletError NOT_FOUND for a missing file, BAD_FORMAT for a malformed one; messages start with `path`.
 */
export function load(path: string): StateDict {
  checkArity("load", arguments, ["path"], "torchlet's load reads float32 tensors and takes no options yet");
  return loadWithMetadata(path).tensors;
}

/**
 * Loads the tensors and the `__metadata__` strings of the safetensors file at `path`.
 *
 * @throws TorchletError NOT_FOUND for a missing file, BAD_FORMAT for a malformed one; messages start with `path`.
 */
export function loadWithMetadata(path: string): SafetensorsContents {
  checkArity("loadWithMetadata", arguments, ["path"]);
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
