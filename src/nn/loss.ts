// Loss modules.

import type { Tensor } from "../tensor/tensor.js";
import { softmaxCrossEntropy, type Labels } from "../ops/cross-entropy.js";

/**
 * Mean softmax cross-entropy between logits (N, classes) and integer labels (N),
 * like `torch.nn.CrossEntropyLoss()`.
 * @example const loss = new CrossEntropyLoss().forward(logits, labels); loss.backward();
 */
export class CrossEntropyLoss {
  forward(logits: Tensor, labels: Labels): Tensor {
    return softmaxCrossEntropy(logits, labels);
  }
}
