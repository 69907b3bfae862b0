// Creating tensors: from nested arrays or Float32Arrays, filled, random, ranges.

import { TorchletError, allocFloat32, checkArity, checkOptionKeys, checkShape, checkFinite, formatShape, describe } from "../errors.js";
import { TENSOR_OPTIONS, TENSOR_OPTIONS_NOT_YET, Tensor, expectTensor, flattenShapeArgs, type NestedArray, type Shape, type TensorOptions } from "./tensor.js";
import { checkGenerator, type Generator } from "./random.js";

/** Options for the random constructors. */
export interface RandomOptions extends TensorOptions {
  /** Draw from this generator instead of the default one (see {@link manualSeed}). */
  generator?: Generator;
}

const RANDOM_OPTIONS: readonly string[] = [...TENSOR_OPTIONS, "generator"];

/**
 * A new tensor holding a copy of `values`, like `torch.tensor(data, requires_grad=...)`.
 *
 * - Nested arrays give their own shape: `tensor([[1, 2], [3, 4]])` is 2×2.
 * - A Float32Array or flat number array takes `shape` (default: one dimension).
 * - Options go second when there is no shape: `tensor(data, { requiresGrad: true })`, or third after one.
 *
 * @throws TorchletError if the nesting is ragged, a value is not a number, or `shape` does not match the count.
 * @example tensor([[1, 2], [3, 4]], { requiresGrad: true })
 * @example tensor([1, 2, 3, 4], [2, 2], { requiresGrad: true })
 */
export function tensor(values: NestedArray | Float32Array | readonly number[], options?: TensorOptions): Tensor;
export function tensor(values: NestedArray | Float32Array | readonly number[], shape?: Shape, options?: TensorOptions): Tensor;
export function tensor(values: NestedArray | Float32Array | readonly number[], shapeOrOptions?: Shape | TensorOptions, options: TensorOptions = {}): Tensor {
  let shape: Shape | undefined;
  if (isOptionsObject(shapeOrOptions) && !(shapeOrOptions instanceof Tensor)) { // a Tensor there is a mistaken shape, and is named as one
    checkArity("tensor", arguments, ["values", "options"]); // the options form: nothing may follow them
    options = shapeOrOptions;
  } else {
    checkArity("tensor", arguments, ["values", "shape", "options"]);
    shape = shapeOrOptions as Shape | undefined; // anything else is named by checkShape below
  }
  checkOptionKeys("tensor", options, TENSOR_OPTIONS, TENSOR_OPTIONS_NOT_YET);
  if (values instanceof Float32Array) {
    const target = shape ?? [values.length];
    const count = checkShape("tensor", target);
    if (count !== values.length) {
      throw new TorchletError("tensor", "SHAPE_MISMATCH", `shape ${formatShape(target)} needs ${count} elements but the Float32Array has ${values.length}`);
    }
    return new Tensor(Float32Array.from(values), target, options);
  }
  const inferred = nestedShape(values);
  const flat = allocFloat32("tensor", inferred.reduce((a, b) => a * b, 1));
  let offset = 0;
  const fill = (v: NestedArray, path: string): void => {
    if (Array.isArray(v)) {
      v.forEach((item, i) => fill(item, `${path}[${i}]`));
    } else {
      if (typeof v !== "number") {
        throw new TorchletError("tensor", "INVALID_ARGUMENT", `value${path} must be a number, got ${describe(v)}`);
      }
      flat[offset++] = v;
    }
  };
  fill(values as NestedArray, "");
  if (shape === undefined) return new Tensor(flat, inferred, options);
  const count = checkShape("tensor", shape);
  if (count !== flat.length) {
    throw new TorchletError("tensor", "SHAPE_MISMATCH", `shape ${formatShape(shape)} needs ${count} elements but ${flat.length} values were given`);
  }
  return new Tensor(flat, shape, options);
}

// The shape of a rectangular nested array, with a clear error on ragged nesting.
function nestedShape(values: unknown): number[] {
  if (typeof values === "number") return [];
  if (!Array.isArray(values)) {
    throw new TorchletError("tensor", "INVALID_ARGUMENT", `values must be a number, a (nested) array of numbers or a Float32Array, got ${describe(values)}`);
  }
  const shape: number[] = [];
  let level: unknown = values;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = level[0];
  }
  const check = (v: unknown, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (Array.isArray(v)) throw new TorchletError("tensor", "SHAPE_MISMATCH", `ragged nesting: value${path} is an array where a number was expected (shape so far ${formatShape(shape)})`);
      // A hole in a sparse array reads as undefined and is caught here (forEach would skip it).
      if (typeof v !== "number") throw new TorchletError("tensor", "INVALID_ARGUMENT", `value${path} must be a number, got ${describe(v)}`);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      throw new TorchletError("tensor", "SHAPE_MISMATCH", `ragged nesting: value${path} has ${Array.isArray(v) ? `length ${v.length}` : "no length"} where ${shape[depth]} was expected (shape ${formatShape(shape)})`);
    }
    for (let i = 0; i < v.length; i++) check(v[i], depth + 1, `${path}[${i}]`);
  };
  checkShape("tensor", shape); // before the walk: new Array(2 ** 32 - 1) must not be walked
  check(values, 0, "");
  return shape;
}

// An options object rather than a shape or values: a non-null object that is neither an array nor a typed array.
function isOptionsObject(value: unknown): value is TensorOptions {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

/** Accepts `f(2, 3)`, `f([2, 3])` and `f([2, 3], options)`, checking the options' keys against `allowed`. */
function shapeAndOptions<O extends object>(op: string, args: unknown[], allowed: readonly string[]): [number[], O] {
  const last = args[args.length - 1];
  const hasOptions = isOptionsObject(last);
  const dims = (hasOptions ? args.slice(0, -1) : args) as number[] | [Shape];
  const shape = flattenShapeArgs(dims);
  checkShape(op, shape);
  return [shape, checkOptionKeys(op, (hasOptions ? last : undefined) as O | undefined, allowed, TENSOR_OPTIONS_NOT_YET)];
}

/** A tensor of zeros: `zeros(2, 3)` or `zeros([2, 3], { requiresGrad: true })`. */
export function zeros(...args: (number | Shape | TensorOptions)[]): Tensor {
  const [shape, options] = shapeAndOptions<TensorOptions>("zeros", args, TENSOR_OPTIONS);
  return new Tensor(allocFloat32("zeros", shape.reduce((a, b) => a * b, 1)), shape, options);
}

/** A tensor of ones. */
export function ones(...args: (number | Shape | TensorOptions)[]): Tensor {
  const [shape, options] = shapeAndOptions<TensorOptions>("ones", args, TENSOR_OPTIONS);
  return full(shape, 1, options);
}

/** A tensor with every element equal to `value`. */
export function full(shape: Shape, value: number, options: TensorOptions = {}): Tensor {
  checkArity("full", arguments, ["shape", "value", "options"]);
  checkOptionKeys("full", options, TENSOR_OPTIONS, TENSOR_OPTIONS_NOT_YET);
  if (typeof value !== "number") checkFinite("full", "value", value);
  const data = allocFloat32("full", checkShape("full", shape));
  data.fill(value);
  return new Tensor(data, shape, options);
}

/** Uniform samples in [0, 1) from the default or given generator. */
export function rand(...args: (number | Shape | RandomOptions)[]): Tensor {
  return sample("rand", args, (g) => g.uniform());
}

/** Standard normal samples (mean 0, variance 1) from the default or given generator. */
export function randn(...args: (number | Shape | RandomOptions)[]): Tensor {
  return sample("randn", args, (g) => g.normal());
}

// rand and randn: a tensor of the shape in `args`, filled element by element in order with draws from the generator.
function sample(op: string, args: unknown[], draw: (g: Generator) => number): Tensor {
  const [shape, { generator, ...options }] = shapeAndOptions<RandomOptions>(op, args, RANDOM_OPTIONS);
  const g = checkGenerator(op, generator);
  const data = allocFloat32(op, shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = draw(g);
  return new Tensor(data, shape, options);
}

/**
 * Values start, start+step, ... below end, like `torch.arange`.
 * `arange(5)` is [0, 1, 2, 3, 4].
 */
export function arange(start: number, end?: number, step = 1): Tensor {
  checkArity("arange", arguments, ["start", "end", "step"], "torchlet's arange makes a float32 tensor and takes no options yet");
  const [from, to] = end === undefined ? [0, start] : [start, end];
  checkFinite("arange", "start", from);
  checkFinite("arange", "end", to);
  checkFinite("arange", "step", step);
  if (step === 0) throw new TorchletError("arange", "INVALID_ARGUMENT", "step must not be 0");
  const count = Math.max(0, Math.ceil((to - from) / step));
  const data = allocFloat32("arange", count);
  for (let i = 0; i < count; i++) data[i] = from + i * step;
  return new Tensor(data, [count]);
}

/** A zero tensor with the shape of `like`. */
export function zerosLike(like: Tensor, options: TensorOptions = {}): Tensor {
  checkArity("zerosLike", arguments, ["like", "options"]);
  expectTensor("zerosLike", "like", like);
  return zeros([...like.shape], options);
}
