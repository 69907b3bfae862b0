// `npm run playground`: builds the playground (vite.playground.config.ts →
// playground/dist) and serves it on localhost, printing the URL.
//
//   npm run playground                     # http://127.0.0.1:5180/ (or the next free port)
//   PORT=8080 npm run playground
//   npm run playground -- --no-build       # serve the last build as it is
//
// `serveStatic` is a tiny static file server (node:http, GET/HEAD only, no
// directory listings, nothing outside the folder), used by the e2e test too.
// Every response carries ISOLATION_HEADERS, so the page is cross-origin
// isolated: it gets SharedArrayBuffer, and its training worker threads.

import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(fileURLToPath(import.meta.url), "../../..");
export const PLAYGROUND_CONFIG = join(ROOT, "vite.playground.config.ts");
export const PLAYGROUND_DIST = join(ROOT, "playground/dist");

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".wasm": "application/wasm",
  ".txt": "text/plain; charset=utf-8",
  ".ts": "text/plain; charset=utf-8",
};

/**
 * The headers that make a page cross-origin isolated (`crossOriginIsolated`): the opener policy keeps
 * other origins' windows out of its process, the embedder policy lets it load only resources that
 * agree to it (the resource policy says each of these files does). Without them a browser gives
 * the page no SharedArrayBuffer, and the playground trains on one thread (playground/README.md).
 */
export const ISOLATION_HEADERS = {
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-embedder-policy": "require-corp",
  "cross-origin-resource-policy": "same-origin",
} as const;

/** A running server: its base URL (ending in /) and how to stop it. */
export interface StaticServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Serves the files under `dir` on 127.0.0.1:`port` (0 = any free port; a taken port moves on to the next one when `fallback`). */
export async function serveStatic(dir: string, port = 0, fallback = true): Promise<StaticServer> {
  const root = resolve(dir);
  const server = createServer((request, response) => {
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(request.url ?? "/", "http://localhost").pathname);
    } catch {
      response.writeHead(400).end("bad request");
      return;
    }
    let file = resolve(join(root, path));
    if (file !== root && !file.startsWith(root + sep)) {
      response.writeHead(403).end("forbidden");
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, "index.html");
    if (!existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end(`not found: ${path}`);
      return;
    }
    response.writeHead(200, {
      "content-type": TYPES[extname(file)] ?? "application/octet-stream",
      "content-length": statSync(file).size,
      "cache-control": "no-cache",
      ...ISOLATION_HEADERS,
    });
    if (request.method === "HEAD") response.end();
    else createReadStream(file).pipe(response);
  });
  for (let attempt = 0; ; attempt++) {
    try {
      await new Promise<void>((done, fail) => {
        server.once("error", fail);
        server.listen(port === 0 ? 0 : port + attempt, "127.0.0.1", () => {
          server.off("error", fail);
          done();
        });
      });
      break;
    } catch (error) {
      if (!fallback || port === 0 || attempt >= 20 || (error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
    }
  }
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}/`,
    server,
    close: () => new Promise<void>((done) => {
      server.closeAllConnections();
      server.close(() => done());
    }),
  };
}

/** Builds the playground into playground/dist with Vite. */
export async function buildPlayground(): Promise<string> {
  const { build } = await import("vite");
  await build({ configFile: PLAYGROUND_CONFIG, logLevel: "warn" });
  return PLAYGROUND_DIST;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (!args.includes("--no-build")) {
    const started = performance.now();
    await buildPlayground();
    console.log(`built the playground into ${PLAYGROUND_DIST} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } else if (!existsSync(join(PLAYGROUND_DIST, "index.html"))) {
    throw new Error(`no build in ${PLAYGROUND_DIST}: run without --no-build`);
  }
  const { url, close } = await serveStatic(PLAYGROUND_DIST, Number(process.env.PORT ?? 5180));
  console.log(`torchlet playground: ${url}`);
  console.log("(Ctrl-C stops it)");
  const stop = (): void => void close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
