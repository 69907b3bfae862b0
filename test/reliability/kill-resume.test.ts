// Checkpoints tested the hard way: start `torchlet train` with a checkpoint
// after every batch, SIGKILL it at random moments (and right as a checkpoint
// is being written), resume, and repeat until the run completes. The final
// weights must be bitwise identical to an uninterrupted run with the same
// seed, and the checkpoint file must parse every time anyone looks at it.

import { existsSync, mkdtempSync, readdirSync, readFileSync, watch } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readCheckpoint } from "../../src/io/checkpoint.js";
import { deserialize } from "../../src/io/safetensors.js";
import { Generator } from "../../src/tensor/random.js";
import { tinyMnistWorkspace, start, torchlet } from "./helpers.js";

const { work, data } = tinyMnistWorkspace("kill", 768, 64);

// 768 examples in batches of 16: 48 steps per epoch, 96 in all, a checkpoint after each.
const recipe = (seed: number) => ["train", "--data", data, "--model", "lenet-modern", "--optimizer", "adam", "--lr", "0.003", "--batch-size", "16", "--epochs", "2", "--seed", String(seed), "--threads", "1", "--json"];

/** Parses the checkpoint if there is one; throws (failing the test) if it is torn. */
function inspect(path: string): { epoch: number; batch: number } | null {
  if (!existsSync(path)) return null;
  const ck = readCheckpoint(readFileSync(path), path);
  return { epoch: ck.epoch, batch: ck.batch };
}

describe("kill -9 and resume", () => {
  it("ends with the same bits as an uninterrupted run, and the checkpoint is never torn", async () => {
    const dir = mkdtempSync(join(work, "run-"));
    const seed = 11;
    const t0 = performance.now();
    const reference = torchlet([...recipe(seed), "--out", "reference.safetensors"], dir);
    const referenceMs = performance.now() - t0;
    expect(reference.code, reference.stderr).toBe(0);

    const checkpoint = join(dir, "ck.safetensors");
    // When to kill is random on every run (KILL_SEED=n replays one; it is printed below).
    const killSeed = Number(process.env.KILL_SEED ?? Date.now() % 1e9);
    const g = new Generator(killSeed);
    let kills = 0, killsDuringWrite = 0, looks = 0, attempts = 0;
    const positions: string[] = [];
    for (;;) {
      attempts++;
      expect(attempts, "the run should complete within 200 attempts").toBeLessThan(200);
      const resume = existsSync(checkpoint) ? ["--resume", checkpoint] : [];
      const { child, done } = start([...recipe(seed), "--checkpoint", checkpoint, "--checkpoint-every", "1", "--out", "final.safetensors", ...resume], dir);
      // Keep reading the checkpoint while the child writes it: every read must parse.
      const poll = setInterval(() => {
        looks++;
        inspect(checkpoint);
      }, 3);
      // Every other attempt, kill as the k-th checkpoint of this process is being written (k ≥ 2, so
      // each attempt gets somewhere); otherwise at a random moment once training has begun.
      const byWrite = attempts % 2 === 0;
      const nth = 2 + g.randint(6);
      const delay = g.uniform() * referenceMs * 0.5;
      let seen = 0;
      let timer: NodeJS.Timeout | undefined;
      const watcher = watch(dir, (_, name) => {
        if (!name || !name.endsWith(".tmp")) return;
        seen++;
        if (byWrite && seen === nth) child.kill("SIGKILL");
        if (!byWrite && seen === 1) timer = setTimeout(() => child.kill("SIGKILL"), delay);
      });
      const early = attempts === 1 ? setTimeout(() => child.kill("SIGKILL"), 20 + g.uniform() * 60) : undefined; // likely before any checkpoint exists
      const run = await done;
      clearInterval(poll);
      watcher.close();
      clearTimeout(timer);
      clearTimeout(early);
      if (run.signal === "SIGKILL") {
        kills++;
        if (readdirSync(dir).some((f) => f.endsWith(".tmp"))) killsDuringWrite++;
        const at = inspect(checkpoint); // between kills: the file on disk parses
        positions.push(at === null ? "none" : `${at.epoch}:${at.batch}`);
        continue;
      }
      expect(run.code, run.stderr).toBe(0);
      break;
    }
    // The interrupted-and-resumed run and the uninterrupted one wrote the same bytes.
    expect(readFileSync(join(dir, "final.safetensors")).equals(readFileSync(join(dir, "reference.safetensors")))).toBe(true);
    // ... and the same per-epoch figures (timings aside).
    const strip = (r: Record<string, number>) => ({ epoch: r.epoch, loss: r.loss, trainAcc: r.trainAcc, testAcc: r.testAcc });
    const referenceRecords = reference.stdout.trim().split("\n").map((l) => strip(JSON.parse(l)));
    expect((readCheckpoint(readFileSync(checkpoint)).records as Record<string, number>[]).map(strip)).toEqual(referenceRecords);
    // Temporary files of killed writes are cleaned up by the runs that follow.
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    expect(kills).toBeGreaterThanOrEqual(3);
    expect(looks).toBeGreaterThan(0);
    console.log(`kill-resume (KILL_SEED=${killSeed}): ${kills} kills (${killsDuringWrite} left a half-written temporary file), ${looks} reads of the live checkpoint, positions ${positions.join(" ")}`);
    expect(deserialize(readFileSync(join(dir, "final.safetensors"))).metadata.model).toBe("lenet-modern");
  }, 120_000);
});
