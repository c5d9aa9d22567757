/**
 * The deterministic syntax repairer: the first rung of the repair ladder. Given a file that does
 * not parse, it searches for the fewest token edits (insert, delete or replace one of
 * `( ) [ ] { } , ; : . =>`, a quote, or delete a stray keyword) that make V8 accept it, without
 * changing the file's export surface or top-level declarations. No model, no I/O: synchronous
 * and pure, judged only by compileVerdict, which is exactly `node --check`'s verdict.
 *
 * ES modules need V8's module parser: call it in a thread started with --experimental-vm-modules
 * (the syntax worker is).
 */
import type { SyntaxChecker } from '../../engine/checker.js';
import { canCompileModules, endOfInput } from '../../analysis/compile.js';
import { verdictOf, withVerdicts } from './verdicts.js';
import { boundNames, nameCounts, orphanNames } from './rivals.js';
import { RIVAL_WINDOW, blockEndsDeleted, bracelessNear, editRegions, rootWork, searchRepair, type AppliedEdit, type SearchOptions, type SearchResult } from './search.js';
import { respell } from './respell.js';
import { unseenPairs } from './pairs.js';
import { precisionFindings } from './precision.js';
import { lex, lineOf, offsetOf, tokenAt, type Lexed } from './tokens.js';
import { judgeEachGivenTheOther, type ConditionalVerdict } from './conditional.js';
import { SEPARATION, arityEvidence, bracketEvidence, keyEvidence, literalCallEvidence, rivalFindingsWorse, rivalReadsWorse, runsEvidence, Sides, spacingEvidence, strayInKnownWord } from './separate.js';

export interface SyntaxRepairOptions {
  filename: string;
  format: 'commonjs' | 'module';
  /** Most token edits in one repair (default 2). */
  maxEdits?: number;
  /** Time budget for the whole search (default 300 ms). */
  timeBudgetMs?: number;
  /** Most candidate texts compiled (default 4,000). */
  maxCandidates?: number;
  /**
   * The exports the file had when it last parsed (git HEAD's, or the scan's record: see
   * validate/last-good): a repair must keep exactly these, a better reference than anything read
   * from the broken text. Trusted as given.
   */
  lastGoodExports?: readonly string[];
}

export interface TokenEdit {
  kind: 'insert' | 'delete' | 'replace';
  /** Offset in the original text. */
  offset: number;
  /** 1-based line and column of the offset in the original text. */
  line: number;
  column: number;
  /** The text removed (empty for an insert) and the text put in its place. */
  before: string;
  after: string;
}

/**
 * How far a repair can be trusted to restore what was written, in [0, 1], and why. Below the
 * gate (DEFAULT_MIN_CONFIDENCE, or the config's `deterministic.minConfidence`) the rung writes
 * nothing: the model gets the file, or a person gets the proposal.
 */
export interface RepairConfidence {
  confidence: number;
  /** What raised or lowered it, in words: "no other repair within 1.0", "one edit", ... */
  evidence: string[];
  /** The nearest other repair that also parses, described, when one was found. */
  rival?: string;
}

export type SyntaxRepair =
  | ({ ok: true; text: string; edits: TokenEdit[]; candidatesTried: number; elapsedMs: number; note: string } & RepairConfidence)
  | { ok: false; reason: string; candidatesTried: number; elapsedMs: number };

export const DEFAULT_MAX_EDITS = 2;
export const DEFAULT_TIME_BUDGET_MS = 300;
export const DEFAULT_MAX_CANDIDATES = 4000;
/** Repairs below this confidence are proposed, never written by the deterministic rung. */

/** `repairSyntax` in one of the checker's engines: off the main thread, with V8's module parser. */
export function repairInEngine(checker: SyntaxChecker, text: string, opts: SyntaxRepairOptions): Promise<SyntaxRepair> {
  return checker.call<SyntaxRepair>(import.meta.url, 'repairSyntax', text, opts);
}

export function repairSyntax(text: string, opts: SyntaxRepairOptions): SyntaxRepair {
  // one memory of verdicts for the repair and the single-edit searches that judge its pairs
  return withVerdicts(() => repairWithin(text, opts));
}

function repairWithin(text: string, opts: SyntaxRepairOptions): SyntaxRepair {
  const started = performance.now();
  const elapsed = (): number => Math.round((performance.now() - started) * 100) / 100;
  const fail = (reason: string, tried = 0): SyntaxRepair => ({ ok: false, reason, candidatesTried: tried, elapsedMs: elapsed() });

  if (opts.format === 'module' && !canCompileModules())
    return fail('ES module parsing needs --experimental-vm-modules in this thread');
  const verdict = verdictOf(text, opts.filename, opts.format);
  if (verdict.ok) return fail('nothing to repair: the file parses');
  if (verdict.errorType !== 'SyntaxError') return fail(`not a syntax error: ${verdict.errorType}: ${verdict.message}`);

  const lx = lex(text);
  const errorOffset = verdict.line > 0 && !endOfInput(verdict.message) ? offsetOf(lx, verdict.line, verdict.column) : text.length;
  let result: SearchResult;
  // the root's candidates, surface and large verdicts, for the pair search below too
  const work = rootWork();
  try {
    result = searchRepair(text, lx, errorOffset, searchOptions(opts), started, work);
  } catch (e) {
    // acorn-loose recurses per nesting level: a stray backtick can turn the rest of a large file into one deep template
    if (e instanceof RangeError) return fail(`the broken text is too deeply nested to read (${e.message})`);
    throw e;
  }
  if (!result.ok) return fail(result.reason, result.tried);
  const one = judge(text, lx, result, opts);
  // One edit the text's own evidence reads as a misreading (`va }Ctor = …` for a mistyped `var`
  // and a lost '}'): two slips read as one. The likeliest pair stands in for it only if each of
  // its edits is its slip's one clear repair given the other (judgeEachGivenTheOther), which no
  // pair holding the single slip's own repair can be: that edit alone leaves nothing to repair.
  if (result.edits.length === 1 && (opts.maxEdits ?? DEFAULT_MAX_EDITS) >= 2 && one.argued && one.conf.confidence <= MISREAD_ONE) {
    let pair: SearchResult | undefined;
    try {
      // within the repair's own budget (the search's floor of work still binds): most such edits stay single
      pair = searchRepair(text, lx, errorOffset, { ...searchOptions(opts), maxEdits: 2, pairsOnly: true }, started, work);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
    }
    if (pair?.ok && pair.edits.length === 2 && apart(text, pair.edits)) {
      const two = judge(text, lx, pair, opts);
      if (two.confirmed && two.conf.confidence > one.conf.confidence) {
        const evidence = [...two.conf.evidence, `read as one edit (${describeAll(text, lx, result.edits)}), the text argues against it (confidence ${one.conf.confidence})`];
        return { ok: true, text: two.result.text, edits: two.edits, candidatesTried: result.tried + pair.tried, elapsedMs: elapsed(), note: two.note, ...two.conf, evidence };
      }
    }
  }
  return { ok: true, text: one.result.text, edits: one.edits, candidatesTried: result.tried, elapsedMs: elapsed(), note: one.note, ...one.conf };
}

/**
 * Two edits on different lines with a token between them. Side by side they are one edit spelt as
 * two (`{` made `)` and a `{` put after it: a `)` put in), which the single-edit search has already
 * weighed. On one line they are another reading of the stretch the single edit repairs, and the
 * pair search, which never weighs single edits, cannot tell which is likelier (bench:repair: a lost
 * `'` in `{ 'chain': false }` written as the `{` deleted and the rest of the line made a string).
 */
function apart(text: string, edits: readonly AppliedEdit[]): boolean {
  const [a, b] = [...edits].sort((x, y) => x.offset - y.offset);
  const between = text.slice(a!.offset + a!.candidate.edit.del, b!.offset);
  return between.trim() !== '' && between.includes('\n');
}

/**
 * At or below this, with evidence against it, a one-edit repair is one the text argues against. A
 * repair low only for a near one-edit rival is no misreading: the pair search skips single edits,
 * so a pair would be judged sure against a cheaper reading it never weighed (async/autoInject.js:
 * a lost `'` in `replace(FN_ARG, '')` written as a quote opened earlier and a `)` deleted).
 */
const MISREAD_ONE = 0.5;

/** A repair the search found, respelt as the file would have it, described and given its confidence. */
function judge(text: string, lx: Lexed, found: Extract<SearchResult, { ok: true }>, opts: SyntaxRepairOptions) {
  let result = found;
  const spelt = respell(lx, result, opts, editRegions(result.edits));
  if (spelt) result = { ...result, ...spelt };
  const edits = result.edits.map((a) => tokenEdit(text, lx, a));
  const note = describeAll(text, lx, result.edits);
  // two edits: judge each given the other, by the single-edit search on the text with the other alone
  const conditional =
    result.edits.length === 2
      ? judgeEachGivenTheOther(text, result.text, result.edits, (t, timeBudgetMs) => repairSyntax(t, { ...opts, maxEdits: 1, timeBudgetMs }), opts.timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS, (o) => {
          const l = lineOf(lx, o);
          return `${l + 1}:${o - lx.lineStarts[l]! + 1}`;
        })
      : undefined;
  const { conf, argued } = confidenceOf(result, lx, conditional);
  return { result, edits, note, conf, argued, confirmed: !!conditional?.confirmed };
}

function searchOptions(opts: SyntaxRepairOptions): SearchOptions {
  const lastGoodExports = opts.lastGoodExports;
  return {
    filename: opts.filename,
    format: opts.format,
    maxEdits: Math.max(1, opts.maxEdits ?? DEFAULT_MAX_EDITS),
    timeBudgetMs: opts.timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS,
    maxCandidates: opts.maxCandidates ?? DEFAULT_MAX_CANDIDATES,
    ...(lastGoodExports ? { lastGoodExports } : {}),
  };
}

/** Two edits never pass the default gate on the margin alone (bench:repair: a fifth of them are wrong). */
const TWO_EDITS_CAP = 0.65;
/** Above this cost a repair is an edit few slips make. */
const UNLIKELY_COST = 1.5;

/**
 * The evidence for a repair: how much likelier it is than the nearest other repair that parses
 * (a margin of RIVAL_WINDOW or more is certainty as far as the search can tell), how many edits
 * it makes, and whether it leaves a name at the edit that nothing declares and that the file uses
 * nowhere else (`retrun, total`: a mistyped word turned into a variable).
 */
function confidenceOf(result: Extract<SearchResult, { ok: true }>, lx: Lexed, conditional?: ConditionalVerdict): { conf: RepairConfidence; argued: boolean } {
  const evidence: string[] = [];
  let argued = false;
  const margin = Math.min(RIVAL_WINDOW, result.rival ? result.rival.margin : result.checked);
  let confidence = 0.4 + (0.6 * margin) / RIVAL_WINDOW;
  let rival: string | undefined;
  if (result.rival) {
    rival = describeAll(lx.text, lx, result.rival.edits);
    evidence.push(`another repair also parses, ${result.rival.margin.toFixed(2)} less likely: ${rival}`);
  } else if (result.checked < RIVAL_WINDOW) evidence.push(`other repairs ruled out only to ${result.checked.toFixed(2)} (budget)`);
  else evidence.push(`no other repair within ${RIVAL_WINDOW.toFixed(1)} parses`);
  // evidence against the repair: it caps the confidence below, and a rival with such evidence the repair lacks reads worse
  // the repair lexed once, for the findings and the indentation below
  const rlx = result.lx.text === result.text ? result.lx : lex(result.text);
  const findings = precisionFindings(result.text, result.edits, editRegions(result.edits), lx, result.stats, result.program, rlx);
  // the file's own text tells the two apart: worth SEPARATION of margin (each side made and lexed once, for all)
  const sides = result.rival && new Sides(lx, result, result.rival.edits, rlx);
  const separated =
    sides &&
    (bracketEvidence(sides) ??
      keyEvidence(sides) ??
      literalCallEvidence(sides) ??
      arityEvidence(sides) ??
      rivalReadsWorse(sides, result.stats) ??
      runsEvidence(sides) ??
      spacingEvidence(sides) ??
      rivalFindingsWorse(sides, result.stats, result.program, findings, result.rival) ??
      // only against its own rival, `{`: a `;` put before a block (`if (x); {`) is one wrong reading of several
      (deletesBrace(result.edits) && sides.rivalEdits.every((a) => a.candidate.token === '{') && blockAfterStatement(sides.rivalEdits, lx).length
        ? "the repair deletes a '}', the rival opens a bare block after the statement before it instead"
        : undefined));
  if (separated) {
    confidence = Math.max(confidence, 0.4 + (0.6 * Math.min(RIVAL_WINDOW, result.rival!.margin + SEPARATION)) / RIVAL_WINDOW);
    evidence.push(separated);
  }
  if (conditional?.confirmed) {
    // A rival pair sharing an edit was that edit's single search's rival too, so the single
    // confidences already weigh it; one sharing neither edit was no single search's rival, so
    // its margin still counts. No penalty beyond that: in bench:repair the pairs applied wrongly
    // were as sure of each edit (1 and 1) as the right ones.
    const shares = result.rival?.edits.some((r) => result.edits.some((e) => e.offset === r.offset && e.candidate.edit.del === r.candidate.edit.del && e.candidate.edit.ins === r.candidate.edit.ins));
    confidence = result.rival && !shares ? Math.min(confidence, conditional.confidence) : conditional.confidence;
    evidence.push(`${result.edits.length} edits: ${conditional.evidence}`);
  } else if (result.edits.length > 1) {
    // measured: with two edits, either could be something else as often as not
    confidence = Math.min(confidence - 0.1, TWO_EDITS_CAP);
    evidence.push(`${result.edits.length} edits, each of which could be something else`);
    if (conditional) {
      evidence.push(conditional.evidence);
      if (conditional.rival) rival = conditional.rival;
    }
  }
  // a confirmed pair's edits were each judged as slips by their own single-edit search: their summed cost says nothing more
  // a stray character deleted from a word the file writes elsewhere is no unlikely edit
  const strayWord = result.cost > UNLIKELY_COST ? strayInKnownWord(lx, result) : undefined;
  if (strayWord) evidence.push(strayWord);
  else if (result.cost > UNLIKELY_COST && !conditional?.confirmed) {
    confidence -= 0.35;
    evidence.push('an unlikely edit as slips go (a keyword or a name deleted, a dissimilar token swapped)');
    argued = true;
  }
  // the text's own evidence against the repair caps its confidence, whatever the margin
  const argue = (cap: number, why: string): void => {
    confidence = Math.min(confidence, cap);
    evidence.push(why);
    argued = true;
  };
  const braceless = bracelessNear(rlx, result.edits);
  if (braceless.length) argue(0.5, `the indentation asks for braces the repair leaves out (line ${braceless.map((l) => l + 1).join(', ')} heads an indented block with none)`);
  if (result.indentPrefersRival) argue(0.5, 'a repair that also parses agrees better with the indentation');
  const ends = blockEndsDeleted(result.edits, lx);
  if (ends.length) argue(0.5, `deletes the '}' that leads line ${ends.join(', ')}, where the indentation ends a block (a lost '{' is as likely)`);
  const pairs = pairedClosersSwapped(result.edits, lx);
  if (pairs.length) argue(0.5, `replaces a closer that pairs with its own opener (line ${pairs.join(', ')}): the bracket it closes would be left open`);
  const heads = blockAfterStatement(result.edits, lx);
  if (heads.length) argue(0.3, `leaves a bare block opening on the line of the statement before it (line ${heads.join(', ')}): that line reads as a block's head (a mistyped 'if' or 'for' left as a call, an extra '}')`);
  const subscripts = longSubscripts(result, rlx);
  if (subscripts.length) argue(0.5, `closes a subscript over several lines (line ${subscripts.join(', ')}): a '[' after a name rarely spans lines, a lost ']' near it is as likely`);
  const unseen = unseenPairs(result.text, result.edits, editRegions(result.edits), lx, result.stats);
  if (unseen.length) argue(0.5, `puts tokens side by side as the file never has them (${unseen.join(', ')})`);
  for (const f of findings) argue(f.cap, f.evidence);
  const orphans = orphansOf(result, lx);
  if (orphans.length) argue(0.3, `reads ${orphans.map((n) => `'${n}'`).join(', ')} at the edit, which nothing declares and the file uses nowhere else`);
  return { conf: { confidence: Math.round(Math.max(0, Math.min(1, confidence)) * 100) / 100, evidence, ...(rival ? { rival } : {}) }, argued };
}

/** A single edit that deletes a '}'. */
function deletesBrace(edits: readonly AppliedEdit[]): boolean {
  return edits.length === 1 && edits[0]!.candidate.kind === 'delete' && edits[0]!.candidate.edit.ins === '' && edits[0]!.candidate.token === '}';
}

/** 1-based lines where the repair replaces a ')', ']' or '}' that the original pairs with its opener by another closer, or by an opener. */
function pairedClosersSwapped(edits: readonly AppliedEdit[], lx: Lexed): number[] {
  const out: number[] = [];
  for (const a of edits) {
    const c = a.candidate;
    if (c.kind !== 'replace' || !c.was || !CLOSERS.has(c.was) || !(CLOSERS.has(c.token) || c.token === '(' || c.token === '[') || c.was === c.token) continue;
    const at = tokenAt(lx, a.offset);
    const open = lx.tokens[at]?.start === a.offset ? lx.match[at]! : -1;
    // made an opener: only a bracket opened on its own line is surely closed there (`call(value, key)`)
    if (open >= 0 && (CLOSERS.has(c.token) || lx.tokens[open]!.line === lx.tokens[at]!.line)) out.push(lineOf(lx, a.offset) + 1);
  }
  return out;
}

const CLOSERS = new Set([')', ']', '}']);

/** 1-based lines where the repair leaves a bare block opening after the statement before it, or a lost block head. */
function blockAfterStatement(edits: readonly AppliedEdit[], lx: Lexed): number[] {
  const text = lx.text;
  const out: number[] = [];
  for (const a of edits) {
    if (a.candidate.kind === 'delete') continue;
    // `f (x); {`, or a '{' opened right after a '}' or ';' (`function f(a) {} {`, `return x;⏎{`)
    // put in, or typed over another token (`obj.{__esModule ? …` repaired as `obj;{__esModule ? …`)
    const semiBeforeBrace = a.candidate.token === ';' && /^[ \t]*\{/.test(text.slice(a.offset + a.candidate.edit.del, a.offset + a.candidate.edit.del + 80));
    const braceAfterEnd = a.candidate.token === '{' && /[;}]\s*$/.test(text.slice(Math.max(0, a.offset - 80), a.offset));
    // `i (x); return y`: a line that opens with a call and goes on to a statement reads as a lost `if`/`for` head
    const line = lineOf(lx, a.offset);
    const semiBeforeStatement =
      a.candidate.kind === 'insert' &&
      a.candidate.token === ';' &&
      /^[ \t]*[A-Za-z_$][\w$]*[ \t]*\(.*\)[ \t]*$/.test(text.slice(lx.lineStarts[line], a.offset)) &&
      /^[ \t]*(return|throw|break|continue)\b/.test(text.slice(a.offset, a.offset + 40));
    if (semiBeforeBrace || braceAfterEnd || semiBeforeStatement) out.push(line + 1);
  }
  return out;
}

/** 1-based lines (of the repair) where a ']' it puts in closes a subscript `a[…` opened two lines above or more. */
function longSubscripts(result: Extract<SearchResult, { ok: true }>, rlx: Lexed): number[] {
  if (!result.edits.some((a) => a.candidate.token === ']' && a.candidate.kind !== 'delete')) return [];
  const out: number[] = [];
  for (const [lo, hi] of editRegions(result.edits)) {
    for (let k = tokenAt(rlx, lo); k < rlx.tokens.length && rlx.tokens[k]!.start < hi; k++) {
      const t = rlx.tokens[k]!;
      const open = rlx.match[k]!;
      if (t.type !== 'punct' || t.value !== ']' || open < 1) continue;
      const before = rlx.tokens[open - 1]!;
      const member = (before.type === 'name' && !/^(return|typeof|in|of|case|yield|await|void|delete|throw|new|else|do)$/.test(before.value)) || (before.type === 'punct' && (before.value === ')' || before.value === ']'));
      if (member && t.line - rlx.tokens[open]!.line >= 2) out.push(t.line + 1);
    }
  }
  return out;
}

/** Names at the repair's edits that no one meant (see orphanNames). */
function orphansOf(result: Extract<SearchResult, { ok: true }>, lx: Lexed): string[] {
  return orphanNames(result.program, result.text, editRegions(result.edits), boundNames(result.program), nameCounts(lx));
}

function describeAll(text: string, lx: Lexed, applied: readonly AppliedEdit[]): string {
  return applied.map((a) => describe(a, tokenEdit(text, lx, a))).join('; ');
}

function tokenEdit(original: string, lx: Lexed, a: AppliedEdit): TokenEdit {
  const e = a.candidate.edit;
  const line = lineOf(lx, a.offset);
  return {
    kind: a.candidate.kind,
    offset: a.offset,
    line: line + 1,
    column: a.offset - lx.lineStarts[line]! + 1,
    before: original.slice(a.offset, a.offset + e.del),
    after: e.ins,
  };
}

const WHY: Partial<Record<AppliedEdit['candidate']['why'], string>> = {
  indentation: ' (indentation)',
  brackets: ' (bracket pairs)',
  string: ' (string left open)',
  keyword: ' (mistyped keyword)',
  arrow: ' (arrow)',
  stray: ' (stray character)',
};

function describe(a: AppliedEdit, t: TokenEdit): string {
  const c = a.candidate;
  const where = `${t.line}:${t.column}`;
  const why = WHY[c.why] ?? '';
  const own = c.kind === 'insert' && /[\r\n]/.test(t.after) ? ' on its own line' : '';
  switch (c.kind) {
    case 'insert':
      return `inserted '${c.token}'${own} at ${where}${why}`;
    case 'delete':
      return `deleted '${c.was ?? c.token}' at ${where}${why}`;
    case 'replace':
      return `replaced '${c.was}' with '${c.token}' at ${where}${why}`;
  }
}
