// torch.nn, in TypeScript: `import { nn } from "torchlet"`.
export { Module, type StateDict, type LoadOptions } from "./module.js";
export { Sequential, Conv2d, Linear, AvgPool2d, MaxPool2d, Sigmoid, ReLU, Tanh, Flatten, Reshape, type Conv2dLayerOptions, type ParameterOptions } from "./layers.js";
export type { PaddingMode } from "./conv.js";
export { CrossEntropyLoss } from "./loss.js";
export { AdaptiveAvgPool2d, MaxUnpool2d } from "./pooling.js";
export { MSELoss, L1Loss, BCEWithLogitsLoss } from "./loss.js";
export { xavierUniform, kaimingUniform, uniform, fans } from "./init.js";
export { normal } from "./init.js";
export { DataLoader, type LabeledData, type DataLoaderOptions, type Batch } from "./dataloader.js";
export { summary, type SummaryRow } from "./summary.js";
export { Plan, type PlanOptions, type BatchResult, type DatasetResult } from "./plan.js";
export { StepLayer, type LayerStep, type StepActivation, type StepBuffers, type StepScratch } from "./step.js";
export { NLLLoss } from "./loss.js";
export { Identity, Unflatten } from "./views.js";
export { ModuleList } from "./module-list.js";
export { BatchNorm1d, BatchNorm2d, type BatchNormLayerOptions } from "./batchnorm.js";
export { Dropout } from "./dropout.js";
export { TensorDataset, type IntegerLabels } from "./tensor-dataset.js";
