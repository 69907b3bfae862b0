// narrow and slice: a range of one dimension, as a strided copy (src/ops/strided.ts)
// that starts at the range's first element and steps that dimension by step·stride.
// Every tensor is contiguous, so they copy where PyTorch returns a view. Data
// movement off LeNet's hot path: TypeScript only, no WebAssembly twin.
// Walk-through: docs/shapes.md
//
// Legend: x (d0, ..., dk) with contiguous strides (t0, ..., tk); along dimension `dim`
// the elements start, start + step, ... (count of them):
//   y (d0, ..., count, ..., dk),  y[..., c, ...] = x[..., start + c·step, ...]
// i.e. the strided copy with t_dim·step in place of t_dim, from offset start·t_dim.
// Its gradient puts dy back at those positions; the rest of dx gets nothing.

import { TorchletError, checkArity, describe, formatShape } from "../errors.js";
import { expectTensor, type Tensor } from "../tensor/tensor.js";
import { checkDim, checkHasDims, contiguousStrides } from "./dim-args.js";
import { stridedCopy } from "./strided.js";

// y = the elements start, start + step, ... (count of them) of x along dimension d.
function range(op: string, x: Tensor, d: number, start: number, count: number, step: number): Tensor {
  const strides = contiguousStrides(x.shape);
  const shape = x.shape.map((size, i) => (i === d ? count : size));
  return stridedCopy(op, x, { shape, strides: strides.map((t, i) => (i === d ? t * step : t)), offset: count === 0 ? 0 : start * strides[d]! });
}

function checkInteger(op: string, name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new TorchletError(op, "INVALID_ARGUMENT", `${name} must be an integer, got ${describe(value)}`);
  }
  return value;
}

/**
 * `length` elements of dimension `dim` from `start` on, like `torch.narrow(x, dim, start, length)`;
 * a negative start counts from the end. Copies (PyTorch returns a view).
 * @example narrow(tensor([[1, 2, 3], [4, 5, 6]]), 1, 1, 2).toArray() // [[2, 3], [5, 6]]
 * @throws TorchletError when dim is out of range or start..start+length does not fit the dimension.
 */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  checkArity("narrow", arguments, ["input", "dim", "start", "length"]);
  expectTensor("narrow", "input", x);
  checkHasDims("narrow", x);
  const d = checkDim("narrow", dim, x.shape);
  const size = x.shape[d]!;
  const s = checkInteger("narrow", "start", start);
  if (s < -size || s > size) {
    throw new TorchletError("narrow", "OUT_OF_RANGE", `start ${s} is out of range for dim ${d} of size ${size} (shape ${formatShape(x.shape)}; expected -${size}..${size})`);
  }
  const from = s < 0 ? s + size : s;
  const n = checkInteger("narrow", "length", length);
  if (n < 0 || from + n > size) {
    throw new TorchletError("narrow", "OUT_OF_RANGE", `start ${s} + length ${n} does not fit dim ${d} of size ${size} (shape ${formatShape(x.shape)}; expected 0 ≤ length ≤ ${size - from})`);
  }
  return range("narrow", x, d, from, n, 1);
}

// Python's rule for one end of a slice: negative counts from the end, then clamped into [0, size].
function sliceEnd(name: string, value: number | null | undefined, size: number, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  const v = checkInteger("slice", name, value);
  return Math.min(Math.max(v < 0 ? v + size : v, 0), size);
}

/**
 * Elements start, start + step, ... below end of dimension `dim`: Python's `x[:, start:end:step]`
 * (on dim 1). start and end may be negative (counting from the end), null or omitted (the ends of
 * the dimension), and are clamped into range like Python's; step must be positive, as in PyTorch.
 * Copies (PyTorch returns a view). @example slice(arange(10), 0, -4, null, 2).toArray() // [6, 8]
 * @throws TorchletError when dim is out of range or step is not a positive integer.
 */
export function slice(x: Tensor, dim: number, start?: number | null, end?: number | null, step = 1): Tensor {
  checkArity("slice", arguments, ["input", "dim", "start", "end", "step"]);
  expectTensor("slice", "input", x);
  checkHasDims("slice", x);
  const d = checkDim("slice", dim, x.shape);
  const size = x.shape[d]!;
  if (checkInteger("slice", "step", step) <= 0) {
    throw new TorchletError("slice", "INVALID_ARGUMENT", `step must be a positive integer (PyTorch has no negative steps; flip the result instead), got ${step}`);
  }
  const from = sliceEnd("start", start, size, 0);
  const to = sliceEnd("end", end, size, size);
  return range("slice", x, d, from, Math.max(0, Math.ceil((to - from) / step)), step);
}
