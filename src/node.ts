// torchlet/node: the parts that need Node.js (files, datasets on disk).
// `import { save, load, loadDataset } from "torchlet/node"`.
export { save, load, loadWithMetadata, writeFileAtomic } from "./io/files.js";
export { saveOnnx, loadOnnx } from "./io/onnx-files.js";
export { loadDataset, loadSplit, loadIdxDataset, loadBundledMnist, readIdxFile, DEFAULT_FASHION_MNIST_DIR, EMBEDDED_MNIST_DIR, type DatasetName, type DatasetSplits, type LoadDatasetOptions, type Split } from "./data/files.js";
export { decodeImage, readImageFile } from "./data/image-node.js";
export { setThreads, defaultThreads } from "./backend/threads.js";
export { enableRelaxedSimd } from "./backend/relaxed-simd-node.js";
import "./ops/methods.js"; // tensors from load() and loadDataset() have the Tensor methods even when "torchlet" itself is not imported
