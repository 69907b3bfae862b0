// The playground's digits: torchlet's embedded MNIST, the same four gzipped
// IDX files (data/mnist-embedded/) that loadDataset("mnist") reads in Node.
// The page imports their URLs as Vite assets (main.ts), the training worker
// fetches them, inflates them with the browser's DecompressionStream and
// parses them with torchlet's IDX reader (datasetFromIdx): the 8,000
// training and 2,000 test digits of the embedded split, 1.6 MB on the wire.
//
// No Node imports: this runs in the worker (and in the tests, on Node's DecompressionStream).

import { MNIST_CLASSES, datasetFromIdx, type Dataset } from "../src/index.js";

/** Pixels per digit (28 × 28). */
export const PIXELS = 784;

/** Where the four files are: absolute URLs (a worker resolves relative URLs against its own script, not the page). */
export interface DigitsUrls {
  trainImages: string;
  trainLabels: string;
  testImages: string;
  testLabels: string;
}

/** The four files' bytes, each gzipped or plain. */
export type DigitsBytes = { [K in keyof DigitsUrls]: Uint8Array };

/** The two splits. */
export interface DigitsFile {
  train: Dataset;
  test: Dataset;
}

/** `bytes` inflated with DecompressionStream if they are gzip data (magic 1f 8b), else as they are. */
export async function gunzipIfGzip(bytes: Uint8Array): Promise<Uint8Array> {
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** The embedded split from the four files' bytes: pixels byte / 255, labels 0–9, as loadDataset("mnist") gives them. */
export async function decodeDigits(files: DigitsBytes): Promise<DigitsFile> {
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all([files.trainImages, files.trainLabels, files.testImages, files.testLabels].map(gunzipIfGzip));
  return {
    train: datasetFromIdx("mnist/train", trainImages!, trainLabels!, "train images", "train labels", MNIST_CLASSES),
    test: datasetFromIdx("mnist/test", testImages!, testLabels!, "test images", "test labels", MNIST_CLASSES),
  };
}

/** Fetches and decodes the four files. */
export async function fetchDigits(urls: DigitsUrls): Promise<DigitsFile> {
  const get = async (url: string): Promise<Uint8Array> => {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  };
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all([urls.trainImages, urls.trainLabels, urls.testImages, urls.testLabels].map(get));
  return decodeDigits({ trainImages: trainImages!, trainLabels: trainLabels!, testImages: testImages!, testLabels: testLabels! });
}
