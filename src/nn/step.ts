// A layer's step: its kernel calls for one input shape, on plain buffers.
//
// This is the one description of what a layer computes. The eager layer runs
// it through runStep (fresh buffers, the backward recorded for autograd, like
// the ops in src/ops); a Plan binds it once to buffers laid out for a batch
// size and calls it every training step. Both run the same closures on the
// same kernels, so they agree bit for bit, and a new layer can be planned as
// soon as it has a step.
//
//   layer input x (inputShape) ──forward──▶ y (outputShape)
//   dx (inputShape) += ◀──backward── dy (outputShape), and dparams += for its parameters

import { allocFloat32, checkArity } from "../errors.js";
import { Tensor, expectTensor, record } from "../tensor/tensor.js";
import { getBackend, type Kernels } from "../backend/index.js";
import { Module } from "./module.js";
import type { OutputActivation } from "../ops/avgpool2d.js";

/** An activation whose derivative is a function of its output alone: σ′ = σ(1 − σ), tanh′ = 1 − tanh², relu′ = [y > 0 or NaN]. */
export type StepActivation = OutputActivation | "relu";

/** The buffers one call of a {@link LayerStep} reads and writes: bound once by a Plan, made per call by the eager path. */
export interface StepBuffers {
  /** The layer's input, (inputShape). */
  readonly x: Float32Array;
  /** Its output, (outputShape); the same array as x for a view. */
  readonly y: Float32Array;
  /** The values of `layer.parameters()`, in that order, e.g. weight (out, in, kH, kW) then bias (out). */
  readonly params: readonly Float32Array[];
  /** ∂L/∂x, (inputShape), added to (+=); null when the input needs no gradient. Only backward reads it. */
  readonly dx: Float32Array | null;
  /** ∂L/∂y, (outputShape). Only backward reads it. */
  readonly dy: Float32Array;
  /** ∂L/∂params, shaped like params, added to (+=); null skips one. Only backward reads it. */
  readonly dparams: readonly (Float32Array | null)[];
  /** Scratch the call may overwrite, at least as long as the step's scratch lengths for this call. */
  readonly scratch: readonly Float32Array[];
  /** (saved): what forward keeps for backward (max pooling's argmax); empty when the step saves nothing. */
  readonly saved: Int32Array;
}

/** Lengths of a step's scratch buffers, slot by slot: a Plan shares slot j between all layers. */
export interface StepScratch {
  /** What forward needs, e.g. conv2d's [cols]: (C·kH·kW, N·P·Q). */
  readonly forward: readonly number[];
  /** What backward needs, e.g. conv2d's [cols, dcols]: both (C·kH·kW, N·P·Q). */
  readonly backward: readonly number[];
}

/** One layer's computation for one input shape: what its eager forward and a `Plan` both run. */
export interface LayerStep {
  /** Shape of the layer's output. */
  readonly outputShape: readonly number[];
  /** True when the output is the input relabelled (Flatten, Reshape): no kernels run and no buffers of its own. */
  readonly view?: boolean;
  /** Scratch buffers forward and backward use (none by default). */
  readonly scratch?: StepScratch;
  /** Length of the Int32 buffer forward fills for backward (max pooling: one argmax per output). Default 0. */
  readonly saved?: number;
  /**
   * True when forward computes each example from that example alone, the same way whatever the batch
   * (convolutions, activations, pooling, views; not BatchNorm's batch statistics or Dropout's random
   * draws), and what it saves is per example too (max pooling's argmax, a position within each plane):
   * a Plan may then run it on slices of the batch, bit for bit the same. Default false.
   */
  readonly perExample?: boolean;
  /** Set by Sigmoid, Tanh and ReLU, whose derivative needs only their output: a Plan may then fold their backward into the next layer's ({@link LayerStep.backwardThrough}). */
  readonly activation?: StepActivation;
  /**
   * This layer's backward and that of the `activation` just before it in one pass, or undefined when this layer
   * cannot do both (a pool whose windows overlap, an activation it has no fused kernel for, every other layer:
   * AvgPool2d takes sigmoid and tanh, MaxPool2d takes relu). The call reads this step's
   * buffers, except that `dx` is ∂L/∂(the activation's input), which it sets rather than adds to, so a Plan need
   * not clear it (`x`, this layer's input, is the activation's output). Bit for bit the two backwards one after
   * the other, each into a zeroed gradient.
   */
  backwardThrough?(activation: StepActivation): ((b: StepBuffers) => void) | undefined;
  /** y = layer(x). */
  forward(b: StepBuffers): void;
  /** dx and dparams += their gradients, from dy (and x, y, params, saved). */
  backward(b: StepBuffers): void;
}

/**
 * A layer described by a {@link LayerStep}: its eager forward runs the step on
 * fresh buffers (recording the backward for autograd), and a `Plan` can
 * compile it. Subclass it, implement `step`, and the layer works both ways.
 */
export abstract class StepLayer extends Module {
  /**
   * @param typeName the class name toString prints, e.g. "Conv2d".
   * @param op the op it runs, e.g. "conv2d": errors and the autograd node carry this name.
   */
  constructor(typeName: string, readonly op: string) {
    super(typeName);
  }

  /**
   * The layer's kernel calls for an input of shape `inputShape`.
   * @throws TorchletError, named after {@link StepLayer.op}, when the shape does not fit the layer.
   */
  abstract step(inputShape: readonly number[], kernels: Kernels): LayerStep;

  /** Runs {@link StepLayer.step} on `x` with the current backend, recording its backward. */
  override forward(x: Tensor): Tensor {
    checkArity(`${this.typeName}.forward`, arguments, ["input"]);
    return runStep(this, x);
  }
}

/** A forward-only call's dy (forward never reads it); the eager path and a Plan's chunks pass it. */
export const NO_GRADIENT = new Float32Array(0);
/** The saved buffer of a step that saves nothing for its backward. */
export const NOTHING_SAVED = new Int32Array(0);

/** The eager path of a step: allocates y (and scratch), runs forward, and records backward for autograd. */
export function runStep(layer: StepLayer, x: Tensor): Tensor {
  expectTensor(layer.op, "input", x);
  const kernels = getBackend();
  const step = layer.step(x.shape, kernels);
  if (step.view) return x.view([...step.outputShape]); // shares x's data; its backward passes dy through
  const params = layer.parameters();
  const values = params.map((p) => p.data);
  const y = allocFloat32(layer.op, count(step.outputShape)); // (outputShape)
  const saved = step.saved ? new Int32Array(step.saved) : NOTHING_SAVED; // (saved)
  const scratch = (lengths: readonly number[] = []) => lengths.map((n) => allocFloat32(layer.op, n));
  step.forward({ x: x.data, y, params: values, dx: null, dy: NO_GRADIENT, dparams: [], scratch: scratch(step.scratch?.forward), saved });
  return record(layer.op, y, [...step.outputShape], [x, ...params], (dy, [dx, ...dparams]) => {
    const buffers = { x: x.data, y, params: values, dx: dx ?? null, dy, dparams: dparams.map((g) => g ?? null), saved };
    step.backward({ ...buffers, scratch: scratch(step.scratch?.backward) });
  });
}

/** Number of elements of a shape. */
export function count(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The step of a layer that relabels the shape (Flatten, Reshape, Identity, Unflatten): no kernels, and a Plan gives it its input's buffers. */
export function viewStep(outputShape: readonly number[]): LayerStep {
  return { outputShape, view: true, perExample: true, forward: () => {}, backward: () => {} };
}
