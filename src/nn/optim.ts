// Optimizers: SGD (with momentum and weight decay) and Adam, with PyTorch's update rules.
//
//   SGD:   g = ∇ + λ·θ;  v = μ·v + g (v starts at 0, so it is g on the first step);  θ −= lr · v
//   Adam:  g = ∇ + λ·θ;  m = β1·m + (1−β1)·g;  s = β2·s + (1−β2)·g²
//          θ −= lr · (m / (1−β1^t)) / (sqrt(s / (1−β2^t)) + ε)
// A parameter whose .grad is null (never reached by backward) is skipped, as in PyTorch.

import { TorchletError, checkFinite, checkOptionKeys, describe, formatShape } from "../errors.js";
import { Tensor } from "../tensor/tensor.js";

function checkParams(op: string, params: unknown): Tensor[] {
  if (!Array.isArray(params) || params.length === 0 || !params.every((p) => p instanceof Tensor)) {
    throw new TorchletError(op, "INVALID_ARGUMENT", `params must be a non-empty array of Tensors (e.g. net.parameters()), got ${describe(params)}`);
  }
  return params as Tensor[];
}

function checkRange(op: string, name: string, value: unknown, min: number, maxExclusive: number): number {
  const v = checkFinite(op, name, value);
  if (v < min || v >= maxExclusive) {
    throw new TorchletError(op, "INVALID_ARGUMENT", `${name} must be in [${min}, ${maxExclusive}), got ${v}`);
  }
  return v;
}

/** The per-parameter buffers an optimizer keeps (momentum, Adam moments), for checkpoints. */
export interface OptimizerState {
  /** Steps taken so far. */
  step: number;
  /** Named buffers, one array per parameter (parameter order), e.g. { momentum: [...] }. */
  buffers: Record<string, Float32Array[]>;
}

/** Shared by SGD and Adam: the parameter list, zeroGrad, and state save/restore. */
export abstract class Optimizer {
  /** The parameters this optimizer updates, in the order given (e.g. `net.parameters()`). */
  readonly params: Tensor[];
  /** Steps taken so far (saved by {@link Optimizer.stateDict}). */
  protected steps = 0;
  /** Per-parameter buffers by name (momentum, Adam moments), one Float32Array per parameter. */
  protected readonly buffers: Record<string, Float32Array[]> = {};

  /** The optimizer's name ("SGD", "Adam"), as errors print it. */
  readonly name: string;

  /** @param name the optimizer's name for error messages; @param params the tensors it updates. */
  constructor(name: string, params: Tensor[]) {
    this.name = name;
    this.params = checkParams(name, params);
  }

  /** Updates every parameter from its gradient. */
  abstract step(): void;

  /** Sets every parameter's gradient to zero. */
  zeroGrad(): void {
    for (const p of this.params) p.zeroGrad();
  }

  /** A copy of the optimizer's state (step count and buffers). */
  stateDict(): OptimizerState {
    const buffers: Record<string, Float32Array[]> = {};
    for (const [name, list] of Object.entries(this.buffers)) buffers[name] = list.map((b) => Float32Array.from(b));
    return { step: this.steps, buffers };
  }

  /** Restores a state from {@link Optimizer.stateDict}, checking buffer names and sizes. */
  loadStateDict(state: OptimizerState): void {
    const op = `${this.name}.loadStateDict`;
    if (typeof state !== "object" || state === null || !Number.isInteger(state.step) || state.step < 0) {
      throw new TorchletError(op, "INVALID_ARGUMENT", `state must be { step, buffers }, got ${describe(state)}`);
    }
    for (const name of Object.keys(this.buffers)) {
      const list = state.buffers?.[name];
      if (!Array.isArray(list) || list.length !== this.params.length) {
        throw new TorchletError(op, "SHAPE_MISMATCH", `buffer "${name}" must hold ${this.params.length} arrays, got ${describe(list)}`);
      }
      list.forEach((b, i) => {
        const expected = this.buffers[name]![i]!.length;
        if (!(b instanceof Float32Array) || b.length !== expected) {
          throw new TorchletError(op, "SHAPE_MISMATCH", `buffer "${name}"[${i}] must be a Float32Array of ${expected} (parameter ${formatShape(this.params[i]!.shape)}), got ${describe(b)}`);
        }
        // A value training cannot produce (NaN, a negative second moment, ...) would poison every later step.
        for (let j = 0; j < b.length; j++) {
          const problem = this.bufferValueProblem(name, b[j]!);
          if (problem !== null) throw new TorchletError(op, "OUT_OF_RANGE", `buffer "${name}"[${i}][${j}] is ${b[j]}, but ${problem}`);
        }
      });
    }
    for (const name of Object.keys(this.buffers)) state.buffers[name]!.forEach((b, i) => this.buffers[name]![i]!.set(b));
    this.steps = state.step;
  }

  /** Why `value` cannot sit in buffer `name` (null when it can): every value is finite; subclasses add their own rules. */
  protected bufferValueProblem(_name: string, value: number): string | null {
    return Number.isFinite(value) ? null : "optimizer state must be finite";
  }

  /** One zeroed buffer per parameter (of the parameter's size, or of `size(p)`), registered under `name` for state dicts. */
  protected newBuffers(name: string, size: (p: Tensor) => number = (p) => p.numel): Float32Array[] {
    const list = this.params.map((p) => new Float32Array(size(p)));
    this.buffers[name] = list;
    return list;
  }
}

/** Options of {@link SGD}. */
export interface SGDOptions {
  /** Learning rate (d2l's LeNet uses 0.9). */
  lr: number;
  /** Momentum factor μ in [0, 1) (default 0). */
  momentum?: number;
  /** L2 penalty λ added to the gradient (default 0). */
  weightDecay?: number;
}

/**
 * Stochastic gradient descent, like `torch.optim.SGD`.
 * @example const opt = new SGD(net.parameters(), { lr: 0.9 }); opt.zeroGrad(); loss.backward(); opt.step();
 */
export class SGD extends Optimizer {
  /** Learning rate. */
  readonly lr: number;
  /** Momentum factor μ (0: plain SGD). */
  readonly momentum: number;
  /** L2 penalty λ added to the gradient. */
  readonly weightDecay: number;
  private readonly velocity: Float32Array[];

  constructor(params: Tensor[], options: SGDOptions) {
    super("SGD", params);
    if (typeof options !== "object" || options === null) {
      throw new TorchletError("SGD", "INVALID_ARGUMENT", `options must be { lr, momentum?, weightDecay? }, got ${describe(options)}`);
    }
    this.lr = checkRange("SGD", "lr", options.lr, 0, Infinity);
    this.momentum = checkRange("SGD", "momentum", options.momentum ?? 0, 0, 1);
    this.weightDecay = checkRange("SGD", "weightDecay", options.weightDecay ?? 0, 0, Infinity);
    this.velocity = this.momentum > 0 ? this.newBuffers("momentum") : [];
  }

  override step(): void {
    const { lr, momentum, weightDecay } = this;
    this.params.forEach((p, index) => {
      if (p.grad === null) return;
      const theta = p.data, grad = p.grad.data;
      const v = this.velocity[index];
      for (let i = 0; i < theta.length; i++) {
        let g = grad[i]! + weightDecay * theta[i]!;
        if (v) {
          v[i] = momentum * v[i]! + g;
          g = v[i]!;
        }
        theta[i] -= lr * g;
      }
    });
    this.steps++;
  }
}

/** Options of {@link Adam}. */
export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  lr?: number;
  /** Decay rates (β1, β2) of the moment estimates (default [0.9, 0.999]). */
  betas?: [number, number];
  /** Added to the denominator for stability (default 1e-8). */
  eps?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
}

/** Adam (Kingma & Ba, 2015), like `torch.optim.Adam`. */
export class Adam extends Optimizer {
  /** Learning rate. */
  readonly lr: number;
  /** Decay rate β1 of the first-moment (mean) estimate. */
  readonly beta1: number;
  /** Decay rate β2 of the second-moment (uncentred variance) estimate. */
  readonly beta2: number;
  /** Added to the denominator for stability. */
  readonly eps: number;
  /** L2 penalty λ added to the gradient. */
  readonly weightDecay: number;
  private readonly m: Float32Array[];
  private readonly s: Float32Array[];
  /** Steps each parameter has taken (one float each): PyTorch counts per parameter, so a parameter without a gradient keeps its bias correction. */
  private readonly paramSteps: Float32Array[];

  constructor(params: Tensor[], options: AdamOptions = {}) {
    super("Adam", params);
    checkOptionKeys("Adam", options, ["lr", "betas", "eps", "weightDecay"]);
    this.lr = checkRange("Adam", "lr", options.lr ?? 1e-3, 0, Infinity);
    const betas: unknown = options.betas ?? [0.9, 0.999];
    if (!Array.isArray(betas) || betas.length !== 2) {
      throw new TorchletError("Adam", "INVALID_ARGUMENT", `betas must be [beta1, beta2], got ${describe(betas)}`);
    }
    this.beta1 = checkRange("Adam", "betas[0]", betas[0], 0, 1);
    this.beta2 = checkRange("Adam", "betas[1]", betas[1], 0, 1);
    this.eps = checkRange("Adam", "eps", options.eps ?? 1e-8, 0, Infinity);
    this.weightDecay = checkRange("Adam", "weightDecay", options.weightDecay ?? 0, 0, Infinity);
    this.m = this.newBuffers("m");
    this.s = this.newBuffers("s");
    this.paramSteps = this.newBuffers("step", () => 1);
  }

  protected override bufferValueProblem(name: string, value: number): string | null {
    if (name === "s" && value < 0) return "second moments are never negative";
    if (name === "step" && !(Number.isInteger(value) && value >= 0)) return "step counts are integers ≥ 0";
    return super.bufferValueProblem(name, value);
  }

  override step(): void {
    const { lr, beta1, beta2, eps, weightDecay } = this;
    this.steps++;
    this.params.forEach((p, index) => {
      if (p.grad === null) return;
      const t = ++this.paramSteps[index]![0]!;
      const correction1 = 1 - beta1 ** t;
      const correction2 = 1 - beta2 ** t;
      const theta = p.data, grad = p.grad.data, m = this.m[index]!, s = this.s[index]!;
      for (let i = 0; i < theta.length; i++) {
        const g = grad[i]! + weightDecay * theta[i]!;
        m[i] = beta1 * m[i]! + (1 - beta1) * g;
        s[i] = beta2 * s[i]! + (1 - beta2) * g * g;
        theta[i] -= (lr * (m[i]! / correction1)) / (Math.sqrt(s[i]! / correction2) + eps);
      }
    });
  }
}
