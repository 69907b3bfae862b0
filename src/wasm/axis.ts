// The (N, J, inner) view around one dimension (src/ops/axis.ts) that max, argmax
// and the losses over classes read, plus the thread's share [start, end) of the
// N·inner outputs (one per (n, i)). Element (n, j, i) lives at (n·J + j)·inner + i.

/** AxisDims of src/ops/axis.ts, then the share [start, end) of the N·inner outputs. */
@unmanaged
export class AxisDims {
  N: i32;
  J: i32;
  inner: i32;
  start: i32;
  end: i32;
}

/** Byte offset of element (n, 0, i) for output k = n·inner + i: class j is j·inner·4 bytes further. */
// @ts-ignore: decorator
@inline
export function rowStart(k: i32, J: i32, inner: i32): usize {
  const i = k % inner;
  return <usize>((k - i) * J + i) * 4;
}
