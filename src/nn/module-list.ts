// ModuleList: a registered list of modules, like torch.nn.ModuleList. A plain
// array of layers in a field is not registered (Module refuses it by name);
// this is what holds them instead.

import { TorchletError, checkArity, checkInt, describe } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";
import { Module } from "./module.js";

/**
 * Holds modules registered under "0", "1", ..., so their parameters are the owner's.
 * Indexable (`list[0]`, `list.at(-1)`), iterable and appendable; it has no forward of its own.
 * @example
 * class Mlp extends nn.Module {
 *   readonly layers = this.registerModule("layers", new nn.ModuleList([new nn.Linear(4, 8), new nn.Linear(8, 2)]));
 *   forward(x: Tensor) { for (const layer of this.layers) x = layer.forward(x); return x; }
 * }
 */
export class ModuleList extends Module implements Iterable<Module> {
  /** The modules by index, as in PyTorch: `list[0]`. */
  readonly [index: number]: Module;
  private readonly items: Module[] = [];

  /** @param modules the initial modules, in order. */
  constructor(modules: Iterable<Module> = []) {
    super("ModuleList");
    checkArity("ModuleList", arguments, ["modules"]);
    if (typeof (modules as Partial<Iterable<Module>> | null)?.[Symbol.iterator] !== "function") {
      throw new TorchletError("ModuleList", "INVALID_ARGUMENT", `modules must be an iterable of Modules, e.g. [new Linear(4, 8)], got ${describe(modules)}`);
    }
    for (const module of modules) this.append(module);
  }

  /** Adds `module` at the end, registered under its index. */
  append(module: Module): this {
    checkArity("ModuleList.append", arguments, ["module"]);
    const index = this.items.length;
    this.registerModule(String(index), module);
    this.items.push(module);
    // Not enumerable: the registered-fields check reads own fields, and these are registered children anyway.
    Object.defineProperty(this, index, { get: () => this.items[index], enumerable: false, configurable: false });
    return this;
  }

  /** Appends every module of `modules`, in order. */
  extend(modules: Iterable<Module>): this {
    checkArity("ModuleList.extend", arguments, ["modules"]);
    for (const module of modules) this.append(module);
    return this;
  }

  /** The module at `index`; negative counts from the end, as in PyTorch. */
  at(index: number): Module {
    checkArity("ModuleList.at", arguments, ["index"]);
    const n = this.items.length;
    if (typeof index !== "number" || !Number.isInteger(index)) checkInt("ModuleList.at", "index", index, -n);
    if (index < -n || index >= n) throw new TorchletError("ModuleList.at", "OUT_OF_RANGE", `index ${index} is out of range for a list of ${n} modules`);
    return this.items[index < 0 ? index + n : index]!;
  }

  /** Number of modules. */
  get length(): number {
    return this.items.length;
  }

  /** The modules in order: `for (const layer of list)`. */
  [Symbol.iterator](): Iterator<Module> {
    return this.items[Symbol.iterator]();
  }

  /** A ModuleList only holds modules: iterate over it in the owner's forward. */
  override forward(x: Tensor): Tensor {
    void x;
    throw new TorchletError("ModuleList.forward", "INVALID_STATE", "a ModuleList has no forward (as in PyTorch); call its modules in your own forward, e.g. for (const layer of this.layers) x = layer.forward(x)");
  }
}
