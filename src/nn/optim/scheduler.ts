// The scheduler base: the optimizer, the base learning rates, step() and getLastLr(), as PyTorch's
// _LRScheduler (1.13) with last_epoch = -1: the constructor of each scheduler takes step 0; and
// stateDict()/loadStateDict() with PyTorch's keys, to resume a schedule from a checkpoint.

import { TorchletError, checkArity, checkInt, checkOptionKeys, describe } from "../../errors.js";
import { Optimizer, type ParamGroup } from "./optimizer.js";

// PyTorch's group['initial_lr']: set by the first scheduler attached to a group, read by every later one.
const initialLrs = new WeakMap<ParamGroup, number>();
const PYTORCH_ONLY = ["lastEpoch", "verbose"];

/** Shared by every scheduler: the optimizer, the base learning rates, step() and getLastLr(). */
export abstract class LRScheduler {
  /** The optimizer whose groups' lr this scheduler sets. */
  readonly optimizer: Optimizer;
  /** Each group's lr when the first scheduler was attached to it (PyTorch's `base_lrs`). */
  readonly baseLrs: readonly number[];
  private epoch = -1;
  private lastLr: number[] = [];
  private settings: Record<string, SchedulerValue> = {};
  /** The scheduler's name, as errors print it. */
  protected readonly name: string;

  /** @param name for error messages; @param optimizer the optimizer to drive. */
  constructor(name: string, optimizer: unknown) {
    this.name = name;
    if (!(optimizer instanceof Optimizer)) {
      throw new TorchletError(name, "INVALID_ARGUMENT", `optimizer must be an Optimizer (SGD, Adam, AdamW), got ${describe(optimizer)}`);
    }
    this.optimizer = optimizer;
    for (const group of optimizer.paramGroups) if (!initialLrs.has(group)) initialLrs.set(group, group.lr);
    this.baseLrs = optimizer.paramGroups.map((group) => initialLrs.get(group)!);
  }

  /** Ends a subclass's constructor: records its settings (PyTorch's state_dict names) and takes step 0. */
  protected start(settings: Record<string, SchedulerValue>): void {
    this.settings = settings;
    this.step();
  }

  /** Moves the schedule one step on and writes every group's new lr. */
  step(): void {
    checkArity(`${this.name}.step`, arguments, []);
    this.checkGroupCount(`${this.name}.step`);
    this.epoch++;
    const lrs = this.computeLr();
    this.optimizer.paramGroups.forEach((group, i) => (group.lr = lrs[i]!));
    this.lastLr = this.optimizer.paramGroups.map((group) => group.lr);
  }

  /** Steps taken, 0 after construction (PyTorch's `last_epoch`). */
  get lastEpoch(): number {
    return this.epoch;
  }

  /** The learning rate of every group as the last step() (or the constructor) set it, like `get_last_lr()`. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** The lr of every group at step {@link LRScheduler.lastEpoch}. */
  protected abstract computeLr(): number[];

  /**
   * The schedule's position, with PyTorch's state_dict keys: `last_epoch`, `_step_count`, `base_lrs`,
   * `_last_lr` and the scheduler's settings (StepLR's `step_size` and `gamma`, ...). Plain JSON.
   */
  stateDict(): SchedulerState {
    checkArity(`${this.name}.stateDict`, arguments, []);
    return { ...structuredClone(this.settings), base_lrs: [...this.baseLrs], last_epoch: this.epoch, _step_count: this.epoch + 1, _last_lr: [...this.lastLr] };
  }

  /**
   * Resumes the schedule from {@link LRScheduler.stateDict}: the step count, and every group's lr set to the
   * saved last lr (torchlet's optimizer state does not carry the groups' lrs, PyTorch's does).
   * @throws TorchletError when a key is missing or unknown, or a setting or base lr differs from this
   *   scheduler's (a state from another schedule); nothing changes then.
   */
  loadStateDict(state: SchedulerState): void {
    const op = `${this.name}.loadStateDict`;
    checkArity(op, arguments, ["state"]);
    this.checkGroupCount(op);
    const own = { ...this.settings, base_lrs: [...this.baseLrs] };
    const given = checkOptionKeys(op, state, [...Object.keys(own), "last_epoch", "_step_count", "_last_lr"]);
    for (const [key, value] of Object.entries(own)) {
      if (!(key in given)) throw new TorchletError(op, "NOT_FOUND", `state has no "${key}"`);
      if (JSON.stringify(given[key]) !== JSON.stringify(value)) {
        throw new TorchletError(op, "INVALID_ARGUMENT", `state has ${key} ${JSON.stringify(given[key])} but this scheduler has ${JSON.stringify(value)}: it is the state of another schedule`);
      }
    }
    const epoch = checkInt(op, "last_epoch", given.last_epoch, 0);
    if (given._step_count !== undefined && given._step_count !== epoch + 1) {
      throw new TorchletError(op, "INVALID_ARGUMENT", `_step_count ${describe(given._step_count)} does not follow last_epoch ${epoch} (expected ${epoch + 1})`);
    }
    const lastLr: unknown = given._last_lr;
    if (!Array.isArray(lastLr) || lastLr.length !== this.baseLrs.length || !lastLr.every((lr) => typeof lr === "number" && Number.isFinite(lr) && lr >= 0)) {
      throw new TorchletError(op, "INVALID_ARGUMENT", `_last_lr must hold ${this.baseLrs.length} finite learning rates ≥ 0 (one per group), got ${describe(lastLr)}`);
    }
    this.epoch = epoch;
    this.lastLr = [...(lastLr as number[])];
    this.optimizer.paramGroups.forEach((group, i) => (group.lr = this.lastLr[i]!));
    this.restoreGroups();
  }

  /** After loadStateDict: put back anything else the schedule writes into the groups (OneCycleLR's momentum). */
  protected restoreGroups(): void {}

  // The base lrs are one per group when the scheduler was made: a group added since has none.
  private checkGroupCount(op: string): void {
    const groups = this.optimizer.paramGroups.length;
    if (groups !== this.baseLrs.length) {
      throw new TorchletError(op, "INVALID_STATE", `the optimizer has ${groups} parameter groups but had ${this.baseLrs.length} when this scheduler was made; make the scheduler after addParamGroup`);
    }
  }
}

/** A value of a scheduler's state: a number, a list of numbers (one per group), a flag or a name. */
export type SchedulerValue = number | number[] | boolean | string;

/** A scheduler's state as {@link LRScheduler.stateDict} returns it, with PyTorch's keys. */
export interface SchedulerState {
  /** Steps taken (0 after construction). */
  last_epoch: number;
  /** last_epoch + 1, as PyTorch counts it. */
  _step_count?: number;
  /** Each group's base lr. */
  base_lrs: number[];
  /** Each group's lr after the last step. */
  _last_lr: number[];
  /** The scheduler's settings, e.g. StepLR's step_size and gamma. */
  [setting: string]: SchedulerValue | undefined;
}

/**
 * Checks a scheduler constructor's `arguments` (optimizer, options) and its `options`: an object with only `allowed`
 * keys (PyTorch-only ones named as unsupported). Returns the options.
 */
export function schedulerArguments<T extends object>(op: string, args: IArguments, options: T | undefined, allowed: readonly string[]): T {
  checkArity(op, args, ["optimizer", "options"]);
  return checkOptionKeys(op, options, allowed, PYTORCH_ONLY);
}
