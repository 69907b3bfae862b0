// The wasm backend copies ordinary arrays into scratch blocks of WebAssembly
// memory for each call. Those blocks must come back to the heap however the
// call ends: a kernel that traps or a scratch allocation that fails half-way
// must not leak what was already allocated, nor write half a result back.

import { beforeAll, describe, expect, it } from "vitest";
import { compileWasmKernels, createWasmBackend, instantiate, wasmSupported, type WasmRuntime } from "../../src/backend/wasm.js";
import type { Backend } from "../../src/backend/index.js";
import { conv2dDims, conv2dColsLength } from "../../src/ops/conv2d.js";
import { pool2dDims } from "../../src/ops/window.js";
import { TorchletError } from "../../src/errors.js";

describe.runIf(wasmSupported())("wasm scratch memory", () => {
  let runtime: WasmRuntime;
  let backend: Backend;
  beforeAll(() => {
    const module = compileWasmKernels({ shared: false });
    runtime = instantiate(module, { shared: false });
    backend = createWasmBackend(module, { shared: false }, runtime);
  });

  it("is all given back after a call that succeeds", () => {
    const before = runtime.heap.used;
    const d = conv2dDims([2, 1, 6, 6], [3, 1, 3, 3], [3]);
    const y = new Float32Array(2 * 3 * 4 * 4);
    backend.conv2dForward(y, new Float32Array(72).fill(1), new Float32Array(27).fill(1), new Float32Array(3), d, new Float32Array(conv2dColsLength(d)));
    expect(y[0]).toBe(9); // a 3×3 window of ones
    expect(runtime.heap.used).toBe(before);
  });

  it("is all given back when the kernel traps, and the output is left untouched", () => {
    const before = runtime.heap.used;
    const dx = new Float32Array([1, 2, 3, 4]);
    // An argmax far outside memory: the scatter dx[plane, argmax[i]] += dy[i] traps (out of bounds).
    // The raw backend, unlike the checked kernel, does not look at argmax first.
    const argmax = Int32Array.of(2 ** 29);
    expect(() => backend.maxPool2dBackward(dx, Float32Array.of(1), argmax, pool2dDims("maxPool2d", [1, 1, 2, 2], 2, {}))).toThrow(WebAssembly.RuntimeError);
    expect(runtime.heap.used).toBe(before);
    expect([...dx]).toEqual([1, 2, 3, 4]);
  });

  it("is all given back when a scratch block cannot be allocated half-way through the call", () => {
    const before = runtime.heap.used;
    // x and w are copied in first; then the columns scratch (C·kH·kW·P·Q floats = 4 GiB) cannot fit in 2 GiB.
    const d = { N: 1, C: 1, H: 1, W: 1, K: 1, groups: 1, kH: 1, kW: 1, strideH: 1, strideW: 1, padH: 0, padW: 0, dilationH: 1, dilationW: 1, P: 2 ** 15, Q: 2 ** 15 };
    const y = new Float32Array(4);
    expect(() => backend.conv2dForward(y, new Float32Array(4), new Float32Array(1), null, d, new Float32Array(1))).toThrow(TorchletError);
    expect(() => backend.conv2dForward(y, new Float32Array(4), new Float32Array(1), null, d, new Float32Array(1))).toThrow(/out of WebAssembly memory/);
    expect(runtime.heap.used).toBe(before);
  });
});
