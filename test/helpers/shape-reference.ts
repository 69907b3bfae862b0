// Float64 references for the shape and indexing ops, written index by index
// from their definitions: every output element is found by converting its flat
// position to coordinates, applying the op's rule to the coordinates, and
// converting back. They share no code with src/ops (no strides, no offsets
// tables, no kernels).

/** The coordinates of flat position `p` in a row-major tensor of `shape`. */
export function coordsOf(p: number, shape: readonly number[]): number[] {
  const c = new Array<number>(shape.length).fill(0);
  for (let i = shape.length - 1; i >= 0; i--) {
    c[i] = p % shape[i]!;
    p = Math.floor(p / shape[i]!);
  }
  return c;
}

/** The flat position of coordinates `c` in a row-major tensor of `shape`. */
export function flatOf(c: readonly number[], shape: readonly number[]): number {
  let p = 0;
  for (let i = 0; i < shape.length; i++) p = p * shape[i]! + c[i]!;
  return p;
}

const count = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** A tensor as its values and shape. */
export interface Ref {
  data: Float64Array;
  shape: number[];
}

/** y[c] = x[source(c)] for every coordinate c of `shape`. */
function pick(x: ArrayLike<number>, xShape: readonly number[], shape: number[], source: (c: number[]) => number[]): Ref {
  const data = new Float64Array(count(shape));
  for (let p = 0; p < data.length; p++) data[p] = x[flatOf(source(coordsOf(p, shape)), xShape)]!;
  return { data, shape };
}

/** permute: dimension i of y is dimension perm[i] of x. */
export function permuteRef(x: ArrayLike<number>, xShape: readonly number[], perm: readonly number[]): Ref {
  const shape = perm.map((d) => xShape[d]!);
  return pick(x, xShape, shape, (c) => {
    const source = new Array<number>(xShape.length);
    perm.forEach((d, i) => (source[d] = c[i]!));
    return source;
  });
}

/** The entries `positions` of dimension `dim`, in order: narrow, slice and indexSelect are all this. */
export function selectRef(x: ArrayLike<number>, xShape: readonly number[], dim: number, positions: readonly number[]): Ref {
  const shape = xShape.map((s, i) => (i === dim ? positions.length : s));
  return pick(x, xShape, shape, (c) => c.map((v, i) => (i === dim ? positions[v]! : v)));
}

/** Python's range(*slice(start, end, step).indices(size)) for a positive step. */
export function pythonSlice(size: number, start: number | null, end: number | null, step: number): number[] {
  const clamp = (v: number | null, fallback: number): number => (v === null ? fallback : Math.min(Math.max(v < 0 ? v + size : v, 0), size));
  const out: number[] = [];
  for (let i = clamp(start, 0); i < clamp(end, size); i += step) out.push(i);
  return out;
}

/** gather: y has index's shape, y[c] = x[c with c_dim = index[c]]. */
export function gatherRef(x: ArrayLike<number>, xShape: readonly number[], dim: number, index: ArrayLike<number>, indexShape: readonly number[]): Ref {
  return pick(x, xShape, [...indexShape], (c) => c.map((v, i) => (i === dim ? index[flatOf(c, indexShape)]! : v)));
}

/** cat along dim: output coordinate c_dim falls in exactly one input's range. */
export function catRef(xs: readonly Ref[], dim: number): Ref {
  const shape = [...xs[0]!.shape];
  shape[dim] = xs.reduce((n, x) => n + x.shape[dim]!, 0);
  const data = new Float64Array(count(shape));
  for (let p = 0; p < data.length; p++) {
    const c = coordsOf(p, shape);
    let k = 0;
    while (c[dim]! >= xs[k]!.shape[dim]!) c[dim] -= xs[k++]!.shape[dim]!;
    data[p] = xs[k]!.data[flatOf(c, xs[k]!.shape)]!;
  }
  return { data, shape };
}

/** stack along a new dimension dim: y[..., k, ...] = xs[k][...]. */
export function stackRef(xs: readonly Ref[], dim: number): Ref {
  const inner = xs[0]!.shape;
  const shape = [...inner.slice(0, dim), xs.length, ...inner.slice(dim)];
  const data = new Float64Array(count(shape));
  for (let p = 0; p < data.length; p++) {
    const c = coordsOf(p, shape);
    const [k] = c.splice(dim, 1);
    data[p] = xs[k!]!.data[flatOf(c, inner)]!;
  }
  return { data, shape };
}
