/**
 * The verdicts of one repair, its two single-edit searches (conditional.ts) with it: a text is
 * compiled once however often it is asked of. The single-edit search on the text with one edit
 * of a pair applied compiles that text and the candidates built on it, which the pair's own
 * search compiled already (bench:repair's two-slip cases: a fifth of their compiles were
 * repeats); a pair is reached from either of its edits. Only texts below REGION_MIN_SIZE are
 * kept, by their text, up to MAX_BYTES in all: a large file's candidates are mostly settled on
 * their region, and are too big to keep.
 */
import { compileVerdict, compiles, type ModuleFormat, type Verdict } from '../../analysis/compile.js';
import { REGION_MIN_SIZE } from './region.js';
import { withLexes } from './tokens.js';

const MAX_BYTES = 32 * 1024 * 1024;

/** A text's verdict, or only whether it compiles (compiles was asked). */
let active: { known: Map<string, Verdict | boolean>; bytes: number } | undefined;

/** Run `f` with one memory of verdicts (and of lexed texts: withLexes), or within the one already running (a nested repair). */
export function withVerdicts<T>(f: () => T): T {
  if (active) return f();
  active = { known: new Map(), bytes: 0 };
  try {
    return withLexes(f);
  } finally {
    active = undefined;
  }
}

function keep(text: string, v: Verdict | boolean): void {
  if (!active || text.length >= REGION_MIN_SIZE) return;
  if (!active.known.has(text)) {
    if (active.bytes + text.length > MAX_BYTES) return;
    active.bytes += text.length;
  }
  active.known.set(text, v);
}

/** The verdict of a text that compiles: no more to say. */
export const PARSES: Verdict = { ok: true };

/** compileVerdict, remembered. */
export function verdictOf(text: string, filename: string, format: ModuleFormat): Verdict {
  const known = active?.known.get(text);
  if (known === true) return PARSES;
  if (known !== undefined && known !== false) return known;
  const v = compileVerdict(text, filename, format);
  keep(text, v);
  return v;
}

/** compiles, remembered. */
export function parses(text: string, format: ModuleFormat): boolean {
  const known = active?.known.get(text);
  if (known !== undefined) return typeof known === 'boolean' ? known : known.ok;
  const ok = compiles(text, format);
  keep(text, ok);
  return ok;
}
