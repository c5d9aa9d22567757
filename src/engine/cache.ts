import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../workspace/atomic.js';
import type { FileVerdict } from '../analysis/compile.js';

/** What the scan cache keys a file by (a subset of fs.BigIntStats). */
export interface FileStat {
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
}

/** A file's verdict without its name: what the cache keeps. */
export type CachedVerdict = FileVerdict extends infer V ? (V extends unknown ? Omit<V, 'file'> : never) : never;

/** Bump when verdicts or their shape change: an older cache is then dropped, silently. */
const CACHE_VERSION = 2;
const MAGIC = 'code-mechanic scan cache';

export const SCAN_CACHE_FILE = 'scan-cache.json';

/**
 * On disk: folders and package scopes are listed once and referred to by index; each file is
 * `[folder, name, stat, scope, verdict]`, where `stat` is inode:size:mtimeNs:ctimeNs, and the
 * verdict is 0 (parses as CommonJS), 1 (parses as a module) or the verdict itself.
 */
interface CacheFile {
  magic: string;
  version: number;
  /** The node (version) whose verdicts these are. */
  engine: string;
  dirs: string[];
  scopes: string[];
  files: Array<[number, string, string, number, 0 | 1 | CachedVerdict]>;
}

interface Entry {
  stat: string;
  scope: string;
  verdict: CachedVerdict;
}

const OK_COMMONJS: CachedVerdict = { ok: true, format: 'commonjs' };
const OK_MODULE: CachedVerdict = { ok: true, format: 'module' };

/**
 * The incremental scan cache, in the state folder: each file's verdict keyed by its path, inode,
 * size, mtime and ctime (a tool that sets mtime back cannot set ctime back) and by what decides
 * its format (its governing package.json and that file's own stat). An unchanged file is not
 * read again. A missing, corrupt or foreign cache is dropped silently and rebuilt; writes are
 * atomic, and happen only when something changed.
 */
export class ScanCache {
  private readonly entries = new Map<string, Entry>();
  private dirty = false;
  /** Why the cache on disk was not used, if it was not (for diagnostics and tests). */
  dropped: string | undefined;

  private constructor(
    readonly file: string,
    readonly engine: string,
  ) {}

  /** The cache of `stateDir` for verdicts of `engine` (e.g. the node version). Never throws. */
  static open(stateDir: string, engine: string): ScanCache {
    const cache = new ScanCache(path.join(stateDir, SCAN_CACHE_FILE), engine);
    let text: string;
    try {
      text = fs.readFileSync(cache.file, 'utf8');
    } catch (err) {
      cache.dropped = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'none yet' : `unreadable: ${(err as Error).message}`;
      return cache;
    }
    try {
      const data = JSON.parse(text) as CacheFile;
      if (data?.magic !== MAGIC || data.version !== CACHE_VERSION) throw new Error('not a scan cache of this version');
      if (data.engine !== engine) {
        cache.dropped = `made for ${data.engine}`;
        cache.dirty = true;
        return cache;
      }
      for (const [d, name, stat, s, v] of data.files) {
        const dir = data.dirs[d];
        const scope = data.scopes[s];
        if (typeof dir !== 'string' || typeof scope !== 'string' || typeof name !== 'string' || typeof stat !== 'string') throw new Error('bad entry');
        const verdict = v === 0 ? OK_COMMONJS : v === 1 ? OK_MODULE : v;
        if (!verdict || typeof verdict !== 'object' || !('ok' in verdict || 'skipped' in verdict)) throw new Error('bad verdict');
        cache.entries.set(dir + path.sep + name, { stat, scope, verdict });
      }
    } catch (err) {
      cache.entries.clear();
      cache.dropped = `corrupt (${(err as Error).message}): rebuilt`;
      cache.dirty = true;
    }
    return cache;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The verdict of `file` if it was judged with this very stat and scope. */
  get(file: string, stat: string, scope: string): CachedVerdict | undefined {
    const e = this.entries.get(file);
    return e && e.stat === stat && e.scope === scope ? e.verdict : undefined;
  }

  /** The verdict last recorded for `file`, whatever its stat (what it was before it changed). */
  peek(file: string): CachedVerdict | undefined {
    return this.entries.get(file)?.verdict;
  }

  set(file: string, stat: string, scope: string, verdict: CachedVerdict): void {
    this.entries.set(file, { stat, scope, verdict });
    this.dirty = true;
  }

  /** Keep only the files of the latest scan. */
  retain(files: ReadonlySet<string>): void {
    for (const f of this.entries.keys()) {
      if (!files.has(f)) {
        this.entries.delete(f);
        this.dirty = true;
      }
    }
  }

  /** Write the cache (atomically) if anything changed. Returns whether it wrote. */
  save(): boolean {
    if (!this.dirty) return false;
    const dirs: string[] = [];
    const dirIndex = new Map<string, number>();
    const scopes: string[] = [];
    const scopeIndex = new Map<string, number>();
    const files: CacheFile['files'] = [];
    for (const [file, e] of this.entries) {
      const cut = file.lastIndexOf(path.sep);
      const dir = file.slice(0, cut);
      let d = dirIndex.get(dir);
      if (d === undefined) dirIndex.set(dir, (d = dirs.push(dir) - 1));
      let s = scopeIndex.get(e.scope);
      if (s === undefined) scopeIndex.set(e.scope, (s = scopes.push(e.scope) - 1));
      const v = e.verdict;
      const compact = 'ok' in v && v.ok && !v.exports?.length ? (v.format === 'module' ? 1 : 0) : v;
      files.push([d, file.slice(cut + 1), e.stat, s, compact]);
    }
    const data: CacheFile = { magic: MAGIC, version: CACHE_VERSION, engine: this.engine, dirs, scopes, files };
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    writeFileAtomic(this.file, JSON.stringify(data));
    this.dirty = false;
    return true;
  }
}
