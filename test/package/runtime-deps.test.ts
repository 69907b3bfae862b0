// The PNG library (pngjs, torchlet's one runtime dependency) serves only the
// Node entry and the CLI: the core library (src/index.ts) and the browser
// bundle (dist/browser/torchlet.js, built by `npm run build`) must not reach it,
// nor any other package.

import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { dependencies?: Record<string, string> };

// Strings only pngjs's code holds (its error messages), to recognise it inlined in a bundle.
const PNGJS_FINGERPRINTS = ["unrecognised content at end of stream", "Unrecognised filter type", "Expected palette not found", "some read requests waitng"];

// Every module specifier of `import … from`, `export … from`, bare `import "…"` and `import("…")`.
function specifiers(code: string): string[] {
  const pattern = /\b(?:import|export)\s*(?:[\w*{}\s,$]+?\s*from\s*)?["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)/g;
  return [...code.matchAll(pattern)].map((m) => (m[1] ?? m[2])!);
}

// Source without its comments, whose `@example` lines import "torchlet" like a user would.
const withoutComments = (code: string): string => code.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");

const isBare = (specifier: string): boolean => !specifier.startsWith(".") && !specifier.startsWith("/");

// The files of src/ that `entry` reaches through relative imports, and the packages it imports on the way.
function importClosure(entry: string): { files: string[]; packages: Map<string, string> } {
  const files = new Set<string>();
  const packages = new Map<string, string>(); // package → the first file importing it
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    for (const specifier of specifiers(withoutComments(readFileSync(file, "utf8")))) {
      if (isBare(specifier)) {
        if (!packages.has(specifier)) packages.set(specifier, relative(root, file));
        continue;
      }
      const target = resolve(dirname(file), specifier.replace(/\.js$/, ".ts"));
      expect(existsSync(target), `${relative(root, file)} imports ${specifier}`).toBe(true);
      visit(target);
    }
  };
  visit(join(root, entry));
  return { files: [...files].map((f) => relative(root, f)), packages };
}

describe("runtime dependencies stay out of the core and the browser bundle", () => {
  it("package.json lists pngjs as the only runtime dependency", () => {
    expect(pkg.dependencies).toEqual({ pngjs: "7.0.0" });
  });

  it("the specifier scanner sees every import form (so the checks below can fail)", () => {
    const code = `import a from "pkg-a";\nimport { b } from './b.js';\nexport * from "pkg-c";\nimport "pkg-d";\nconst e = await import("pkg-e");\nexport { f } from "../f.js";`;
    expect(specifiers(code)).toEqual(["pkg-a", "./b.js", "pkg-c", "pkg-d", "pkg-e", "../f.js"]);
  });

  it("src/index.ts imports no package (not even a node: builtin); src/node.ts reaches pngjs, through src/data/png.ts only", () => {
    const core = importClosure("src/index.ts");
    expect(core.files.length).toBeGreaterThan(20);
    expect(Object.fromEntries(core.packages)).toEqual({});
    expect(core.files.filter((f) => /src\/data\/(png|image-node)\.ts$/.test(f))).toEqual([]);
    const node = importClosure("src/node.ts");
    expect(node.packages.get("pngjs")).toBe("src/data/png.ts");
    expect([...node.packages.keys()].filter((p) => !p.startsWith("node:"))).toEqual(["pngjs"]);
  });

  it("the built browser bundle imports nothing and holds no pngjs code", () => {
    const bundlePath = join(root, "dist/browser/torchlet.js");
    expect(existsSync(bundlePath), "run `npm run build` first").toBe(true);
    const bundle = readFileSync(bundlePath, "utf8");
    expect(bundle.length).toBeGreaterThan(10_000);
    expect(specifiers(bundle).filter(isBare)).toEqual([]);
    expect(bundle).not.toMatch(/\brequire\s*\(/);
    for (const fingerprint of [...PNGJS_FINGERPRINTS, "pngjs"]) expect(bundle, fingerprint).not.toContain(fingerprint);
    // The fingerprints are real: each is in pngjs's own code.
    const pngjsCode = ["parser.js", "filter-parse.js", "sync-reader.js"].map((f) => readFileSync(join(root, "node_modules/pngjs/lib", f), "utf8")).join("\n");
    for (const fingerprint of PNGJS_FINGERPRINTS) expect(pngjsCode, fingerprint).toContain(fingerprint);
  });
});
