// SGD as torch.optim.SGD (PyTorch 1.13's single-tensor loop, torch/optim/sgd.py), per parameter:
//
//   g = ∇ (−∇ when maximize);  g += λ·θ (weight decay)
//   with momentum μ ≠ 0:  b = g on the parameter's first update, then b = μ·b + (1 − dampening)·g;
//                         g = g + μ·b (nesterov) or g = b
//   θ −= lr · g

import { TorchletError, checkArity, checkOptionKeys } from "../../errors.js";
import type { Tensor } from "../../tensor/tensor.js";
import { Optimizer, type OptionTable, type ParamGroup, type ParamGroupSpec } from "./optimizer.js";
import { belowOne, flag, nonNegative, unitInterval } from "./options.js";

/** Options of {@link SGD} (PyTorch's names in camelCase: weight_decay → weightDecay). */
export interface SGDOptions {
  /** Learning rate (required, as in PyTorch; d2l's LeNet uses 0.9). */
  lr: number;
  /** Momentum factor μ in [0, 1) (default 0). */
  momentum?: number;
  /** Dampening of the gradient in the momentum buffer, in [0, 1] (default 0). */
  dampening?: number;
  /** Nesterov momentum (default false); needs momentum > 0 and dampening 0. */
  nesterov?: boolean;
  /** L2 penalty λ added to the gradient (default 0). */
  weightDecay?: number;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
}

/** One parameter group of {@link SGD}: its tensors and every SGD option. */
export type SGDParamGroup = ParamGroup & Required<SGDOptions>;

const SGD_TABLE: OptionTable = {
  checks: { lr: nonNegative, momentum: belowOne, dampening: unitInterval, nesterov: flag, weightDecay: nonNegative, maximize: flag },
  defaults: { momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, maximize: false },
};

/**
 * Stochastic gradient descent, like `torch.optim.SGD`.
 * @example const opt = new SGD(net.parameters(), { lr: 0.9 }); opt.zeroGrad(); loss.backward(); opt.step();
 * @example new SGD([{ params: body.parameters() }, { params: head.parameters(), lr: 0.01 }], { lr: 0.1, momentum: 0.9 })
 */
export class SGD extends Optimizer<SGDParamGroup> {
  /**
   * @param params the tensors to update, or parameter groups `{ params, ...options }`.
   * @param options every group's defaults; `lr` is required unless every group gives its own.
   */
  constructor(params: Tensor[] | ParamGroupSpec<SGDOptions>[], options: SGDOptions) {
    checkArity("SGD", arguments, ["params", "options"]);
    if (typeof options !== "object" || options === null) {
      throw new TorchletError("SGD", "INVALID_ARGUMENT", `options must be { lr, momentum?, dampening?, nesterov?, weightDecay?, maximize? }, got ${String(options)}`);
    }
    checkOptionKeys("SGD", options, Object.keys(SGD_TABLE.checks), ["foreach", "differentiable"]);
    super("SGD", params, options as unknown as Record<string, unknown>, SGD_TABLE);
    // The buffer exists (empty per parameter until its first update) once some group uses momentum.
    this.declareBuffer("momentum", { lazy: true, allocate: this.paramGroups.some((g) => g.momentum !== 0) });
  }

  /** Momentum factor μ of the first group. */
  get momentum(): number {
    return this.paramGroups[0]!.momentum;
  }

  /** L2 penalty λ of the first group. */
  get weightDecay(): number {
    return this.paramGroups[0]!.weightDecay;
  }

  protected override checkGroupRules(group: SGDParamGroup, label: string): void {
    if (group.nesterov && (group.momentum <= 0 || group.dampening !== 0)) {
      throw new TorchletError("SGD", "INVALID_ARGUMENT", `${label}nesterov requires a momentum > 0 and zero dampening, got momentum ${group.momentum} and dampening ${group.dampening}`);
    }
  }

  protected override update(group: SGDParamGroup, p: Tensor, index: number): void {
    const { lr, momentum, dampening, nesterov, weightDecay, maximize } = group;
    const theta = p.data, grad = p.grad!.data;
    const sign = maximize ? -1 : 1;
    if (momentum === 0) {
      for (let i = 0; i < theta.length; i++) theta[i] -= lr * (sign * grad[i]! + weightDecay * theta[i]!);
      return;
    }
    const { values: b, fresh } = this.bufferFor("momentum", index);
    const keep = fresh ? 0 : momentum, take = fresh ? 1 : 1 - dampening; // the first update copies g into the buffer
    for (let i = 0; i < theta.length; i++) {
      const g = sign * grad[i]! + weightDecay * theta[i]!;
      b[i] = keep * b[i]! + take * g;
      theta[i] -= lr * (nesterov ? g + momentum * b[i]! : b[i]!);
    }
  }
}
