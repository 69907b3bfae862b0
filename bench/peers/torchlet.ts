// torchlet in the comparison: the same three cases as every peer, for each
// compared network (d2l's LeNet and lenet-modern), run the two ways torchlet
// trains: eager (trainStep / noGrad forward, autograd) and through an nn.Plan
// (buffers laid out once; what the CLI uses).

import { noGrad, optim, trainStep } from "../../src/index.js";
import type { Sequential } from "../../src/nn/layers.js";
import { lenetPlan, seededModel } from "../cases/e2e.js";
import type { BenchCase } from "../lib/runner.js";
import { GROUPS, comparedModels, maxAbsDiff, type ComparedModel, type CompareContext } from "./common.js";

export type TorchletMode = "eager" | "plan";

export function torchletCases(ctx: CompareContext, mode: TorchletMode): BenchCase[] {
  return comparedModels(ctx).flatMap((m) => (mode === "eager" ? eagerCases(ctx, m) : planCases(ctx, m)));
}

/** The model's training optimizer over net's parameters (PyTorch's peer builds the same one). */
function optimizerFor(m: ComparedModel, net: Sequential): optim.Optimizer {
  return m.optimizer.name === "sgd" ? new optim.SGD(net.parameters(), { lr: m.optimizer.lr }) : new optim.Adam(net.parameters(), { lr: m.optimizer.lr });
}

function eagerCases(ctx: CompareContext, m: ComparedModel): BenchCase[] {
  const B = ctx.batch;
  return [
    {
      group: GROUPS.train,
      name: `${m.label} train step, batch ${B}`,
      examples: B,
      setup: () => {
        const net = seededModel(m.model);
        const optimizer = optimizerFor(m, net);
        let i = 0;
        return {
          run: () => {
            const b = ctx.batches[i++ % ctx.batches.length]!;
            return trainStep(net, optimizer, b.x, b.labels).loss;
          },
        };
      },
    },
    {
      group: GROUPS.infer,
      name: `${m.label} inference, batch ${B}`,
      examples: B,
      setup: () => {
        const net = seededModel(m.model).eval();
        const x = ctx.batches[0]!.x;
        const diff = maxAbsDiff(noGrad(() => net.forward(x)).data, m.referenceLogits);
        return { note: `${ctx.dataNote}; max |Δlogit| vs torchlet-ts ${diff.toExponential(1)}`, run: () => noGrad(() => net.forward(x)) };
      },
    },
    {
      group: GROUPS.latency,
      name: `${m.label} inference, batch 1`,
      examples: 1,
      setup: () => {
        const net = seededModel(m.model).eval();
        return { run: () => noGrad(() => net.forward(ctx.one.x)) };
      },
    },
  ];
}

function planCases(ctx: CompareContext, m: ComparedModel): BenchCase[] {
  const B = ctx.batch;
  return [
    {
      group: GROUPS.train,
      name: `${m.label} train step, batch ${B}`,
      examples: B,
      setup: () => {
        const net = seededModel(m.model);
        const optimizer = optimizerFor(m, net);
        const plan = lenetPlan(net, B);
        let i = 0;
        return {
          note: "batch copied into plan.input inside the step",
          run: () => {
            const b = ctx.batches[i++ % ctx.batches.length]!;
            plan.input.set(b.pixels);
            plan.labels.set(b.labels);
            return plan.trainStep(optimizer, B).loss;
          },
          teardown: () => plan.dispose(),
        };
      },
    },
    {
      group: GROUPS.infer,
      name: `${m.label} inference, batch ${B}`,
      examples: B,
      setup: () => {
        const plan = lenetPlan(seededModel(m.model), B);
        plan.input.set(ctx.batches[0]!.pixels);
        const diff = maxAbsDiff(plan.predict(B), m.referenceLogits);
        return { note: `max |Δlogit| vs torchlet-ts ${diff.toExponential(1)}`, run: () => plan.predict(B), teardown: () => plan.dispose() };
      },
    },
    {
      group: GROUPS.latency,
      name: `${m.label} inference, batch 1`,
      examples: 1,
      setup: () => {
        const plan = lenetPlan(seededModel(m.model), 1);
        plan.input.set(ctx.one.pixels);
        return { run: () => plan.predict(1), teardown: () => plan.dispose() };
      },
    },
  ];
}
