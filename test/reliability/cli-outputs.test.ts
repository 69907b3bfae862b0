// The files `torchlet train` writes: checked before the first step (a bad
// path must not cost a finished run), never two outputs in one file however
// the paths are spelled, special files refused and left alone, an existing
// file's permissions kept, a symbolic link followed to the file it names.

import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { deserialize } from "../../src/io/safetensors.js";
import { tinyMnistWorkspace, start } from "./helpers.js";

const { work, data } = tinyMnistWorkspace("cli-outputs", 64, 16);

const train = (dir: string, ...args: string[]) => start(["train", "--data", data, "--epochs", "1", "--batch-size", "64", "--threads", "1", ...args], dir).done;
const fresh = () => mkdtempSync(join(work, "run-"));
const noStack = (stderr: string) => expect(stderr).not.toMatch(/\n\s+at /);

describe("two outputs naming the same file are refused before training (exit 2)", () => {
  const cases: [string, (dir: string) => string[], string][] = [
    ["--out and --plot, same spelling", () => ["--out", "s.safetensors", "--plot", "s.safetensors"], "--out and --plot name the same file (s.safetensors)"],
    ["--out ./x.st and --checkpoint x.st", () => ["--out", "./x.st", "--checkpoint", "x.st"], "--out and --checkpoint name the same file (./x.st and x.st)"],
    ["an absolute and a relative spelling", (dir) => ["--out", join(dir, "w.st"), "--plot", "w.st"], "--out and --plot name the same file"],
    ["a symbolic link to the other output", () => ["--out", "w.st", "--checkpoint", "link.st"], "--out and --checkpoint name the same file (w.st and link.st)"],
    ["--out over the checkpoint being resumed", () => ["--out", "ck.st", "--resume", "ck.st"], "--out and --resume name the same file (ck.st)"],
    ["--plot over --resume when --checkpoint is elsewhere", () => ["--plot", "./ck.st", "--resume", "ck.st", "--checkpoint", "other.st"], "--plot and --resume name the same file (./ck.st and ck.st)"],
  ];
  it.concurrent.each(cases)("%s", async (_, args, message) => {
    const dir = fresh();
    writeFileSync(join(dir, "w.st"), "earlier weights");
    symlinkSync("w.st", join(dir, "link.st"));
    const r = await train(dir, ...args(dir));
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.split("\n")[0]).toContain(`torchlet: ${message}`);
    expect(r.stdout).toBe("");
    expect(readFileSync(join(dir, "w.st"), "utf8")).toBe("earlier weights");
    expect(readdirSync(dir).sort()).toEqual(["link.st", "w.st"]);
  });
});

describe("every output path is checked before the first step (exit 1, naming the flag and the path)", () => {
  const cases: [string[], RegExp][] = [
    [["--out", "nodir/x"], /^torchlet: --out nodir\/x: could not write: its directory nodir does not exist$/],
    [["--out", "file/x"], /^torchlet: --out file\/x: could not write: its directory file is a regular file, not a directory$/],
    [["--out", "."], /^torchlet: --out \.: could not write: it is a directory; torchlet writes only regular files$/],
    [["--out", "/proc/x"], /^torchlet: --out \/proc\/x: could not write: cannot create files in \/proc \(\w+\)$/],
    [["--out", "fifo"], /^torchlet: --out fifo: could not write: it is a FIFO \(named pipe\); torchlet writes only regular files$/],
    [["--plot", "nodir/p.svg"], /^torchlet: --plot nodir\/p\.svg: could not write: its directory nodir does not exist$/],
    [["--checkpoint", "nodir/x.ckpt"], /^torchlet: --checkpoint nodir\/x\.ckpt: could not write: its directory nodir does not exist$/],
    [["--out", "w.st", "--checkpoint", "fifo"], /^torchlet: --checkpoint fifo: could not write: it is a FIFO/],
  ];
  const here = cases.filter(([args]) => !args.includes("/proc/x") || existsSync("/proc/self")); // /proc: Linux only
  it.concurrent.each(here)("train %j", async (args, pattern) => {
    const dir = fresh();
    writeFileSync(join(dir, "file"), "a file");
    execFileSync("mkfifo", [join(dir, "fifo")]);
    const r = await train(dir, ...args);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr.trimEnd()).toMatch(pattern);
    expect(r.stdout).toBe(""); // no "training ..." line, no epoch: it stopped before the first step
    noStack(r.stderr);
    expect(lstatSync(join(dir, "fifo")).isFIFO()).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(["fifo", "file"]);
  });
});

describe("what an output replaces", () => {
  it("keeps an existing file's permissions (600 stays 600) and follows a symbolic link to its target", async () => {
    const dir = fresh();
    writeFileSync(join(dir, "w.st"), "old");
    chmodSync(join(dir, "w.st"), 0o600);
    mkdirSync(join(dir, "runs"));
    writeFileSync(join(dir, "runs", "plot.svg"), "old plot");
    symlinkSync(join("runs", "plot.svg"), join(dir, "latest.svg"));
    const r = await train(dir, "--out", "w.st", "--plot", "latest.svg");
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(join(dir, "w.st")).mode & 0o777).toBe(0o600);
    expect(deserialize(readFileSync(join(dir, "w.st"))).metadata.model).toBe("lenet");
    expect(lstatSync(join(dir, "latest.svg")).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, "runs", "plot.svg"), "utf8")).toContain("<svg");
    expect(readdirSync(dir).sort()).toEqual(["latest.svg", "runs", "w.st"]);
  });
});
