// The scheduler base: the optimizer, the base learning rates, step() and getLastLr(), as PyTorch's
// _LRScheduler (1.13) with last_epoch = -1: the constructor of each scheduler takes step 0.

import { TorchletError, checkArity, checkOptionKeys, describe } from "../../errors.js";
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

  /** Moves the schedule one step on and writes every group's new lr. */
  step(): void {
    checkArity(`${this.name}.step`, arguments, []);
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
}

/** Checks a scheduler's `options`: an object with only `allowed` keys (PyTorch-only ones named as unsupported). */
export function schedulerOptions<T extends object>(op: string, options: T | undefined, allowed: readonly string[]): T {
  return checkOptionKeys(op, options, allowed, PYTORCH_ONLY);
}
