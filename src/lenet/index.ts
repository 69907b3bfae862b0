export { lenet, lenetModern, createModel, type LeNetOptions, type ModelName } from "./models.js";
export { trainStep, countCorrect, evaluateAccuracy, type StepResult } from "./train.js";
