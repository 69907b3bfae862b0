// Dive into Deep Learning, "Softmax Regression Implementation from Scratch"
// (section 4.4, https://d2l.ai/chapter_linear-classification/softmax-regression-scratch.html;
// the code is the PyTorch edition's train_ch3 version, d2l 0.17, section 3.6),
// translated to torchlet statement by statement. Above each block is the
// PyTorch it mirrors, so you can read this next to the book.
//
//   npm run example:softmax-regression                            # the book's run: 10 epochs, batch 256, lr 0.1
//   npm run example:softmax-regression -- --limit 512 --epochs 1  # a quick look
//   options (examples/d2l.ts): --limit N, --epochs N, --dataset mnist|fashion-mnist, --json
//
// Everything is written by hand, as in the book: the model is a plain function
// of two tensors, softmax is exp / sum with broadcasting, the loss picks each
// row's probability of its label, and SGD updates W and b itself.

import { Tensor, tensor, zeros, manualSeed, nn } from "../src/index.js";
import { accuracy, evaluateAccuracy, exampleOptions, loadDataFashionMnist, report, tryGpu } from "./d2l.js";
import { sgd, trainCh3 } from "./d2l-ch3.js";

const options = exampleOptions(10); // --limit, --epochs, --dataset, --json: see examples/d2l.ts
manualSeed(0); // not in the book: a fixed seed, so two runs print the same numbers

// batch_size = 256
// train_iter, test_iter = d2l.load_data_fashion_mnist(batch_size)

const batchSize = 256;
const [trainIter, testIter] = loadDataFashionMnist(batchSize, options);

// num_inputs = 784
// num_outputs = 10
//
// W = torch.normal(0, 0.01, size=(num_inputs, num_outputs), requires_grad=True)
// b = torch.zeros(num_outputs, requires_grad=True)
//
// (torch.normal's draw is nn.normal, torch.nn.init.normal_, filling a fresh leaf.)

const numInputs = 784;
const numOutputs = 10;

const W = nn.normal(zeros([numInputs, numOutputs], { requiresGrad: true }), { mean: 0, std: 0.01 });
const b = zeros([numOutputs], { requiresGrad: true });

// X = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
// X.sum(0, keepdim=True), X.sum(1, keepdim=True)

const X = tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
console.log("X.sum(0, keepdim=True):", show(X.sum(0, true)), "X.sum(1, keepdim=True):", show(X.sum(1, true)));

/** A tensor's values as nested arrays, rounded to 4 decimals as PyTorch prints them. */
function show(t: Tensor): string {
  return JSON.stringify(t.toArray(), (_, v: unknown) => (typeof v === "number" ? Number(v.toFixed(4)) : v));
}

// def softmax(X):
//     X_exp = torch.exp(X)
//     partition = X_exp.sum(1, keepdim=True)
//     return X_exp / partition  # The broadcasting mechanism is applied here

function softmax(X: Tensor): Tensor {
  const XExp = X.exp();
  const partition = XExp.sum(1, true);
  return XExp.div(partition); // The broadcasting mechanism is applied here
}

// X = torch.normal(0, 1, (2, 5))
// X_prob = softmax(X)
// X_prob, X_prob.sum(1)

const XProb = softmax(nn.normal(zeros(2, 5), { mean: 0, std: 1 }));
console.log("X_prob:", show(XProb), "X_prob.sum(1):", show(XProb.sum(1)));

// def net(X):
//     return softmax(torch.matmul(X.reshape((-1, W.shape[0])), W) + b)

function net(X: Tensor): Tensor {
  return softmax(X.reshape(-1, W.shape[0]!).matmul(W).add(b));
}

// y = torch.tensor([0, 2])
// y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
// y_hat[[0, 1], y]
//
// (torchlet has no fancy indexing: y_hat[[0, 1], y] picks y_hat[i, y[i]] for each
// row i, which is PyTorch's y_hat.gather(1, y.unsqueeze(1)), here with y as a
// column of indices [[y0], [y1], ...].)

const y = Int32Array.of(0, 2);
const yHat = tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]]);
console.log("y_hat[[0, 1], y]:", show(yHat.gather(1, column(y)).squeeze(1)));

/** The labels as a column of indices (N, 1), what gather takes to pick one entry per row. */
function column(y: Int32Array): number[][] {
  return Array.from(y, (label) => [label]);
}

// def cross_entropy(y_hat, y):
//     return - torch.log(y_hat[range(len(y_hat)), y])
//
// cross_entropy(y_hat, y)

function crossEntropy(yHat: Tensor, y: Int32Array): Tensor {
  return yHat.gather(1, column(y)).squeeze(1).log().neg();
}

console.log("cross_entropy(y_hat, y):", show(crossEntropy(yHat, y)));

// accuracy(y_hat, y) / len(y)
//
// (d2l.accuracy, d2l.evaluate_accuracy and d2l.Accumulator are in examples/d2l.ts.)

console.log("accuracy(y_hat, y) / len(y):", accuracy(yHat, y) / y.length);

// evaluate_accuracy(net, test_iter)

console.log("evaluate_accuracy(net, test_iter) before training:", evaluateAccuracy(net, testIter).toFixed(4));

// lr = 0.1
//
// def updater(batch_size):
//     return d2l.sgd([W, b], lr, batch_size)
//
// num_epochs = 10
// train_ch3(net, train_iter, test_iter, cross_entropy, num_epochs, updater)
//
// (d2l.sgd, d2l.train_epoch_ch3 and d2l.train_ch3 are in examples/d2l-ch3.ts.)

const lr = 0.1;

function updater(batchSize: number): void {
  sgd([W, b], lr, batchSize);
}

const numEpochs = options.epochs;
const device = tryGpu(), started = performance.now();
report("softmax-regression", trainCh3(net, trainIter, testIter, crossEntropy, numEpochs, updater), device, options, (performance.now() - started) / 1000);
