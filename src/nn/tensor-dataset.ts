// TensorDataset: examples and labels held as a tensor and an integer array,
// like torch.utils.data.TensorDataset(x, y), in the form a DataLoader batches.

import { TorchletError, checkArity, checkInt, describe, formatShape } from "../errors.js";
import { Tensor, expectTensor } from "../tensor/tensor.js";
import type { LabeledData } from "./dataloader.js";

/** Integer labels: any array of integers (number[], Int32Array, Uint8Array, ...) or a tensor of integral values. */
export type IntegerLabels = ArrayLike<number> | Tensor;

/**
 * Examples `inputs` (count, ...sampleShape) with one integer label each, like PyTorch's
 * `TensorDataset(x, y)`: `dataset.get(i)` is [example i, label i], and a DataLoader batches it
 * into (batch, ...sampleShape) tensors. The inputs are not copied; the labels are (as an Int32Array).
 * @example new nn.DataLoader(new nn.TensorDataset(randn(100, 3, 8, 8), labels), { batchSize: 10, shuffle: true })
 */
export class TensorDataset implements LabeledData {
  /** The examples' values, row-major: example i is images[i·size, (i+1)·size). */
  readonly images: Float32Array;
  /** Each example's label. */
  readonly labels: Int32Array;
  /** Number of examples: the inputs' first dimension. */
  readonly count: number;
  /** The shape of one example: the inputs' shape without its first dimension. */
  readonly sampleShape: readonly number[];

  /**
   * @param inputs the examples, (count, ...sampleShape), at least 1-D.
   * @param labels one integer per example: an array of integers or a tensor of integral values.
   * @throws TorchletError when inputs is not a tensor of rank ≥ 1, the label count differs from count, or a label is not an integer.
   */
  constructor(inputs: Tensor, labels: IntegerLabels) {
    checkArity("TensorDataset", arguments, ["inputs", "labels"]);
    expectTensor("TensorDataset", "inputs", inputs);
    if (inputs.ndim === 0) throw new TorchletError("TensorDataset", "SHAPE_MISMATCH", "inputs must have a first dimension counting the examples, got a scalar (shape [])");
    const values: unknown = labels instanceof Tensor ? labels.data : labels;
    if (typeof values !== "object" || values === null || typeof (values as ArrayLike<unknown>).length !== "number") {
      throw new TorchletError("TensorDataset", "INVALID_ARGUMENT", `labels must be an array of integers or a Tensor, got ${describe(labels)}`);
    }
    const list = values as ArrayLike<unknown>;
    this.count = inputs.shape[0]!;
    if (list.length !== this.count) {
      throw new TorchletError("TensorDataset", "SHAPE_MISMATCH", `${list.length} labels for ${this.count} examples (inputs ${formatShape(inputs.shape)})`);
    }
    this.labels = new Int32Array(this.count);
    for (let i = 0; i < this.count; i++) {
      const label = list[i];
      if (typeof label !== "number" || !Number.isInteger(label) || Math.abs(label) > 2 ** 31 - 1) {
        throw new TorchletError("TensorDataset", "INVALID_ARGUMENT", `label ${describe(label)} at index ${i} is not an integer`);
      }
      this.labels[i] = label;
    }
    this.images = inputs.data;
    this.sampleShape = inputs.shape.slice(1);
  }

  /** Number of examples, PyTorch's `len(dataset)`. */
  get length(): number {
    return this.count;
  }

  /** Example i and its label, PyTorch's `dataset[i]`: [a tensor of sampleShape (sharing the data), label]. */
  get(index: number): [input: Tensor, label: number] {
    checkArity("TensorDataset.get", arguments, ["index"]);
    checkInt("TensorDataset.get", "index", index, 0);
    if (index >= this.count) throw new TorchletError("TensorDataset.get", "OUT_OF_RANGE", `index ${index} is out of range for ${this.count} examples`);
    const size = this.sampleShape.reduce((a, b) => a * b, 1);
    return [new Tensor(this.images.subarray(index * size, (index + 1) * size), this.sampleShape), this.labels[index]!];
  }
}
