// `torchlet export`: saved weights as an ONNX model, for ONNX Runtime and the
// engines that read ONNX (TensorRT, OpenVINO, Core ML converters, ...).

import { statSync } from "node:fs";
import { saveOnnx } from "../io/onnx-files.js";
import type { Output } from "./commands.js";
import { checkOutputs } from "./outputs.js";
import { networkName, type NetworkSource } from "./network.js";
import { loadModel } from "./weights.js";

/** Options of `torchlet export`. */
export interface ExportOptions {
  /** The .safetensors file to read. */
  weights: string;
  /** The network the weights are for (default: the file's metadata). */
  model?: NetworkSource;
  /** The .onnx file to write, atomically. */
  onnx: string;
  /** ONNX operator set version (11–17). */
  opset: number;
  /** Export weights holding NaN or ±Infinity anyway. */
  allowNonFinite: boolean;
  json: boolean;
}

/**
 * Loads the weights into their network and writes it as ONNX: input "input" (batch, 1, 28, 28), output
 * "output" (batch, 10) logits, the batch dynamic. Prints where it went and how big it is.
 */
export async function exportCommand(options: ExportOptions, io: Output): Promise<void> {
  checkOutputs([["onnx", options.onnx]], [["weights", options.weights]]);
  const { net, metadata } = await loadModel(options.weights, options);
  net.eval();
  saveOnnx(options.onnx, net, { inputShape: [1, 1, 28, 28], opset: options.opset });
  const bytes = statSync(options.onnx).size;
  const model = options.model === undefined ? metadata.model : networkName(options.model);
  io.out.write(
    options.json
      ? JSON.stringify({ onnx: options.onnx, model, opset: options.opset, bytes, input: "input", output: "output" }) + "\n"
      : `wrote ${options.onnx} (${model}, ONNX opset ${options.opset}, ${bytes} bytes): input "input" (batch, 1, 28, 28), output "output" (batch, 10) logits\n`,
  );
}
