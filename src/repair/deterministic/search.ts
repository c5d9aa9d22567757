/**
 * The repair search: cheapest candidate first, judged by V8 (compileVerdict), within a time
 * budget and a candidate cap. A candidate that does not parse but moves the error further down
 * the file is kept: when no single edit works, the search goes on from the best of those
 * (a beam, one level per edit, up to maxEdits).
 */
import { endOfInput, type ModuleFormat, type Verdict } from '../../analysis/compile.js';
import { PARSES, parses, verdictOf } from './verdicts.js';
import { cannotParse } from './unparsable.js';
import { bigrams, bracelessBlocks, codeLike, generateCandidates, indentDisagreements, type Bigrams, type Candidate, type Edit } from './candidates.js';
import type { Program } from 'acorn';
import { judgeSurface, surfaceReference, type SurfaceReference } from './guard.js';
import { lex, lineOf, offsetOf, tokenAt, type Lexed } from './tokens.js';
import { Rivals, commonEnds } from './rivals.js';
import { signedNames, type NameDiff } from '../../analysis/surface.js';
import { REGION_MIN_SIZE, RegionChecker } from './region.js';
import { deletesDoubled, semicolonHabit } from './respell.js';

export interface SearchOptions {
  filename: string;
  format: ModuleFormat;
  maxEdits: number;
  timeBudgetMs: number;
  maxCandidates: number;
  /** The exports of the last good version of the file: a repair must keep exactly these. */
  lastGoodExports?: readonly string[];
  /** Pass over every single edit that parses: only pairs are sought (the reading of two slips). */
  pairsOnly?: boolean;
}

/** An edit as applied, in the coordinates of the original text. */
export interface AppliedEdit {
  candidate: Candidate;
  /** Offset in the original text. */
  offset: number;
}

/** The nearest other repair that parses, and how much likelier the chosen one is (cost units). */
export interface NearestRival {
  edits: AppliedEdit[];
  margin: number;
  /** Its text and acorn's strict tree of it (undefined: acorn rejects it), as judged: not parsed again. */
  text?: string;
  strict?: Program;
}

export type SearchResult =
  | {
      ok: true;
      text: string;
      edits: AppliedEdit[];
      tried: number;
      /** The repair's tree (parsed strictly), for the evidence read from it. */
      program: Program;
      /** The nearest rival within RIVAL_WINDOW; undefined when none parsed within it. */
      rival?: NearestRival;
      /** How far above the repair's cost rivals were ruled out (RIVAL_WINDOW when all were checked). */
      checked: number;
      /** The repair's cost: how unlikely its edits are as slips, by the candidates' priors. */
      cost: number;
      /** A rival that also parses agrees better with the indentation (indentDisagreements). */
      indentPrefersRival: boolean;
      /** The broken text's token pairs, as the search read them. */
      stats: Bigrams;
      /** The repair lexed (as its rivals were judged). */
      lx: Lexed;
    }
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
}

/** A state kept for the next level, lexed only if it makes the beam. */
type Partial = Omit<State, 'lx'>;

const BEAM = 5;

/** A rival's verdict, where only whether it parses is asked (compiles). */
const FAILS: Verdict = { ok: false, line: 0, column: 0, message: 'does not parse', errorType: 'SyntaxError', detail: '' };

/**
 * With no last good version to hold the exports to, the broken text alone must say what they
 * were. When another repair costing at most this much more also parses, passes the guard and
 * exports differently (`mask) _mask` read as `mask: _mask` or `mask, _mask`), the text does not
 * say: the repairer gives up and the model, which reads the code's meaning, gets the file.
 */
export const AMBIGUITY_MARGIN = 0.5;

/**
 * How far above the chosen repair the search looks for any other repair that parses: the
 * repair's confidence grows with the distance to the nearest one, up to this.
 */
export const RIVAL_WINDOW = 1.0;
/** Candidates tried per level before its share of the time budget may end it (level n: n × this in all). */
const WORK_FLOOR = 300;
/** How far past its budget, in budgets, a search may run to reach WORK_FLOOR. */
const FLOOR_TIME_FACTOR = 4;
/**
 * Most rival candidates checked after the repair is found, per edit of the repair: a pair's rivals
 * are pairs, built on each of the beam's states, so more of them lie within the window.
 */
const RIVAL_CHECKS = 400;

interface Found {
  text: string;
  edits: { candidate: Candidate; at: number }[];
  cost: number;
  program: Program;
  rivals: Rivals;
  nearest?: NearestRival;
  /** How far above `cost` every candidate has been judged. */
  checked: number;
  /** Rival candidates checked so far (RIVAL_CHECKS). */
  rivalChecks: number;
  /** When the search for rivals gives up whatever it has checked. */
  deadline: number;
  /** Blocks near its edits that the indentation says lack their braces. */
  braceless?: number;
  /** Lines whose leading, undoubled '}' it deletes (blockEndsDeleted). */
  blockEnds?: number;
  /** Its text lexed, once a rival needs comparing. */
  lx?: Lexed;
  /** Neighbouring lines whose indentation contradicts its brackets (indentDisagreements). */
  disagree?: number;
  /** A rival that parses agrees better with the indentation. */
  indentPrefersRival?: boolean;
}

/** Whether a repair found deletes a '}' that ends a block by the indentation (caching the count on it). */
function seekingBlockEnd(found: Found, rootLx: Lexed): boolean {
  found.blockEnds ??= blockEndsDeleted(toOriginal(found.edits), rootLx).length;
  return found.blockEnds > 0;
}

/**
 * What a search computes of its root text alone, kept for another search of the same text with
 * the same options but for maxEdits and pairsOnly: the pair search that follows a one-edit repair
 * the text argues against (index.ts) regenerates the same first-level candidates, judges them the
 * same, and refers to the same surface. The verdicts kept are those of texts too large for the
 * verdict memory (verdicts.ts), by their one edit: no text is kept.
 */
export interface RootWork {
  key?: { original: string; rootLx: Lexed; errorOffset: number; filename: string; format: ModuleFormat; lastGoodExports: readonly string[] | undefined };
  stats?: Bigrams;
  candidates?: Candidate[];
  reference?: SurfaceReference;
  verdicts: Map<string, Verdict>;
}

export function rootWork(): RootWork {
  return { verdicts: new Map() };
}

/** The root work kept in `work` if it was done for this search's root, else a fresh record of it in `work`. */
function rootOf(work: RootWork | undefined, original: string, rootLx: Lexed, errorOffset: number, opts: SearchOptions): RootWork {
  if (!work) return rootWork();
  const k = work.key;
  if (k && k.original === original && k.rootLx === rootLx && k.errorOffset === errorOffset && k.filename === opts.filename && k.format === opts.format && k.lastGoodExports === opts.lastGoodExports) return work;
  work.key = { original, rootLx, errorOffset, filename: opts.filename, format: opts.format, lastGoodExports: opts.lastGoodExports };
  work.stats = work.candidates = work.reference = undefined;
  work.verdicts.clear();
  return work;
}

/** `work`: the root's work shared with another search of the same root (RootWork). */
export function searchRepair(original: string, rootLx: Lexed, errorOffset: number, opts: SearchOptions, started: number, work?: RootWork): SearchResult {
  const shared = rootOf(work, original, rootLx, errorOffset, opts);
  const deadline = started + opts.timeBudgetMs;
  const hardDeadline = started + FLOOR_TIME_FACTOR * opts.timeBudgetMs;
  const isModule = opts.format === 'module';
  let tried = 0;
  let surfaceRejects = 0;
  let lastSurfaceReason = '';
  let reference: SurfaceReference | undefined = shared.reference;
  let outOfTime = false;
  let rivalsCut = false;
  // the file's styles, read once per search (undefined: it shows neither way)
  // read from the first repair's statements: the broken text's line ends say little inside literals
  let semis: (() => boolean | undefined) | undefined;
  const commas = once(() => trailingCommaStyle(original));
  let found: Found | undefined;
  /** Repairs that parse, refused only for exports as the broken text's tolerant parse pictured them. */
  const contested: { text: string; edits: AppliedEdit[] }[] = [];

  const root: State = {
    text: original,
    lx: rootLx,
    edits: [],
    cost: 0,
    err: errorOffset,
    errOrig: errorOffset,
  };

  const stats = (shared.stats ??= bigrams(rootLx));
  let frontier: State[] = [root];
  for (let level = 1; level <= opts.maxEdits && frontier.length; level++) {
    const items: { state: State; cand: Candidate; total: number }[] = [];
    for (const state of frontier) {
      const cands = state === root ? (shared.candidates ??= generateCandidates(rootLx, { errorOffset, stats })) : generateCandidates(state.lx, { errorOffset: state.err, stats });
      for (const cand of cands) {
        if (state.edits.some((p) => overlaps(p, cand.edit))) continue;
        items.push({ state, cand, total: state.cost + cand.cost });
      }
    }
    items.sort((a, b) => a.total - b.total);
    const regions = new Map<State, RegionChecker>();
    const partials: Partial[] = [];
    const partialTexts = new Set<string>();
    // Candidates of a level with one after it that fail, in the order tried, with where (undefined:
    // not yet known). One that surely fails (unparsable.ts) is compiled for its error's place only
    // if the beam is wanted: most searches find a repair on this level, and the beam goes unused.
    // No text is kept (a compiled one is flat, as large as the file): it is made again.
    const failed: { state: State; cand: Candidate; total: number; errAt?: number }[] = [];
    const toBeam = (): Partial[] => {
      for (const f of failed) {
        // A partial costs at least its candidate's total, and `failed` comes cheapest first: once
        // BEAM partials cost no more than this one's total, it would sort after them (a stable
        // sort keeps the earlier of equals), and neither it nor any after it can make the beam.
        if (beamFilled(partials, f.total)) break;
        const e = f.cand.edit;
        const text = f.state.text.slice(0, e.offset) + e.ins + f.state.text.slice(e.offset + e.del);
        const errAt = f.errAt ?? errorAt(f.state, e, text, verdictOf(text, opts.filename, opts.format));
        const p = partialOf(root, f.state, f.cand, f.total, text, errAt, partialTexts);
        if (!p) continue;
        partials.push(p);
        if (partials.length > BEAM * 8) {
          partials.sort((a, b) => a.cost - b.cost);
          partials.length = BEAM * 4;
        }
      }
      failed.length = 0;
      return partials;
    };
    // leave time for the next level when there is one
    const levelDeadline = level < opts.maxEdits ? started + opts.timeBudgetMs * (level === 1 ? 0.45 : 0.75) : deadline;
    for (const { state, cand, total } of items) {
      // a repair that deletes a '}' the indentation says ends a block keeps looking, through the
      // window, for one that does not (seekingBlockEnd)
      const seeking = !!found && seekingBlockEnd(found, rootLx);
      if (found && (total > found.cost + RIVAL_WINDOW || (found.nearest && !seeking && total > found.cost + AMBIGUITY_MARGIN))) break;
      if (tried >= opts.maxCandidates) break;
      const now = performance.now();
      if (found && ++found.rivalChecks > RIVAL_CHECKS * found.edits.length) {
        rivalsCut = true;
        break;
      }
      // the clock binds only past a floor of work, so that a loaded machine reaches the verdicts an idle one does
      // (per level: else a loaded machine leaves the second level, and every pair, untried)
      if (found ? now > found.deadline : now > hardDeadline || (now > deadline && tried >= WORK_FLOOR * level)) {
        outOfTime = true;
        break;
      }
      if (now > levelDeadline && !found && tried >= WORK_FLOOR * level && toBeam().length) break;
      const e = cand.edit;
      const text = state.text.slice(0, e.offset) + e.ins + state.text.slice(e.offset + e.del);
      tried++;
      // In a small file the whole compile costs less than settling a rival on its statements; a
      // rival that fails it is passed over whatever settle says, so settle is asked only of one
      // that parses.
      // (only whether a rival parses matters, not where it fails: no position is looked for; nor
      // on the last level, where a candidate that fails is not kept for the next)
      // many such candidates fail for a reason plain in their tokens, known without V8 (unparsable.ts),
      // in a large file too, before its statements are settled or compiled
      const judgedOnly = !!found || level >= opts.maxEdits;
      let v: Verdict | undefined = !judgedOnly ? undefined : text.length < REGION_MIN_SIZE ? (!cannotParse(state.lx, e) && parses(text, opts.format) ? PARSES : FAILS) : cannotParse(state.lx, e) ? FAILS : undefined;
      if (found) {
        found.checked = total - found.cost;
        if (v && !v.ok) continue;
        // the same repair but for whitespace (a `}` on its own line or at the end of one)
        if (sameTokens(found.text, text)) continue;
        // a rival the statements around its edit settle needs no whole compile, unless the
        // nearest rival is still sought and it may parse
        const decisive = !seeking && (!!found.nearest || total > found.cost + AMBIGUITY_MARGIN);
        // (one V8 has passed whole can only be settled as exporting the same: asked only when that decides)
        if (!v || decisive) {
          const settled = found.rivals.settle(text);
          if (settled === 'does not parse' || (settled && decisive)) continue;
        }
      }
      if (!v && !found && text.length < REGION_MIN_SIZE && cannotParse(state.lx, e)) {
        failed.push({ state, cand, total });
        continue;
      }
      let region = regions.get(state);
      if (!region) {
        region = new RegionChecker(state.lx, state.err, opts.filename, opts.format);
        regions.set(state, region);
      }
      const quick = v ? { ok: 'unknown' as const } : region.check(text, e);
      let errAt: number;
      if (quick.ok === false) errAt = quick.offset;
      else {
        if (!v) {
          // a large text's verdict is kept by its one edit on the root (verdicts.ts keeps small texts by their text)
          const key = state === root && text.length >= REGION_MIN_SIZE ? `${e.offset}:${e.del}:${e.ins}` : undefined;
          const kept = key === undefined ? undefined : shared.verdicts.get(key);
          v = kept ?? verdictOf(text, opts.filename, opts.format);
          if (key !== undefined && !kept) shared.verdicts.set(key, v);
        }
        // a single edit that parses is no step towards a pair
        if (v.ok && opts.pairsOnly && level === 1) continue;
        if (v.ok) {
          if (found) {
            const edits = toOriginal([...state.edits, { candidate: cand, at: e.offset }]);
            if (laterStringClose(found.edits, edits, rootLx)) continue;
            const judged = found.rivals.judge(text, editRegions(edits));
            if (!judged) continue;
            if (judged.sameProgram) {
              // The same program, spelt with a ';' or a ',' more or less: spell it as the file does.
              // Otherwise (the same tokens in another order) it is a rival like any other.
              const extra = extraPunct(found.text, text);
              // a ',' is the file's style only at a line's end before a closer on the next line
              const { program: firstProgram, text: firstText, edits: firstEdits } = found;
              semis ??= once(() => semicolonHabit(firstProgram, firstText, editRegions(toOriginal(firstEdits))));
              const style = !extra ? undefined : extra.char === ';' ? semis() : extra.atLineEnd ? commas() : false;
              // Where the file shows no style, the two spellings stay rivals; a ',' the style asks
              // for elsewhere makes the rival one too (a count of line ends is weak evidence to
              // prefer a costlier repair on), a ';' it asks for replaces the repair.
              // a doubled keystroke undone (`f(x))`) is likelier than a ';' typed as what it doubled
              const swap = style === extra?.inRival && !deletesDoubled(toOriginal(found.edits), rootLx);
              if (extra && style !== undefined && !(swap && extra.char === ',')) {
                if (swap) {
                  found.text = text;
                  found.edits = [...state.edits, { candidate: cand, at: e.offset }];
                  found.program = judged.sameProgram;
                  found.rivals = found.rivals.rebase(text, judged.sameProgram);
                  found.lx = found.braceless = found.blockEnds = found.disagree = undefined;
                }
                continue;
              }
            }
            // a rival the indentation contradicts (an indented block left without its braces) is none
            const rlx = lex(text);
            found.lx ??= found.rivals.lexed();
            found.braceless ??= bracelessNear(found.lx, toOriginal(found.edits)).length;
            if (bracelessNear(rlx, edits).length > found.braceless) continue;
            // nor one that deletes a '}' the indentation says ends a block, when the repair does not
            found.blockEnds ??= blockEndsDeleted(toOriginal(found.edits), rootLx).length;
            const blockEnds = blockEndsDeleted(edits, rootLx).length;
            if (blockEnds > found.blockEnds) continue;
            found.disagree ??= indentDisagreements(found.lx, 0, Infinity);
            const disagree = indentDisagreements(rlx, 0, Infinity);
            // A '}' that ends a block by the indentation is seldom the slip: a lost '{', or another
            // token, is likelier. A repair that deletes fewer such '}' and parses replaces the one
            // found; so does one whose brackets the indentation contradicts less often (`f(a)⏎  body⏎}⏎}`:
            // the '{' put back and the doubled '}' deleted, not a bare block opened under the head).
            // Only if the surface guard passes it as it did the first, which is then no rival (above
            // and below). (bench:repair, two slips: of 20 pairs that deleted such a '}', none was right.)
            // The indentation's count alone decides only between pairs: for one edit it misreads a
            // case's body (`case 'D':⏎  return x;}` read as lacking a '{' after the label, a wrong fix
            // in bench:repair's single slips), and each edit of a pair is still judged alone after.
            if ((seeking && blockEnds < found.blockEnds) || (disagree < found.disagree && found.edits.length > 1)) {
              const surface = judgeSurface(text, isModule, reference!);
              if (!surface.change) {
                const all = [...state.edits, { candidate: cand, at: e.offset }];
                const rivals = new Rivals(text, surface.program, surface.exports, opts, reference!);
                found = { text, edits: all, cost: total, program: surface.program, rivals, checked: 0, rivalChecks: found.rivalChecks, deadline: found.deadline, blockEnds, lx: rlx, disagree };
                continue;
              }
            }
            // nor one whose brackets the indentation contradicts more often than the repair's
            if (disagree > found.disagree) continue;
            if (disagree < found.disagree) found.indentPrefersRival = true;
            if (judged.exportsDiffer && total <= found.cost + AMBIGUITY_MARGIN) return { ok: false, reason: ambiguous(judged.exportsDiffer), tried };
            found.nearest ??= { edits, margin: total - found.cost, text, ...(judged.strict ? { strict: judged.strict } : {}) };
            continue;
          }
          reference ??= shared.reference = surfaceReference(original, isModule, rootLx, errorOffset, opts.lastGoodExports);
          const judged = judgeSurface(text, isModule, reference);
          if (judged.change) {
            surfaceRejects++;
            lastSurfaceReason = judged.change;
            if (!judged.contestable) continue;
            contested.push({ text, edits: toOriginal([...state.edits, { candidate: cand, at: e.offset }]) });
            continue;
          }
          const edits = [...state.edits, { candidate: cand, at: e.offset }];
          const rivals = new Rivals(text, judged.program, judged.exports, opts, reference);
          // No last good version: every repair about as likely must export the same, and so must
          // every likelier one that only the broken text's tolerant reading refused.
          if (!reference.lastGoodExports) {
            for (const c of contested) {
              const d = rivals.differ(c.text, editRegions(c.edits));
              if (d) return { ok: false, reason: ambiguous(d), tried };
            }
          }
          // Rivals are sought by count, not by the clock, so that a loaded machine reaches the
          // same verdict; the clock only guards against a pathological text.
          found = { text, edits, cost: total, program: judged.program, rivals, checked: 0, rivalChecks: 0, deadline: Math.max(hardDeadline, performance.now() + opts.timeBudgetMs) };
          continue;
        }
        errAt = errorAt(state, e, text, v);
      }
      if (found || level >= opts.maxEdits) continue;
      // one that leaves the error where it was is no step: not kept
      if (toOriginalOffset(state, e, errAt) > state.errOrig) failed.push({ state, cand, total, errAt });
    }
    if (found) {
      const cut = outOfTime || rivalsCut || tried >= opts.maxCandidates;
      // a rival the budget left unchecked could export differently: the exports are not settled
      if (cut && !reference?.lastGoodExports && !found.nearest && found.checked < AMBIGUITY_MARGIN) {
        const limit = outOfTime ? `time budget of ${opts.timeBudgetMs} ms` : rivalsCut ? `cap of ${RIVAL_CHECKS * found.edits.length} rivals checked` : `candidate cap of ${opts.maxCandidates}`;
        return { ok: false, reason: `a repair parses, but the ${limit} ran out before other repairs as likely were ruled out (they could export differently)`, tried };
      }
      const checked = found.nearest ? found.nearest.margin : cut ? found.checked : RIVAL_WINDOW;
      return { ok: true, text: found.text, edits: toOriginal(found.edits), tried, program: found.program, ...(found.nearest ? { rival: found.nearest } : {}), checked, cost: found.cost, indentPrefersRival: !!found.indentPrefersRival, stats, lx: found.rivals.lexed() };
    }
    if (outOfTime || tried >= opts.maxCandidates) break;
    toBeam().sort((a, b) => a.cost - b.cost);
    frontier = partials.slice(0, BEAM).map((p) => ({ ...p, lx: lex(p.text) }));
  }
  const why = outOfTime
    ? `time budget of ${opts.timeBudgetMs} ms exhausted after ${tried} candidates`
    : tried >= opts.maxCandidates
      ? `candidate cap of ${opts.maxCandidates} reached`
      : `no candidate among ${tried} parsed with at most ${opts.maxEdits} edit${opts.maxEdits === 1 ? '' : 's'}`;
  const surface = surfaceRejects ? `; ${surfaceRejects} that parsed changed the surface (${lastSurfaceReason})` : '';
  return { ok: false, reason: why + surface, tried };
}

/** Where a candidate that fails fails, in its own text (its end when V8 gives no place before it). */
function errorAt(state: State, e: Edit, text: string, v: Verdict): number {
  return !v.ok && v.line > 0 && !endOfInput(v.message) ? offsetInCandidate(state, e, v.line, v.column) : text.length;
}

/** Whether BEAM of the partials cost at most `total`. */
function beamFilled(partials: readonly Partial[], total: number): boolean {
  let n = 0;
  for (const p of partials) if (p.cost <= total && ++n >= BEAM) return true;
  return false;
}

/** A candidate that fails as a step towards a repair of more edits: only if it moved the error further down the file, once per text. */
function partialOf(root: State, state: State, cand: Candidate, total: number, text: string, errAt: number, seen: Set<string>): Partial | undefined {
  const e = cand.edit;
  const errOrig = toOriginalOffset(state, e, errAt);
  if (errOrig <= state.errOrig) return undefined;
  if (seen.has(text)) return undefined;
  seen.add(text);
  const end = root.text.length;
  const sameLine = lineOf(root.lx, Math.min(errOrig, end)) === lineOf(root.lx, Math.min(state.errOrig, end));
  const atEnd = errAt >= text.length - 1;
  return {
    text,
    edits: [...state.edits, { candidate: cand, at: e.offset }],
    cost: total + (sameLine ? 0.4 : 0) + (atEnd ? 0.4 : 0),
    err: errAt,
    errOrig,
  };
}

function ambiguous(d: NameDiff): string {
  return `ambiguous exports: another repair as likely or likelier also parses and exports differently (${signedNames(d)}); the broken text does not say which was meant`;
}

/**
 * Both close the same string left open, one edit each, on the same line, and the rival's close
 * is too late to be one: only its string would hold code (codeLike), or the punctuation that
 * ends the line.
 */
function laterStringClose(a: { candidate: Candidate }[], b: AppliedEdit[], lx: Lexed): boolean {
  if (a.length !== 1 || b.length !== 1) return false;
  const x = a[0]!.candidate;
  const y = b[0]!;
  if (x.why !== 'string' || y.candidate.why !== 'string' || x.kind !== 'insert' || y.candidate.kind !== 'insert') return false;
  const line = lineOf(lx, x.edit.offset);
  if (line !== lineOf(lx, y.offset)) return false;
  // the open quote: the unterminated string token on that line
  let k = tokenAt(lx, lx.lineStarts[line]!);
  while (k < lx.tokens.length && lx.tokens[k]!.line === line && !(lx.tokens[k]!.type === 'string' && lx.tokens[k]!.unterminated)) k++;
  const open = lx.tokens[k];
  if (!open || open.line !== line) return false;
  const content = (at: number): string => lx.text.slice(open.start + 1, at);
  if (codeLike(content(y.offset)) && !codeLike(content(x.edit.offset))) return true;
  // nor a close that swallows the punctuation ending the line (`'unterminated;'` for `'unterminated';`)
  return x.edit.offset < y.offset && /^[\s;,)\]}]+$/.test(lx.text.slice(x.edit.offset, y.offset));
}

/** `f`'s value, computed on the first call only. */
function once<T>(f: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) {
      value = f();
      done = true;
    }
    return value;
  };
}

/** Whether the file writes a ',' after the last item of a list that closes on a later line (undefined: it shows neither way). */
function trailingCommaStyle(text: string): boolean | undefined {
  const trailing = (text.match(/,[ \t]*\r?\n[ \t]*[}\])]/g) ?? []).length;
  // a value ends the line, not a closer: `}` over `}` is a block's end as often as an object's
  const bare = (text.match(/[\w$'"`)\]][ \t]*\r?\n[ \t]*[}\])]/g) ?? []).length;
  return trailing === bare ? undefined : trailing > bare;
}

/**
 * Where two texts differ only by ';' or only by ',' (whitespace aside): which, and whether the
 * rival `b` is the one that writes it.
 */
function extraPunct(a: string, b: string): { char: ';' | ','; inRival: boolean; atLineEnd: boolean } | undefined {
  const [p, s] = commonEnds(a, b);
  const x = a.slice(p, a.length - s).replace(/\s+/g, '');
  const y = b.slice(p, b.length - s).replace(/\s+/g, '');
  for (const char of [';', ','] as const) {
    const bx = x.split(char).join('');
    const by = y.split(char).join('');
    if (bx === by && x.length !== y.length) {
      const inRival = y.length > x.length;
      const [w, from, to] = inRival ? [b, p, b.length - s] : [a, p, a.length - s];
      const at = w.indexOf(char, from);
      return { char, inRival, atLineEnd: at >= 0 && at < to && /^[ \t]*\r?\n/.test(w.slice(at + 1, at + 40)) };
    }
  }
  return undefined;
}

/** Whether two texts differ only in whitespace (the tokens of a text that parses are the same). */
export function sameTokens(a: string, b: string): boolean {
  const [p, s] = commonEnds(a, b);
  const squeeze = (t: string): string => t.replace(/\s+/g, '');
  const x = a.slice(p, a.length - s);
  const y = b.slice(p, b.length - s);
  if (squeeze(x) !== squeeze(y)) return false;
  // a quote that moves across whitespace changes a string's content (`' '` against `''`); but
  // two edits far apart leave strings between them as they were: the tokens tell
  return !/['"`]/.test(x + y) || sameTokenTexts(lex(a), lex(b));
}

function sameTokenTexts(a: Lexed, b: Lexed): boolean {
  if (a.tokens.length !== b.tokens.length) return false;
  for (let k = 0; k < a.tokens.length; k++) {
    const s = a.tokens[k]!;
    const t = b.tokens[k]!;
    if (s.end - s.start !== t.end - t.start || a.text.slice(s.start, s.end) !== b.text.slice(t.start, t.end)) return false;
  }
  return true;
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

/**
 * 1-based lines whose leading `}` the repair deletes. Such a `}` ends a block where the
 * indentation says so; unless the line is doubled (a lone `}` twice at one indentation), its `{`
 * lost elsewhere is as likely as the `}` being extra.
 */
export function blockEndsDeleted(edits: readonly AppliedEdit[], lx: Lexed): number[] {
  const out: number[] = [];
  const lone = (line: number): boolean => {
    const f = lx.lineFirst[line] ?? -1;
    const t = lx.tokens[f];
    return !!t && t.type === 'punct' && t.value === '}' && (lx.tokens[f + 1]?.line ?? -1) !== line;
  };
  // first on its line: `}` alone, or `} else {`, `});`
  const leads = (line: number): boolean => {
    const t = lx.tokens[lx.lineFirst[line] ?? -1];
    return !!t && t.type === 'punct' && t.value === '}';
  };
  const codeLine = (from: number, step: number): number => {
    let l = from + step;
    while (l >= 0 && l < lx.lineStarts.length && lx.indent[l]! < 0) l += step;
    return l;
  };
  for (const a of edits) {
    if (a.candidate.kind !== 'delete' || a.candidate.edit.ins !== '') continue;
    const removed = lx.text.slice(a.offset, a.offset + a.candidate.edit.del);
    if (removed.trim() !== '}') continue;
    const at = a.offset + removed.indexOf('}');
    const line = lineOf(lx, at);
    if (!leads(line) || lx.tokens[lx.lineFirst[line]!]!.start !== at) continue;
    const doubled = [codeLine(line, -1), codeLine(line, 1)].some((l) => lone(l) && lx.indent[l] === lx.indent[line]);
    if (!doubled) out.push(line + 1);
  }
  return out;
}

/** Block heads without braces over an indented block, near the edits (0-based lines of `text`). */
export function bracelessNear(text: string | Lexed, edits: readonly AppliedEdit[]): number[] {
  const lx = typeof text === 'string' ? lex(text) : text;
  const lines = editRegions(edits).map(([at]) => lineOf(lx, at));
  return bracelessBlocks(lx, Math.min(...lines) - 20, Math.max(...lines) + 20);
}

/** Where edits given in the original's coordinates (sorted) sit in the text they make. */
export function editRegions(edits: readonly AppliedEdit[]): [number, number][] {
  let delta = 0;
  return edits.map((a) => {
    const e = a.candidate.edit;
    const at = a.offset + delta;
    delta += e.ins.length - e.del;
    return [at, at + e.ins.length];
  });
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
