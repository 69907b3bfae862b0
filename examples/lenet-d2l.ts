// Dive into Deep Learning, "Convolutional Neural Networks (LeNet)" (PyTorch
// edition, https://d2l.ai/chapter_convolutional-neural-networks/lenet.html),
// translated to torchlet statement by statement. Above each block is the
// PyTorch it mirrors, so you can read this next to the book.
//
//   npm run example:lenet                         # the book's run: 10 epochs, batch 256, SGD lr 0.9
//   npm run example:lenet -- --limit 512 --epochs 1   # a quick look (what test/docs/example.test.ts runs)
//   options (examples/d2l.ts): --limit N (first N training examples), --epochs N, --dataset mnist|fashion-mnist, --json
//            (or the environment variables LIMIT, EPOCHS, DATASET, JSON=1)
//
// Data: the book's Fashion-MNIST when /usr/share/datasets/fashion-mnist exists
// (Debian: apt-get install dataset-fashion-mnist), else the 10,000 real MNIST
// digits embedded in torchlet (data/mnist-embedded: 8,000 train / 2,000 test).
//
// What to expect, honestly: d2l's LeNet (sigmoid activations, average pooling)
// trained with plain SGD at lr 0.9 sits on a plateau at loss ≈ 2.30 (= ln 10,
// a uniform guess) for its first 800–1,500 steps before it starts to learn;
// PyTorch behaves the same. So a short run (--limit 512 --epochs 1 is 2 steps)
// stays near loss 2.30 and chance accuracy. The book's full run (Fashion-MNIST,
// 60,000 examples = 235 steps per epoch, 10 epochs) gets past the plateau
// within the first epochs and ends near test acc 0.78–0.80 (the book shows
// 0.779). On the 8,000 bundled digits (32 steps per epoch) the plateau lasts
// 25 to 45 epochs; `npm start` trains the same network with Adam instead.
//
// Modules are not callable in JavaScript: PyTorch's `net(X)` is `net.forward(X)`.
// This is the eager API, exactly as the book uses PyTorch; the CLI trains the
// same network through an nn.Plan, which is faster (docs/backends.md).

import { Tensor, rand, manualSeed, nn } from "../src/index.js";
import { exampleOptions, loadDataFashionMnist, trainCh6, tryGpu, report } from "./d2l.js";

const options = exampleOptions(10); // --limit, --epochs, --dataset, --json: see examples/d2l.ts
manualSeed(0); // not in the book: a fixed seed, so two runs print the same numbers

// ---------------------------------------------------------------------------
// class Reshape(torch.nn.Module):
//     def forward(self, x):
//         return x.view(-1, 1, 28, 28)
//
// (torchlet ships this as nn.Reshape; here it is defined as the book does.)

class Reshape extends nn.Module {
  override forward(x: Tensor): Tensor {
    return x.view(-1, 1, 28, 28);
  }
}

// net = torch.nn.Sequential(
//     Reshape(), nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(),
//     nn.AvgPool2d(kernel_size=2, stride=2),
//     nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(),
//     nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
//     nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(),
//     nn.Linear(120, 84), nn.Sigmoid(),
//     nn.Linear(84, 10))

const net = new nn.Sequential(
  new Reshape(), new nn.Conv2d(1, 6, { kernelSize: 5, padding: 2 }), new nn.Sigmoid(),
  new nn.AvgPool2d(2, { stride: 2 }),
  new nn.Conv2d(6, 16, { kernelSize: 5 }), new nn.Sigmoid(),
  new nn.AvgPool2d(2, { stride: 2 }), new nn.Flatten(),
  new nn.Linear(16 * 5 * 5, 120), new nn.Sigmoid(),
  new nn.Linear(120, 84), new nn.Sigmoid(),
  new nn.Linear(84, 10));

// X = torch.rand(size=(1, 1, 28, 28), dtype=torch.float32)
// for layer in net:
//     X = layer(X)
//     print(layer.__class__.__name__, 'output shape: \t', X.shape)

let X = rand(1, 1, 28, 28);
for (const layer of net.layers) {
  X = layer.forward(X);
  console.log(`${layer.typeName} output shape:\t [${X.shape.join(", ")}]`);
}

// ---------------------------------------------------------------------------
// batch_size = 256
// train_iter, test_iter = d2l.load_data_fashion_mnist(batch_size=batch_size)
//
// The d2l helpers the chapter uses (d2l.load_data_fashion_mnist, d2l.Accumulator,
// d2l.accuracy, d2l.Timer, d2l.try_gpu, d2l.evaluate_accuracy_gpu, d2l.train_ch6)
// are in examples/d2l.ts, each under the book's Python it translates.

const batchSize = 256;
const [trainIter, testIter] = loadDataFashionMnist(batchSize, options);

// lr, num_epochs = 0.9, 10
// train_ch6(net, train_iter, test_iter, num_epochs, lr, d2l.try_gpu())

const lr = 0.9, numEpochs = options.epochs;
const device = tryGpu(), started = performance.now();
report("lenet-d2l", trainCh6(net, trainIter, testIter, numEpochs, lr, device), device, options, (performance.now() - started) / 1000);
