/**
 * Conditional confidence for a repair of two edits. A pair found together says little about
 * either edit: each could be something else as often as not. Judged one at a time, it can say
 * more: with the other edit applied, the file is a one-slip problem, and the single-edit search
 * on it either finds this edit, alone and clear of rivals, or it does not. A pair both of whose
 * edits pass is as trustworthy as the weaker of the two single repairs.
 */
import { DEFAULT_MIN_CONFIDENCE } from '../../config/defaults.js';
import { applyEdits } from './respell.js';
import { sameTokens, type AppliedEdit } from './search.js';

/** What the single-edit search made of one slip: the repair it returned, or why none. */
export type SingleRepair =
  | { ok: true; text: string; confidence: number; edits: readonly { offset: number; before: string; after: string }[] }
  | { ok: false; reason: string };

/** The single-edit search, given a text and its time budget. */
export type SearchOne = (text: string, timeBudgetMs: number) => SingleRepair;

export type ConditionalVerdict =
  | { confirmed: true; confidence: number; evidence: string }
  | { confirmed: false; evidence: string; rival?: string };

/** Share of the repair's time budget each of the two single-edit searches gets. */
export const CONDITIONAL_SHARE = 0.5;

/**
 * Judge each edit of a two-edit repair given the other: `repaired` is what both make of
 * `original`; `search` runs the single-edit search. Confirmed only when, for each edit, the
 * search on the text with the other edit alone restores `repaired` (whitespace aside) with a
 * confidence at the gate or above; its confidence is then the lower of the two.
 */
export function judgeEachGivenTheOther(
  original: string,
  repaired: string,
  edits: readonly AppliedEdit[],
  search: SearchOne,
  timeBudgetMs: number,
  lineCol: (offset: number) => string,
): ConditionalVerdict {
  if (edits.length !== 2) return { confirmed: false, evidence: `${edits.length} edits: judged one given the other only in pairs` };
  const budget = Math.max(1, Math.round(timeBudgetMs * CONDITIONAL_SHARE));
  const found: number[] = [];
  for (const k of [0, 1] as const) {
    const judged = edits[k]!;
    const other = edits[1 - k]!;
    const text = applyEdits(original, [other]);
    const where = lineCol(judged.offset);
    const r = search(text, budget);
    if (!r.ok) return { confirmed: false, evidence: `given the edit at ${lineCol(other.offset)}, the single-edit search does not settle the one at ${where} (${r.reason})` };
    if (!sameTokens(r.text, repaired)) {
      const rival = r.edits.map((e) => describeIn(original, other, e, lineCol)).join('; ');
      return { confirmed: false, evidence: `given the edit at ${lineCol(other.offset)}, the single-edit search repairs its slip otherwise: ${rival}`, rival };
    }
    if (r.confidence < DEFAULT_MIN_CONFIDENCE)
      return { confirmed: false, evidence: `given the edit at ${lineCol(other.offset)}, the edit at ${where} is found but with confidence ${r.confidence} only` };
    found[k] = r.confidence;
  }
  return { confirmed: true, confidence: Math.min(...found), evidence: `each edit is the only repair of its slip given the other (single-edit confidence ${found.join(' and ')})` };
}

/**
 * An edit the single-edit search made in the text with `applied` alone, described where it sits
 * in the original: an offset past the applied edit moves back by what that edit added.
 */
function describeIn(original: string, applied: AppliedEdit, e: { offset: number; before: string; after: string }, lineCol: (offset: number) => string): string {
  const ae = applied.candidate.edit;
  const end = applied.offset + ae.ins.length;
  const at = e.offset <= applied.offset ? e.offset : e.offset >= end ? e.offset - (ae.ins.length - ae.del) : applied.offset;
  const where = lineCol(Math.min(at, original.length));
  const before = e.before.trim();
  const after = e.after.trim();
  if (!before) return `inserted '${after}' at ${where}`;
  if (!after) return `deleted '${before}' at ${where}`;
  return `replaced '${before}' with '${after}' at ${where}`;
}
