/**
 * Evidence that tells a repair from its near rival, read from the file as a person would: where
 * a lost `]` belongs by the file's own layout and by the subscripts it writes elsewhere. It only
 * ever counts for the repair (it raises confidence), and only when it clearly prefers it: both
 * sides are read the same way and the rival comes out worse.
 */
import type { AppliedEdit } from './search.js';
import { editRegions } from './search.js';
import { applyEdits } from './respell.js';
import { lex, lineOf, nameUses, tokenAt, type Lexed } from './tokens.js';
import { tokenClass, type Bigrams } from './candidates.js';
import { unseenPairs } from './pairs.js';
import { precisionFindings, type Finding } from './precision.js';
import { parseStrict } from '../../analysis/surface.js';
import type { Program } from 'acorn';

/** A bracket pair longer than this (tokens inside) is no construct a file repeats. */
const MAX_CONTENT = 12;

interface Side {
  /** Every `]` the edits put in closes its `[` on the same line, or on a line of its own at the opener's indentation. */
  laidOut: boolean;
  /** A `]` the edits put in closes a `[` of an earlier line, not at its own line's start: the layout says it belongs elsewhere. */
  misplaced: boolean;
  /** Least count, over the constructs the edits make, of their occurrences elsewhere in the broken file (Infinity: none made). */
  seen: number;
  /** The constructs, as written. */
  shown: string[];
  /** The tokens inside the first `[…]` the edit closes. */
  content?: string[];
}

/** Operators that go on with an expression: a key that continues with one (`[start + index]`) is as natural as the key alone. */
const CONTINUES = new Set(['+', '-', '*', '/', '%', '**', '&&', '||', '??', '|', '&', '^', '<<', '>>', '>>>', '<', '>', '<=', '>=', '==', '===', '!=', '!==', '?', 'instanceof', 'in', '.', '?.']);

/** One content is the other going on with an operator (`[start` and `[start + index`). */
function continued(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (!a || !b || a.length === b.length) return false;
  const [short, long] = a.length < b.length ? [a, b] : [b, a];
  return short.every((t, i) => long[i] === t) && CONTINUES.has(long[short.length]!);
}

/**
 * A repair and its nearest rival as the evidence functions read them: the broken text lexed, the
 * repair (its text, lexed when the caller has it), the rival's edits, and the rival's text and
 * tokens, each made once, when first asked for, however many functions read them.
 */
export class Sides {
  private rlx: Lexed | undefined;
  private rtext: string | undefined;
  private tlx: Lexed | undefined;
  constructor(
    readonly broken: Lexed,
    readonly repair: { text: string; edits: readonly AppliedEdit[] },
    readonly rivalEdits: readonly AppliedEdit[],
    repairLx?: Lexed,
  ) {
    this.rlx = repairLx?.text === repair.text ? repairLx : undefined;
  }
  get repairLx(): Lexed {
    return (this.rlx ??= lex(this.repair.text));
  }
  get rivalText(): string {
    return (this.rtext ??= applyEdits(this.broken.text, this.rivalEdits));
  }
  get rivalLx(): Lexed {
    return (this.tlx ??= lex(this.rivalText));
  }
}

/**
 * Why the file prefers the repair to its rival, or undefined when it does not clearly. Applies
 * when the repair puts in a `]` (a lost `]`): the rival put its `]` elsewhere or made no
 * subscript at all. `broken`: the broken text, lexed; edits in its coordinates.
 */
export function bracketEvidence(sides: Sides): string | undefined {
  const { broken, repair, rivalEdits } = sides;
  const key = (a: AppliedEdit): string => `${a.offset}:${a.candidate.edit.del}:${a.candidate.edit.ins}`;
  const shared = new Set(repair.edits.map(key).filter((k) => rivalEdits.some((r) => key(r) === k)));
  const mine = repair.edits.filter((a) => !shared.has(key(a)));
  const theirs = rivalEdits.filter((a) => !shared.has(key(a)));
  if (mine.length !== 1 || theirs.length !== 1) return undefined;
  if (mine[0]!.candidate.kind !== 'insert' || mine[0]!.candidate.edit.ins.trim() !== ']') return undefined;
  const skip = linesOf(broken, [...mine, ...theirs]);
  const a = side(broken, repair.text, repair.edits, mine[0]!, skip);
  const b = side(broken, sides.rivalText, rivalEdits, theirs[0]!, skip);
  if (!a || !b) return undefined;
  if (continued(a.content, b.content)) return undefined;
  if (a.laidOut && b.misplaced) return `the file's layout closes the '[' where the repair does (the rival's ']' ends a later line)`;
  if (a.seen >= 1 && a.seen !== Infinity && b.seen === 0 && !b.misplaced === !a.misplaced)
    return `the file writes ${a.shown.join(', ')} elsewhere, and never the rival's ${b.shown.join(', ') || 'reading'}`;
  return subscriptedName(sides, mine[0]!, theirs[0]!);
}

/**
 * When the rival swaps the `[` the repair closes for another token (`suffixes[c` read as
 * `suffixes.c`): the file's own use of the name before it. A name the file subscripts
 * elsewhere and never follows with the rival's token is indexed here too.
 */
function subscriptedName(sides: Sides, mine: AppliedEdit, theirs: AppliedEdit): string | undefined {
  const { broken, repair } = sides;
  if (theirs.candidate.kind !== 'replace' || broken.text.slice(theirs.offset, theirs.offset + theirs.candidate.edit.del) !== '[') return undefined;
  const put = theirs.candidate.edit.ins.trim();
  const k = tokenAt(broken, theirs.offset);
  const name = broken.tokens[k - 1];
  if (!name || name.type !== 'name' || tokenClass(broken, name) !== 'id' || !put) return undefined;
  // the repair's `]` closes that very `[`
  const lx = sides.repairLx;
  const open = tokenAt(lx, theirs.offset);
  const close = lx.match[open] ?? -1;
  const [lo, hi] = editRegions(repair.edits)[repair.edits.indexOf(mine)]!;
  if (close < 0 || lx.tokens[close]!.start < lo || lx.tokens[close]!.start >= hi) return undefined;
  const word = name.value;
  // on any line, the edit's own too (`suffixes[a] || suffixes[b] || suffixes[c`): only its `[` is the slip's
  let indexed = 0;
  for (let j = 1; j < broken.tokens.length; j++) {
    const t = broken.tokens[j]!;
    if (j !== k && t.type === 'punct' && t.value === '[' && broken.tokens[j - 1]!.type === 'name' && broken.tokens[j - 1]!.value === word) indexed++;
  }
  if (indexed >= 1 && occurrences(broken, [word, put], new Set()) === 0)
    return `the file subscripts '${word}' elsewhere (${indexed} time${indexed === 1 ? '' : 's'}) and never writes '${word} ${put}', the rival's reading`;
  // `array[mid` read as `array.mid`: a key the file writes as a variable and never as a member
  const key = broken.tokens[k + 1];
  if (put !== '.' || !key || key.type !== 'name' || tokenClass(broken, key) !== 'id' || broken.tokens[k + 2]?.value === '.') return undefined;
  const { bare, member } = nameUses(broken, key.value, k + 1);
  return bare >= 1 && member === 0 ? `the rival reads '${key.value}', which the file writes as a variable ${bare} time${bare === 1 ? '' : 's'} and never as a member, as a member of '${word}'` : undefined;
}

/**
 * Why the rival reads worse than the repair by what the file shows elsewhere, or undefined:
 * - the repair deletes one of two lone '}' lines at one indentation, one under the other (a line
 *   typed twice), and the rival keeps both;
 * - the rival puts tokens side by side as the file never has them (unseenPairs), the repair does not.
 */
export function rivalReadsWorse(sides: Sides, stats: Bigrams): string | undefined {
  const { broken, repair, rivalEdits } = sides;
  const doubled = doubledLines(broken, repair.edits);
  // a rival that makes one of them another token alone on its line (`;`) keeps it, unless the file writes such lines
  const keeps = (a: AppliedEdit): boolean =>
    !deletesBraceOn(broken, a, doubled!) || (a.candidate.kind === 'replace' && a.candidate.edit.ins.trim() !== '' && !loneLines(broken, a.candidate.edit.ins.trim(), doubled!));
  if (doubled && rivalEdits.every(keeps)) return `the repair undoes a '}' line typed twice (lines ${doubled.map((l) => l + 1).join(' and ')}), the rival keeps both`;
  // where a lost ']' goes, pairs mislead: the right place and a wrong one both write `x ]`
  // (bench:repair: uuid's `byteToHex[arr[offset + 5]` closed at the line's end); bracketEvidence judges those
  const closes = (a: AppliedEdit): boolean => a.candidate.kind === 'insert' && a.candidate.edit.ins.trim() === ']';
  if (repair.edits.some(closes) || rivalEdits.some(closes)) return undefined;
  const theirs = unseenPairs(sides.rivalText, rivalEdits, editRegions(rivalEdits), broken, stats);
  if (theirs.length && !unseenPairs(repair.text, repair.edits, editRegions(repair.edits), broken, stats).length)
    return `the rival puts tokens side by side as the file never has them (${theirs.join(', ')}), the repair does not`;
  return undefined;
}

/** The two lines of a doubled lone '}' (same indentation, next code lines) one of which the edits delete. */
function doubledLines(lx: Lexed, edits: readonly AppliedEdit[]): [number, number] | undefined {
  const lone = (line: number): boolean => {
    const f = lx.lineFirst[line] ?? -1;
    const t = lx.tokens[f];
    return !!t && t.type === 'punct' && t.value === '}' && (lx.tokens[f + 1]?.line ?? -1) !== line;
  };
  const codeLine = (from: number, step: number): number => {
    let l = from + step;
    while (l >= 0 && l < lx.lineStarts.length && lx.indent[l]! < 0) l += step;
    return l;
  };
  for (const a of edits) {
    const line = lineOf(lx, a.offset + Math.max(0, lx.text.slice(a.offset, a.offset + a.candidate.edit.del).indexOf('}')));
    if (!deletesBraceOn(lx, a, [line, line]) || !lone(line)) continue;
    for (const other of [codeLine(line, -1), codeLine(line, 1)]) if (lone(other) && lx.indent[other] === lx.indent[line]) return other < line ? [other, line] : [line, other];
  }
  return undefined;
}

/** Whether the file has a line holding only `token`, the lines `skip` aside. */
function loneLines(lx: Lexed, token: string, skip: readonly number[]): boolean {
  for (let l = 0; l < lx.lineStarts.length; l++) {
    const f = lx.lineFirst[l] ?? -1;
    const t = lx.tokens[f];
    if (!t || skip.includes(l) || lx.text.slice(t.start, t.end) !== token) continue;
    if ((lx.tokens[f + 1]?.line ?? -1) !== l) return true;
  }
  return false;
}

/** Whether an edit deletes (or replaces) a '}' that starts one of the lines. */
function deletesBraceOn(lx: Lexed, a: AppliedEdit, lines: readonly number[]): boolean {
  if (a.candidate.kind === 'insert') return false;
  const removed = lx.text.slice(a.offset, a.offset + a.candidate.edit.del);
  const at = removed.indexOf('}');
  if (at < 0) return false;
  return lines.includes(lineOf(lx, a.offset + at));
}

/** The broken text's lines the edits touch: a construct counted there is the slip's own. */
function linesOf(lx: Lexed, edits: readonly AppliedEdit[]): Set<number> {
  const out = new Set<number>();
  for (const a of edits) for (let l = lineOf(lx, a.offset); l <= lineOf(lx, a.offset + a.candidate.edit.del); l++) out.add(l);
  return out;
}

/** How one side's own edit `own` reads in its text. */
function side(broken: Lexed, text: string, edits: readonly AppliedEdit[], own: AppliedEdit, skip: ReadonlySet<number>): Side | undefined {
  const idx = edits.indexOf(own);
  const [lo, hi] = editRegions(edits)[idx]!;
  const lx = lex(text);
  const out: Side = { laidOut: true, misplaced: false, seen: Infinity, shown: [] };
  let closers = 0;
  for (let k = tokenAt(lx, lo); k < lx.tokens.length && lx.tokens[k]!.start < Math.max(hi, lo + 1); k++) {
    const t = lx.tokens[k]!;
    if (t.type !== 'punct' || t.value !== ']') continue;
    const o = lx.match[k]!;
    if (o < 0) return undefined;
    closers++;
    const open = lx.tokens[o]!;
    const sameLine = open.line === t.line;
    const ownLine = t.first && lx.indent[t.line] === lx.indent[open.line];
    if (!sameLine && !ownLine) {
      out.laidOut = false;
      out.misplaced = true;
    }
    out.content ??= construct(lx, o, k).slice(1, -1);
    if (sameLine && k - o - 1 <= MAX_CONTENT) count(out, construct(lx, o, k), broken, skip);
  }
  if (!closers) {
    // no `]` put in (a `[` made `.` or `,`, or deleted): the tokens around the edit are its construct
    out.laidOut = false;
    const at = tokenAt(lx, lo);
    const from = Math.max(0, at - 1);
    const to = Math.min(lx.tokens.length - 1, hi > lo ? tokenAt(lx, hi - 1) + 1 : at);
    if (to - from >= 2) count(out, construct(lx, from, to), broken, skip);
  }
  return out;
}

/** The texts of tokens from..to of a text. */
function construct(lx: Lexed, from: number, to: number): string[] {
  const out: string[] = [];
  for (let k = from; k <= to; k++) out.push(lx.text.slice(lx.tokens[k]!.start, lx.tokens[k]!.end));
  return out;
}

/** Record a construct and how often the broken file writes it, its edit lines aside. */
function count(side: Side, seq: string[], broken: Lexed, skip: ReadonlySet<number>): void {
  side.shown.push(`'${seq.join(' ')}'`);
  side.seen = Math.min(side.seen, occurrences(broken, seq, skip));
}

function occurrences(lx: Lexed, seq: readonly string[], skip: ReadonlySet<number>): number {
  const toks = lx.tokens;
  let n = 0;
  outer: for (let k = 0; k + seq.length <= toks.length; k++) {
    if (skip.has(toks[k]!.line)) continue;
    for (let j = 0; j < seq.length; j++) {
      const t = toks[k + j]!;
      if (t.end - t.start !== seq[j]!.length || lx.text.slice(t.start, t.end) !== seq[j]) continue outer;
    }
    n++;
  }
  return n;
}

/** What the evidence here is worth, in cost units of margin over the rival. */
export const SEPARATION = 0.5;

/**
 * Why a stray character's deletion is no unlikely edit: the word it leaves (`we@ekdaysMin` ->
 * `weekdaysMin`) is one the file writes elsewhere, or a keyword (`retu#rn` -> `return`), so the character was
 * typed into a word, not left for a lost token. Undefined unless the repair is that one deletion.
 */
export function strayInKnownWord(broken: Lexed, repair: { text: string; edits: readonly AppliedEdit[] }): string | undefined {
  if (repair.edits.length !== 1) return undefined;
  const a = repair.edits[0]!;
  if (a.candidate.why !== 'stray' || a.candidate.kind !== 'delete') return undefined;
  const [lo] = editRegions(repair.edits)[0]!;
  const lx = lex(repair.text);
  const k = tokenAt(lx, lo);
  // the word the deletion joined or freed: the token at the spot, or the one ending there
  const words = [lx.tokens[k - 1], lx.tokens[k]].filter((t) => t && t.type === 'name' && t.start <= lo && t.end >= lo && t.end > t.start);
  const line = lineOf(broken, a.offset);
  for (const t of words) {
    const word = lx.text.slice(t!.start, t!.end);
    // a word of the language itself (`retu#rn`): known whether or not the file writes it again
    if (tokenClass(lx, t) !== 'id') return `deleting the stray '${a.candidate.was}' leaves '${word}', a keyword`;
    const elsewhere = broken.tokens.filter((b) => b.type === 'name' && b.line !== line && b.value === word).length;
    // a global every script can read (`i@sNaN` -> `isNaN`): known whether or not the file writes it again
    if (!elsewhere && Object.prototype.hasOwnProperty.call(globalThis, word) && /^[A-Za-z]\w+$/.test(word)) return `deleting the stray '${a.candidate.was}' leaves '${word}', a global of the language`;
    if (elsewhere >= 1) return `deleting the stray '${a.candidate.was}' leaves '${word}', a word the file writes ${elsewhere} time${elsewhere === 1 ? '' : 's'} elsewhere`;
  }
  return undefined;
}

/** The edits each side makes that the other does not. */
function ownEdits(edits: readonly AppliedEdit[], rivalEdits: readonly AppliedEdit[]): { mine: AppliedEdit[]; theirs: AppliedEdit[] } {
  const key = (a: AppliedEdit): string => `${a.offset}:${a.candidate.edit.del}:${a.candidate.edit.ins}`;
  const theirKeys = new Set(rivalEdits.map(key));
  const myKeys = new Set(edits.map(key));
  return { mine: edits.filter((a) => !theirKeys.has(key(a))), theirs: rivalEdits.filter((a) => !myKeys.has(key(a))) };
}

/** Fewest times the file writes a run the edits make, for the repair to count as the file's construct. */
const SEEN_RUNS = 3;

/**
 * Why the file prefers the repair to its rival by the runs of three tokens (their classes, line
 * breaks marked) that each side's own edits make: the file writes every one of the repair's at
 * least SEEN_RUNS times elsewhere and one of the rival's never (`, ⏎'b',` against `, , ⏎'b'`;
 * `function () {` against `function ([]) {`). Not when both swap the same token for another:
 * a third token there reads as well, and the runs cannot tell it.
 */
export function runsEvidence(sides: Sides): string | undefined {
  const { broken, repair, rivalEdits } = sides;
  const { mine, theirs } = ownEdits(repair.edits, rivalEdits);
  if (!mine.length || !theirs.length) return undefined;
  if (mine.length === 1 && theirs.length === 1 && mine[0]!.candidate.kind === 'replace' && theirs[0]!.candidate.kind === 'replace' && mine[0]!.offset === theirs[0]!.offset) return undefined;
  const counts = runCounts(broken, linesOf(broken, [...mine, ...theirs]));
  const a = runsMade(repair.text, repair.edits, mine, counts);
  const b = runsMade(sides.rivalText, rivalEdits, theirs, counts);
  if (!a.runs.length || !b.runs.length) return undefined;
  if (a.least >= SEEN_RUNS && b.least === 0)
    return `the repair's token runs ${a.runs.map(show).join(', ')} occur ${a.least}+ times each elsewhere in the file, the rival's ${b.runs.filter((r) => !counts.get(r)).map(show).join(', ')} never`;
  return undefined;
}

const show = (run: string): string => `'${run.replace(/\n/g, ' ⏎ ')}'`;

/** Class of token k with what parts it from the one before (a line break or not). */
function runPart(lx: Lexed, k: number): string {
  return (lx.tokens[k]!.first ? '\n' : ' ') + tokenClass(lx, lx.tokens[k]);
}

function runAt(lx: Lexed, j: number): string {
  return tokenClass(lx, lx.tokens[j]) + runPart(lx, j + 1) + runPart(lx, j + 2);
}

/** How often the file writes each run of three tokens, runs touching the lines `skip` aside. */
function runCounts(lx: Lexed, skip: ReadonlySet<number>): Map<string, number> {
  const out = new Map<string, number>();
  const t = lx.tokens;
  for (let j = 0; j + 2 < t.length; j++) {
    if (skip.has(t[j]!.line) || skip.has(t[j + 1]!.line) || skip.has(t[j + 2]!.line)) continue;
    const r = runAt(lx, j);
    out.set(r, (out.get(r) ?? 0) + 1);
  }
  return out;
}

/** The runs of three tokens in `text` that hold a token the edits `own` put in, or span a gap one left. */
function runsMade(text: string, edits: readonly AppliedEdit[], own: readonly AppliedEdit[], counts: ReadonlyMap<string, number>): { runs: string[]; least: number } {
  const lx = lex(text);
  const regions = editRegions(edits);
  const runs = new Set<string>();
  for (const a of own) {
    const [lo, hi] = regions[edits.indexOf(a)]!;
    // windows j..j+2 from `from` to `to`: those holding a token put in, or both tokens a deletion brought together
    let from: number;
    let to: number;
    if (hi > lo) {
      const first = tokenAt(lx, lo);
      if (first >= lx.tokens.length || lx.tokens[first]!.start >= hi) continue;
      let last = first;
      while (last + 1 < lx.tokens.length && lx.tokens[last + 1]!.start < hi) last++;
      [from, to] = [first - 2, last];
    } else {
      const after = tokenAt(lx, lo);
      [from, to] = [after - 2, after - 1];
    }
    for (let j = Math.max(0, from); j <= to && j + 2 < lx.tokens.length; j++) runs.add(runAt(lx, j));
  }
  let least = Infinity;
  for (const r of runs) least = Math.min(least, counts.get(r) ?? 0);
  return { runs: [...runs], least };
}

/** How a token sits among its neighbours on its line: first or after a space or tight, then last or before a space or tight. */
function spacingOf(text: string, start: number, end: number): string {
  const before = text[start - 1];
  const after = text[end];
  const b = before === undefined || before === '\n' || /^[ \t]*$/.test(text.slice(text.lastIndexOf('\n', start - 1) + 1, start)) ? 'first' : before === ' ' || before === '\t' ? 'space' : 'tight';
  const a = after === undefined || after === '\n' || after === '\r' || /^[ \t]*(\/\/|\r?\n|$)/.test(text.slice(end, end + 3)) ? 'last' : after === ' ' || after === '\t' ? 'space' : 'tight';
  return `${b}/${a}`;
}

/** How the file spaces a punctuator: the count of each spacing, lines `skip` aside, and in all. */
function spacingHabit(lx: Lexed, token: string, skip: ReadonlySet<number>): { by: Map<string, number>; total: number } {
  const by = new Map<string, number>();
  let total = 0;
  for (const t of lx.tokens) {
    if (t.type !== 'punct' || t.value !== token || skip.has(t.line)) continue;
    const s = spacingOf(lx.text, t.start, t.end);
    by.set(s, (by.get(s) ?? 0) + 1);
    total++;
  }
  return { by, total };
}

/** The punctuator an edit puts in, as it sits in `text` (`region`: the edit's place there), or undefined. */
function putIn(text: string, a: AppliedEdit, region: readonly [number, number]): { token: string; spacing: string } | undefined {
  const token = a.candidate.edit.ins.trim();
  if (a.candidate.kind === 'delete' || !token) return undefined;
  const at = text.indexOf(token, region[0]);
  if (at < 0 || at >= region[1]) return undefined;
  // the token as the lexer reads it there: `.0` is a number, not a '.'
  const lx = lex(text.slice(text.lastIndexOf('\n', at - 1) + 1, (text.indexOf('\n', at) + 1 || text.length + 1) - 1));
  const from = text.lastIndexOf('\n', at - 1) + 1;
  const t = lx.tokens[tokenAt(lx, at - from)];
  if (!t || t.type !== 'punct' || t.value !== token || t.start !== at - from) return undefined;
  return { token, spacing: spacingOf(text, at, at + token.length) };
}

/** Whether a punctuator within two tokens of [lo, hi) in `text` is spaced as the file, which writes it often, never spaces it. */
function oddlySpacedNear(text: string, [lo, hi]: readonly [number, number], broken: Lexed, skip: ReadonlySet<number>): boolean {
  const from = text.lastIndexOf('\n', lo - 1) + 1;
  const end = text.indexOf('\n', hi);
  const line = text.slice(from, end < 0 ? text.length : end);
  const lx = lex(line);
  const first = tokenAt(lx, lo - from);
  let last = first;
  while (last + 1 < lx.tokens.length && lx.tokens[last + 1]!.start < hi - from) last++;
  for (let k = Math.max(0, first - 2); k <= Math.min(lx.tokens.length - 1, last + 2); k++) {
    const t = lx.tokens[k]!;
    if (t.type !== 'punct') continue;
    const habit = spacingHabit(broken, t.value, skip);
    if (habit.total >= SPACED_SEEN && !habit.by.get(spacingOf(line, t.start, t.end))) return true;
  }
  return false;
}

/** Fewest times the file must write a token for a spacing it never gives it to count. */
const SPACED_SEEN = 5;
/** Fewest times the file must give a token a spacing for that spacing to be its own. */
const SPACED_HABIT = 3;

/**
 * Why the file prefers the repair by how it spaces the token the rival puts in at the same spot (`object. source`:
 * the file writes '.' often and never so), when the repair puts in a token spaced as the file
 * spaces it (`object, source`) and leaves no token beside it spaced as the file never does. Each side
 * judged on its one edit the other lacks.
 */
export function spacingEvidence(sides: Sides): string | undefined {
  const { broken, repair, rivalEdits } = sides;
  const { mine, theirs } = ownEdits(repair.edits, rivalEdits);
  // two tokens for one gap: its spacing says which (where each of two places gets the same token, it does not)
  if (mine.length !== 1 || theirs.length !== 1 || Math.abs(mine[0]!.offset - theirs[0]!.offset) > 1) return undefined;
  const skip = linesOf(broken, [...mine, ...theirs]);
  const rivalText = sides.rivalText;
  const b = putIn(rivalText, theirs[0]!, editRegions(rivalEdits)[rivalEdits.indexOf(theirs[0]!)]!);
  if (!b) return undefined;
  const hb = spacingHabit(broken, b.token, skip);
  if (hb.total < SPACED_SEEN || hb.by.get(b.spacing)) return undefined;
  const region = editRegions(repair.edits)[repair.edits.indexOf(mine[0]!)]!;
  const a = putIn(repair.text, mine[0]!, region);
  if (!a || (spacingHabit(broken, a.token, skip).by.get(a.spacing) ?? 0) < SPACED_HABIT) return undefined;
  // the repair must not leave an oddly spaced token beside its own either (`opts[ cb]`: a third reading)
  if (oddlySpacedNear(repair.text, region, broken, skip)) return undefined;
  return `the rival's '${b.token}' is spaced as the file never spaces its ${hb.total} others (${b.spacing}), the repair's '${a.token}' as the file does`;
}

/** Above this size a rival's tree costs more than the evidence read from it is worth. */
const TREE_MAX = 200_000;

/**
 * Why the rival reads worse by the evidence that would hold it below the gate (precisionFindings:
 * a '}' ending a block after code on its line, a comma expression the file writes nowhere, ...),
 * when the repair has none of it (`findings`: the repair's own, read by its caller).
 */
export function rivalFindingsWorse(
  sides: Sides,
  stats: Bigrams,
  program: Program | undefined,
  findings: readonly Finding[],
  judged?: { text?: string; strict?: Program },
): string | undefined {
  // the repair's own findings first: they cost nothing more, the rival's may cost a whole parse
  if (findings.length) return undefined;
  const { broken, rivalEdits, rivalText } = sides;
  const regions = editRegions(rivalEdits);
  // the rival's tree only when the findings read from its tokens say nothing (a whole parse)
  const strong = (f: Finding): boolean => !f.weak;
  let theirs = precisionFindings(rivalText, rivalEdits, regions, broken, stats).filter(strong);
  if (!theirs.length && rivalText.length <= TREE_MAX) {
    // the search parsed this very text strictly as a rival already, as the file's format reads (the repair's program's too)
    const tree = judged && judged.text === rivalText ? judged.strict : parseStrict(rivalText, program?.sourceType === 'module');
    theirs = precisionFindings(rivalText, rivalEdits, regions, broken, stats, tree).filter(strong);
  }
  if (!theirs.length) return undefined;
  return `the rival reads as the file never writes, the repair does not: the rival ${theirs[0]!.evidence}`;
}

/**
 * Operators that end a subscript's key in the code people write: an assignment, a comparison, a
 * logical or conditional operator makes a key (`out[key = source[key]]`, `c[0 === 'u']`,
 * `suffixes[b || suffixes[c]]`) that few files ever write, so a lost `]` goes before one.
 */
const LOOSE_IN_KEY = new Set([
  '=', '+=', '-=', '*=', '/=', '%=', '**=', '<<=', '>>=', '>>>=', '&=', '|=', '^=', '&&=', '||=', '??=',
  '==', '===', '!=', '!==', '<', '>', '<=', '>=', '&&', '||', '??', '?', 'instanceof', 'in',
]);
/** Fewest subscripts the file writes elsewhere, none with such a key, for its habit to count. */
const KEYS_SEEN = 3;

/** Whether `[`-token `open` subscripts what stands before it (`a[`, `f()[`, `a[0][`), not opens an array literal. */
function subscripts(lx: Lexed, open: number): boolean {
  const b = lx.tokens[open - 1];
  if (!b) return false;
  if (b.type === 'punct') return b.value === ')' || b.value === ']';
  return b.type === 'name' && (tokenClass(lx, b) === 'id' || b.value === 'this');
}

/** Whether the tokens between `open` and its closer `close` hold a LOOSE_IN_KEY operator outside any inner bracket. */
function looseKey(lx: Lexed, open: number, close: number): boolean {
  let depth = 0;
  for (let k = open + 1; k < close; k++) {
    const t = lx.tokens[k]!;
    const v = t.type === 'punct' || t.type === 'name' ? t.value : '';
    if (v === '(' || v === '[' || v === '{') depth++;
    else if (v === ')' || v === ']' || v === '}') depth--;
    else if (depth === 0 && LOOSE_IN_KEY.has(v)) return true;
  }
  return false;
}

/** The subscript whose `]` the edit `own` puts in: its opener and closer in the lexed text, if it closes one. */
function subscriptClosed(lx: Lexed, [lo, hi]: readonly [number, number]): [number, number] | undefined {
  for (let k = tokenAt(lx, lo); k < lx.tokens.length && lx.tokens[k]!.start < Math.max(hi, lo + 1); k++) {
    const t = lx.tokens[k]!;
    if (t.type !== 'punct' || t.value !== ']') continue;
    const o = lx.match[k]!;
    return o >= 0 && subscripts(lx, o) ? [o, k] : undefined;
  }
  return undefined;
}

/**
 * Why a lost `]` belongs where the repair puts it: the rival's `]` closes the subscript past an
 * assignment, comparison or logical operator (LOOSE_IN_KEY), the repair's right before it, and the file
 * writes KEYS_SEEN subscripts or more elsewhere, none with such a key.
 */
export function keyEvidence(sides: Sides): string | undefined {
  const { broken, repair, rivalEdits } = sides;
  const { mine, theirs } = ownEdits(repair.edits, rivalEdits);
  const closes = (a: AppliedEdit): boolean => a.candidate.kind === 'insert' && a.candidate.edit.ins.trim() === ']';
  if (mine.length !== 1 || theirs.length !== 1 || !closes(mine[0]!) || !closes(theirs[0]!)) return undefined;
  const rlx = sides.repairLx;
  const a = subscriptClosed(rlx, editRegions(repair.edits)[repair.edits.indexOf(mine[0]!)]!);
  const rivalText = sides.rivalText;
  const tlx = sides.rivalLx;
  const b = subscriptClosed(tlx, editRegions(rivalEdits)[rivalEdits.indexOf(theirs[0]!)]!);
  if (!a || !b || looseKey(rlx, ...a) || !looseKey(tlx, ...b)) return undefined;
  // the repair's `]` stands right before such an operator: else the rival's key says only that the rival is wrong,
  // not that the repair is right (`params[pms[0] = x` read as `params[pms][0] = x`, not `params[pms[0]] = x`)
  const after = rlx.tokens[a[1] + 1];
  if (!after || !LOOSE_IN_KEY.has(after.value)) return undefined;
  // the edits' lines too (`suffixes[a] || suffixes[b`): the `[` left open has no closer, so it is not counted
  let seen = 0;
  for (let k = 1; k < broken.tokens.length; k++) {
    const t = broken.tokens[k]!;
    const close = broken.match[k]!;
    if (t.type !== 'punct' || t.value !== '[' || close < 0 || !subscripts(broken, k)) continue;
    if (looseKey(broken, k, close)) return undefined;
    seen++;
  }
  if (seen < KEYS_SEEN) return undefined;
  const key = tlx.tokens.slice(b[0] + 1, b[1]).map((t) => rivalText.slice(t.start, t.end)).join(' ');
  return `the rival's subscript key ('${key.length > 40 ? key.slice(0, 37) + '...' : key}') holds an assignment, comparison or logical operator, as none of the file's ${seen} other subscripts does`;
}

/** Calls whose callee is a string or number literal (`'delete'(object)`): each throws a TypeError when it runs. */
function literalCalls(lx: Lexed): number {
  let n = 0;
  for (let k = 1; k < lx.tokens.length; k++) {
    const t = lx.tokens[k]!;
    const f = lx.tokens[k - 1]!;
    if (t.type === 'punct' && t.value === '(' && (f.type === 'string' || f.type === 'num')) n++;
  }
  return n;
}

/**
 * Why a lost ')' or ']' goes where the repair puts it: right between a string or number literal
 * and a '(' (`stack['delete'](object)`), where the rival, putting the same closer further on,
 * leaves the literal called (`stack['delete'(object)]`), code that can only throw. Only then: a
 * rival that calls a literal is wrong, but that alone does not make the repair right.
 */
export function literalCallEvidence(sides: Sides): string | undefined {
  const { broken, repair, rivalEdits } = sides;
  const { mine, theirs } = ownEdits(repair.edits, rivalEdits);
  const closer = (a: AppliedEdit): string => (a.candidate.kind === 'insert' ? a.candidate.edit.ins.trim() : '');
  if (mine.length !== 1 || theirs.length !== 1 || !/^[\])]$/.test(closer(mine[0]!)) || closer(mine[0]!) !== closer(theirs[0]!)) return undefined;
  const k = tokenAt(broken, mine[0]!.offset);
  const call = broken.tokens[k];
  const callee = broken.tokens[k - 1];
  if (!call || !callee || call.start < mine[0]!.offset || call.value !== '(' || (callee.type !== 'string' && callee.type !== 'num')) return undefined;
  if (literalCalls(sides.rivalLx) <= literalCalls(sides.repairLx)) return undefined;
  return `the repair's '${closer(mine[0]!)}' ends the literal before its '(', the rival's leaves the literal called, which can only throw`;
}

/** Fewest calls of a function the file makes elsewhere, all with one count of arguments, for that count to be its habit. */
const CALLS_SEEN = 2;

/** Functions of the language that take a fixed count of arguments (read when the file does not bind the name itself). */
const GLOBAL_ARITY: Record<string, number> = Object.assign(Object.create(null) as Record<string, number>, {
  Number: 1, String: 1, Boolean: 1, isNaN: 1, isFinite: 1, parseFloat: 1, parseInt: 2,
  decodeURIComponent: 1, encodeURIComponent: 1, decodeURI: 1, encodeURI: 1,
});

/** Whether the file declares `name` (`var`, `let`, `const`, `function`, `class` before it). */
function boundInFile(lx: Lexed, name: string): boolean {
  return lx.tokens.some((t, k) => t.type === 'name' && t.value === name && k > 0 && /^(var|let|const|function|class)$/.test(lx.tokens[k - 1]!.value));
}

/** The arguments of the call whose `(` is token `open` (its closer `close`): commas outside inner brackets, plus one. */
function argumentCount(lx: Lexed, open: number, close: number): number {
  if (close === open + 1) return 0;
  let n = 1;
  for (let k = open + 1; k < close; k++) if (lx.parent[k] === open && lx.tokens[k]!.value === ',') n++;
  return n;
}

/** The name called by the `(` at token `open` (`f(`, not `a.f(`, `new F(`, `function f(`), or undefined. */
function calledName(lx: Lexed, open: number): string | undefined {
  const t = lx.tokens[open];
  const f = lx.tokens[open - 1];
  if (!t || t.value !== '(' || !f || f.type !== 'name' || tokenClass(lx, f) !== 'id') return undefined;
  const b = lx.tokens[open - 2];
  if (b && (b.value === '.' || b.value === '?.' || b.value === 'function' || b.value === 'new')) return undefined;
  return f.value;
}

/**
 * How many arguments the file says `name` takes: the parameters of its one `function name(…)`
 * (none a rest or default), else the count every one of its CALLS_SEEN or more other calls passes,
 * else the count a function of the language takes (GLOBAL_ARITY).
 */
function arityOf(lx: Lexed, name: string, skip: ReadonlySet<number>): { n: number; why: string } | undefined {
  const toks = lx.tokens;
  let declared: number | undefined;
  const counts = new Set<number>();
  let calls = 0;
  for (let k = 1; k < toks.length - 1; k++) {
    const t = toks[k]!;
    if (t.type !== 'name' || t.value !== name || toks[k + 1]!.value !== '(') continue;
    const open = k + 1;
    const close = lx.match[open]!;
    if (close < 0) continue;
    if (toks[k - 1]!.value === 'function') {
      if (declared !== undefined) return undefined;
      for (let j = open + 1; j < close; j++) if (toks[j]!.value === '...' || (lx.parent[j] === open && toks[j]!.value === '=')) return undefined;
      declared = argumentCount(lx, open, close);
    } else if (calledName(lx, open) === name && !skip.has(t.line)) {
      calls++;
      counts.add(argumentCount(lx, open, close));
    }
  }
  // a function that reads `arguments` takes any count
  if (declared !== undefined) return toks.some((t) => t.type === 'name' && t.value === 'arguments') ? undefined : { n: declared, why: `declares ${declared} parameter${declared === 1 ? '' : 's'}` };
  if (calls >= CALLS_SEEN && counts.size === 1) {
    const n = [...counts][0]!;
    return { n, why: `is called ${calls} times elsewhere, each time with ${n} argument${n === 1 ? '' : 's'}` };
  }
  const global = GLOBAL_ARITY[name];
  if (global === undefined || boundInFile(lx, name)) return undefined;
  return { n: global, why: `is the language's own, which takes ${global} argument${global === 1 ? '' : 's'}` };
}

/**
 * Why the repair reads better than a rival that puts a `,` into a call's arguments (`toKey(path[index`
 * read as `toKey(path, index)`): the callee, by its declaration in the file or its other calls,
 * takes as many arguments as the repair passes, not the rival's one more.
 */
export function arityEvidence(sides: Sides): string | undefined {
  const { broken, repair, rivalEdits } = sides;
  const { mine, theirs } = ownEdits(repair.edits, rivalEdits);
  if (mine.length !== 1 || theirs.length !== 1) return undefined;
  const comma = (a: AppliedEdit): boolean => a.candidate.kind !== 'delete' && a.candidate.edit.ins.trim() === ',';
  if (comma(mine[0]!) || !comma(theirs[0]!)) return undefined;
  const tlx = sides.rivalLx;
  const [lo] = editRegions(rivalEdits)[rivalEdits.indexOf(theirs[0]!)]!;
  const k = tokenAt(tlx, lo);
  if (tlx.tokens[k]?.value !== ',') return undefined;
  const open = tlx.parent[k]!;
  const name = open >= 0 ? calledName(tlx, open) : undefined;
  // the call opens before both edits, so its `(` is at the same offset in the repair
  if (!name || tlx.tokens[open]!.start >= Math.min(mine[0]!.offset, theirs[0]!.offset)) return undefined;
  const rlx = sides.repairLx;
  const ropen = tokenAt(rlx, tlx.tokens[open]!.start);
  if (calledName(rlx, ropen) !== name || rlx.match[ropen]! < 0 || tlx.match[open]! < 0) return undefined;
  const theirsCount = argumentCount(tlx, open, tlx.match[open]!);
  const mineCount = argumentCount(rlx, ropen, rlx.match[ropen]!);
  if (mineCount >= theirsCount) return undefined;
  const arity = arityOf(broken, name, linesOf(broken, [...mine, ...theirs]));
  if (!arity || arity.n !== mineCount) return undefined;
  return `the rival passes '${name}' ${theirsCount} arguments, the repair ${mineCount}: '${name}' ${arity.why}`;
}
