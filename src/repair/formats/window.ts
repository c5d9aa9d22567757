import { stripThinking } from '../../llm/answer.js';
import type { EditFormat, FormatInput, FormatPlan, OtherFileEdit } from './types.js';
import { withChain, type ChainSection } from './chain.js';
import { fillTemplate } from './whole.js';

export interface WindowOptions {
  template: string;
  /** Lines on each side of the error line, at least. */
  contextLines: number;
  /** The most lines shown, however large the enclosing block. */
  maxLines: number;
}

/** Lines `start..end`, 0-based and inclusive. */
interface Span {
  start: number;
  end: number;
}

/**
 * Numbered lines around the error, widened to the enclosing function or block, and an answer of
 * search/replace blocks applied to the whole file: the prompt stays the same size whatever the
 * size of the file, and everything outside the edit stays byte for byte.
 */
export function windowFormat(opts: WindowOptions): EditFormat {
  return {
    name: 'window',
    plan(input, budgetChars) {
      const lines = input.text.split('\n');
      const errorLine = input.bug.line > 0 ? Math.min(input.bug.line, lines.length) - 1 : -1;
      if (errorLine < 0) return { reason: 'the error has no line number: no window to show' };
      // Shrink the window until the prompt fits the budget; a few lines are the least worth sending.
      const context = input.context ?? [];
      for (let max = opts.maxLines; max >= 5; max = Math.floor(max / 2)) {
        const span = chooseWindow(lines, errorLine, Math.min(opts.contextLines, max), max);
        // The call chain goes first when the budget is short: the lines to edit matter most.
        for (let k = context.length; k >= 0; k--) {
          const prompt = fillTemplate(opts.template, {
            file: input.displayName,
            error: withChain(input.error, context, k, input.displayName),
            window: numbered(lines, span, errorLine),
            startLine: String(span.start + 1),
            endLine: String(span.end + 1),
            totalLines: String(lines.length),
          });
          if (prompt.length <= budgetChars) return planFor(input, lines, span, context.slice(0, k), prompt);
        }
      }
      return { reason: `even a 5-line window does not fit the prompt budget (${budgetChars} characters)` };
    },
  };
}

/** A file an answer may edit: its text and the spans of it the prompt showed. */
interface Editable {
  file?: string;
  name: string;
  text: string;
  shown: Span[];
}

function planFor(input: FormatInput, lines: string[], span: Span, kept: readonly ChainSection[], prompt: string): FormatPlan {
  // What the prompt showed of each file: the window of the edited file, and each kept section.
  const main: Editable = { name: input.displayName, text: input.text, shown: [span] };
  const byName = new Map<string, Editable>([[normName(input.displayName), main]]);
  for (const c of kept) {
    const sectionSpan = { start: c.start - 1, end: c.end - 1 };
    if (c.file === input.bug.file) {
      main.shown.push(sectionSpan);
      continue;
    }
    const key = normName(c.name);
    const known = byName.get(key);
    if (known) known.shown.push(sectionSpan);
    else byName.set(key, { file: c.file, name: c.name, text: c.source, shown: [sectionSpan] });
  }
  return {
    format: 'window',
    prompt,
    shown: { start: span.start + 1, end: span.end + 1 },
    apply(answer) {
      const parsed = parseSearchReplace(answer);
      if ('reason' in parsed) return { ok: false, reason: parsed.reason };
      const total = parsed.blocks.length;
      // Blocks by the file they name; a name not shown is refused, never looked for elsewhere.
      const groups = new Map<Editable, Block[]>();
      for (const [n, b] of parsed.blocks.entries()) {
        const target = b.file === undefined ? main : byName.get(normName(b.file));
        if (!target) {
          const names = [...byName.values()].map((e) => e.name).join(', ');
          return { ok: false, reason: `${total > 1 ? `block ${n + 1}: ` : ''}FILE: ${b.file} is not one of the files shown (${names}); only those can be edited` };
        }
        groups.set(target, [...(groups.get(target) ?? []), { ...b, index: n + 1 }]);
      }
      let text = input.text;
      const others: OtherFileEdit[] = [];
      const notes: string[] = [];
      for (const [target, blocks] of groups) {
        const applied = applyBlocks(target.text, target === main ? lines : target.text.split('\n'), blocks, target.shown, total);
        if ('reason' in applied) return { ok: false, reason: target === main ? applied.reason : `${target.name}: ${applied.reason}` };
        const where = target.shown.map((s) => `${s.start + 1}-${s.end + 1}`).join(', ');
        notes.push(`${blocks.length} search/replace block${blocks.length === 1 ? '' : 's'} in ${target === main && groups.size === 1 ? '' : `${target.name} `}lines ${where}`);
        if (target === main) text = applied.text;
        else if (applied.text !== target.text) others.push({ file: target.file!, text: applied.text });
      }
      return { ok: true, text, note: notes.join(' and '), ...(others.length ? { others } : {}) };
    },
  };
}

/** A file name as a model may write it: `./lib/a.js`, `lib\a.js` and `lib/a.js` are one. */
function normName(name: string): string {
  return name.trim().replace(/\\/g, '/').replace(/^(\.\/)+/, '');
}

export function indentOf(line: string): number {
  let i = 0;
  while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
  return i;
}

export function isBlank(line: string): boolean {
  return line.trim() === '';
}

/** Starts with a closing bracket: the end of a block, not a statement of its own. */
function closes(line: string): boolean {
  return /^\s*[}\])]/.test(line);
}

/**
 * The error line with `context` lines on each side, widened to the largest block around it that
 * fits in `max` lines: found by indentation (the line that opens a block is indented less than
 * its body, and its closing line comes back to that indentation), which holds even in a file
 * that does not parse.
 */
export function chooseWindow(lines: string[], errorLine: number, context: number, max: number): Span {
  const last = lines.length - 1;
  let best: Span = { start: Math.max(0, errorLine - context), end: Math.min(last, errorLine + context) };
  // The first non-blank line at or above the error gives the indentation to step out from.
  let anchor = errorLine;
  while (anchor > 0 && isBlank(lines[anchor]!)) anchor--;
  let indent = indentOf(lines[anchor]!);
  let from = anchor;
  for (;;) {
    // The opener: the nearest line above with less indentation.
    let open = from - 1;
    while (open >= 0 && (isBlank(lines[open]!) || indentOf(lines[open]!) >= indent)) open--;
    if (open < 0) break;
    const level = indentOf(lines[open]!);
    // Its end: the first line below the error back at the opener's indentation (a closer is
    // part of the block; a new statement is not).
    let end = errorLine + 1;
    while (end <= last && (isBlank(lines[end]!) || indentOf(lines[end]!) > level)) end++;
    if (end > last) end = last;
    else if (!closes(lines[end]!)) end--;
    const span = { start: Math.min(open, best.start), end: Math.max(end, best.end) };
    if (span.end - span.start + 1 > max) break;
    best = span;
    if (level === 0) break;
    indent = level;
    from = open;
  }
  if (best.end - best.start + 1 > max) {
    const half = Math.floor((max - 1) / 2);
    best = { start: Math.max(0, errorLine - half), end: Math.min(last, errorLine - half + max - 1) };
  }
  return best;
}

/** Numbered lines; the line the error is reported on is marked with `>` (models place lines badly by number alone). */
export function numbered(lines: string[], span: Span, errorLine: number): string {
  const width = String(span.end + 1).length;
  const out: string[] = [];
  for (let i = span.start; i <= span.end; i++)
    out.push(`${i === errorLine ? '>' : ' '}${String(i + 1).padStart(width)}| ${(lines[i] ?? '').replace(/\r$/, '')}`);
  return out.join('\n');
}

export interface Block {
  search: string[];
  replace: string[];
  /** The file the answer named for it (`FILE: <name>` before it); none: the edited file. */
  file?: string;
  /** Its number in the answer, for messages. */
  index?: number;
}

const SEARCH = /^\s*<{5,9}\s*SEARCH\s*$/i;
const DIVIDER = /^\s*={5,9}\s*$/;
const REPLACE = /^\s*>{5,9}\s*REPLACE\s*$/i;
/**
 * `FILE: lib/a.js` before blocks names the file they edit (as the prompt labels files), also with
 * the Markdown a model may dress it in; what the prompt printed after a name (`(12 lines)`,
 * `lines 3-9`) is not part of it.
 */
const FILE_LINE = /^\s*(?:[#>*-]+\s*)?\**\s*FILE\s*\**\s*:\s*\**\s*`?([^`*]+?)`?\s*\**\s*$/i;
const fileNameOf = (m: string) => m.replace(/\s+\([^)]*\)\s*:?$/, '').replace(/,?\s+lines?\s+\d+.*$/i, '').replace(/:$/, '').trim();
/** The numbering the prompt put in front of each line, copied back by some models. */
const NUMBER_PREFIX = /^\s*>?\s*\d+\| ?/;

/**
 * The search/replace blocks of an answer, read line by line (one pass, whatever its size).
 * Fences and prose between blocks are ignored; a block left unfinished makes the answer unusable.
 */
export function parseSearchReplace(answer: string): { blocks: Block[] } | { reason: string } {
  const lines = stripThinking(answer).replace(/\r\n/g, '\n').split('\n');
  const blocks: Block[] = [];
  let state: 'out' | 'search' | 'replace' = 'out';
  let cur: Block = { search: [], replace: [] };
  // A FILE line holds for the blocks after it, until the next.
  let file: string | undefined;
  for (const line of lines) {
    if (state === 'out') {
      const named = FILE_LINE.exec(line);
      if (named) file = fileNameOf(named[1]!) || undefined;
      else if (SEARCH.test(line)) {
        state = 'search';
        cur = { search: [], replace: [], ...(file !== undefined ? { file } : {}) };
      }
    } else if (state === 'search') {
      if (DIVIDER.test(line)) state = 'replace';
      else if (SEARCH.test(line) || REPLACE.test(line)) return { reason: 'a search/replace block is malformed (no ======= divider)' };
      else cur.search.push(line);
    } else if (REPLACE.test(line)) {
      blocks.push(unnumber(cur));
      state = 'out';
    } else if (SEARCH.test(line)) {
      return { reason: 'a search/replace block is malformed (no >>>>>>> REPLACE end)' };
    } else cur.replace.push(line);
  }
  if (state !== 'out') return { reason: 'the answer ends inside a search/replace block (cut off?)' };
  if (blocks.length === 0) return { reason: 'the answer has no search/replace blocks' };
  return { blocks };
}

/** Drop the prompt's line numbers when a model copied them onto every line of a side. */
function unnumber(b: Block): Block {
  const strip = (side: string[]) => {
    const filled = side.filter((l) => l.trim() !== '');
    return filled.length > 0 && filled.every((l) => NUMBER_PREFIX.test(l)) ? side.map((l) => l.replace(NUMBER_PREFIX, '')) : side;
  };
  return { ...b, search: trimBlankEnds(strip(b.search)), replace: trimBlankEnds(strip(b.replace)) };
}

function trimBlankEnds(side: string[]): string[] {
  let s = 0;
  let e = side.length;
  while (s < e && side[s]!.trim() === '') s++;
  while (e > s && side[e - 1]!.trim() === '') e--;
  return side.slice(s, e);
}

const squash = (l: string) => l.trim().replace(/\s+/g, ' ');

/** Where `search` occurs in `lines`: exact first, then ignoring differences in whitespace. */
function findBlock(lines: string[], search: string[]): { at: number[]; tolerant: boolean } {
  const exact = matches(lines, search, (l) => l.replace(/\r$/, ''));
  if (exact.length > 0) return { at: exact, tolerant: false };
  return { at: matches(lines, search, squash), tolerant: true };
}

function matches(lines: string[], search: string[], norm: (l: string) => string): number[] {
  const want = search.map(norm);
  const at: number[] = [];
  for (let i = 0; i + want.length <= lines.length; i++) {
    let j = 0;
    while (j < want.length && norm(lines[i + j]!) === want[j]) j++;
    if (j === want.length) at.push(i);
  }
  return at;
}

/**
 * Apply blocks to one file. Each search text must be found exactly once (exactly, else with
 * whitespace ignored), inside lines the model was shown of it, and not overlap another block;
 * anything else rejects the whole answer. Lines outside the edits are kept byte for byte.
 * `total`: how many blocks the whole answer has (blocks are named by their `index` in it).
 */
export function applyBlocks(text: string, lines: string[], blocks: Block[], shown: Span | readonly Span[], total = blocks.length): { text: string } | { reason: string } {
  const spans: readonly Span[] = Array.isArray(shown) ? shown : [shown as Span];
  const crlf = text.includes('\r\n');
  const edits: Array<{ start: number; end: number; replace: string[] }> = [];
  for (const [n, b] of blocks.entries()) {
    const which = total > 1 ? `block ${b.index ?? n + 1}: ` : '';
    if (b.search.length === 0) return { reason: `${which}the search text is empty: nothing says where the edit goes` };
    const found = findBlock(lines, b.search);
    const how = found.tolerant ? ' (whitespace ignored)' : '';
    if (found.at.length === 0) {
      const near = spans.map((sp) => nearest(lines, b.search, sp)).reduce((a, x) => (x && (!a || x.score > a.score) ? x : a), undefined);
      const hint = near ? `; the nearest lines shown are ${near.start + 1}-${near.start + b.search.length}: "${excerpt(lines.slice(near.start, near.start + b.search.length))}"` : '';
      return { reason: `${which}the search text is not in the file: "${excerpt(b.search)}"${hint}` };
    }
    if (found.at.length > 1) return { reason: `${which}the search text is found ${found.at.length} times${how}; ambiguous, not guessed: "${excerpt(b.search)}"` };
    const start = found.at[0]!;
    const end = start + b.search.length - 1;
    if (!spans.some((sp) => start >= sp.start && end <= sp.end))
      return { reason: `${which}the edit (lines ${start + 1}-${end + 1}) is outside the lines shown (${spans.map((sp) => `${sp.start + 1}-${sp.end + 1}`).join(', ')})` };
    if (edits.some((e) => start <= e.end && e.start <= end)) return { reason: `${which}overlaps another block` };
    // A slip is fixed by changing a few lines, not by taking many away.
    const code = (side: string[]) => side.filter((l) => l.trim() !== '').length;
    const removed = code(b.search) - code(b.replace);
    if (removed > Math.max(3, code(b.search) / 2))
      return { reason: `${which}the edit removes ${removed} of ${code(b.search)} lines of code: more than a fix explains` };
    edits.push({ start, end, replace: b.replace });
  }
  const out = [...lines];
  for (const e of [...edits].sort((a, b) => b.start - a.start)) {
    // The file's own line ending on every line put in; the last line keeps what it had.
    const replacement = e.replace.map((l) => (crlf ? `${l.replace(/\r$/, '')}\r` : l));
    if (crlf && e.end === lines.length - 1 && !lines[e.end]!.endsWith('\r') && replacement.length)
      replacement[replacement.length - 1] = replacement[replacement.length - 1]!.replace(/\r$/, '');
    out.splice(e.start, e.end - e.start + 1, ...replacement);
  }
  return { text: out.join('\n') };
}

/**
 * Where, among the lines shown, a search text that matched nowhere comes closest (the share of
 * its words found line by line), so that the model can be told what is really there.
 */
function nearest(lines: string[], search: string[], shown: Span): { start: number; score: number } | undefined {
  const words = (l: string) => new Set(l.split(/[^\w$]+/).filter(Boolean));
  const want = search.map(words);
  let best: { start: number; score: number } | undefined;
  for (let i = shown.start; i + search.length - 1 <= shown.end; i++) {
    let score = 0;
    for (let j = 0; j < search.length; j++) {
      const have = words(lines[i + j]!);
      const w = want[j]!;
      let common = 0;
      for (const x of w) if (have.has(x)) common++;
      score += w.size + have.size ? (2 * common) / (w.size + have.size) : 1;
    }
    if (!best || score > best.score) best = { start: i, score };
  }
  return best && best.score / search.length >= 0.5 ? best : undefined;
}

function excerpt(lines: string[]): string {
  const flat = lines.join(' ⏎ ').replace(/\s+/g, ' ').trim();
  return flat.length > 80 ? `${flat.slice(0, 79)}…` : flat;
}
