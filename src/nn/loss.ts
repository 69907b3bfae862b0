// Loss modules: thin holders of a loss function's options, as PyTorch's.

import { Tensor } from "../tensor/tensor.js";
import { checkArity } from "../errors.js";
import { CROSS_ENTROPY_OPTIONS_NOT_YET, softmaxCrossEntropy } from "../ops/cross-entropy.js";
import { nllLoss } from "../ops/nll-loss.js";
import { CROSS_ENTROPY_OPTIONS, NLL_LOSS_OPTIONS, checkLossOptions, type CrossEntropyOptions, type Labels, type NllLossOptions } from "../ops/loss-options.js";
import { checkElementwiseLossOptions, type Reduction, type ReductionOptions } from "../ops/loss-reduction.js";
import { mseLoss, l1Loss } from "../ops/regression-loss.js";
import { BCE_WITH_LOGITS_OPTIONS, binaryCrossEntropyWithLogits, type BceWithLogitsOptions } from "../ops/bce-with-logits.js";

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

/** A loss module over input and target of the same shape, with PyTorch's `reduction`. */
abstract class ElementwiseLoss<O extends ReductionOptions> {
  /** How the per-element losses are reduced: "mean" (default), "sum" or "none". */
  readonly reduction: Reduction;
  /** The class name, e.g. "MSELoss": errors of forward carry it. */
  readonly typeName: string;
  /** The checked options, the reduction resolved. */
  protected readonly options: Readonly<O>;

  constructor(typeName: string, options: O & { reduction: Reduction }) {
    this.typeName = typeName;
    this.options = options;
    this.reduction = options.reduction;
  }

  /** The loss of `input` against `target` (same shape): a scalar, or the input's shape with reduction "none". */
  forward(input: Tensor, target: Tensor): Tensor {
    checkArity(`${this.typeName}.forward`, arguments, ["input", "target"]);
    return this.compute(input, target);
  }

  /** The loss function of this module, called with the module's options. */
  protected abstract compute(input: Tensor, target: Tensor): Tensor;
}

/**
 * Mean squared error, like `torch.nn.MSELoss(reduction=...)`.
 * @example new MSELoss().forward(prediction, target).backward();
 */
export class MSELoss extends ElementwiseLoss<ReductionOptions> {
  /** @param options reduction: "mean" (default), "sum" or "none". */
  constructor(options: ReductionOptions = {}) {
    checkArity("MSELoss", arguments, ["options"]);
    super("MSELoss", checkElementwiseLossOptions("MSELoss", options, ["reduction"]));
  }

  /** The loss of input against target, with this module's options. */
  protected compute(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, { reduction: this.reduction });
  }
}

/**
 * Mean absolute error, like `torch.nn.L1Loss(reduction=...)`; its gradient at an exact fit is 0.
 * @example new L1Loss({ reduction: "sum" }).forward(prediction, target)
 */
export class L1Loss extends ElementwiseLoss<ReductionOptions> {
  /** @param options reduction: "mean" (default), "sum" or "none". */
  constructor(options: ReductionOptions = {}) {
    checkArity("L1Loss", arguments, ["options"]);
    super("L1Loss", checkElementwiseLossOptions("L1Loss", options, ["reduction"]));
  }

  /** The loss of input against target, with this module's options. */
  protected compute(input: Tensor, target: Tensor): Tensor {
    return l1Loss(input, target, { reduction: this.reduction });
  }
}

/**
 * Sigmoid plus binary cross-entropy, fused and stable, like `torch.nn.BCEWithLogitsLoss(weight, reduction, pos_weight)`.
 * @example new BCEWithLogitsLoss({ posWeight: tensor([3]) }).forward(logits, targets)
 */
export class BCEWithLogitsLoss extends ElementwiseLoss<BceWithLogitsOptions> {
  /** @param options reduction ("mean" default, "sum", "none"), weight and posWeight (constant tensors broadcast to the logits). */
  constructor(options: BceWithLogitsOptions = {}) {
    checkArity("BCEWithLogitsLoss", arguments, ["options"]);
    super("BCEWithLogitsLoss", checkElementwiseLossOptions("BCEWithLogitsLoss", options, BCE_WITH_LOGITS_OPTIONS));
  }

  /** The loss of input against target, with this module's options. */
  protected compute(input: Tensor, target: Tensor): Tensor {
    const { weight, posWeight } = this.options;
    return binaryCrossEntropyWithLogits(input, target, { reduction: this.reduction, ...(weight && { weight }), ...(posWeight && { posWeight }) });
  }
}
