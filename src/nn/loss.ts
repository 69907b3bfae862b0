// Loss modules: thin holders of a loss function's options, as PyTorch's.

import { Tensor } from "../tensor/tensor.js";
import { checkArity } from "../errors.js";
import { CROSS_ENTROPY_OPTIONS_NOT_YET, softmaxCrossEntropy } from "../ops/cross-entropy.js";
import { nllLoss } from "../ops/nll-loss.js";
import { CROSS_ENTROPY_OPTIONS, NLL_LOSS_OPTIONS, checkLossOptions, type CrossEntropyOptions, type Labels, type NllLossOptions } from "../ops/loss-options.js";

// Checks options when the module is built (the class count is known only from the input: a weight is checked against its own length here).
function checkModuleOptions<T extends CrossEntropyOptions>(op: string, options: T, allowed: readonly string[], notYet: readonly string[] = []): T {
  const weight: unknown = (options as CrossEntropyOptions | undefined)?.weight;
  checkLossOptions(op, options, allowed, weight instanceof Tensor ? (weight.shape[0] ?? 0) : 0, notYet);
  return { ...options };
}

/**
 * Softmax cross-entropy between logits and targets, like `torch.nn.CrossEntropyLoss(weight=, ignore_index=,
 * reduction=, label_smoothing=)`: logits (N, C), (N, C, d1, …) or (C); class indices or probabilities (see crossEntropy).
 * @example const loss = new CrossEntropyLoss({ labelSmoothing: 0.1 }).forward(logits, labels); loss.backward();
 */
export class CrossEntropyLoss {
  /** The options every forward passes to crossEntropy. */
  readonly options: CrossEntropyOptions;

  /**
   * @param options reduction ("mean" | "sum" | "none"), weight (a tensor (C)), ignoreIndex (default −100), labelSmoothing (in [0, 1]).
   * @throws TorchletError for an unknown key (sizeAverage and reduce point to reduction) or a bad value.
   */
  constructor(options: CrossEntropyOptions = {}) {
    checkArity("CrossEntropyLoss", arguments, ["options"]);
    this.options = checkModuleOptions("CrossEntropyLoss", options, CROSS_ENTROPY_OPTIONS, CROSS_ENTROPY_OPTIONS_NOT_YET);
  }

  /**
   * The loss: a scalar tensor (shape []), or one per sample for reduction "none".
   * @throws TorchletError as crossEntropy: an empty input, a target that does not fit, a label outside [0, classes).
   */
  forward(logits: Tensor, labels: Labels): Tensor {
    checkArity("CrossEntropyLoss.forward", arguments, ["logits", "labels"]);
    return softmaxCrossEntropy(logits, labels, this.options);
  }
}

/**
 * Negative log-likelihood of class targets given log-probabilities, like `torch.nn.NLLLoss(weight=, ignore_index=, reduction=)`.
 * @example const loss = new NLLLoss({ reduction: "sum" }).forward(logSoftmax(logits, 1), labels);
 */
export class NLLLoss {
  /** The options every forward passes to nllLoss. */
  readonly options: NllLossOptions;

  /**
   * @param options reduction ("mean" | "sum" | "none"), weight (a tensor (C)), ignoreIndex (default −100).
   * @throws TorchletError for an unknown key (sizeAverage and reduce point to reduction) or a bad value.
   */
  constructor(options: NllLossOptions = {}) {
    checkArity("NLLLoss", arguments, ["options"]);
    this.options = checkModuleOptions("NLLLoss", options, NLL_LOSS_OPTIONS);
  }

  /**
   * The loss: a scalar tensor (shape []), or one per sample for reduction "none".
   * @throws TorchletError as nllLoss.
   */
  forward(logProbs: Tensor, labels: Labels): Tensor {
    checkArity("NLLLoss.forward", arguments, ["input", "target"]);
    return nllLoss(logProbs, labels, this.options);
  }
}
