// Loss modules.

import type { Tensor } from "../tensor/tensor.js";
import { checkArity, checkOptionKeys } from "../errors.js";
import { checkLossOptions, type Reduction, type ReductionOptions } from "../ops/loss-reduction.js";
import { mseLoss, l1Loss } from "../ops/regression-loss.js";
import { BCE_WITH_LOGITS_OPTIONS, binaryCrossEntropyWithLogits, type BceWithLogitsOptions } from "../ops/bce-with-logits.js";
import { CROSS_ENTROPY_OPTIONS_NOT_YET, softmaxCrossEntropy, type CrossEntropyOptions, type Labels } from "../ops/cross-entropy.js";

/**
 * Mean softmax cross-entropy between logits (N, classes) and integer labels (N),
 * like `torch.nn.CrossEntropyLoss()`.
 * @example const loss = new CrossEntropyLoss().forward(logits, labels); loss.backward();
 */
export class CrossEntropyLoss {
  /**
   * @param options none yet: PyTorch's reduction, ignoreIndex, labelSmoothing and weight are refused as not supported yet.
   */
  constructor(options: CrossEntropyOptions = {}) {
    checkArity("CrossEntropyLoss", arguments, ["options"]);
    checkOptionKeys("CrossEntropyLoss", options, [], CROSS_ENTROPY_OPTIONS_NOT_YET);
  }

  /**
   * The loss as a scalar tensor (shape []): logits (N, classes), labels (N) → mean −log softmax(logits)[n, label_n].
   * @throws TorchletError on an empty batch, a label count ≠ N, or a label outside [0, classes).
   */
  forward(logits: Tensor, labels: Labels): Tensor {
    checkArity("CrossEntropyLoss.forward", arguments, ["logits", "labels"]);
    return softmaxCrossEntropy(logits, labels);
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
    super("MSELoss", checkLossOptions("MSELoss", options, ["reduction"]));
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
    super("L1Loss", checkLossOptions("L1Loss", options, ["reduction"]));
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
    super("BCEWithLogitsLoss", checkLossOptions("BCEWithLogitsLoss", options, BCE_WITH_LOGITS_OPTIONS));
  }

  /** The loss of input against target, with this module's options. */
  protected compute(input: Tensor, target: Tensor): Tensor {
    const { weight, posWeight } = this.options;
    return binaryCrossEntropyWithLogits(input, target, { reduction: this.reduction, ...(weight && { weight }), ...(posWeight && { posWeight }) });
  }
}
