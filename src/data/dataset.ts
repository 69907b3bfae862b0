// An in-memory image-classification dataset (MNIST and friends) and the
// class names of the ones torchlet knows. Pure: safe in the browser.

import { TorchletError, checkInt, checkArity } from "../errors.js";

/** Side of the square images of the MNIST family (28 pixels). */
export const IMAGE_SIZE = 28;

/** Pixels in one MNIST-family image (28 · 28 = 784). */
export const PIXELS_PER_IMAGE = IMAGE_SIZE * IMAGE_SIZE;

/** The shape of one MNIST-family example: one channel of 28×28 pixels, as torchvision's (1, 28, 28). */
export const IMAGE_SHAPE: readonly number[] = Object.freeze([1, IMAGE_SIZE, IMAGE_SIZE]);

/**
 * A labelled set of 28×28 grayscale images, held as flat typed arrays so a
 * batch is a `subarray` away from a tensor.
 */
export interface Dataset {
  /** Where it came from, e.g. `"fashion-mnist/train"`. */
  name: string;
  /** Pixels, shape (count, 1, 28, 28) row-major, each in [0, 1]. */
  images: Float32Array;
  /** The shape of one example, [1, 28, 28]: a DataLoader over the dataset yields (batch, 1, 28, 28), ready for a convnet. */
  sampleShape: readonly number[];
  /** Class indices, shape (count), each in [0, classes.length). */
  labels: Int32Array;
  /** Number of examples. */
  count: number;
  /** Class names; `classes[labels[i]]` names example i. */
  classes: readonly string[];
}

/** The MNIST class names: the digits `"0"` … `"9"`. */
export const MNIST_CLASSES: readonly string[] = Object.freeze(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);

/** The Fashion-MNIST class names, in label order (label 0 is `"T-shirt/top"`, 9 is `"Ankle boot"`). */
export const FASHION_MNIST_CLASSES: readonly string[] = Object.freeze([
  "T-shirt/top",
  "Trouser",
  "Pullover",
  "Dress",
  "Coat",
  "Sandal",
  "Shirt",
  "Sneaker",
  "Bag",
  "Ankle boot",
]);

/**
 * Examples `start` (inclusive) to `end` (exclusive) of `dataset`.
 *
 * Zero-copy: `images` and `labels` are `subarray` views, so writing to the
 * subset writes to the original.
 *
 * @throws TorchletError INVALID_ARGUMENT if `start` or `end` is not an integer ≥ 0;
 *   OUT_OF_RANGE if `start > end` or `end > dataset.count`.
 * @example subset(train, 0, 1000) // the first 1,000 training examples
 */
export function subset(dataset: Dataset, start: number, end: number): Dataset {
  checkArity("subset", arguments, ["dataset", "start", "end"]);
  const op = `subset(${dataset.name})`;
  checkInt(op, "start", start);
  checkInt(op, "end", end);
  if (start > end || end > dataset.count) {
    throw new TorchletError(op, "OUT_OF_RANGE", `range [${start}, ${end}) is not within [0, ${dataset.count}] with start ≤ end`);
  }
  return {
    name: `${dataset.name}[${start}:${end}]`,
    images: dataset.images.subarray(start * PIXELS_PER_IMAGE, end * PIXELS_PER_IMAGE),
    labels: dataset.labels.subarray(start, end),
    count: end - start,
    sampleShape: IMAGE_SHAPE,
    classes: dataset.classes,
  };
}
