// Dive into Deep Learning, "Dropout", the concise implementation (section 5.6,
// https://d2l.ai/chapter_multilayer-perceptrons/dropout.html; the code is the
// PyTorch edition's train_ch3 version, d2l 0.17, section 4.6), translated to
// torchlet statement by statement. Above each block is the PyTorch it mirrors.
//
//   npm run example:mlp-dropout                             # the book's run: 10 epochs, batch 256, SGD lr 0.5
//   npm run example:mlp-dropout -- --limit 512 --epochs 1   # a quick look
//   options (examples/d2l.ts): --limit N, --epochs N, --dataset mnist|fashion-mnist, --json
//
// A multilayer perceptron, 784-256-256-10 with ReLU, and nn.Dropout after each
// hidden layer. Dropout acts in training only: train_epoch_ch3 calls
// net.train(), evaluate_accuracy calls net.eval(), and in evaluation the
// Dropout layers pass their input through. The end of the file shows it.
//
// Modules are not callable in JavaScript: PyTorch's `net(X)` is `net.forward(X)`.

import { Tensor, manualSeed, max, noGrad, optim, nn } from "../src/index.js";
import { apply, exampleOptions, loadDataFashionMnist, report, tryGpu } from "./d2l.js";
import { trainCh3 } from "./d2l-ch3.js";

const options = exampleOptions(10); // --limit, --epochs, --dataset, --json: see examples/d2l.ts
manualSeed(0); // not in the book: a fixed seed (it also draws the dropout masks), so two runs print the same numbers

// dropout1, dropout2 = 0.2, 0.5
//
// net = nn.Sequential(nn.Flatten(),
//         nn.Linear(784, 256),
//         nn.ReLU(),
//         # Add a dropout layer after the first fully connected layer
//         nn.Dropout(dropout1),
//         nn.Linear(256, 256),
//         nn.ReLU(),
//         # Add a dropout layer after the second fully connected layer
//         nn.Dropout(dropout2),
//         nn.Linear(256, 10))

const dropout1 = 0.2, dropout2 = 0.5;

const net = new nn.Sequential(new nn.Flatten(),
  new nn.Linear(784, 256),
  new nn.ReLU(),
  // Add a dropout layer after the first fully connected layer
  new nn.Dropout(dropout1),
  new nn.Linear(256, 256),
  new nn.ReLU(),
  // Add a dropout layer after the second fully connected layer
  new nn.Dropout(dropout2),
  new nn.Linear(256, 10));

// def init_weights(m):
//     if type(m) == nn.Linear:
//         nn.init.normal_(m.weight, std=0.01)
//
// net.apply(init_weights)
//
// (net.apply is d2l.ts's `apply`; the biases keep PyTorch's default init.)

function initWeights(m: nn.Module): void {
  if (m instanceof nn.Linear) nn.normal(m.weight, { std: 0.01 });
}

apply(net, initWeights);
console.log(String(net));

// num_epochs, lr, batch_size = 10, 0.5, 256
// loss = nn.CrossEntropyLoss(reduction='none')
// train_iter, test_iter = d2l.load_data_fashion_mnist(batch_size)
// trainer = torch.optim.SGD(net.parameters(), lr=lr)
// d2l.train_ch3(net, train_iter, test_iter, loss, num_epochs, trainer)
//
// (d2l.train_ch3 is in examples/d2l-ch3.ts; it takes the loss as a function.)

const numEpochs = options.epochs, lr = 0.5, batchSize = 256;
const loss = new nn.CrossEntropyLoss({ reduction: "none" });
const [trainIter, testIter] = loadDataFashionMnist(batchSize, options);
const trainer = new optim.SGD(net.parameters(), { lr });
const device = tryGpu(), started = performance.now();
const result = trainCh3(net, trainIter, testIter, (yHat, y) => loss.forward(yHat, y), numEpochs, trainer);
const seconds = (performance.now() - started) / 1000;

// Not in the book: train vs eval on one batch. In training mode two forwards
// differ (each draws its own dropout masks); in evaluation mode they agree.
const [X] = testIter[Symbol.iterator]().next().value as nn.Batch;
const maxDifference = (a: Tensor, b: Tensor): number => max(a.sub(b).abs()).item(); // (a - b).abs().max()
noGrad(() => {
  net.train();
  console.log("net.train(): two forwards of one batch differ by up to", maxDifference(net.forward(X), net.forward(X)).toFixed(3));
  net.eval();
  console.log("net.eval(): two forwards of one batch differ by up to", maxDifference(net.forward(X), net.forward(X)).toFixed(3));
});

report("mlp-dropout", result, device, options, seconds);
