// Dropout, as torch.nn.Dropout: in training, zero each element with
// probability p and scale the rest by 1/(1 − p); in evaluation, pass the input
// through. Its step (step.ts) reads `training` when it runs and keeps the mask
// for the backward in the step's saved buffer, so a Plan runs it too.

import { checkArity, checkOptionKeys } from "../errors.js";
import { checkGenerator, type Generator } from "../tensor/random.js";
import { checkDropProbability, dropoutBackward, dropoutForward, dropoutMask, dropoutScale, type DropoutDims, type DropoutOptions } from "../ops/dropout.js";
import { StepLayer, count, type LayerStep } from "./step.js";

/**
 * Randomly zeroes elements in training, like `torch.nn.Dropout(p)`; `eval()` turns it off.
 * @example new Dropout(0.5, { generator: new Generator(0) })
 */
export class Dropout extends StepLayer {
  /** The probability of dropping an element. */
  readonly p: number;
  private readonly generator: Generator | null;

  /**
   * @param p the probability of dropping each element (default 0.5), in [0, 1].
   * @param options generator: draw the masks from it (default: the global generator at each call).
   */
  constructor(p = 0.5, options: DropoutOptions = {}) {
    super("Dropout", "dropout");
    checkArity("Dropout", arguments, ["p", "options"]);
    this.p = checkDropProbability("Dropout", p);
    const { generator } = checkOptionKeys("Dropout", options, ["generator"]);
    this.generator = generator === undefined ? null : checkGenerator("Dropout", generator);
  }

  /** Training: y = x · keep / (1 − p), keep drawn per element and saved for the backward. Evaluation (or p = 0): y = x. */
  override step(inputShape: readonly number[]): LayerStep {
    const n = count(inputShape);
    const active: DropoutDims = { count: n, scale: dropoutScale(this.p) };
    const passThrough: DropoutDims = { count: n, scale: 1 };
    let d = active; // the dims of the last forward
    return {
      outputShape: inputShape,
      saved: n, // keep: (inputShape), 1 for a kept element
      forward: (b) => {
        const dropping = this.training && this.p > 0;
        d = dropping ? active : passThrough;
        if (dropping) dropoutMask(b.saved, this.p, this.generator ?? checkGenerator("Dropout", undefined));
        else b.saved.fill(1);
        dropoutForward(b.y, b.x, b.saved, d);
      },
      backward: (b) => {
        if (b.dx) dropoutBackward(b.dx, b.dy, b.saved, d);
      },
    };
  }

  protected override extraRepr(): string {
    return `p=${this.p}`;
  }
}
