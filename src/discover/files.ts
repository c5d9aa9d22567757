import fs from 'node:fs';
import path from 'node:path';
import { ALWAYS_SKIPPED_DIRS } from '../config/defaults.js';
import { fileStatOf, type FileStat } from '../engine/cache.js';
import type { Config } from '../config/load.js';
import { runProcess } from '../util/proc.js';
import { FolderListings } from './listings.js';
import { globMatcher, TreeWalk } from './walk.js';
import { isInside, isInsideAny } from '../workspace/paths.js';

export interface SkippedFile {
  file: string;
  reason: string;
}

export interface SourceFiles {
  /** Real, absolute paths, sorted, each under a root. */
  files: string[];
  /** Each file's stat, beside `files` (the same index). */
  fileStats: FileStat[];
  skipped: SkippedFile[];
  /**
   * Each listed file's identity and times (to the microsecond), for the incremental cache: the
   * same as fileStats, by path (made when first asked for: the scan reads fileStats).
   */
  readonly stats: Map<string, FileStat>;
  /** Problems that did not stop the listing (e.g. .gitignore asked for outside a git work tree). */
  warnings: string[];
}

export type ListConfig = Pick<Config, 'roots' | 'include' | 'exclude' | 'stateDir' | 'backupDir' | 'maxFileBytes'> & { gitignore?: boolean };

/**
 * Every source file under the roots that the include/exclude globs select, minus dependency and
 * VCS folders and the mechanic's own (and, with `gitignore`, what git ignores). Links that lead
 * out of the roots are not followed; files over the size limit are skipped with the reason.
 */
export async function listSourceFiles(config: ListConfig, tree: TreeWalk = treeOf(config)): Promise<SourceFiles> {
  let files: string[] = [];
  let fileStats: FileStat[] = [];
  const skipped: SkippedFile[] = [];
  const warnings: string[] = [];
  const include = globMatcher(config.include);
  const own = [config.stateDir, config.backupDir].map((d) => d + path.sep);
  const maxBytes = config.maxFileBytes;
  // Whether files are in path order and each once as they are listed: a link's real path may be
  // anywhere, and one root may be inside another.
  let ordered = config.roots.length <= 1;
  for (const root of config.roots) {
    const { files: found, folders, links } = tree.select(root, include);
    const ignored = config.gitignore ? await gitIgnored(root, warnings) : undefined;
    // A walk that does not enter the mechanic's own folders needs no test a file, unless the root is inside one.
    const base = path.resolve(root) + path.sep;
    const inOwn = own.some((o) => base.startsWith(o) || !tree.skipsFolder(o.slice(0, -1)));
    for (let k = 0; k < found.length; k++) {
      const abs = found[k]!;
      if (inOwn && own.some((o) => abs.startsWith(o))) continue;
      if (ignored?.(abs)) continue;
      // One stat a file, the cache's key: readdir's type already said file or link.
      let st: fs.Stats;
      let real = abs;
      if (!links.size || !links.has(abs)) {
        try {
          st = fs.lstatSync(abs);
        } catch {
          continue;
        }
      } else {
        try {
          real = fs.realpathSync(abs);
          st = fs.statSync(real);
        } catch {
          skipped.push({ file: abs, reason: 'broken symbolic link' });
          continue;
        }
        if (!isInsideAny(real, config.roots)) {
          skipped.push({ file: abs, reason: `symbolic link to ${real}, outside the roots` });
          continue;
        }
        if (real !== abs) ordered = false;
      }
      // (A file replaced by something else since readdir is no longer a file.)
      if ((st.mode & fs.constants.S_IFMT) !== fs.constants.S_IFREG) continue;
      if (st.size > maxBytes) {
        skipped.push({ file: real, reason: `${st.size} bytes, over maxFileBytes (${config.maxFileBytes})` });
        continue;
      }
      files.push(real);
      // A link's real path may be in another folder: it has none.
      fileStats.push(real === abs ? fileStatOf(st, folders[k]) : fileStatOf(st));
    }
  }
  // The walk lists each folder in path order (see readFolder), and a listing kept by an older
  // build may not be: checked, a comparison a file, and put in order (each path once) if not.
  for (let k = 1; ordered && k < files.length; k++) if (!(files[k - 1]! < files[k]!)) ordered = false;
  if (!ordered) {
    // The last stat of a path, at its first place (as a Map keeps them), then sorted.
    const byPath = new Map<string, FileStat>();
    for (let k = 0; k < files.length; k++) byPath.set(files[k]!, fileStats[k]!);
    files = [...byPath.keys()].sort();
    fileStats = files.map((f) => byPath.get(f)!);
  }
  let stats: Map<string, FileStat> | undefined;
  return {
    files,
    fileStats,
    skipped,
    get stats() {
      if (!stats) {
        stats = new Map();
        for (let k = 0; k < files.length; k++) stats.set(files[k]!, fileStats[k]!);
      }
      return stats;
    },
    warnings,
  };
}

/**
 * The walk of the roots a discovery shares: dependency and VCS folders, the excluded and the
 * mechanic's own left out; folders unchanged since the last walk listed from the state folder.
 */
export function treeOf(config: Pick<Config, 'exclude' | 'stateDir' | 'backupDir'>): TreeWalk {
  return new TreeWalk({
    skipDirs: ALWAYS_SKIPPED_DIRS,
    exclude: config.exclude,
    skipPaths: [config.stateDir, config.backupDir],
    listings: FolderListings.open(config.stateDir),
  });
}

/**
 * What git ignores under `root` (.gitignore files, .git/info/exclude, core.excludesFile), as git
 * itself says: untracked ignored files and folders. A tracked file is never ignored, as in git.
 * Outside a git work tree nothing is ignored, with a warning.
 */
async function gitIgnored(root: string, warnings: string[]): Promise<((file: string) => boolean) | undefined> {
  const r = await runProcess('git', ['-C', root, 'ls-files', '-z', '--others', '--ignored', '--exclude-standard', '--directory'], {
    timeoutMs: 60_000,
    maxOutputBytes: 256 * 1024 * 1024,
  });
  if (r.code !== 0) {
    const why = r.spawnError ?? (r.stderr.trim().split('\n')[0] || `git exited with ${r.code}`);
    warnings.push(`gitignore: ${root}: ${why}; nothing is skipped for .gitignore`);
    return undefined;
  }
  const files = new Set<string>();
  const dirs = new Set<string>();
  for (const entry of r.stdout.split('\0')) {
    if (!entry) continue;
    if (entry.endsWith('/')) dirs.add(path.resolve(root, entry.slice(0, -1)));
    else files.add(path.resolve(root, entry));
  }
  return (file) => {
    if (files.has(file)) return true;
    if (!dirs.size) return false;
    for (let d = path.dirname(file); isInside(d, root) && d !== root; d = path.dirname(d)) if (dirs.has(d)) return true;
    return false;
  };
}
