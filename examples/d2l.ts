// The d2l helpers the book's chapters share (d2l.Accumulator, d2l.accuracy,
// d2l.Timer, d2l.try_gpu, d2l.load_data_fashion_mnist, d2l.evaluate_accuracy,
// d2l.evaluate_accuracy_gpu, d2l.train_ch6), translated to torchlet (chapter 3's
// training loop, d2l.sgd and d2l.train_ch3, is in d2l-ch3.ts), plus the
// command-line options every example takes (not in the book):
//
//   --limit N     train on the first N training examples only
//   --epochs N    number of epochs (each example has the book's default)
//   --dataset D   mnist | fashion-mnist (default: Fashion-MNIST when Debian's
//                 dataset-fashion-mnist is installed, else the embedded MNIST digits)
//   --json        print one last line of JSON with the final figures (what
//                 `npm run accuracy` reads)
// Each may also come from the environment variable of the same name in capitals.

import { existsSync } from "node:fs";
import { Tensor, noGrad, argmax, getBackend, subset, nn, optim, type Dataset } from "../src/index.js";
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

/** What the command line asked for. */
export interface ExampleOptions {
  readonly limit: number | undefined;
  readonly epochs: number;
  readonly dataset: "mnist" | "fashion-mnist";
  readonly json: boolean;
}

/** Reads --limit, --epochs (default: the book's), --dataset and --json; exits 2 with a usage line on a bad value. */
export function exampleOptions(bookEpochs: number): ExampleOptions {
  const dataset = option("dataset") ?? (existsSync(DEFAULT_FASHION_MNIST_DIR) ? "fashion-mnist" : "mnist");
  if (dataset !== "mnist" && dataset !== "fashion-mnist") {
    console.error(`--dataset must be mnist or fashion-mnist, got ${JSON.stringify(dataset)}`);
    process.exit(2);
  }
  const json = process.argv.includes("--json") || process.env["JSON"] === "1";
  return { limit: intOption("limit", undefined), epochs: intOption("epochs", bookEpochs)!, dataset, json };
}

// ---------------------------------------------------------------------------
// train_iter, test_iter = d2l.load_data_fashion_mnist(batch_size)
//
// (load_data_fashion_mnist shuffles the training set every epoch and yields
// X (batch, 1, 28, 28) in [0, 1] and y (batch) class indices; so does this.)

/** d2l.load_data_fashion_mnist: the training iterator (shuffled each epoch) and the test iterator. */
export function loadDataFashionMnist(batchSize: number, options: ExampleOptions): [nn.DataLoader, nn.DataLoader] {
  const { train, test } = loadDataset(options.dataset);
  const trainSet: Dataset = options.limit === undefined ? train : subset(train, 0, Math.min(options.limit, train.count));
  console.log(`${options.dataset}: ${trainSet.count} training and ${test.count} test examples`);
  return [
    new nn.DataLoader({ ...trainSet, sampleShape: [1, 28, 28] }, { batchSize, shuffle: true }),
    new nn.DataLoader({ ...test, sampleShape: [1, 28, 28] }, { batchSize }),
  ];
}

// ---------------------------------------------------------------------------
// d2l.Accumulator, d2l.accuracy, d2l.Timer, d2l.try_gpu

/** d2l.Accumulator: sums n running totals. */
export class Accumulator {
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
export function accuracy(yHat: Tensor, y: Int32Array): number {
  const predicted = argmax(yHat, 1).data; // y_hat.argmax(axis=1): float32 class indices
  let correct = 0;
  for (let i = 0; i < y.length; i++) if (predicted[i] === y[i]) correct++;
  return correct;
}

/** d2l.Timer: total time between start() and stop() calls, in seconds. */
export class Timer {
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
export function tryGpu(): string {
  const backend = getBackend().name === "wasm" ? setThreads(defaultThreads()) : getBackend();
  return backend.name === "wasm" ? `wasm (WebAssembly SIMD, ${backend.threads} thread${backend.threads === 1 ? "" : "s"})` : "ts (TypeScript kernels)";
}

/** net.apply(fn): calls fn on every submodule, children first, then the module itself. */
export function apply(module: nn.Module, fn: (m: nn.Module) => void): void {
  for (const [, child] of module.namedChildren()) apply(child, fn);
  fn(module);
}

/** A model as the book's chapter 3 takes it: an nn.Module, or a plain function of X (softmax regression from scratch). */
export type Net = nn.Module | ((X: Tensor) => Tensor);

/** net(X): Modules are not callable in JavaScript, so a Module runs its forward. */
export function call(net: Net, X: Tensor): Tensor {
  return net instanceof nn.Module ? net.forward(X) : net(X);
}

// def evaluate_accuracy(net, data_iter):  #@save
//     """Compute the accuracy for a model on a dataset."""
//     if isinstance(net, torch.nn.Module):
//         net.eval()  # Set the model to evaluation mode
//     metric = Accumulator(2)  # No. of correct predictions, no. of predictions
//
//     with torch.no_grad():
//         for X, y in data_iter:
//             metric.add(accuracy(net(X), y), y.numel())
//     return metric[0] / metric[1]

/** d2l.evaluate_accuracy (chapter 3): the accuracy of net over data_iter, a Module in evaluation mode. */
export function evaluateAccuracy(net: Net, dataIter: nn.DataLoader): number {
  if (net instanceof nn.Module) net.eval(); // Set the model to evaluation mode
  const metric = new Accumulator(2); // No. of correct predictions, no. of predictions
  noGrad(() => {
    for (const [X, y] of dataIter) {
      metric.add(accuracy(call(net, X), y), y.length);
    }
  });
  return metric.get(0) / metric.get(1);
}

// def evaluate_accuracy_gpu(net, data_iter, device=None): #@save
//     """Compute the accuracy for a model on a dataset using a GPU."""
//     if isinstance(net, nn.Module):
//         net.eval()  # Set the model to evaluation mode
//         ...
//     # No. of correct predictions, no. of predictions
//     metric = d2l.Accumulator(2)
//     with torch.no_grad():
//         for X, y in data_iter:
//             X, y = X.to(device), y.to(device)
//             metric.add(d2l.accuracy(net(X), y), y.numel())
//     return metric[0] / metric[1]
//
// (The device moves, X.to(device), have no counterpart: the backend works on
// ordinary arrays. What is left is chapter 3's evaluate_accuracy.)

/** d2l.evaluate_accuracy_gpu: the accuracy of net over data_iter, in evaluation mode. */
export function evaluateAccuracyGpu(net: nn.Module, dataIter: nn.DataLoader): number {
  return evaluateAccuracy(net, dataIter);
}

/** The figures a training run ends with; `report` prints them as the book does (and as JSON with --json). */
export interface TrainResult {
  readonly trainLoss: number;
  readonly trainAcc: number;
  readonly testAcc: number;
  readonly examplesPerSecond: number;
}

/** The book's last two lines, then (with --json) one JSON line for `npm run accuracy`. */
export function report(name: string, result: TrainResult, device: string, options: ExampleOptions, seconds: number): void {
  console.log(`loss ${result.trainLoss.toFixed(3)}, train acc ${result.trainAcc.toFixed(3)}, test acc ${result.testAcc.toFixed(3)}`);
  console.log(`${result.examplesPerSecond.toFixed(1)} examples/sec on ${device}`);
  if (options.json) console.log(JSON.stringify({ example: name, epochs: options.epochs, dataset: options.dataset, ...result, seconds }));
}

/** One progress line on a terminal, rewritten in place; nothing when stderr is not a TTY. */
export function progress(epoch: number, i: number, numBatches: number, trainL: number, trainAcc: number): void {
  if (!process.stderr.isTTY) return;
  if ((i + 1) % Math.max(1, Math.floor(numBatches / 5)) === 0 || i === numBatches - 1) {
    process.stderr.write(`\r  epoch ${(epoch + (i + 1) / numBatches).toFixed(2)}: loss ${trainL.toFixed(3)}, train acc ${trainAcc.toFixed(3)} `);
  }
}

/** Ends an epoch: clears the progress line and prints the book's animator points as one line. */
export function epochLine(epoch: number, trainL: number, trainAcc: number, testAcc: number): void {
  if (process.stderr.isTTY) process.stderr.write("\r\x1b[K");
  console.log(`epoch ${epoch + 1}: loss ${trainL.toFixed(3)}, train acc ${trainAcc.toFixed(3)}, test acc ${testAcc.toFixed(3)}`);
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
//     print(f'loss {train_l:.3f}, train acc {train_acc:.3f}, '
//           f'test acc {test_acc:.3f}')
//     print(f'{metric[2] * num_epochs / timer.sum():.1f} examples/sec '
//           f'on {str(device)}')
//
// (The Animator's plot becomes one printed line per epoch; `torchlet train --plot`
// draws the chart. The last two lines are printed by `report`. Not in the book:
// an optional last argument makes another optimizer than SGD(lr), for an
// example that must reach its accuracy in fewer epochs than the book runs.)

/** Makes the optimizer train_ch6 steps (the book's: SGD at lr). */
export type MakeOptimizer = (params: Tensor[], lr: number) => optim.Optimizer;

/** d2l.train_ch6: Xavier-initialises net's Linear and Conv2d weights, then trains it with SGD(lr) (or `makeOptimizer`'s) and cross-entropy. */
export function trainCh6(
  net: nn.Module, trainIter: nn.DataLoader, testIter: nn.DataLoader, numEpochs: number, lr: number, device: string,
  makeOptimizer: MakeOptimizer = (params) => new optim.SGD(params, { lr }),
): TrainResult {
  apply(net, (m) => {
    if (m instanceof nn.Linear || m instanceof nn.Conv2d) nn.xavierUniform(m.weight);
  });
  console.log("training on", device);
  const optimizer = makeOptimizer(net.parameters(), lr);
  const loss = new nn.CrossEntropyLoss();
  const timer = new Timer(), numBatches = trainIter.length;
  let trainL = Number.NaN, trainAcc = Number.NaN, testAcc = Number.NaN;
  let metric = new Accumulator(3);
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
      noGrad(() => metric.add(l.item() * X.shape[0]!, accuracy(yHat, y), X.shape[0]!));
      timer.stop();
      trainL = metric.get(0) / metric.get(2);
      trainAcc = metric.get(1) / metric.get(2);
      progress(epoch, i++, numBatches, trainL, trainAcc);
    }
    testAcc = evaluateAccuracyGpu(net, testIter);
    epochLine(epoch, trainL, trainAcc, testAcc);
  }
  return { trainLoss: trainL, trainAcc, testAcc, examplesPerSecond: (metric.get(2) * numEpochs) / timer.sum() };
}
