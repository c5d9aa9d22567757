import { recordFits } from './last-good.js';
import { diffNames, surfaceOf } from '../analysis/surface.js';
import { isJavaScript, type Validator } from './types.js';
import { promised } from '../util/promised.js';

/**
 * The fix must keep the export surface: every name the module exported (CommonJS or ESM) is still
 * exported, and none is added. A file that broke is held to the exports it had when it last
 * parsed, when those are known (`bug.lastGoodExports`, settled by validate/last-good); otherwise
 * its surface comes from a tolerant parse, which can miss names: there only losses are rejected.
 */
export const exportsValidator: Validator = {
  name: 'exports',
  description: 'the same exported names (CommonJS and ESM)',
  stage: 'memory',
  appliesTo: ({ file }) => isJavaScript(file),
  validate({ before, after, format, bug }) {
    return promised(() => {
      const isModule = format === 'module';
      const tolerant = bug.kind === 'syntax';
      const reference = bug.lastGoodExports;
      let original: string[];
      let fixed: string[];
      try {
        fixed = surfaceOf(after, isModule).exports;
        original = reference ?? surfaceOf(before, isModule, tolerant).exports;
      } catch (err) {
        return { ok: false, reason: `export surface unreadable: ${(err as Error).message}` };
      }
      const { lost, added } = diffNames(original, fixed);
      if (reference) {
        // New since then: only names the file writes (an export added in the same edit as the slip).
        const unwritten = added.filter((n) => !recordFits([n], before));
        if (lost.length || unwritten.length)
          return { ok: false, reason: `export surface changed from the last good version's: ${[...lost.map((n) => `lost ${n}`), ...unwritten.map((n) => `added ${n}`)].join(', ')}` };
        return { ok: true };
      }
      if (lost.length) return { ok: false, reason: `export surface changed: lost ${lost.join(', ')}` };
      if (added.length && !tolerant) return { ok: false, reason: `export surface changed: added ${added.join(', ')}` };
      return { ok: true };
    });
  },
};
