// Chapter 3's training loop, as the d2l package has it (d2l.sgd,
// d2l.train_epoch_ch3, d2l.train_ch3), translated to torchlet; the softmax
// regression and dropout chapters train with it. The helpers every chapter
// shares (d2l.Accumulator, d2l.accuracy, d2l.evaluate_accuracy, ...) are in d2l.ts.

import { Tensor, noGrad, nn, optim } from "../src/index.js";
import { Accumulator, Timer, accuracy, call, epochLine, evaluateAccuracy, type Net, type TrainResult } from "./d2l.js";

// def sgd(params, lr, batch_size):  #@save
//     """Minibatch stochastic gradient descent."""
//     with torch.no_grad():
//         for param in params:
//             param -= lr * param.grad / batch_size
//             param.grad.zero_()
//
// (torchlet has no in-place tensor ops such as `-=` or zero_(): the new values
// are written into the parameter's own buffer, so the tensor the model holds is
// the one updated, and Tensor.zeroGrad() clears the gradient.)

/** d2l.sgd: params ← params − lr · grad / batchSize, then the gradients are zeroed. */
export function sgd(params: readonly Tensor[], lr: number, batchSize: number): void {
  noGrad(() => {
    for (const param of params) {
      param.data.set(param.sub(param.grad!.mul(lr).div(batchSize)).data); // param -= lr * param.grad / batch_size
      param.zeroGrad(); // param.grad.zero_()
    }
  });
}

/** A loss as chapter 3 uses it: one value per example (PyTorch's reduction='none'). */
export type Loss = (yHat: Tensor, y: Int32Array) => Tensor;

/** What updates the parameters: a torchlet optimizer, or a function of the batch size (d2l.sgd wrapped). */
export type Updater = optim.Optimizer | ((batchSize: number) => void);

// def train_epoch_ch3(net, train_iter, loss, updater):  #@save
//     """The training loop defined in Chapter 3."""
//     # Set the model to training mode
//     if isinstance(net, torch.nn.Module):
//         net.train()
//     # Sum of training loss, sum of training accuracy, no. of examples
//     metric = Accumulator(3)
//     for X, y in train_iter:
//         # Compute gradients and update parameters
//         y_hat = net(X)
//         l = loss(y_hat, y)
//         if isinstance(updater, torch.optim.Optimizer):
//             # Using PyTorch in-built optimizer & loss criterion
//             updater.zero_grad()
//             l.mean().backward()
//             updater.step()
//         else:
//             # Using custom built optimizer & loss criterion
//             l.sum().backward()
//             updater(X.shape[0])
//         metric.add(float(l.sum()), accuracy(y_hat, y), y.numel())
//     # Return training loss and training accuracy
//     return metric[0] / metric[2], metric[1] / metric[2]

/** d2l.train_epoch_ch3: one pass over train_iter; returns the mean training loss and accuracy. */
export function trainEpochCh3(net: Net, trainIter: nn.DataLoader, loss: Loss, updater: Updater): [number, number] {
  // Set the model to training mode
  if (net instanceof nn.Module) net.train();
  // Sum of training loss, sum of training accuracy, no. of examples
  const metric = new Accumulator(3);
  for (const [X, y] of trainIter) {
    // Compute gradients and update parameters
    const yHat = call(net, X);
    const l = loss(yHat, y);
    if (updater instanceof optim.Optimizer) {
      // Using torchlet's built-in optimizer & loss criterion
      updater.zeroGrad();
      l.mean().backward();
      updater.step();
    } else {
      // Using custom built optimizer & loss criterion
      l.sum().backward();
      updater(X.shape[0]!);
    }
    metric.add(l.sum().item(), accuracy(yHat, y), y.length);
  }
  // Return training loss and training accuracy
  return [metric.get(0) / metric.get(2), metric.get(1) / metric.get(2)];
}

// def train_ch3(net, train_iter, test_iter, loss, num_epochs, updater):  #@save
//     """Train a model (defined in Chapter 3)."""
//     animator = Animator(xlabel='epoch', xlim=[1, num_epochs], ylim=[0.3, 0.9],
//                         legend=['train loss', 'train acc', 'test acc'])
//     for epoch in range(num_epochs):
//         train_metrics = train_epoch_ch3(net, train_iter, loss, updater)
//         test_acc = evaluate_accuracy(net, test_iter)
//         animator.add(epoch + 1, train_metrics + (test_acc,))
//     train_loss, train_acc = train_metrics
//     assert train_loss < 0.5, train_loss
//     assert train_acc <= 1 and train_acc > 0.7, train_acc
//     assert test_acc <= 1 and test_acc > 0.7, test_acc
//
// (The Animator's plot becomes one printed line per epoch. The book's closing
// asserts hold for its full run only, not for a --limit/--epochs slice, so they
// are left out: `npm run accuracy` checks each example's bar instead. The
// timing, for the examples/sec line `report` prints, is not in the book.)

/** d2l.train_ch3: num_epochs of train_epoch_ch3, each followed by the test accuracy. */
export function trainCh3(net: Net, trainIter: nn.DataLoader, testIter: nn.DataLoader, loss: Loss, numEpochs: number, updater: Updater): TrainResult {
  const timer = new Timer();
  let trainMetrics: [number, number] = [Number.NaN, Number.NaN], testAcc = Number.NaN;
  for (let epoch = 0; epoch < numEpochs; epoch++) {
    timer.start();
    trainMetrics = trainEpochCh3(net, trainIter, loss, updater);
    timer.stop();
    testAcc = evaluateAccuracy(net, testIter);
    epochLine(epoch, ...trainMetrics, testAcc);
  }
  const [trainLoss, trainAcc] = trainMetrics;
  return { trainLoss, trainAcc, testAcc, examplesPerSecond: (trainIter.data.count * numEpochs) / timer.sum() };
}
