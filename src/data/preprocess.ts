// A decoded digit image → the 784 inputs LeNet expects (28×28, white on black,
// in [0, 1]), and the size limit every image decoder checks in its header
// before decoding. Pure: no Node imports, part of the core library.
//
// `torchlet predict` takes images that are already 28×28; the browser
// playground draws at any size and centres the ink by mass on its own
// (playground/preprocess.ts), as MNIST did.

import { TorchletError, checkArity } from "../errors.js";
import { IMAGE_SIZE, PIXELS_PER_IMAGE } from "./dataset.js";

/** A decoded image: its size and one gray value per pixel. */
export interface GrayImage {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** Intensity of each pixel, row-major, 0 (black) … 1 (white); length `width * height`. */
  gray: Float32Array;
}

/**
 * Largest width or height torchlet decodes. A digit for `torchlet predict` must
 * be 28×28 anyway; the limit only bounds the work done before saying so, and is
 * checked from the file's header, so a huge image is refused without being decoded.
 */
export const MAX_IMAGE_SIDE = 1024;

/**
 * Checks an image size read from a file header: both sides at least 1 and at most {@link MAX_IMAGE_SIDE}.
 *
 * @param source where the size was read, e.g. `"the PNG header"`.
 * @throws TorchletError BAD_FORMAT for a zero side; OUT_OF_RANGE past the limit (the message says to resize to 28×28).
 */
export function checkImageSize(op: string, width: number, height: number, source: string): void {
  const size = `${source} gives a size of ${width}×${height} pixels (width×height)`;
  if (width === 0 || height === 0) throw new TorchletError(op, "BAD_FORMAT", `${size}; both must be at least 1`);
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE) {
    throw new TorchletError(op, "OUT_OF_RANGE", `${size}; torchlet decodes at most ${MAX_IMAGE_SIDE}×${MAX_IMAGE_SIDE}, and MNIST digits are ${IMAGE_SIZE}×${IMAGE_SIZE}: resize it to ${IMAGE_SIZE}×${IMAGE_SIZE} first`);
  }
}

/**
 * The 784 network inputs (a 28×28 image, row-major, in [0, 1]) for a decoded digit.
 *
 * MNIST digits are white strokes on a black background. A drawing is usually
 * the opposite, so the rule is: if the mean intensity is above 0.5 (mostly
 * light, i.e. a dark digit on a light background) every pixel v becomes 1 − v;
 * otherwise the pixels are used as they are.
 *
 * @returns a new array; `image` is not modified.
 * @throws TorchletError SHAPE_MISMATCH if the image is not 28×28 (the message gives the size found).
 */
export function toMnistInput(image: GrayImage, fileName: string): Float32Array {
  checkArity("toMnistInput", arguments, ["image", "fileName"]);
  const op = `image: ${fileName}`;
  const { width, height, gray } = image;
  if (width !== IMAGE_SIZE || height !== IMAGE_SIZE) {
    throw new TorchletError(op, "SHAPE_MISMATCH", `is ${width}×${height} pixels (width×height), but MNIST digits are ${IMAGE_SIZE}×${IMAGE_SIZE}: resize it to ${IMAGE_SIZE}×${IMAGE_SIZE} first`);
  }
  if (gray.length !== PIXELS_PER_IMAGE) {
    throw new TorchletError(op, "SHAPE_MISMATCH", `has ${gray.length} gray values for its ${IMAGE_SIZE}×${IMAGE_SIZE} = ${PIXELS_PER_IMAGE} pixels`);
  }
  let sum = 0;
  for (let i = 0; i < gray.length; i++) sum += gray[i]!;
  const input = Float32Array.from(gray);
  if (sum / gray.length > 0.5) {
    for (let i = 0; i < input.length; i++) input[i] = 1 - input[i]!;
  }
  return input;
}
