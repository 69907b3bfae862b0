// LeNet-5 as taught in Dive into Deep Learning (d2l.ai, chapter "Convolutional
// Neural Networks (LeNet)"), layer for layer:
//
//   net = nn.Sequential(
//       Reshape(), nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(),
//       nn.AvgPool2d(kernel_size=2, stride=2),
//       nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(),
//       nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
//       nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(),
//       nn.Linear(120, 84), nn.Sigmoid(),
//       nn.Linear(84, 10))
//
// with d2l's init: xavier_uniform_ on every Linear and Conv2d weight (biases keep
// PyTorch's default). 61,706 parameters; state_dict names 1.*, 4.*, 8.*, 10.*, 12.*.

import { TorchletError, checkArity, checkOptionKeys, describe } from "../errors.js";
import type { Generator } from "../tensor/random.js";
import { Sequential, Reshape, Conv2d, Sigmoid, ReLU, AvgPool2d, MaxPool2d, Flatten, Linear } from "../nn/layers.js";
import type { Module } from "../nn/module.js";
import { xavierUniform } from "../nn/init.js";

/** Options of the LeNet constructors. */
export interface LeNetOptions {
  /** Draw the initial weights from this generator (default: the global one). */
  generator?: Generator;
}

/** The names torchlet's CLI and files use for the two variants. */
export const MODEL_NAMES = ["lenet", "lenet-modern"] as const;

/** A model torchlet can build by name: one of {@link MODEL_NAMES}. */
export type ModelName = (typeof MODEL_NAMES)[number];

function build(op: string, options: LeNetOptions, activation: () => Module, pool: () => Module): Sequential {
  const generator = checkOptionKeys(op, options, ["generator"], ["numClasses"]).generator;
  const g = generator ? { generator } : {};
  const net = new Sequential(
    new Reshape(-1, 1, 28, 28),
    new Conv2d(1, 6, { kernelSize: 5, padding: 2, ...g }), activation(),
    pool(),
    new Conv2d(6, 16, { kernelSize: 5, ...g }), activation(),
    pool(),
    new Flatten(),
    new Linear(16 * 5 * 5, 120, g), activation(),
    new Linear(120, 84, g), activation(),
    new Linear(84, 10, g),
  );
  for (const layer of net.layers) {
    if (layer instanceof Linear || layer instanceof Conv2d) xavierUniform(layer.weight, g);
  }
  return net;
}

/** d2l's LeNet-5: sigmoid activations and average pooling, Xavier-uniform weights. */
export function lenet(options: LeNetOptions = {}): Sequential {
  checkArity("lenet", arguments, ["options"]);
  return build("lenet", options, () => new Sigmoid(), () => new AvgPool2d(2, { stride: 2 }));
}

/** The same shapes with ReLU and max pooling (d2l's "modern" exercise): trains faster, more accurate. */
export function lenetModern(options: LeNetOptions = {}): Sequential {
  checkArity("lenetModern", arguments, ["options"]);
  return build("lenetModern", options, () => new ReLU(), () => new MaxPool2d(2, { stride: 2 }));
}

/** Builds a model by its CLI name. */
export function createModel(name: ModelName, options: LeNetOptions = {}): Sequential {
  checkArity("createModel", arguments, ["name", "options"]);
  if (!MODEL_NAMES.includes(name)) {
    throw new TorchletError("createModel", "INVALID_ARGUMENT", `name must be one of ${MODEL_NAMES.join(", ")}, got ${describe(name)}`);
  }
  return name === "lenet" ? lenet(options) : lenetModern(options);
}
