/**
 * Evidence against a repair that parses: what a careful reader sees in the repaired text that
 * the file itself never writes. Each finding caps the repair's confidence below the gate, so the
 * rung proposes instead of writing (bench:repair's wrong fixes applied, issue 12).
 */
import { tokenClass, type Bigrams } from './candidates.js';
import type { AppliedEdit } from './search.js';
import { lex, lineOf, tokenAt, type Lexed } from './tokens.js';

export interface Finding {
  /** The confidence the repair keeps at most. */
  cap: number;
  evidence: string;
}

/** Words that may follow a block's or literal's `}` on its line: the statement goes on. */
const GOES_ON = new Set(['else', 'catch', 'finally', 'while', 'in', 'instanceof', 'of', 'from', 'as']);

/**
 * `repaired`: the repair's text; `edits`: its edits in the broken text's coordinates, `regions`
 * where they sit in `repaired`; `broken`: the broken text lexed; `stats`: its token pairs.
 */
export function precisionFindings(repaired: string, edits: readonly AppliedEdit[], regions: readonly (readonly [number, number])[], broken: Lexed, stats: Bigrams): Finding[] {
  const out: Finding[] = [];
  const after = codeAfterBrace(repaired, edits, regions, broken, stats);
  if (after.length)
    out.push({
      cap: 0.5,
      evidence: `puts a '}' with code after it on its line (line ${after.join(', ')}), as the file never writes: a '}' typed mid-line is likelier the slip than the block's end`,
    });
  return out;
}

/**
 * 1-based lines of the repair where a `}` an edit put in is followed on its line by a new
 * statement (`format}key[1];`), a pair the file shows nowhere else.
 */
function codeAfterBrace(repaired: string, edits: readonly AppliedEdit[], regions: readonly (readonly [number, number])[], broken: Lexed, stats: Bigrams): number[] {
  const out: number[] = [];
  edits.forEach((a, k) => {
    if (a.candidate.kind === 'delete' || a.candidate.token !== '}') return;
    const [lo, hi] = regions[k]!;
    const p = lo + repaired.slice(lo, hi).indexOf('}');
    const from = repaired.lastIndexOf('\n', Math.max(0, p - 1)) + 1;
    const end = repaired.indexOf('\n', p);
    const lx = lex(repaired.slice(from, end < 0 ? repaired.length : end));
    const at = tokenAt(lx, p - from);
    const brace = lx.tokens[at];
    const next = lx.tokens[at + 1];
    if (!brace || brace.type !== 'punct' || brace.value !== '}' || brace.start !== p - from) return;
    if (!next || !(next.type === 'name' || next.type === 'num' || next.type === 'string') || GOES_ON.has(next.value)) return;
    const pair = `} ${tokenClass(lx, next)}`;
    // the broken line's own pairs are the slip's doing: they are no witness
    const bl = lineOf(broken, a.offset);
    const blx = lex(broken.text.slice(broken.lineStarts[bl], broken.lineStarts[bl + 1] ?? broken.text.length));
    let local = 0;
    for (let j = 1; j < blx.tokens.length; j++) if (!blx.tokens[j]!.first && `${tokenClass(blx, blx.tokens[j - 1])} ${tokenClass(blx, blx.tokens[j])}` === pair) local++;
    if ((stats.pair.get(pair) ?? 0) <= local) out.push(lineOf(broken, a.offset) + 1);
  });
  return out;
}
