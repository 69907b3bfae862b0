// Dive into Deep Learning, "Batch Normalization", the concise implementation:
// batch normalization applied to LeNet (section 8.5,
// https://d2l.ai/chapter_convolutional-modern/batch-norm.html; the code is the
// PyTorch edition's train_ch6 version, d2l 0.17, section 7.5), translated to
// torchlet statement by statement. Above each block is the PyTorch it mirrors.
//
//   npm run example:lenet-batchnorm                             # the book's run: 10 epochs, batch 256, SGD lr 1.0
//   npm run example:lenet-batchnorm -- --limit 512 --epochs 1   # a quick look
//   options (examples/d2l.ts): --limit N, --epochs N, --dataset mnist|fashion-mnist, --json
//
// d2l's LeNet (sigmoid, average pooling) with a BatchNorm2d after each
// convolution and a BatchNorm1d after each hidden Linear, before the sigmoid.
// In training each BatchNorm normalises with its batch's mean and variance
// and updates its running statistics; in evaluation (evaluate_accuracy_gpu
// calls net.eval()) it uses the running statistics. Where the plain LeNet
// (examples/lenet-d2l.ts) idles on a loss ≈ 2.30 plateau for hundreds of
// steps at lr 0.9, this one learns from the first steps at lr 1.0.
//
// Modules are not callable in JavaScript: PyTorch's `net(X)` is `net.forward(X)`.

import { manualSeed, nn } from "../src/index.js";
import { exampleOptions, loadDataFashionMnist, report, trainCh6, tryGpu } from "./d2l.js";

const options = exampleOptions(10); // --limit, --epochs, --dataset, --json: see examples/d2l.ts
manualSeed(0); // not in the book: a fixed seed, so two runs print the same numbers

// net = nn.Sequential(
//     nn.Conv2d(1, 6, kernel_size=5), nn.BatchNorm2d(6), nn.Sigmoid(),
//     nn.AvgPool2d(kernel_size=2, stride=2),
//     nn.Conv2d(6, 16, kernel_size=5), nn.BatchNorm2d(16), nn.Sigmoid(),
//     nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
//     nn.Linear(256, 120), nn.BatchNorm1d(120), nn.Sigmoid(),
//     nn.Linear(120, 84), nn.BatchNorm1d(84), nn.Sigmoid(),
//     nn.Linear(84, 10))

const net = new nn.Sequential(
  new nn.Conv2d(1, 6, { kernelSize: 5 }), new nn.BatchNorm2d(6), new nn.Sigmoid(),
  new nn.AvgPool2d(2, { stride: 2 }),
  new nn.Conv2d(6, 16, { kernelSize: 5 }), new nn.BatchNorm2d(16), new nn.Sigmoid(),
  new nn.AvgPool2d(2, { stride: 2 }), new nn.Flatten(),
  new nn.Linear(256, 120), new nn.BatchNorm1d(120), new nn.Sigmoid(),
  new nn.Linear(120, 84), new nn.BatchNorm1d(84), new nn.Sigmoid(),
  new nn.Linear(84, 10));

// lr, num_epochs, batch_size = 1.0, 10, 256
// train_iter, test_iter = d2l.load_data_fashion_mnist(batch_size)
// d2l.train_ch6(net, train_iter, test_iter, num_epochs, lr, d2l.try_gpu())
//
// (d2l.train_ch6 and the other d2l helpers are in examples/d2l.ts.)

const lr = 1.0, numEpochs = options.epochs, batchSize = 256;
const [trainIter, testIter] = loadDataFashionMnist(batchSize, options);
const device = tryGpu(), started = performance.now();
const result = trainCh6(net, trainIter, testIter, numEpochs, lr, device);
const seconds = (performance.now() - started) / 1000;

// The book, on the from-scratch version: the scale and shift the first
// BatchNorm learned.
//
// net[1].gamma.reshape((-1,)), net[1].beta.reshape((-1,))
//
// (nn.BatchNorm2d names them as PyTorch's does: weight (γ) and bias (β); the
// running statistics are the buffers running_mean and running_var.)

const bn = net.layers[1] as nn.BatchNorm2d;
const show = (values: Float32Array): string => `[${Array.from(values, (v) => v.toFixed(4)).join(", ")}]`;
console.log("net[1].weight (gamma):", show(bn.weight!.reshape(-1).data));
console.log("net[1].bias (beta):", show(bn.bias!.reshape(-1).data));
console.log("net[1].running_mean:", show(bn.runningMean!.data));
console.log("net[1].running_var:", show(bn.runningVar!.data));

report("lenet-batchnorm", result, device, options, seconds);
