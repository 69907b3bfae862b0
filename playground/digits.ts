// The playground's digits file (public/digits.bin): a slice of the embedded
// MNIST digits, packed at build time so the page ships uint8 pixels, gzipped
// (4,500 digits: 3.5 MB raw, under 1 MB on the wire), instead of the mnist
// package's 20 MB of JSON. The file is gzip data (the build gzips it), and
// the page inflates it with the browser's DecompressionStream; unzipped it is:
//
//   bytes 0–7    "TLDIGITS"
//   bytes 8–11   train count (u32, little-endian)
//   bytes 12–15  test count (u32, little-endian)
//   then         train labels, test labels          (one u8 each)
//   then         train pixels, test pixels          (784 u8 each, row-major, 0 = black … 255 = white)
//
// No Node imports: the build encodes (and gzips), the page's worker decodes.

const MAGIC = "TLDIGITS";
const HEADER_BYTES = 16;
export const PIXELS = 784;

/** Digits with their labels: pixels in [0, 1], (count, 784) row-major. */
export interface Digits {
  images: Float32Array;
  labels: Int32Array;
  count: number;
}

/** The two halves the file holds. */
export interface DigitsFile {
  train: Digits;
  test: Digits;
}

/** Packs digits (pixels in [0, 1]) into the file's bytes. */
export function encodeDigits({ train, test }: DigitsFile): Uint8Array {
  const total = train.count + test.count;
  const bytes = new Uint8Array(HEADER_BYTES + total * (1 + PIXELS));
  for (let i = 0; i < MAGIC.length; i++) bytes[i] = MAGIC.charCodeAt(i);
  const view = new DataView(bytes.buffer);
  view.setUint32(8, train.count, true);
  view.setUint32(12, test.count, true);
  let label = HEADER_BYTES, pixel = HEADER_BYTES + total;
  for (const part of [train, test]) {
    for (let i = 0; i < part.count; i++) bytes[label++] = part.labels[i]!;
    for (let i = 0; i < part.count * PIXELS; i++) bytes[pixel++] = Math.round(Math.min(1, Math.max(0, part.images[i]!)) * 255);
  }
  return bytes;
}

/** Reads the file's bytes back into pixels in [0, 1]. */
export function decodeDigits(bytes: Uint8Array): DigitsFile {
  const magic = String.fromCharCode(...bytes.subarray(0, MAGIC.length));
  if (bytes.length < HEADER_BYTES || magic !== MAGIC) throw new Error(`not a digits file: it starts with "${magic}", expected "${MAGIC}"`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const counts = [view.getUint32(8, true), view.getUint32(12, true)] as const;
  const total = counts[0] + counts[1];
  if (bytes.length !== HEADER_BYTES + total * (1 + PIXELS)) {
    throw new Error(`digits file has ${bytes.length} bytes; ${counts[0]} + ${counts[1]} digits need ${HEADER_BYTES + total * (1 + PIXELS)}`);
  }
  let label = HEADER_BYTES, pixel = HEADER_BYTES + total;
  const [train, test] = counts.map((count) => {
    const labels = new Int32Array(count);
    const images = new Float32Array(count * PIXELS);
    for (let i = 0; i < count; i++) labels[i] = bytes[label++]!;
    for (let i = 0; i < images.length; i++) images[i] = bytes[pixel++]! / 255;
    return { images, labels, count };
  }) as [Digits, Digits];
  return { train, test };
}

/** The file's bytes, gzipped or not, → digits; inflates gzip data (magic 1f 8b) with DecompressionStream. */
export async function unpackDigits(bytes: Uint8Array): Promise<DigitsFile> {
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return decodeDigits(bytes);
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream("gzip"));
  return decodeDigits(new Uint8Array(await new Response(stream).arrayBuffer()));
}
