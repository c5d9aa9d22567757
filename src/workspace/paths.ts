import fs from 'node:fs';
import path from 'node:path';

/** An absolute POSIX path with nothing for path.resolve to change: no `//`, `.`, `..` or trailing `/`. */
const NOT_NORMAL = /\/\/|\/\.\.?(?:\/|$)|.\/$/;

/** True when `child` is `parent` or inside it (both absolute, normalised). */
export function isInside(child: string, parent: string): boolean {
  // Normal absolute paths (real paths, resolved roots: nearly every call) by their text alone;
  // path.relative resolves both first (a scan with many bugs asked it thousands of times).
  if (path.sep === '/' && child.charCodeAt(0) === 47 && parent.charCodeAt(0) === 47 && !NOT_NORMAL.test(child) && !NOT_NORMAL.test(parent))
    return child === parent || child.startsWith(parent === '/' ? parent : `${parent}/`);
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

export function isInsideAny(child: string, parents: readonly string[]): boolean {
  return parents.some((p) => isInside(child, p));
}

/** The root `child` is under (the deepest, when roots nest). */
export function containingRoot(child: string, roots: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const r of roots) if (isInside(child, r) && (!best || r.length > best.length)) best = r;
  return best;
}

/** Real path of an existing file or folder, or undefined when it does not exist. */
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

/**
 * Why `file` may not be written, or undefined when it may: its real path (for a file that does
 * not exist, its folder's) must be inside the roots (given as real paths), and the file itself
 * must not be a link, whose target is written under its own path, if at all. The one check of
 * every write to a file under the roots: a fix, and a recovery after a crash.
 */
export function writeRefusal(file: string, realRoots: readonly string[]): string | undefined {
  const outside = 'outside the configured roots (or a link that leads out of them)';
  let st: fs.Stats | undefined;
  try {
    st = fs.lstatSync(file);
  } catch {
    st = undefined;
  }
  if (st?.isSymbolicLink()) return containedRealPath(file, realRoots) ? 'a symbolic link: the file it points to is repaired under its own path, if at all' : outside;
  if (st) return containedRealPath(file, realRoots) ? undefined : outside;
  const dir = realPathOf(path.dirname(file));
  return dir && isInsideAny(path.join(dir, path.basename(file)), realRoots) ? undefined : outside;
}
