/**
 * Token pairs as evidence: a slip is one token in code the file otherwise writes as it always
 * does, so a repair that leaves a pair of tokens the file never shows, where it would show it
 * often were it usual, is likely not what was written.
 */
import { tokenClass, type Bigrams } from './candidates.js';
import type { AppliedEdit } from './search.js';
import { lex, type Lexed } from './tokens.js';

/**
 * Pairs of adjacent tokens at the repair's edits that occur nowhere else in the file (`format}key`,
 * `/re/{`), read from the lines around each edit, lexed alone. `edits`: in the broken text's
 * coordinates; `regions`: where they sit in `text`.
 */
export function unseenPairs(text: string, edits: readonly AppliedEdit[], regions: readonly (readonly [number, number])[], broken: Lexed, stats: Bigrams): string[] {
  const out: string[] = [];
  // the broken lines at the edits are left out of the file's counts: the slip made their pairs
  const local = new Map<string, number>();
  for (const a of edits) {
    const [from, to] = linesAround(broken.text, a.offset, a.offset + a.candidate.edit.del);
    const blx = lex(broken.text.slice(from, to));
    for (let k = 1; k < blx.tokens.length; k++) {
      const { pair } = pairAt(blx, k);
      local.set(pair, (local.get(pair) ?? 0) + 1);
    }
  }
  for (const [lo, hi] of regions) {
    const [from, to] = linesAround(text, lo, hi);
    const wlx = lex(text.slice(from, to));
    const t = wlx.tokens;
    for (let k = 1; k < t.length; k++) {
      // the pairs that hold a token the edit put in, or that a deletion brought together
      if (!(t[k - 1]!.start + from < (hi > lo ? hi : lo) && t[k]!.end + from > lo)) continue;
      const { a, b, sep, pair } = pairAt(wlx, k);
      // surprising only where the two are common enough that the file would have paired them
      if ((stats.pair.get(pair) ?? 0) <= (local.get(pair) ?? 0) && expectedPairs(stats, a, b, sep) >= UNSEEN_EXPECTED) out.push(`'${pair.replace('\n', '⏎')}'`);
    }
  }
  return out;
}

/** The pair tokens k-1 and k make, keyed as bigrams() counts it: their classes and whether a line break parts them. */
function pairAt(lx: Lexed, k: number): { a: string; b: string; sep: string; pair: string } {
  const a = tokenClass(lx, lx.tokens[k - 1]);
  const b = tokenClass(lx, lx.tokens[k]);
  const sep = lx.tokens[k]!.first ? '\n' : ' ';
  return { a, b, sep, pair: a + sep + b };
}

/** The line of [lo, hi] and the next one. */
function linesAround(text: string, lo: number, hi: number): [number, number] {
  const from = text.lastIndexOf('\n', Math.max(0, lo - 1)) + 1;
  const end = text.indexOf('\n', hi);
  return [from, end < 0 ? text.length : text.indexOf('\n', end + 1) + 1 || text.length];
}

/** How many times a pair must be expected, were tokens independent, for its absence to count. */
const UNSEEN_EXPECTED = 4;

/** The count of a pair the file would show if its tokens followed one another at random. */
function expectedPairs(stats: Bigrams, a: string, b: string, sep: string): number {
  const n = stats.total || 1;
  const share = (sep === '\n' ? stats.breaks : n - stats.breaks) / n;
  return ((stats.single.get(a) ?? 0) * (stats.single.get(b) ?? 0) * share) / n;
}

