// Tensor methods: `x.add(y)`, `x.matmul(w)`, `x.sum()`, `x.relu()`, `x.transpose(0, 1)`, `x.T`,
// thin aliases of the free functions. Walk-through: docs/shapes.md
//
// The Tensor class lives in src/tensor, a floor below the ops, so it cannot
// import them; instead this file (on the ops floor) assigns one method per row
// of TENSOR_METHODS to Tensor.prototype when it is loaded, and the `declare module`
// block below gives them their types. src/index.ts imports it, and
// package.json's "sideEffects" names it, so every import of torchlet (npm
// package and browser bundle) installs them.
//
// Each method is `(...args) => op(this, ...args)`: it forwards every argument,
// so the op's own checks apply (an extra argument is refused by its checkArity),
// and when an op grows a parameter (`sum(x, dim)`) its method follows with no
// change here. A new op needs one row in TENSOR_METHODS (with its doc comment, which
// typedoc carries onto Tensor).

import { Tensor } from "../tensor/tensor.js";
import { add, sub, mul } from "./elementwise.js";
import { matmul } from "./gemm.js";
import { sum, mean } from "./reduce.js";
import { relu } from "./relu.js";
import { sigmoid } from "./sigmoid.js";
import { tanh } from "./tanh.js";
import { softmax, logSoftmax } from "./softmax.js";
import { argmax, max, type MaxResult } from "./max.js";
import { div } from "./elementwise.js";
import { exp, log, sqrt, abs, neg } from "./math.js";
import { pow } from "./pow.js";
import { clamp, maximum, minimum } from "./clamp.js";
import { eq, ne, lt, le, gt, ge } from "./compare.js";
import { permute, transpose, reverseDims } from "./permute.js";
import { unsqueeze, squeeze } from "./shape.js";
import { narrow, slice } from "./slice.js";
import { indexSelect, gather } from "./take.js";

/** The free functions installed as Tensor methods, by method name; `x.name(...args)` is `fn(x, ...args)`. */
export const TENSOR_METHODS = {
  /** `x.add(...args)` is {@link add}`(x, ...args)`. */
  add,
  /** `x.sub(...args)` is {@link sub}`(x, ...args)`. */
  sub,
  /** `x.mul(...args)` is {@link mul}`(x, ...args)`. */
  mul,
  /** `x.matmul(...args)` is {@link matmul}`(x, ...args)`. */
  matmul,
  /** `x.sum(...args)` is {@link sum}`(x, ...args)`. */
  sum,
  /** `x.mean(...args)` is {@link mean}`(x, ...args)`. */
  mean,
  /** `x.relu(...args)` is {@link relu}`(x, ...args)`. */
  relu,
  /** `x.sigmoid(...args)` is {@link sigmoid}`(x, ...args)`. */
  sigmoid,
  /** `x.tanh(...args)` is {@link tanh}`(x, ...args)`. */
  tanh,
  /** `x.softmax(...args)` is {@link softmax}`(x, ...args)`. */
  softmax,
  /** `x.logSoftmax(...args)` is {@link logSoftmax}`(x, ...args)`. */
  logSoftmax,
  /** `x.argmax(...args)` is {@link argmax}`(x, ...args)`. */
  argmax,
  /** `x.max()` is {@link max}`(x)`, the largest element; `x.max(dim, keepdim?)` is `max(x, dim, keepdim)`, `[values, indices]`. */
  max,
  /** `x.div(...args)` is {@link div}`(x, ...args)`. */
  div,
  /** `x.exp(...args)` is {@link exp}`(x, ...args)`. */
  exp,
  /** `x.log(...args)` is {@link log}`(x, ...args)`. */
  log,
  /** `x.sqrt(...args)` is {@link sqrt}`(x, ...args)`. */
  sqrt,
  /** `x.abs(...args)` is {@link abs}`(x, ...args)`. */
  abs,
  /** `x.neg(...args)` is {@link neg}`(x, ...args)`. */
  neg,
  /** `x.pow(...args)` is {@link pow}`(x, ...args)`. */
  pow,
  /** `x.clamp(...args)` is {@link clamp}`(x, ...args)`. */
  clamp,
  /** `x.maximum(...args)` is {@link maximum}`(x, ...args)`. */
  maximum,
  /** `x.minimum(...args)` is {@link minimum}`(x, ...args)`. */
  minimum,
  /** `x.eq(...args)` is {@link eq}`(x, ...args)`. */
  eq,
  /** `x.ne(...args)` is {@link ne}`(x, ...args)`. */
  ne,
  /** `x.lt(...args)` is {@link lt}`(x, ...args)`. */
  lt,
  /** `x.le(...args)` is {@link le}`(x, ...args)`. */
  le,
  /** `x.gt(...args)` is {@link gt}`(x, ...args)`. */
  gt,
  /** `x.ge(...args)` is {@link ge}`(x, ...args)`. */
  ge,
  /** `x.transpose(...args)` is {@link transpose}`(x, ...args)` (a copy). */
  transpose,
  /** `x.permute(...args)` is {@link permute}`(x, ...args)`: `x.permute(2, 0, 1)` or `x.permute([2, 0, 1])` (a copy). */
  permute,
  /** `x.unsqueeze(...args)` is {@link unsqueeze}`(x, ...args)`. */
  unsqueeze,
  /** `x.squeeze(...args)` is {@link squeeze}`(x, ...args)`. */
  squeeze,
  /** `x.narrow(...args)` is {@link narrow}`(x, ...args)` (a copy). */
  narrow,
  /** `x.slice(...args)` is {@link slice}`(x, ...args)`: Python's `x[..., start:end:step]` on one dim (a copy). */
  slice,
  /** `x.indexSelect(...args)` is {@link indexSelect}`(x, ...args)`. */
  indexSelect,
  /** `x.gather(...args)` is {@link gather}`(x, ...args)`. */
  gather,
} as const;

/** The method form of an op `f(x, ...rest)`: `(...rest) => f(x, ...rest)`, with f's parameter and result types. */
export type MethodOf<F> = F extends (x: Tensor, ...rest: infer Rest) => infer Result ? (...rest: Rest) => Result : never;

/**
 * The method types of the overloaded ops, written out: {@link MethodOf} infers from an overloaded
 * function's last signature only (TypeScript's rule), which would lose `x.max()`.
 */
export interface OverloadedMethods {
  /** `x.max()`: the largest element, a scalar tensor; `x.max(dim, keepdim?)`: `[values, indices]` over dim. */
  readonly max: {
    (): Tensor;
    (dim: number, keepdim?: boolean): MaxResult;
  };
}

/** The types of the methods {@link TENSOR_METHODS} installs on every Tensor. */
export type TensorMethods = {
  readonly [Name in keyof typeof TENSOR_METHODS]: Name extends keyof OverloadedMethods ? OverloadedMethods[Name] : MethodOf<(typeof TENSOR_METHODS)[Name]>;
};

declare module "../tensor/tensor.js" {
  // Merged into the Tensor class: `x.add(y)` type-checks as `add(x, y)` does.
  interface Tensor extends TensorMethods {
    /** All dimensions reversed, like PyTorch's `x.T`: a matrix's transpose (a copy; PyTorch returns a view). */
    readonly T: Tensor;
  }
}

for (const [name, op] of Object.entries(TENSOR_METHODS)) {
  const forward = op as (x: Tensor, ...rest: unknown[]) => unknown;
  // Named after the op (a computed method name), so a stack trace reads "add"; every argument is passed on, so the op's checkArity sees what the caller passed.
  const method = {
    [name](this: Tensor, ...rest: unknown[]): unknown {
      return forward(this, ...rest);
    },
  }[name]!;
  Object.defineProperty(Tensor.prototype, name, { value: method, writable: true, configurable: true });
}

Object.defineProperty(Tensor.prototype, "T", {
  get(this: Tensor): Tensor {
    return reverseDims(this);
  },
  configurable: true,
});
