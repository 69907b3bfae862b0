// The playground's view of a LeNet: load weights, run one digit through it
// layer by layer, and keep what each stage outputs for the layer panel.
// DOM-free, so it is unit-tested in Node.

import { deserialize, lenet, lenetModern, noGrad, softmax, Tensor, type nn } from "../src/index.js";

/** A group of consecutive layers the page draws as one row (e.g. conv1 = Conv2d then its activation). */
export interface Stage {
  id: string;
  title: string;
  /** Indices into `net.layers`; the stage shows the output of the last one. */
  layers: readonly number[];
  /** Feature maps (C, H, W) drawn as images, or a vector drawn as a strip. */
  view: "maps" | "strip";
}

/** LeNet's layers: 0 Reshape, 1 Conv2d, 2 act, 3 pool, 4 Conv2d, 5 act, 6 pool, 7 Flatten, 8 Linear, 9 act, 10 Linear, 11 act, 12 Linear. */
export const STAGES: readonly Stage[] = [
  { id: "conv1", title: "conv1", layers: [1, 2], view: "maps" },
  { id: "pool1", title: "pool1", layers: [3], view: "maps" },
  { id: "conv2", title: "conv2", layers: [4, 5], view: "maps" },
  { id: "pool2", title: "pool2", layers: [6], view: "maps" },
  { id: "fc1", title: "fc1", layers: [7, 8, 9], view: "strip" },
  { id: "fc2", title: "fc2", layers: [10, 11], view: "strip" },
  { id: "fc3", title: "fc3 (logits)", layers: [12], view: "strip" },
];

/** Where each layer type's kernels live, relative to the repository root. */
export const SOURCES: Readonly<Record<string, string>> = {
  Conv2d: "src/ops/conv2d.ts",
  ReLU: "src/ops/relu.ts",
  Sigmoid: "src/ops/sigmoid.ts",
  MaxPool2d: "src/ops/maxpool2d.ts",
  AvgPool2d: "src/ops/avgpool2d.ts",
  Linear: "src/ops/linear.ts",
  Flatten: "src/nn/layers.ts",
  Reshape: "src/nn/layers.ts",
};

/** One layer as the hover card shows it. */
export interface OpInfo {
  /** `Conv2d(1, 6, kernelSize=[5, 5], …)`: the module's repr. */
  op: string;
  /** Repository-relative path of its kernels. */
  source: string;
}

/** What the page needs to draw one stage for one input. */
export interface StageOutput {
  stage: Stage;
  ops: OpInfo[];
  /** Output shape, batch first: (1, 6, 28, 28) … (1, 10). */
  shape: readonly number[];
  data: Float32Array;
}

/** One forward pass, stage by stage. */
export interface Reading {
  stages: StageOutput[];
  logits: Float32Array;
  probabilities: Float32Array;
  /** The most probable class. */
  digit: number;
}

/** The layers of a stage as the hover card lists them. */
export function stageOps(net: nn.Sequential, stage: Stage): OpInfo[] {
  return stage.layers.map((i) => {
    const layer = net.layers[i]!;
    return { op: layer.toString(), source: SOURCES[layer.typeName] ?? "src/nn/layers.ts" };
  });
}

/** Runs one 28×28 digit (784 values in [0, 1]) through `net`, keeping every stage's output. */
export function read(net: nn.Sequential, input: Float32Array): Reading {
  return noGrad(() => {
    const outputs: Tensor[] = [];
    let x = new Tensor(Float32Array.from(input), [1, 784]);
    for (const layer of net.layers) outputs.push((x = layer.forward(x)));
    const stages = STAGES.map((stage) => {
      const y = outputs[stage.layers[stage.layers.length - 1]!]!;
      return { stage, ops: stageOps(net, stage), shape: y.shape, data: y.data };
    });
    const logits = x.data;
    const probabilities = softmax(x).data;
    let digit = 0;
    for (let i = 1; i < probabilities.length; i++) if (probabilities[i]! > probabilities[digit]!) digit = i;
    return { stages, logits, probabilities, digit };
  });
}

/** Which of torchlet's two LeNets a weights file is for. */
export type Architecture = "lenet" | "lenet-modern";

/** A LeNet with the weights of a .safetensors file (PyTorch state_dict names), read with torchlet's own deserialize. */
export function loadLeNet(bytes: Uint8Array, architecture: Architecture, source = "weights"): nn.Sequential {
  const net = architecture === "lenet" ? lenet() : lenetModern();
  return net.loadStateDict(deserialize(bytes, source).tensors);
}
