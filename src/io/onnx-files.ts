// ONNX models on disk (Node only; src/onnx is the browser-safe part).
// Writing goes through writeFileAtomic: a crash leaves the old file or the new one, never a torn one.

import { TorchletError, checkArity } from "../errors.js";
import type { Module } from "../nn/module.js";
import type { Sequential } from "../nn/layers.js";
import { toOnnx, fromOnnx, type OnnxExportOptions } from "../onnx/index.js";
import { writeFileAtomic } from "./files.js";
import { readFileBytes } from "./read.js";

/**
 * Writes `module` as an ONNX model to `path`, atomically (see {@link toOnnx} for the options).
 * @throws TorchletError from toOnnx (a layer with no ONNX mapping, shapes that do not fit) or naming `path`.
 * @example saveOnnx("lenet.onnx", net, { inputShape: [1, 1, 28, 28] });
 */
export function saveOnnx(path: string, module: Module, options: OnnxExportOptions): void {
  checkArity("saveOnnx", arguments, ["path", "module", "options"]);
  writeFileAtomic(path, toOnnx(module, options));
}

/**
 * Reads the ONNX model at `path` as a torchlet Sequential (see {@link fromOnnx}).
 * @throws TorchletError whose message starts with `path`: NOT_FOUND for a missing file, else what fromOnnx reports.
 */
export function loadOnnx(path: string): Sequential {
  checkArity("loadOnnx", arguments, ["path"]);
  const op = `onnx: ${path}`;
  const bytes = readFileBytes(op, path);
  try {
    return fromOnnx(bytes);
  } catch (error) {
    if (error instanceof TorchletError) throw new TorchletError(op, error.code, error.message);
    throw error;
  }
}
