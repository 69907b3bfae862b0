// TensorFlow.js 4.22 in the comparison, on its `cpu` (plain JS) and `wasm`
// (WebAssembly + SIMD; single-threaded under Node) backends.
//
// The same d2l LeNet, written with tfjs ops in NHWC: conv 1→6 k5 'same',
// sigmoid, avgPool 2/2, conv 6→16 k5 'valid', sigmoid, avgPool 2/2, flatten,
// dense 120 sigmoid, dense 84 sigmoid, dense 10; softmax cross-entropy (mean),
// SGD lr 0.9. It starts from torchlet's Glorot-uniform weights, transposed to
// tfjs's layouts (conv (K,C,kH,kW) → (kH,kW,C,K), dense (O,I) → (I,O), and fc1's
// rows permuted from NCHW to NHWC flatten order), so both compute the same
// function: the inference row's note gives the largest logit difference.
//
// What a backend cannot do is found by running it: a kernel that is not
// registered (stock tfjs-wasm has no Conv2DBackpropFilter) turns the row into
// "not supported" with tfjs's own message.

import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type * as TF from "@tensorflow/tfjs";
import { NotSupportedError, SkipError, type BenchCase } from "../lib/runner.js";
import { GROUPS, maxAbsDiff, type CompareContext, type LeNetWeights } from "./common.js";

type Tf = typeof TF;

export type TfBackend = "cpu" | "wasm";

let loading: Promise<Tf> | undefined;

/** Loads tfjs once (quietly: prod mode silences its "install tfjs-node" banner) and points the wasm backend at its .wasm files. */
export function loadTf(): Promise<Tf> {
  loading ??= (async () => {
    const mod = (await import("@tensorflow/tfjs")) as Tf & { default?: Tf };
    const tf = mod.default ?? mod;
    tf.enableProdMode();
    const wasm = (await import("@tensorflow/tfjs-backend-wasm")) as typeof import("@tensorflow/tfjs-backend-wasm") & { default?: typeof import("@tensorflow/tfjs-backend-wasm") };
    // Under Node the Emscripten loader reads the binary with fs from this prefix (a directory path ending in "/").
    const dist = join(dirname(createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist") + "/";
    (wasm.default ?? wasm).setWasmPaths(dist);
    return tf;
  })();
  return loading;
}

/** tfjs's package versions, for the JSON report. */
export async function tfVersions(): Promise<Record<string, string>> {
  try {
    const tf = await loadTf();
    const wasm = (await import("@tensorflow/tfjs-backend-wasm")) as { version_wasm?: string; default?: { version_wasm?: string } };
    return { ...(tf.version as Record<string, string>), "tfjs-backend-wasm": wasm.version_wasm ?? wasm.default?.version_wasm ?? "unknown" };
  } catch {
    return {};
  }
}

interface TfLenet {
  variables: TF.Variable[];
  forward(x: TF.Tensor4D): TF.Tensor2D;
}

function buildLenet(tf: Tf, weights: LeNetWeights): TfLenet {
  const t = weights.tensors;
  const get = (name: string) => {
    const w = t[name];
    if (!w) throw new Error(`missing weight ${name}`);
    return w;
  };
  const convFilter = (name: string): TF.Variable => {
    const { shape, data } = get(name);
    const [K, C, kH, kW] = shape as [number, number, number, number];
    return tf.variable(tf.tidy(() => tf.transpose(tf.tensor4d(data, [K, C, kH, kW]), [2, 3, 1, 0])));
  };
  const denseKernel = (name: string): TF.Variable => {
    const { shape, data } = get(name);
    return tf.variable(tf.tidy(() => tf.transpose(tf.tensor2d(data, [shape[0]!, shape[1]!]))));
  };
  const bias = (name: string): TF.Variable => tf.variable(tf.tensor1d(get(name).data));
  // fc1: torchlet flattens (16,5,5) as c·25 + h·5 + w; tfjs flattens (5,5,16) as (h·5 + w)·16 + c.
  const fc1 = get("8.weight");
  const [O, I] = fc1.shape as [number, number];
  const k1 = new Float32Array(I * O);
  for (let o = 0; o < O; o++) {
    for (let c = 0; c < 16; c++) {
      for (let hw = 0; hw < 25; hw++) k1[(hw * 16 + c) * O + o] = fc1.data[o * I + c * 25 + hw]!;
    }
  }
  const f1 = convFilter("1.weight"), b1 = bias("1.bias");
  const f2 = convFilter("4.weight"), b2 = bias("4.bias");
  const w1 = tf.variable(tf.tensor2d(k1, [I, O])), c1 = bias("8.bias");
  const w2 = denseKernel("10.weight"), c2 = bias("10.bias");
  const w3 = denseKernel("12.weight"), c3 = bias("12.bias");
  return {
    variables: [f1, b1, f2, b2, w1, c1, w2, c2, w3, c3],
    forward(x) {
      const n = x.shape[0];
      const a1 = tf.sigmoid(tf.add(tf.conv2d(x, f1 as TF.Tensor4D, 1, "same"), b1)) as TF.Tensor4D;
      const y1 = tf.avgPool(a1, 2, 2, "valid");
      const a2 = tf.sigmoid(tf.add(tf.conv2d(y1, f2 as TF.Tensor4D, 1, "valid"), b2)) as TF.Tensor4D;
      const y2 = tf.avgPool(a2, 2, 2, "valid");
      const h1 = tf.sigmoid(tf.add(tf.matMul(tf.reshape(y2, [n, 400]), w1), c1));
      const h2 = tf.sigmoid(tf.add(tf.matMul(h1, w2), c2));
      return tf.add(tf.matMul(h2, w3), c3) as TF.Tensor2D;
    },
  };
}

/** A missing kernel is something the backend cannot do, not a failure of the benchmark. */
function asNotSupported(error: unknown): unknown {
  const message = error instanceof Error ? error.message : String(error);
  return /not registered for backend|not yet implemented|is not supported/i.test(message) ? new NotSupportedError(message) : error;
}

async function useBackend(backend: TfBackend): Promise<Tf> {
  let tf: Tf;
  try {
    tf = await loadTf();
  } catch (error) {
    throw new SkipError(`cannot load @tensorflow/tfjs: ${(error as Error).message.split("\n")[0]}`);
  }
  const ok = await tf.setBackend(backend);
  await tf.ready();
  if (!ok || tf.getBackend() !== backend) throw new SkipError(`tfjs backend "${backend}" failed to initialise`);
  return tf;
}

/** The three compare cases on one tfjs backend. */
export function tfjsCases(ctx: CompareContext, backend: TfBackend): BenchCase[] {
  const B = ctx.batch;
  const slowTraining = backend === "cpu";
  // tfjs-cpu needs ~10 s per training step at batch 256: full mode times 3 steps after 1 warm-up,
  // --quick times the first step alone (cold) to stay within its 30 s.
  const trainIterations = ctx.quick ? 0 : 3;
  return [
    {
      group: GROUPS.train,
      name: `LeNet train step, batch ${B}`,
      examples: B,
      ...(slowTraining && !ctx.smoke
        ? {
          fixedIterations: trainIterations, maxWarmup: 0,
          note: trainIterations === 0 ? "one cold step, no warm-up (--quick): tfjs-cpu takes seconds per step" : `only ${trainIterations} timed steps after 1 warm-up: tfjs-cpu takes seconds per step`,
        }
        : {}),
      setup: async () => {
        const tf = await useBackend(backend);
        const model = buildLenet(tf, ctx.lenet.weights);
        const xs = ctx.batches.map((b) => tf.tensor4d(b.pixels, [B, 28, 28, 1]));
        const ys = ctx.batches.map((b) => tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(b.labels, "int32"), 10), "float32")));
        const optimizer = tf.train.sgd(0.9);
        let i = 0;
        return {
          run: () => {
            const k = i++ % xs.length;
            try {
              const cost = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(ys[k]!, model.forward(xs[k]!)) as TF.Scalar, true, model.variables);
              const loss = cost!.dataSync()[0];
              cost!.dispose();
              return loss;
            } catch (error) {
              throw asNotSupported(error);
            }
          },
          teardown: () => {
            tf.dispose([...xs, ...ys, ...model.variables]);
            optimizer.dispose();
          },
        };
      },
    },
    {
      group: GROUPS.infer,
      name: `LeNet inference, batch ${B}`,
      examples: B,
      setup: async () => {
        const tf = await useBackend(backend);
        const model = buildLenet(tf, ctx.lenet.weights);
        const x = tf.tensor4d(ctx.batches[0]!.pixels, [B, 28, 28, 1]);
        const infer = (): Float32Array => {
          try {
            const y = tf.tidy(() => model.forward(x));
            const values = y.dataSync() as Float32Array;
            y.dispose();
            return values;
          } catch (error) {
            throw asNotSupported(error);
          }
        };
        const diff = maxAbsDiff(infer(), ctx.lenet.referenceLogits);
        return {
          note: `max |Δlogit| vs torchlet ${diff.toExponential(1)}`,
          run: infer,
          teardown: () => tf.dispose([x, ...model.variables]),
        };
      },
    },
    {
      group: GROUPS.latency,
      name: "LeNet inference, batch 1",
      examples: 1,
      setup: async () => {
        const tf = await useBackend(backend);
        const model = buildLenet(tf, ctx.lenet.weights);
        const x = tf.tensor4d(ctx.one.pixels, [1, 28, 28, 1]);
        return {
          run: () => {
            try {
              const y = tf.tidy(() => model.forward(x));
              y.dataSync();
              y.dispose();
            } catch (error) {
              throw asNotSupported(error);
            }
          },
          teardown: () => tf.dispose([x, ...model.variables]),
        };
      },
    },
  ];
}
