// The optimizer base: parameter groups as PyTorch's `param_groups`, per-parameter state
// buffers for checkpoints, zeroGrad, and the checks every step makes before it touches a value.
//
// Groups: `new SGD(net.parameters(), { lr: 0.1 })` makes one group; `new SGD([{ params: a },
// { params: b, lr: 0.01 }], { lr: 0.1 })` makes two, each option taken from the group when it
// names it and from the options object otherwise (null, like undefined, means "not given").
// Buffers are indexed by a parameter's position in `params`, every group's parameters in order.

import { TorchletError, checkArity, checkOptionKeys, describe, formatShape } from "../../errors.js";
import { Tensor } from "../../tensor/tensor.js";
import type { OptionCheck } from "./options.js";

/** One parameter group: its tensors and its own copy of every hyper-parameter, like PyTorch's `param_groups[i]`. */
export interface ParamGroup {
  /** The tensors this group updates (frozen: the optimizer's buffers are laid out by them). */
  readonly params: readonly Tensor[];
  /** Learning rate of this group (schedulers write it). */
  lr: number;
}

/** A group as passed to an optimizer's constructor: `{ params, ...options that differ from the defaults }`. */
export type ParamGroupSpec<Options> = {
  /** The tensors of this group. */
  params: Tensor[];
} & Partial<Options>;

/** The per-parameter buffers an optimizer keeps (momentum, Adam moments), for checkpoints. */
export interface OptimizerState {
  /** Steps taken so far. */
  step: number;
  /** Named buffers, one array per parameter (parameter order), e.g. { momentum: [...] }. */
  buffers: Record<string, Float32Array[]>;
}

/** How an optimizer kind checks its hyper-parameters: a check and a default per option. */
export interface OptionTable {
  /** Every option the optimizer takes, with its check. */
  checks: Record<string, OptionCheck>;
  /** The default of each option; an option absent here is required (SGD's lr). */
  defaults: Record<string, unknown>;
}

// A buffer is allocated per parameter when the optimizer is made (`eager`), or per parameter at its
// first update (`lazy`: an empty array until then, PyTorch's "no state yet", as SGD's momentum buffer).
interface BufferSpec {
  size: (p: Tensor) => number;
  lazy: boolean;
}

/** Shared by SGD, Adam and AdamW: parameter groups, zeroGrad, the settable lr, and state save/restore. */
export abstract class Optimizer<Group extends ParamGroup = ParamGroup> {
  /** Every parameter this optimizer updates: each group's, in order (e.g. `net.parameters()`). */
  readonly params: Tensor[];
  /** The parameter groups, like PyTorch's `param_groups`: change a group's `lr` (or other option) between steps. */
  readonly paramGroups: Group[];
  /** The options every group started from (PyTorch's `defaults`). */
  readonly defaults: Readonly<Record<string, unknown>>;
  /** The optimizer's name ("SGD", "Adam"), as errors print it. */
  readonly name: string;
  /** Steps taken so far (saved by {@link Optimizer.stateDict}). */
  protected steps = 0;
  /** Per-parameter buffers by name (momentum, Adam moments), one Float32Array per parameter. */
  protected readonly buffers: Record<string, Float32Array[]> = {};
  private readonly bufferSpecs: Record<string, BufferSpec> = {};
  private readonly table: OptionTable;
  private explicitGroups: boolean;

  /**
   * @param name the optimizer's name for error messages.
   * @param params the tensors it updates, or groups `{ params, ...options }`.
   * @param options the defaults of every group (already checked to be an object).
   * @param table the options it takes, their checks and defaults.
   */
  constructor(name: string, params: unknown, options: Record<string, unknown>, table: OptionTable) {
    this.name = name;
    this.table = table;
    checkOptionKeys(name, options, Object.keys(table.checks));
    const defaults: Record<string, unknown> = { ...table.defaults };
    for (const [key, value] of Object.entries(options)) if (value !== undefined && value !== null) defaults[key] = value;
    this.defaults = Object.freeze(defaults);
    const specs = groupSpecs(name, params);
    this.explicitGroups = specs !== null;
    this.paramGroups = (specs ?? [{ params }]).map((spec, i) => this.makeGroup(spec, i));
    this.params = this.paramGroups.flatMap((g) => g.params);
    const seen = new Set<Tensor>();
    for (const p of this.params) {
      if (seen.has(p)) throw new TorchletError(name, "INVALID_ARGUMENT", `a parameter ${formatShape(p.shape)} appears twice in params; each tensor may be updated by one group only`);
      seen.add(p);
    }
    this.checkGroups();
  }

  /** Learning rate of the first group; setting it sets every group's (with one group, the usual case, the lr). */
  get lr(): number {
    return this.paramGroups[0]!.lr;
  }

  /** Sets every group's lr (checked like the constructor's). */
  set lr(value: number) {
    const lr = this.table.checks.lr!(this.name, "lr", value) as number;
    for (const group of this.paramGroups) group.lr = lr;
  }

  /** Updates every parameter that has a gradient, group by group, after checking every group's options. */
  step(): void {
    this.checkGroups();
    this.steps++;
    let index = 0;
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (p.grad !== null) this.update(group, p, index); // a parameter backward never reached is skipped, as in PyTorch
        index++;
      }
    }
  }

  /**
   * Adds a parameter group `{ params, ...options }`, like PyTorch's `add_param_group`: options it does not
   * name come from the optimizer's defaults, and its parameters get fresh state (momentum, moments).
   * @throws TorchletError for a group that is not `{ params, ... }`, an unknown or bad option, or a
   *   parameter some group already holds; the optimizer is unchanged then.
   * @example optimizer.addParamGroup({ params: head.parameters(), lr: 0.01 })
   */
  addParamGroup(group: ParamGroupSpec<Record<string, unknown>>): void {
    const op = `${this.name}.addParamGroup`;
    checkArity(op, arguments, ["group"]);
    if (typeof group !== "object" || group === null || Array.isArray(group) || !Object.hasOwn(group, "params")) {
      throw new TorchletError(op, "INVALID_ARGUMENT", `group must be an object { params, ...options }, got ${describe(group)}`);
    }
    const made = this.makeGroup(group, this.paramGroups.length, true);
    const held = new Set(this.params);
    const shared = made.params.find((p) => held.has(p));
    if (shared !== undefined) throw new TorchletError(op, "INVALID_ARGUMENT", `a parameter ${formatShape(shared.shape)} is already in another group; each tensor may be updated by one group only`);
    if (new Set(made.params).size !== made.params.length) throw new TorchletError(op, "INVALID_ARGUMENT", "a parameter appears twice in the group's params");
    this.checkGroup(made, `paramGroups[${this.paramGroups.length}].`);
    this.explicitGroups = true;
    this.paramGroups.push(made);
    this.params.push(...made.params);
    for (const [name, list] of Object.entries(this.buffers)) {
      const spec = this.bufferSpecs[name]!;
      list.push(...made.params.map((p) => new Float32Array(spec.lazy ? 0 : spec.size(p))));
    }
  }

  /** Updates parameter `p` (position `index` in {@link Optimizer.params}) from its gradient with `group`'s options. */
  protected abstract update(group: Group, p: Tensor, index: number): void;

  /** Cross-option rules of one group beyond each option's own check (SGD: nesterov needs momentum); `label` prefixes names. */
  protected checkGroupRules(_group: Group, _label: string): void {}

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

  /** Restores a state from {@link Optimizer.stateDict}, checking buffer names, sizes and values; a refused state changes nothing. */
  loadStateDict(state: OptimizerState): void {
    const op = `${this.name}.loadStateDict`;
    if (typeof state !== "object" || state === null || !Number.isInteger(state.step) || state.step < 0) {
      throw new TorchletError(op, "INVALID_ARGUMENT", `state must be { step, buffers }, got ${describe(state)}`);
    }
    const given = typeof state.buffers === "object" && state.buffers !== null ? Object.keys(state.buffers) : [];
    for (const name of given) {
      if (this.bufferSpecs[name] === undefined) {
        throw new TorchletError(op, "INVALID_ARGUMENT", `state holds buffer "${name}", which ${this.name} does not keep (it keeps ${Object.keys(this.bufferSpecs).join(", ") || "none"})`);
      }
    }
    const names = new Set([...Object.keys(this.buffers), ...given]);
    for (const name of names) this.checkStateBuffer(op, name, state.buffers?.[name]);
    for (const name of names) this.buffers[name] = state.buffers[name]!.map((b) => Float32Array.from(b));
    this.steps = state.step;
  }

  private checkStateBuffer(op: string, name: string, list: unknown): void {
    if (!Array.isArray(list) || list.length !== this.params.length) {
      throw new TorchletError(op, "SHAPE_MISMATCH", `buffer "${name}" must hold ${this.params.length} arrays, got ${describe(list)}`);
    }
    const spec = this.bufferSpecs[name]!;
    list.forEach((b: unknown, i) => {
      const expected = spec.size(this.params[i]!);
      const sizeOk = b instanceof Float32Array && (b.length === expected || (spec.lazy && b.length === 0));
      if (!sizeOk) {
        const before = spec.lazy ? " (or 0 before its first update)" : "";
        throw new TorchletError(op, "SHAPE_MISMATCH", `buffer "${name}"[${i}] must be a Float32Array of ${expected}${before} (parameter ${formatShape(this.params[i]!.shape)}), got ${describe(b)}`);
      }
      // A value training cannot produce (NaN, a negative second moment, ...) would poison every later step.
      for (let j = 0; j < b.length; j++) {
        const problem = this.bufferValueProblem(name, b[j]!);
        if (problem !== null) throw new TorchletError(op, "OUT_OF_RANGE", `buffer "${name}"[${i}][${j}] is ${b[j]}, but ${problem}`);
      }
    });
  }

  /** Why `value` cannot sit in buffer `name` (null when it can): every value is finite; subclasses add their own rules. */
  protected bufferValueProblem(_name: string, value: number): string | null {
    return Number.isFinite(value) ? null : "optimizer state must be finite";
  }

  /**
   * Declares buffer `name` (one Float32Array per parameter, of the parameter's size or of `size(p)`).
   * Eager: allocated now. Lazy: empty until {@link Optimizer.bufferFor} first asks for a parameter's.
   * A kind declares all the buffers it may keep, so loadStateDict accepts them; `allocate` false
   * leaves a lazy buffer out of state dicts until some group uses it.
   */
  protected declareBuffer(name: string, options: { lazy?: boolean; allocate?: boolean; size?: (p: Tensor) => number } = {}): void {
    const spec: BufferSpec = { size: options.size ?? ((p) => p.numel), lazy: options.lazy ?? false };
    this.bufferSpecs[name] = spec;
    if (options.allocate ?? true) this.buffers[name] = this.params.map((p) => new Float32Array(spec.lazy ? 0 : spec.size(p)));
  }

  /** Parameter `index`'s buffer `name`, and whether it is new (zeros just allocated: PyTorch's first update). */
  protected bufferFor(name: string, index: number): {
    /** The parameter's buffer. */
    values: Float32Array;
    /** True when just allocated (zeros): the parameter's first update. */
    fresh: boolean;
  } {
    const spec = this.bufferSpecs[name]!;
    const list = (this.buffers[name] ??= this.params.map(() => new Float32Array(0)));
    const size = spec.size(this.params[index]!);
    if (list[index]!.length === size) return { values: list[index]!, fresh: false };
    list[index] = new Float32Array(size);
    return { values: list[index]!, fresh: true };
  }

  // Every group's keys and values, as the constructor checks them: a scheduler or user may have changed them since.
  private checkGroups(): void {
    this.paramGroups.forEach((group, i) => this.checkGroup(group, this.explicitGroups ? `paramGroups[${i}].` : ""));
  }

  private checkGroup(group: Group, label: string): void {
    checkOptionKeys(this.name, group, ["params", ...Object.keys(this.table.checks)]);
    for (const [key, check] of Object.entries(this.table.checks)) {
      (group as unknown as Record<string, unknown>)[key] = check(this.name, `${label}${key}`, (group as unknown as Record<string, unknown>)[key]);
    }
    this.checkGroupRules(group, label);
  }

  private makeGroup(spec: unknown, i: number, explicit = this.explicitGroups): Group {
    const op = explicit ? `${this.name}: paramGroups[${i}]` : this.name;
    if (explicit) checkOptionKeys(op, spec as object, ["params", ...Object.keys(this.table.checks)]);
    const group: Record<string, unknown> = { ...this.defaults };
    for (const [key, value] of Object.entries(spec as object)) if (value !== undefined && value !== null) group[key] = value;
    group.params = Object.freeze([...checkParams(this.name, (spec as { params: unknown }).params, explicit ? `paramGroups[${i}].params` : "params")]);
    return group as unknown as Group;
  }
}

// Explicit groups ([{ params, ... }, ...]) or null for a plain tensor list.
function groupSpecs(op: string, params: unknown): object[] | null {
  if (!Array.isArray(params) || params.length === 0 || params.some((p) => p instanceof Tensor)) return null;
  if (!params.every((g) => typeof g === "object" && g !== null && !Array.isArray(g) && Object.hasOwn(g, "params"))) {
    throw new TorchletError(op, "INVALID_ARGUMENT", `params must be an array of Tensors (e.g. net.parameters()) or of groups { params, ...options }, got ${describe(params)} holding ${describe(params.find((g) => !(typeof g === "object" && g !== null && Object.hasOwn(g, "params"))))}`);
  }
  return params as object[];
}

function checkParams(op: string, params: unknown, name: string): Tensor[] {
  if (!Array.isArray(params) || params.length === 0 || !params.every((p) => p instanceof Tensor)) {
    throw new TorchletError(op, "INVALID_ARGUMENT", `${name} must be a non-empty array of Tensors (e.g. net.parameters()), got ${describe(params)}`);
  }
  return params as Tensor[];
}
