// The Tensor: a row-major contiguous Float32Array plus a shape, and the hook
// (gradFn) that reverse-mode autograd follows back through the ops.
//
// Element (i0, i1, ..., ik) of a tensor with shape [d0, d1, ..., dk] lives at
//   data[((i0·d1 + i1)·d2 + ...)·dk + ik]
// Every tensor is contiguous, so reshape/view/flatten share the same data.

import { TENSOR_BRAND, THIS_COPY, TorchletError, allocFloat32, checkArity, checkOptionKeys, checkShape, formatShape, describe, isTensorOfAnotherCopy } from "../errors.js";
import { backward as runBackward, type GradFn } from "./autograd.js";

/** A tensor shape: one non-negative integer per dimension. `[]` is a scalar. */
export type Shape = readonly number[];

/** A number or an arbitrarily nested array of numbers, as `toArray()` returns and `tensor()` accepts. */
export type NestedArray = number | NestedArray[];

/** Options accepted by tensor constructors. */
export interface TensorOptions {
  /** Record ops on this tensor so `backward()` fills its `.grad`. Default false. */
  requiresGrad?: boolean;
}

/** The keys of {@link TensorOptions}. */
export const TENSOR_OPTIONS: readonly string[] = ["requiresGrad"];

/** Tensor-creation options PyTorch has and torchlet does not implement yet (every tensor is float32 on the CPU). */
export const TENSOR_OPTIONS_NOT_YET: readonly string[] = ["dtype", "device", "layout", "pinMemory", "memoryFormat", "out"];

/**
 * An n-dimensional array of float32 values with optional gradient tracking.
 *
 * Construct one with {@link tensor}, {@link zeros}, {@link randn} and friends;
 * `new Tensor(data, shape)` wraps an existing Float32Array without copying.
 */
export class Tensor {
  /** The values, row-major and contiguous: `data.length === numel`. */
  readonly data: Float32Array;
  /** The size of each dimension. */
  readonly shape: Shape;
  /** The op that produced this tensor, or null for a leaf (made by the user, or under {@link noGrad}). */
  readonly gradFn: GradFn<Tensor> | null;
  /** The accumulated gradient of a leaf after `backward()`; null until the first backward reaches it. */
  grad: Tensor | null = null;
  private leafRequiresGrad: boolean;

  /**
   * Wraps `data` (not copied) with `shape`. Throws if `data.length` is not the product of `shape`.
   * @param gradFn internal: set by ops to record how this tensor was computed.
   */
  constructor(data: Float32Array, shape: Shape, options: TensorOptions = {}, gradFn: GradFn<Tensor> | null = null) {
    if (!(data instanceof Float32Array)) {
      throw new TorchletError("Tensor", "INVALID_ARGUMENT", `data must be a Float32Array, got ${describe(data)}`);
    }
    const count = checkShape("Tensor", shape);
    if (count !== data.length) {
      throw new TorchletError("Tensor", "SHAPE_MISMATCH", `shape ${formatShape(shape)} needs ${count} elements but data has ${data.length}`);
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.gradFn = gradFn;
    checkArity("Tensor", arguments, ["data", "shape", "options", "gradFn"]);
    this.leafRequiresGrad = gradFn === null && checkOptionKeys("Tensor", options, TENSOR_OPTIONS, TENSOR_OPTIONS_NOT_YET).requiresGrad === true;
  }

  /** True when backward() will compute a gradient for this tensor (a leaf that asked for it, or any op result that depends on one). */
  get requiresGrad(): boolean {
    return this.gradFn !== null || this.leafRequiresGrad;
  }

  /**
   * Turns gradient tracking on or off for a leaf.
   * @throws TorchletError INVALID_STATE on a tensor computed by an op (detach it first).
   */
  set requiresGrad(value: boolean) {
    if (this.gradFn !== null) {
      throw new TorchletError("requiresGrad", "INVALID_STATE", `can only be set on a leaf tensor; this one was computed by ${this.gradFn.name} (use .detach() first)`);
    }
    this.leafRequiresGrad = value;
  }

  /** True when this tensor was not computed by a recorded op. */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** Number of elements: the product of the shape. */
  get numel(): number {
    return this.data.length;
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** Size of dimension `dim` (negative counts from the end). */
  size(dim: number): number {
    checkArity("size", arguments, ["dim"]);
    return this.shape[normalizeDim("size", dim, this.shape.length)]!;
  }

  /** The single value of a one-element tensor, like PyTorch's `.item()`. */
  item(): number {
    checkArity("item", arguments, []);
    if (this.data.length !== 1) {
      throw new TorchletError("item", "SHAPE_MISMATCH", `only a one-element tensor has an item; this one has shape ${formatShape(this.shape)} (${this.data.length} elements)`);
    }
    return this.data[0]!;
  }

  /** The values as nested JavaScript arrays following the shape (a number for a scalar). */
  toArray(): NestedArray {
    checkArity("toArray", arguments, []);
    const build = (dim: number, offset: number): NestedArray => {
      if (dim === this.shape.length) return this.data[offset]!;
      const stride = this.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
      const out: NestedArray[] = [];
      for (let i = 0; i < this.shape[dim]!; i++) out.push(build(dim + 1, offset + i * stride));
      return out;
    };
    return build(0, 0);
  }

  /**
   * The same data seen with another shape; one dimension may be -1 and is inferred.
   * Gradients flow back through it. `view` is an alias: every tensor is contiguous.
   * @example zeros(2, 6).reshape(3, -1).shape // [3, 4]
   */
  reshape(...shape: number[] | [Shape]): Tensor {
    const target = inferShape("reshape", this.shape, flattenShapeArgs(shape));
    return viewAs("reshape", this, target);
  }

  /** Alias of {@link Tensor.reshape}. */
  view(...shape: number[] | [Shape]): Tensor {
    const target = inferShape("view", this.shape, flattenShapeArgs(shape));
    return viewAs("view", this, target);
  }

  /** Merges dimensions startDim..endDim (inclusive) into one, like `torch.flatten`. */
  flatten(startDim = 0, endDim = -1): Tensor {
    checkArity("flatten", arguments, ["startDim", "endDim"]);
    if (this.shape.length === 0) return viewAs("flatten", this, [1]);
    const start = normalizeDim("flatten", startDim, this.shape.length);
    const end = normalizeDim("flatten", endDim, this.shape.length);
    if (start > end) {
      throw new TorchletError("flatten", "INVALID_ARGUMENT", `startDim ${startDim} comes after endDim ${endDim} for shape ${formatShape(this.shape)}`);
    }
    const merged = this.shape.slice(start, end + 1).reduce((a, b) => a * b, 1);
    return viewAs("flatten", this, [...this.shape.slice(0, start), merged, ...this.shape.slice(end + 1)]);
  }

  /** A tensor sharing this data but cut from the graph: no gradFn, no requiresGrad. */
  detach(): Tensor {
    checkArity("detach", arguments, []);
    return new Tensor(this.data, this.shape);
  }

  /** A copy with its own data (cut from the graph). */
  clone(): Tensor {
    checkArity("clone", arguments, []);
    return new Tensor(Float32Array.from(this.data), this.shape);
  }

  /**
   * Runs reverse-mode autograd from this tensor: every leaf with requiresGrad
   * it depends on gets `grad += ∂this/∂leaf · gradient`.
   * @param gradient ∂L/∂this; may be omitted for a one-element tensor (a loss), meaning 1.
   * @param options.retainGraph keep the graph so backward can run through it again.
   */
  backward(gradient?: Tensor, options: { retainGraph?: boolean } = {}): void {
    checkArity("backward", arguments, ["gradient", "options"]);
    if (gradient !== undefined) expectTensor("backward", "gradient", gradient);
    runBackward(this, gradient, checkOptionKeys("backward", options, ["retainGraph"], ["createGraph", "inputs"]).retainGraph === true);
  }

  /** Sets this leaf's accumulated gradient to zero (keeping its buffer). */
  zeroGrad(): void {
    this.grad?.data.fill(0);
  }

  /**
   * Internal: the buffer backward accumulates this leaf's gradient into, created zeroed on first use.
   * @internal
   */
  gradBuffer(): Float32Array {
    if (this.grad === null) this.grad = new Tensor(allocFloat32("backward", this.data.length), this.shape);
    return this.grad.data;
  }

  /** `tensor([[1,2],[3,4]], requiresGrad=true)`-style text for logs and the REPL. */
  toString(): string {
    const body = JSON.stringify(this.toArray());
    const shown = body.length > 200 ? body.slice(0, 200) + "…" : body;
    const grad = this.gradFn ? `, gradFn=${this.gradFn.name}` : this.leafRequiresGrad ? ", requiresGrad=true" : "";
    return `tensor(${shown}, shape=${formatShape(this.shape)}${grad})`;
  }
}

/** Resolves a possibly negative dimension index against `ndim`, with a clear error when out of range. */
export function normalizeDim(op: string, dim: number, ndim: number): number {
  if (typeof dim !== "number" || !Number.isInteger(dim)) {
    throw new TorchletError(op, "INVALID_ARGUMENT", `dim must be an integer, got ${describe(dim)}`);
  }
  const d = dim < 0 ? dim + ndim : dim;
  if (d < 0 || d >= ndim) {
    throw new TorchletError(op, "OUT_OF_RANGE", `dim ${dim} is out of range for a tensor with ${ndim} dimension${ndim === 1 ? "" : "s"}`);
  }
  return d;
}

/** Accepts both `f(2, 3)` and `f([2, 3])`. */
export function flattenShapeArgs(args: number[] | [Shape]): number[] {
  return args.length === 1 && Array.isArray(args[0]) ? [...(args[0] as Shape)] : (args as number[]);
}

/** Resolves one -1 in `target` so that it holds as many elements as `from`. */
export function inferShape(op: string, from: Shape, target: readonly number[]): number[] {
  const count = from.reduce((a, b) => a * b, 1);
  const inferred = target.filter((d) => d === -1).length;
  const known = target.map((d) => (d === -1 ? 1 : d));
  const knownCount = checkShape(op, known); // first: a junk entry is named before the -1 count is checked
  if (inferred > 1) {
    throw new TorchletError(op, "INVALID_ARGUMENT", `only one dimension can be -1, got ${formatShape(target)}`);
  }
  const result = [...target];
  if (inferred === 1) {
    if (knownCount === 0 || count % knownCount !== 0) {
      throw new TorchletError(op, "SHAPE_MISMATCH", `cannot view shape ${formatShape(from)} (${count} elements) as ${formatShape(target)}`);
    }
    result[target.indexOf(-1)] = count / knownCount;
  } else if (knownCount !== count) {
    throw new TorchletError(op, "SHAPE_MISMATCH", `cannot view shape ${formatShape(from)} (${count} elements) as ${formatShape(target)} (${knownCount} elements)`);
  }
  return result;
}

/**
 * `x`'s data seen with another shape of the same element count, recorded as `op`: a view shares
 * data, and so does its gradient (element i of dy is element i of dx). Callers check the shape.
 * @internal
 */
export function viewAs(op: string, x: Tensor, shape: Shape): Tensor {
  return record(op, x.data, shape, [x], (dy, [dx]) => {
    // d(view x)/dx = identity on the flat data
    if (dx) for (let i = 0; i < dy.length; i++) dx[i] += dy[i]!;
  });
}

let gradEnabled = true;

/** True unless inside {@link noGrad}. */
export function isGradEnabled(): boolean {
  checkArity("isGradEnabled", arguments, []);
  return gradEnabled;
}

/**
 * Runs `fn` without recording ops (inference): results have no gradFn and
 * nothing is kept for backward. Like `with torch.no_grad():`.
 * @example const logits = noGrad(() => net.forward(x));
 */
export function noGrad<T>(fn: () => T): T {
  checkArity("noGrad", arguments, ["fn"]);
  if (typeof fn !== "function") throw new TorchletError("noGrad", "INVALID_ARGUMENT", `expects a function to run, got ${describe(fn)}`);
  const previous = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

/**
 * The one place ops create their result: wraps `data` as a tensor and, when
 * grad mode is on and some input requires grad, records `backward` so autograd
 * can call it with dL/d(result) and the gradient buffers of the inputs
 * (null for inputs that need none). backward must accumulate (+=).
 */
export function record(
  name: string,
  data: Float32Array,
  shape: Shape,
  inputs: readonly Tensor[],
  backward: GradFn["backward"],
): Tensor {
  const tracked = gradEnabled && inputs.some((t) => t.requiresGrad);
  return new Tensor(data, shape, {}, tracked ? { name, inputs, backward, released: false } : null);
}

/** Checks that an argument from a (possibly plain-JavaScript) caller is a Tensor. */
export function expectTensor(op: string, name: string, value: unknown): Tensor {
  if (!(value instanceof Tensor)) {
    if (isTensorOfAnotherCopy(value)) {
      throw new TorchletError(op, "INVALID_ARGUMENT", `${name} is a Tensor from another copy of torchlet: two copies are loaded (say the browser bundle and the npm package, or two versions), each with its own Tensor class; make every tensor with the copy whose ops you call`);
    }
    throw new TorchletError(op, "INVALID_ARGUMENT", `${name} must be a Tensor, got ${describe(value)}`);
  }
  return value;
}

// Marks this copy's tensors (see TENSOR_BRAND), so another copy of torchlet can say "a Tensor from another copy".
Object.defineProperty(Tensor.prototype, TENSOR_BRAND, { value: THIS_COPY });
