import fs from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import { ALWAYS_PROTECTED_FILES, ALWAYS_SKIPPED_DIRS } from '../config/defaults.js';
import type { Config } from '../config/load.js';
import { isInside, realPathOf } from './paths.js';

const GLOB_CHARS = /[*?[\]{}!]/;

/**
 * Decide whether a file may be changed. Returns the reason it may not, or undefined.
 * A bare name (`core.js`) matches that file name anywhere, as in the seed; a pattern with a
 * slash or a glob character matches paths relative to a root. Matching is on real paths, so a
 * link cannot smuggle a protected file out.
 */
export function makeProtection(
  config: Pick<Config, 'protect' | 'roots' | 'stateDir' | 'backupDir' | 'file'>,
): (file: string) => string | undefined {
  const names = new Set<string>(ALWAYS_PROTECTED_FILES);
  const globs: { pattern: string; match: (p: string) => boolean }[] = [];
  for (const p of config.protect) {
    if (!p.includes('/') && !GLOB_CHARS.test(p)) names.add(p);
    else globs.push({ pattern: p, match: picomatch(p.replace(/^\.\//, ''), { dot: true }) });
  }
  const userNames = new Set(config.protect);
  const ownFiles = [config.stateDir, config.backupDir].map((p) => realPathOf(p) ?? p);
  const configFile = config.file ? (realPathOf(config.file) ?? config.file) : undefined;

  return (file: string) => {
    const real = nativeRealPath(file) ?? path.resolve(file);
    const base = path.basename(real);
    if (names.has(base)) return userNames.has(base) ? `protected: ${base} is in the protect list` : `protected: ${base} is a lockfile`;
    const parts = real.split(path.sep);
    for (const dir of ALWAYS_SKIPPED_DIRS) if (parts.includes(dir)) return `protected: inside ${dir}/`;
    if (configFile && real === configFile) return 'protected: the mechanic config file';
    for (const own of ownFiles) if (isInside(real, own)) return 'protected: the mechanic state or backups';
    // A path relative to each root only for globs to match it against (path.relative resolves both).
    for (const root of globs.length ? config.roots : []) {
      if (!isInside(real, root)) continue;
      const rel = path.relative(root, real).split(path.sep).join('/');
      for (const g of globs) if (g.match(rel)) return `protected: matches "${g.pattern}"`;
    }
    for (const g of globs) if (path.isAbsolute(g.pattern) && g.match(real)) return `protected: matches "${g.pattern}"`;
    return undefined;
  };
}

/**
 * realpath(3) in one call: the scan asks this of every bug, and the JavaScript realpathSync
 * lstats each segment of each path (11 ms of a warm scan of the heavy bench tree).
 */
function nativeRealPath(p: string): string | undefined {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return undefined;
  }
}
