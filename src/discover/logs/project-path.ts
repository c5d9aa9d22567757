/**
 * A location read from a log, as a file of the project. A path on this box counts when it is
 * under a root and exists. A Windows path (`C:\app\lib\a.js`, from a report pasted from another
 * machine, or a log copied here) cannot exist on a POSIX box: it names the project file that has
 * its longest tail (`lib/a.js` under a root), if any.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isInsideAny } from '../../workspace/paths.js';

const WINDOWS_ABSOLUTE = /^(?:[A-Za-z]:[\\/]|\\\\)/;

export function projectPathResolver(roots: readonly string[], exists: (p: string) => boolean = fs.existsSync): (file: string) => string | undefined {
  const memo = new Map<string, string | undefined>();
  const own = (p: string) => {
    try {
      return isInsideAny(p, roots) && exists(p);
    } catch {
      return false;
    }
  };
  return (file) => {
    if (memo.has(file)) return memo.get(file);
    let found: string | undefined;
    if (path.sep === '/' && WINDOWS_ABSOLUTE.test(file)) {
      const parts = file.split(/[\\/]+/).filter(Boolean);
      // Longest tail first; the drive (or a UNC host) is never part of it.
      for (let i = 1; i < parts.length && !found; i++) {
        const tail = parts.slice(i);
        if (tail.some((s) => s === '..' || s === '.' || s === 'node_modules')) continue;
        for (const root of roots) {
          const p = path.join(root, ...tail);
          if (own(p)) {
            found = p;
            break;
          }
        }
      }
    } else if (own(file)) found = file;
    memo.set(file, found);
    return found;
  };
}
