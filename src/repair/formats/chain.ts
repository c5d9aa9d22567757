/**
 * The call chain shown to the model beside the file it edits: for the top project frames of a
 * runtime error's trace, numbered lines around each frame's line widened to the enclosing
 * function (a small file whole), labelled with file and lines, the frame that threw said so; then
 * the definitions, in those files, of the names called on the line that threw. Sections come best
 * first: the format keeps as many as its prompt budget allows.
 */
import type { Bug, BugPlace } from '../../discover/types.js';
import { chooseWindow, indentOf, isBlank, numbered } from './window.js';

export interface ChainOptions {
  /** How many of the trace's top project frames to show (the edited file's window aside). */
  frames: number;
  /** The most lines shown for one frame or one definition. */
  maxLines: number;
}

/** A file of the chain, as the model may see it (secrets masked), or undefined when not readable. */
export type ChainFile = { name: string; text: string } | undefined;

/**
 * One section of the chain: its text for the prompt, and what of which file it shows, so that an
 * answer may edit those lines (`FILE: <name>` before its blocks).
 */
export interface ChainSection {
  text: string;
  /** The file shown: its absolute path, its name as the model sees it, and its whole (masked) text. */
  file: string;
  name: string;
  source: string;
  /** The lines shown, 1-based and inclusive. */
  start: number;
  end: number;
}

/** A file this small is shown whole. */
const WHOLE_FILE_LINES = 60;
const NOT_CALLS = new Set(['if', 'for', 'while', 'switch', 'catch', 'function', 'return', 'typeof', 'await', 'new', 'require', 'super', 'import']);

export function callChainSections(bug: Bug, read: (file: string) => ChainFile, opts: ChainOptions): ChainSection[] {
  const places = bug.places;
  if (!places || places.length < 2 || opts.frames <= 0) return [];
  const byFrame = [...places].sort((a, b) => a.frame - b.frame);
  const shown = new Map<string, Array<{ start: number; end: number }>>();
  const overlaps = (file: string, s: { start: number; end: number }) => (shown.get(file) ?? []).some((x) => s.start <= x.end && x.start <= s.end);
  const mark = (file: string, s: { start: number; end: number }) => shown.set(file, [...(shown.get(file) ?? []), s]);
  // The edited file's own window is shown by the format: the bug's place is not repeated.
  const edited = (p: BugPlace) => p.file === bug.file && p.line === bug.line;
  const sections: ChainSection[] = [];
  const section = (file: string, f: { name: string; text: string }, span: { start: number; end: number }, text: string) =>
    sections.push({ text, file, name: f.name, source: f.text, start: span.start + 1, end: span.end + 1 });
  for (const p of byFrame.slice(0, opts.frames)) {
    if (edited(p) || !p.line) continue;
    const f = read(p.file);
    if (!f) continue;
    const lines = f.text.split('\n');
    const at = Math.min(p.line, lines.length) - 1;
    const span = lines.length <= WHOLE_FILE_LINES ? { start: 0, end: lines.length - 1 } : chooseWindow(lines, at, 3, opts.maxLines);
    if (overlaps(p.file, span)) continue;
    mark(p.file, span);
    const role = p.frame === 0 ? 'THE FRAME THAT THREW' : `frame ${p.frame + 1} of the trace (a caller)`;
    section(p.file, f, span, `${f.name} lines ${span.start + 1}-${span.end + 1}${p.function ? `, in ${p.function}` : ''}: ${role}; ${p.why}\n${numbered(lines, span, at)}`);
  }
  // Definitions of what the line that threw calls, found in the files of the chain.
  const top = byFrame[0];
  const topFile = top ? read(top.file) : undefined;
  // A method that throws on the instance's own state (`this.parent.x`): where that state is set up.
  if (top?.line && topFile) {
    const lines = topFile.text.split('\n');
    const ctor = constructorOf(lines, top.line - 1, top.function);
    if (ctor && !(top.file === bug.file && Math.abs(ctor.line + 1 - bug.line) < opts.maxLines)) {
      const span = bodyWindow(lines, ctor.line, opts.maxLines);
      if (!overlaps(top.file, span)) {
        mark(top.file, span);
        section(top.file, topFile, span, `${topFile.name} lines ${span.start + 1}-${span.end + 1}: the constructor of ${ctor.name}, which sets up the state the line that threw reads (this.${ctor.reads})\n${numbered(lines, span, -1)}`);
      }
    }
  }
  if (top?.line && topFile) {
    const callLine = topFile.text.split('\n')[top.line - 1] ?? '';
    const names = [...callLine.matchAll(/(?:^|[^\w$.])([A-Za-z_$][\w$]*)\s*\(/g)].map((m) => m[1]!).filter((n) => !NOT_CALLS.has(n));
    const files = [...new Set(byFrame.slice(0, Math.max(opts.frames, 1)).map((p) => p.file))];
    for (const name of [...new Set(names)]) {
      for (const file of files) {
        const f = read(file);
        if (!f) continue;
        const lines = f.text.split('\n');
        const def = definitionLine(lines, name);
        if (def < 0) continue;
        const span = bodyWindow(lines, def, opts.maxLines);
        if (overlaps(file, span) || (file === bug.file && Math.abs(def + 1 - bug.line) < opts.maxLines)) break;
        mark(file, span);
        section(file, f, span, `${f.name} lines ${span.start + 1}-${span.end + 1}: the definition of ${name}, called on the line that threw\n${numbered(lines, span, -1)}`);
        break;
      }
    }
  }
  return sections;
}

/**
 * When the line `at` reads a property of `this`, the constructor of the class it is in: the class
 * declared above it and its `constructor(`, or, for a frame named `Name.method`, a function `Name`
 * (a constructor written as a function).
 */
function constructorOf(lines: string[], at: number, frameFunction: string | undefined): { line: number; name: string; reads: string } | undefined {
  const reads = /\bthis\.([A-Za-z_$][\w$]*)(?!\s*=[^=])/.exec(lines[at] ?? '')?.[1];
  if (!reads) return undefined;
  for (let l = at; l >= 0; l--) {
    const cls = /^\s*(?:export\s+(?:default\s+)?)?class\s+([A-Za-z_$][\w$]*)/.exec(lines[l]!);
    if (!cls) continue;
    for (let c = l + 1; c < at; c++) if (/^\s*constructor\s*\(/.test(lines[c]!)) return { line: c, name: cls[1]!, reads };
    break;
  }
  const owner = frameFunction?.match(/^(?:new\s+)?([A-Z][\w$]*)\./)?.[1];
  const def = owner ? definitionLine(lines, owner) : -1;
  return def >= 0 && def !== at ? { line: def, name: owner!, reads } : undefined;
}

/**
 * A definition's lines: from the line that opens it to the line back at its indentation (its
 * closing brace), at most `max` lines. (chooseWindow widens outwards, to the blocks around a line;
 * a definition is the block below it.)
 */
function bodyWindow(lines: string[], def: number, max: number): { start: number; end: number } {
  const indent = indentOf(lines[def] ?? '');
  let end = def + 1;
  while (end < lines.length && end - def < max - 1) {
    const l = lines[end]!;
    if (!isBlank(l) && indentOf(l) <= indent) break;
    end++;
  }
  return { start: def, end: Math.min(end, lines.length - 1, def + max - 1) };
}

/** The 0-based line that defines `name` as a function, or -1. */
function definitionLine(lines: string[], name: string): number {
  const esc = name.replace(/\$/g, '\\$');
  const re = new RegExp(
    `(?:\\bfunction\\s*\\*?\\s*${esc}\\s*\\(|\\b(?:const|let|var)\\s+${esc}\\s*=\\s*(?:async\\s+)?(?:function\\b|\\([^)]*\\)\\s*=>|[\\w$]+\\s*=>)|^\\s*(?:(?:static|async)\\s+)*${esc}\\s*\\([^)]*\\)\\s*\\{)`,
  );
  return lines.findIndex((l) => re.test(l));
}

/**
 * The error followed by as many chain sections as the caller keeps. `editsIn`: the name of the
 * file blocks edit by default, when the answer may edit the chain's files too (search/replace).
 */
export function withChain(error: string, sections: readonly ChainSection[], count: number, editsIn?: string): string {
  if (count <= 0 || sections.length === 0) return error;
  const how = editsIn
    ? `; the fix may belong in one of these files: to edit lines shown here, put a line "FILE: <name as labelled>" before the blocks for that file (blocks before any FILE line edit ${editsIn}; "FILE: ${editsIn}" switches back)`
    : ', for reference';
  return `${error}\nCALL CHAIN (other project frames of the trace${how}; lines marked ">" are the frame's line):\n${sections
    .slice(0, count)
    .map((s) => s.text)
    .join('\n\n')}`;
}
