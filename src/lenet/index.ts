export { lenet, lenetModern, createModel, MODEL_NAMES, type LeNetOptions, type ModelName } from "./models.js";
export { trainStep, countCorrect, evaluate, evaluateAccuracy, type StepResult, type Evaluation } from "./train.js";
export { fit, checkFitStart, batchesPerEpoch, beginning, type FitOptions, type FitPosition, type FitCheckpoint, type FitRun, type BatchReport, type EpochRecord, type EpochProgress } from "./fit.js";
