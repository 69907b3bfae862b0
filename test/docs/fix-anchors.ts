// Rewrites the #Lx-Ly anchors of source links in README.md and docs/*.md to
// where their symbols are now (doc comment through closing brace):
//
//   npx tsx test/docs/fix-anchors.ts          # rewrite in place, list what changed
//   npx tsx test/docs/fix-anchors.ts --check  # only list (exit 1 if anything is stale)
//
// A link is rewritten when its target is a .ts file with an anchor (`#L…`) and
// its text names a symbol declared there (`conv2dBackward`, `Plan.trainStep`).
// Read the moved code before committing: the anchors follow the code, but the
// words around them may no longer be true. (test/docs/docs.test.ts checks the
// same thing, and also that quoted code still exists verbatim.)

import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { findSymbol, linkedSymbol } from "./source.js";

const root = resolve(import.meta.dirname, "../..");
const check = process.argv.includes("--check");
const pages = ["README.md", ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
let stale = 0;

for (const page of pages) {
  const path = join(root, page);
  const before = readFileSync(path, "utf8");
  const after = before.replace(/\[((?:[^\][\n`]|`[^`\n]*`)+)\]\(([^)\s#]+\.ts)#L[^)\s]*\)/g, (whole, text: string, file: string) => {
    const symbol = linkedSymbol(text);
    const target = resolve(dirname(path), file);
    if (symbol === null || !existsSync(target)) return whole;
    const found = findSymbol(readFileSync(target, "utf8"), symbol);
    if (found === null) {
      console.error(`${page}: ${symbol} is not declared in ${relative(root, target)}`);
      return whole;
    }
    const updated = `[${text}](${file}#L${found.commentStart}-L${found.end})`;
    if (updated !== whole) {
      stale++;
      console.log(`${page}: ${whole} → #L${found.commentStart}-L${found.end}`);
    }
    return updated;
  });
  if (!check && after !== before) writeFileSync(path, after);
}
if (check && stale > 0) process.exit(1);
