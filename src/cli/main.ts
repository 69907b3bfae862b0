#!/usr/bin/env node
// The `torchlet` command: train, eval, predict, export and summary for LeNet on MNIST
// and Fashion-MNIST. Mistakes on the command line print one line and a usage
// hint (exit 2); failures print the error's message (exit 1); --verbose adds
// the stack.

import { pathToFileURL } from "node:url";
import { realpathSync } from "node:fs";
import { TorchletError } from "../errors.js";
import { setBackend, type BackendName } from "../backend/index.js";
import { wasmSupported } from "../backend/wasm.js";
import { setThreads, defaultThreads } from "../backend/threads.js";
import { enableRelaxedSimd } from "../backend/relaxed-simd-node.js";
import { UsageError, parseFlags, commandUsage, type CommandSpec, type FlagSpec } from "./args.js";
import { DATASET_NAMES } from "./weights.js";
import { networkSource } from "./network.js";
import { trainCommand, evalCommand, predictCommand, summaryCommand, version, type Output, type TrainOptions } from "./commands.js";
import { exportCommand } from "./export.js";
import { ONNX_OPSETS } from "../onnx/export.js";

const model: FlagSpec = { type: "string", placeholder: "lenet|lenet-modern|FILE.mjs", help: "network: d2l's LeNet-5 (sigmoid, average pooling), the ReLU/max-pool variant, or your own: an ES module whose default export returns an nn.Module taking (N, 784) to (N, 10) (see examples/custom-model.mjs)" };
const dataset: FlagSpec = { type: "choice", choices: DATASET_NAMES, help: "dataset: the 10,000 embedded MNIST digits (or --data), or Fashion-MNIST" };
const data: FlagSpec = { type: "string", placeholder: "DIR", help: "directory with the four IDX files (plain or .gz)" };
const json: FlagSpec = { type: "boolean", help: "machine-readable JSON lines on stdout" };
const verbose: FlagSpec = { type: "boolean", help: "print stack traces on errors" };
const help: FlagSpec = { type: "boolean", help: "show this help" };
const weights: FlagSpec = { type: "string", placeholder: "FILE", help: "weights file (.safetensors) written by train --out; files without \"model\" metadata (e.g. from PyTorch) need --model" };
const loadedModel: FlagSpec = { ...model, help: "network the weights are for (default: the file's metadata, a model name or the path of the module that built it; required when the file does not say, or when that module has moved)" };
const allowNonfinite: FlagSpec = { type: "boolean", help: "use weights holding NaN or ±Infinity (refused by default: they come from a diverged run or a damaged file)" };

/** Every command with its flags. */
export const COMMANDS: Record<string, CommandSpec> = {
  train: {
    summary: "Train LeNet with d2l's recipe (SGD lr 0.9, batch 256, 10 epochs, Xavier init) and print one line per epoch.",
    flags: {
      model: { ...model, default: "lenet" },
      dataset: { ...dataset, default: "mnist" },
      data,
      epochs: { type: "int", min: 1, max: 100_000, default: 10, help: "passes over the training set" },
      "batch-size": { type: "int", min: 1, max: 65_536, default: 256, help: "examples per step" },
      lr: { type: "number", min: 0, minExclusive: true, max: 1e6, help: "learning rate (default 0.9 for sgd, 0.001 for adam)" },
      optimizer: { type: "choice", choices: ["sgd", "adam"], default: "sgd", help: "optimizer" },
      momentum: { type: "number", min: 0, max: 0.999999, default: 0, help: "SGD momentum" },
      "weight-decay": { type: "number", min: 0, max: 1e6, default: 0, help: "L2 penalty" },
      seed: { type: "int", min: 0, max: 2 ** 53 - 1, default: 0, help: "seed for the initial weights and the shuffling" },
      limit: { type: "int", min: 1, max: 2 ** 31 - 1, placeholder: "N", help: "train on the first N training examples only" },
      out: { type: "string", placeholder: "FILE", help: "save the trained weights (.safetensors, PyTorch state_dict names); every output path is checked before training starts" },
      plot: { type: "string", placeholder: "FILE", help: "write the loss/accuracy chart as an SVG file" },
      checkpoint: { type: "string", placeholder: "FILE", help: "save a checkpoint (weights, optimizer and shuffling state, position) after every epoch, atomically" },
      "checkpoint-every": { type: "int", min: 1, max: 2 ** 31 - 1, placeholder: "N", help: "also save a checkpoint every N batches" },
      resume: { type: "string", placeholder: "FILE", help: "continue the run saved in this checkpoint (same options; keeps checkpointing to it); ends bit-identical to an uninterrupted run" },
      backend: { type: "choice", choices: ["wasm", "ts"], help: "kernels: WebAssembly SIMD or the plain TypeScript reference (default: wasm when available)" },
      threads: { type: "int", min: 1, max: 256, placeholder: "N", help: "threads for the wasm kernels (default: all cores)" },
      json,
      verbose,
      help,
    },
  },
  eval: {
    summary: "Test accuracy and loss of saved weights.",
    flags: { weights, model: loadedModel, dataset, data, "batch-size": { type: "int", min: 1, max: 65_536, default: 256, help: "examples per batch" }, "allow-nonfinite": allowNonfinite, json, verbose, help },
  },
  predict: {
    summary: "Class probabilities for one test example (by index) or one 28×28 PNG/PGM image (white digit on black, or inverted automatically).",
    flags: { weights, model: loadedModel, dataset, data, "allow-nonfinite": allowNonfinite, json, verbose, help },
    positionals: ["index-or-image"],
  },
  export: {
    summary: "Write saved weights as an ONNX model, for ONNX Runtime and other engines (input (batch, 1, 28, 28), output logits).",
    flags: { weights, model: loadedModel, onnx: { type: "string", placeholder: "FILE", help: "the .onnx file to write (atomically)" }, opset: { type: "int", min: ONNX_OPSETS.min, max: ONNX_OPSETS.max, default: ONNX_OPSETS.default, help: "ONNX operator set version" }, "allow-nonfinite": allowNonfinite, json, verbose, help },
  },
  summary: {
    summary: "Print the layer-by-layer output shapes of the network, as in d2l's LeNet lesson.",
    flags: { model: { ...model, default: "lenet" }, verbose, help },
  },
};

/** The overview printed by `torchlet --help`. */
export function overview(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length)) + 2;
  return [
    `torchlet ${version()}: LeNet-5 in TypeScript`,
    "",
    "Usage: torchlet <command> [options]",
    "",
    "Commands:",
    ...Object.entries(COMMANDS).map(([name, spec]) => `  ${name.padEnd(width)}${spec.summary}`),
    "",
    'Run "torchlet <command> --help" or "torchlet help <command>" for the options of a command.',
    "",
    "--model also takes your own network: the path of an ES module (.mjs) whose default export takes",
    "{ generator } and returns an nn.Module mapping (N, 784) images to (N, 10) logits; see",
    "examples/custom-model.mjs. Weights trained with it record the module's path, for eval and predict.",
    "",
    "Output files (--out, --plot, --checkpoint, --onnx) are written atomically (a temporary file, then a rename): an",
    "existing regular file keeps its permissions, a symbolic link is followed and the file it points to is",
    "replaced, and a FIFO, device, socket or directory is refused. Two outputs naming the same file are refused.",
  ].join("\n");
}

/** Runs the CLI on `argv` (without "node" and the script) and returns the exit code (async: --model FILE.mjs is imported). */
export async function run(argv: readonly string[], io: Output): Promise<number> {
  let verboseErrors = argv.includes("--verbose");
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === "--help" || command === "-h") {
      io.out.write(overview() + "\n");
      return 0;
    }
    if (command === "help") {
      io.out.write(helpFor(rest) + "\n");
      return 0;
    }
    if (command === "--version") {
      io.out.write(version() + "\n");
      return 0;
    }
    const spec = COMMANDS[command];
    if (spec === undefined) throw new UsageError(`unknown command "${command}" (commands: ${Object.keys(COMMANDS).join(", ")})`);
    const { flags, positionals } = parseFlags(command, rest, spec);
    verboseErrors = flags.verbose === true;
    if (flags.help === true) {
      io.out.write(commandUsage(command, spec) + "\n");
      return 0;
    }
    selectKernels(flags.backend as BackendName | undefined, flags.threads as number | undefined, command);
    await dispatch(command, flags, positionals, io);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      const hint = error.command ? `run "torchlet ${error.command} --help" for its options` : 'run "torchlet --help" for the commands';
      io.err.write(`torchlet: ${error.message}\n${hint}\n`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.err.write(error instanceof TorchletError ? `torchlet: ${message}\n` : `torchlet: unexpected error: ${message}\n`);
    if (verboseErrors && error instanceof Error && error.stack) io.err.write(error.stack + "\n");
    return 1;
  }
}

/** `torchlet help [command]`: the overview, or one command's usage. */
function helpFor(args: readonly string[]): string {
  if (args.length === 0) return overview();
  const [name, ...extra] = args;
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}" (usage: torchlet help [command])`);
  const spec = COMMANDS[name!];
  if (spec === undefined) throw new UsageError(`unknown command "${name}" (commands: ${Object.keys(COMMANDS).join(", ")})`);
  return commandUsage(name!, spec);
}

type Flags = Record<string, string | number | boolean | undefined>;

// Training uses every core by default; --backend ts is single-threaded by nature.
function selectKernels(backend: BackendName | undefined, threads: number | undefined, command: string): void {
  if (backend === "ts") {
    if (threads !== undefined && threads !== 1) throw new UsageError("--threads applies to the wasm backend only", command);
    setBackend("ts");
    return;
  }
  if (backend !== "wasm" && !wasmSupported()) return;
  enableRelaxedSimd(); // Node 20 has relaxed SIMD's fused multiply-add behind a V8 flag; the CLI turns it on
  if (command === "train") setThreads(threads ?? defaultThreads());
}

async function dispatch(command: string, flags: Flags, positionals: string[], io: Output): Promise<void> {
  const str = (name: string) => flags[name] as string | undefined;
  const num = (name: string) => flags[name] as number | undefined;
  const required = (name: string): string => {
    const value = str(name);
    if (value === undefined) throw new UsageError(`--${name} is required`, command);
    return value;
  };
  const model = async () => (str("model") === undefined ? undefined : await networkSource(str("model")!, command));
  switch (command) {
    case "train": {
      const options: TrainOptions = {
        model: (await model())!,
        dataset: str("dataset") as TrainOptions["dataset"],
        data: str("data"),
        epochs: num("epochs")!,
        batchSize: num("batch-size")!,
        lr: num("lr"),
        optimizer: str("optimizer") as TrainOptions["optimizer"],
        momentum: num("momentum")!,
        weightDecay: num("weight-decay")!,
        seed: num("seed")!,
        limit: num("limit"),
        out: str("out"),
        plot: str("plot"),
        json: flags.json === true,
        checkpoint: str("checkpoint"),
        checkpointEvery: num("checkpoint-every"),
        resume: str("resume"),
      };
      if (options.optimizer === "adam" && options.momentum !== 0) throw new UsageError("--momentum applies to --optimizer sgd only", command);
      if (options.checkpointEvery !== undefined && options.checkpoint === undefined && options.resume === undefined) {
        throw new UsageError("--checkpoint-every needs --checkpoint FILE (or --resume FILE) to write to", command);
      }
      trainCommand(options, io);
      return;
    }
    case "eval":
      await evalCommand({ weights: required("weights"), model: await model(), dataset: str("dataset") as TrainOptions["dataset"] | undefined, data: str("data"), batchSize: num("batch-size")!, json: flags.json === true, allowNonFinite: flags["allow-nonfinite"] === true }, io);
      return;
    case "predict":
      await predictCommand({ weights: required("weights"), model: await model(), dataset: str("dataset") as TrainOptions["dataset"] | undefined, data: str("data"), json: flags.json === true, allowNonFinite: flags["allow-nonfinite"] === true }, positionals[0]!, io);
      return;
    case "export":
      await exportCommand({ weights: required("weights"), model: await model(), onnx: required("onnx"), opset: num("opset")!, allowNonFinite: flags["allow-nonfinite"] === true, json: flags.json === true }, io);
      return;
    case "summary":
      summaryCommand({ model: (await model())! }, io);
      return;
  }
}

// Run only when executed as the binary, not when imported by tests.
const invoked = process.argv[1];
if (invoked !== undefined && import.meta.url === pathToFileURL(realpathSync(invoked)).href) {
  // A reader that stops early (`torchlet summary | head -3`) closes the pipe: that ends the
  // output, as for any Unix tool, instead of an unhandled EPIPE stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error;
      process.exit(process.exitCode ?? 0);
    });
  }
  process.exitCode = await run(process.argv.slice(2), { out: process.stdout, err: process.stderr });
}
