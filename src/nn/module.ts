// Module: the base of every layer, as in PyTorch's torch.nn.Module.
//
// A module owns parameters (leaf tensors with requiresGrad) and child modules,
// both registered under names. Names compose with dots, so the weight of the
// layer at index 1 of a Sequential is "1.weight", exactly PyTorch's
// state_dict name: weights move between the two libraries unchanged.
// Buffers (BatchNorm's running statistics) are state without gradients: they
// join the state dict after the module's parameters, as in PyTorch.
//
// Registration cannot be forgotten: a field holding a Module, or a leaf tensor
// with requiresGrad, that was never registered makes parameters(), stateDict()
// and friends throw a TorchletError naming the field (rather than guessing a
// name and order for it, which a later state dict would depend on).

import { TorchletError, describe, formatShape, checkArity, checkOptionKeys } from "../errors.js";
import { Tensor, noGrad } from "../tensor/tensor.js";

/** Parameter and buffer tensors by dotted name, in registration order, like PyTorch's `state_dict()`. */
export type StateDict = Record<string, Tensor>;

/** Options of {@link Module.loadStateDict}. */
export interface LoadOptions {
  /** Require exactly the module's names (default true). With false, missing and extra names are ignored. */
  strict?: boolean;
}

/**
 * Base class of layers and models. Subclasses register parameters and children
 * in their constructor and implement `forward`.
 *
 * @example
 * class Affine extends Module {
 *   weight = this.registerParameter("weight", randn(3, 3, { requiresGrad: true }));
 *   forward(x: Tensor) { return matmul(x, this.weight); }
 * }
 */
export abstract class Module {
  /** True in training mode (the default), false after {@link Module.eval}. */
  training = true;
  private readonly parametersByName = new Map<string, Tensor>();
  private readonly buffersByName = new Map<string, Tensor>();
  private readonly childrenByName = new Map<string, Module>();

  /** Computes the module's output. JavaScript objects are not callable: write `net.forward(x)` for PyTorch's `net(x)`. */
  abstract forward(x: Tensor): Tensor;

  /** Registers a parameter (a leaf tensor; requiresGrad is switched on) and returns it. */
  protected registerParameter(name: string, value: Tensor): Tensor {
    checkName(this, name);
    if (!(value instanceof Tensor) || !value.isLeaf) {
      throw new TorchletError(`${this.typeName}.registerParameter`, "INVALID_ARGUMENT", `parameter "${name}" must be a leaf Tensor, got ${describe(value)}`);
    }
    value.requiresGrad = true;
    this.parametersByName.set(name, value);
    return value;
  }

  /**
   * Registers a buffer: state that is saved and loaded with the parameters but gets no
   * gradient and no optimizer update, such as `running_mean` of a BatchNorm; PyTorch calls it `register_buffer`.
   */
  protected registerBuffer(name: string, value: Tensor): Tensor {
    checkName(this, name);
    if (!(value instanceof Tensor) || !value.isLeaf || value.requiresGrad) {
      throw new TorchletError(`${this.typeName}.registerBuffer`, "INVALID_ARGUMENT", `buffer "${name}" must be a leaf Tensor without requiresGrad, got ${describe(value)}`);
    }
    this.buffersByName.set(name, value);
    return value;
  }

  /** Registers a child module and returns it. */
  protected registerModule<M extends Module>(name: string, child: M): M {
    checkName(this, name);
    if (!(child instanceof Module)) {
      throw new TorchletError(`${this.typeName}.registerModule`, "INVALID_ARGUMENT", `child "${name}" must be a Module, got ${describe(child)}`);
    }
    this.childrenByName.set(name, child);
    return child;
  }

  /** The class name, as PyTorch prints it ("Conv2d", "Sequential", ...). */
  readonly typeName: string;

  /**
   * @param typeName the name toString and summary print. torchlet's layers pass
   *   theirs, so minified bundles keep them; your own subclass may leave it out
   *   to use its class name.
   */
  constructor(typeName?: string) {
    this.typeName = typeName ?? new.target.name;
  }

  /** Direct children with their names. */
  namedChildren(): [string, Module][] {
    this.checkFieldsRegistered();
    return [...this.childrenByName];
  }

  /** Every parameter of this module and its descendants, with dotted names ("1.weight"), in registration order. */
  namedParameters(prefix = ""): [string, Tensor][] {
    return this.namedTensors(prefix, { parameters: true, buffers: false });
  }

  /** Every buffer of this module and its descendants, with dotted names ("0.running_mean"), in registration order. */
  namedBuffers(prefix = ""): [string, Tensor][] {
    return this.namedTensors(prefix, { parameters: false, buffers: true });
  }

  /** Every buffer tensor (running statistics), e.g. to copy or inspect them. */
  buffers(): Tensor[] {
    return this.namedBuffers().map(([, b]) => b);
  }

  // Own parameters, then own buffers, then each child's in turn: PyTorch's state_dict order.
  private namedTensors(prefix: string, kinds: { parameters: boolean; buffers: boolean }): [string, Tensor][] {
    this.checkFieldsRegistered();
    const out: [string, Tensor][] = [];
    if (kinds.parameters) for (const [name, p] of this.parametersByName) out.push([prefix + name, p]);
    if (kinds.buffers) for (const [name, b] of this.buffersByName) out.push([prefix + name, b]);
    for (const [name, child] of this.childrenByName) out.push(...child.namedTensors(`${prefix}${name}.`, kinds));
    return out;
  }

  /**
   * Throws when a field holds a Module or a trainable leaf tensor (or an array of them) that
   * was never registered: its parameters would silently be left out of training and saving.
   */
  private checkFieldsRegistered(): void {
    const registered = new Set<unknown>([...this.parametersByName.values(), ...this.buffersByName.values(), ...this.childrenByName.values()]);
    for (const [field, value] of Object.entries(this)) {
      const items: unknown[] = Array.isArray(value) ? value : [value];
      const stray = items.find((item) => !registered.has(item) && (item instanceof Module || (item instanceof Tensor && item.isLeaf && item.requiresGrad)));
      if (stray === undefined) continue;
      const what = stray instanceof Module ? `a ${stray.typeName}` : "a tensor with requiresGrad";
      const where = Array.isArray(value) ? `an array holding ${what}` : what;
      const fix = Array.isArray(value) ? `wrap the array in an nn.ModuleList and register it: this.${field} = this.registerModule("${field}", new ModuleList(...))` : stray instanceof Module ? `this.${field} = this.registerModule("${field}", ...)` : `this.${field} = this.registerParameter("${field}", ...)`;
      throw new TorchletError(this.typeName, "INVALID_STATE", `field "${field}" holds ${where} that is not registered, so parameters() and stateDict() would leave it out; register it: ${fix}`);
    }
  }

  /** Every parameter tensor, for an optimizer. */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Total number of parameter elements (LeNet: 61,706). */
  parameterCount(): number {
    return this.parameters().reduce((n, p) => n + p.numel, 0);
  }

  /** Switches this module and its descendants to training (true) or evaluation (false) mode. */
  train(mode = true): this {
    this.training = mode;
    for (const child of this.childrenByName.values()) child.train(mode);
    return this;
  }

  /** Evaluation mode: `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /** Sets every parameter's gradient to zero. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.zeroGrad();
  }

  /** The parameters and buffers by dotted name, sharing data with the module (detached from the graph), like `state_dict()`. */
  stateDict(): StateDict {
    const out: StateDict = {};
    for (const [name, p] of this.namedTensors("", STATE)) out[name] = p.detach();
    return out;
  }

  /**
   * Copies values from `state` into the parameters and buffers, checking names and shapes first
   * so a failed load changes nothing.
   * @throws TorchletError naming missing or unexpected names, or a shape that does not match.
   */
  loadStateDict(state: StateDict, options: LoadOptions = {}): this {
    const op = `${this.typeName}.loadStateDict`;
    if (typeof state !== "object" || state === null) {
      throw new TorchletError(op, "INVALID_ARGUMENT", `state must be an object of tensors by name, got ${describe(state)}`);
    }
    const own = new Map(this.namedTensors("", STATE));
    checkArity(op, arguments, ["state", "options"]);
    const strict = checkOptionKeys(op, options, ["strict"], ["assign"]).strict ?? true;
    if (strict) {
      const missing = [...own.keys()].filter((name) => !(name in state));
      const unexpected = Object.keys(state).filter((name) => !own.has(name));
      if (missing.length > 0 || unexpected.length > 0) {
        const parts = [];
        if (missing.length > 0) parts.push(`missing ${missing.map((n) => `"${n}"`).join(", ")}`);
        if (unexpected.length > 0) parts.push(`unexpected ${unexpected.map((n) => `"${n}"`).join(", ")}`);
        throw new TorchletError(op, "NOT_FOUND", `names do not match the model: ${parts.join("; ")}`);
      }
    }
    const updates: [Tensor, Tensor][] = [];
    for (const [name, value] of Object.entries(state)) {
      const target = own.get(name);
      if (target === undefined) continue;
      if (!(value instanceof Tensor)) {
        throw new TorchletError(op, "INVALID_ARGUMENT", `"${name}" must be a Tensor, got ${describe(value)}`);
      }
      if (value.shape.length !== target.shape.length || value.shape.some((d, i) => d !== target.shape[i])) {
        throw new TorchletError(op, "SHAPE_MISMATCH", `"${name}" has shape ${formatShape(value.shape)} but the model expects ${formatShape(target.shape)}`);
      }
      updates.push([target, value]);
    }
    noGrad(() => {
      for (const [target, value] of updates) target.data.set(value.data);
    });
    return this;
  }

  /** The layer tree, one module per line, like PyTorch's `print(net)`. */
  toString(): string {
    const extra = this.extraRepr();
    const children = this.namedChildren();
    if (children.length === 0) return `${this.typeName}(${extra})`;
    const lines = children.map(([name, child]) => `  (${name}): ${child.toString().split("\n").join("\n  ")}`);
    return `${this.typeName}(${extra}\n${lines.join("\n")}\n)`;
  }

  /** The constructor arguments shown by toString, e.g. "1, 6, kernelSize=5, padding=2". */
  protected extraRepr(): string {
    return "";
  }
}

const STATE = { parameters: true, buffers: true }; // what a state dict holds

function checkName(module: Module, name: string): void {
  if (typeof name !== "string" || name === "" || name.includes(".")) {
    throw new TorchletError(`${module.typeName}.register`, "INVALID_ARGUMENT", `names must be non-empty strings without dots, got ${describe(name)}`);
  }
}
