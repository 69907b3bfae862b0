// The playground (playground/): `vite build -c vite.playground.config.ts`
// → playground/dist/, a static folder that works offline (no CDN, relative
// URLs, the WebAssembly kernels inlined in the bundle). `npm run playground`
// builds it and serves it on localhost.
//
// The "train here" panel's digits are torchlet's embedded MNIST files
// (data/mnist-embedded/*.gz), which main.ts imports as assets (`?url`).

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";
import { SOURCES } from "./playground/model.js";
import { nodeFree } from "./vite.browser.config.js";

const root = dirname(fileURLToPath(import.meta.url));
const playground = join(root, "playground");

// The layer panel links each op to its source file. The build copies those
// files (SOURCES in playground/model.ts) into playground/dist/src/, so the
// links open the code the page runs, offline and from the served page alike.
function sources(): Plugin {
  return {
    name: "torchlet:playground-sources",
    generateBundle() {
      for (const file of new Set(Object.values(SOURCES))) {
        this.emitFile({ type: "asset", fileName: file, source: readFileSync(join(root, file), "utf8") });
      }
    },
  };
}

export default defineConfig({
  root: playground,
  base: "./",
  publicDir: join(playground, "public"),
  logLevel: "warn",
  plugins: [nodeFree(), sources()],
  define: { __SOURCE_BASE__: JSON.stringify("./") },
  worker: { format: "es", plugins: () => [nodeFree()] },
  build: {
    target: "es2022",
    outDir: join(playground, "dist"),
    emptyOutDir: true,
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1024,
  },
});
