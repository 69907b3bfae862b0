// The guard both training steps (eager trainStep and Plan.trainStep) run
// before an update: a NaN or ±Infinity loss or gradient stops training with
// the weights of the last good step.

import { TorchletError } from "../errors.js";

/** @throws TorchletError NON_FINITE when the loss is NaN or ±Infinity. */
export function checkFiniteLoss(loss: number): void {
  if (!Number.isFinite(loss)) throw new TorchletError("train", "NON_FINITE", `the loss became ${loss}`);
}

/** @throws TorchletError NON_FINITE naming the parameter when any gradient value is NaN or ±Infinity. */
export function checkFiniteGradient(name: () => string, gradient: Float32Array): void {
  for (let i = 0; i < gradient.length; i++) {
    if (!Number.isFinite(gradient[i]!)) throw new TorchletError("train", "NON_FINITE", `the gradient of ${name()} became non-finite`);
  }
}
