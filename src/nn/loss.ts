// Loss modules.

import type { Tensor } from "../tensor/tensor.js";
import { softmaxCrossEntropy, type Labels } from "../ops/cross-entropy.js";

/**
 * Mean softmax cross-entropy between logits (N, classes) and integer labels (N),
 * like `torch.nn.CrossEntropyLoss()`.
 * @example const loss = new CrossEntropyLoss().forward(logits, labels); loss.backward();
 */
export class CrossEntropyLoss {
  /**
   * The loss as a scalar tensor (shape []): logits (N, classes), labels (N) → mean −log softmax(logits)[n, label_n].
   * @throws TorchletError on an empty batch, a label count ≠ N, or a label outside [0, classes).
   */
  forward(logits: Tensor, labels: Labels): Tensor {
    return softmaxCrossEntropy(logits, labels);
  }
}
