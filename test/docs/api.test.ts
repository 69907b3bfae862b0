// The API reference: `npm run docs` (TypeDoc over src/index.ts and src/node.ts,
// typedoc.json) must succeed with no warnings. typedoc.json treats warnings as
// errors and requires a TSDoc comment on every export, so this fails when an
// export is added without one, or a {@link} points at nothing.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");
const out = mkdtempSync(join(tmpdir(), "torchlet-api-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("npm run docs", () => {
  it("builds the API reference from the TSDoc comments with no warnings", () => {
    // The same command as `npm run docs`, writing to a temporary directory instead of docs/api.
    const r = spawnSync(process.execPath, [join(root, "node_modules/typedoc/bin/typedoc"), "--out", out], { cwd: root, encoding: "utf8", timeout: 110_000 });
    const output = (r.stdout + r.stderr).replace(/\x1b\[[0-9;]*m/g, "");
    expect(output).not.toMatch(/\[(warning|error)\]/);
    expect(r.status, output).toBe(0);
    for (const page of ["index.html", "functions/index.conv2d.html", "classes/index.Tensor.html", "classes/index.nn.Plan.html", "functions/node.loadDataset.html"]) {
      expect(existsSync(join(out, page)), page).toBe(true);
    }
  }, 120_000);
});
