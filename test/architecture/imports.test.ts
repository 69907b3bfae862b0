// The floors of src/: tensor → kernels → backend → ops (autograd) → nn →
// lenet/io/data → cli. A floor may import the ones below it, never one above,
// so the import graph has no cycle. This walks every import and re-export of
// every src/**/*.ts file (type-only ones too: a type import still ties two
// files together for a reader) and fails naming the cycle it finds.
//
// src/wasm/*.ts is AssemblyScript, compiled on its own by scripts/build-wasm.mjs
// (no TypeScript file imports it, nor it them), so it is checked as a graph of its own.

import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const SRC = join(ROOT, "src");
const WASM = join(SRC, "wasm");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** Every module a file names in `import`, `import type`, `export … from`, `import()` or an `import("…").T` type, in order. */
export function importedSpecifiers(source: string): string[] {
  const specifiers: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      specifiers.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      specifiers.push(node.arguments[0].text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      specifiers.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile("module.ts", source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS));
  return specifiers;
}

/** The graph file → files it imports, among `files`; relative specifiers only (packages and node: builtins are leaves). */
function importGraph(files: readonly string[]): Map<string, string[]> {
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const targets: string[] = [];
    for (const specifier of importedSpecifiers(readFileSync(file, "utf8"))) {
      if (!specifier.startsWith(".")) continue;
      // NodeNext spells "./x.js" for x.ts; AssemblyScript spells "./x".
      const base = resolve(dirname(file), specifier).replace(/\.js$/, "");
      const target = [`${base}.ts`, join(base, "index.ts")].find((candidate) => known.has(candidate));
      if (target === undefined) throw new Error(`${relative(ROOT, file)} imports "${specifier}", which is not a file of this graph`);
      targets.push(target);
    }
    graph.set(file, targets);
  }
  return graph;
}

/** One cycle of the graph as a path a → b → … → a, or null when it has none (depth-first search). */
export function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | null {
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (node: string): string[] | null => {
    state.set(node, "open");
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === "open") return [...path.slice(path.indexOf(next)), next];
      if (state.get(next) === undefined) {
        const cycle = visit(next);
        if (cycle !== null) return cycle;
      }
    }
    path.pop();
    state.set(node, "done");
    return null;
  };
  for (const node of [...graph.keys()].sort()) {
    if (state.get(node) !== undefined) continue;
    const cycle = visit(node);
    if (cycle !== null) return cycle;
  }
  return null;
}

const describeCycle = (cycle: string[] | null): string => (cycle === null ? "no cycle" : cycle.map((f) => relative(ROOT, f)).join(" → "));

describe("import graph of src/", () => {
  const all = sourceFiles(SRC);
  const typescript = all.filter((f) => !f.startsWith(WASM + "/"));
  const assemblyScript = all.filter((f) => f.startsWith(WASM + "/"));
  const graph = importGraph(typescript);

  it("finds the files and their imports", () => {
    expect(graph.size).toBeGreaterThan(40);
    expect(graph.get(join(SRC, "index.ts"))).toContain(join(SRC, "ops/index.ts"));
    expect(assemblyScript.length).toBeGreaterThan(5);
  });

  it("has no cycle among the TypeScript modules (type-only imports included)", () => {
    expect(describeCycle(findCycle(graph))).toBe("no cycle");
  });

  it("has no cycle among the AssemblyScript kernels in src/wasm", () => {
    expect(describeCycle(findCycle(importGraph(assemblyScript)))).toBe("no cycle");
  });

  it("keeps src/backend/dispatch.ts, the switch every op asks, a leaf (errors.ts at most below it)", () => {
    const imports = graph.get(join(SRC, "backend/dispatch.ts"));
    expect(imports).toBeDefined();
    expect(imports!.filter((f) => f !== join(SRC, "errors.ts")).map((f) => relative(ROOT, f))).toEqual([]);
  });

  it("has no op that reaches a backend other than through the leaf", () => {
    const ops = typescript.filter((f) => f.startsWith(join(SRC, "ops") + "/"));
    const reachesBackend = ops.flatMap((op) => graph.get(op)!.filter((f) => f.startsWith(join(SRC, "backend") + "/") && !f.endsWith("/dispatch.ts")).map((f) => `${relative(ROOT, op)} → ${relative(ROOT, f)}`));
    expect(reachesBackend).toEqual([]);
  });
});

describe("the checker itself", () => {
  it("sees every kind of import, type-only and re-exports included", () => {
    const source = [
      'import { a } from "./a.js";',
      'import type { B } from "./b.js";',
      'export { c } from "./c.js";',
      'export type { D } from "./d.js";',
      'export * as e from "./e.js";',
      'import "./f.js";',
      'const g = await import("./g.js");',
      "import {\n  h,\n  type H,\n} from \"./h.js\";",
      'let i: import("./i.js").I;',
      '// import { j } from "./j.js"; (a comment, not an import)',
    ].join("\n");
    expect(importedSpecifiers(source)).toEqual(["./a.js", "./b.js", "./c.js", "./d.js", "./e.js", "./f.js", "./g.js", "./h.js", "./i.js"]);
  });

  it("finds a cycle through a type-only edge, and names it", () => {
    const graph = new Map([
      ["ops", ["backend", "tensor"]],
      ["backend", ["errors", "ops"]],
      ["tensor", ["errors"]],
      ["errors", []],
    ]);
    expect(findCycle(graph)).toEqual(["backend", "ops", "backend"]);
    graph.set("backend", ["errors"]);
    expect(findCycle(graph)).toBeNull();
  });

  it("finds a self-import and a long cycle", () => {
    expect(findCycle(new Map([["a", ["a"]]]))).toEqual(["a", "a"]);
    expect(findCycle(new Map([["a", ["b"]], ["b", ["c"]], ["c", ["d"]], ["d", ["b"]]]))).toEqual(["b", "c", "d", "b"]);
  });
});
