// The network a CLI command works on: one of torchlet's two LeNets by name, or
// the user's own, built by an ES module given as `--model PATH`.
//
// The contract (documented in README.md "Your own network" and examples/custom-model.mjs):
// the module's default export is a function that takes `{ generator }` (a
// torchlet Generator seeded by --seed, for reproducible initial weights) and
// returns an nn.Module. The CLI feeds it a batch of flattened images, shape
// (N, 784), pixels in [0, 1], as it feeds LeNet (whose first layer is a
// Reshape to (N, 1, 28, 28)), and expects (N, 10) logits. The module must
// import torchlet from the install the CLI runs from, so its classes are the
// CLI's (`instanceof` fails across two copies). Plain node cannot import
// TypeScript, so the module is JavaScript: .mjs, or .js in an ES-module package.

import { existsSync, realpathSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { spawnSync } from "node:child_process";
import { pathToFileURL } from "node:url";
import { TorchletError, closestName, describe, formatShape, isTensorOfAnotherCopy } from "../errors.js";
import { Module } from "../nn/module.js";
import { Tensor, noGrad } from "../tensor/tensor.js";
import type { Generator } from "../tensor/random.js";
import { createModel, MODEL_NAMES, type ModelName } from "../lenet/models.js";
import { UsageError } from "./args.js";

/** How a user's network is named in a weights file's "model" metadata and in a checkpoint: `module:<absolute path>`. */
export const MODULE_PREFIX = "module:";

/** Values per example the CLI feeds a network: a 28×28 image, flattened. */
export const INPUT_FEATURES = 784;

/** Classes of both datasets the CLI knows (digits, Fashion-MNIST's garments). */
export const CLASSES = 10;

/** A user's network: the ES module at `path` whose default export builds it. */
export interface NetworkModule {
  /** The path as the user spelled it (for messages). */
  given: string;
  /** Its absolute real path (what a weights file and a checkpoint record). */
  path: string;
  /** The module's default export, checked to be a function. */
  build: (options: { generator?: Generator }) => unknown;
}

/** What `--model` names: a built-in LeNet, or a user's network module, loaded. */
export type NetworkSource = ModelName | NetworkModule;

/** The name a weights file and a checkpoint record: "lenet", "lenet-modern" or "module:/abs/path/net.mjs". */
export function networkName(source: NetworkSource): string {
  return typeof source === "string" ? source : MODULE_PREFIX + source.path;
}

/** The name messages show: the model's name, or the module path as given. */
export function networkLabel(source: NetworkSource): string {
  return typeof source === "string" ? source : source.given;
}

/**
 * Reads a `--model` value: a built-in name as is, a path ending in .mjs or .js loaded as an ES module.
 * @throws UsageError for anything else (a TypeScript file is named as such); TorchletError as {@link loadNetworkModule}.
 */
export async function networkSource(value: string, command: string): Promise<NetworkSource> {
  if ((MODEL_NAMES as readonly string[]).includes(value)) return value as ModelName;
  if (/\.[mc]?tsx?$/i.test(value)) {
    throw new UsageError(`--model ${value}: plain node cannot import TypeScript; give the network as JavaScript (an ES module ending in .mjs, or .js in a "type": "module" package), e.g. compiled with tsc`, command);
  }
  if (!/\.m?js$/i.test(value)) {
    const guess = closestName(value, MODEL_NAMES);
    throw new UsageError(`--model must be one of ${MODEL_NAMES.join(", ")}; got ${JSON.stringify(value)} (or the path of an ES module, .mjs or .js, that builds your own network${guess === undefined ? "" : `; did you mean ${guess}?`})`, command);
  }
  return loadNetworkModule(value);
}

/**
 * Imports the ES module at `given` and checks that its default export is a function.
 * @throws TorchletError naming the module: NOT_FOUND for a missing file, BAD_FORMAT when it cannot be
 *   loaded (a syntax error with its line, a failing import, an exception at its top level), INVALID_ARGUMENT
 *   for a missing or non-function default export.
 */
export async function loadNetworkModule(given: string): Promise<NetworkModule> {
  const op = `module ${given}`;
  if (!existsSync(given)) throw new TorchletError(op, "NOT_FOUND", `no such file (${resolve(given)})`);
  if (!statSync(given).isFile()) throw new TorchletError(op, "INVALID_ARGUMENT", "is not a file; --model takes the path of an ES module (.mjs or .js)");
  const path = realpathSync(given);
  let exports: Record<string, unknown>;
  try {
    exports = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    throw new TorchletError(op, "BAD_FORMAT", `cannot be loaded: ${importFailure(error, path)}`);
  }
  const build = exports.default;
  if (build === undefined) {
    const names = Object.keys(exports);
    throw new TorchletError(op, "INVALID_ARGUMENT", `has no default export (it exports ${names.length === 0 ? "nothing" : names.join(", ")}); write \`export default function ({ generator }) { return new nn.Sequential(...); }\`, as examples/custom-model.mjs does`);
  }
  if (typeof build !== "function") {
    throw new TorchletError(op, "INVALID_ARGUMENT", `its default export is ${describe(build)}, not a function; export default a function that returns an nn.Module`);
  }
  return { given, path, build: build as NetworkModule["build"] };
}

// Why an import failed. Node's SyntaxError from import() carries no line, so `node --check` (run only
// on this error path) supplies it.
function importFailure(error: unknown, path: string): string {
  const message = error instanceof Error ? error.message : String(error);
  if (!(error instanceof SyntaxError)) return message;
  const check = spawnSync(process.execPath, ["--check", path], { encoding: "utf8", timeout: 10_000 });
  const where = /^(.*:\d+)$/m.exec(check.stderr ?? "")?.[1];
  return `SyntaxError${where === undefined ? "" : ` at ${where}`}: ${message}`;
}

/**
 * A fresh network from `source`, its initial weights drawn from `generator` when given. A user's
 * network is checked: it must be an nn.Module of this copy of torchlet and map a batch of shape
 * (N, 784) to (N, 10) logits.
 * @throws TorchletError naming the module and what is wrong (an exception in the factory, with its message).
 */
export function buildNetwork(source: NetworkSource, generator?: Generator): Module {
  if (typeof source === "string") return createModel(source, generator === undefined ? {} : { generator });
  const op = `module ${source.given}`;
  let net: unknown;
  try {
    net = source.build(generator === undefined ? {} : { generator });
  } catch (error) {
    throw new TorchletError(op, "INVALID_ARGUMENT", `its default export threw while building the network: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof (net as { then?: unknown } | null)?.then === "function") {
    throw new TorchletError(op, "INVALID_ARGUMENT", "its default export returned a Promise; build the network synchronously (await anything you need at the module's top level)");
  }
  if (!(net instanceof Module)) {
    const looksLikeModule = typeof net === "object" && net !== null && ["forward", "parameters", "stateDict"].every((m) => typeof (net as Record<string, unknown>)[m] === "function");
    throw new TorchletError(op, "INVALID_ARGUMENT", looksLikeModule
      ? "its default export returned an nn.Module of another copy of torchlet: import torchlet from the install the CLI runs from (`import { nn } from \"torchlet\"` in a project where torchlet is installed once)"
      : `its default export returned ${describe(net)}, not an nn.Module`);
  }
  checkInterface(net, op);
  return net;
}

// One forward pass of two blank examples: the network must take (N, 784) and give (N, 10), one row per example.
function checkInterface(net: Module, op: string): void {
  const batch = 2; // two, so a network that folds examples together shows it
  const input = `a batch of shape ${formatShape([batch, INPUT_FEATURES])}`;
  const wasTraining = net.training;
  let output: unknown;
  try {
    net.eval();
    output = noGrad(() => net.forward(new Tensor(new Float32Array(batch * INPUT_FEATURES), [batch, INPUT_FEATURES])));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new TorchletError(op, "SHAPE_MISMATCH", `the network cannot take the CLI's input, (N, ${INPUT_FEATURES}): each row a 28×28 image flattened, pixels in [0, 1] (a convnet starts with nn.Reshape(-1, 1, 28, 28)); on ${input} its forward failed: ${message}`);
  } finally {
    net.train(wasTraining);
  }
  if (!(output instanceof Tensor)) {
    throw new TorchletError(op, "INVALID_ARGUMENT", `its forward returned ${isTensorOfAnotherCopy(output) ? "a Tensor of another copy of torchlet" : describe(output)} for ${input}, not a Tensor`);
  }
  const shape = output.shape;
  if (shape.length !== 2 || shape[0] !== batch || shape[1] !== CLASSES) {
    throw new TorchletError(op, "SHAPE_MISMATCH", `the network maps ${input} to ${formatShape(shape)}, but the CLI needs (N, ${CLASSES}) logits: one row per example, one column per class of MNIST and Fashion-MNIST`);
  }
}
