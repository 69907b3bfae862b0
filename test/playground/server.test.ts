// The playground's static file server (playground/server/serve.ts), which `npm run playground` and the e2e test use.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveStatic, type StaticServer } from "../../playground/server/serve.js";

let dir: string;
let server: StaticServer;

// A raw GET (or HEAD) whose path is sent exactly as written, "../" included.
function get(path: string, method = "GET"): Promise<{ status: number; type: string | undefined; body: string }> {
  const { port } = new URL(server.url);
  return new Promise((done, fail) => {
    const req = request({ host: "127.0.0.1", port, path, method }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => done({ status: res.statusCode!, type: res.headers["content-type"], body }));
    });
    req.on("error", fail);
    req.end();
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "torchlet-serve-"));
  mkdirSync(join(dir, "site/assets"), { recursive: true });
  writeFileSync(join(dir, "site/index.html"), "<h1>hi</h1>");
  writeFileSync(join(dir, "site/assets/app.js"), "export {};");
  writeFileSync(join(dir, "site/weights.safetensors"), "\x08\0\0\0\0\0\0\0{}      ");
  writeFileSync(join(dir, "secret.txt"), "outside");
  server = await serveStatic(join(dir, "site"));
});

afterAll(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("serveStatic", () => {
  it("listens on 127.0.0.1 and serves index.html for a directory", async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(await get("/")).toEqual({ status: 200, type: "text/html; charset=utf-8", body: "<h1>hi</h1>" });
  });

  it("serves files with their content types, and HEAD without a body", async () => {
    expect(await get("/assets/app.js")).toMatchObject({ status: 200, type: "text/javascript; charset=utf-8" });
    expect(await get("/weights.safetensors")).toMatchObject({ status: 200, type: "application/octet-stream" });
    expect(await get("/assets/app.js?v=1", "HEAD")).toMatchObject({ status: 200, body: "" });
  });

  it("sends the headers that make the page cross-origin isolated (SharedArrayBuffer, threads) with every file", async () => {
    for (const path of ["/", "/assets/app.js", "/weights.safetensors"]) {
      const { headers } = await fetch(new URL(path, server.url));
      expect([headers.get("cross-origin-opener-policy"), headers.get("cross-origin-embedder-policy"), headers.get("cross-origin-resource-policy")], path).toEqual(["same-origin", "require-corp", "same-origin"]);
    }
  });

  it("answers 404 for a missing file, 405 for other methods, and never serves a file outside the folder", async () => {
    expect((await get("/nope.js")).status).toBe(404);
    expect((await get("/", "POST")).status).toBe(405);
    // Plain and %2e dot segments are resolved by URL parsing (→ /secret.txt, not in the folder); an encoded slash survives
    // parsing and decodes to "/../secret.txt", which the server refuses.
    for (const path of ["/../secret.txt", "/assets/%2e%2e/%2e%2e/secret.txt"]) expect(await get(path)).toMatchObject({ status: 404 });
    expect(await get("/..%2fsecret.txt")).toMatchObject({ status: 403, body: "forbidden" });
    expect(await get("/assets/..%2f..%2fsecret.txt")).toMatchObject({ status: 403, body: "forbidden" });
  });

  it("moves on to the next port when the one asked for is taken", async () => {
    const port = Number(new URL(server.url).port);
    const second = await serveStatic(join(dir, "site"), port);
    try {
      expect(Number(new URL(second.url).port)).toBeGreaterThan(port);
    } finally {
      await second.close();
    }
  });
});
