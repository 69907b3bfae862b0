// nn.Conv2d's PyTorch options (issue 13): paddingMode is F.pad in that mode then
// a conv with padding 0 (checked against the functional composition and by a float64
// gradcheck), weights shaped (K, C/groups, kH, kW) and initialised with fan_in =
// C/groups·kH·kW, state-dict names unchanged, unbatched input, a Plan trains it
// exactly as eager does, and errors for options that do not fit.

import { describe, expect, it } from "vitest";
import { Conv2d, Flatten, Linear, Sequential } from "../../src/nn/layers.js";
import { Plan } from "../../src/nn/plan.js";
import { SGD } from "../../src/nn/optim.js";
import { trainStep } from "../../src/lenet/train.js";
import { conv2d } from "../../src/ops/conv2d.js";
import { pad2d } from "../../src/ops/pad2d.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { Generator } from "../../src/tensor/random.js";
import { checkGradients } from "../helpers/gradcheck.js";
import { expectError } from "../helpers/errors.js";
import { conv2dRef, padRef } from "../helpers/reference.js";
import { f32, randn64, rng } from "../helpers/random.js";

type Mode = "reflect" | "replicate" | "circular";

describe("Conv2d paddingMode", () => {
  const cases: [Mode, number | [number, number] | "same", number][] = [
    ["reflect", [1, 2], 1],
    ["replicate", 2, 2],
    ["circular", "same", 1],
    ["reflect", "same", 2],
  ];
  it.each(cases)("%s, padding %j, groups %i: the layer is pad2d in that mode, then conv2d with padding 0", (mode, padding, groups) => {
    const layer = new Conv2d(2, 4, [3, 4], { padding, groups, paddingMode: mode, dilation: [1, 2], generator: new Generator(3) });
    // PyTorch's split: [p, p] each side, or for "same" ⌊total/2⌋ before and the rest after
    const split = (total: number): [number, number] => [Math.floor(total / 2), total - Math.floor(total / 2)];
    const [top, bottom] = padding === "same" ? split(2) : [0, 1].map(() => (Array.isArray(padding) ? padding[0] : padding));
    const [left, right] = padding === "same" ? split(6) : [0, 1].map(() => (Array.isArray(padding) ? padding[1] : padding));
    const x = new Tensor(f32(randn64(rng(5), 2 * 2 * 6 * 7)), [2, 2, 6, 7], { requiresGrad: true });
    const y = layer.forward(x);
    const w = new Tensor(Float32Array.from(layer.weight.data), layer.weight.shape, { requiresGrad: true });
    const b = new Tensor(Float32Array.from(layer.bias!.data), [4], { requiresGrad: true });
    const x2 = new Tensor(Float32Array.from(x.data), x.shape, { requiresGrad: true });
    const expected = conv2d(pad2d(x2, [left!, right!, top!, bottom!], { mode }), w, b, { groups, dilation: [1, 2] });
    expect(y.shape).toEqual(expected.shape);
    expect(Array.from(y.data)).toEqual(Array.from(expected.data));
    const dy = new Tensor(f32(randn64(rng(6), y.numel)), y.shape);
    y.backward(dy);
    expected.backward(dy);
    for (const [a, e] of [[x.grad, x2.grad], [layer.weight.grad, w.grad], [layer.bias!.grad, b.grad]] as const) expect(Array.from(a!.data)).toEqual(Array.from(e!.data));
  });

  // The layer is that composition bit for bit (above), so checking the composition checks the layer's gradients.
  it.each(["reflect", "replicate", "circular"] as const)("%s: float64 gradcheck of x, w and b through pad2d + conv2d", (mode) => {
    const r = rng(mode.length);
    const xShape = [2, 2, 4, 5], wShape = [2, 1, 3, 2];
    const pads = [2, 2, 1, 1] as const; // [left, right, top, bottom]: Conv2d's padding [1, 2]
    checkGradients({
      inputs: [
        { name: "x", data: randn64(r, 80), shape: xShape },
        { name: "w", data: randn64(r, 12), shape: wShape },
        { name: "b", data: randn64(r, 2), shape: [2] },
      ],
      reference: ([x, w, b]) => {
        const xp = padRef(x!, xShape, pads, mode);
        return conv2dRef(xp.data, xp.shape, w!, wShape, b!, [1, 1], [0, 0], { groups: 2 }).data;
      },
      op: ([x, w, b]) => conv2d(pad2d(x!, pads, { mode }), w!, b!, { groups: 2 }),
      generator: r,
    });
  });

  it("reflect padding as large as the input is refused when the input's size is known", () => {
    const layer = new Conv2d(1, 1, 3, { padding: 3, paddingMode: "reflect" });
    expectError(() => layer.forward(new Tensor(new Float32Array(9), [1, 1, 3, 3])), "INVALID_ARGUMENT", ["conv2d: reflect padding top 3 must be smaller than the input's height 3"]);
  });
});

describe("Conv2d groups, dilation and unbatched input", () => {
  it("weight (K, C/groups, kH, kW), PyTorch's init bound 1/√(C/groups·kH·kW), names weight and bias", () => {
    const layer = new Conv2d(8, 16, 3, { groups: 4, generator: new Generator(2) });
    expect(layer.weight.shape).toEqual([16, 2, 3, 3]);
    expect(layer.namedParameters().map(([name]) => name)).toEqual(["weight", "bias"]);
    const bound = 1 / Math.sqrt(2 * 3 * 3);
    for (const t of [layer.weight, layer.bias!]) {
      const largest = Math.max(...Array.from(t.data, Math.abs));
      expect(largest).toBeLessThanOrEqual(bound);
      expect(largest).toBeGreaterThan(0.7 * bound);
    }
  });

  it("forward equals conv2d with the same options; unbatched (C, H, W) gives (K, P, Q)", () => {
    const layer = new Conv2d(4, 6, [2, 3], { padding: "same", dilation: 2, groups: 2, generator: new Generator(9) });
    const x = new Tensor(f32(randn64(rng(3), 4 * 5 * 6)), [4, 5, 6]);
    const y = layer.forward(x);
    expect(y.shape).toEqual([6, 5, 6]);
    expect(Array.from(y.data)).toEqual(Array.from(conv2d(x, layer.weight, layer.bias, { padding: "same", dilation: 2, groups: 2 }).data));
    expect(layer.toString()).toBe("Conv2d(4, 6, kernelSize=[2, 3], stride=[1, 1], padding=same, dilation=[2, 2], groups=2)");
    expect(new Conv2d(3, 3, 3, { padding: "valid", groups: 3, bias: false, paddingMode: "circular" }).toString())
      .toBe("Conv2d(3, 3, kernelSize=[3, 3], stride=[1, 1], padding=[0, 0], groups=3, bias=false, paddingMode=circular)");
  });

  it("a Plan trains depthwise, dilated, reflect-padded convolutions exactly as eager does", () => {
    const make = () => {
      const g = new Generator(7);
      return new Sequential(
        new Conv2d(1, 4, 3, { padding: "same", paddingMode: "reflect", generator: g }),
        new Conv2d(4, 4, 3, { groups: 4, dilation: 2, padding: 2, paddingMode: "circular", generator: g }),
        new Conv2d(4, 2, 2, { stride: 2, groups: 2, generator: g }), new Flatten(), new Linear(2 * 4 * 4, 10, { generator: g }),
      );
    };
    const eagerNet = make(), planNet = make();
    const eagerOpt = new SGD(eagerNet.parameters(), { lr: 0.05 }), planOpt = new SGD(planNet.parameters(), { lr: 0.05 });
    const plan = new Plan(planNet, { batchSize: 4, sampleShape: [1, 8, 8] });
    for (let s = 0; s < 3; s++) {
      const x = f32(randn64(rng(s), 4 * 64)), labels = Int32Array.from([s, 1, 2, 9]);
      const eager = trainStep(eagerNet, eagerOpt, new Tensor(x, [4, 1, 8, 8]), labels);
      plan.input.set(x);
      plan.labels.set(labels);
      expect(plan.trainStep(planOpt)).toEqual(eager);
    }
    planNet.parameters().forEach((p, i) => expect(Array.from(p.data)).toEqual(Array.from(eagerNet.parameters()[i]!.data)));
  });

  it("errors: groups that do not divide the channels, \"same\" with a stride, an unknown paddingMode", () => {
    expectError(() => new Conv2d(6, 4, 3, { groups: 4 }), "INVALID_ARGUMENT", ["Conv2d: inChannels 6 and outChannels 4 must both be divisible by groups 4"]);
    expectError(() => new Conv2d(4, 6, 3, { groups: 4 }), "INVALID_ARGUMENT", ["divisible by groups 4"]);
    expectError(() => new Conv2d(4, 4, 3, { groups: 0 }), "INVALID_ARGUMENT", ["Conv2d: groups must be an integer ≥ 1, got 0"]);
    expectError(() => new Conv2d(1, 1, 3, { padding: "same", stride: 2 }), "INVALID_ARGUMENT", ['Conv2d: padding "same" needs stride 1']);
    expectError(() => new Conv2d(1, 1, 3, { paddingMode: "reflection" as "reflect" }), "INVALID_ARGUMENT", ['Conv2d: paddingMode must be one of "zeros", "reflect", "replicate", "circular", got "reflection"; did you mean "reflect"?']);
    expectError(() => new Conv2d(1, 1, 3, { dilation: 0 }), "INVALID_ARGUMENT", ["Conv2d: dilation must be an integer ≥ 1, got 0"]);
  });
});
