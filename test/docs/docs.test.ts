// Docs that cannot rot. For README.md and every docs/*.md page:
//
//  - every ```ts block runs (a child process through tsx, once on the "ts"
//    backend and once on "wasm"), with `from "torchlet"` / `from "torchlet/node"`
//    pointed at src/; a ```text block right after it must be exactly what it
//    prints, on both backends;
//  - all ```ts blocks typecheck together (one tsc run, the repo's strict options);
//  - a ```ts <path> block is a quote of source code: its lines must appear,
//    contiguous and verbatim (up to indentation), in <path>;
//  - every relative link points to an existing file, every #heading link to a
//    heading, and every #Lx-Ly anchor on a .ts link covers exactly the symbol
//    its text names (`conv2dBackward`, `Plan.trainStep`): from its doc comment
//    or declaration line to its closing brace, so an edit that moves it fails here;
//  - every docs/*.md page a src/ comment mentions exists, and every op file
//    src/ops/<op>.ts names its page in its header comment.
//
// After a source edit moves a symbol, the failure names the new range.

import { execFile, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeBlocks, findSymbol, lineAnchor, linkedSymbol, links, type CodeBlock } from "./source.js";

const run = promisify(execFile);
const root = resolve(import.meta.dirname, "../..");
const docsDir = join(root, "docs");
const pages = ["README.md", ...readdirSync(docsDir).filter((f) => f.endsWith(".md")).sort().map((f) => `docs/${f}`)];
const read = (path: string): string => readFileSync(join(root, path), "utf8");

/** A runnable ```ts block and the ```text block after it, if any. */
interface Example {
  page: string;
  block: CodeBlock;
  expected: string | null;
  file: string;
}

const trimOutput = (text: string): string => text.split("\n").map((line) => line.trimEnd()).join("\n").replace(/\n+$/, "");

function examplesOf(page: string, dir: string): Example[] {
  const markdown = read(page);
  const lines = markdown.split("\n");
  const blocks = codeBlocks(markdown);
  const out: Example[] = [];
  blocks.forEach((block, i) => {
    if (block.info !== "ts") return;
    const next = blocks[i + 1];
    const closing = block.line + block.code.split("\n").length; // 0-based index of the closing fence
    const between = next ? lines.slice(closing + 1, next.line - 1) : [];
    const expected = next && next.info === "text" && between.every((l) => l.trim() === "") ? next.code : null;
    const file = join(dir, `${page.replace(/[/.]/g, "_")}_L${block.line}.ts`);
    out.push({ page, block, expected, file });
  });
  return out;
}

/** The block as a module: imports of "torchlet" and "torchlet/node" rewritten to src/, the backend chosen first. */
function moduleSource(code: string, backend: "ts" | "wasm" | null): string {
  const rewritten = code
    .replace(/from\s+["']torchlet\/node["']/g, `from ${JSON.stringify(join(root, "src/node.js"))}`)
    .replace(/from\s+["']torchlet["']/g, `from ${JSON.stringify(join(root, "src/index.js"))}`);
  const preamble = backend === null ? "" : `import { setBackend as __setBackend } from ${JSON.stringify(join(root, "src/index.js"))};\n__setBackend(${JSON.stringify(backend)});\n`;
  return preamble + rewritten + "\n";
}

let work = "";
let examples: Example[] = [];

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "torchlet-docs-"));
  writeFileSync(join(work, "package.json"), JSON.stringify({ type: "module" })); // the blocks are ES modules, like the repo
  examples = pages.flatMap((page) => examplesOf(page, work));
});
afterAll(() => {
  if (work !== "") rmSync(work, { recursive: true, force: true });
});

describe("docs code blocks", () => {
  it("finds runnable examples on every op page", () => {
    for (const page of ["docs/gemm.md", "docs/im2col.md", "docs/conv2d.md", "docs/avgpool2d.md", "docs/maxpool2d.md", "docs/sigmoid.md", "docs/relu.md", "docs/tanh.md", "docs/linear.md", "docs/cross-entropy.md", "docs/autograd.md"]) {
      const own = examples.filter((e) => e.page === page);
      expect(own.length, `${page} has no \`\`\`ts example`).toBeGreaterThan(0);
      expect(own.some((e) => e.expected !== null), `${page} shows no output (a \`\`\`text block right after a \`\`\`ts block)`).toBe(true);
    }
    expect(examples.some((e) => e.page === "README.md"), "README.md's example").toBe(true);
  });

  it("every ```ts block runs on both backends and prints exactly the ```text block after it", async () => {
    const jobs = examples.flatMap((example) =>
      (["ts", "wasm"] as const).map((backend) => ({ example, backend, file: example.file.replace(/\.ts$/, `.${backend}.ts`) })),
    );
    for (const job of jobs) writeFileSync(job.file, moduleSource(job.example.block.code, job.backend));
    const failures: string[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < jobs.length) {
        const { example, backend, file } = jobs[next++]!;
        const where = `${example.page}:${example.block.line} (${backend} backend)`;
        try {
          const { stdout } = await run(process.execPath, ["--import", "tsx", file], { cwd: root, timeout: 60_000, maxBuffer: 1 << 24 });
          if (example.expected !== null && trimOutput(stdout) !== trimOutput(example.expected)) {
            failures.push(`${where} printed\n${stdout}\nbut the page shows\n${example.expected}`);
          }
        } catch (error) {
          const e = error as { stderr?: string; message: string };
          failures.push(`${where} failed:\n${e.stderr || e.message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(2, Math.min(4, availableParallelism())) }, worker));
    expect(failures.join("\n\n")).toBe("");
  }, 120_000);

  it("all ```ts blocks typecheck under the repo's strict options", () => {
    for (const example of examples) writeFileSync(example.file, moduleSource(example.block.code, null));
    const base = JSON.parse(readFileSync(join(root, "tsconfig.json"), "utf8")) as { compilerOptions: Record<string, unknown> };
    const config = {
      compilerOptions: { ...base.compilerOptions, noEmit: true, rootDir: "/", outDir: undefined, declaration: false, declarationMap: false, sourceMap: false, typeRoots: [join(root, "node_modules/@types")] },
      // a control file with a known error: proves the run really typechecked something
      files: [...examples.map((e) => e.file), join(work, "control.ts")],
    };
    writeFileSync(join(work, "control.ts"), `import { tensor } from ${JSON.stringify(join(root, "src/index.js"))};\nexport const wrong: string = tensor([1]).item();\n`);
    writeFileSync(join(work, "tsconfig.json"), JSON.stringify(config));
    const tsc = spawnSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(work, "tsconfig.json")], { encoding: "utf8", timeout: 110_000 });
    // Only errors in the extracted blocks count here; src/ itself is typechecked by `npm run typecheck`.
    const lines = tsc.stdout.split("\n");
    expect(lines.filter((line) => line.includes("control.ts") && line.includes("TS2322")), `tsc did not check the blocks:\n${tsc.stdout}${tsc.stderr}`).toHaveLength(1);
    const own = lines.filter((line) => (line.startsWith(work) || line.includes("torchlet-docs-") || /error TS5\d{3}/.test(line)) && !line.includes("control.ts"));
    const report = own.map((line) => {
      const example = examples.find((e) => line.includes(e.file.slice(work.length + 1)));
      return example ? `${example.page}:${example.block.line}: ${line.slice(line.indexOf(": ") + 2)}` : line;
    });
    expect(report.join("\n"), tsc.stderr).toBe("");
  }, 120_000);

  it("every ```ts <path> quote appears verbatim in that source file", () => {
    const failures: string[] = [];
    let quotes = 0;
    for (const page of pages) {
      for (const block of codeBlocks(read(page))) {
        const m = /^ts\s+(\S+)$/.exec(block.info);
        if (!m) continue;
        quotes++;
        const path = m[1]!;
        if (!existsSync(join(root, path))) {
          failures.push(`${page}:${block.line} quotes ${path}, which does not exist`);
          continue;
        }
        const source = read(path).split("\n").map((l) => l.trim());
        const quote = block.code.split("\n").map((l) => l.trim());
        const found = source.some((_, start) => quote.every((line, i) => source[start + i] === line));
        if (!found) failures.push(`${page}:${block.line}: the quoted lines are no longer in ${path}:\n${block.code}`);
      }
    }
    expect(quotes).toBeGreaterThan(10);
    expect(failures.join("\n\n")).toBe("");
  });
});

/** GitHub's heading anchors: lowercase, punctuation dropped, spaces to dashes. */
function headingSlugs(markdown: string): Set<string> {
  const slugs = new Set<string>();
  let inFence = false;
  for (const line of markdown.split("\n")) {
    if (line.startsWith("```")) inFence = !inFence;
    const m = !inFence && /^#{1,6}\s+(.*)$/.exec(line);
    if (!m) continue;
    let slug = m[1]!.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
    for (let n = 1; slugs.has(slug); n++) slug = `${slug.replace(/-\d+$/, "")}-${n}`;
    slugs.add(slug);
  }
  return slugs;
}

describe("docs links", () => {
  it("every relative link resolves, and every #Lx-Ly anchor covers the symbol its text names", () => {
    const failures: string[] = [];
    let anchored = 0;
    for (const page of pages) {
      for (const link of links(read(page))) {
        const where = `${page}:${link.line} [${link.text}](${link.target})`;
        if (/^[a-z]+:/i.test(link.target)) continue; // https:, mailto:
        const [path, fragment] = link.target.split("#", 2) as [string, string | undefined];
        const target = path === "" ? join(root, page) : resolve(dirname(join(root, page)), path);
        if (!existsSync(target)) {
          failures.push(`${where}: ${relative(root, target)} does not exist`);
          continue;
        }
        if (fragment === undefined || statSync(target).isDirectory()) continue;
        if (target.endsWith(".md")) {
          if (!headingSlugs(readFileSync(target, "utf8")).has(fragment)) failures.push(`${where}: no heading #${fragment} in ${relative(root, target)}`);
          continue;
        }
        const range = lineAnchor(link.target);
        if (range === null) {
          failures.push(`${where}: the only anchors a source link may carry are #Lx or #Lx-Ly`);
          continue;
        }
        anchored++;
        const symbol = linkedSymbol(link.text);
        if (symbol === null) {
          failures.push(`${where}: a line anchor needs link text naming the symbol it covers, e.g. [\`conv2dBackward\`](...)`);
          continue;
        }
        const found = findSymbol(readFileSync(target, "utf8"), symbol);
        if (found === null) {
          failures.push(`${where}: ${symbol} is not declared in ${relative(root, target)}`);
          continue;
        }
        const [from, to] = range;
        if (from < found.commentStart || from > found.declaration || to !== found.end) {
          failures.push(`${where}: ${symbol} is now at #L${found.declaration}-L${found.end} (its doc comment starts at L${found.commentStart})`);
        }
      }
    }
    expect(anchored).toBeGreaterThan(20);
    expect(failures.join("\n")).toBe("");
  });

  it("every page is in the reading order of docs/README.md, and the im2col picture is linked and well formed", () => {
    const index = read("docs/README.md");
    for (const page of pages.filter((p) => p.startsWith("docs/") && p !== "docs/README.md")) {
      expect(index, `docs/README.md does not link ${page}`).toContain(`](${page.slice("docs/".length)}`);
    }
    expect(read("docs/im2col.md")).toContain("](im2col.svg)");
    const svg = read("docs/im2col.svg");
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*viewBox=/);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    // every opened element is closed (hand-written, so check the nesting)
    const stack: string[] = [];
    for (const m of svg.replace(/<!--[\s\S]*?-->/g, "").matchAll(/<(\/?)([a-zA-Z][\w-]*)([^>]*?)(\/?)>/g)) {
      if (m[1] === "/") expect(stack.pop(), `</${m[2]}>`).toBe(m[2]);
      else if (m[4] !== "/") stack.push(m[2]!);
    }
    expect(stack).toEqual([]);
  });

  it("every docs page a src/ comment mentions exists, and every op file points to its page", () => {
    const missing: string[] = [];
    const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
    for (const file of walk(join(root, "src"))) {
      for (const m of readFileSync(file, "utf8").matchAll(/\bdocs\/([\w.-]+\.(?:md|svg))/g)) {
        if (!existsSync(join(docsDir, m[1]!))) missing.push(`${relative(root, file)} mentions docs/${m[1]}, which does not exist`);
      }
    }
    for (const name of readdirSync(join(root, "src/ops")).filter((f) => f.endsWith(".ts") && f !== "index.ts" && f !== "kernels.ts")) {
      const header = readFileSync(join(root, "src/ops", name), "utf8").split("\n").filter((line) => line.startsWith("//")).slice(0, 40).join("\n");
      if (!/docs\/[\w-]+\.md/.test(header)) missing.push(`src/ops/${name} has no docs/<page>.md pointer in its header comment`);
    }
    expect(missing.join("\n")).toBe("");
  });
});
