import type { SyntaxChecker } from '../../discover/syntax/checker.js';
import type { Repairer } from '../types.js';

export interface DeterministicSettings {
  maxEdits: number;
  timeBudgetMs: number;
}

/** Token-level edits near the error until the file parses again: no model, milliseconds. */
export function deterministicRepairer(checker: SyntaxChecker, settings: DeterministicSettings): Repairer {
  return {
    name: 'deterministic',
    description: 'token-level edits (brackets, commas, quotes...) that make the file parse again',
    handles: ['syntax'],
    async repair({ bug, original, file, format }) {
      const r = await checker.repair(original, {
        filename: file,
        format,
        maxEdits: settings.maxEdits,
        timeBudgetMs: settings.timeBudgetMs,
        ...(bug.lastGoodExports ? { lastGoodExports: bug.lastGoodExports } : {}),
      });
      if (!r.ok) return { ok: false, strategy: 'deterministic', reason: `${r.reason} (${r.candidatesTried} candidates, ${Math.round(r.elapsedMs)} ms)` };
      return { ok: true, strategy: 'deterministic', text: r.text, note: r.note, edits: r.edits.length };
    },
  };
}
