// What the layers with weights share: their options and PyTorch's default init.

import type { Tensor, Generator } from "../tensor/index.js";
import { kaimingUniform, uniform, fans } from "./init.js";

/** Layer options PyTorch has and torchlet does not implement yet (parameters are float32 on the CPU). */
export const LAYER_OPTIONS_NOT_YET: readonly string[] = ["device", "dtype"];

/** Options shared by layers with weights. */
export interface ParameterOptions {
  /** Add a learnable bias (default true). */
  bias?: boolean;
  /** Draw the initial weights from this generator (default: the global one, see manualSeed). */
  generator?: Generator;
}

/**
 * PyTorch's default init for Linear and Conv2d: weight kaiming_uniform(a=√5) = U(±1/√fanIn), bias U(±1/√fanIn),
 * fanIn = the weight's shape[1]·kH·kW (C/groups·kH·kW for a grouped Conv2d, as in PyTorch).
 */
export function defaultInit(weight: Tensor, bias: Tensor | null, generator?: Generator): void {
  kaimingUniform(weight, generator ? { generator } : {});
  if (bias) uniform(bias, 1 / Math.sqrt(fans(weight)[0]), generator);
}
