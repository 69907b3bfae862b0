// Errors and argument checks shared by every op, layer and file reader.
//
// Every failure torchlet reports is a TorchletError: its message starts with
// the op (or file) that failed and names the offending values and shapes, and
// its `code` is stable so programs can branch on it without parsing text.

/** The stable machine-readable kind of a {@link TorchletError}. */
export type ErrorCode =
  /** An argument has the wrong type or an impossible value (NaN size, fractional stride, ...). */
  | "INVALID_ARGUMENT"
  /** Tensor shapes do not fit together (channels, ranks, element counts). */
  | "SHAPE_MISMATCH"
  /** A value is outside its allowed range (label ≥ classes, index past the end, size too large). */
  | "OUT_OF_RANGE"
  /** A file or byte buffer is malformed (IDX, safetensors, checkpoint, image). */
  | "BAD_FORMAT"
  /** A file, dataset or name does not exist. */
  | "NOT_FOUND"
  /** A loss or gradient became NaN or ±Infinity. */
  | "NON_FINITE"
  /** The operation is valid in general but not in this state (backward twice, no grad, ...). */
  | "INVALID_STATE";

/**
 * The one error class torchlet throws on bad input.
 *
 * The message reads `<op>: <what is wrong, with the values>`, e.g.
 * `conv2d: input has 3 channels but weight expects 1 (input [8,3,28,28], weight [6,1,5,5])`.
 *
 * @example
 * try { conv2d(x, w) } catch (e) { if (e instanceof TorchletError && e.code === "SHAPE_MISMATCH") ... }
 */
export class TorchletError extends Error {
  /** Stable kind of failure; see {@link ErrorCode}. */
  readonly code: ErrorCode;
  /** The op, layer, file or command that failed, e.g. `"conv2d"` or `"idx: train-images.gz"`. */
  readonly op: string;

  constructor(op: string, code: ErrorCode, message: string) {
    super(`${op}: ${message}`);
    this.name = "TorchletError";
    this.code = code;
    this.op = op;
  }
}

/** Formats a shape the way error messages and summaries print it: `[8,3,28,28]`. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(",")}]`;
}

/**
 * The key under which every copy of torchlet marks its Tensor class's prototype.
 * Symbol.for gives all copies in one JavaScript realm the same key, and each copy
 * stores its own {@link THIS_COPY} under it, so a tensor made by another copy
 * (the browser bundle beside the npm package, two installed versions) is told
 * apart from a plain object and from this copy's tensors.
 */
export const TENSOR_BRAND = Symbol.for("torchlet.Tensor");

/** This copy's mark under {@link TENSOR_BRAND} (tensor.ts sets it on Tensor.prototype). */
export const THIS_COPY: object = Object.freeze({});

/** True for a Tensor made by another copy of torchlet than this one. */
export function isTensorOfAnotherCopy(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const mark = (value as { [TENSOR_BRAND]?: unknown })[TENSOR_BRAND];
  return mark !== undefined && mark !== THIS_COPY;
}

/**
 * Describes any value a plain-JavaScript caller might pass, for an error
 * message: `3`, `"x"`, `null`, `an array of length 2`, `a Float64Array of length 3`,
 * `a plain object {lr, momentum}`, `a Map`, `an Int32Array of length 4`, `the function relu`.
 */
export function describe(value: unknown): string {
  if (typeof value === "number") return Object.is(value, -0) ? "0" : String(value);
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value);
  if (value === null || value === undefined || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) {
    const size = "length" in value ? `length ${(value as unknown as ArrayLike<unknown>).length}` : `${value.byteLength} bytes`;
    return `${withArticle(value.constructor.name)} of ${size}`;
  }
  if (typeof value === "function") return value.name === "" ? "a function" : `the function ${value.name}`;
  if (isTensorOfAnotherCopy(value)) return "a Tensor from another copy of torchlet";
  if (typeof value === "object") {
    const prototype: unknown = Object.getPrototypeOf(value);
    if (prototype === null || prototype === Object.prototype) return `a plain object ${describeKeys(value)}`;
    const name = (value as object).constructor?.name;
    return typeof name === "string" && name !== "" ? withArticle(name) : "an object";
  }
  return withArticle(typeof value); // bigint, symbol
}

// "an Int32Array", "a Uint8Array", "a Tensor": "an" before a vowel sound (a leading U reads "you").
function withArticle(name: string): string {
  return `${/^[aeio]/i.test(name) ? "an" : "a"} ${name}`;
}

// "{}", "{lr, momentum}", "{a, b, c, d, …}": the keys show which options object it was.
function describeKeys(value: object): string {
  const keys = Object.keys(value);
  const shown = keys.slice(0, 4).map((key) => (key.length > 20 ? `${key.slice(0, 20)}…` : key));
  return `{${shown.join(", ")}${keys.length > 4 ? ", …" : ""}}`;
}

/**
 * Largest element count torchlet will allocate for one tensor (2^30 floats = 4 GiB).
 * A size past this is almost always a bug (a product that overflowed, a
 * stray huge dimension), and refusing it beats the process dying in the allocator.
 */
export const MAX_ELEMENTS = 2 ** 30;

/** Checks that `value` is an integer ≥ `min` (a size, a stride, a count) and returns it. */
export function checkInt(op: string, name: string, value: unknown, min = 0): number {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new TorchletError(op, "INVALID_ARGUMENT", `${name} must be an integer, got ${describe(value)}`);
  }
  if (value < min) {
    throw new TorchletError(op, "INVALID_ARGUMENT", `${name} must be an integer ≥ ${min}, got ${value}`);
  }
  if (value > MAX_ELEMENTS) {
    throw new TorchletError(op, "OUT_OF_RANGE", `${name} is ${value}, more than the ${MAX_ELEMENTS} torchlet allows`);
  }
  return value;
}

/** Checks that `value` is a finite number (a learning rate, a fill value) and returns it. */
export function checkFinite(op: string, name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new TorchletError(op, "INVALID_ARGUMENT", `${name} must be a finite number, got ${describe(value)}`);
  }
  return value;
}

/** Checks a shape (each dimension an integer ≥ 0, product within MAX_ELEMENTS) and returns its element count. */
export function checkShape(op: string, shape: unknown, name = "shape"): number {
  if (!Array.isArray(shape)) {
    throw new TorchletError(op, "INVALID_ARGUMENT", `${name} must be an array of integers, got ${describe(shape)}`);
  }
  let count = 1;
  for (let i = 0; i < shape.length; i++) {
    const dim: unknown = shape[i];
    if (typeof dim !== "number" || !Number.isInteger(dim) || dim < 0) {
      throw new TorchletError(op, "INVALID_ARGUMENT", `${name}[${i}] must be an integer ≥ 0, got ${describe(dim)} (${name} ${formatShape(shape.map((d) => describe(d)) as unknown as number[])})`);
    }
    count *= dim;
  }
  if (count > MAX_ELEMENTS) {
    throw new TorchletError(op, "OUT_OF_RANGE", `${name} ${formatShape(shape)} has ${count} elements, more than the ${MAX_ELEMENTS} torchlet allows`);
  }
  return count;
}

/** Allocates a zeroed Float32Array of `length`, turning an allocator failure into a TorchletError. */
export function allocFloat32(op: string, length: number): Float32Array {
  checkInt(op, "element count", length, 0);
  try {
    return new Float32Array(length);
  } catch (error) {
    throw new TorchletError(op, "OUT_OF_RANGE", `could not allocate ${length} floats (${(length * 4 / 2 ** 20).toFixed(1)} MiB): ${(error as Error).message}`);
  }
}

/**
 * The name a mistyped `name` most likely meant, or undefined: the same name in another
 * spelling (`weight_decay` → `weightDecay`, `batch_size` → `batch-size`), a prefix of
 * exactly one candidate, the longest candidate `name` extends with a suffix
 * (`data-dir` → `data`, `datadir` → `data`; a candidate under four letters only
 * before `-`, `_` or a capital, so `alpha` is not taken for `a`), or one within two
 * edits (`strides` → `stride`).
 */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  const respelled = candidates.find((c) => sameName(c, name));
  if (respelled !== undefined) return respelled;
  const prefixed = candidates.filter((c) => c.startsWith(name));
  if (name.length >= 2 && prefixed.length === 1) return prefixed[0];
  const extended = candidates.filter((c) => name.startsWith(c) && name !== c && (c.length >= 4 || /^[-_A-Z]/.test(name.slice(c.length))));
  if (extended.length > 0) return extended.reduce((a, b) => (b.length > a.length ? b : a));
  let best: string | undefined, bestDistance = 3;
  for (const candidate of candidates) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

// Levenshtein distance: insertions, deletions and substitutions each cost 1.
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The one check every options-taking function of the public API runs on its options
 * object, so nothing a caller passes is silently ignored. It returns `options` (`{}` when
 * undefined) and refuses:
 * - a non-object (`conv2d(x, w, b, 2)`: a positional argument written PyTorch-style);
 * - a key in `unsupported` (an option PyTorch has that torchlet does not implement yet),
 *   also in PyTorch's snake_case spelling: "option dilation is not supported yet";
 * - any other key not in `allowed`, suggesting the closest allowed one (`weight_decay` →
 *   `weightDecay`, `strides` → `stride`) and listing them all.
 * @throws TorchletError INVALID_ARGUMENT naming the op and the key.
 * @example checkOptionKeys("SGD", { lr: 0.1, weight_decay: 0.1 }, ["lr", "momentum", "weightDecay"])
 * // SGD: unknown option "weight_decay"; did you mean "weightDecay"? (it takes lr, momentum, weightDecay)
 */
export function checkOptionKeys<T extends object>(op: string, options: T | undefined, allowed: readonly string[], unsupported: readonly string[] = []): T {
  if (options === undefined) return {} as T;
  const takes = allowed.length === 0 ? "it takes no options" : `it takes ${allowed.join(", ")}`;
  if (typeof options !== "object" || options === null || Array.isArray(options) || ArrayBuffer.isView(options)) {
    const shape = allowed.length === 0 ? "" : ` such as { ${allowed.join(", ")} }`;
    throw new TorchletError(op, "INVALID_ARGUMENT", `options must be an object${shape}, got ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (allowed.includes(key)) continue;
    const notYet = unsupported.find((name) => sameName(name, key));
    if (notYet !== undefined) {
      const spelled = notYet === key ? key : `${key} (${notYet})`;
      const implemented = allowed.length === 0 ? "none of its options" : listing(allowed);
      throw new TorchletError(op, "INVALID_ARGUMENT", `option ${spelled} is not supported yet (torchlet implements ${implemented})`);
    }
    const guess = closestName(key, allowed);
    const hint = guess === undefined ? "" : `; did you mean ${JSON.stringify(guess)}?`;
    throw new TorchletError(op, "INVALID_ARGUMENT", `unknown option ${JSON.stringify(key)}${hint} (${takes})`);
  }
  return options;
}

/**
 * Refuses arguments past the ones a function declares, as plain JavaScript would
 * silently drop them: `sum(x, 1)` must not return the sum of everything. Trailing
 * `undefined`s count as absent. Pass `arguments` and the declared parameter names;
 * `hint` explains a PyTorch habit (`softmax(x, 0)` meaning a dim torchlet lacks).
 * @throws TorchletError INVALID_ARGUMENT naming the op, what it takes and the extra value.
 * @example checkArity("relu", [x, true], ["x"])
 * // relu: takes 1 argument (x) but got 2; the second is true
 */
export function checkArity(op: string, args: ArrayLike<unknown>, params: readonly string[], hint?: string): void {
  let count = args.length;
  while (count > params.length && args[count - 1] === undefined) count--;
  if (count <= params.length) return;
  const ordinal = ORDINALS[params.length] ?? `${params.length + 1}th`;
  const extra = describe(args[params.length]);
  const takes = params.length === 0 ? "no arguments" : `${params.length} argument${params.length === 1 ? "" : "s"} (${params.join(", ")})`;
  const message = hint === undefined ? `takes ${takes} but got ${count}; the ${ordinal} is ${extra}` : `got a ${ordinal} argument ${extra}; ${hint} (${params.length === 0 ? "it takes no arguments" : `its arguments: ${params.join(", ")}`})`;
  throw new TorchletError(op, "INVALID_ARGUMENT", message);
}

const ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth"];

// The same name in another spelling: weight_decay and weightDecay, ceil_mode and ceilMode.
function sameName(a: string, b: string): boolean {
  const spelling = (s: string): string => s.replace(/[-_]/g, "").toLowerCase();
  return spelling(a) === spelling(b);
}

// "stride", "stride and padding", "stride, padding and bias".
function listing(names: readonly string[]): string {
  return names.length < 2 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}


/**
 * Reads a string option that must be one of `choices` (a mode, a reduction).
 * @throws TorchletError INVALID_ARGUMENT naming the op, the option, the value, the choices and the closest one.
 * @example checkChoice("Conv2d", "paddingMode", "circle", ["zeros", "reflect", "replicate", "circular"])
 * // Conv2d: paddingMode must be one of "zeros", "reflect", "replicate", "circular", got "circle"; did you mean "circular"?
 */
export function checkChoice<T extends string>(op: string, name: string, value: unknown, choices: readonly T[]): T {
  if (typeof value === "string" && (choices as readonly string[]).includes(value)) return value as T;
  const guess = typeof value === "string" ? closestName(value, choices) : undefined;
  const hint = guess === undefined ? "" : `; did you mean ${JSON.stringify(guess)}?`;
  throw new TorchletError(op, "INVALID_ARGUMENT", `${name} must be one of ${choices.map((c) => JSON.stringify(c)).join(", ")}, got ${describe(value)}${hint}`);
}
