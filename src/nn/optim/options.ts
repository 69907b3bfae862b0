// Checks of optimizer and scheduler hyper-parameters: each one names the option and the value,
// so a bad learning rate or a PyTorch spelling is an error at construction, never a silent no-op.

import { TorchletError, checkFinite, describe } from "../../errors.js";

/** Checks one option's value (the option is called `name` in the message) and returns it. */
export type OptionCheck = (op: string, name: string, value: unknown) => unknown;

/** Checks that `value` is a finite number in [min, max) (or [min, max] when `maxIncluded`) and returns it. */
export function checkRange(op: string, name: string, value: unknown, min: number, max: number, maxIncluded = false): number {
  const v = checkFinite(op, name, value);
  if (v < min || v > max || (v === max && !maxIncluded)) {
    throw new TorchletError(op, "INVALID_ARGUMENT", `${name} must be in [${min}, ${max}${maxIncluded ? "]" : ")"}, got ${v}`);
  }
  return v;
}

/** Checks that `value` is true or false (a flag such as nesterov, amsgrad, maximize) and returns it. */
export function checkBoolean(op: string, name: string, value: unknown): boolean {
  if (typeof value !== "boolean") throw new TorchletError(op, "INVALID_ARGUMENT", `${name} must be true or false, got ${describe(value)}`);
  return value;
}

/** A finite number ≥ 0: learning rates, eps, weight decay. */
export const nonNegative: OptionCheck = (op, name, value) => checkRange(op, name, value, 0, Infinity);
/** A finite number in [0, 1): momentum (torchlet refuses momentum ≥ 1, with which SGD never converges). */
export const belowOne: OptionCheck = (op, name, value) => checkRange(op, name, value, 0, 1);
/** A finite number in [0, 1]: dampening. */
export const unitInterval: OptionCheck = (op, name, value) => checkRange(op, name, value, 0, 1, true);
/** A flag. */
export const flag: OptionCheck = checkBoolean;

/** Adam's (β1, β2): two numbers in [0, 1), returned as a fresh pair. */
export const betasPair: OptionCheck = (op, name, value) => {
  if (!Array.isArray(value) || value.length !== 2) {
    throw new TorchletError(op, "INVALID_ARGUMENT", `${name} must be [beta1, beta2], got ${describe(value)}`);
  }
  return [checkRange(op, `${name}[0]`, value[0], 0, 1), checkRange(op, `${name}[1]`, value[1], 0, 1)];
};
