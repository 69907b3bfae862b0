// What the elementwise losses share in WebAssembly (src/ops/loss-reduction.ts):
// the reduction of the per-element losses ℓ_i and the gradient each element
// gets back, in float64 as the TypeScript reference.

/** LossDims of src/ops/loss-reduction.ts, its reduction as a number: 0 "none", 1 "sum", 2 "mean". */
@unmanaged
export class LossDims {
  count: i32;
  reduction: i32;
}

export const NONE = 0;
export const MEAN = 2;

/** ∂L/∂ℓ for every element when the reduction is "sum" or "mean" (one value); unused for "none". */
export function sharedGradient(dloss: usize, d: LossDims): f64 {
  const g = <f64>load<f32>(dloss);
  return d.reduction == MEAN ? g / <f64>d.count : g;
}
