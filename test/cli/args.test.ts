// The command line, in-process: numbers are decimal only (JavaScript's Number
// would take "0x10", "0b1", " 2" or "Infinity"), and help answers for every
// command however it is asked for.

import { describe, expect, it } from "vitest";
import { parseFlags, UsageError, type CommandSpec } from "../../src/cli/args.js";
import { COMMANDS, run } from "../../src/cli/main.js";

const spec: CommandSpec = {
  summary: "test",
  flags: { epochs: { type: "int", min: 1, help: "" }, lr: { type: "number", min: 0, minExclusive: true, help: "" }, help: { type: "boolean", help: "" } },
  positionals: ["input"],
};
const parse = (...argv: string[]) => parseFlags("t", [...argv, "x"], spec).flags;

function usageError(argv: string[]): string {
  try {
    parseFlags("t", [...argv, "x"], spec);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`${JSON.stringify(argv)} was accepted`);
}

describe("integer flags take decimal digits only", () => {
  it.each(["0x10", "0b1", "0o7", "1e0", " 2", "2 ", "+3", "1.0", "", "1_000", "٣"])("--epochs %j is refused, naming the flag and the value", (raw) => {
    expect(usageError(["--epochs", raw])).toBe(`--epochs must be an integer; got ${JSON.stringify(raw)}`);
  });
  it("--epochs 16 and --epochs=007 are read as decimal", () => {
    expect(parse("--epochs", "16").epochs).toBe(16);
    expect(parse("--epochs=007").epochs).toBe(7);
  });
  it("a negative integer gets the range error, not a syntax error", () => {
    expect(usageError(["--epochs", "-1"])).toBe("--epochs must be ≥ 1; got -1");
  });
});

describe("number flags take decimals with an optional exponent", () => {
  it.each([["1e-3", 1e-3], ["0.5", 0.5], [".5", 0.5], ["5.", 5], ["2E+1", 20], ["3", 3]] as const)("--lr %s is %d", (raw, value) => {
    expect(parse("--lr", raw).lr).toBe(value);
  });
  it.each(["0x1", " 1", "1 ", "Infinity", "-Infinity", "NaN", "1e", "e3", "+1", "1,5", "0b1", "1e1000"])("--lr %j is refused, naming the flag and the value", (raw) => {
    expect(usageError(["--lr", raw])).toBe(`--lr must be a number; got ${JSON.stringify(raw)}`);
  });
});

async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "", err = "";
  const code = await run(argv, { out: { write: (s: string) => (out += s) }, err: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

describe("help for every command", () => {
  it.each(Object.keys(COMMANDS))("`torchlet %s --help`, `-h` and `torchlet help %s` print its usage, exit 0", async (command) => {
    const usage = await capture([command, "--help"]);
    expect(usage.code, usage.err).toBe(0);
    expect(usage.out).toMatch(new RegExp(`^Usage: torchlet ${command} \\[options\\]`));
    expect(usage.err).toBe("");
    expect(await capture([command, "-h"])).toEqual(usage);
    expect(await capture(["help", command])).toEqual(usage);
  });

  it("predict --help answers although <index-or-image> is missing", async () => {
    const r = await capture(["predict", "--help"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("Usage: torchlet predict [options] <index-or-image>");
    expect(r.out).toContain("--allow-nonfinite");
  });

  it("--model's help names the built-in networks and the module form, in every command that takes it", async () => {
    for (const command of ["train", "eval", "predict", "summary"]) {
      const usage = (await capture([command, "--help"])).out;
      expect(usage, command).toContain("--model lenet|lenet-modern|FILE.mjs");
      expect(usage, command).toContain(command === "train" || command === "summary" ? "see examples/custom-model.mjs" : "the path of the module that built it");
    }
  });

  it("`torchlet help` prints the overview; `torchlet help fly` is a usage error", async () => {
    const overview = await capture(["help"]);
    expect(overview.code).toBe(0);
    expect(overview.out).toContain("Commands:");
    expect(overview.out).toContain("a FIFO, device, socket or directory is refused");
    expect(overview.out).toContain("--model also takes your own network: the path of an ES module (.mjs)");
    expect(overview.out).toContain("examples/custom-model.mjs");
    const bad = await capture(["help", "fly"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('torchlet: unknown command "fly" (commands: train, eval, predict, export, summary)');
  });
});
