// Gradient clipping as torch.nn.utils.clip_grad_norm_ / clip_grad_value_ (PyTorch 1.13), in place on `.grad`.
//
//   clipGradNorm:  n = ‖all gradients as one vector‖_p (p = ∞: the largest |g|);
//                  every g ·= min(1, maxNorm / (n + 1e-6)); returns n
//   clipGradValue: every g = clamp(g, −clipValue, clipValue)
// Parameters whose .grad is null are skipped, as in PyTorch. Float32 roundings follow PyTorch's
// float32 tensors (the norm, the coefficient), so clipped gradients match it to the last bit or two.

import { TorchletError, checkArity, checkOptionKeys, describe } from "../../errors.js";
import { Tensor } from "../../tensor/tensor.js";
import { checkBoolean, checkRange } from "./options.js";

/** Options of {@link clipGradNorm}. */
export interface ClipGradNormOptions {
  /** Throw a NON_FINITE TorchletError when the total norm is NaN or ±Infinity (default false, as PyTorch 1.13: the gradients become NaN). */
  errorIfNonfinite?: boolean;
}

// The gradients of `params` (a tensor or an array of tensors), skipping null ones.
function gradients(op: string, params: unknown): Float32Array[] {
  const list: unknown[] = params instanceof Tensor ? [params] : Array.isArray(params) ? params : [undefined];
  const bad = list.findIndex((p) => !(p instanceof Tensor));
  if (bad >= 0) throw new TorchletError(op, "INVALID_ARGUMENT", `params must be a Tensor or an array of Tensors (e.g. net.parameters()), got ${describe(params)}${Array.isArray(params) ? ` holding ${describe(list[bad])} at index ${bad}` : ""}`);
  return (list as Tensor[]).flatMap((p) => (p.grad === null ? [] : [p.grad.data]));
}

// The p-norm of all values of `grads` together, in float64.
function totalNorm(grads: Float32Array[], p: number): number {
  let acc = 0;
  for (const g of grads) {
    for (let i = 0; i < g.length; i++) {
      const a = Math.abs(g[i]!);
      if (p === Infinity) acc = a > acc || Number.isNaN(a) ? a : acc; // NaN wins, as torch's max
      else acc += p === 2 ? a * a : a ** p;
    }
  }
  return p === Infinity ? acc : p === 2 ? Math.sqrt(acc) : acc ** (1 / p);
}

/**
 * Scales all gradients together so their total norm is at most `maxNorm`, like `torch.nn.utils.clip_grad_norm_`.
 * @param params a tensor or tensors whose `.grad` to clip (e.g. `net.parameters()`).
 * @param maxNorm the largest norm allowed (≥ 0).
 * @param normType p of the p-norm (> 0), or `Infinity` / `"inf"` for the largest absolute value (default 2).
 * @returns the total norm of the gradients before clipping, as a 0-d tensor (`.item()` gives the number).
 * @example loss.backward(); clipGradNorm(net.parameters(), 1.0); opt.step();
 */
export function clipGradNorm(params: Tensor | readonly Tensor[], maxNorm: number, normType: number | "inf" = 2, options: ClipGradNormOptions = {}): Tensor {
  const op = "clipGradNorm";
  checkArity(op, arguments, ["params", "maxNorm", "normType", "options"]);
  const grads = gradients(op, params);
  const max = checkRange(op, "maxNorm", maxNorm, 0, Infinity);
  const p = normType === "inf" || normType === Infinity ? Infinity : checkRange(op, "normType", normType, Number.MIN_VALUE, Infinity);
  checkOptionKeys(op, options, ["errorIfNonfinite"]);
  const errorIfNonfinite = checkBoolean(op, "errorIfNonfinite", options.errorIfNonfinite ?? false);
  const norm = Math.fround(totalNorm(grads, p));
  if (errorIfNonfinite && !Number.isFinite(norm)) {
    throw new TorchletError(op, "NON_FINITE", `the total norm of order ${p} of the gradients is ${norm}, so they cannot be clipped (errorIfNonfinite: false scales them by it anyway)`);
  }
  const coefficient = Math.min(Math.fround(max / Math.fround(norm + 1e-6)), 1); // NaN stays NaN, as torch.clamp
  for (const g of grads) for (let i = 0; i < g.length; i++) g[i] *= coefficient;
  return new Tensor(Float32Array.of(norm), []);
}

/**
 * Clamps every gradient value into [−clipValue, clipValue], like `torch.nn.utils.clip_grad_value_`.
 * @param params a tensor or tensors whose `.grad` to clip.
 * @param clipValue the largest absolute value allowed (≥ 0).
 * @example loss.backward(); clipGradValue(net.parameters(), 0.5); opt.step();
 */
export function clipGradValue(params: Tensor | readonly Tensor[], clipValue: number): void {
  const op = "clipGradValue";
  checkArity(op, arguments, ["params", "clipValue"]);
  const grads = gradients(op, params);
  const c = checkRange(op, "clipValue", clipValue, 0, Infinity);
  for (const g of grads) for (let i = 0; i < g.length; i++) g[i] = Math.min(Math.max(g[i]!, -c), c); // NaN stays NaN
}
