import { diffLines } from 'diff';
import { undefinedNames } from '../analysis/scope.js';
import { isJavaScript, type Validator } from './types.js';
import { promised } from '../util/promised.js';

/**
 * The fix must not use a name that nothing declares, unless the file already did: the baseline of
 * the original's undefined names is kept, and only new ones reject the fix.
 *
 * A file that did not parse has no scope analysis of its own, so its baseline comes from
 * elsewhere. Its last good version (git HEAD, when the broken text is it less a few lines) gives
 * the names the file left undefined when it last worked. Without one, a name counts as already
 * undefined only where the broken text uses it on a line the fix did not change: a name read
 * from a line the fix rewrote may be the slip itself (`retrun total;` made `retrun, total;` is a
 * fix that parses and means nothing). With a last good version, a line written since it and left
 * alone by the fix is someone's edit, not the slip: its names count too.
 */
export const undefinedNamesValidator: Validator = {
  name: 'undefined-names',
  description: 'no new undefined names (ESLint no-undef scope analysis)',
  stage: 'memory',
  appliesTo: ({ file }) => isJavaScript(file),
  validate({ before, after, format, lastGood }) {
    return promised(() => {
      const now = undefinedNames(after, format);
      if (!now) return { ok: true };
      const known = baselineOf(before, after, format, lastGood);
      const fresh = [...now.keys()].filter((name) => !known(name));
      if (!fresh.length) return { ok: true };
      const where = fresh.map((n) => `${n} (line ${now.get(n)![0]})`).join(', ');
      return { ok: false, reason: `introduces undefined name${fresh.length > 1 ? 's' : ''}: ${where}` };
    });
  },
};

/** Whether a name the fixed text leaves undefined was already left undefined before the fix. */
function baselineOf(before: string, after: string, format: 'commonjs' | 'module', lastGood: string | undefined): (name: string) => boolean {
  const own = undefinedNames(before, format);
  if (own) return (name) => own.has(name);
  const untouched = linesKept(before, after);
  if (lastGood !== undefined) {
    const good = undefinedNames(lastGood, format);
    if (good) {
      const edited = linesAdded(lastGood, before);
      const theirs = [...untouched].filter((i) => edited.has(i));
      const text = linesOf(before, theirs);
      return (name) => good.has(name) || mentions(text, name);
    }
  }
  const text = linesOf(before, untouched);
  return (name) => mentions(text, name);
}

/** Indices (0-based) of the lines of `a` that `b` keeps as they are. */
function linesKept(a: string, b: string): Set<number> {
  const kept = new Set<number>();
  let i = 0;
  for (const part of diffLines(a, b)) {
    if (part.added) continue;
    const n = part.count ?? countLines(part.value);
    if (!part.removed) for (let k = 0; k < n; k++) kept.add(i + k);
    i += n;
  }
  return kept;
}

/** Indices (0-based) of the lines of `b` that are not in `a`. */
function linesAdded(a: string, b: string): Set<number> {
  const added = new Set<number>();
  let i = 0;
  for (const part of diffLines(a, b)) {
    if (part.removed) continue;
    const n = part.count ?? countLines(part.value);
    if (part.added) for (let k = 0; k < n; k++) added.add(i + k);
    i += n;
  }
  return added;
}

function countLines(value: string): number {
  const lines = value.split('\n');
  return lines[lines.length - 1] === '' ? lines.length - 1 : lines.length;
}

function linesOf(text: string, indices: Iterable<number>): string {
  const lines = text.split('\n');
  return [...indices].map((i) => lines[i] ?? '').join('\n');
}

function mentions(text: string, name: string): boolean {
  const escaped = name.replace(/[$]/g, '\\$');
  return new RegExp(`(^|[^\\w$])${escaped}($|[^\\w$])`).test(text);
}
