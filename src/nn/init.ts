// Weight initialisation, in place, as torch.nn.init does it.
//
// fanIn / fanOut: for a Linear weight (O, I) they are I and O; for a Conv2d
// weight (K, C, kH, kW) they are C·kH·kW and K·kH·kW (inputs and outputs
// each weight touches).
//   xavierUniform:  U(−a, a), a = gain · sqrt(6 / (fanIn + fanOut))   (Glorot & Bengio 2010; d2l's LeNet init)
//   kaimingUniform: U(−b, b), b = sqrt(6 / ((1 + a²) · fanIn)); PyTorch's default for Linear and Conv2d
//                   weights uses a = √5, which makes b = 1/sqrt(fanIn).

import { TorchletError, formatShape, checkArity, checkOptionKeys, checkFinite } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";
import { checkGenerator, defaultGenerator, type Generator } from "../tensor/random.js";

/** Inputs and outputs each weight connects: (fanIn, fanOut). */
export function fans(t: Tensor): [number, number] {
  checkArity("fans", arguments, ["tensor"]);
  if (t.ndim < 2) {
    throw new TorchletError("init", "SHAPE_MISMATCH", `fan in and fan out need a weight with at least 2 dimensions, got ${formatShape(t.shape)}`);
  }
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return [t.shape[1]! * receptive, t.shape[0]! * receptive];
}

/** Fills `t` with U(−bound, bound) draws from `generator`. Returns t. */
export function uniform(t: Tensor, bound: number, generator: Generator = defaultGenerator): Tensor {
  checkArity("uniform", arguments, ["tensor", "bound", "generator"]);
  checkGenerator("init", generator);
  for (let i = 0; i < t.numel; i++) t.data[i] = (2 * generator.uniform() - 1) * bound;
  return t;
}

/** Xavier/Glorot uniform init in place (d2l's `nn.init.xavier_uniform_`). Returns t. */
export function xavierUniform(t: Tensor, options: { gain?: number; generator?: Generator } = {}): Tensor {
  checkArity("xavierUniform", arguments, ["tensor", "options"]);
  checkOptionKeys("xavierUniform", options, ["gain", "generator"]);
  const [fanIn, fanOut] = fans(t);
  return uniform(t, (options.gain ?? 1) * Math.sqrt(6 / (fanIn + fanOut)), options.generator);
}

/** Kaiming/He uniform init in place; with the default a = √5 it is PyTorch's default layer init. Returns t. */
export function kaimingUniform(t: Tensor, options: { a?: number; generator?: Generator } = {}): Tensor {
  checkArity("kaimingUniform", arguments, ["tensor", "options"]);
  checkOptionKeys("kaimingUniform", options, ["a", "generator"], ["mode", "nonlinearity"]);
  const [fanIn] = fans(t);
  const a = options.a ?? Math.sqrt(5);
  return uniform(t, Math.sqrt(6 / ((1 + a * a) * fanIn)), options.generator);
}

/**
 * Normal init in place: N(mean, std²) draws from `generator`, like `torch.nn.init.normal_(t, mean, std)`
 * (d2l's `nn.init.normal_(m.weight, std=0.01)` is `normal(m.weight, { std: 0.01 })`). Returns t.
 * @throws TorchletError when mean is not finite or std is not a finite number ≥ 0.
 */
export function normal(t: Tensor, options: { mean?: number; std?: number; generator?: Generator } = {}): Tensor {
  checkArity("normal", arguments, ["tensor", "options"]);
  const { mean = 0, std = 1, generator = defaultGenerator } = checkOptionKeys("normal", options, ["mean", "std", "generator"]);
  checkFinite("normal", "mean", mean);
  checkFinite("normal", "std", std);
  if (std < 0) throw new TorchletError("normal", "INVALID_ARGUMENT", `std must be ≥ 0, got ${std}`);
  checkGenerator("normal", generator);
  for (let i = 0; i < t.numel; i++) t.data[i] = mean + std * generator.normal();
  return t;
}
