/**
 * The repair search: cheapest candidate first, judged by V8 (compileVerdict), within a time
 * budget and a candidate cap. A candidate that does not parse but moves the error further down
 * the file is kept: when no single edit works, the search goes on from the best of those
 * (a beam, one level per edit, up to maxEdits).
 */
import { compileVerdict, endOfInput, type ModuleFormat } from '../../discover/syntax/compile.js';
import { bigrams, generateCandidates, type Candidate, type Edit } from './candidates.js';
import { judgeSurface, surfaceReference, type SurfaceReference } from './guard.js';
import { lex, lineOf, offsetOf, type Lexed } from './tokens.js';
import { Rivals } from './rivals.js';
import { signedNames, type NameDiff } from '../../validate/surface.js';
import { RegionChecker } from './region.js';

export interface SearchOptions {
  filename: string;
  format: ModuleFormat;
  maxEdits: number;
  timeBudgetMs: number;
  maxCandidates: number;
  /** The exports of the last good version of the file: a repair must keep exactly these. */
  lastGoodExports?: readonly string[];
}

/** An edit as applied, in the coordinates of the original text. */
export interface AppliedEdit {
  candidate: Candidate;
  /** Offset in the original text. */
  offset: number;
}

export type SearchResult =
  | { ok: true; text: string; edits: AppliedEdit[]; tried: number }
  | { ok: false; reason: string; tried: number };

interface State {
  text: string;
  lx: Lexed;
  /** Edits so far, in the order applied; `at` is where each sits in this state's text. */
  edits: { candidate: Candidate; at: number }[];
  cost: number;
  /** Offset of the parser's error in this state's text (text.length when unknown). */
  err: number;
  /** The same error position in the original's coordinates. */
  errOrig: number;
  errLine: number;
}

const BEAM = 5;

/**
 * With no last good version to hold the exports to, the broken text alone must say what they
 * were. When another repair costing at most this much more also parses, passes the guard and
 * exports differently (`mask) _mask` read as `mask: _mask` or `mask, _mask`), the text does not
 * say: the repairer gives up and the model, which reads the code's meaning, gets the file.
 */
export const AMBIGUITY_MARGIN = 0.5;

interface Found {
  text: string;
  edits: { candidate: Candidate; at: number }[];
  /** Cost above which other repairs no longer count as rivals. */
  limit: number;
  rivals: Rivals;
}

export function searchRepair(original: string, rootLx: Lexed, errorOffset: number, opts: SearchOptions, started: number): SearchResult {
  const deadline = started + opts.timeBudgetMs;
  const isModule = opts.format === 'module';
  let tried = 0;
  let surfaceRejects = 0;
  let lastSurfaceReason = '';
  let reference: SurfaceReference | undefined;
  let outOfTime = false;
  let found: Found | undefined;
  /** Repairs that parse, refused only for exports as the broken text's tolerant parse pictured them. */
  const contested: string[] = [];

  const root: State = {
    text: original,
    lx: rootLx,
    edits: [],
    cost: 0,
    err: errorOffset,
    errOrig: errorOffset,
    errLine: lineOf(rootLx, errorOffset),
  };

  const stats = bigrams(rootLx);
  let frontier: State[] = [root];
  for (let level = 1; level <= opts.maxEdits && frontier.length; level++) {
    const items: { state: State; cand: Candidate; total: number }[] = [];
    for (const state of frontier) {
      for (const cand of generateCandidates(state.lx, { errorOffset: state.err, stats })) {
        if (state.edits.some((p) => overlaps(p, cand.edit))) continue;
        items.push({ state, cand, total: state.cost + cand.cost });
      }
    }
    items.sort((a, b) => a.total - b.total);
    const regions = new Map<State, RegionChecker>();
    const partials: State[] = [];
    const partialTexts = new Set<string>();
    // leave time for the next level when there is one
    const levelDeadline = level < opts.maxEdits ? started + opts.timeBudgetMs * (level === 1 ? 0.45 : 0.75) : deadline;
    for (const { state, cand, total } of items) {
      if (found && total > found.limit) break;
      if (tried >= opts.maxCandidates) break;
      const now = performance.now();
      if (now > deadline) {
        outOfTime = true;
        break;
      }
      if (now > levelDeadline && partials.length && !found) break;
      const e = cand.edit;
      const text = state.text.slice(0, e.offset) + e.ins + state.text.slice(e.offset + e.del);
      tried++;
      // a rival the statements around its edit settle needs no whole compile
      if (found?.rivals.settle(text)) continue;
      let region = regions.get(state);
      if (!region) {
        region = new RegionChecker(state.lx, state.err, opts.filename, opts.format);
        regions.set(state, region);
      }
      const quick = region.check(text, e);
      let errAt: number;
      if (quick.ok === false) errAt = quick.offset;
      else {
        const v = compileVerdict(text, opts.filename, opts.format);
        if (v.ok) {
          if (found) {
            const d = found.rivals.differ(text);
            if (d) return { ok: false, reason: ambiguous(d), tried };
            continue;
          }
          reference ??= surfaceReference(original, isModule, rootLx, errorOffset, opts.lastGoodExports);
          const judged = judgeSurface(text, isModule, reference);
          if (judged.change) {
            surfaceRejects++;
            lastSurfaceReason = judged.change;
            if (!judged.contestable) continue;
            contested.push(text);
            continue;
          }
          const edits = [...state.edits, { candidate: cand, at: e.offset }];
          if (reference.lastGoodExports) return { ok: true, text, edits: toOriginal(edits), tried };
          // No last good version: every repair about as likely must export the same, and so must
          // every likelier one that only the broken text's tolerant reading refused.
          const rivals = new Rivals(text, judged.program, judged.exports, opts, reference);
          for (const c of contested) {
            const d = rivals.differ(c);
            if (d) return { ok: false, reason: ambiguous(d), tried };
          }
          found = { text, edits, limit: total + AMBIGUITY_MARGIN, rivals };
          continue;
        }
        errAt = v.line > 0 && !endOfInput(v.message) ? offsetInCandidate(state, e, v.line, v.column) : text.length;
      }
      if (found || level >= opts.maxEdits) continue;
      // did the edit move the error further down the file?
      const errOrig = toOriginalOffset(state, e, errAt);
      if (errOrig <= state.errOrig) continue;
      if (partialTexts.has(text)) continue;
      partialTexts.add(text);
      const clx = lex(text);
      const errLine = lineOf(clx, errAt);
      const sameLine = lineOf(root.lx, Math.min(errOrig, original.length)) === lineOf(root.lx, Math.min(state.errOrig, original.length));
      const atEnd = errAt >= text.length - 1;
      partials.push({
        text,
        lx: clx,
        edits: [...state.edits, { candidate: cand, at: e.offset }],
        cost: total + (sameLine ? 0.4 : 0) + (atEnd ? 0.4 : 0),
        err: errAt,
        errOrig,
        errLine,
      });
      if (partials.length > BEAM * 8) {
        partials.sort((a, b) => a.cost - b.cost);
        partials.length = BEAM * 4;
      }
    }
    if (found) {
      // a rival the budget left unchecked could export differently: the exports are not settled
      if (outOfTime || tried >= opts.maxCandidates) {
        const limit = outOfTime ? `time budget of ${opts.timeBudgetMs} ms` : `candidate cap of ${opts.maxCandidates}`;
        return { ok: false, reason: `a repair parses, but the ${limit} ran out before other repairs as likely were ruled out (they could export differently)`, tried };
      }
      return { ok: true, text: found.text, edits: toOriginal(found.edits), tried };
    }
    if (outOfTime || tried >= opts.maxCandidates) break;
    partials.sort((a, b) => a.cost - b.cost);
    frontier = partials.slice(0, BEAM);
  }
  const why = outOfTime
    ? `time budget of ${opts.timeBudgetMs} ms exhausted after ${tried} candidates`
    : tried >= opts.maxCandidates
      ? `candidate cap of ${opts.maxCandidates} reached`
      : `no candidate among ${tried} parsed with at most ${opts.maxEdits} edit${opts.maxEdits === 1 ? '' : 's'}`;
  const surface = surfaceRejects ? `; ${surfaceRejects} that parsed changed the surface (${lastSurfaceReason})` : '';
  return { ok: false, reason: why + surface, tried };
}

function ambiguous(d: NameDiff): string {
  return `ambiguous exports: another repair as likely or likelier also parses and exports differently (${signedNames(d)}); the broken text does not say which was meant`;
}

function overlaps(prev: { candidate: Candidate; at: number }, e: Edit): boolean {
  const a = prev.at;
  const b = prev.at + prev.candidate.edit.ins.length;
  return e.offset < b && e.offset + e.del > a ? true : e.offset > a && e.offset < b;
}

/** The offset of a 1-based line/column in the text made by applying `e` to the state's text. */
function offsetInCandidate(state: State, e: Edit, line: number, column: number): number {
  const ls = state.lx.lineStarts;
  const editLine = lineOf(state.lx, e.offset);
  const L = line - 1;
  if (L <= editLine) return offsetOf(state.lx, line, column);
  const insBreaks: number[] = [];
  for (let j = 0; j < e.ins.length; j++) if (e.ins[j] === '\n') insBreaks.push(j + 1);
  const removed = state.text.slice(e.offset, e.offset + e.del);
  const delBreaks = (removed.match(/\n/g) ?? []).length;
  if (L <= editLine + insBreaks.length) return e.offset + insBreaks[L - editLine - 1]! + column - 1;
  const stateLine = L - insBreaks.length + delBreaks;
  const start = ls[Math.min(stateLine, ls.length - 1)]!;
  return start + (e.ins.length - e.del) + column - 1;
}

/** Where an offset of the candidate text sits in the original text. */
function toOriginalOffset(state: State, e: Edit, at: number): number {
  let o = at;
  if (o >= e.offset + e.ins.length) o -= e.ins.length - e.del;
  else if (o > e.offset) o = e.offset;
  for (let k = state.edits.length - 1; k >= 0; k--) {
    const p = state.edits[k]!;
    const pe = p.candidate.edit;
    if (o >= p.at + pe.ins.length) o -= pe.ins.length - pe.del;
    else if (o > p.at) o = p.at;
  }
  return o;
}

function toOriginal(edits: { candidate: Candidate; at: number }[]): AppliedEdit[] {
  const out: AppliedEdit[] = [];
  for (let k = 0; k < edits.length; k++) {
    let o = edits[k]!.at;
    for (let j = k - 1; j >= 0; j--) {
      const p = edits[j]!;
      const pe = p.candidate.edit;
      if (o >= p.at + pe.ins.length) o -= pe.ins.length - pe.del;
    }
    out.push({ candidate: edits[k]!.candidate, offset: o });
  }
  return out.sort((a, b) => a.offset - b.offset);
}
