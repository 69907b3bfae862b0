// The browser bundle of torchlet's core: `vite build -c vite.browser.config.ts`
// → dist/browser/torchlet.js, one ES module (the WebAssembly kernels inlined),
// for a <script type="module"> or an import map; no bundler needed.
//
// The core entry (src/index.ts) must import nothing from Node. The `nodeFree`
// plugin makes that a build error, so the bundle can never quietly ship a
// `node:` import or Vite's empty stand-in for a Node builtin.

import { builtinModules } from "node:module";
import { defineConfig, type Plugin } from "vite";

const NODE_BUILTINS = new Set([...builtinModules, ...builtinModules.map((name) => `node:${name}`)]);

/** True for `node:fs`, `fs`, `fs/promises`, … : anything Node provides and a browser does not. */
export function isNodeBuiltin(id: string): boolean {
  return id.startsWith("node:") || NODE_BUILTINS.has(id) || NODE_BUILTINS.has(id.split("/")[0]!);
}

/** Fails the build on the first import of a Node builtin, naming the importing file. */
export function nodeFree(): Plugin {
  return {
    name: "torchlet:node-free",
    enforce: "pre",
    resolveId(id, importer) {
      if (isNodeBuiltin(id)) {
        this.error(`"${id}" is a Node builtin, imported by ${importer ?? "the entry"}: the browser build must import nothing from Node (move it behind torchlet/node)`);
      }
      return null;
    },
  };
}

export default defineConfig({
  plugins: [nodeFree()],
  logLevel: "warn",
  build: {
    target: "es2022",
    outDir: "dist/browser",
    emptyOutDir: true,
    sourcemap: false, // the npm package ships src/ and dist/*.js.map for debugging; this file stays one file
    minify: false, // readable, like the rest of the library; gzip does most of what minifying would
    copyPublicDir: false,
    lib: {
      entry: "src/index.ts",
      formats: ["es"],
      fileName: () => "torchlet.js",
    },
  },
});
