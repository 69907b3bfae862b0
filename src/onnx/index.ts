// ONNX export and import: bytes in, bytes out, no dependencies (see wire.ts).
export { toOnnx, ONNX_OPSETS, type OnnxExportOptions } from "./export.js";
export { fromOnnx } from "./import.js";
