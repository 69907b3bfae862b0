// Command-line parsing for the `torchlet` CLI: a declarative flag table per
// command, `--name value` and `--name=value`, and one clear line for every
// mistake (exit code 2, no stack trace).

import { closestName } from "../errors.js";

/** A mistake on the command line: printed as one line plus a usage hint, exit code 2. */
export class UsageError extends Error {
  constructor(message: string, readonly command?: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** How one flag is read. */
export type FlagSpec =
  | { type: "boolean"; help: string }
  | { type: "string"; help: string; default?: string; placeholder?: string }
  | { type: "choice"; help: string; choices: readonly string[]; default?: string }
  | { type: "int" | "number"; help: string; default?: number; min?: number; max?: number; minExclusive?: boolean; placeholder?: string };

/** A command: its flags, its positional arguments and a one-line description. */
export interface CommandSpec {
  summary: string;
  flags: Record<string, FlagSpec>;
  /** Names of positional arguments, e.g. ["input"]; shown in usage. Optional ones end in "?". */
  positionals?: readonly string[];
}

/** Parsed flags (by flag name, without dashes) and positional arguments. */
export interface ParsedArgs {
  flags: Record<string, string | number | boolean | undefined>;
  positionals: string[];
}

/** Parses `argv` (after the command word) against `spec`. @throws UsageError */
export function parseFlags(command: string, argv: readonly string[], spec: CommandSpec): ParsedArgs {
  const flags: ParsedArgs["flags"] = {};
  for (const [name, flag] of Object.entries(spec.flags)) {
    flags[name] = flag.type === "boolean" ? false : "default" in flag ? flag.default : undefined;
  }
  const positionals: string[] = [];
  const given = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (token === "-h" && spec.flags.help !== undefined) {
      flags.help = true;
      continue;
    }
    if (!token.startsWith("--") || token === "-") {
      if (token.startsWith("-") && token !== "-" && !/^-\d/.test(token)) {
        throw new UsageError(`unknown option ${token} (options start with two dashes, e.g. --epochs)`, command);
      }
      positionals.push(token);
      continue;
    }
    const eq = token.indexOf("=");
    const name = token.slice(2, eq === -1 ? undefined : eq);
    const flag = spec.flags[name];
    if (flag === undefined) {
      const guess = closestName(name, Object.keys(spec.flags));
      throw new UsageError(`unknown option --${name} for "torchlet ${command}"${guess === undefined ? "" : ` (did you mean --${guess}?)`}`, command);
    }
    if (given.has(name)) {
      // Last-one-wins would silently drop one of the two values.
      throw new UsageError(`--${name} is given twice; give it once`, command);
    }
    given.add(name);
    if (flag.type === "boolean") {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`, command);
      flags[name] = true;
      continue;
    }
    let raw: string;
    if (eq !== -1) {
      raw = token.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith("--") && next.length > 2)) {
        throw new UsageError(`--${name} needs a value`, command);
      }
      raw = next;
      i++;
    }
    flags[name] = convert(command, name, flag, raw);
  }
  if (flags.help === true) return { flags, positionals }; // --help answers even when arguments are missing
  const allowed = spec.positionals ?? [];
  const required = allowed.filter((p) => !p.endsWith("?")).length;
  if (positionals.length > allowed.length) {
    throw new UsageError(`unexpected argument "${positionals[allowed.length]}"`, command);
  }
  if (positionals.length < required) {
    throw new UsageError(`missing <${allowed[positionals.length]}>`, command);
  }
  return { flags, positionals };
}

/** An integer flag's value: decimal digits, optionally after a minus sign (so "-1" gets a range error, not a syntax one). */
const DECIMAL_INTEGER = /^-?\d+$/;
/** A number flag's value: decimal digits with an optional fraction and exponent ("0.5", ".5", "1e-3", "-2"). */
const DECIMAL_NUMBER = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

function convert(command: string, name: string, flag: FlagSpec, raw: string): string | number {
  switch (flag.type) {
    case "string":
      if (raw === "") throw new UsageError(`--${name} needs a non-empty value`, command);
      return raw;
    case "choice":
      if (!flag.choices.includes(raw)) {
        throw new UsageError(`--${name} must be one of ${flag.choices.join(", ")}; got "${raw}"`, command);
      }
      return raw;
    case "int":
    case "number": {
      // Decimal only: Number() would also take "0x10", "0b1", " 2", "Infinity" (and "1e0" for an integer).
      const syntax = flag.type === "int" ? DECIMAL_INTEGER : DECIMAL_NUMBER;
      const value = syntax.test(raw) ? Number(raw) : NaN;
      if (!Number.isFinite(value) || (flag.type === "int" && !Number.isSafeInteger(value))) {
        throw new UsageError(`--${name} must be ${flag.type === "int" ? "an integer" : "a number"}; got "${raw}"`, command);
      }
      const low = flag.min;
      if (low !== undefined && (flag.minExclusive ? value <= low : value < low)) {
        throw new UsageError(`--${name} must be ${flag.minExclusive ? ">" : "≥"} ${low}; got ${raw}`, command);
      }
      if (flag.max !== undefined && value > flag.max) {
        throw new UsageError(`--${name} must be ≤ ${flag.max}; got ${raw}`, command);
      }
      return value;
    }
    default:
      return raw;
  }
}

/** The usage text of one command, flags in a column with their help and defaults. */
export function commandUsage(command: string, spec: CommandSpec): string {
  const positionals = (spec.positionals ?? []).map((p) => (p.endsWith("?") ? `[${p.slice(0, -1)}]` : `<${p}>`)).join(" ");
  const lines = [`Usage: torchlet ${command} [options]${positionals ? " " + positionals : ""}`, "", spec.summary, "", "Options:"];
  const rows = Object.entries(spec.flags).map(([name, flag]) => {
    const value = flag.type === "boolean" ? "" : flag.type === "choice" ? ` ${flag.choices.join("|")}` : ` ${("placeholder" in flag && flag.placeholder) || flag.type.toUpperCase()}`;
    const fallback = "default" in flag && flag.default !== undefined ? ` (default ${flag.default})` : "";
    return [`  --${name}${value}`, `${flag.help}${fallback}`] as const;
  });
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  for (const [left, right] of rows) lines.push(left.padEnd(width) + right);
  return lines.join("\n");
}

