export { Tensor, noGrad, isGradEnabled, type Shape, type NestedArray, type TensorOptions } from "./tensor.js";
export type { GradFn, GradNode } from "./autograd.js";
export { tensor, zeros, ones, full, rand, randn, arange, zerosLike, type RandomOptions } from "./create.js";
export { Generator, manualSeed, defaultGenerator, type GeneratorState } from "./random.js";
