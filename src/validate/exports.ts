import { committedVersion } from '../workspace/git.js';
import { lastGoodExports, recordFits } from './last-good.js';
import { diffNames, surfaceOf } from './surface.js';
import { isJavaScript, type Validator } from './types.js';

/**
 * The fix must keep the export surface: every name the module exported (CommonJS or ESM) is still
 * exported, and none is added. For a file that did not parse, the original's surface comes from
 * a tolerant parse, which can miss names: there only losses are rejected, unless git's HEAD holds
 * the file less the slip (then HEAD's exports are the reference, and must be kept exactly).
 */
export const exportsValidator: Validator = {
  name: 'exports',
  description: 'the same exported names (CommonJS and ESM)',
  stage: 'memory',
  appliesTo: ({ file }) => isJavaScript(file),
  async validate({ file, before, after, format, bug }) {
    const isModule = format === 'module';
    const tolerant = bug.kind === 'syntax';
    let original: string[];
    let fixed: string[];
    try {
      original = surfaceOf(before, isModule, tolerant).exports;
      fixed = surfaceOf(after, isModule).exports;
    } catch (err) {
      return { ok: false, reason: `export surface unreadable: ${(err as Error).message}` };
    }
    if (tolerant) {
      const head = await committedVersion(file);
      const recorded = bug.lastGoodExports && recordFits(bug.lastGoodExports, before) ? bug.lastGoodExports : undefined;
      const reference = (head !== undefined ? lastGoodExports(head, before, file, format) : undefined) ?? recorded;
      if (reference) {
        const { lost, added } = diffNames(reference, fixed);
        // New since then: only names the file writes (an export added in the same edit as the slip).
        const unwritten = added.filter((n) => !recordFits([n], before));
        if (lost.length || unwritten.length)
          return { ok: false, reason: `export surface changed from the last good version's: ${[...lost.map((n) => `lost ${n}`), ...unwritten.map((n) => `added ${n}`)].join(', ')}` };
        return { ok: true };
      }
    }
    const { lost, added } = diffNames(original, fixed);
    if (lost.length) return { ok: false, reason: `export surface changed: lost ${lost.join(', ')}` };
    if (added.length && !tolerant) return { ok: false, reason: `export surface changed: added ${added.join(', ')}` };
    return { ok: true };
  },
};
