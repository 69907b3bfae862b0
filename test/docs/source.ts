// Helpers for the docs tests: where a symbol sits in a TypeScript source file,
// and the fenced code blocks and links of a Markdown file. Plain line-based
// scanning, no compiler: the source files follow one style (declarations start
// a line, bodies are brace-delimited), which is all this needs.

/** Lines (1-based, inclusive) a declaration spans, and where its leading comment starts. */
export interface SymbolRange {
  /** First line of the comment block directly above the declaration (= declaration when there is none). */
  commentStart: number;
  /** The line with `function name`, `class name`, `name(` (a method), ... */
  declaration: number;
  /** The line that closes it: the body's `}`, or the `;` of a one-line declaration. */
  end: number;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A line with its comments and string contents removed, so braces in them do not count. */
function codeOnly(line: string): string {
  return line
    .replace(/\/\/.*$/, "")
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/'(?:[^'\\]|\\.)*'/g, "''")
    .replace(/`(?:[^`\\]|\\.)*`/g, "``")
    .replace(/\/\*.*?\*\//g, "");
}

function declarationEnd(lines: readonly string[], start: number): number {
  let depth = 0;
  let opened = false;
  for (let i = start; i < lines.length; i++) {
    const code = codeOnly(lines[i]!);
    for (const ch of code) {
      if (ch === "{" || ch === "(" || ch === "[") depth++;
      if (ch === "}" || ch === ")" || ch === "]") depth--;
      if (ch === "{") opened = true;
    }
    const trimmed = code.trim();
    if (depth === 0 && (opened || trimmed.endsWith(";")) && (trimmed.endsWith("}") || trimmed.endsWith(";") || trimmed.endsWith("},") || trimmed.endsWith("}),"))) return i + 1;
  }
  throw new Error(`unterminated declaration starting at line ${start + 1}`);
}

function commentStart(lines: readonly string[], declaration: number): number {
  let i = declaration - 1; // 0-based index of the line above
  while (i >= 0 && /^\s*(\/\*\*|\*|\*\/|\/\/|@)/.test(lines[i]!)) i--;
  return i + 2;
}

/**
 * Where `name` is declared in `source`: a top-level function, class, interface,
 * type, const or let, or `Outer.member` for a member of a class or interface
 * (a method, accessor or property). Null when not found.
 */
export function findSymbol(source: string, name: string): SymbolRange | null {
  const lines = source.split("\n");
  const [outer, member] = name.includes(".") ? (name.split(".", 2) as [string, string]) : [name, undefined];
  const top = new RegExp(`^(@\\w+\\s+)*(export\\s+)?(default\\s+)?(declare\\s+)?(abstract\\s+)?(async\\s+)?(function\\*?|class|interface|type|const|let|enum)\\s+${escape(outer)}\\b`);
  const at = lines.findIndex((line) => top.test(line));
  if (at < 0) return member === undefined ? uniqueMember(lines, outer) : null;
  const outerEnd = declarationEnd(lines, at);
  if (member === undefined) return { commentStart: commentStart(lines, at), declaration: at + 1, end: outerEnd };
  const memberRe = memberPattern(member);
  for (let i = at + 1; i < outerEnd; i++) {
    if (memberRe.test(lines[i]!)) return { commentStart: commentStart(lines, i), declaration: i + 1, end: declarationEnd(lines, i) };
  }
  return null;
}

/** A bare member name (`trainStep`) declared exactly once in the file, in any class or interface. */
function uniqueMember(lines: readonly string[], name: string): SymbolRange | null {
  const memberRe = memberPattern(name);
  const hits = lines.flatMap((line, i) => (memberRe.test(line) ? [i] : []));
  if (hits.length !== 1) return null;
  return { commentStart: commentStart(lines, hits[0]!), declaration: hits[0]! + 1, end: declarationEnd(lines, hits[0]!) };
}

function memberPattern(name: string): RegExp {
  return new RegExp(`^\\s+((public|private|protected|static|readonly|override|abstract|async|get|set)\\s+)*\\*?${escape(name)}\\s*[(<:=?]`);
}

/** A fenced code block of a Markdown file. */
export interface CodeBlock {
  /** The info string after the opening fence, e.g. `ts` or `text`. */
  info: string;
  /** The lines between the fences, joined with "\n". */
  code: string;
  /** 1-based line of the opening fence. */
  line: number;
}

/** Every ``` fenced block, in order. */
export function codeBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && lines[j] !== "```") body.push(lines[j++]!);
    if (j === lines.length) throw new Error(`unclosed code fence at line ${i + 1}`);
    blocks.push({ info: open[1]!.trim(), code: body.join("\n"), line: i + 1 });
    i = j;
  }
  return blocks;
}

/** A Markdown link `[text](target)` outside code blocks. */
export interface Link {
  text: string;
  target: string;
  line: number;
}

/** Every inline link outside fenced blocks and inline code. */
export function links(markdown: string): Link[] {
  const out: Link[] = [];
  let inFence = false;
  markdown.split("\n").forEach((raw, i) => {
    if (raw.startsWith("```")) inFence = !inFence;
    if (inFence) return;
    const line = raw.replace(/``[^`]*``/g, "");
    // [text](target): text may hold `code` with brackets-free content
    for (const m of line.matchAll(/\[((?:[^\][`]|`[^`]*`)+)\]\(([^)\s]+)\)/g)) out.push({ text: m[1]!, target: m[2]!, line: i + 1 });
  });
  return out;
}

/** The symbol a link's text names: its first `code span` (or the whole text), without a trailing `()`. */
export function linkedSymbol(text: string): string | null {
  const code = /`([^`]+)`/.exec(text);
  const name = (code ? code[1]! : text).trim().replace(/\(\)$/, "");
  return /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)?$/.test(name) ? name : null;
}

/** `#L10-L20` → [10, 20]; `#L7` → [7, 7]; anything else → null. */
export function lineAnchor(target: string): [number, number] | null {
  const m = /#L(\d+)(?:-L(\d+))?$/.exec(target);
  if (!m) return null;
  const from = Number(m[1]);
  return [from, m[2] === undefined ? from : Number(m[2])];
}
