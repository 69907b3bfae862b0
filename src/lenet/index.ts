export { lenet, lenetModern, createModel, type LeNetOptions, type ModelName } from "./models.js";
export { trainStep, countCorrect, evaluate, evaluateAccuracy, type StepResult, type Evaluation } from "./train.js";
