// Entry checks for the raw kernels a user calls through `kernels.*`.
//
// The kernels themselves trust their arguments: the ops above them build every
// buffer from a validated shape, so the hot loops carry no checks. A user who
// calls a kernel directly has no such guarantee, and a typed array forgives too
// much: a Float64Array output takes the writes, a short output drops the ones
// past its end, dims larger than the arrays read `undefined` (NaN), and an
// output that shares memory with an input is overwritten while still being
// read. `checkedKernel` wraps a kernel with a description of its arguments and
// checks, once per call and before any work: each array's type and exact
// length (scratch: at least), each dims field, and that no output overlaps
// another argument, except the pairs a kernel declares safe (pointwise kernels,
// where element i reads only element i, may write in place).
// docs/backends.md (Calling a kernel yourself) shows it at work.

import { TorchletError, describe } from "../errors.js";

/** How many elements an array argument must hold: a formula of the dims (with its text), "the same as <arg>", or any. */
export type Length<D> = { text: string; of: (d: D) => number } | { same: string } | "any";

/** One array argument of a kernel, by its name in the kernel's signature. */
export interface ArrayArg<D> {
  name: string;
  /** out: written (overwritten or accumulated); in: only read; scratch: written, any length ≥ the formula. */
  role: "out" | "in" | "scratch";
  length: Length<D>;
  /** The kernel takes null here (no bias, a gradient not wanted). */
  nullable?: true;
  /** An Int32Array (labels, argmax positions) instead of a Float32Array. */
  int32?: true;
}

/** The dims object: integer fields with their minimum, boolean flags, and a consistency check. */
export interface DimsArg<D> {
  name: string;
  role: "dims";
  integers: Readonly<Record<string, number>>;
  flags?: readonly string[];
  /** What is wrong with dims whose fields are each valid but do not agree (P not the output size of H), or null. */
  consistent?: (d: D) => string | null;
}

/** A plain number argument (axpy's scale): finite, unless anyValue (a max that may be NaN or ±Infinity). */
export interface NumberArg {
  name: string;
  role: "number";
  anyValue?: true;
}

/** A function argument (compareForward's test, powForward's power). */
export interface FunctionArg {
  name: string;
  role: "function";
}

/** A list of arrays, one per input (cat's xs): `count` of them, element i of `length(d, i)` elements. */
export interface ListArg<D> {
  name: string;
  role: "outs" | "ins";
  count: (d: D) => number;
  length: (d: D, i: number) => number;
  /** The length formula, for the message. */
  text: string;
  /** An element may be null (a gradient not wanted). */
  nullable?: true;
}

/** A boolean argument (batchNormBackward's batchStats). */
export interface FlagArg {
  name: string;
  role: "flag";
}

export type KernelArg<D> = ArrayArg<D> | DimsArg<D> | NumberArg | FunctionArg | ListArg<D> | FlagArg;

/** The arguments of a kernel, in call order. */
export interface KernelSpec<D> {
  args: readonly KernelArg<D>[];
  /** [output, input] pairs that may be the very same array (same memory, same length): pointwise kernels. */
  inPlace?: readonly (readonly [string, string])[];
  /** A last check of array contents the kernel indexes by (labels, argmax positions), or null. */
  contents?: (values: Record<string, unknown>, d: D) => string | null;
}

const BARE = new WeakMap<Function, Function>(); // checked kernel → the kernel it wraps

/** Wraps `kernel` so every call is checked against `spec` first (see the file comment). Same signature. */
export function checkedKernel<F extends (...args: never[]) => void, D = never>(name: string, kernel: F, spec: KernelSpec<D>): F {
  const checked = function (this: unknown, ...args: unknown[]): void {
    checkKernelArgs(name, spec, args);
    (kernel as unknown as (...a: unknown[]) => void)(...args);
  };
  Object.defineProperty(checked, "name", { value: name });
  BARE.set(checked, kernel);
  return checked as unknown as F;
}

/**
 * The kernel behind a checked `kernels.*` function, without its entry checks: for a loop
 * over buffers the caller checked once. Any other function is returned as it is.
 * @example const gemm = kernels.unchecked(kernels.gemm)
 */
export function unchecked<F extends Function>(kernel: F): F {
  return (BARE.get(kernel) as F | undefined) ?? kernel;
}

/** True for a kernel wrapped by {@link checkedKernel}. */
export function isChecked(kernel: Function): boolean {
  return BARE.has(kernel);
}

function checkKernelArgs<D>(name: string, spec: KernelSpec<D>, args: readonly unknown[]): void {
  if (args.length !== spec.args.length) {
    const params = spec.args.map((a) => a.name).join(", ");
    throw new TorchletError(name, "INVALID_ARGUMENT", `takes ${spec.args.length} arguments (${params}), got ${args.length}`);
  }
  const values: Record<string, unknown> = {};
  spec.args.forEach((arg, i) => (values[arg.name] = args[i]));
  const dimsArg = spec.args.find((a): a is DimsArg<D> => a.role === "dims");
  const d = (dimsArg === undefined ? {} : checkDims(name, dimsArg, values[dimsArg.name])) as D;
  const arrays: [ArrayArg<D>, Float32Array | Int32Array][] = [];
  for (const arg of spec.args) {
    if (arg.role === "number") checkNumber(name, arg, values[arg.name]);
    if (arg.role === "function" && typeof values[arg.name] !== "function") {
      throw new TorchletError(name, "INVALID_ARGUMENT", `${arg.name} must be a function, got ${describe(values[arg.name])}`);
    }
    if (arg.role === "outs" || arg.role === "ins") arrays.push(...checkList(name, arg, values[arg.name], d));
    if (arg.role === "flag" && typeof values[arg.name] !== "boolean") {
      throw new TorchletError(name, "INVALID_ARGUMENT", `${arg.name} must be true or false, got ${describe(values[arg.name])}`);
    }
    if (arg.role !== "out" && arg.role !== "in" && arg.role !== "scratch") continue;
    const array = checkArray(name, arg, values[arg.name]);
    if (array !== null) arrays.push([arg, array]);
  }
  for (const [arg, array] of arrays) checkLength(name, arg, array, d, values);
  checkOverlaps(name, arrays, spec.inPlace ?? []);
  const problem = spec.contents?.(values, d);
  if (problem) throw new TorchletError(name, "OUT_OF_RANGE", problem);
}

function checkDims<D>(name: string, arg: DimsArg<D>, value: unknown): Record<string, unknown> {
  if (typeof value !== "object" || value === null) {
    throw new TorchletError(name, "INVALID_ARGUMENT", `${arg.name} must be a dims object, got ${describe(value)}`);
  }
  const d = value as Record<string, unknown>;
  for (const [field, min] of Object.entries(arg.integers)) {
    const v = d[field];
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min) {
      throw new TorchletError(name, "INVALID_ARGUMENT", `${arg.name}.${field} must be an integer ≥ ${min}, got ${describe(v)}`);
    }
  }
  for (const flag of arg.flags ?? []) {
    if (typeof d[flag] !== "boolean") {
      throw new TorchletError(name, "INVALID_ARGUMENT", `${arg.name}.${flag} must be true or false, got ${describe(d[flag])}`);
    }
  }
  const problem = arg.consistent?.(d as D);
  if (problem) throw new TorchletError(name, "INVALID_ARGUMENT", `${arg.name}: ${problem}`);
  return d;
}

// Each array of a list argument, checked for type and length, as an array argument named name[i] for the overlap check.
function checkList<D>(name: string, arg: ListArg<D>, value: unknown, d: D): [ArrayArg<D>, Float32Array][] {
  const count = arg.count(d);
  if (!Array.isArray(value) || value.length !== count) {
    throw new TorchletError(name, "SHAPE_MISMATCH", `${arg.name} must be an array of ${count} Float32Arrays (one per input), got ${describe(value)}`);
  }
  const entries: [ArrayArg<D>, Float32Array][] = [];
  value.forEach((element: unknown, i) => {
    const item: ArrayArg<D> = { name: `${arg.name}[${i}]`, role: arg.role === "outs" ? "out" : "in", length: "any", nullable: arg.nullable };
    const array = checkArray(name, item, element) as Float32Array | null;
    if (array === null) return;
    const need = arg.length(d, i);
    if (array.length !== need) throw new TorchletError(name, "SHAPE_MISMATCH", `${item.name} must hold ${need} elements (${arg.text}), got ${array.length}`);
    entries.push([item, array]);
  });
  return entries;
}

function checkNumber(name: string, arg: NumberArg, value: unknown): void {
  if (typeof value !== "number" || !(arg.anyValue || Number.isFinite(value))) {
    throw new TorchletError(name, "INVALID_ARGUMENT", `${arg.name} must be a${arg.anyValue ? "" : " finite"} number, got ${describe(value)}`);
  }
}

function checkArray<D>(name: string, arg: ArrayArg<D>, value: unknown): Float32Array | Int32Array | null {
  if (value === null && arg.nullable) return null;
  const Type = arg.int32 ? Int32Array : Float32Array;
  if (!(value instanceof Type)) {
    const orNull = arg.nullable ? " or null" : "";
    throw new TorchletError(name, "INVALID_ARGUMENT", `${arg.name} must be a${arg.int32 ? "n" : ""} ${Type.name}${orNull}, got ${describe(value)}`);
  }
  return value;
}

function checkLength<D>(name: string, arg: ArrayArg<D>, array: Float32Array | Int32Array, d: D, values: Record<string, unknown>): void {
  if (arg.length === "any") return;
  const [need, text] = "same" in arg.length
    ? [(values[arg.length.same] as ArrayLike<number>).length, `as many as ${arg.length.same}`]
    : [arg.length.of(d), arg.length.text];
  const ok = arg.role === "scratch" ? array.length >= need : array.length === need;
  if (!ok) {
    const atLeast = arg.role === "scratch" ? "at least " : "";
    throw new TorchletError(name, "SHAPE_MISMATCH", `${arg.name} must hold ${atLeast}${need} elements (${text}), got ${array.length}`);
  }
}

/** True when a and b share at least one byte of memory (an empty view shares none). */
export function overlaps(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return a.buffer === b.buffer && a.byteLength > 0 && b.byteLength > 0 && a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}

function checkOverlaps<D>(name: string, arrays: readonly [ArrayArg<D>, Float32Array | Int32Array][], inPlace: readonly (readonly [string, string])[]): void {
  for (let i = 0; i < arrays.length; i++) {
    for (let j = i + 1; j < arrays.length; j++) {
      const [a, x] = arrays[i]!, [b, y] = arrays[j]!;
      if ((a.role === "in" && b.role === "in") || !overlaps(x, y)) continue;
      const identical = x.byteOffset === y.byteOffset && x.length === y.length;
      if (identical && inPlace.some(([o, v]) => (o === a.name && v === b.name) || (o === b.name && v === a.name))) continue;
      const safe = inPlace.length === 0 ? "" : ` (only ${inPlace.map(([o, v]) => `${o} = ${v}`).join(", ")} may be the very same array)`;
      throw new TorchletError(name, "INVALID_ARGUMENT", `${a.name} and ${b.name} share memory: an output may not overlap another argument${safe}`);
    }
  }
}

// ---- builders for the specs (src/ops/kernels/*.ts) ---------------------------

/** An output of `text` elements (a formula of the dims). */
export const output = <D>(name: string, text: string, of: (d: D) => number, nullable?: true): ArrayArg<D> => ({ name, role: "out", length: { text, of }, nullable });
/** An input of `text` elements. */
export const input = <D>(name: string, text: string, of: (d: D) => number, nullable?: true): ArrayArg<D> => ({ name, role: "in", length: { text, of }, nullable });
/** An array as long as the argument `as`. */
export const sameAs = <D>(name: string, role: "out" | "in", as: string): ArrayArg<D> => ({ name, role, length: { same: as } });
/** An array of any length (the others are measured against it). */
export const anyLength = <D>(name: string, role: "out" | "in"): ArrayArg<D> => ({ name, role, length: "any" });

/** The first value of `values` outside [0, end), described, or null. */
export function firstOutside(values: Int32Array, end: number, name: string): string | null {
  for (let i = 0; i < values.length; i++) {
    if (values[i]! < 0 || values[i]! >= end) return `${name}[${i}] = ${values[i]} is outside [0, ${end})`;
  }
  return null;
}
