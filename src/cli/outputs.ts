// The files `torchlet train` writes, checked before the first training step:
// each must be writable (an existing directory, a regular file or nothing at
// the path, a file system that takes new files), and no two may be the same
// file, however they are spelled (relative or absolute, through a symbolic
// link), so a finished run never loses its weights to a bad path and one
// output never silently overwrites another.

import { realpathSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { TorchletError } from "../errors.js";
import { checkWritable } from "../io/files.js";
import { UsageError } from "./args.js";

/** An output path and the flag that named it, e.g. `["out", "w.safetensors"]`. */
export type NamedOutput = readonly [flag: string, path: string | undefined];

/**
 * Refuses any two outputs that are the same file, then any output that cannot be written, naming the flags and paths.
 * `reads` are files the run reads before it writes (--resume): an output that is one of them would be
 * overwritten, except by the flag allowed to (the checkpoint continues in the file it resumed from).
 * @throws UsageError (exit 2) for two flags naming one file; TorchletError (exit 1), naming the flag and path, for a path that cannot be written.
 */
export function checkOutputs(outputs: readonly NamedOutput[], reads: readonly NamedOutput[] = [], mayOverwriteRead?: string): void {
  const given = outputs.filter((o): o is readonly [string, string] => o[1] !== undefined);
  const seen = new Map<string, readonly [string, string]>();
  for (const output of given) {
    const first = seen.get(realPath(output[1]));
    if (first !== undefined) throw sameFile(first, output);
    seen.set(realPath(output[1]), output);
  }
  for (const read of reads) {
    const output = read[1] === undefined ? undefined : seen.get(realPath(read[1]));
    if (output !== undefined && output[0] !== mayOverwriteRead) throw sameFile(output, read as readonly [string, string]);
  }
  for (const [flag, path] of given) {
    try {
      checkWritable(path);
    } catch (error) {
      if (error instanceof TorchletError) throw new TorchletError(`--${flag} ${path}`, error.code, error.message.slice(error.op.length + 2));
      throw error;
    }
  }
}

/** The file a path names: its real path, or for a file not yet created, the real path of its directory plus its name. */
export function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    try {
      return join(realpathSync(dirname(path)), basename(path));
    } catch {
      return path; // checkWritable has already refused a path whose directory is missing
    }
  }
}

function sameFile([flag, path]: readonly [string, string], [otherFlag, otherPath]: readonly [string, string]): UsageError {
  const what = (f: string) => ({ out: "the weights", plot: "the plot", checkpoint: "the checkpoint", resume: "the checkpoint to resume from" })[f] ?? `--${f}`;
  const spelled = path === otherPath ? path : `${path} and ${otherPath}`;
  return new UsageError(`--${flag} and --${otherFlag} name the same file (${spelled}); ${what(flag)} and ${what(otherFlag)} need separate files`, "train");
}
