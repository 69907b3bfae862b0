// maxUnpool2d in WebAssembly: the loops of src/ops/maxunpool2d.ts over the
// planes [d.start, d.end) of the N·C planes, so threads can split them.
// Legend: P·Q inputs per plane scattered into H·W outputs per plane.
// A scatter and a gather at data-dependent positions: plain loops, no SIMD.

// The fields of MaxUnpool2dDims in src/ops/maxunpool2d.ts, then the thread's share of the planes.
@unmanaged
export class MaxUnpool2dDims {
  planes: i32;
  inputs: i32;
  outputs: i32;
  start: i32;
  end: i32;
}

// y[plane, indices[i]] = x[i], zeros elsewhere: each thread zeroes and fills its own planes.
export function maxUnpool2dForward(y: usize, x: usize, indices: usize, d: MaxUnpool2dDims): void {
  const inputs = d.inputs, outputs = d.outputs;
  for (let plane = d.start; plane < d.end; plane++) {
    const yPlane = y + <usize>(plane * outputs) * 4;
    memory.fill(yPlane, 0, <usize>outputs * 4);
    for (let i = plane * inputs; i < (plane + 1) * inputs; i++) {
      store<f32>(yPlane + <usize>load<i32>(indices + <usize>i * 4) * 4, load<f32>(x + <usize>i * 4));
    }
  }
}

// dx[i] += dy[plane, indices[i]]: the forward's adjoint, a gather.
export function maxUnpool2dBackward(dx: usize, dy: usize, indices: usize, d: MaxUnpool2dDims): void {
  const inputs = d.inputs, outputs = d.outputs;
  for (let plane = d.start; plane < d.end; plane++) {
    const dyPlane = dy + <usize>(plane * outputs) * 4;
    for (let i = plane * inputs; i < (plane + 1) * inputs; i++) {
      const at = dx + <usize>i * 4;
      store<f32>(at, load<f32>(at) + load<f32>(dyPlane + <usize>load<i32>(indices + <usize>i * 4) * 4));
    }
  }
}
