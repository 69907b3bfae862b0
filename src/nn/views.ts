// Layers that relabel their input's shape without computing anything: Identity
// and Unflatten (Flatten and Reshape live in layers.ts). Each is a view step:
// the eager forward returns a view of the input, and a Plan gives the layer
// its input's buffers.

import { TorchletError, checkArity, describe, formatShape } from "../errors.js";
import { normalizeDim } from "../tensor/tensor.js";
import { StepLayer, count, viewStep, type LayerStep } from "./step.js";

/** Returns its input unchanged, like `nn.Identity`: a placeholder, e.g. for a skip connection without projection. */
export class Identity extends StepLayer {
  constructor() {
    super("Identity", "identity");
    checkArity("Identity", arguments, [], "PyTorch's Identity ignores its arguments; torchlet's takes none");
  }

  /** y = x: the same values and shape. */
  override step(inputShape: readonly number[]): LayerStep {
    return viewStep(inputShape);
  }
}

/**
 * Splits dimension `dim` into `sizes`, like `nn.Unflatten(dim, sizes)`: the inverse of Flatten.
 * One size may be -1, inferred from the dimension's length.
 * @example new Unflatten(1, [1, 28, 28]).forward(zeros(64, 784)).shape // [64, 1, 28, 28]
 */
export class Unflatten extends StepLayer {
  /** The dimension to split (negative counts from the end). */
  readonly dim: number;
  /** What it splits into; at most one entry is -1. */
  readonly sizes: readonly number[];

  constructor(dim: number, sizes: readonly number[]) {
    super("Unflatten", "unflatten");
    checkArity("Unflatten", arguments, ["dim", "sizes"]);
    if (!Number.isInteger(dim)) throw new TorchletError("Unflatten", "INVALID_ARGUMENT", `dim must be an integer, got ${describe(dim)}`);
    if (!Array.isArray(sizes) || sizes.length === 0) {
      throw new TorchletError("Unflatten", "INVALID_ARGUMENT", `sizes must be a non-empty array of integers such as [1, 28, 28], got ${describe(sizes)}`);
    }
    sizes.forEach((s: unknown, i) => {
      if (typeof s !== "number" || !Number.isInteger(s) || s < -1) throw new TorchletError("Unflatten", "INVALID_ARGUMENT", `sizes[${i}] must be -1 or an integer ≥ 0, got ${describe(s)}`);
    });
    if (sizes.filter((s) => s === -1).length > 1) throw new TorchletError("Unflatten", "INVALID_ARGUMENT", `only one size can be -1, got [${sizes.join(", ")}]`);
    this.dim = dim;
    this.sizes = [...sizes];
  }

  /** A view: dimension dim of the input replaced by sizes (its -1 inferred). */
  override step(inputShape: readonly number[]): LayerStep {
    const d = normalizeDim("unflatten", this.dim, inputShape.length);
    const length = inputShape[d]!;
    const known = count(this.sizes.filter((s) => s !== -1));
    const sizes = this.sizes.map((s) => (s === -1 && known > 0 ? length / known : s));
    if (!sizes.every(Number.isInteger) || count(sizes) !== length || sizes.includes(-1)) {
      throw new TorchletError("unflatten", "SHAPE_MISMATCH", `sizes [${this.sizes.join(", ")}] do not multiply to ${length}, the length of dimension ${this.dim} of input ${formatShape(inputShape)}`);
    }
    return viewStep([...inputShape.slice(0, d), ...sizes, ...inputShape.slice(d + 1)]);
  }

  protected override extraRepr(): string {
    return `dim=${this.dim}, sizes=[${this.sizes.join(", ")}]`;
  }
}
