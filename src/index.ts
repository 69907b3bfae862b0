// torchlet: the public API. `import { nn, optim, tensor } from "torchlet"`.
export * from "./tensor/index.js";
export * from "./ops/index.js";
export * as kernels from "./ops/kernels.js";
export * as nn from "./nn/index.js";
export * as optim from "./nn/optim.js";
export { TorchletError, type ErrorCode } from "./errors.js";
export * from "./lenet/index.js";
