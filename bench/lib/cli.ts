// Command-line options shared by bench/run.ts and bench/compare.ts.

import { BUDGETS, type Budget } from "./runner.js";

export interface BenchArgs {
  /** --quick: fewer iterations per case (the whole run in under ~30 s). */
  quick: boolean;
  /** --smoke: one iteration of every case, small batches where a peer is slow (the test). */
  smoke: boolean;
  /** --filter <substring>: only cases whose "group name" contains it (case-insensitive). */
  filter: string | undefined;
  /** --backend <name|a,b|all>: which torchlet backends to run the cases on (default all). */
  backend: string;
  /** Whether --backend was given (compare defaults to every backend). */
  backendGiven: boolean;
  /** --iterations <n>: a fixed number of measured iterations per case. */
  iterations: number | undefined;
  /** --batch <n>: batch size of the end-to-end / compare cases (default 256; 8 under --smoke in compare). */
  batch: number | undefined;
  /** --out <file>: where to write the JSON (default bench/results/<timestamp>.json). */
  out: string | undefined;
  /** --no-json: print the table only. */
  json: boolean;
  help: boolean;
}

export const USAGE_OPTIONS = `Options:
  --quick               fewer iterations per case (finishes in under ~30 s)
  --smoke               one iteration of every case (what test/bench runs)
  --filter <substring>  only cases whose "group name" contains it, e.g. --filter gemm
  --backend <name>      torchlet backend(s): ts, wasm, a comma list, or all
                        (default: all = ts, wasm, wasm-mt, wasm-nofma; wasm with --quick)
  --iterations <n>      exactly n measured iterations per case
  --batch <n>           batch size of the end-to-end cases (default 256)
  --out <file>          JSON output path (default bench/results/<timestamp>.json)
  --no-json             do not write the JSON file
  --help                this text`;

export function parseArgs(argv: readonly string[]): BenchArgs {
  const args: BenchArgs = { quick: false, smoke: false, filter: undefined, backend: "all", backendGiven: false, iterations: undefined, batch: undefined, out: undefined, json: true, help: false };
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith("--")) throw new Error(`${flag} needs a value`);
    return v;
  };
  const positiveInt = (s: string, flag: string): number => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer, got "${s}"`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.startsWith("--") && a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
    const take = (): string => {
      if (inline !== undefined) return inline;
      const v = value(i, flag);
      i++;
      return v;
    };
    switch (flag) {
      case "--quick": args.quick = true; break;
      case "--smoke": args.smoke = true; break;
      case "--filter": args.filter = take(); break;
      case "--backend": args.backend = take(); args.backendGiven = true; break;
      case "--iterations": args.iterations = positiveInt(take(), flag); break;
      case "--batch": args.batch = positiveInt(take(), flag); break;
      case "--out": args.out = take(); break;
      case "--no-json": args.json = false; break;
      case "--help": case "-h": args.help = true; break;
      default: throw new Error(`unknown option "${a}"`);
    }
  }
  // --quick must finish in about 30 s: unless told otherwise it times the default backend only.
  if (args.quick && !args.backendGiven) args.backend = "wasm";
  return args;
}

/** The per-case time budget the options ask for. */
export function budgetFor(args: BenchArgs): Budget {
  const base: Budget = args.smoke ? BUDGETS.smoke : args.quick ? BUDGETS.quick : BUDGETS.full;
  return args.iterations === undefined ? { ...base } : { ...base, iterations: args.iterations };
}

export function modeName(args: BenchArgs): string {
  return args.smoke ? "smoke" : args.quick ? "quick" : "full";
}
