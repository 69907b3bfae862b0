// Loss modules.

import type { Tensor } from "../tensor/tensor.js";
import { checkArity, checkOptionKeys } from "../errors.js";
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
