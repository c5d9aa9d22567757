import fs from 'node:fs';
import path from 'node:path';
import { QUIET_STAT, statKey, type PackageScopes } from '../analysis/format.js';
import type { TreeWalk } from './walk.js';

const SEP = path.sep.charCodeAt(0);
/**
 * A folder's parent, as path.dirname gives it: on POSIX, for a normal absolute path below the
 * root, the part before its last separator. path.dirname and path.basename walk the path a
 * character at a time in JavaScript, cold (unoptimised) for most of a scan's thousands of
 * folders; lastIndexOf is a builtin. Elsewhere (drive letters, UNC roots): path.dirname.
 */
const parentOf = (dir: string): string => {
  const cut = path.sep === '/' ? dir.lastIndexOf('/') : -1;
  return cut > 0 && cut < dir.length - 1 ? dir.slice(0, cut) : path.dirname(dir);
};

/**
 * The scope key of each file (PackageScopes.scopeOf's key, string for string), read off the
 * walk: it listed every folder, so it knows which hold a package.json, and only those are
 * stat'ed, where the lookup stats a package.json in every folder (most of them absent). Folders
 * the walk did not list (above a root, or reached through a link) go to `fallback`. Make one per
 * scan, as PackageScopes.
 */
export function walkScopes(tree: TreeWalk, fallback: PackageScopes): (file: string, folder?: string) => string {
  const governing = new Map<string, string>();
  const keyOf = (dir: string): string => {
    const known = governing.get(dir);
    if (known !== undefined) return known;
    const listed = tree.hasPackageJson(dir);
    let key: string;
    // As Node's lookup: never past a folder named node_modules.
    if (listed === undefined) key = fallback.scopeOf(path.join(dir, 'index.js')).key;
    // (basename only where it can be that: see parentOf)
    else if ((dir.endsWith('node_modules') || dir.endsWith(path.sep)) && path.basename(dir) === 'node_modules') key = 'none';
    else {
      // path.join's spelling, without its normalising: the walk's folders are already normal.
      // (The folder's prefix made for every folder: made only where a package.json is, its first
      // use, after the scan loop was optimised, threw that code away.)
      const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
      const pj = listed ? prefix + 'package.json' : undefined;
      let st: fs.Stats | undefined;
      try {
        st = pj === undefined ? undefined : fs.statSync(pj, QUIET_STAT);
      } catch {
        st = undefined;
      }
      // The mode tested as listSourceFiles tests it (a first call of isFile() after the scan loop
      // was optimised threw that code away).
      if (st !== undefined && (st.mode & fs.constants.S_IFMT) === fs.constants.S_IFREG) key = `${pj}#${statKey(st)}`;
      else {
        const parent = parentOf(dir);
        key = parent === dir ? 'none' : keyOf(parent);
      }
    }
    governing.set(dir, key);
    return key;
  };
  let lastDir = '';
  let lastKey = '';
  /** The walk's folder string of the last file, when the caller gave it (see FileStat.folder). */
  let lastFolder: string | undefined;
  return (file, folder) => {
    // `.mjs` and `.cjs` (not a name that is only that: it has no extension): the extension is
    // the key, as scopeOf says, without its slices.
    if ((file.endsWith('.mjs') || file.endsWith('.cjs')) && file.length > 4 && file.charCodeAt(file.length - 5) !== SEP) return file.slice(-4);
    // The walk's folder, one string a folder: the same object as the last file's, nearly always.
    if (folder !== undefined && folder === lastFolder) return lastKey;
    // Files come a folder at a time: the last folder is recognised without cutting the path.
    const cut = file.lastIndexOf(path.sep);
    if (folder === undefined && cut > 0 && cut === lastDir.length && file.startsWith(lastDir)) return lastKey;
    const dir = parentOf(file);
    lastKey = keyOf(dir);
    lastDir = dir;
    lastFolder = folder;
    return lastKey;
  };
}
