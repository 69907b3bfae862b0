// Learning-rate schedulers as torch.optim.lr_scheduler (PyTorch 1.13): StepLR, CosineAnnealingLR,
// OneCycleLR. Each writes every parameter group's `lr` at construction (step 0) and at every
// `step()`, called once per optimizer step (OneCycleLR) or per epoch (StepLR, cosine), after
// `optimizer.step()`. Like PyTorch's, StepLR and CosineAnnealingLR update recursively from the
// group's current lr, so an lr changed by hand in between carries on; resuming from `last_epoch`
// and the deprecated `step(epoch)` are not supported; stateDict()/loadStateDict() resume a schedule.

import { checkInt } from "../../errors.js";
import type { Optimizer } from "./optimizer.js";
import { checkRange } from "./options.js";
import { LRScheduler, schedulerArguments } from "./scheduler.js";

export { LRScheduler, type SchedulerState, type SchedulerValue } from "./scheduler.js";

/** Options of {@link StepLR}. */
export interface StepLROptions {
  /** Steps between two decays (an integer ≥ 1). */
  stepSize: number;
  /** Factor each decay multiplies the lr by (default 0.1). */
  gamma?: number;
}

/** Multiplies every group's lr by `gamma` every `stepSize` steps, like `torch.optim.lr_scheduler.StepLR`. */
export class StepLR extends LRScheduler {
  /** Steps between two decays. */
  readonly stepSize: number;
  /** Decay factor. */
  readonly gamma: number;

  /** @example const scheduler = new lrScheduler.StepLR(opt, { stepSize: 30, gamma: 0.1 }); // per epoch: scheduler.step() */
  constructor(optimizer: Optimizer, options: StepLROptions) {
    const o = schedulerArguments("StepLR", arguments, options, ["stepSize", "gamma"]);
    super("StepLR", optimizer);
    this.stepSize = checkInt("StepLR", "stepSize", o.stepSize, 1);
    this.gamma = checkRange("StepLR", "gamma", o.gamma ?? 0.1, 0, Infinity);
    this.start({ step_size: this.stepSize, gamma: this.gamma });
  }

  protected override computeLr(): number[] {
    const decay = this.lastEpoch !== 0 && this.lastEpoch % this.stepSize === 0;
    return this.optimizer.paramGroups.map((group) => (decay ? group.lr * this.gamma : group.lr));
  }
}

/** Options of {@link CosineAnnealingLR}. */
export interface CosineAnnealingLROptions {
  /** Steps of half a cosine period (an integer ≥ 1). */
  tMax: number;
  /** The lowest lr (default 0). */
  etaMin?: number;
}

// Declared as StepLR is (an options interface, two read-only fields, checked in the constructor, then
// start()) so the two read alike: `duplicates` pairs them by shape; only computeLr differs.
/**
 * Anneals every group's lr from its base lr to `etaMin` along half a cosine over `tMax` steps (and back up
 * over the next `tMax`, as PyTorch's), like `torch.optim.lr_scheduler.CosineAnnealingLR`.
 */
export class CosineAnnealingLR extends LRScheduler {
  /** Steps of half a period. */
  readonly tMax: number;
  /** The lowest lr. */
  readonly etaMin: number;

  /** @example const scheduler = new lrScheduler.CosineAnnealingLR(opt, { tMax: 10 }); */
  constructor(optimizer: Optimizer, options: CosineAnnealingLROptions) {
    const o = schedulerArguments("CosineAnnealingLR", arguments, options, ["tMax", "etaMin"]);
    super("CosineAnnealingLR", optimizer);
    this.tMax = checkInt("CosineAnnealingLR", "tMax", o.tMax, 1);
    this.etaMin = checkRange("CosineAnnealingLR", "etaMin", o.etaMin ?? 0, 0, Infinity);
    this.start({ T_max: this.tMax, eta_min: this.etaMin });
  }

  // PyTorch's recursive form: lr_t = η_min + (lr_{t−1} − η_min)·(1 + cos(πt/T)) / (1 + cos(π(t−1)/T)),
  // with the step after each trough (where that ratio is 0/0) adding (base − η_min)(1 − cos(π/T))/2.
  protected override computeLr(): number[] {
    const { lastEpoch: t, tMax, etaMin } = this;
    const groups = this.optimizer.paramGroups;
    if (t === 0) return groups.map((group) => group.lr);
    if ((t - 1 - tMax) % (2 * tMax) === 0) {
      return groups.map((group, i) => group.lr + ((this.baseLrs[i]! - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2);
    }
    const ratio = (1 + Math.cos((Math.PI * t) / tMax)) / (1 + Math.cos((Math.PI * (t - 1)) / tMax));
    return groups.map((group) => ratio * (group.lr - etaMin) + etaMin);
  }
}

export { OneCycleLR, type OneCycleLROptions } from "./one-cycle.js";
