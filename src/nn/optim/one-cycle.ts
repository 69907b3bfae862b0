// OneCycleLR as torch.optim.lr_scheduler.OneCycleLR (PyTorch 1.13): the lr climbs from maxLr/divFactor
// to maxLr over the first pctStart of totalSteps, then anneals to maxLr/(divFactor·finalDivFactor);
// the momentum (SGD's momentum, Adam's β1) moves the opposite way between maxMomentum and baseMomentum.
// Each phase runs from its start step s0 to its end step s1 (fractional, as PyTorch's) and sets
//   value = anneal(start, end, (t − s0) / (s1 − s0)),  anneal = cos: end + (start − end)·(1 + cos(π·pct))/2, or linear.

import { TorchletError, checkInt, describe } from "../../errors.js";
import type { Optimizer } from "./optimizer.js";
import { checkBoolean, checkRange } from "./options.js";
import { LRScheduler, schedulerArguments } from "./scheduler.js";

/** Options of {@link OneCycleLR} (PyTorch's names in camelCase; defaults as PyTorch 1.13). */
export interface OneCycleLROptions {
  /** The peak lr, one for all groups or one per group. */
  maxLr: number | number[];
  /** Steps in the cycle; or give `epochs` and `stepsPerEpoch`. */
  totalSteps?: number;
  /** Epochs in the cycle (with `stepsPerEpoch`, instead of `totalSteps`). */
  epochs?: number;
  /** Steps per epoch (with `epochs`). */
  stepsPerEpoch?: number;
  /** Fraction of the cycle spent raising the lr (default 0.3). */
  pctStart?: number;
  /** "cos" (default) or "linear" annealing. */
  annealStrategy?: "cos" | "linear";
  /** Cycle SGD's momentum or Adam's β1 inversely to the lr (default true). */
  cycleMomentum?: boolean;
  /** Lowest momentum, reached at the peak lr (default 0.85). */
  baseMomentum?: number | number[];
  /** Highest momentum, at the start and end (default 0.95). */
  maxMomentum?: number | number[];
  /** Initial lr = maxLr / divFactor (default 25). */
  divFactor?: number;
  /** Final lr = initial lr / finalDivFactor (default 1e4). */
  finalDivFactor?: number;
  /** Three phases (up, back down to the initial lr, then to the final lr) instead of two (default false). */
  threePhase?: boolean;
}

type Level = "initial" | "max" | "min";
interface Phase { endStep: number; lr: [Level, Level]; momentum: ["max" | "base", "max" | "base"] }
interface GroupLevels { initial: number; max: number; min: number; maxMomentum: number; baseMomentum: number }

const KEYS = ["maxLr", "totalSteps", "epochs", "stepsPerEpoch", "pctStart", "annealStrategy", "cycleMomentum", "baseMomentum", "maxMomentum", "divFactor", "finalDivFactor", "threePhase"];

/** The one-cycle policy (Smith & Topin, 2018), like `torch.optim.lr_scheduler.OneCycleLR`: call step() after every optimizer step. */
export class OneCycleLR extends LRScheduler {
  /** Steps in the cycle; stepping past it is an error. */
  readonly totalSteps: number;
  private readonly phases: Phase[];
  private readonly levels: GroupLevels[];
  private readonly anneal: (start: number, end: number, pct: number) => number;
  /** Where momentum goes: "betas" (Adam's β1), "momentum" (SGD) or null when not cycled. */
  private readonly momentumKey: "betas" | "momentum" | null;

  /** @example const scheduler = new lrScheduler.OneCycleLR(opt, { maxLr: 0.1, totalSteps: 1000 }); */
  constructor(optimizer: Optimizer, options: OneCycleLROptions) {
    const op = "OneCycleLR";
    const o = schedulerArguments(op, arguments, options, KEYS);
    const groups = (optimizer as Partial<Optimizer> | null)?.paramGroups?.length ?? 0;
    const perGroup = (name: string, value: unknown, max: number) => perGroupValues(op, name, value, groups, max);
    const maxLrs = perGroup("maxLr", o.maxLr, Infinity);
    const divFactor = checkRange(op, "divFactor", o.divFactor ?? 25, Number.MIN_VALUE, Infinity);
    const finalDivFactor = checkRange(op, "finalDivFactor", o.finalDivFactor ?? 1e4, Number.MIN_VALUE, Infinity);
    const maxMomenta = perGroup("maxMomentum", o.maxMomentum ?? 0.95, 1);
    const baseMomenta = perGroup("baseMomentum", o.baseMomentum ?? 0.85, 1);
    const levels = maxLrs.map((max, i) => ({ initial: max / divFactor, max, min: max / divFactor / finalDivFactor, maxMomentum: maxMomenta[i]!, baseMomentum: baseMomenta[i]! }));
    const totalSteps = cycleLength(op, o);
    const phases = makePhases(op, totalSteps, checkRange(op, "pctStart", o.pctStart ?? 0.3, 0, 1, true), checkBoolean(op, "threePhase", o.threePhase ?? false));
    const strategy = o.annealStrategy ?? "cos";
    if (strategy !== "cos" && strategy !== "linear") throw new TorchletError(op, "INVALID_ARGUMENT", `annealStrategy must be "cos" or "linear", got ${describe(strategy)}`);
    const cycleMomentum = checkBoolean(op, "cycleMomentum", o.cycleMomentum ?? true);
    super(op, optimizer); // checks the optimizer, records each group's initial lr: set it first, as PyTorch does
    this.totalSteps = totalSteps;
    this.phases = phases;
    this.levels = levels;
    this.anneal = strategy === "cos" ? (start, end, pct) => end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1) : (start, end, pct) => (end - start) * pct + start;
    this.momentumKey = !cycleMomentum ? null : "betas" in optimizer.defaults ? "betas" : "momentum" in optimizer.defaults ? "momentum" : null;
    if (cycleMomentum && this.momentumKey === null) throw new TorchletError(op, "INVALID_ARGUMENT", `cycleMomentum needs an optimizer with momentum or betas; ${optimizer.name} has neither (pass cycleMomentum: false)`);
    this.start({ total_steps: totalSteps, max_lrs: maxLrs, cycle_momentum: this.momentumKey !== null, use_beta1: this.momentumKey === "betas" });
  }

  // The momentum (or β1) of the loaded step: computeLr writes it into the groups.
  protected override restoreGroups(): void {
    this.computeLr();
  }

  protected override computeLr(): number[] {
    const t = this.lastEpoch;
    if (t > this.totalSteps) {
      throw new TorchletError("OneCycleLR.step", "OUT_OF_RANGE", `tried to step ${t + 1} times; the cycle has totalSteps ${this.totalSteps}`);
    }
    let start = 0;
    const last = this.phases.length - 1;
    const index = this.phases.findIndex((phase, i) => t <= phase.endStep || i === last);
    if (index > 0) start = this.phases[index - 1]!.endStep;
    const phase = this.phases[index]!;
    const pct = (t - start) / (phase.endStep - start);
    return this.optimizer.paramGroups.map((group, i) => {
      const level = this.levels[i]!;
      if (this.momentumKey !== null) {
        const momentum = this.anneal(level[`${phase.momentum[0]}Momentum`], level[`${phase.momentum[1]}Momentum`], pct);
        const g = group as unknown as { betas: number[]; momentum: number };
        if (this.momentumKey === "betas") g.betas = [momentum, ...g.betas.slice(1)];
        else g.momentum = momentum;
      }
      return this.anneal(level[phase.lr[0]], level[phase.lr[1]], pct);
    });
  }
}

// One number in [0, max) for every group, from one number or an array with one per group.
function perGroupValues(op: string, name: string, value: unknown, groups: number, max: number): number[] {
  if (!Array.isArray(value)) return Array.from({ length: Math.max(groups, 1) }, () => checkRange(op, name, value, 0, max));
  if (value.length !== groups) throw new TorchletError(op, "INVALID_ARGUMENT", `${name} must be one number or one per parameter group (${groups}), got ${describe(value)}`);
  return value.map((v, i) => checkRange(op, `${name}[${i}]`, v, 0, max));
}

// totalSteps, or epochs × stepsPerEpoch (giving both ways is refused: PyTorch would drop one silently).
function cycleLength(op: string, o: OneCycleLROptions): number {
  if (o.totalSteps !== undefined) {
    if (o.epochs !== undefined || o.stepsPerEpoch !== undefined) throw new TorchletError(op, "INVALID_ARGUMENT", `give totalSteps or epochs with stepsPerEpoch, not both (got totalSteps ${describe(o.totalSteps)}, epochs ${describe(o.epochs)}, stepsPerEpoch ${describe(o.stepsPerEpoch)})`);
    return checkInt(op, "totalSteps", o.totalSteps, 1);
  }
  if (o.epochs === undefined && o.stepsPerEpoch === undefined) throw new TorchletError(op, "INVALID_ARGUMENT", "give totalSteps, or epochs and stepsPerEpoch");
  return checkInt(op, "epochs", o.epochs, 1) * checkInt(op, "stepsPerEpoch", o.stepsPerEpoch, 1);
}

// PyTorch's _schedule_phases: fractional end steps; a phase of zero length (PyTorch divides by zero there) is refused.
function makePhases(op: string, total: number, pctStart: number, threePhase: boolean): Phase[] {
  const phases: Phase[] = threePhase
    ? [
        { endStep: pctStart * total - 1, lr: ["initial", "max"], momentum: ["max", "base"] },
        { endStep: 2 * pctStart * total - 2, lr: ["max", "initial"], momentum: ["base", "max"] },
        { endStep: total - 1, lr: ["initial", "min"], momentum: ["max", "max"] },
      ]
    : [
        { endStep: pctStart * total - 1, lr: ["initial", "max"], momentum: ["max", "base"] },
        { endStep: total - 1, lr: ["max", "min"], momentum: ["base", "max"] },
      ];
  phases.forEach((phase, i) => {
    const start = i === 0 ? 0 : phases[i - 1]!.endStep;
    if (phase.endStep === start) throw new TorchletError(op, "INVALID_ARGUMENT", `phase ${i + 1} of the cycle has zero length (totalSteps ${total}, pctStart ${pctStart}): change either`);
  });
  return phases;
}
