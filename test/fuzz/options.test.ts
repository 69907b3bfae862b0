// Nothing a caller passes is silently ignored (issue 13 §1): every function and
// constructor of the public API, called validly, keeps working; given a random
// unknown key in its options object, or random extra trailing arguments, it
// throws an INVALID_ARGUMENT TorchletError naming the op and the key or value.
//
// The table below holds one valid call per public function; a completeness
// check makes sure a new export cannot skip it.

import fc from "fast-check";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe as suite, expect, it } from "vitest";
import * as torchlet from "../../src/index.js";
import * as torchletNode from "../../src/node.js";
import { describe as describeValue } from "../../src/errors.js";
import {
  Generator, Tensor, add, arange, argmax, avgPool2d, batchesPerEpoch, beginning, checkFitStart, conv2d, countCorrect, createModel,
  crossEntropy, datasetFromIdx, defaultGenerator, deserialize, encodeIdx, evaluate, evaluateAccuracy, fit, full, getBackend,
  isGradEnabled, lenet, lenetModern, linear, logSoftmax, makeDataset, manualSeed, matmul, max, maxPool2d, mean, mul, nllLoss, nn, noGrad, ones, optim,
  pad2d, parseIdx, parseImages, parseLabels, rand, randn, relu, serialize, setBackend, sigmoid, softmax, softmaxCrossEntropy, sub, subset,
  sum, tanh, tensor, toMnistInput, maxUnpool2d, adaptiveAvgPool2d, trainStep, trainingPlotSvg, zeros, zerosLike, MNIST_CLASSES, toOnnx, fromOnnx, type Dataset,
} from "../../src/index.js";
import { reshape, view, flatten, unsqueeze, squeeze, permute, transpose, narrow, slice, cat, stack, indexSelect, gather } from "../../src/index.js"; // shape and indexing (issue 14)
import {
  decodeImage, defaultThreads, load, loadBundledMnist, loadDataset, loadIdxDataset, loadSplit, loadWithMetadata, readIdxFile,
  readImageFile, save, setThreads, enableRelaxedSimd, writeFileAtomic, EMBEDDED_MNIST_DIR, saveOnnx, loadOnnx,
} from "../../src/node.js";
import { expectMentions, fuzz, refuses } from "./helpers.js";
// broadcasting and elementwise math (issue 14)
import { div, exp, log, sqrt, abs, neg, pow, clamp, maximum, minimum, where, eq, ne, lt, le, gt, ge } from "../../src/index.js";

/** One public function or constructor, with a valid call. */
interface Entry {
  /** The op names its errors may start with. */
  ops: readonly string[];
  /** The arguments of a valid call: every parameter it declares, so anything appended is extra. */
  args: () => unknown[];
  call: (...args: unknown[]) => unknown;
  /** Where in `args` its options object is, and the keys it takes. */
  options?: { at: number; keys: readonly string[] };
  /** Rest parameters (zeros(2, 3, ...)): extra arguments change the call rather than being ignored, so the error need not name them. */
  rest?: true;
  /** Why extra arguments are a different valid call (new Reshape(-1, 3, 4)), not something to refuse. */
  extrasAreValid?: string;
}

const work = mkdtempSync(join(tmpdir(), "torchlet-fuzz-options-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const x4 = () => tensor(Array.from({ length: 16 }, (_, i) => i / 16), [1, 1, 4, 4]);
const m23 = () => tensor([[1, 2, 3], [4, 5, 6]]);
const data = () => ({ images: Float32Array.from({ length: 12 }, (_, i) => i / 12), labels: Int32Array.of(0, 1, 0, 1), count: 4, sampleShape: [3] });
const net = () => new nn.Sequential(new nn.Linear(3, 2, { generator: new Generator(1) }));
const plan = () => new nn.Plan(net(), { batchSize: 2, sampleShape: [3] });
const imagesIdx = encodeIdx([2, 28, 28], Uint8Array.from({ length: 2 * 28 * 28 }, (_, i) => i % 256));
const labelsIdx = encodeIdx([2], Uint8Array.of(0, 1));
const images = () => parseImages(imagesIdx, "images");
const dataset = (): Dataset => makeDataset("tiny", images(), Uint8Array.of(0, 1), "images", "labels", MNIST_CLASSES);
const pgm = Uint8Array.from([...new TextEncoder().encode("P5 28 28 255\n"), ...Array.from({ length: 28 * 28 }, (_, i) => i % 256)]);
const pgmPath = join(work, "digit.pgm");
writeFileSync(pgmPath, pgm);
const idxPath = join(work, "labels.idx");
writeFileSync(idxPath, labelsIdx);
const weightsPath = join(work, "weights.safetensors");
save({ w: m23() }, weightsPath);
const TENSOR_KEYS = ["requiresGrad"], RANDOM_KEYS = ["requiresGrad", "generator"];
const CONV2D_LAYER_KEYS = ["kernelSize", "stride", "padding", "dilation", "groups", "paddingMode", "bias", "generator"];
const CONV2D_KEYS = ["stride", "padding", "dilation", "groups"];
const NLL_LOSS_KEYS = ["reduction", "weight", "ignoreIndex"], CROSS_ENTROPY_KEYS = [...NLL_LOSS_KEYS, "labelSmoothing"];
const AVG_POOL_KEYS = ["stride", "padding", "ceilMode", "countIncludePad", "divisorOverride"], MAX_POOL_KEYS = ["stride", "padding", "ceilMode", "dilation", "returnIndices"];
const FIT_KEYS = ["net", "optimizer", "train", "test", "epochs", "batchSize", "generator", "start", "checkpointEvery", "onEpochStart", "onBatch", "onCheckpoint", "onEpoch"];

// Public functions by export name (nn.X, optim.X for the namespaces).
const table: Record<string, Entry> = {
  // tensors
  tensor: { ops: ["tensor"], args: () => [[1, 2], [2], {}], call: (...a) => tensor(...(a as Parameters<typeof tensor>)), options: { at: 2, keys: TENSOR_KEYS } },
  zeros: { ops: ["zeros"], args: () => [[2, 3], {}], call: (...a) => zeros(...(a as number[])), options: { at: 1, keys: TENSOR_KEYS }, rest: true },
  ones: { ops: ["ones"], args: () => [[2, 3], {}], call: (...a) => ones(...(a as number[])), options: { at: 1, keys: TENSOR_KEYS }, rest: true },
  rand: { ops: ["rand"], args: () => [[2, 3], {}], call: (...a) => rand(...(a as number[])), options: { at: 1, keys: RANDOM_KEYS }, rest: true },
  randn: { ops: ["randn"], args: () => [[2, 3], {}], call: (...a) => randn(...(a as number[])), options: { at: 1, keys: RANDOM_KEYS }, rest: true },
  full: { ops: ["full"], args: () => [[2], 1, {}], call: (...a) => full(...(a as Parameters<typeof full>)), options: { at: 2, keys: TENSOR_KEYS } },
  arange: { ops: ["arange"], args: () => [0, 4, 1], call: (...a) => arange(...(a as Parameters<typeof arange>)) },
  zerosLike: { ops: ["zerosLike", "zeros"], args: () => [m23(), {}], call: (...a) => zerosLike(...(a as Parameters<typeof zerosLike>)), options: { at: 1, keys: TENSOR_KEYS } },
  Tensor: { ops: ["Tensor"], args: () => [new Float32Array(2), [2], {}, null], call: (...a) => new Tensor(...(a as ConstructorParameters<typeof Tensor>)), options: { at: 2, keys: TENSOR_KEYS } },
  "Tensor.backward": { ops: ["backward"], args: () => [undefined, {}], call: (...a) => (sum(tensor([1, 2], [2], { requiresGrad: true })).backward as (...v: unknown[]) => void)(...a), options: { at: 1, keys: ["retainGraph"] } },
  "Tensor.size": { ops: ["size"], args: () => [0], call: (...a) => (m23().size as (...v: unknown[]) => number)(...a) },
  "Tensor.item": { ops: ["item"], args: () => [], call: (...a) => (tensor([1]).item as (...v: unknown[]) => number)(...a) },
  "Tensor.toArray": { ops: ["toArray"], args: () => [], call: (...a) => (m23().toArray as (...v: unknown[]) => unknown)(...a) },
  "Tensor.flatten": { ops: ["flatten"], args: () => [0, -1], call: (...a) => (m23().flatten as (...v: unknown[]) => Tensor)(...a) },
  "Tensor.detach": { ops: ["detach"], args: () => [], call: (...a) => (m23().detach as (...v: unknown[]) => Tensor)(...a) },
  "Tensor.clone": { ops: ["clone"], args: () => [], call: (...a) => (m23().clone as (...v: unknown[]) => Tensor)(...a) },
  Generator: { ops: ["Generator"], args: () => [3], call: (...a) => new Generator(...(a as [number])) },
  manualSeed: { ops: ["manualSeed"], args: () => [0], call: (...a) => manualSeed(...(a as [number])) },
  noGrad: { ops: ["noGrad"], args: () => [() => 1], call: (...a) => noGrad(...(a as [() => number])) },
  isGradEnabled: { ops: ["isGradEnabled"], args: () => [], call: (...a) => (isGradEnabled as (...v: unknown[]) => boolean)(...a) },
  // ops
  matmul: { ops: ["matmul"], args: () => [m23(), tensor([[1], [2], [3]])], call: (...a) => matmul(...(a as [Tensor, Tensor])) },
  conv2d: { ops: ["conv2d"], args: () => [x4(), ones(1, 1, 3, 3), zeros(1), {}], call: (...a) => conv2d(...(a as Parameters<typeof conv2d>)), options: { at: 3, keys: CONV2D_KEYS } },
  pad2d: { ops: ["pad2d"], args: () => [x4(), [1, 1, 2, 0], { mode: "reflect" }], call: (...a) => pad2d(...(a as Parameters<typeof pad2d>)), options: { at: 2, keys: ["mode", "value"] } },
  avgPool2d: { ops: ["avgPool2d"], args: () => [x4(), 2, {}], call: (...a) => avgPool2d(...(a as Parameters<typeof avgPool2d>)), options: { at: 2, keys: AVG_POOL_KEYS } },
  maxPool2d: { ops: ["maxPool2d"], args: () => [x4(), 2, {}], call: (...a) => maxPool2d(...(a as Parameters<typeof maxPool2d>)), options: { at: 2, keys: MAX_POOL_KEYS } },
  maxUnpool2d: { ops: ["maxUnpool2d"], args: () => [ones(1, 1, 2, 2), tensor([[[[0, 3], [0, 3]]]]), 2, {}], call: (...a) => maxUnpool2d(...(a as Parameters<typeof maxUnpool2d>)), options: { at: 3, keys: ["stride", "padding", "outputSize"] } },
  adaptiveAvgPool2d: { ops: ["adaptiveAvgPool2d"], args: () => [x4(), [2, null]], call: (...a) => adaptiveAvgPool2d(...(a as Parameters<typeof adaptiveAvgPool2d>)) },
  sigmoid: { ops: ["sigmoid"], args: () => [m23()], call: (...a) => sigmoid(...(a as [Tensor])) },
  relu: { ops: ["relu"], args: () => [m23()], call: (...a) => relu(...(a as [Tensor])) },
  tanh: { ops: ["tanh"], args: () => [m23()], call: (...a) => tanh(...(a as [Tensor])) },
  linear: { ops: ["linear"], args: () => [m23(), ones(4, 3), zeros(4)], call: (...a) => linear(...(a as Parameters<typeof linear>)) },
  softmax: { ops: ["softmax"], args: () => [m23(), -1], call: (...a) => softmax(...(a as [Tensor, number])) },
  logSoftmax: { ops: ["logSoftmax"], args: () => [m23(), -1], call: (...a) => logSoftmax(...(a as [Tensor, number])) },
  argmax: { ops: ["argmax"], args: () => [m23(), -1, false], call: (...a) => argmax(...(a as [Tensor, number, boolean])) },
  softmaxCrossEntropy: { ops: ["crossEntropy"], args: () => [m23(), [0, 2], {}], call: (...a) => softmaxCrossEntropy(...(a as Parameters<typeof crossEntropy>)), options: { at: 2, keys: CROSS_ENTROPY_KEYS } },
  crossEntropy: { ops: ["crossEntropy"], args: () => [m23(), [0, 2], {}], call: (...a) => crossEntropy(...(a as Parameters<typeof crossEntropy>)), options: { at: 2, keys: CROSS_ENTROPY_KEYS } },
  sum: { ops: ["sum"], args: () => [m23(), [0, -1], false], call: (...a) => sum(...(a as [Tensor, number[], boolean])) },
  mean: { ops: ["mean"], args: () => [m23(), 0, true], call: (...a) => mean(...(a as [Tensor, number, boolean])) },
  max: { ops: ["max"], args: () => [m23(), 1, false], call: (...a) => (max as (...v: unknown[]) => unknown)(...a) },
  nllLoss: { ops: ["nllLoss"], args: () => [m23(), [0, 2], {}], call: (...a) => nllLoss(...(a as Parameters<typeof nllLoss>)), options: { at: 2, keys: NLL_LOSS_KEYS } },
  add: { ops: ["add"], args: () => [m23(), 1, {}], call: (...a) => add(...(a as Parameters<typeof add>)), options: { at: 2, keys: [] } },
  sub: { ops: ["sub"], args: () => [m23(), m23(), {}], call: (...a) => sub(...(a as Parameters<typeof sub>)), options: { at: 2, keys: [] } },
  mul: { ops: ["mul"], args: () => [m23(), 2, {}], call: (...a) => mul(...(a as Parameters<typeof mul>)), options: { at: 2, keys: [] } },
  // broadcasting and elementwise math (issue 14)
  div: { ops: ["div"], args: () => [m23(), tensor([1, 2, 4]), {}], call: (...a) => div(...(a as Parameters<typeof div>)), options: { at: 2, keys: [] } },
  exp: { ops: ["exp"], args: () => [m23()], call: (...a) => exp(...(a as [Tensor])) },
  log: { ops: ["log"], args: () => [m23()], call: (...a) => log(...(a as [Tensor])) },
  sqrt: { ops: ["sqrt"], args: () => [m23()], call: (...a) => sqrt(...(a as [Tensor])) },
  abs: { ops: ["abs"], args: () => [m23()], call: (...a) => abs(...(a as [Tensor])) },
  neg: { ops: ["neg"], args: () => [m23()], call: (...a) => neg(...(a as [Tensor])) },
  pow: { ops: ["pow"], args: () => [m23(), 2, {}], call: (...a) => pow(...(a as Parameters<typeof pow>)), options: { at: 2, keys: [] } },
  clamp: { ops: ["clamp"], args: () => [m23(), 2, 5], call: (...a) => clamp(...(a as Parameters<typeof clamp>)) },
  maximum: { ops: ["maximum"], args: () => [m23(), tensor([[3], [4]])], call: (...a) => maximum(...(a as [Tensor, Tensor])) },
  minimum: { ops: ["minimum"], args: () => [m23(), tensor([[3], [4]])], call: (...a) => minimum(...(a as [Tensor, Tensor])) },
  where: { ops: ["where"], args: () => [tensor([1, 0, 1]), m23(), 0], call: (...a) => where(...(a as Parameters<typeof where>)) },
  eq: { ops: ["eq"], args: () => [m23(), 2], call: (...a) => eq(...(a as [Tensor, number])) },
  ne: { ops: ["ne"], args: () => [m23(), tensor([1, 0, 3])], call: (...a) => ne(...(a as [Tensor, Tensor])) },
  lt: { ops: ["lt"], args: () => [m23(), 2], call: (...a) => lt(...(a as [Tensor, number])) },
  le: { ops: ["le"], args: () => [m23(), 2], call: (...a) => le(...(a as [Tensor, number])) },
  gt: { ops: ["gt"], args: () => [m23(), 2], call: (...a) => gt(...(a as [Tensor, number])) },
  ge: { ops: ["ge"], args: () => [m23(), 2], call: (...a) => ge(...(a as [Tensor, number])) },
  // shape and indexing (issue 14), and tensor()'s options form
  "tensor (options form)": { ops: ["tensor"], args: () => [[1, 2], {}], call: (...a) => tensor(...(a as Parameters<typeof tensor>)), options: { at: 1, keys: TENSOR_KEYS } },
  reshape: { ops: ["reshape"], args: () => [m23(), [3, 2]], call: (...a) => reshape(...(a as Parameters<typeof reshape>)) },
  view: { ops: ["view"], args: () => [m23(), [6]], call: (...a) => view(...(a as Parameters<typeof view>)) },
  flatten: { ops: ["flatten"], args: () => [m23(), 0, -1], call: (...a) => flatten(...(a as Parameters<typeof flatten>)) },
  unsqueeze: { ops: ["unsqueeze"], args: () => [m23(), 0], call: (...a) => unsqueeze(...(a as Parameters<typeof unsqueeze>)) },
  squeeze: { ops: ["squeeze"], args: () => [m23(), 0], call: (...a) => squeeze(...(a as Parameters<typeof squeeze>)) },
  permute: { ops: ["permute"], args: () => [m23(), 1, 0], call: (...a) => permute(...(a as [Tensor, number, number])), rest: true },
  transpose: { ops: ["transpose"], args: () => [m23(), 0, 1], call: (...a) => transpose(...(a as Parameters<typeof transpose>)) },
  narrow: { ops: ["narrow"], args: () => [m23(), 1, 0, 2], call: (...a) => narrow(...(a as Parameters<typeof narrow>)) },
  slice: { ops: ["slice"], args: () => [m23(), 1, 0, 2, 1], call: (...a) => slice(...(a as Parameters<typeof slice>)) },
  cat: { ops: ["cat"], args: () => [[m23(), m23()], 0], call: (...a) => cat(...(a as Parameters<typeof cat>)) },
  stack: { ops: ["stack"], args: () => [[m23(), m23()], 0], call: (...a) => stack(...(a as Parameters<typeof stack>)) },
  indexSelect: { ops: ["indexSelect"], args: () => [m23(), 1, [0, 2]], call: (...a) => indexSelect(...(a as Parameters<typeof indexSelect>)) },
  gather: { ops: ["gather"], args: () => [m23(), 1, [[0], [1]]], call: (...a) => gather(...(a as Parameters<typeof gather>)) },
  // nn
  "nn.Sequential": { ops: ["Sequential", "Sequential.registerModule"], args: () => [new nn.ReLU()], call: (...a) => new nn.Sequential(...(a as nn.Module[])), rest: true },
  "nn.Sequential.forward": { ops: ["Sequential.forward"], args: () => [m23()], call: (...a) => (net().forward as (...v: unknown[]) => Tensor)(...a) },
  "nn.Conv2d": { ops: ["Conv2d"], args: () => [1, 2, 3, {}], call: (...a) => new nn.Conv2d(...(a as ConstructorParameters<typeof nn.Conv2d>)), options: { at: 3, keys: CONV2D_LAYER_KEYS } },
  "nn.Conv2d (options form)": { ops: ["Conv2d"], args: () => [1, 2, { kernelSize: 3 }], call: (...a) => new nn.Conv2d(...(a as ConstructorParameters<typeof nn.Conv2d>)), options: { at: 2, keys: CONV2D_LAYER_KEYS } },
  "nn.Linear": { ops: ["Linear"], args: () => [2, 3, {}], call: (...a) => new nn.Linear(...(a as ConstructorParameters<typeof nn.Linear>)), options: { at: 2, keys: ["bias", "generator"] } },
  "nn.Linear.forward": { ops: ["Linear.forward"], args: () => [m23()], call: (...a) => (new nn.Linear(3, 2).forward as (...v: unknown[]) => Tensor)(...a) },
  "nn.Module.loadStateDict": { ops: ["Linear.loadStateDict"], args: () => [new nn.Linear(3, 2).stateDict(), {}], call: (...a) => (new nn.Linear(3, 2).loadStateDict as (...v: unknown[]) => unknown)(...a), options: { at: 1, keys: ["strict"] } },
  "nn.AvgPool2d": { ops: ["AvgPool2d"], args: () => [2, {}], call: (...a) => new nn.AvgPool2d(...(a as ConstructorParameters<typeof nn.AvgPool2d>)), options: { at: 1, keys: AVG_POOL_KEYS } },
  "nn.MaxPool2d": { ops: ["MaxPool2d"], args: () => [2, {}], call: (...a) => new nn.MaxPool2d(...(a as ConstructorParameters<typeof nn.MaxPool2d>)), options: { at: 1, keys: MAX_POOL_KEYS } },
  "nn.MaxPool2d.forwardWithIndices": { ops: ["MaxPool2d.forwardWithIndices"], args: () => [x4()], call: (...a) => (new nn.MaxPool2d(2).forwardWithIndices as (...v: unknown[]) => unknown)(...a) },
  "nn.AdaptiveAvgPool2d": { ops: ["AdaptiveAvgPool2d"], args: () => [[1, 1]], call: (...a) => new nn.AdaptiveAvgPool2d(...(a as ConstructorParameters<typeof nn.AdaptiveAvgPool2d>)) },
  "nn.MaxUnpool2d": { ops: ["MaxUnpool2d"], args: () => [2, {}], call: (...a) => new nn.MaxUnpool2d(...(a as ConstructorParameters<typeof nn.MaxUnpool2d>)), options: { at: 1, keys: ["stride", "padding"] } },
  "nn.MaxUnpool2d.forward": { ops: ["MaxUnpool2d.forward", "maxUnpool2d"], args: () => [ones(1, 1, 2, 2), tensor([[[[0, 3], [0, 3]]]]), [4, 4]], call: (...a) => (new nn.MaxUnpool2d(2).forward as (...v: unknown[]) => unknown)(...a) },
  "nn.Sigmoid": { ops: ["Sigmoid"], args: () => [], call: (...a) => new (nn.Sigmoid as new (...v: unknown[]) => nn.Sigmoid)(...a) },
  "nn.ReLU": { ops: ["ReLU"], args: () => [], call: (...a) => new (nn.ReLU as new (...v: unknown[]) => nn.ReLU)(...a) },
  "nn.Tanh": { ops: ["Tanh"], args: () => [], call: (...a) => new (nn.Tanh as new (...v: unknown[]) => nn.Tanh)(...a) },
  "nn.Flatten": { ops: ["Flatten"], args: () => [1, -1], call: (...a) => new nn.Flatten(...(a as number[])) },
  "nn.Reshape": { ops: ["Reshape"], args: () => [-1, 3], call: (...a) => new nn.Reshape(...(a as number[])), extrasAreValid: "each argument is a dimension of the target shape" },
  "nn.CrossEntropyLoss": { ops: ["CrossEntropyLoss"], args: () => [{}], call: (...a) => new nn.CrossEntropyLoss(...(a as [object])), options: { at: 0, keys: CROSS_ENTROPY_KEYS } },
  "nn.NLLLoss": { ops: ["NLLLoss"], args: () => [{}], call: (...a) => new nn.NLLLoss(...(a as [object])), options: { at: 0, keys: NLL_LOSS_KEYS } },
  "nn.NLLLoss.forward": { ops: ["NLLLoss.forward"], args: () => [m23(), [0, 1]], call: (...a) => (new nn.NLLLoss().forward as (...v: unknown[]) => Tensor)(...a) },
  "nn.CrossEntropyLoss.forward": { ops: ["CrossEntropyLoss.forward"], args: () => [m23(), [0, 1]], call: (...a) => (new nn.CrossEntropyLoss().forward as (...v: unknown[]) => Tensor)(...a) },
  "nn.xavierUniform": { ops: ["xavierUniform"], args: () => [ones(2, 3), {}], call: (...a) => nn.xavierUniform(...(a as Parameters<typeof nn.xavierUniform>)), options: { at: 1, keys: ["gain", "generator"] } },
  "nn.kaimingUniform": { ops: ["kaimingUniform"], args: () => [ones(2, 3), {}], call: (...a) => nn.kaimingUniform(...(a as Parameters<typeof nn.kaimingUniform>)), options: { at: 1, keys: ["a", "generator"] } },
  "nn.uniform": { ops: ["uniform"], args: () => [ones(2, 3), 0.1, new Generator(0)], call: (...a) => nn.uniform(...(a as Parameters<typeof nn.uniform>)) },
  "nn.normal": { ops: ["normal"], args: () => [ones(2, 3), {}], call: (...a) => nn.normal(...(a as Parameters<typeof nn.normal>)), options: { at: 1, keys: ["mean", "std", "generator"] } },
  "nn.fans": { ops: ["fans"], args: () => [ones(2, 3)], call: (...a) => nn.fans(...(a as [Tensor])) },
  "nn.DataLoader": { ops: ["DataLoader"], args: () => [data(), {}], call: (...a) => new nn.DataLoader(...(a as ConstructorParameters<typeof nn.DataLoader>)), options: { at: 1, keys: ["batchSize", "shuffle", "generator", "dropLast"] } },
  "nn.summary": { ops: ["summary"], args: () => [net(), [1, 3], null], call: (...a) => nn.summary(...(a as Parameters<typeof nn.summary>)) },
  "nn.Plan": { ops: ["Plan"], args: () => [net(), { batchSize: 2, sampleShape: [3] }], call: (...a) => new nn.Plan(...(a as ConstructorParameters<typeof nn.Plan>)).dispose(), options: { at: 1, keys: ["batchSize", "sampleShape", "backend"] } },
  "nn.Plan.trainStep": {
    ops: ["Plan.trainStep"], call: (p, ...a) => ((p as nn.Plan).trainStep as (...v: unknown[]) => unknown)(...a),
    args: () => { const p = plan(); return [p, new optim.SGD(p.net.parameters(), { lr: 0.1 }), 2]; }, // the plan, then trainStep's arguments
  },
  "nn.Plan.forwardBackward": { ops: ["Plan.forwardBackward"], args: () => [2], call: (...a) => (plan().forwardBackward as (...v: unknown[]) => unknown)(...a) },
  "nn.Plan.evaluate": { ops: ["Plan.evaluate"], args: () => [2], call: (...a) => (plan().evaluate as (...v: unknown[]) => unknown)(...a) },
  "nn.Plan.evaluateDataset": { ops: ["Plan.evaluateDataset"], args: () => [data()], call: (...a) => (plan().evaluateDataset as (...v: unknown[]) => unknown)(...a) },
  "nn.Plan.predict": { ops: ["Plan.predict"], args: () => [2], call: (...a) => (plan().predict as (...v: unknown[]) => unknown)(...a) },
  // nnkit: nn pieces beyond LeNet (issue 14)
  mseLoss: { ops: ["mseLoss"], args: () => [m23(), m23(), {}], call: (...a) => torchlet.mseLoss(...(a as Parameters<typeof torchlet.mseLoss>)), options: { at: 2, keys: ["reduction"] } },
  l1Loss: { ops: ["l1Loss"], args: () => [m23(), m23(), {}], call: (...a) => torchlet.l1Loss(...(a as Parameters<typeof torchlet.l1Loss>)), options: { at: 2, keys: ["reduction"] } },
  binaryCrossEntropyWithLogits: { ops: ["binaryCrossEntropyWithLogits"], args: () => [m23(), zeros(2, 3), {}], call: (...a) => torchlet.binaryCrossEntropyWithLogits(...(a as Parameters<typeof torchlet.binaryCrossEntropyWithLogits>)), options: { at: 2, keys: ["reduction", "weight", "posWeight"] } },
  "nn.MSELoss": { ops: ["MSELoss"], args: () => [{}], call: (...a) => new nn.MSELoss(...(a as [object])), options: { at: 0, keys: ["reduction"] } },
  "nn.MSELoss.forward": { ops: ["MSELoss.forward"], args: () => [m23(), m23()], call: (...a) => (new nn.MSELoss().forward as (...v: unknown[]) => Tensor)(...a) },
  "nn.L1Loss": { ops: ["L1Loss"], args: () => [{}], call: (...a) => new nn.L1Loss(...(a as [object])), options: { at: 0, keys: ["reduction"] } },
  "nn.BCEWithLogitsLoss": { ops: ["BCEWithLogitsLoss"], args: () => [{}], call: (...a) => new nn.BCEWithLogitsLoss(...(a as [object])), options: { at: 0, keys: ["reduction", "weight", "posWeight"] } },
  "nn.Identity": { ops: ["Identity"], args: () => [], call: (...a) => new (nn.Identity as new (...v: unknown[]) => nn.Identity)(...a) },
  "nn.Unflatten": { ops: ["Unflatten"], args: () => [1, [3, 1]], call: (...a) => new nn.Unflatten(...(a as [number, number[]])) },
  "nn.ModuleList": { ops: ["ModuleList", "ModuleList.registerModule"], args: () => [[new nn.ReLU()]], call: (...a) => new nn.ModuleList(...(a as [nn.Module[]])) },
  "nn.ModuleList.append": { ops: ["ModuleList.append", "ModuleList.register"], args: () => [new nn.ReLU()], call: (...a) => (new nn.ModuleList().append as (...v: unknown[]) => unknown)(...a) },
  dropout: { ops: ["dropout"], args: () => [m23(), 0.5, true, {}], call: (...a) => torchlet.dropout(...(a as Parameters<typeof torchlet.dropout>)), options: { at: 3, keys: ["generator"] } },
  batchNorm: { ops: ["batchNorm"], args: () => [m23(), zeros(3), ones(3), {}], call: (...a) => torchlet.batchNorm(...(a as Parameters<typeof torchlet.batchNorm>)), options: { at: 3, keys: ["weight", "bias", "training", "momentum", "eps"] } },
  "nn.Dropout": { ops: ["Dropout"], args: () => [0.5, {}], call: (...a) => new nn.Dropout(...(a as ConstructorParameters<typeof nn.Dropout>)), options: { at: 1, keys: ["generator"] } },
  "nn.BatchNorm1d": { ops: ["BatchNorm1d"], args: () => [3, {}], call: (...a) => new nn.BatchNorm1d(...(a as ConstructorParameters<typeof nn.BatchNorm1d>)), options: { at: 1, keys: ["eps", "momentum", "affine", "trackRunningStats"] } },
  "nn.BatchNorm2d": { ops: ["BatchNorm2d"], args: () => [3, {}], call: (...a) => new nn.BatchNorm2d(...(a as ConstructorParameters<typeof nn.BatchNorm2d>)), options: { at: 1, keys: ["eps", "momentum", "affine", "trackRunningStats"] } },
  "nn.BatchNorm1d.forward": { ops: ["BatchNorm1d.forward"], args: () => [m23()], call: (...a) => (new nn.BatchNorm1d(3).forward as (...v: unknown[]) => Tensor)(...a) },
  "optim.SGD.addParamGroup": { ops: ["SGD.addParamGroup", "SGD", "SGD: paramGroups[1]"], args: () => [{ params: [zeros(2, { requiresGrad: true })], lr: 0.1 }], call: (...a) => (new optim.SGD(net().parameters(), { lr: 0.1 }).addParamGroup as (...v: unknown[]) => unknown)(...a), options: { at: 0, keys: ["params", "lr", "momentum", "dampening", "nesterov", "weightDecay", "maximize"] } },
  "optim.lrScheduler.StepLR.loadStateDict": {
    ops: ["StepLR.loadStateDict"], options: { at: 0, keys: ["step_size", "gamma", "base_lrs", "last_epoch", "_step_count", "_last_lr"] },
    args: () => [new optim.lrScheduler.StepLR(new optim.SGD(net().parameters(), { lr: 0.1 }), { stepSize: 2 }).stateDict()],
    call: (...a) => (new optim.lrScheduler.StepLR(new optim.SGD(net().parameters(), { lr: 0.1 }), { stepSize: 2 }).loadStateDict as (...v: unknown[]) => unknown)(...a),
  },
  "nn.TensorDataset": { ops: ["TensorDataset"], args: () => [m23(), [0, 1]], call: (...a) => new nn.TensorDataset(...(a as ConstructorParameters<typeof nn.TensorDataset>)) },
  "nn.TensorDataset.get": { ops: ["TensorDataset.get"], args: () => [1], call: (...a) => (new nn.TensorDataset(m23(), [0, 1]).get as (...v: unknown[]) => unknown)(...a) },
  "nn.ModuleList.at": { ops: ["ModuleList.at"], args: () => [0], call: (...a) => (new nn.ModuleList([new nn.ReLU()]).at as (...v: unknown[]) => unknown)(...a) },
  // LeNet, training, plots
  lenet: { ops: ["lenet"], args: () => [{}], call: (...a) => lenet(...(a as [object])), options: { at: 0, keys: ["generator"] } },
  lenetModern: { ops: ["lenetModern"], args: () => [{}], call: (...a) => lenetModern(...(a as [object])), options: { at: 0, keys: ["generator"] } },
  createModel: { ops: ["createModel", "lenet"], args: () => ["lenet", {}], call: (...a) => createModel(...(a as Parameters<typeof createModel>)), options: { at: 1, keys: ["generator"] } },
  fit: {
    ops: ["fit"], options: { at: 0, keys: FIT_KEYS }, call: (...a) => fit(...(a as Parameters<typeof fit>)),
    args: () => { const n = net(); return [{ net: n, optimizer: new optim.SGD(n.parameters(), { lr: 0.1 }), train: data(), test: data(), epochs: 1, batchSize: 2, generator: new Generator(0) }]; },
  },
  batchesPerEpoch: { ops: ["batchesPerEpoch"], args: () => [10, 3], call: (...a) => batchesPerEpoch(...(a as [number, number])) },
  beginning: { ops: ["beginning"], args: () => [], call: (...a) => (beginning as (...v: unknown[]) => unknown)(...a) },
  checkFitStart: { ops: ["checkFitStart"], args: () => [beginning(), { epochs: 1, batchSize: 2, examples: 4, optimizerSteps: 0 }], call: (...a) => checkFitStart(...(a as Parameters<typeof checkFitStart>)) },
  countCorrect: { ops: ["countCorrect"], args: () => [m23(), Int32Array.of(2, 2)], call: (...a) => countCorrect(...(a as Parameters<typeof countCorrect>)) },
  evaluate: { ops: ["evaluate"], args: () => [net(), data(), 2], call: (...a) => evaluate(...(a as Parameters<typeof evaluate>)) },
  evaluateAccuracy: { ops: ["evaluateAccuracy"], args: () => [net(), data(), 2], call: (...a) => evaluateAccuracy(...(a as Parameters<typeof evaluateAccuracy>)) },
  trainStep: { ops: ["trainStep"], args: () => { const n = net(); return [n, new optim.SGD(n.parameters(), { lr: 0.1 }), m23(), Int32Array.of(0, 1)]; }, call: (...a) => trainStep(...(a as Parameters<typeof trainStep>)) },
  trainingPlotSvg: { ops: ["trainingPlotSvg"], args: () => [[{ epoch: 1, loss: 1, trainAcc: 0.5, testAcc: 0.5 }], {}], call: (...a) => trainingPlotSvg(...(a as Parameters<typeof trainingPlotSvg>)), options: { at: 1, keys: ["title"] } },
  // data and files
  serialize: { ops: ["serialize"], args: () => [{ w: m23() }, { note: "metadata keys are free-form" }], call: (...a) => serialize(...(a as Parameters<typeof serialize>)) },
  deserialize: { ops: ["deserialize"], args: () => [serialize({ w: m23() }), "bytes"], call: (...a) => deserialize(...(a as Parameters<typeof deserialize>)) },
  parseIdx: { ops: ["parseIdx"], args: () => [labelsIdx, "labels"], call: (...a) => parseIdx(...(a as Parameters<typeof parseIdx>)) },
  parseImages: { ops: ["parseImages"], args: () => [imagesIdx, "images"], call: (...a) => parseImages(...(a as Parameters<typeof parseImages>)) },
  parseLabels: { ops: ["parseLabels"], args: () => [labelsIdx, "labels"], call: (...a) => parseLabels(...(a as Parameters<typeof parseLabels>)) },
  encodeIdx: { ops: ["encodeIdx"], args: () => [[2], Uint8Array.of(1, 2)], call: (...a) => encodeIdx(...(a as Parameters<typeof encodeIdx>)) },
  makeDataset: { ops: ["makeDataset"], args: () => ["tiny", images(), Uint8Array.of(0, 1), "images", "labels", MNIST_CLASSES], call: (...a) => makeDataset(...(a as Parameters<typeof makeDataset>)) },
  datasetFromIdx: { ops: ["datasetFromIdx"], args: () => ["tiny", imagesIdx, labelsIdx, "images", "labels", MNIST_CLASSES], call: (...a) => datasetFromIdx(...(a as Parameters<typeof datasetFromIdx>)) },
  subset: { ops: ["subset"], args: () => [dataset(), 0, 1], call: (...a) => subset(...(a as Parameters<typeof subset>)) },
  toMnistInput: { ops: ["toMnistInput"], args: () => [decodeImage(pgm, "digit.pgm"), "digit.pgm"], call: (...a) => toMnistInput(...(a as Parameters<typeof toMnistInput>)) },
  decodeImage: { ops: ["decodeImage"], args: () => [pgm, "digit.pgm"], call: (...a) => decodeImage(...(a as Parameters<typeof decodeImage>)) },
  readImageFile: { ops: ["readImageFile"], args: () => [pgmPath], call: (...a) => readImageFile(...(a as [string])) },
  readIdxFile: { ops: ["readIdxFile"], args: () => [idxPath], call: (...a) => readIdxFile(...(a as [string])) },
  save: { ops: ["save"], args: () => [{ w: m23() }, join(work, "saved.safetensors"), { epoch: "1" }], call: (...a) => save(...(a as Parameters<typeof save>)) },
  load: { ops: ["load"], args: () => [weightsPath], call: (...a) => load(...(a as [string])) },
  loadWithMetadata: { ops: ["loadWithMetadata"], args: () => [weightsPath], call: (...a) => loadWithMetadata(...(a as [string])) },
  writeFileAtomic: { ops: ["writeFileAtomic"], args: () => [join(work, "bytes.bin"), Uint8Array.of(1)], call: (...a) => writeFileAtomic(...(a as Parameters<typeof writeFileAtomic>)) },
  loadDataset: { ops: ["loadDataset"], args: () => ["mnist", {}], call: (...a) => loadDataset(...(a as Parameters<typeof loadDataset>)), options: { at: 1, keys: ["data"] } },
  loadSplit: { ops: ["loadSplit", "loadDataset"], args: () => ["mnist", "test", {}], call: (...a) => loadSplit(...(a as Parameters<typeof loadSplit>)), options: { at: 2, keys: ["data"] } },
  loadBundledMnist: { ops: ["loadBundledMnist"], args: () => [], call: (...a) => (loadBundledMnist as (...v: unknown[]) => unknown)(...a) },
  loadIdxDataset: { ops: ["loadIdxDataset"], args: () => [EMBEDDED_MNIST_DIR, "test", "mnist", MNIST_CLASSES, ""], call: (...a) => loadIdxDataset(...(a as Parameters<typeof loadIdxDataset>)) },
  // optimizers and clipping
  "optim.SGD": { ops: ["SGD"], args: () => [net().parameters(), { lr: 0.1 }], call: (...a) => new (optim.SGD as unknown as new (...v: unknown[]) => unknown)(...a), options: { at: 1, keys: ["lr", "momentum", "dampening", "nesterov", "weightDecay", "maximize"] } },
  "optim.Adam": { ops: ["Adam"], args: () => [net().parameters(), {}], call: (...a) => new (optim.Adam as unknown as new (...v: unknown[]) => unknown)(...a), options: { at: 1, keys: ["lr", "betas", "eps", "weightDecay", "amsgrad", "maximize"] } },
  "optim.AdamW": { ops: ["AdamW"], args: () => [net().parameters(), {}], call: (...a) => new (optim.AdamW as unknown as new (...v: unknown[]) => unknown)(...a), options: { at: 1, keys: ["lr", "betas", "eps", "weightDecay", "amsgrad", "maximize"] } },
  "optim.clipGradNorm": { ops: ["clipGradNorm"], args: () => [net().parameters(), 1, 2, {}], call: (...a) => (optim.clipGradNorm as (...v: unknown[]) => unknown)(...a), options: { at: 3, keys: ["errorIfNonfinite"] } },
  "optim.clipGradValue": { ops: ["clipGradValue"], args: () => [net().parameters(), 1], call: (...a) => (optim.clipGradValue as (...v: unknown[]) => unknown)(...a) },
  // ONNX
  toOnnx: { ops: ["toOnnx"], args: () => [net(), { inputShape: [1, 3] }], call: (...a) => (toOnnx as (...v: unknown[]) => unknown)(...a), options: { at: 1, keys: ["inputShape", "opset", "inputName", "outputName"] } },
  fromOnnx: { ops: ["fromOnnx"], args: () => [toOnnx(net(), { inputShape: [1, 3] })], call: (...a) => (fromOnnx as (...v: unknown[]) => unknown)(...a) },
  saveOnnx: { ops: ["saveOnnx", "toOnnx"], args: () => [join(work, "net.onnx"), net(), { inputShape: [1, 3] }], call: (...a) => (saveOnnx as (...v: unknown[]) => unknown)(...a), options: { at: 2, keys: ["inputShape", "opset", "inputName", "outputName"] } },
  loadOnnx: { ops: ["loadOnnx"], args: () => { const path = join(work, "load.onnx"); saveOnnx(path, net(), { inputShape: [1, 3] }); return [path]; }, call: (...a) => (loadOnnx as (...v: unknown[]) => unknown)(...a) },
  // backends
  getBackend: { ops: ["getBackend"], args: () => [], call: (...a) => (getBackend as (...v: unknown[]) => unknown)(...a) },
  setBackend: { ops: ["setBackend"], args: () => ["ts"], call: (...a) => setBackend(...(a as ["ts"])) },
  defaultThreads: { ops: ["defaultThreads"], args: () => [], call: (...a) => (defaultThreads as (...v: unknown[]) => unknown)(...a) },
  enableRelaxedSimd: { ops: ["enableRelaxedSimd"], args: () => [], call: (...a) => { try { return (enableRelaxedSimd as (...v: unknown[]) => unknown)(...a); } finally { setBackend("ts"); } } },
  setThreads: { ops: ["setThreads"], args: () => [1], call: (...a) => { try { return setThreads(...(a as [number])); } finally { setBackend("ts"); } } },
};

// Exports that are not in the table, and why.
const NOT_IN_TABLE: Record<string, string> = {
  TorchletError: "the error class itself",
  "nn.Module": "abstract: its subclasses (the layers) are in the table",
  "nn.StepLayer": "abstract: its subclasses (the layers) are in the table",
  "optim.Optimizer": "abstract: its subclasses (SGD, Adam, AdamW) are in the table",
  initBackend: "asynchronous: checked by its own test below",
  initThreads: "asynchronous: checked by its own test below",
};

// Random identifiers: option names a caller might invent or misspell.
const identifier = fc.stringMatching(/^[A-Za-z_$][A-Za-z0-9_$]{0,11}$/).filter((key) => key !== "__proto__");
const junk = fc.oneof(fc.integer(), fc.boolean(), fc.string({ maxLength: 5 }), fc.constant(null), fc.constant({}), fc.constant([1, 2]));
const withOptions = Object.entries(table).filter(([, entry]) => entry.options !== undefined);

suite("fuzz: nothing silently ignored (issue 13 §1)", () => {
  it("the table holds every public function and constructor", () => {
    const exported: string[] = [];
    for (const [name, value] of Object.entries({ ...torchlet, ...torchletNode })) {
      if (typeof value === "function") exported.push(name);
      else if (name === "nn" || name === "optim") for (const [inner, v] of Object.entries(value as object)) if (typeof v === "function") exported.push(`${name}.${inner}`);
    }
    const missing = exported.filter((name) => !(name in table) && !(name in NOT_IN_TABLE));
    expect(missing, "add each to the table in test/fuzz/options.test.ts").toEqual([]);
    expect(exported.length).toBeGreaterThan(80);
  });

  it("every valid call in the table works", () => {
    for (const [name, entry] of Object.entries(table)) {
      expect(() => entry.call(...entry.args()), name).not.toThrow();
    }
    expect(getBackend().name).toBe("ts"); // setThreads's row put the reference backend back
  });

  it("every row refuses one extra argument and one unknown key (the properties below draw rows at random)", () => {
    for (const [name, entry] of Object.entries(table)) {
      if (entry.extrasAreValid === undefined) expect(refuses(entry.ops, () => entry.call(...entry.args(), "extra"), ["INVALID_ARGUMENT"]).message, name).toContain(entry.rest ? "" : '"extra"');
      if (entry.options === undefined) continue;
      const args = entry.args();
      args[entry.options.at] = { ...(args[entry.options.at] as object), inplace: true };
      expect(refuses(entry.ops, () => entry.call(...args), ["INVALID_ARGUMENT"]).message, name).toContain('unknown option "inplace"');
    }
  });

  fuzz("an unknown option key is refused, naming the op and the key; the valid call still works", 300, 30_000,
    fc.property(fc.constantFrom(...withOptions), identifier, junk, ([name, entry], key, value) => {
      const { at, keys } = entry.options!;
      fc.pre(!keys.includes(key));
      const args = entry.args();
      const options = Object.fromEntries([...Object.entries((args[at] as object | undefined) ?? {}), [key, value]]);
      args[at] = options;
      const error = refuses(entry.ops, () => entry.call(...args), ["INVALID_ARGUMENT"]);
      expect(error.message, name).toContain(key);
      expect(error.message).toMatch(/unknown option|is not supported yet/);
      entry.call(...entry.args());
    }));

  fuzz("extra trailing arguments are refused, naming the op and the first extra value; the valid call still works", 300, 30_000,
    fc.property(fc.constantFrom(...Object.entries(table).filter(([, entry]) => entry.extrasAreValid === undefined)), fc.array(junk, { minLength: 1, maxLength: 3 }), ([name, entry], extras) => {
      const error = refuses(entry.ops, () => entry.call(...entry.args(), ...extras), ["INVALID_ARGUMENT"]);
      if (!entry.rest) expectMentions(error, extras[0]);
      if (!entry.rest) expect(error.message, name).toMatch(/argument/);
      entry.call(...entry.args());
    }));

  it("initBackend refuses unknown option keys and extra arguments too", async () => {
    await fc.assert(fc.asyncProperty(identifier, junk, async (key, extra) => {
      fc.pre(key !== "shared");
      await expect(torchlet.initBackend("ts", { [key]: 1 } as object)).rejects.toThrow(`initBackend: unknown option ${JSON.stringify(key)}`);
      await expect((torchlet.initBackend as (...v: unknown[]) => Promise<unknown>)("ts", {}, extra)).rejects.toThrow(`initBackend: takes 2 arguments (name, options) but got 3; the third is ${describeValue(extra)}`);
      expect((await torchlet.initBackend("ts", {})).name).toBe("ts");
    }), { numRuns: 50 });
  });

  it("initThreads refuses extra arguments and bad thread counts", async () => {
    await fc.assert(fc.asyncProperty(junk, async (extra) => {
      await expect((torchlet.initThreads as (...v: unknown[]) => Promise<unknown>)(1, extra)).rejects.toThrow(`initThreads: takes 1 argument (threads) but got 2; the second is ${describeValue(extra)}`);
    }), { numRuns: 20 });
    for (const bad of [0, 1.5, "2", null]) await expect(torchlet.initThreads(bad as number)).rejects.toThrow(/^initThreads: threads must be an integer/);
    await expect(torchlet.initThreads(257)).rejects.toThrow("initThreads: threads is 257; at most 256 are supported");
  });
});

suite("not supported yet: PyTorch options torchlet lacks are named as such", () => {
  const cases: [string, () => unknown, string][] = [
    ["Conv2d device", () => new nn.Conv2d(1, 2, 3, { device: "cuda" } as object), "Conv2d: option device is not supported yet"],
    ["DataLoader num_workers", () => new nn.DataLoader(data(), { num_workers: 2 } as object), "DataLoader: option num_workers (numWorkers) is not supported yet"],
    ["zeros dtype", () => zeros([2], { dtype: "float64" } as object), "zeros: option dtype is not supported yet (torchlet implements requiresGrad)"],
    // broadcasting and elementwise math (issue 14)
    ["add alpha", () => add(m23(), 1, { alpha: 2 } as object as Record<string, never>), "add: option alpha is not supported yet (torchlet implements none of its options)"],
    ["sub alpha", () => sub(m23(), 1, { alpha: 2 } as object as Record<string, never>), "sub: option alpha is not supported yet"],
    ["div rounding_mode", () => div(m23(), 2, { rounding_mode: "floor" } as object as Record<string, never>), "div: option rounding_mode (roundingMode) is not supported yet"],
    ["pow out", () => pow(m23(), 2, { out: m23() } as object as Record<string, never>), "pow: option out is not supported yet"],
  ];
  it.each(cases)("%s", (_, call, message) => {
    expect(refuses([message.split(":")[0]!], call, ["INVALID_ARGUMENT"]).message).toContain(message);
  });

  it("a PyTorch spelling of an option torchlet has gets a did-you-mean", () => {
    expect(refuses(["DataLoader"], () => new nn.DataLoader(data(), { batch_size: 2 } as object)).message).toContain('unknown option "batch_size"; did you mean "batchSize"?');
    expect(refuses(["Conv2d"], () => new nn.Conv2d(1, 2, { kernel_size: 3 } as object)).message).toContain('unknown option "kernel_size"; did you mean "kernelSize"?');
    expect(refuses(["conv2d"], () => conv2d(x4(), ones(1, 1, 3, 3), null, { strides: 2 } as object)).message).toContain('did you mean "stride"?');
    expect(refuses(["Conv2d"], () => new nn.Conv2d(1, 2, 3, { padding_mode: "circular" } as object)).message).toContain('unknown option "padding_mode"; did you mean "paddingMode"?');
    expect(refuses(["conv2d"], () => conv2d(x4(), ones(1, 1, 3, 3), null, { dilations: 2 } as object)).message).toContain('did you mean "dilation"?');
    expect(refuses(["Tensor"], () => new Tensor(new Float32Array(1), [1], { requires_grad: true } as object)).message).toContain('did you mean "requiresGrad"?');
    expect(refuses(["CrossEntropyLoss"], () => new nn.CrossEntropyLoss({ ignore_index: -100 } as object)).message).toContain('unknown option "ignore_index"; did you mean "ignoreIndex"?');
    expect(refuses(["crossEntropy"], () => crossEntropy(m23(), [0, 1], { label_smoothing: 0.1 } as object)).message).toContain('did you mean "labelSmoothing"?');
  });

  it("PyTorch's deprecated sizeAverage and reduce point to reduction", () => {
    expect(refuses(["crossEntropy"], () => crossEntropy(m23(), [0, 1], { sizeAverage: false } as object)).message).toContain('unknown option "sizeAverage", PyTorch\'s deprecated sizeAverage; did you mean "reduction"?');
    expect(refuses(["CrossEntropyLoss"], () => new nn.CrossEntropyLoss({ size_average: false } as object)).message).toContain('did you mean "reduction"?');
    expect(refuses(["NLLLoss"], () => new nn.NLLLoss({ reduce: false } as object)).message).toContain('unknown option "reduce", PyTorch\'s deprecated reduce; did you mean "reduction"? (size_average=False is reduction "sum", reduce=False is reduction "none")');
    expect(refuses(["nllLoss"], () => nllLoss(m23(), [0, 1], { reduce: false } as object)).message).toContain('did you mean "reduction"?');
    expect(refuses(["nllLoss"], () => nllLoss(m23(), [0, 1], { labelSmoothing: 0.1 } as object)).message).toContain('unknown option "labelSmoothing"');
  });

  it("a dim passed PyTorch-style to an op without one says so", () => {
    expect(refuses(["sum"], () => (sum as (...a: unknown[]) => Tensor)(m23(), 1, false, 1)).message).toBe("sum: takes 3 arguments (input, dim, keepdim) but got 4; the fourth is 1");
    expect(refuses(["softmax"], () => (softmax as (...a: unknown[]) => Tensor)(m23(), 0, 1)).message).toBe("softmax: takes 2 arguments (input, dim) but got 3; the third is 1");
    expect(refuses(["argmax"], () => (argmax as (...a: unknown[]) => Tensor)(m23(), 0, true, 0)).message).toContain("argmax: takes 3 arguments (input, dim, keepdim) but got 4");
    expect(refuses(["mean"], () => (mean as (...a: unknown[]) => Tensor)(m23(), 0, false, "x")).message).toContain("mean: takes 3 arguments");
    expect(refuses(["relu"], () => (relu as (...a: unknown[]) => Tensor)(m23(), true)).message).toBe("relu: takes 1 argument (input) but got 2; the second is true");
    expect(refuses(["Linear"], () => new (nn.Linear as new (...a: unknown[]) => nn.Linear)(4, 8, true)).message).toBe("Linear: options must be an object such as { bias, generator }, got true");
    expect(refuses(["Linear"], () => new (nn.Linear as new (...a: unknown[]) => nn.Linear)(4, 8, true, "extra")).message).toBe('Linear: takes 3 arguments (inFeatures, outFeatures, options) but got 4; the fourth is "extra"');
    expect(refuses(["Linear"], () => new (nn.Linear as new (...a: unknown[]) => nn.Linear)(4, 8, {}, "extra")).message).toBe('Linear: takes 3 arguments (inFeatures, outFeatures, options) but got 4; the fourth is "extra"');
    expect(refuses(["crossEntropy"], () => (crossEntropy as (...a: unknown[]) => Tensor)(m23(), [0, 1], {}, 1)).message).toContain("crossEntropy: takes 3 arguments (logits, labels, options) but got 4");
  });

  it("a refused call leaves the default generator's stream untouched", () => {
    const before = defaultGenerator.getState();
    refuses(["randn"], () => randn([2], { generatr: new Generator(1) } as object));
    expect(defaultGenerator.getState()).toEqual(before);
  });
});

// ---- pooling (issue 13): every PyTorch option is implemented, so PyTorch's spellings get a did-you-mean ----
suite("pooling options in PyTorch's spelling", () => {
  it("snake_case pooling options name the camelCase one torchlet takes", () => {
    expect(refuses(["maxPool2d"], () => maxPool2d(x4(), 2, { ceil_mode: true } as object)).message).toContain('unknown option "ceil_mode"; did you mean "ceilMode"?');
    expect(refuses(["maxPool2d"], () => maxPool2d(x4(), 2, { return_indices: true } as object)).message).toContain('did you mean "returnIndices"?');
    expect(refuses(["MaxPool2d"], () => new nn.MaxPool2d(2, { dilations: 2 } as object)).message).toContain('did you mean "dilation"?');
    expect(refuses(["avgPool2d"], () => avgPool2d(x4(), 2, { count_include_pad: false } as object)).message).toContain('did you mean "countIncludePad"?');
    expect(refuses(["AvgPool2d"], () => new nn.AvgPool2d(2, { divisor_override: 3 } as object)).message).toContain('did you mean "divisorOverride"?');
    expect(refuses(["maxUnpool2d"], () => maxUnpool2d(ones(1, 1, 1, 1), zeros(1, 1, 1, 1), 2, { output_size: [2, 2] } as object)).message).toContain('did you mean "outputSize"?');
  });

  it("an option of the other pooling op is unknown, not ignored", () => {
    expect(refuses(["avgPool2d"], () => avgPool2d(x4(), 2, { dilation: 2 } as object)).message).toContain('unknown option "dilation"');
    expect(refuses(["maxPool2d"], () => maxPool2d(x4(), 2, { divisorOverride: 2 } as object)).message).toContain('unknown option "divisorOverride"');
  });
});
