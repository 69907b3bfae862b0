// Dive into Deep Learning, "Convolutional Neural Networks (LeNet)" (PyTorch
// edition, https://d2l.ai/chapter_convolutional-neural-networks/lenet.html),
// translated to torchlet statement by statement. Above each block is the
// PyTorch it mirrors, so you can read this next to the book.
//
//   npm run example:lenet                         # the book's run: 10 epochs, batch 256, SGD lr 0.9
//   npm run example:lenet -- --limit 512 --epochs 1   # a quick look (what test/docs/example.test.ts runs)
//   options: --limit N (first N training examples), --epochs N, --dataset mnist|fashion-mnist
//            (or the environment variables LIMIT, EPOCHS, DATASET)
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

import { existsSync } from "node:fs";
import { Tensor, rand, noGrad, argmax, manualSeed, getBackend, subset, nn, optim, type Dataset } from "../src/index.js";
import { loadDataset, DEFAULT_FASHION_MNIST_DIR, setThreads, defaultThreads } from "../src/node.js";

// ---------------------------------------------------------------------------
// Options (not in the book).

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0) return process.argv[i + 1];
  return process.env[name.toUpperCase()];
}

function intOption(name: string, fallback: number | undefined): number | undefined {
  const text = option(name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`--${name} must be an integer ≥ 1, got ${JSON.stringify(text)}`);
    process.exit(2);
  }
  return value;
}

const limit = intOption("limit", undefined);
const epochs = intOption("epochs", 10)!;
const datasetName = option("dataset") ?? (existsSync(DEFAULT_FASHION_MNIST_DIR) ? "fashion-mnist" : "mnist");
if (datasetName !== "mnist" && datasetName !== "fashion-mnist") {
  console.error(`--dataset must be mnist or fashion-mnist, got ${JSON.stringify(datasetName)}`);
  process.exit(2);
}
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
// (load_data_fashion_mnist shuffles the training set every epoch and yields
// X (batch, 1, 28, 28) in [0, 1] and y (batch) class indices; so does this.)

const batchSize = 256;
function loadData(name: "mnist" | "fashion-mnist"): { train: Dataset; test: Dataset } {
  const { train, test } = loadDataset(name);
  return { train: limit === undefined ? train : subset(train, 0, Math.min(limit, train.count)), test };
}
const { train, test } = loadData(datasetName);
console.log(`${datasetName}: ${train.count} training and ${test.count} test examples`);
const trainIter = new nn.DataLoader({ ...train, sampleShape: [1, 28, 28] }, { batchSize, shuffle: true });
const testIter = new nn.DataLoader({ ...test, sampleShape: [1, 28, 28] }, { batchSize });

// The d2l helpers the chapter uses: d2l.Accumulator, d2l.accuracy, d2l.Timer, d2l.try_gpu.

/** d2l.Accumulator: sums n running totals. */
class Accumulator {
  data: number[];
  constructor(n: number) {
    this.data = new Array<number>(n).fill(0);
  }
  add(...args: number[]): void {
    this.data = this.data.map((a, i) => a + args[i]!);
  }
  get(i: number): number {
    return this.data[i]!;
  }
}

/** d2l.accuracy: the number of rows of y_hat whose largest logit is at the label. */
function accuracy(yHat: Tensor, y: Int32Array): number {
  const predicted = argmax(yHat, 1).data; // y_hat.argmax(axis=1): float32 class indices
  let correct = 0;
  for (let i = 0; i < y.length; i++) if (predicted[i] === y[i]) correct++;
  return correct;
}

/** d2l.Timer: total time between start() and stop() calls, in seconds. */
class Timer {
  private started = 0;
  private total = 0;
  start(): void {
    this.started = performance.now();
  }
  stop(): void {
    this.total += (performance.now() - this.started) / 1000;
  }
  sum(): number {
    return this.total;
  }
}

/** d2l.try_gpu(): the fastest device there is. Here: the WebAssembly SIMD kernels on every core. */
function tryGpu(): string {
  const backend = getBackend().name === "wasm" ? setThreads(defaultThreads()) : getBackend();
  return backend.name === "wasm" ? `wasm (WebAssembly SIMD, ${backend.threads} thread${backend.threads === 1 ? "" : "s"})` : "ts (TypeScript kernels)";
}

/** net.apply(fn): calls fn on every submodule, children first, then the module itself. */
function apply(module: nn.Module, fn: (m: nn.Module) => void): void {
  for (const [, child] of module.namedChildren()) apply(child, fn);
  fn(module);
}

// def evaluate_accuracy_gpu(net, data_iter, device=None): #@save
//     """Compute the accuracy for a model on a dataset using a GPU."""
//     if isinstance(net, nn.Module):
//         net.eval()  # Set the model to evaluation mode
//         if not device:
//             device = next(iter(net.parameters())).device
//     # No. of correct predictions, no. of predictions
//     metric = d2l.Accumulator(2)
//     with torch.no_grad():
//         for X, y in data_iter:
//             if isinstance(X, list):
//                 # Required for BERT Fine-tuning (to be covered later)
//                 X = [x.to(device) for x in X]
//             else:
//                 X = X.to(device)
//             y = y.to(device)
//             metric.add(d2l.accuracy(net(X), y), y.numel())
//     return metric[0] / metric[1]
//
// (The device moves, X.to(device), have no counterpart: the backend works on
// ordinary arrays.)

function evaluateAccuracyGpu(net: nn.Module, dataIter: nn.DataLoader): number {
  net.eval(); // Set the model to evaluation mode
  // No. of correct predictions, no. of predictions
  const metric = new Accumulator(2);
  noGrad(() => {
    for (const [X, y] of dataIter) {
      metric.add(accuracy(net.forward(X), y), y.length);
    }
  });
  return metric.get(0) / metric.get(1);
}

// def train_ch6(net, train_iter, test_iter, num_epochs, lr, device):
//     """Train a model with a GPU (defined in Chapter 6)."""
//     def init_weights(m):
//         if type(m) == nn.Linear or type(m) == nn.Conv2d:
//             nn.init.xavier_uniform_(m.weight)
//     net.apply(init_weights)
//     print('training on', device)
//     net.to(device)
//     optimizer = torch.optim.SGD(net.parameters(), lr=lr)
//     loss = nn.CrossEntropyLoss()
//     animator = d2l.Animator(xlabel='epoch', xlim=[1, num_epochs],
//                             legend=['train loss', 'train acc', 'test acc'])
//     timer, num_batches = d2l.Timer(), len(train_iter)

function trainCh6(net: nn.Sequential, trainIter: nn.DataLoader, testIter: nn.DataLoader, numEpochs: number, lr: number, device: string): void {
  function initWeights(m: nn.Module): void {
    if (m instanceof nn.Linear || m instanceof nn.Conv2d) {
      nn.xavierUniform(m.weight);
    }
  }
  apply(net, initWeights);
  console.log("training on", device);
  // (net.to(device): nothing to move; the backend reads the parameters where they are)
  const optimizer = new optim.SGD(net.parameters(), { lr });
  const loss = new nn.CrossEntropyLoss();
  // (the Animator's plot becomes one printed line per epoch; `torchlet train --plot` draws the chart)
  const timer = new Timer(), numBatches = trainIter.length;
  let trainL = Number.NaN, trainAcc = Number.NaN, testAcc = Number.NaN;
  let metric = new Accumulator(3);

  //     for epoch in range(num_epochs):
  //         # Sum of training loss, sum of training accuracy, no. of examples
  //         metric = d2l.Accumulator(3)
  //         net.train()
  //         for i, (X, y) in enumerate(train_iter):
  //             timer.start()
  //             optimizer.zero_grad()
  //             X, y = X.to(device), y.to(device)
  //             y_hat = net(X)
  //             l = loss(y_hat, y)
  //             l.backward()
  //             optimizer.step()
  //             with torch.no_grad():
  //                 metric.add(l * X.shape[0], d2l.accuracy(y_hat, y), X.shape[0])
  //             timer.stop()
  //             train_l = metric[0] / metric[2]
  //             train_acc = metric[1] / metric[2]
  //             if (i + 1) % (num_batches // 5) == 0 or i == num_batches - 1:
  //                 animator.add(epoch + (i + 1) / num_batches,
  //                              (train_l, train_acc, None))
  //         test_acc = evaluate_accuracy_gpu(net, test_iter)
  //         animator.add(epoch + 1, (None, None, test_acc))

  for (let epoch = 0; epoch < numEpochs; epoch++) {
    // Sum of training loss, sum of training accuracy, no. of examples
    metric = new Accumulator(3);
    net.train();
    let i = 0;
    for (const [X, y] of trainIter) {
      timer.start();
      optimizer.zeroGrad();
      const yHat = net.forward(X);
      const l = loss.forward(yHat, y);
      l.backward();
      optimizer.step();
      noGrad(() => {
        metric.add(l.item() * X.shape[0]!, accuracy(yHat, y), X.shape[0]!);
      });
      timer.stop();
      trainL = metric.get(0) / metric.get(2);
      trainAcc = metric.get(1) / metric.get(2);
      if (process.stderr.isTTY && ((i + 1) % Math.max(1, Math.floor(numBatches / 5)) === 0 || i === numBatches - 1)) {
        process.stderr.write(`\r  epoch ${(epoch + (i + 1) / numBatches).toFixed(2)}: loss ${trainL.toFixed(3)}, train acc ${trainAcc.toFixed(3)} `);
      }
      i++;
    }
    if (process.stderr.isTTY) process.stderr.write("\r\x1b[K");
    testAcc = evaluateAccuracyGpu(net, testIter);
    console.log(`epoch ${epoch + 1}: loss ${trainL.toFixed(3)}, train acc ${trainAcc.toFixed(3)}, test acc ${testAcc.toFixed(3)}`);
  }

  //     print(f'loss {train_l:.3f}, train acc {train_acc:.3f}, '
  //           f'test acc {test_acc:.3f}')
  //     print(f'{metric[2] * num_epochs / timer.sum():.1f} examples/sec '
  //           f'on {str(device)}')

  console.log(`loss ${trainL.toFixed(3)}, train acc ${trainAcc.toFixed(3)}, test acc ${testAcc.toFixed(3)}`);
  console.log(`${((metric.get(2) * numEpochs) / timer.sum()).toFixed(1)} examples/sec on ${device}`);
}

// lr, num_epochs = 0.9, 10
// train_ch6(net, train_iter, test_iter, num_epochs, lr, d2l.try_gpu())

const lr = 0.9, numEpochs = epochs;
trainCh6(net, trainIter, testIter, numEpochs, lr, tryGpu());
