// torchlet: the public API. `import { nn, optim, tensor } from "torchlet"`.
export * from "./tensor/index.js";
export * from "./ops/index.js";
import "./ops/methods.js"; // installs the Tensor methods (x.add(y), x.T): a side effect, named in package.json "sideEffects"
export * as kernels from "./ops/kernels.js";
export * as nn from "./nn/index.js";
export * as optim from "./nn/optim.js";
export { TorchletError, type ErrorCode } from "./errors.js";
export * from "./lenet/index.js";
export { serialize, deserialize, type SafetensorsContents } from "./io/safetensors.js";
export { parseIdx, parseImages, parseLabels, encodeIdx, makeDataset, datasetFromIdx, type IdxArray, type IdxImages } from "./data/idx.js";
export { subset, MNIST_CLASSES, FASHION_MNIST_CLASSES, type Dataset } from "./data/dataset.js";
export { toMnistInput, MAX_IMAGE_SIDE, type GrayImage } from "./data/preprocess.js";
export { trainingPlotSvg, type PlotRecord, type PlotOptions } from "./lenet/plot.js";
export { getBackend, setBackend, initBackend, type Backend, type BackendName, type Kernels } from "./backend/index.js";
export type { WasmOptions } from "./backend/wasm-module.js";
export { initThreads } from "./backend/threads-web.js";
export { toOnnx, fromOnnx, ONNX_OPSETS, type OnnxExportOptions } from "./onnx/index.js";
