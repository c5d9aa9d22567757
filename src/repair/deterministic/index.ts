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
import { canCompileModules, compileVerdict, endOfInput } from '../../discover/syntax/compile.js';
import { searchRepair, type AppliedEdit } from './search.js';
import { lex, lineOf, offsetOf } from './tokens.js';

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

export type SyntaxRepair =
  | { ok: true; text: string; edits: TokenEdit[]; candidatesTried: number; elapsedMs: number; note: string }
  | { ok: false; reason: string; candidatesTried: number; elapsedMs: number };

export const DEFAULT_MAX_EDITS = 2;
export const DEFAULT_TIME_BUDGET_MS = 300;
export const DEFAULT_MAX_CANDIDATES = 4000;

export function repairSyntax(text: string, opts: SyntaxRepairOptions): SyntaxRepair {
  const started = performance.now();
  const elapsed = (): number => Math.round((performance.now() - started) * 100) / 100;
  const fail = (reason: string, tried = 0): SyntaxRepair => ({ ok: false, reason, candidatesTried: tried, elapsedMs: elapsed() });

  if (opts.format === 'module' && !canCompileModules())
    return fail('ES module parsing needs --experimental-vm-modules in this thread');
  const verdict = compileVerdict(text, opts.filename, opts.format);
  if (verdict.ok) return fail('nothing to repair: the file parses');
  if (verdict.errorType !== 'SyntaxError') return fail(`not a syntax error: ${verdict.errorType}: ${verdict.message}`);

  const lx = lex(text);
  const errorOffset = verdict.line > 0 && !endOfInput(verdict.message) ? offsetOf(lx, verdict.line, verdict.column) : text.length;
  const lastGoodExports = opts.lastGoodExports;
  const result = searchRepair(
    text,
    lx,
    errorOffset,
    {
      filename: opts.filename,
      format: opts.format,
      maxEdits: Math.max(1, opts.maxEdits ?? DEFAULT_MAX_EDITS),
      timeBudgetMs: opts.timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS,
      maxCandidates: opts.maxCandidates ?? DEFAULT_MAX_CANDIDATES,
      ...(lastGoodExports ? { lastGoodExports } : {}),
    },
    started,
  );
  if (!result.ok) return fail(result.reason, result.tried);

  const edits = result.edits.map((a) => tokenEdit(text, lx, a));
  const note = result.edits.map((a, k) => describe(a, edits[k]!)).join('; ');
  return { ok: true, text: result.text, edits, candidatesTried: result.tried, elapsedMs: elapsed(), note };
}

function tokenEdit(original: string, lx: ReturnType<typeof lex>, a: AppliedEdit): TokenEdit {
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

function describe(a: AppliedEdit, t: TokenEdit): string {
  const c = a.candidate;
  const where = `${t.line}:${t.column}`;
  const why = c.why === 'indentation' ? ' (indentation)' : c.why === 'brackets' ? ' (bracket pairs)' : c.why === 'string' ? ' (string left open)' : '';
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
