// torchlet: the public API. `import { nn, optim, tensor } from "torchlet"`.
export * from "./tensor/index.js";
export { TorchletError, type ErrorCode } from "./errors.js";
