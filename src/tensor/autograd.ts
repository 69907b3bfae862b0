// Reverse-mode automatic differentiation.
//
// Every op that touches a tensor with requiresGrad records a GradFn on its
// result: the inputs, and a backward function that turns dL/d(result) into
// dL/d(input) for each input, accumulating (+=). backward() walks the recorded
// graph once, from the loss back to the leaves, in reverse topological order,
// so a tensor's gradient is complete (all its consumers have added to it)
// before its own GradFn runs. See docs/autograd.md for the walk-through.

import { TorchletError, formatShape } from "../errors.js";

/**
 * What autograd reads of a tensor. Tensor (tensor.ts) is one; spelled out here
 * so that this file needs nothing from tensor.ts, which imports it.
 */
export interface GradNode {
  /** Whether gradients flow to or through this node. */
  readonly requiresGrad: boolean;
  /** Number of elements. */
  readonly numel: number;
  /** Dimensions. */
  readonly shape: readonly number[];
  /** How it was computed; null for a leaf. */
  readonly gradFn: GradFn | null;
  /** The node's `.grad` values, created zeroed on first use. */
  gradBuffer(): Float32Array;
}

/**
 * How a tensor was computed: the op, its inputs, and the rule that sends the gradient back.
 * @typeParam Input the kind of node it reads (Tensor, for every op).
 */
export interface GradFn<Input extends GradNode = GradNode> {
  /** The op's name, e.g. "conv2d" (shown in errors and in `tensor.toString()`). */
  readonly name: string;
  /** The tensors the op read, in the op's argument order. */
  readonly inputs: readonly Input[];
  /**
   * Adds ∂L/∂input to `dInputs[i]` for each input, given `dy` = ∂L/∂output.
   * `dInputs[i]` is null when input i needs no gradient, so the op may skip that work.
   */
  backward(dy: Float32Array, dInputs: (Float32Array | null)[]): void;
  /** Set once backward has run through this node without `retainGraph`. */
  released: boolean;
}

/**
 * Accumulates d(root)/d(leaf) · gradient into `.grad` of every leaf that
 * requires grad. Called by `Tensor.backward`.
 */
export function backward(root: GradNode, gradient: { readonly shape: readonly number[]; readonly data: Float32Array } | undefined, retainGraph: boolean): void {
  if (!root.requiresGrad) {
    throw new TorchletError("backward", "INVALID_STATE", "this tensor does not require grad: no input had requiresGrad: true, or it was computed under noGrad()");
  }
  let seed: Float32Array;
  if (gradient === undefined) {
    if (root.numel !== 1) {
      throw new TorchletError("backward", "SHAPE_MISMATCH", `the gradient can be omitted only for a one-element tensor (a loss); this one has shape ${formatShape(root.shape)}`);
    }
    seed = Float32Array.of(1);
  } else {
    if (!sameShape(gradient.shape, root.shape)) {
      throw new TorchletError("backward", "SHAPE_MISMATCH", `gradient has shape ${formatShape(gradient.shape)} but the tensor has shape ${formatShape(root.shape)}`);
    }
    seed = gradient.data;
  }

  if (root.gradFn === null) {
    // d(root)/d(root) = 1: a leaf's gradient is the seed itself.
    const g = root.gradBuffer();
    for (let i = 0; i < g.length; i++) g[i] += seed[i]!;
    return;
  }

  // ∂L/∂t for every non-leaf t still waiting to run; leaves accumulate straight into .grad.
  const pending = new Map<GradNode, Float32Array>([[root, seed]]);
  for (const t of topologicalOrder(root)) {
    const fn = t.gradFn!;
    if (fn.released) {
      throw new TorchletError("backward", "INVALID_STATE", `the graph through ${fn.name} was already used by an earlier backward(); run the forward pass again, or pass { retainGraph: true } to the first backward()`);
    }
    const dy = pending.get(t)!;
    pending.delete(t);
    const dInputs = fn.inputs.map((input) => {
      if (!input.requiresGrad) return null;
      if (input.gradFn === null) return input.gradBuffer();
      let g = pending.get(input);
      if (g === undefined) {
        g = new Float32Array(input.numel);
        pending.set(input, g);
      }
      return g;
    });
    fn.backward(dy, dInputs);
    if (!retainGraph) fn.released = true;
  }
}

/** Non-leaf tensors reachable from `root`, each listed before every tensor it was computed from. */
function topologicalOrder(root: GradNode): GradNode[] {
  const postOrder: GradNode[] = [];
  const visited = new Set<GradNode>([root]);
  // An explicit stack instead of recursion: a long chain of ops must not overflow the call stack.
  const stack: { tensor: GradNode; next: number }[] = [{ tensor: root, next: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const inputs = top.tensor.gradFn!.inputs;
    if (top.next < inputs.length) {
      const input = inputs[top.next++]!;
      if (input.gradFn !== null && !visited.has(input)) {
        visited.add(input);
        stack.push({ tensor: input, next: 0 });
      }
    } else {
      postOrder.push(top.tensor);
      stack.pop();
    }
  }
  return postOrder.reverse();
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
