// Adam and AdamW as torch.optim.Adam / AdamW (PyTorch 1.13's single-tensor loops, torch/optim/adam.py
// and adamw.py), per parameter, with its own step count t:
//
//   g = ∇ (−∇ when maximize)
//   Adam:  g += λ·θ (L2 penalty in the gradient)      AdamW:  θ ·= 1 − lr·λ (decoupled weight decay)
//   m = β1·m + (1−β1)·g;  s = β2·s + (1−β2)·g²;  ŝ = max(ŝ, s) with amsgrad, else ŝ = s
//   θ −= (lr / (1−β1^t)) · m / (√ŝ / √(1−β2^t) + ε)

import { checkArity, checkOptionKeys } from "../../errors.js";
import type { Tensor } from "../../tensor/tensor.js";
import { Optimizer, type OptionTable, type ParamGroup, type ParamGroupSpec } from "./optimizer.js";
import { betasPair, flag, nonNegative } from "./options.js";

/** Options of {@link Adam} and {@link AdamW} (PyTorch's names in camelCase). */
export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  lr?: number;
  /** Decay rates (β1, β2) of the moment estimates, each in [0, 1) (default [0.9, 0.999]). */
  betas?: [number, number];
  /** Added to the denominator for stability (default 1e-8). */
  eps?: number;
  /** Weight decay λ (default 0 for Adam, 0.01 for AdamW). */
  weightDecay?: number;
  /** Use the maximum of all second-moment estimates so far (AMSGrad; default false). */
  amsgrad?: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
}

/** One parameter group of {@link Adam} or {@link AdamW}: its tensors and every option. */
export type AdamParamGroup = ParamGroup & Required<AdamOptions>;

const PYTORCH_ONLY = ["foreach", "capturable", "differentiable", "fused"];
const checks = { lr: nonNegative, betas: betasPair, eps: nonNegative, weightDecay: nonNegative, amsgrad: flag, maximize: flag };
const ADAM_TABLE: OptionTable = { checks, defaults: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false } };
const ADAMW_TABLE: OptionTable = { checks, defaults: { ...ADAM_TABLE.defaults, weightDecay: 1e-2 } };

/** Adam (Kingma & Ba, 2015), like `torch.optim.Adam`. */
export class Adam extends Optimizer<AdamParamGroup> {
  /** True for AdamW: weight decay shrinks θ directly instead of joining the gradient. */
  private readonly decoupled: boolean;

  /**
   * @param params the tensors to update, or parameter groups `{ params, ...options }`.
   * @param options every group's defaults.
   */
  constructor(params: Tensor[] | ParamGroupSpec<AdamOptions>[], options: AdamOptions = {}) {
    const name = new.target === AdamW ? "AdamW" : "Adam";
    checkArity(name, arguments, ["params", "options"]);
    const checked = checkOptionKeys(name, options, Object.keys((name === "AdamW" ? ADAMW_TABLE : ADAM_TABLE).checks), PYTORCH_ONLY);
    super(name, params, checked as Record<string, unknown>, name === "AdamW" ? ADAMW_TABLE : ADAM_TABLE);
    this.decoupled = name === "AdamW";
    this.declareBuffer("m");
    this.declareBuffer("s");
    this.declareBuffer("step", { size: () => 1 });
    // AMSGrad's running maximum of s: kept once some group asks for it.
    this.declareBuffer("maxS", { lazy: true, allocate: this.paramGroups.some((g) => g.amsgrad) });
  }

  /** Decay rate β1 of the first group's first-moment (mean) estimate. */
  get beta1(): number {
    return this.paramGroups[0]!.betas[0];
  }

  /** Decay rate β2 of the first group's second-moment (uncentred variance) estimate. */
  get beta2(): number {
    return this.paramGroups[0]!.betas[1];
  }

  /** The first group's eps. */
  get eps(): number {
    return this.paramGroups[0]!.eps;
  }

  /** The first group's weight decay λ. */
  get weightDecay(): number {
    return this.paramGroups[0]!.weightDecay;
  }

  protected override bufferValueProblem(name: string, value: number): string | null {
    if ((name === "s" || name === "maxS") && value < 0) return "second moments are never negative";
    if (name === "step" && !(Number.isInteger(value) && value >= 0)) return "step counts are integers ≥ 0";
    return super.bufferValueProblem(name, value);
  }

  protected override update(group: AdamParamGroup, p: Tensor, index: number): void {
    const { lr, betas: [beta1, beta2], eps, weightDecay, amsgrad, maximize } = group;
    // PyTorch counts steps per parameter, so a parameter without a gradient keeps its bias correction.
    const t = ++this.buffers.step![index]![0]!;
    const stepSize = lr / (1 - beta1 ** t);
    const correction2Sqrt = Math.sqrt(1 - beta2 ** t);
    const theta = p.data, grad = p.grad!.data, m = this.buffers.m![index]!, s = this.buffers.s![index]!;
    const maxS = amsgrad ? this.bufferFor("maxS", index).values : null;
    const sign = maximize ? -1 : 1;
    const shrink = this.decoupled ? 1 - lr * weightDecay : 1;
    const l2 = this.decoupled ? 0 : weightDecay;
    for (let i = 0; i < theta.length; i++) {
      theta[i] *= shrink;
      const g = sign * grad[i]! + l2 * theta[i]!;
      m[i] = beta1 * m[i]! + (1 - beta1) * g;
      s[i] = beta2 * s[i]! + (1 - beta2) * g * g;
      if (maxS !== null) maxS[i] = Math.max(maxS[i]!, s[i]!);
      theta[i] -= (stepSize * m[i]!) / (Math.sqrt(maxS === null ? s[i]! : maxS[i]!) / correction2Sqrt + eps);
    }
  }
}

/** AdamW (Loshchilov & Hutter, 2019), like `torch.optim.AdamW`: Adam with decoupled weight decay (default 0.01). */
export class AdamW extends Adam {
  /**
   * @param params the tensors to update, or parameter groups `{ params, ...options }`.
   * @param options every group's defaults (weightDecay defaults to 0.01).
   */
  constructor(params: Tensor[] | ParamGroupSpec<AdamOptions>[], options: AdamOptions = {}) {
    checkArity("AdamW", arguments, ["params", "options"]);
    super(params, options);
  }
}
