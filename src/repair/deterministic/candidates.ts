/**
 * Candidate edits for a file that does not parse: insert, delete or replace one token, at the
 * places a slip is likely to be. Each candidate carries a cost; the search tries them cheapest
 * first. The places:
 * - around the parser's error (a few tokens before it, and the token itself);
 * - the ends of the lines just before the error (a missing comma between properties, a `)`);
 * - where the file's indentation and its bracket pairs disagree (a `}` missing far above the
 *   error belongs where the indentation returns to its opener's level);
 * - inside a line with a string left open (close it where the code resumes).
 * Costs: a prior per token and kind of edit, the distance from the error, agreement with the
 * indentation, and whether the edit evens out the file's count of opening and closing brackets.
 */
import { CLOSERS, OPENERS, afterDot, isLineBreak, lineOf, tokenAt, type Lexed, type Token } from './tokens.js';

/** One edit of a text: at `offset`, remove `del` characters and put `ins` there. */
export interface Edit {
  offset: number;
  del: number;
  ins: string;
}

export interface Candidate {
  edit: Edit;
  cost: number;
  kind: 'insert' | 'delete' | 'replace';
  /** The token inserted or deleted (replace: the new token). */
  token: string;
  /** Replace and delete: the token that was there. */
  was?: string;
  /** Why it is proposed: shown in the note. */
  why: 'error' | 'line end' | 'indentation' | 'brackets' | 'string' | 'keyword' | 'arrow' | 'stray';
}

/** Tokens the repairer inserts or swaps in. */
export const VOCABULARY = [')', '}', ']', ',', ';', '(', '{', '[', ':', '.', '=>'] as const;
/** Keywords it may delete (a stray keyword is a common slip; inserting one is left to the model). */
const KEYWORDS = new Set(['function', 'return', 'else', 'var', 'let', 'const', 'new', 'async', 'await', 'in', 'of', 'if', 'case']);

const INSERT_PRIOR: Record<string, number> = {
  ',': 1.0, ')': 1.0, '}': 1.05, ']': 1.05, ';': 1.15, '(': 1.2, '{': 1.2, '[': 1.25, ':': 1.2, '.': 1.45, '=>': 1.45,
};
const SIMILAR = new Set([')]', '])', ')}', '})', ']}', '}]', '([', '[(', '({', '{(', '[{', '{[', ',;', ';,', ':,', ',:', ':;', ';:', '.,', ',.', '=:', ':=']);

const WINDOW = 6;
const LINE_ENDS = 8;

function deleteCost(tok: Token): number {
  if (tok.type === 'punct') {
    if (tok.value in INSERT_PRIOR) return tok.value === '=>' || tok.value === '.' ? 1.15 : 1.0;
    return 2.2;
  }
  if (tok.type === 'name' && KEYWORDS.has(tok.value)) return 1.8;
  if (tok.type === 'string' && tok.unterminated && tok.end - tok.start === 1) return 1.2;
  return 2.6;
}

function replaceCost(from: string, to: string): number {
  if (SIMILAR.has(from + to)) return 1.1;
  if (from in INSERT_PRIOR) return 1.2;
  return 1.6;
}

/** How the edit changes the file's bracket imbalance: negative when it evens the counts out. */
function balanceCost(lx: Lexed, removed: string | undefined, added: string | undefined): number {
  // no copy of the counts and no closure: this runs for every candidate generated
  const b = lx.balance;
  const counts = [b.paren, b.bracket, b.brace];
  const before = Math.abs(counts[0]!) + Math.abs(counts[1]!) + Math.abs(counts[2]!);
  if (removed) shiftBalance(counts, removed, -1);
  if (added) shiftBalance(counts, added, 1);
  const after = Math.abs(counts[0]!) + Math.abs(counts[1]!) + Math.abs(counts[2]!);
  return 0.3 * (after - before);
}

/** Paren, bracket and brace counts (openers positive) with `v` put in (sign 1) or taken out (-1). */
function shiftBalance(counts: number[], v: string, sign: number): void {
  if (v === '(') counts[0]! += sign;
  else if (v === ')') counts[0]! -= sign;
  else if (v === '[') counts[1]! += sign;
  else if (v === ']') counts[1]! -= sign;
  else if (v === '{') counts[2]! += sign;
  else if (v === '}') counts[2]! -= sign;
}

/** Below a ',' (INSERT_PRIOR 1.0) where the literal's own layout asks for the ':'. */
const COLON_BY_LAYOUT = 0.85;
/**
 * Fewest other lines of the literal that open with `key:`, for its layout to count: one is enough
 * (`{⏎ contains: function…,⏎ push function…` ), as the ',' it outranks reads the key as a variable.
 */
const KEYED_LINES = 1;

/**
 * Where a ':' goes when the error's token follows a key that opens its line (`hh translate`)
 * inside a `{` whose other lines open with `key:` (KEYED_LINES or more): the offset after the
 * key, or undefined.
 */
function lostKeyColon(lx: Lexed, e: number): number | undefined {
  const toks = lx.tokens;
  const key = toks[e - 1];
  const value = toks[e];
  if (!key || !value || !key.first || value.line !== key.line) return undefined;
  if (key.type !== 'name' && key.type !== 'string' && key.type !== 'num') return undefined;
  if (key.type === 'string' && key.unterminated) return undefined;
  const open = lx.parent[e - 1]!;
  if (open < 0 || toks[open]!.value !== '{' || lx.parent[e] !== open) return undefined;
  const end = lx.match[open]! >= 0 ? lx.match[open]! : Math.min(toks.length, open + 4000);
  let keyed = 0;
  for (let k = open + 1; k < end; k++) {
    const t = toks[k]!;
    if (!t.first || lx.parent[k] !== open || k === e - 1) continue;
    const next = toks[k + 1];
    if (next && next.type === 'punct' && next.value === ':') keyed++;
  }
  return keyed >= KEYED_LINES ? key.end : undefined;
}

function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 36 || c === 95 || c > 127;
}

const LEFT_ATTACH = new Set([',', ';', ':', ')', ']', '}', '.']);

interface Placement {
  offset: number;
  ins: string;
  extra: number;
}

function gapBounds(lx: Lexed, i: number): [number, number] {
  const toks = lx.tokens;
  const gs = i > 0 ? toks[i - 1]!.end : firstCodeOffset(lx.text);
  const ge = i < toks.length ? toks[i]!.start : lx.text.length;
  return [gs, Math.max(gs, ge)];
}

function firstCodeOffset(text: string): number {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  if (text.startsWith('#!', i)) while (i < text.length && !isLineBreak(text.charCodeAt(i))) i++;
  return i;
}

/** Indentation text of a 0-based line. */
export function indentText(lx: Lexed, line: number): string {
  const start = lx.lineStarts[line] ?? 0;
  let j = start;
  while (j < lx.text.length && (lx.text[j] === ' ' || lx.text[j] === '\t')) j++;
  return lx.text.slice(start, j);
}

/**
 * `t` put in at `at`; a word (or `=>`) is spaced from a word or a ')' beside it. At the module's level:
 * placements runs per token and vocabulary entry, and a closure made per call cost more than its
 * few uses (under tsx, esbuild's keepNames names each one as it is made).
 */
function spaced(text: string, word: boolean, at: number, t: string): string {
  if (!word) return t;
  const before = at > 0 ? text.charCodeAt(at - 1) : 32;
  const after = at < text.length ? text.charCodeAt(at) : 32;
  return (isWordChar(before) || before === 41 ? ' ' : '') + t + (isWordChar(after) ? ' ' : '');
}

/** Where in the gap before token `i` a token goes, as a person would have typed it. */
function placements(lx: Lexed, i: number, tok: string): Placement[] {
  const text = lx.text;
  const [gs, ge] = gapBounds(lx, i);
  const gap = text.slice(gs, ge);
  const next = lx.tokens[i];
  const out: Placement[] = [];
  const word = /^[a-z]/.test(tok) || tok === '=>';
  let nl = -1;
  for (let j = 0; j < gap.length; j++)
    if (isLineBreak(gap.charCodeAt(j))) {
      nl = j;
      break;
    }
  const hasComment = gap.includes('/');
  if (nl < 0) {
    if (gap.length === 0) out.push({ offset: gs, ins: spaced(text, word, gs, tok), extra: 0 });
    else if (!hasComment && gap.length >= 2) {
      out.push({ offset: gs + 1, ins: tok, extra: 0 });
      out.push({ offset: LEFT_ATTACH.has(tok) ? gs : ge, ins: spaced(text, word, LEFT_ATTACH.has(tok) ? gs : ge, tok), extra: 0.1 });
    } else if (LEFT_ATTACH.has(tok)) out.push({ offset: gs, ins: spaced(text, word, gs, tok), extra: 0 });
    else out.push({ offset: ge, ins: spaced(text, word, ge, tok), extra: 0 });
    return out;
  }
  // the gap spans lines
  const eolAt = hasComment && gap.slice(0, nl).includes('/') ? gs : gs + nl;
  const nextIsCloserFirst = !!next && next.first && next.type === 'punct' && (next.value in CLOSERS || next.value === ';' || next.value === ',');
  if (tok === '(' || tok === '[' || tok === '{') {
    const trailing = eolAt > gs;
    out.push({ offset: eolAt, ins: trailing || tok !== '{' ? tok : ' ' + tok, extra: 0 });
    out.push({ offset: ge, ins: tok, extra: 0.2 });
  } else if (tok === '.') {
    out.push({ offset: ge, ins: tok, extra: 0 });
    out.push({ offset: gs, ins: tok, extra: 0.15 });
  } else if (tok in CLOSERS && nextIsCloserFirst) {
    out.push({ offset: ge, ins: tok, extra: 0 });
    out.push({ offset: gs, ins: tok, extra: 0.15 });
  } else if (tok in CLOSERS) {
    out.push({ offset: gs, ins: tok, extra: 0 });
    const ownLine = ownLinePlacement(lx, i, tok);
    if (ownLine) out.push(ownLine);
    out.push({ offset: ge, ins: tok, extra: 0.2 });
  } else {
    out.push({ offset: gs, ins: spaced(text, word, gs, tok), extra: 0 });
    if (word) out.push({ offset: ge, ins: spaced(text, word, ge, tok), extra: 0.1 });
  }
  return out;
}

/** A closer on a line of its own before token `i`, indented as the line of the bracket it closes. */
function ownLinePlacement(lx: Lexed, i: number, tok: string): Placement | undefined {
  const next = lx.tokens[i];
  const prev = lx.tokens[i - 1];
  if (!prev) return undefined;
  const open = i < lx.tokens.length ? lx.parent[i]! : lastOpen(lx);
  const indent = open >= 0 ? indentText(lx, lx.tokens[open]!.line) : '';
  const afterLine = lineOf(lx, prev.end) + 1;
  const at = lx.lineStarts[afterLine];
  if (at === undefined || (next && at > next.start)) return undefined;
  return { offset: at, ins: indent + tok + lx.eol, extra: 0.1 };
}

function lastOpen(lx: Lexed): number {
  const t = lx.tokens;
  for (let k = t.length - 1; k >= 0; k--) {
    const tok = t[k]!;
    if (tok.type === 'punct' && tok.value in OPENERS && lx.match[k] === -1) return k;
  }
  return -1;
}

export interface GenerateOptions {
  /** Offset of the parser's error in lx.text. */
  errorOffset: number;
  /** Token-pair counts of the file (from the original text; see bigrams()). */
  stats?: Bigrams;
}

/** How often each pair of adjacent token classes occurs in the file: the file's own style. */
export interface Bigrams {
  pair: Map<string, number>;
  single: Map<string, number>;
  /** Pairs in all, and those across a line break. */
  total: number;
  breaks: number;
}

const KEYWORD_CLASS = new Set([
  'function', 'return', 'else', 'var', 'let', 'const', 'new', 'async', 'await', 'in', 'of', 'if', 'case', 'default', 'this',
  'for', 'while', 'do', 'switch', 'break', 'continue', 'throw', 'try', 'catch', 'finally', 'typeof', 'instanceof', 'class',
  'extends', 'import', 'export', 'from', 'void', 'delete', 'yield', 'null', 'true', 'false', 'undefined',
]);

export function tokenClass(lx: Lexed, t: Token | undefined): string {
  if (!t) return '^';
  switch (t.type) {
    case 'punct':
      return t.value;
    case 'name':
      return KEYWORD_CLASS.has(t.value) ? t.value : 'id';
    case 'num':
      return 'num';
    case 'string':
      return 'str';
    case 'template':
      return 'tpl';
    case 'regex':
      return 're';
  }
}

export function bigrams(lx: Lexed): Bigrams {
  const pair = new Map<string, number>();
  const single = new Map<string, number>();
  let prev = '^';
  let breaks = 0;
  for (const t of lx.tokens) {
    const c = tokenClass(lx, t);
    single.set(prev, (single.get(prev) ?? 0) + 1);
    const k = prev + (t.first ? '\n' : ' ') + c;
    if (t.first) breaks++;
    pair.set(k, (pair.get(k) ?? 0) + 1);
    prev = c;
  }
  return { pair, single, total: lx.tokens.length, breaks };
}

function logP(stats: Bigrams, a: string, b: string, sep = ' '): number {
  return Math.log(((stats.pair.get(a + sep + b) ?? 0) + 0.1) / ((stats.single.get(a) ?? 0) + 1));
}

function classOfText(s: string): string | undefined {
  const v = s.trim();
  if (!v) return undefined;
  if (/^[a-z]+$/.test(v)) return KEYWORD_CLASS.has(v) ? v : 'id';
  if (v === "'" || v === '"' || v === '`') return undefined;
  return v;
}

/** What the edits at one place share in `naturalness`: the classes around it and the pairs the removed text made. */
interface Site {
  a: string;
  b: string;
  /** The text removed has some, but no class: the edit is not judged. */
  unclassed: boolean;
  /** A line break between the previous token and the edit, and between the edit and the next token. */
  breakLeft: boolean;
  breakRight: boolean;
  /** The pairs the edit removes, as `naturalness` subtracts them. */
  removed: number;
}

const BREAK = /[\r\n\u2028\u2029]/;

/**
 * How much more natural the text around an edit reads by the file's own token pairs: the pairs the
 * edit makes, against the pairs it removes. A cost adjustment in [-0.4, 0.4]. Made once per text:
 * its hundreds of candidates stand at a few dozen places and ask the same few pairs, so each place
 * and each pair is read once (the same values, not recomputed per candidate).
 */
function naturalnessOf(lx: Lexed, stats: Bigrams): (c: Candidate) => number {
  const sites = new Map<number, Site>();
  const memo = { ' ': new Map<string, Map<string, number>>(), '\n': new Map<string, Map<string, number>>() };
  const lp = (a: string, b: string, sep: ' ' | '\n'): number => {
    const bySep = memo[sep];
    let row = bySep.get(a);
    if (!row) bySep.set(a, (row = new Map<string, number>()));
    let v = row.get(b);
    if (v === undefined) row.set(b, (v = logP(stats, a, b, sep)));
    return v;
  };
  const siteOf = (e: Edit): Site => {
    // offsets and deletions are below the text's length: one number per place
    const key = e.offset + e.del * (lx.text.length + 1);
    let site = sites.get(key);
    if (site) return site;
    const toks = lx.tokens;
    const nextIdx = tokenAt(lx, e.offset + e.del);
    let prevIdx = tokenAt(lx, e.offset) - 1;
    while (prevIdx >= 0 && toks[prevIdx]!.end > e.offset) prevIdx--;
    const a = tokenClass(lx, toks[prevIdx]);
    const b = nextIdx < toks.length ? tokenClass(lx, toks[nextIdx]) : '$';
    const removedText = lx.text.slice(e.offset, e.offset + e.del);
    const x = classOfText(removedText);
    const prevEnd = prevIdx >= 0 ? toks[prevIdx]!.end : 0;
    const nextStart = nextIdx < toks.length ? toks[nextIdx]!.start : lx.text.length;
    const breakLeft = BREAK.test(lx.text.slice(prevEnd, e.offset));
    const breakRight = BREAK.test(lx.text.slice(e.offset + e.del, nextStart));
    const sepBefore = breakLeft ? '\n' : ' ';
    const sepAfter = breakRight ? '\n' : ' ';
    const removed = x ? lp(a, x, sepBefore) + lp(x, b, sepAfter) : lp(a, b, breakLeft || breakRight ? '\n' : ' ');
    site = { a, b, unclassed: !!removedText && !x, breakLeft, breakRight, removed };
    sites.set(key, site);
    return site;
  };
  return (c) => {
    const e = c.edit;
    const { a, b, unclassed, breakLeft, breakRight, removed } = siteOf(e);
    const t = classOfText(e.ins);
    if (unclassed) return 0;
    if (e.ins.trim() && !t) return 0;
    const lead = e.ins.slice(0, e.ins.length - e.ins.trimStart().length);
    const trail = e.ins.slice(e.ins.trimEnd().length);
    let score = 0;
    if (t) score += lp(a, t, breakLeft || BREAK.test(lead) ? '\n' : ' ') + lp(t, b, breakRight || BREAK.test(trail) ? '\n' : ' ');
    else score += lp(a, b, breakLeft || breakRight || BREAK.test(e.ins) ? '\n' : ' ');
    score -= removed;
    return Math.max(-0.4, Math.min(0.4, -0.04 * score));
  };
}

/** All candidate edits for one state of the text, cheapest first. */
export function generateCandidates(lx: Lexed, opts: GenerateOptions): Candidate[] {
  const out: Candidate[] = [];
  const seen = new Map<string, number>();
  const add = (c: Candidate): void => {
    // a deletion that joins two words makes a different name
    const e = c.edit;
    if (e.del && !e.ins && isWordChar(lx.text.charCodeAt(e.offset - 1)) && isWordChar(lx.text.charCodeAt(e.offset + e.del))) c.cost += 1;
    // between a token typed twice (`))`), the doubling is the slip, not what is missing between
    if (!e.del && e.offset > 0 && lx.text[e.offset - 1] === lx.text[e.offset] && ')]};,'.includes(lx.text[e.offset]!)) c.cost += 0.3;
    // a `;` beside a `;` makes an empty statement, which no one writes
    if (e.ins.trim() === ';' && (/;\s*$/.test(lx.text.slice(Math.max(0, e.offset - 8), e.offset)) || /^\s*;/.test(lx.text.slice(e.offset + e.del, e.offset + e.del + 8)))) c.cost += 0.5;
    const key = `${c.edit.offset}:${c.edit.del}:${c.edit.ins}`;
    const at = seen.get(key);
    if (at === undefined) {
      seen.set(key, out.length);
      out.push(c);
    } else if (c.cost < out[at]!.cost) out[at] = c;
  };
  const toks = lx.tokens;
  const e = Math.min(tokenAt(lx, opts.errorOffset), toks.length);
  const errLine = lineOf(lx, Math.min(opts.errorOffset, lx.text.length));

  // 1. around the error
  for (let i = Math.max(0, e - WINDOW); i <= Math.min(toks.length, e + 2); i++) {
    const d = i > e ? 0.06 * (i - e) : (e - i) * 0.07;
    for (const t of VOCABULARY) {
      for (const p of placements(lx, i, t)) {
        add({
          edit: { offset: p.offset, del: 0, ins: p.ins },
          cost: INSERT_PRIOR[t]! + d + p.extra + balanceCost(lx, undefined, t),
          kind: 'insert',
          token: t,
          why: 'error',
        });
      }
    }
    const tok = toks[i];
    if (!tok) continue;
    if (tok.type === 'template' || (tok.type === 'string' && !tok.unterminated)) continue;
    const text = lx.text.slice(tok.start, tok.end);
    if ((tok.type !== 'string' || tok.end - tok.start === 1) && !(tok.type === 'name' && afterDot(lx, i))) {
      const del = deleteEdit(lx, i);
      // a token typed twice (`))`, `,,`) is the likeliest slip of all
      const prev = toks[i - 1];
      const doubled = tok.type === 'punct' && !!prev && prev.end === tok.start && prev.type === 'punct' && prev.value === tok.value ? -0.25 : 0;
      add({ edit: del, cost: deleteCost(tok) + d + doubled + balanceCost(lx, text, undefined), kind: 'delete', token: text, why: 'error' });
    }
    if (tok.type === 'punct' && (text in INSERT_PRIOR || text === '=')) {
      for (const t of VOCABULARY) {
        if (t === text) continue;
        add({
          edit: { offset: tok.start, del: tok.end - tok.start, ins: t },
          cost: replaceCost(text, t) + d + balanceCost(lx, text, t),
          kind: 'replace',
          token: t,
          was: text,
          why: 'error',
        });
      }
    }
  }

  // `} else {` (or catch, finally) that lost its `}`
  for (let i = Math.max(1, e - 2); i <= Math.min(toks.length - 1, e + 1); i++) {
    const tok = toks[i]!;
    if (tok.type !== 'name' || !/^(else|catch|finally)$/.test(tok.value)) continue;
    const prev = toks[i - 1]!;
    if (prev.type === 'punct' && prev.value === '}') continue;
    const open = lx.parent[i]!;
    const I = open >= 0 ? lx.indent[toks[open]!.line]! : 0;
    if (tok.first && lx.indent[tok.line] === I) {
      const own = ownLinePlacement(lx, i, '}');
      if (own) add({ edit: { offset: own.offset, del: 0, ins: own.ins }, cost: 0.6 + balanceCost(lx, undefined, '}'), kind: 'insert', token: '}', why: 'indentation' });
    }
    const sp = lx.text[tok.start - 1] === ' ' && (!tok.first || lx.indent[tok.line] === I + 1);
    add({ edit: { offset: sp ? tok.start - 1 : tok.start, del: 0, ins: sp ? '}' : '} ' }, cost: 0.62 + balanceCost(lx, undefined, '}'), kind: 'insert', token: '}', why: 'error' });
  }

  // `  hh translate,` in a literal whose other lines read `  key: value,`: the line lost its ':'
  // (a ',' there makes two shorthand entries on one line, as the literal writes none)
  const colon = lostKeyColon(lx, e);
  if (colon) add({ edit: { offset: colon, del: 0, ins: ':' }, cost: COLON_BY_LAYOUT + balanceCost(lx, undefined, ':'), kind: 'insert', token: ':', why: 'error' });

  // 2. ends of the lines before the error
  let lines = 0;
  for (let i = e - 1; i > 0 && lines < LINE_ENDS; i--) {
    const tok = toks[i]!;
    if (!tok.first) continue;
    lines++;
    if (i >= e - WINDOW) continue;
    const d = 0.12 * lines;
    for (const t of [',', ')', ']', '}', ';', '{']) {
      for (const p of placements(lx, i, t)) {
        add({
          edit: { offset: p.offset, del: 0, ins: p.ins },
          cost: INSERT_PRIOR[t]! + 0.1 + d + p.extra + balanceCost(lx, undefined, t),
          kind: 'insert',
          token: t,
          why: 'line end',
        });
      }
    }
  }

  // 3. indentation and bracket structure
  for (const c of structureCandidates(lx, errLine)) add(c);

  // 4. strings left open
  for (const c of stringCandidates(lx, e, errLine)) add(c);

  // 5. mistyped keywords, arrows typed as `=` or `>=`, stray characters
  for (const c of wordCandidates(lx, e, errLine)) add(c);

  // 6. a subscript left open: `a[key` closes after its key far more often than where V8 stops
  for (let k = Math.max(1, e - 40); k < Math.min(toks.length - 1, e + 1); k++) {
    const open = toks[k]!;
    if (open.type !== 'punct' || open.value !== '[' || lx.match[k] !== -1 || open.line < errLine - 2) continue;
    const before = toks[k - 1]!;
    if (!(before.type === 'name' || (before.type === 'punct' && (before.value === ')' || before.value === ']')))) continue;
    if (before.type === 'name' && KEYWORD_CLASS.has(before.value) && before.value !== 'this') continue;
    // after the key, and after a key that is a member chain (`[a.b`)
    let j = k + 1;
    const ends: number[] = [];
    while (j < toks.length && (toks[j]!.type === 'name' || toks[j]!.type === 'num' || toks[j]!.type === 'string')) {
      ends.push(j);
      const dot = toks[j + 1];
      if (!dot || dot.type !== 'punct' || dot.value !== '.') break;
      j += 2;
    }
    ends.forEach((t, n) => {
      const at = toks[t]!.end;
      add({ edit: { offset: at, del: 0, ins: ']' }, cost: 0.62 + 0.05 * n + (n === ends.length - 1 ? 0 : 0.1), kind: 'insert', token: ']', why: 'brackets' });
    });
  }

  // 7a. an arrow the error stands before: V8 reports `a.b=>c]` at the start of its parameters
  for (let i = e + 1; i < Math.min(toks.length, e + 8); i++) {
    const tok = toks[i]!;
    if (tok.line !== errLine) break;
    if (tok.type !== 'punct' || tok.value !== '=>') continue;
    add({ edit: { offset: tok.start, del: tok.end - tok.start, ins: '' }, cost: deleteCost(tok) + 0.1, kind: 'delete', token: '=>', why: 'arrow' });
    for (const t of VOCABULARY)
      if (t !== '=>') add({ edit: { offset: tok.start, del: tok.end - tok.start, ins: t }, cost: replaceCost('=>', t) + 0.1 + balanceCost(lx, undefined, t), kind: 'replace', token: t, was: '=>', why: 'arrow' });
    break;
  }
  // 7b. `x >= {` compares with an object literal, which no one writes: an arrow typed as `>=`,
  // found however far the error lands inside its body
  for (let i = Math.max(1, e - 40); i < Math.min(toks.length - 1, e); i++) {
    const tok = toks[i]!;
    const next = toks[i + 1]!;
    if (tok.type !== 'punct' || tok.value !== '>=' || next.type !== 'punct' || next.value !== '{' || tok.line < errLine - 3) continue;
    const prev = toks[i - 1]!;
    if (!((prev.type === 'name' && !KEYWORD_CLASS.has(prev.value)) || (prev.type === 'punct' && prev.value === ')'))) continue;
    add({ edit: { offset: tok.start, del: tok.end - tok.start, ins: '=>' }, cost: 0.65, kind: 'replace', token: '=>', was: '>=', why: 'arrow' });
  }

  // 7. tokens that make pairs the file never has, on the lines around the error
  if (opts.stats) {
    const stats = opts.stats;
    for (let i = Math.max(1, e - 40); i < Math.min(toks.length - 1, e + 3); i++) {
      const tok = toks[i]!;
      if (tok.line < errLine - 3 || tok.line > errLine + 1) continue;
      if (tok.type !== 'punct' || !(tok.value in INSERT_PRIOR)) continue;
      const before = stats.pair.get(tokenClass(lx, toks[i - 1]) + ' ' + tok.value) ?? 0;
      const after = stats.pair.get(tok.value + ' ' + tokenClass(lx, toks[i + 1])) ?? 0;
      if (before > 1 && after > 1) continue;
      add({ edit: { offset: tok.start, del: tok.end - tok.start, ins: '' }, cost: 0.95 + balanceCost(lx, tok.value, undefined), kind: 'delete', token: tok.value, why: 'error' });
      for (const t of VOCABULARY) {
        if (t === tok.value) continue;
        // a separator swapped for a closer too (`meridiemParse} /re/,` for `:`): a rival to weigh
        const similar = SIMILAR.has(tok.value + t);
        if (!similar && !((t === ':' || t === ',') && tok.value in CLOSERS)) continue;
        add({ edit: { offset: tok.start, del: tok.end - tok.start, ins: t }, cost: (similar ? 1.2 : 1.3) + balanceCost(lx, tok.value, t), kind: 'replace', token: t, was: tok.value, why: 'error' });
      }
    }
    // a small file's pairs say little
    const weight = Math.min(1, lx.tokens.length / 800);
    const naturalness = naturalnessOf(lx, stats);
    for (const c of out) c.cost += weight * naturalness(c);
  }

  out.sort((a, b) => a.cost - b.cost);
  return out;
}

/** Delete token `i`, and one space beside it when it stood between two spaces. */
function deleteEdit(lx: Lexed, i: number): Edit {
  const tok = lx.tokens[i]!;
  const text = lx.text;
  const before = text.charCodeAt(tok.start - 1);
  const after = text.charCodeAt(tok.end);
  if (tok.type === 'name' && before === 32 && after === 32) return { offset: tok.start, del: tok.end - tok.start + 1, ins: '' };
  return { offset: tok.start, del: tok.end - tok.start, ins: '' };
}

/** The line a '{' is indented by: that of the '(' its head's ')' closes, when the head spans lines. */
function blockHeadLine(lx: Lexed, o: number): number {
  const open = lx.tokens[o]!;
  const p = lx.tokens[o - 1];
  if (open.value !== '{' || !p || p.type !== 'punct' || p.value !== ')') return open.line;
  const m = lx.match[o - 1]!;
  return m >= 0 && lx.tokens[m]!.line < open.line ? lx.tokens[m]!.line : open.line;
}

/** Is the file indented consistently enough to place brackets by it? */
export function indentationReliable(lx: Lexed): boolean {
  let pairs = 0;
  let aligned = 0;
  const toks = lx.tokens;
  for (let o = 0; o < toks.length; o++) {
    const c = lx.match[o]!;
    if (c <= o) continue;
    const open = toks[o]!;
    if (open.type !== 'punct') continue;
    const close = toks[c]!;
    if (!close.first || close.line === open.line) continue;
    if (!(toks[o + 1]?.first ?? true)) continue;
    pairs++;
    if (lx.indent[close.line] === lx.indent[open.line]) aligned++;
    if (pairs >= 400) break;
  }
  // a missing or extra bracket misaligns every pair around it: allow for a few
  return pairs - aligned <= Math.max(4, 0.3 * pairs);
}

/**
 * Where indentation and bracket pairs disagree. An opener that ends its line expects its closer
 * first on the first later line indented no deeper than the opener's line; when that line holds
 * something else, the closer is missing there (it goes on a line of its own, at the opener's
 * indentation, after the block's last line). When the pairs say otherwise, the closer that
 * paired early is extra, or the opener of a more indented block is missing.
 */
export function structureCandidates(lx: Lexed, errLine: number): Candidate[] {
  if (!indentationReliable(lx)) return [];
  const out: Candidate[] = [];
  const toks = lx.tokens;
  const lastLine = Math.min(lx.lineStarts.length - 1, errLine + 2);
  for (let o = 0; o < toks.length; o++) {
    const open = toks[o]!;
    if (open.line > errLine) break;
    if (open.type !== 'punct' || !(open.value in OPENERS)) continue;
    const nextTok = toks[o + 1];
    if (nextTok && !nextTok.first) continue;
    // a block's head over several lines (`if (a ||⏎    b) {`) is indented as its first line
    const head = blockHeadLine(lx, o);
    const I = lx.indent[head]!;
    const closer = OPENERS[open.value]!;
    // the first later line indented no deeper than the opener's line
    let L = open.line + 1;
    const nLines = lx.lineStarts.length;
    while (L < nLines && (lx.indent[L]! < 0 || lx.indent[L]! > I)) L++;
    const f = L < nLines ? lx.lineFirst[L]! : toks.length;
    const fTok = toks[f];
    const m = lx.match[o]!;
    if (fTok && fTok.type === 'punct' && fTok.value === closer && m === f && lx.indent[L] === I) continue;
    if (L > lastLine + 1 && m >= 0) continue;
    // indentation outranks distance: the order among structure candidates is all distance decides
    const dist = Math.min(0.1, Math.max(0, errLine - (L - 1)) * 0.0002);
    if (!fTok || !(fTok.type === 'punct' && fTok.value === closer) || (m === f && lx.indent[L]! < I)) {
      // the closer is missing: on its own line after the block's last line
      const lastTok = toks[f - 1]!;
      const afterLine = lineOf(lx, lastTok.end) + 1;
      const at = afterLine < nLines ? lx.lineStarts[afterLine]! : lx.text.length;
      const ins = at >= lx.text.length && !endsWithBreak(lx.text) ? lx.eol + indentText(lx, head) + closer : indentText(lx, head) + closer + lx.eol;
      const aligned = lx.indent[L] === I;
      if (fTok && fTok.type === 'punct' && fTok.line === L && aligned) {
        // `});` that lost its `}`, `},` that lost its `}`, `}(this)`: it goes back before the punctuation
        out.push({ edit: { offset: fTok.start, del: 0, ins: closer }, cost: 0.62 + dist + balanceCost(lx, undefined, closer), kind: 'insert', token: closer, why: 'indentation' });
      } else if (fTok && fTok.type === 'name' && fTok.line === L && closer === '}' && /^(else|catch|finally)$/.test(fTok.value)) {
        // `} else {` that lost its `}`
        const sp = lx.text[fTok.start - 1] === ' ' && lx.indent[L] === I + 1;
        out.push({ edit: { offset: sp ? fTok.start - 1 : fTok.start, del: 0, ins: sp ? closer : closer + ' ' }, cost: 0.6 + dist + balanceCost(lx, undefined, closer), kind: 'insert', token: closer, why: 'indentation' });
      }
      out.push({ edit: { offset: at, del: 0, ins }, cost: 0.7 + dist + balanceCost(lx, undefined, closer), kind: 'insert', token: closer, why: 'indentation' });
      continue;
    }
    // f is the right kind of closer, but it is not this opener's partner
    if (m >= 0 && m < f) {
      // closed too early by `m`: `m` is extra, or an opener of a deeper block is missing
      const early = toks[m]!;
      const openers = early.first && lx.indent[early.line]! > I ? missingOpeners(lx, o, m, early.value) : [];
      // a block head at the closer's indentation with the block indented under it: the closer
      // is the block's, and its `{` is what is missing
      const headed = openers.some((c) => c.cost < 0.8);
      if (!early.first || lx.indent[early.line] !== I) {
        out.push({ edit: { offset: early.start, del: early.end - early.start, ins: '' }, cost: 0.8 + (headed ? 0.45 : 0) + dist + balanceCost(lx, early.value, undefined), kind: 'delete', token: early.value, was: early.value, why: 'brackets' });
      }
      for (const c of openers) out.push(c);
    } else {
      // f pairs with an opener inside this block: that opener is extra, unless it ends its line
      const inner = lx.match[f]!;
      if (inner > o) {
        const it = toks[inner]!;
        if (!(toks[inner + 1]?.first ?? true)) {
          out.push({ edit: { offset: it.start, del: it.end - it.start, ins: '' }, cost: 0.85 + dist + balanceCost(lx, it.value, undefined), kind: 'delete', token: it.value, was: it.value, why: 'brackets' });
        }
      }
    }
  }
  // an opener inside a line that its line does not close (and no later line closes aligned):
  // a stray opener
  for (let o = 0; o < toks.length; o++) {
    const open = toks[o]!;
    if (open.line >= errLine) break;
    if (open.type !== 'punct' || !(open.value in OPENERS)) continue;
    const nextTok = toks[o + 1];
    if (!nextTok || nextTok.first) continue;
    const m = lx.match[o]!;
    if (m >= 0 && toks[m]!.line === open.line) continue;
    if (m >= 0 && toks[m]!.first && lx.indent[toks[m]!.line] === lx.indent[open.line]) continue;
    if (m >= 0 && open.value !== '{') continue;
    out.push({ edit: { offset: open.start, del: open.end - open.start, ins: '' }, cost: 1.02 + balanceCost(lx, open.value, undefined), kind: 'delete', token: open.value, was: open.value, why: 'brackets' });
  }
  // closers with no partner, first on their line: the opener of their block is missing
  for (let c = 0; c < toks.length; c++) {
    const tok = toks[c]!;
    if (tok.line > errLine) break;
    if (tok.type !== 'punct' || !(tok.value in CLOSERS) || lx.match[c] !== -1 || !tok.first) continue;
    for (const cand of missingOpeners(lx, -1, c, tok.value)) out.push(cand);
  }
  return out;
}

/** Openers missing at the end of a line (between `from` and closer `c`) followed by a deeper block. */
function missingOpeners(lx: Lexed, from: number, c: number, closer: string): Candidate[] {
  const toks = lx.tokens;
  const close = toks[c]!;
  const want = lx.indent[close.line]!;
  const opener = CLOSERS[closer]!;
  const out: Candidate[] = [];
  const fromLine = from >= 0 ? toks[from]!.line : 0;
  let found = 0;
  for (let L = close.line - 1; L > fromLine && found < 3; L--) {
    if (lx.indent[L] !== want) continue;
    // last token on line L
    let nextLine = L + 1;
    while (nextLine < close.line && lx.indent[nextLine]! < 0) nextLine++;
    if (!(lx.indent[nextLine]! > want)) continue;
    const first = lx.lineFirst[nextLine]!;
    const last = toks[first - 1];
    if (!last || (last.type === 'punct' && last.value in OPENERS)) continue;
    found++;
    const head = opener === '{' && blockHead(lx, first - 1) ? -0.12 : 0;
    for (const p of placements(lx, first, opener)) {
      out.push({ edit: { offset: p.offset, del: 0, ins: p.ins }, cost: 0.8 + head + 0.05 * found + p.extra + balanceCost(lx, undefined, opener), kind: 'insert', token: opener, why: 'indentation' });
    }
  }
  return out;
}

const HEAD_WORDS = new Set(['if', 'for', 'while', 'switch', 'catch', 'with']);

/**
 * Whether token `k` ends the head of a block statement: the `)` of `if (…)`, `for (…)`,
 * `while (…)`, `switch (…)`, `catch (…)` or of a function's parameters, `else`, `try`,
 * `finally`, `do`, or an arrow.
 */
export function blockHead(lx: Lexed, k: number): boolean {
  const t = lx.tokens[k];
  if (!t) return false;
  if (t.type === 'name') return t.value === 'else' || t.value === 'try' || t.value === 'finally' || t.value === 'do';
  if (t.type !== 'punct') return false;
  if (t.value === '=>') return true;
  if (t.value !== ')') return false;
  const open = lx.match[k]!;
  const before = open > 0 ? lx.tokens[open - 1]! : undefined;
  if (!before || before.type !== 'name') return false;
  if (HEAD_WORDS.has(before.value) || before.value === 'function') return true;
  const b2 = lx.tokens[open - 2];
  // `function name(…)`, and a method `name(…)` first on its line
  return (!!b2 && b2.type === 'name' && (b2.value === 'function' || b2.value === 'async')) || before.first;
}

/**
 * Lines in [from, to] that head a block without its `{` while more than one statement is
 * indented under them: `if (x)` over two indented lines says the braces were meant.
 */
export function bracelessBlocks(lx: Lexed, from: number, to: number): number[] {
  const out: number[] = [];
  const toks = lx.tokens;
  const n = lx.lineStarts.length;
  for (let L = Math.max(0, from); L <= Math.min(n - 2, to); L++) {
    if (lx.indent[L]! < 0) continue;
    let next = L + 1;
    while (next < n && lx.indent[next]! < 0) next++;
    if (next >= n) break;
    const first = lx.lineFirst[next]!;
    if (!blockHead(lx, first - 1) || toks[first - 1]!.line !== L) continue;
    const I = lx.indent[L]!;
    const J = lx.indent[next]!;
    if (J <= I) continue;
    // the body's first statement ends on its line, and another follows at its indentation
    let after = next + 1;
    while (after < n && lx.indent[after]! < 0) after++;
    if (after >= n || lx.indent[after] !== J) continue;
    const firstAfter = lx.lineFirst[after]!;
    const end = toks[firstAfter - 1]!;
    if (end.line !== next || end.type !== 'punct' || (end.value !== ';' && end.value !== ')')) continue;
    const startAfter = toks[firstAfter]!;
    if (startAfter.type === 'punct' && '.?:+-*/|&,=)]}'.includes(startAfter.value[0]!)) continue;
    out.push(L);
  }
  return out;
}

/**
 * Pairs of neighbouring code lines (0-based, within [from, to]) whose indentation contradicts
 * their bracket depth: the depth falls while the indentation does not, or rises while it falls
 * or stays, or the indentation falls while the depth does not. (The indentation rising alone is
 * a continued line.) A line's depth is taken after the closers that lead it.
 */
export function indentDisagreements(lx: Lexed, from: number, to: number): number {
  const toks = lx.tokens;
  const n = lx.lineStarts.length;
  let count = 0;
  let prev: { indent: number; depth: number } | undefined;
  for (let L = Math.max(0, from); L <= Math.min(n - 1, to); L++) {
    const ind = lx.indent[L]!;
    if (ind < 0) continue;
    let t = lx.lineFirst[L]!;
    let d = lx.depth[t]!;
    while (t < toks.length && toks[t]!.line === L && toks[t]!.type === 'punct' && (toks[t]!.value === '}' || toks[t]!.value === ')' || toks[t]!.value === ']')) {
      if (lx.match[t]! >= 0) d--;
      t++;
    }
    if (prev) {
      const di = Math.sign(ind - prev.indent);
      const dd = Math.sign(d - prev.depth);
      if ((dd < 0 && di >= 0) || (dd > 0 && di <= 0) || (di < 0 && dd >= 0)) count++;
    }
    prev = { indent: ind, depth: d };
  }
  return count;
}

function endsWithBreak(text: string): boolean {
  return text.length > 0 && isLineBreak(text.charCodeAt(text.length - 1));
}

/**
 * A string left open: close it where the code resumes on its line (rightmost first, since a
 * string more often ends before the line's closing punctuation than at a comma inside it), or
 * delete the stray quote.
 */
function stringCandidates(lx: Lexed, e: number, errLine: number): Candidate[] {
  const out: Candidate[] = [];
  const toks = lx.tokens;
  const text = lx.text;
  const lo = Math.max(0, e - WINDOW - 2);
  for (let i = Math.min(toks.length - 1, e + 2); i >= lo; i--) {
    const tok = toks[i]!;
    if (tok.type !== 'string' || !tok.unterminated) continue;
    if (tok.line < errLine - 1 || tok.line > errLine + 1) continue;
    const q = text[tok.start]!;
    const lineStart = lx.lineStarts[tok.line]!;
    let lineEnd = tok.end;
    while (lineEnd < text.length && !isLineBreak(text.charCodeAt(lineEnd))) lineEnd++;
    let codeEnd = lineEnd;
    while (codeEnd > tok.start + 1 && (text[codeEnd - 1] === ' ' || text[codeEnd - 1] === '\t')) codeEnd--;
    // positions where a closing quote could go: before the line's closing punctuation
    // (`');`, `',`), at the end of the line, then where code resumes, right to left
    let run = codeEnd;
    while (run > tok.start + 1 && ';,)]}'.includes(text[run - 1]!)) run--;
    // a closer the string's own text opened stays inside it (`'[object Array],`)
    while (run < codeEnd && lineBalance(text.slice(tok.start + 1, run), 0) > 0) run++;
    const spots: number[] = run < codeEnd ? [run, codeEnd] : [codeEnd];
    const spaced = new Set<number>();
    for (let j = codeEnd - 1; j > lineStart; j--) {
      if (j === run) continue;
      const prev = text.charCodeAt(j - 1);
      const here = text[j]!;
      const ws = prev === 32 || prev === 9;
      if (',;)]}:+ ?.'.includes(here) && !',;)]}:+ ?(.'.includes(String.fromCharCode(prev))) {
        spots.push(j);
        if (ws) spaced.add(j);
      } else if (j === tok.start + 1 && j < codeEnd) spots.push(j);
    }
    const head = lineBalance(text.slice(lineStart, tok.start), 0);
    spots.forEach((at, k) => {
      const cost = 0.9 + 0.03 * k + (at < tok.start ? 0.1 : 0) + (spaced.has(at) ? 0.1 : 0) + tailPenalty(head, text.slice(at, codeEnd)) + (codeLike(text.slice(tok.start + 1, at)) ? 0.3 : 0);
      out.push({ edit: { offset: at, del: 0, ins: q }, cost, kind: 'insert', token: q, why: 'string' });
    });
    // inside that punctuation too, after the two ends of it: the string's own text may end with some of it (`'&quot;',`)
    for (let at = run + 1; at < codeEnd; at++) {
      const cost = 0.96 + tailPenalty(head, text.slice(at, codeEnd)) + (codeLike(text.slice(tok.start + 1, at)) ? 0.3 : 0);
      out.push({ edit: { offset: at, del: 0, ins: q }, cost, kind: 'insert', token: q, why: 'string' });
    }
    out.push({ edit: { offset: tok.start, del: 1, ins: '' }, cost: 1.3, kind: 'delete', token: q, was: q, why: 'string' });
  }
  return out;
}

/**
 * Whether a string's would-be content reads as code: a comparison or logical operator between
 * spaces, a call with its arguments, a conditional (`'string ? a.raw : String(a)'`).
 */
export function codeLike(content: string): boolean {
  return /\s(?:===|!==|==|!=|&&|\|\||\?\?)\s|[\w$]\([^()]*\)|\s\?\s[^:]+\s:\s/.test(content);
}

/** Bracket depth after scanning `code` (quotes' contents skipped), starting from `depth`. */
function lineBalance(code: string, depth: number): number {
  let d = depth;
  let quote = '';
  for (let j = 0; j < code.length; j++) {
    const ch = code[j]!;
    if (quote) {
      if (ch === '\\') j++;
      else if (ch === quote) quote = '';
      continue;
    }
    if (ch === "'" || ch === '"' || ch === '`') quote = ch;
    else if (ch === '(' || ch === '[' || ch === '{') d++;
    else if (ch === ')' || ch === ']' || ch === '}') d--;
  }
  return d;
}

/** How badly the code after a closing quote fits the code before the string on its line. */
function tailPenalty(head: number, tail: string): number {
  let d = Math.max(0, head);
  let below = 0;
  let quote = '';
  for (let j = 0; j < tail.length; j++) {
    const ch = tail[j]!;
    if (quote) {
      if (ch === '\\') j++;
      else if (ch === quote) quote = '';
      continue;
    }
    if (ch === "'" || ch === '"' || ch === '`') quote = ch;
    else if (ch === '(' || ch === '[' || ch === '{') d++;
    else if (ch === ')' || ch === ']' || ch === '}') {
      if (d > 0) d--;
      else below++;
    }
  }
  return 0.3 * below + 0.1 * Math.min(d, 3);
}

/**
 * Keywords a slip can mistype into a name. Two-letter ones only by a doubled letter (`iff`):
 * a name one edit from `if` or `in` is far more often just a name.
 */
const TYPO_KEYWORDS = [
  'function', 'return', 'const', 'let', 'var', 'else', 'async', 'await', 'typeof', 'instanceof', 'if', 'for', 'while', 'do',
  'new', 'throw', 'try', 'catch', 'finally', 'switch', 'case', 'default', 'break', 'continue', 'class', 'extends', 'export',
  'import', 'from', 'delete', 'yield', 'void', 'static', 'in', 'of',
];
const KEYWORD_SET = new Set(TYPO_KEYWORDS);

/** How `typed` is one slip away from `meant`: a transposed, dropped, doubled or other letter. */
export function slipKind(typed: string, meant: string): 'transposed' | 'dropped' | 'doubled' | 'substituted' | 'inserted' | undefined {
  const a = typed;
  const b = meant;
  if (a === b) return undefined;
  if (a.length === b.length) {
    const diff: number[] = [];
    for (let i = 0; i < a.length && diff.length <= 2; i++) if (a[i] !== b[i]) diff.push(i);
    if (diff.length === 2 && diff[1] === diff[0]! + 1 && a[diff[0]!] === b[diff[1]] && a[diff[1]] === b[diff[0]!]) return 'transposed';
    if (diff.length === 1 && a.length > 3) return 'substituted';
    return undefined;
  }
  if (a.length === b.length - 1) {
    for (let i = 0; i < b.length; i++) if (b.slice(0, i) + b.slice(i + 1) === a) return 'dropped';
    return undefined;
  }
  if (a.length === b.length + 1) {
    for (let i = 0; i < a.length; i++) {
      if (a.slice(0, i) + a.slice(i + 1) !== b) continue;
      return a[i] === a[i - 1] || a[i] === a[i + 1] ? 'doubled' : 'inserted';
    }
  }
  return undefined;
}

/** Whether a name is one slip from a keyword (`fi`, `retrun`, `conts`). */
export function mistypedKeyword(name: string): boolean {
  return TYPO_KEYWORDS.some((k) => { const kind = slipKind(name, k); return !!kind && !(k.length <= 2 && (name.length < 2 || kind === 'substituted')); });
}

/**
 * A name a keyword of four letters or more with two letters swapped, one dropped or one doubled
 * (`functioon`, `retrun`, `retun`): no name means that. A letter added (`exports`, `doy`, `lets`)
 * or swapped for another (`cases`) is as often a word of its own.
 */
export function garbledKeyword(name: string): boolean {
  return TYPO_KEYWORDS.some((k) => {
    const kind = k.length >= 4 ? slipKind(name, k) : undefined;
    return kind === 'transposed' || kind === 'dropped' || kind === 'doubled';
  });
}

const SLIP_COST = { transposed: 0.62, dropped: 0.66, doubled: 0.64, substituted: 0.95, inserted: 0.9 } as const;

/** Characters that stand in no JavaScript outside strings and comments where a slip leaves them. */
const STRAY = /[@#\\`]/;
const UNICODE_ESCAPE = /^\\u(?:[0-9a-fA-F]{4}|\{[0-9a-fA-F]{1,6}\})/;

/**
 * Slips of whole words and of characters: a name one slip from a keyword, near the error
 * (`retrun total`, `conts x`, `} els {`), cheap when the name occurs nowhere else in the file
 * (a real name is used more than once); an arrow typed as `=` or `>=` after a parameter list;
 * and a character no code has (`@`, `#`, `\\`, a backtick) typed into a line.
 */
export function wordCandidates(lx: Lexed, e: number, errLine: number): Candidate[] {
  const out: Candidate[] = [];
  const toks = lx.tokens;
  const text = lx.text;
  let counts: Map<string, number> | undefined;
  const countOf = (name: string): number => {
    if (!counts) {
      counts = new Map();
      for (const t of toks) if (t.type === 'name') counts.set(t.value, (counts.get(t.value) ?? 0) + 1);
    }
    return counts.get(name) ?? 0;
  };
  const keywordTypos = (i: number, d: number): void => {
    const tok = toks[i]!;
    if (tok.type !== 'name' || afterDot(lx, i) || KEYWORD_SET.has(tok.value) || !/^[a-z]+$/.test(tok.value)) return;
    const elsewhere = countOf(tok.value) > 1 ? 0.7 : 0;
    for (const k of TYPO_KEYWORDS) {
      const kind = slipKind(tok.value, k);
      // a name one letter from `if` or `in` is more often just a name: dearer, and never `x` for `if`
      if (!kind || (k.length <= 2 && (tok.value.length < 2 || kind === 'substituted'))) continue;
      out.push({
        edit: { offset: tok.start, del: tok.end - tok.start, ins: k },
        cost: SLIP_COST[kind] + d + elsewhere + (k.length <= 2 ? 0.15 : 0),
        kind: 'replace',
        token: k,
        was: tok.value,
        why: 'keyword',
      });
    }
  };
  // `fucntion (a, b, c) {`, `fi (x) {`: V8 stops at the '{' after the ')', and a long head leaves
  // its word beyond the window; the word (or the one before a function's name) heads the parentheses
  const close = toks[e - 1];
  if (close && close.type === 'punct' && close.value === ')' && lx.match[e - 1]! >= 0) {
    const open = lx.match[e - 1]!;
    for (const i of [open - 1, open - 2]) if (i >= 0 && i < e - 7 && toks[i]!.line >= errLine - 2) keywordTypos(i, 0.05 * (open - i));
  }
  // `(limit) = {⏎ return (a) => {`: the arrow's body read as an object literal, which fails on its
  // first statement however far below the `=`: the '{' around the error heads the arrow's body
  for (let p = e < toks.length ? lx.parent[e]! : -1, up = 0; p >= 2 && up < 2; p = lx.parent[p]!, up++) {
    const open = toks[p]!;
    const eq = toks[p - 1]!;
    const before = toks[p - 2]!;
    if (open.value !== '{' || eq.type !== 'punct' || eq.value !== '=' || p - 1 < e - 40 || p - 1 >= e - 7) continue;
    if (!((before.type === 'punct' && before.value === ')') || (before.type === 'name' && !KEYWORD_CLASS.has(before.value)))) continue;
    out.push({ edit: { offset: eq.start, del: 1, ins: '=>' }, cost: (before.type === 'punct' ? 0.7 : 1.0) + 0.1 * (up + 1), kind: 'replace', token: '=>', was: '=', why: 'arrow' });
  }
  for (let i = Math.max(0, e - 7); i <= Math.min(toks.length - 1, e + 12); i++) {
    const tok = toks[i]!;
    if (tok.line < errLine - 1 || tok.line > errLine || (i > e + 2 && tok.line !== errLine)) continue;
    const d = 0.05 * Math.abs(e - i);
    const prev = toks[i - 1];
    if (i <= e + 2) keywordTypos(i, d);
    // an arrow typed as `=` or `>=`: `(err, res) = {`, `x >= x * 2`
    if (tok.type === 'punct' && (tok.value === '=' || tok.value === '>=') && prev) {
      const afterParams = prev.type === 'punct' && prev.value === ')';
      const afterName = prev.type === 'name' && !KEYWORD_CLASS.has(prev.value);
      if (afterParams || afterName) {
        const cost = (tok.value === '>=' ? 0.6 : afterParams ? 0.7 : 1.0) + d;
        out.push({ edit: { offset: tok.start, del: tok.end - tok.start, ins: '=>' }, cost, kind: 'replace', token: '=>', was: tok.value, why: 'arrow' });
      }
    }
    // a stray character: a punctuator `@`, a name that starts with `#` outside a class or holds a `\\`
    if (i > e + 2) continue;
    if (tok.type === 'punct' && tok.value === '@') {
      out.push({ edit: { offset: tok.start, del: 1, ins: '' }, cost: 0.55 + d, kind: 'delete', token: '@', was: '@', why: 'stray' });
    } else if (tok.type === 'name' && STRAY.test(tok.value)) {
      for (let j = tok.start; j < tok.end; j++) {
        const ch = text[j]!;
        if (ch === '#' && j === tok.start && inClassBody(lx, i)) continue;
        // `\u0061` and `\u{61}` are escapes a name may hold; `\ult` is none
        if (ch === '\\' && UNICODE_ESCAPE.test(text.slice(j, j + 12))) continue;
        if (ch === '#' || ch === '\\') out.push({ edit: { offset: j, del: 1, ins: '' }, cost: 0.55 + d, kind: 'delete', token: ch, was: ch, why: 'stray' });
      }
    }
  }
  // a stray backtick opens a template that runs on to the next backtick: the error falls inside
  // or just after the template, and the backtick that opened it is the slip; or V8 puts it before
  // the template, on the word it reads as a tag (`do\`y: 4`) or at the start of its line
  // (`require(\`'./a')`: "missing ) after argument list"), so later on the error's line too
  for (let i = Math.max(0, e - 3); i <= Math.min(toks.length - 1, e + 12); i++) {
    const tok = toks[i]!;
    if (i > e && tok.line !== errLine) break;
    if (tok.type !== 'template' || tok.tplClose) continue;
    const d = 0.05 * Math.abs(e - i);
    out.push({ edit: { offset: tok.start, del: 1, ins: '' }, cost: 0.75 + d, kind: 'delete', token: '`', was: '`', why: 'stray' });
    if (tok.end > 0 && text[tok.end - 1] === '`' && tok.end - 1 > tok.start)
      out.push({ edit: { offset: tok.end - 1, del: 1, ins: '' }, cost: 0.8 + d, kind: 'delete', token: '`', was: '`', why: 'stray' });
  }
  return out;
}

/** Whether token `i` sits directly in a class body (where `#name` is a private member). */
function inClassBody(lx: Lexed, i: number): boolean {
  for (let p = lx.parent[i]!; p >= 0; p = lx.parent[p]!) {
    const open = lx.tokens[p]!;
    if (open.type !== 'punct' || open.value !== '{') continue;
    // `class X {`, `class X extends Y {`: a `class` keyword a few tokens before the brace
    for (let k = p - 1; k >= Math.max(0, p - 8); k--) {
      const t = lx.tokens[k]!;
      if (t.type === 'name' && t.value === 'class') return true;
      if (t.type === 'punct' && (t.value === '{' || t.value === '}' || t.value === ';')) break;
    }
  }
  return false;
}
