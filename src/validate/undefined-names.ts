import { undefinedNames } from './scope.js';
import { isJavaScript, type Validator } from './types.js';

/**
 * The fix must not use a name that nothing declares, unless the file already did: the baseline of
 * the original's undefined names is kept, and only new ones reject the fix. For a file that did
 * not parse, a name counts as new when the original text never mentions it.
 */
export const undefinedNamesValidator: Validator = {
  name: 'undefined-names',
  description: 'no new undefined names (ESLint no-undef scope analysis)',
  stage: 'memory',
  appliesTo: ({ file }) => isJavaScript(file),
  async validate({ before, after, format }) {
    const now = undefinedNames(after, format);
    if (!now) return { ok: true };
    const baseline = undefinedNames(before, format);
    const fresh = [...now.keys()].filter((name) => (baseline ? !baseline.has(name) : !mentions(before, name)));
    if (!fresh.length) return { ok: true };
    const where = fresh.map((n) => `${n} (line ${now.get(n)![0]})`).join(', ');
    return { ok: false, reason: `introduces undefined name${fresh.length > 1 ? 's' : ''}: ${where}` };
  },
};

function mentions(text: string, name: string): boolean {
  const escaped = name.replace(/[$]/g, '\\$');
  return new RegExp(`(^|[^\\w$])${escaped}($|[^\\w$])`).test(text);
}
