import type { SyntaxChecker } from '../../engine/checker.js';
import type { Repairer } from '../types.js';
import { repairInEngine } from '../deterministic/index.js';

export interface DeterministicSettings {
  maxEdits: number;
  timeBudgetMs: number;
  /** Below this confidence the rung writes nothing: it hands the file on, with its repair as a proposal. */
  minConfidence: number;
}

/**
 * Token-level edits near the error until the file parses again: no model, milliseconds. A repair
 * below the confidence gate is not offered as a candidate: the ladder goes on (the model), and
 * if nothing else fixes the file, a person sees it as a proposal.
 */
export function deterministicRepairer(checker: SyntaxChecker, settings: DeterministicSettings): Repairer {
  return {
    name: 'deterministic',
    description: 'token-level edits (brackets, commas, quotes...) that make the file parse again',
    handles: ['syntax'],
    async repair({ bug, original, file, format }) {
      const r = await repairInEngine(checker, original, {
        filename: file,
        format,
        maxEdits: settings.maxEdits,
        timeBudgetMs: settings.timeBudgetMs,
        ...(bug.lastGoodExports ? { lastGoodExports: bug.lastGoodExports } : {}),
      });
      if (!r.ok) return { ok: false, strategy: 'deterministic', reason: `${r.reason} (${r.candidatesTried} candidates, ${Math.round(r.elapsedMs)} ms)` };
      const trust = { confidence: r.confidence, evidence: r.evidence ?? [], ...(r.rival !== undefined ? { rival: r.rival } : {}) };
      if (!(r.confidence >= settings.minConfidence)) {
        // The rival is named once: the evidence often names it already.
        const rival = trust.rival !== undefined && !trust.evidence.some((e) => e.includes(trust.rival!)) ? [`rival: ${trust.rival}`] : [];
        const why = [...trust.evidence, ...rival];
        const held = `confidence ${formatConfidence(r.confidence, settings.minConfidence)} below the gate ${formatConfidence(settings.minConfidence)}${why.length ? ` (${why.join('; ')})` : ''}`;
        return { ok: false, strategy: 'deterministic', reason: `${held}, not written: ${r.note}`, proposal: { text: r.text, note: r.note, held, ...trust } };
      }
      return { ok: true, strategy: 'deterministic', text: r.text, note: r.note, edits: r.edits.length, ...trust };
    },
  };
}

/**
 * A confidence as a person reads it: two decimals, more when two decimals would make a value
 * below the gate look equal to it (0.695 against 0.7).
 */
export function formatConfidence(c: number, gate?: number): string {
  const short = (n: number, d: number) => String(Number(n.toFixed(d)));
  if (gate === undefined || c >= gate) return short(c, 2);
  for (let d = 2; d < 6; d++) if (short(c, d) !== short(gate, d)) return short(c, d);
  return String(c);
}
