// torch.optim, in TypeScript: `import { optim } from "torchlet"`. The optimizers (SGD, Adam, AdamW)
// with PyTorch 1.13's update rules and parameter groups, the learning-rate schedulers under
// `optim.lrScheduler`, and gradient clipping (torch.nn.utils' clip_grad_norm_ / clip_grad_value_).
// The code lives in src/nn/optim/; this file is the public surface.

export { Optimizer, type OptimizerState, type ParamGroup, type ParamGroupSpec, type OptionTable } from "./optim/optimizer.js";
export { SGD, type SGDOptions, type SGDParamGroup } from "./optim/sgd.js";
export { Adam, AdamW, type AdamOptions, type AdamParamGroup } from "./optim/adam.js";
export type { OptionCheck } from "./optim/options.js";
export { clipGradNorm, clipGradValue, type ClipGradNormOptions } from "./optim/clip.js";
export * as lrScheduler from "./optim/lr-scheduler.js";
