import fs from 'node:fs';
import path from 'node:path';

/** True when `child` is `parent` or inside it (both absolute, normalised). */
export function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

export function isInsideAny(child: string, parents: readonly string[]): boolean {
  return parents.some((p) => isInside(child, p));
}

/** Real path of an existing file or folder, or undefined when it does not exist. */
/** The root `child` is under (the deepest, when roots nest). */
export function containingRoot(child: string, roots: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const r of roots) if (isInside(child, r) && (!best || r.length > best.length)) best = r;
  return best;
}

export function realPathOf(p: string): string | undefined {
  try {
    return fs.realpathSync(p);
  } catch {
    return undefined;
  }
}

/**
 * Where a file really is, provided that it and every link on the way stay inside the roots
 * (given as real paths). Returns undefined for anything that leaves them.
 */
export function containedRealPath(file: string, realRoots: readonly string[]): string | undefined {
  const real = realPathOf(file);
  if (!real) return undefined;
  return isInsideAny(real, realRoots) ? real : undefined;
}

export function expandHome(p: string, home: string): string {
  if (p === '~') return home;
  if (p.startsWith('~/')) return path.join(home, p.slice(2));
  return p;
}
