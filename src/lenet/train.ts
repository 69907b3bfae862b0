// The training loop of d2l's train_ch6, split into steps a caller can drive
// (the CLI adds progress, checkpoints and plots; the browser playground runs
// it in a worker).

import { checkArity } from "../errors.js";
import { Tensor, noGrad } from "../tensor/tensor.js";
import { softmaxCrossEntropy } from "../ops/cross-entropy.js";
import { argmax } from "../ops/max.js";
import type { Module } from "../nn/module.js";
import type { Optimizer } from "../nn/optim.js";
import { checkFiniteLoss, checkFiniteGradient } from "../nn/finite.js";
import { DataLoader, type LabeledData } from "../nn/dataloader.js";

/** What one training step measured. */
export interface StepResult {
  /** Mean loss over the batch. */
  loss: number;
  /** Examples in the batch the network classified right (before the update). */
  correct: number;
}

/**
 * One step of minibatch SGD: zero the gradients, forward, loss, backward, update.
 * Refuses to update when the loss or any gradient is NaN or ±Infinity, so a
 * diverging run stops with the weights of the last good step.
 * @throws TorchletError with code NON_FINITE when the loss or a gradient is not finite.
 */
export function trainStep(net: Module, optimizer: Optimizer, x: Tensor, y: Int32Array): StepResult {
  checkArity("trainStep", arguments, ["net", "optimizer", "x", "y"]);
  optimizer.zeroGrad();
  const logits = net.forward(x);
  const loss = softmaxCrossEntropy(logits, y);
  const value = loss.item();
  checkFiniteLoss(value);
  loss.backward();
  for (const [name, p] of namedOrIndexed(net, optimizer)) {
    if (p.grad) checkFiniteGradient(() => name, p.grad.data);
  }
  optimizer.step();
  return { loss: value, correct: countCorrect(logits, y) };
}

function namedOrIndexed(net: Module, optimizer: Optimizer): [string, Tensor][] {
  const named = net.namedParameters();
  return named.length === optimizer.params.length ? named : optimizer.params.map((p, i) => [`parameter ${i}`, p]);
}

/** How many rows of logits (N, classes) have their largest value at the label. */
export function countCorrect(logits: Tensor, labels: Int32Array): number {
  checkArity("countCorrect", arguments, ["logits", "labels"]);
  const predicted = argmax(logits, -1).data; // one class index per row
  let correct = 0;
  for (let i = 0; i < predicted.length; i++) if (predicted[i] === labels[i]) correct++;
  return correct;
}

/** Mean loss and accuracy of a classifier on a dataset. */
export interface Evaluation {
  /** Mean cross-entropy loss over the examples (0 for an empty dataset). */
  loss: number;
  /** Fraction of examples classified right, in [0, 1] (0 for an empty dataset). */
  acc: number;
  /** Number of examples classified right. */
  correct: number;
  /** Number of examples evaluated. */
  count: number;
}

/**
 * Mean loss and accuracy of `net` on `data` in eval mode without gradients,
 * like d2l's evaluate_accuracy_gpu; restores the previous training mode.
 */
export function evaluate(net: Module, data: LabeledData, batchSize = 256): Evaluation {
  checkArity("evaluate", arguments, ["net", "data", "batchSize"]);
  const wasTraining = net.training;
  net.eval();
  let lossSum = 0, correct = 0;
  try {
    noGrad(() => {
      for (const [x, y] of new DataLoader(data, { batchSize })) {
        const logits = net.forward(x);
        lossSum += softmaxCrossEntropy(logits, y).item() * y.length;
        correct += countCorrect(logits, y);
      }
    });
  } finally {
    net.train(wasTraining);
  }
  const count = data.count;
  return { loss: count === 0 ? 0 : lossSum / count, acc: count === 0 ? 0 : correct / count, correct, count };
}

/** Classification accuracy of `net` on `data`: {@link evaluate}'s `acc`. */
export function evaluateAccuracy(net: Module, data: LabeledData, batchSize = 256): number {
  checkArity("evaluateAccuracy", arguments, ["net", "data", "batchSize"]);
  return evaluate(net, data, batchSize).acc;
}
