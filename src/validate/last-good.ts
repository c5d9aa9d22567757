import { diffLines } from 'diff';
import * as acorn from 'acorn';
import { canCompileModules, compileVerdict, type ModuleFormat } from '../analysis/compile.js';
import type { Bug } from '../discover/types.js';
import { committedVersion } from '../workspace/git.js';
import { surfaceOf } from '../analysis/surface.js';

/** More changed lines than this and the last good version is another file, not a reference. */
export const LAST_GOOD_MAX_CHANGED_LINES = 8;

/**
 * The exports of the last version of a file known to parse (git's HEAD), when the broken text is
 * that version with a few lines changed: then it, not a tolerant reading of the broken text, is
 * what a repair must keep. Undefined when it does not parse or is too far from the broken text.
 */
export function lastGoodExports(lastGood: string, broken: string, filename: string, format: ModuleFormat): string[] | undefined {
  return isLastGoodOf(lastGood, broken, filename, format) ? surfaceOf(lastGood, format === 'module').exports : undefined;
}

/** Whether `lastGood` parses and is the broken text with at most a few lines changed: a reference for it. */
export function isLastGoodOf(lastGood: string, broken: string, filename: string, format: ModuleFormat): boolean {
  if (lastGood === broken || !parses(lastGood, filename, format)) return false;
  let changed = 0;
  for (const part of diffLines(lastGood, broken)) {
    if (part.added || part.removed) changed += part.count ?? 0;
    if (changed > LAST_GOOD_MAX_CHANGED_LINES) return false;
  }
  return true;
}

/** V8's verdict where this thread can give it; acorn's for a module on a thread without V8's module parser. */
function parses(text: string, filename: string, format: ModuleFormat): boolean {
  if (format === 'commonjs' || canCompileModules()) return compileVerdict(text, filename, format).ok;
  try {
    acorn.parse(text, { ecmaVersion: 'latest', sourceType: 'module', allowHashBang: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether a recorded export surface still fits the broken text: every name it holds is still
 * written there (a name someone removed since is not in the text, and the record is stale).
 */
export function recordFits(exports: readonly string[], broken: string): boolean {
  for (const n of exports) {
    const name = /^[\w$]+/.exec(n)?.[0];
    if (name && !new RegExp(`(^|[^\\w$])${name.replace(/\$/g, '\\$')}($|[^\\w$])`).test(broken)) return false;
  }
  return true;
}

/**
 * A syntax bug with the export surface its repair must keep, settled once per fix: git HEAD's
 * exports when HEAD is the file less a few lines, else the scan's record if it still fits the
 * text, else none (the repair then reads what it can from the broken text).
 */
export async function withExportReference(bug: Bug, broken: string, format: ModuleFormat): Promise<Bug> {
  return (await settleReference(bug, broken, format)).bug;
}

/**
 * withExportReference, and the last good text itself when git HEAD is it (the undefined-names
 * step takes its baseline from it): git is asked once per fix, here.
 */
export async function settleReference(bug: Bug, broken: string, format: ModuleFormat): Promise<{ bug: Bug; lastGood?: string }> {
  if (bug.kind !== 'syntax') return { bug };
  const { lastGoodExports: recorded, ...rest } = bug;
  const head = await committedVersion(bug.file);
  const lastGood = head !== undefined && isLastGoodOf(head, broken, bug.file, format) ? head : undefined;
  const fromHead = lastGood !== undefined ? surfaceOf(lastGood, format === 'module').exports : undefined;
  const reference = fromHead ?? (recorded && recordFits(recorded, broken) ? recorded : undefined);
  return { bug: reference ? { ...rest, lastGoodExports: reference } : rest, ...(lastGood !== undefined ? { lastGood } : {}) };
}
