// The WebAssembly kernels read their dims from a struct the wrapper writes
// (src/backend/wasm-dims.ts). The two sides must agree on the order of the
// fields: this reads the `@unmanaged` classes in src/wasm (base class fields
// first, as AssemblyScript lays them out) and compares them with the lists.

import { readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ACTIVATION_POOL2D_DIMS, RELU_POOL2D_DIMS, ADAPTIVE_AVGPOOL2D_DIMS, MAXUNPOOL2D_DIMS, PAD2D_DIMS } from "../../src/backend/wasm-dims.js";
import { AXIS_DIMS, LOSS_DIMS, REDUCE_DIMS, CONV2D_DIMS, DIMS_BLOCK_BYTES, GEMM_DIMS, LINEAR_DIMS, POOL2D_DIMS, SOFTMAX_DIMS, WINDOW_DIMS } from "../../src/backend/wasm-dims.js";
import { BATCHNORM_DIMS } from "../../src/backend/wasm-dims.js";

const WASM = new URL("../../src/wasm/", import.meta.url);

/** The fields of `@unmanaged class name` in src/wasm/file, its base class's first. */
function classFields(file: string, name: string): { name: string; type: string }[] {
  const source = readFileSync(new URL(file, WASM), "utf8");
  const match = new RegExp(`@unmanaged\\s+export class ${name}(?: extends (\\w+))? \\{([^}]*)\\}`).exec(source);
  if (match === null) throw new Error(`no @unmanaged class ${name} in src/wasm/${file}`);
  const own = [...match[2]!.matchAll(/^\s*(\w+): (\w+);/gm)].map((m) => ({ name: m[1]!, type: m[2]! }));
  const base = match[1] === undefined ? [] : classFields(fileOf(match[1]), match[1]);
  return [...base, ...own];
}

/** The file in src/wasm that declares `@unmanaged export class name`. */
function fileOf(name: string): string {
  const file = readdirSync(WASM).find((f) => f.endsWith(".ts") && readFileSync(new URL(f, WASM), "utf8").includes(`export class ${name} `));
  if (file === undefined) throw new Error(`no file in src/wasm declares class ${name}`);
  return file;
}

describe("dims structs shared by src/backend/wasm-dims.ts and src/wasm", () => {
  const structs = [
    { file: "window.ts", name: "WindowDims", layout: WINDOW_DIMS },
    { file: "conv2d.ts", name: "Conv2dDims", layout: CONV2D_DIMS },
    { file: "window.ts", name: "Pool2dDims", layout: POOL2D_DIMS },
    { file: "avgpool2d.ts", name: "ActivationPool2dDims", layout: ACTIVATION_POOL2D_DIMS },
    { file: "maxpool2d.ts", name: "ReluPool2dDims", layout: RELU_POOL2D_DIMS },
    { file: "gemm.ts", name: "GemmDims", layout: GEMM_DIMS },
    { file: "linear.ts", name: "LinearDims", layout: LINEAR_DIMS },
    { file: "softmax.ts", name: "SoftmaxDims", layout: SOFTMAX_DIMS },
    { file: "pad2d.ts", name: "Pad2dDims", layout: PAD2D_DIMS },
    { file: "maxunpool2d.ts", name: "MaxUnpool2dDims", layout: MAXUNPOOL2D_DIMS },
    { file: "adaptive-avgpool2d.ts", name: "AdaptiveAvgPool2dDims", layout: ADAPTIVE_AVGPOOL2D_DIMS },
    { file: "axis.ts", name: "AxisDims", layout: AXIS_DIMS },
    { file: "reduce.ts", name: "ReduceDims", layout: REDUCE_DIMS },
    { file: "loss-reduction.ts", name: "LossDims", layout: LOSS_DIMS },
    { file: "batchnorm.ts", name: "BatchNormDims", layout: BATCHNORM_DIMS },
  ];

  it.each(structs)("$name lists the fields of its AssemblyScript class in order", ({ file, name, layout }) => {
    const fields = classFields(file, name);
    expect(fields.map((f) => f.name)).toEqual([...layout]);
    // Every field is 4 bytes (i32, or usize in wasm32), so field i sits at byte 4·i.
    expect(fields.filter((f) => f.type !== "i32" && f.type !== "usize")).toEqual([]);
    expect(layout.length * 4).toBeLessThanOrEqual(DIMS_BLOCK_BYTES);
  });

  it("reads a base class's fields first (Conv2dDims extends WindowDims), wherever the base is declared", () => {
    expect(classFields("conv2d.ts", "Conv2dDims").slice(0, WINDOW_DIMS.length).map((f) => f.name)).toEqual([...WINDOW_DIMS]);
    expect(() => classFields("conv2d.ts", "NoSuchDims")).toThrow(/no @unmanaged class NoSuchDims/);
  });
});
