// torchlet in the comparison: the same three cases as every peer, run the two
// ways torchlet trains: eager (trainStep / noGrad forward, autograd) and
// through an nn.Plan (buffers laid out once; what the CLI uses).

import { noGrad, optim, trainStep } from "../../src/index.js";
import { lenetPlan, seededLenet } from "../cases/e2e.js";
import type { BenchCase } from "../lib/runner.js";
import { GROUPS, maxAbsDiff, type CompareContext } from "./common.js";

export type TorchletMode = "eager" | "plan";

export function torchletCases(ctx: CompareContext, mode: TorchletMode): BenchCase[] {
  return mode === "eager" ? eagerCases(ctx) : planCases(ctx);
}

function eagerCases(ctx: CompareContext): BenchCase[] {
  const B = ctx.batch;
  return [
    {
      group: GROUPS.train,
      name: `LeNet train step, batch ${B}`,
      examples: B,
      setup: () => {
        const net = seededLenet();
        const optimizer = new optim.SGD(net.parameters(), { lr: 0.9 });
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
      name: `LeNet inference, batch ${B}`,
      examples: B,
      setup: () => {
        const net = seededLenet().eval();
        const x = ctx.batches[0]!.x;
        const diff = maxAbsDiff(noGrad(() => net.forward(x)).data, ctx.referenceLogits);
        return { note: `${ctx.dataNote}; max |Δlogit| vs torchlet-ts ${diff.toExponential(1)}`, run: () => noGrad(() => net.forward(x)) };
      },
    },
    {
      group: GROUPS.latency,
      name: "LeNet inference, batch 1",
      examples: 1,
      setup: () => {
        const net = seededLenet().eval();
        return { run: () => noGrad(() => net.forward(ctx.one.x)) };
      },
    },
  ];
}

function planCases(ctx: CompareContext): BenchCase[] {
  const B = ctx.batch;
  return [
    {
      group: GROUPS.train,
      name: `LeNet train step, batch ${B}`,
      examples: B,
      setup: () => {
        const net = seededLenet();
        const optimizer = new optim.SGD(net.parameters(), { lr: 0.9 });
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
      name: `LeNet inference, batch ${B}`,
      examples: B,
      setup: () => {
        const plan = lenetPlan(seededLenet(), B);
        plan.input.set(ctx.batches[0]!.pixels);
        const diff = maxAbsDiff(plan.predict(B), ctx.referenceLogits);
        return { note: `max |Δlogit| vs torchlet-ts ${diff.toExponential(1)}`, run: () => plan.predict(B), teardown: () => plan.dispose() };
      },
    },
    {
      group: GROUPS.latency,
      name: "LeNet inference, batch 1",
      examples: 1,
      setup: () => {
        const plan = lenetPlan(seededLenet(), 1);
        plan.input.set(ctx.one.pixels);
        return { run: () => plan.predict(1), teardown: () => plan.dispose() };
      },
    },
  ];
}
