// Gradient checks: torchlet's analytic backward (float32, through autograd)
// against central finite differences of an independent float64 reference.
//
// Recipe, for an op y = f(x1, ..., xk) with a random upstream gradient g:
//   φ(x1, ..., xk) = Σ g ⊙ f64(x1, ..., xk)          (a scalar)
//   numeric   ∂φ/∂xi by central differences of the float64 reference
//   analytic  run the torchlet op on float32 copies with requiresGrad, then
//             y.backward(g) and read xi.grad
// Compared with a relative norm error ‖a − n‖ / max(‖a‖, ‖n‖, tiny) and
// elementwise |a − n| ≤ atol + rtol·|n|.

import { expect } from "vitest";
import { Tensor } from "../../src/tensor/tensor.js";
import type { Generator } from "../../src/tensor/random.js";
import { randn64 } from "./random.js";
import { expectAllClose, relativeError } from "./close.js";

/** ∂f/∂x by central differences in float64: (f(x + eps·e_i) − f(x − eps·e_i)) / 2eps. Leaves x unchanged. */
export function numericGrad(f: (x: Float64Array) => number, x: Float64Array, eps = 1e-6): Float64Array {
  const grad = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const saved = x[i]!;
    x[i] = saved + eps;
    const plus = f(x);
    x[i] = saved - eps;
    const minus = f(x);
    x[i] = saved;
    grad[i] = (plus - minus) / (2 * eps);
  }
  return grad;
}

/** Σ g_i · y_i in float64. */
export function weightedSum(g: ArrayLike<number>, y: ArrayLike<number>): number {
  if (g.length !== y.length) throw new Error(`weightedSum: lengths ${g.length} and ${y.length} differ`);
  let s = 0;
  for (let i = 0; i < y.length; i++) s += g[i]! * y[i]!;
  return s;
}

/** One input of a gradient check. */
export interface GradInput {
  /** Name for failure messages ("x", "weight", ...). */
  name: string;
  /** Values; should be float32-representable (see random.ts). */
  data: Float64Array;
  shape: readonly number[];
  /** Check this input's gradient (default true); when false it is passed without requiresGrad. */
  grad?: boolean;
}

/** Options of {@link checkGradients}. */
export interface GradCheckOptions {
  inputs: GradInput[];
  /** The float64 reference forward: same argument order as `inputs`, output flattened. */
  reference: (inputs: Float64Array[]) => ArrayLike<number>;
  /** The torchlet op under test, called on float32 tensors. */
  op: (inputs: Tensor[]) => Tensor;
  /** Draws the upstream gradient g. */
  generator: Generator;
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Bound on ‖a − n‖ / max(‖a‖, ‖n‖) (default 1e-3). */
  maxRelativeError?: number;
  /** Elementwise |a − n| ≤ atol + rtol·|n| (defaults 1e-3, and 1e-4 times the largest |n|, at least 1e-5). */
  rtol?: number;
  atol?: number;
}

/**
 * Checks every gradient torchlet's autograd gives for `op` against central
 * differences of `reference` (φ = Σ g ⊙ reference(inputs), g random). Also
 * checks the forward values of `op` against the reference (rtol 1e-4).
 * Inputs marked `grad: false` must end with a null `.grad`.
 */
export function checkGradients(options: GradCheckOptions): void {
  const { inputs, reference, op, generator } = options;
  const eps = options.eps ?? 1e-6;
  const maxRel = options.maxRelativeError ?? 1e-3;
  const rtol = options.rtol ?? 1e-3;

  // Forward in float64 once, to size the upstream gradient g.
  const values = inputs.map((i) => Float64Array.from(i.data));
  const y64 = Float64Array.from(reference(values));
  const g = randn64(generator, y64.length);

  // Analytic: float32 tensors through torchlet and autograd.
  const tensors = inputs.map((i) => new Tensor(Float32Array.from(i.data), i.shape, { requiresGrad: i.grad !== false }));
  const y = op(tensors);
  expect(y.numel, "op output size vs reference output size").toBe(y64.length);
  let yScale = 0;
  for (const v of y64) yScale = Math.max(yScale, Math.abs(v));
  expectAllClose(y.data, y64, 1e-4, 1e-5 * Math.max(1, yScale), "forward vs float64 reference");
  y.backward(new Tensor(Float32Array.from(g), y.shape));

  inputs.forEach((input, k) => {
    const t = tensors[k]!;
    if (input.grad === false) {
      expect(t.grad, `${input.name} has no requiresGrad, so no gradient`).toBeNull();
      return;
    }
    expect(t.grad, `${input.name}.grad`).not.toBeNull();
    const analytic = t.grad!.data;
    const numeric = numericGrad((xk) => {
      const args = values.map((v, j) => (j === k ? xk : v));
      return weightedSum(g, reference(args));
    }, values[k]!, eps);
    const rel = relativeError(analytic, numeric);
    expect(rel, `${input.name}: relative gradient error ‖a−n‖/max(‖a‖,‖n‖)`).toBeLessThanOrEqual(maxRel);
    let nScale = 0;
    for (const v of numeric) nScale = Math.max(nScale, Math.abs(v));
    const atol = options.atol ?? Math.max(1e-5, 1e-4 * nScale);
    expectAllClose(analytic, numeric, rtol, atol, `${input.name} gradient (analytic vs numeric)`);
  });
}
