import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../workspace/atomic.js';
import type { FileVerdict } from '../analysis/compile.js';
import { statKey } from '../analysis/format.js';

/**
 * A listed file's stat as the scan needs it: the cache key's text (statKey: inode, size, ns mtime
 * and ctime, exact), the size, and the later of mtime and ctime in ms (for the racy window, where
 * a double's precision is plenty). Flat values, not the stat's BigInts: a warm scan keeps ~20,000.
 */
export interface FileStat {
  key: string;
  size: number;
  changedMs: number;
}

/** A FileStat of a file's BigInt stat. */
export function fileStatOf(st: { ino: bigint; size: bigint; mtimeNs: bigint; ctimeNs: bigint }): FileStat {
  return { key: statKey(st), size: Number(st.size), changedMs: Number(st.mtimeNs > st.ctimeNs ? st.mtimeNs : st.ctimeNs) / 1e6 };
}

/** A file's verdict without its name: what the cache keeps. */
export type CachedVerdict = FileVerdict extends infer V ? (V extends unknown ? Omit<V, 'file'> : never) : never;

/** Bump when verdicts or their shape change: an older cache is then dropped, silently. */
const CACHE_VERSION = 4;
const MAGIC = 'code-mechanic scan cache';

export const SCAN_CACHE_FILE = 'scan-cache.tsv';
/** The JSON cache of versions 1 and 2: removed when the new one is written. */
const LEGACY_CACHE_FILE = 'scan-cache.json';

/**
 * On disk, one record a line, so that opening the cache is splitting lines, and a verdict is
 * parsed only when it is asked for:
 *   `code-mechanic scan cache<TAB>3<TAB><engine>`
 *   `s<scope key>`                                  scopes, numbered in order
 *   `d<folder>`                                     the folder of the files that follow
 *   `f<name><TAB><ino:size:mtimeNs:ctimeNs><TAB><scope number><TAB><verdict>`
 *   `e<number of files>`                            the end (a cut-short file is not a cache)
 * A verdict is 0 (parses as CommonJS) or 1 (parses as a module), followed, if the file has
 * exports, by a tab and their names as a JSON array; any other verdict is JSON. A name, folder or
 * scope with a tab, a line break, a backslash or a leading `"` is written as JSON.
 */
interface Entry {
  stat: string;
  scope: string;
  verdict: CachedVerdict;
}

const OK_COMMONJS: CachedVerdict = { ok: true, format: 'commonjs' };
const OK_MODULE: CachedVerdict = { ok: true, format: 'module' };

const needsQuoting = /[\t\n\r\\]|^"/;
const enc = (s: string): string => (needsQuoting.test(s) ? JSON.stringify(s) : s);
const dec = (s: string): string => {
  if (!s.startsWith('"')) return s;
  const v: unknown = JSON.parse(s);
  if (typeof v !== 'string') throw new Error('bad name');
  return v;
};

/** A verdict as written; `exports` false: an ok verdict without its exports (they are not parsed). */
function parseVerdict(text: string, exports = true): CachedVerdict {
  const c = text.charCodeAt(0);
  if (c === 48 /* 0 */ || c === 49 /* 1 */) {
    const ok = c === 48 ? OK_COMMONJS : OK_MODULE;
    if (text.length === 1 || !exports) return ok;
    if (text.charCodeAt(1) !== 9) throw new Error('bad verdict');
    const names: unknown = JSON.parse(text.slice(2));
    if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) throw new Error('bad exports');
    return { ...ok, exports: names } as CachedVerdict;
  }
  const v = JSON.parse(text) as CachedVerdict;
  if (!v || typeof v !== 'object' || !('ok' in v || 'skipped' in v)) throw new Error('bad verdict');
  return v;
}

/**
 * The incremental scan cache, in the state folder: each file's verdict keyed by its path, inode,
 * size, mtime and ctime (a tool that sets mtime back cannot set ctime back) and by what decides
 * its format (its governing package.json and that file's own stat). An unchanged file is not
 * read again. A missing, corrupt or foreign cache is dropped silently and rebuilt; writes are
 * atomic, and happen only when something changed.
 */
export class ScanCache {
  /** A file's record as read (`stat<TAB>scope number<TAB>verdict`, parsed when asked), or as set. */
  private readonly entries = new Map<string, string | Entry>();
  /** The scope table of the file read: raw records refer to it by number. */
  private scopes: string[] = [];
  /** Each scope's number as written; the last asked for (a folder's files ask in a row). */
  private scopeNumbers = new Map<string, string>();
  private lastScope: { scope: string; number: string | undefined } | undefined;
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
      const legacy = fs.existsSync(path.join(stateDir, LEGACY_CACHE_FILE));
      cache.dropped = (err as NodeJS.ErrnoException).code === 'ENOENT' ? (legacy ? 'an older format: rebuilt' : 'none yet') : `unreadable: ${(err as Error).message}`;
      cache.dirty = legacy;
      return cache;
    }
    try {
      cache.load(text);
    } catch (err) {
      if (err instanceof ForeignEngine) {
        cache.dropped = `made for ${err.message}`;
      } else {
        cache.dropped = `corrupt (${(err as Error).message}): rebuilt`;
      }
      cache.entries.clear();
      cache.scopes = [];
      cache.scopeNumbers.clear();
      cache.dirty = true;
    }
    return cache;
  }

  /** Index the records by path; stats are compared and verdicts parsed only when asked for. */
  private load(text: string): void {
    let at = text.indexOf('\n');
    if (at < 0) throw new Error('no header');
    const header = text.slice(0, at).split('\t');
    if (header[0] !== MAGIC || header[1] !== String(CACHE_VERSION)) throw new Error('not a scan cache of this version');
    if (header[2] !== this.engine) throw new ForeignEngine(header[2] ?? 'another engine');
    let dir: string | undefined;
    let ended = false;
    while (at < text.length - 1) {
      const start = at + 1;
      at = text.indexOf('\n', start);
      if (at < 0) throw new Error('cut short');
      if (ended) throw new Error('records after the end');
      const kind = text.charCodeAt(start);
      if (kind === 102 /* f */) {
        const tab = text.indexOf('\t', start);
        if (dir === undefined || tab < 0 || tab > at) throw new Error('bad entry');
        this.entries.set(dir + path.sep + dec(text.slice(start + 1, tab)), text.slice(tab + 1, at));
      } else if (kind === 100 /* d */) dir = dec(text.slice(start + 1, at));
      else if (kind === 115 /* s */) {
        const scope = dec(text.slice(start + 1, at));
        this.scopeNumbers.set(scope, String(this.scopes.push(scope) - 1));
      }
      else if (kind === 101 /* e */) {
        if (Number(text.slice(start + 1, at)) !== this.entries.size) throw new Error('count does not match');
        ended = true;
      } else throw new Error('bad record');
    }
    if (!ended) throw new Error('cut short');
  }

  /** A raw record's parts, or undefined if it is malformed (then it is a miss, and rewritten). */
  private split(raw: string): { stat: string; scope: string | undefined; verdict: string } | undefined {
    const a = raw.indexOf('\t');
    const b = raw.indexOf('\t', a + 1);
    if (a < 0 || b < 0) return undefined;
    return { stat: raw.slice(0, a), scope: this.scopes[Number(raw.slice(a + 1, b))], verdict: raw.slice(b + 1) };
  }

  private entry(file: string): Entry | undefined {
    const e = this.entries.get(file);
    if (typeof e !== 'string') return e;
    const parts = this.split(e);
    try {
      if (parts?.scope === undefined) throw new Error('bad entry');
      const entry: Entry = { stat: parts.stat, scope: parts.scope, verdict: parseVerdict(parts.verdict) };
      this.entries.set(file, entry);
      return entry;
    } catch {
      this.entries.delete(file);
      this.dirty = true;
      return undefined;
    }
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * The verdict of `file` if it was judged with this very stat and scope. An ok verdict comes
   * without the exports recorded with it: they are for `peek` (the exports a file had when it
   * last parsed), and parsing them for every unchanged file was most of a warm scan's cache work.
   */
  get(file: string, stat: string, scope: string): CachedVerdict | undefined {
    const raw = this.entries.get(file);
    if (raw === undefined) return undefined;
    if (typeof raw !== 'string') return raw.stat === stat && raw.scope === scope ? withoutExports(raw.verdict) : undefined;
    // "Unchanged?" from the record's text: its stat, then its scope's number, then the verdict.
    if (!(raw.startsWith(stat) && raw.charCodeAt(stat.length) === 9)) return undefined;
    if (this.lastScope?.scope !== scope) this.lastScope = { scope, number: this.scopeNumbers.get(scope) };
    const n = this.lastScope.number;
    const v = stat.length + 1 + (n?.length ?? 0) + 1;
    if (n === undefined || !raw.startsWith(n, stat.length + 1) || raw.charCodeAt(v - 1) !== 9) return undefined;
    const c = raw.charCodeAt(v);
    if ((c === 48 || c === 49) && (v + 1 === raw.length || raw.charCodeAt(v + 1) === 9)) return c === 48 ? OK_COMMONJS : OK_MODULE;
    try {
      return parseVerdict(raw.slice(v), false);
    } catch {
      this.entries.delete(file);
      this.dirty = true;
      return undefined;
    }
  }

  /** The verdict last recorded for `file`, whatever its stat (what it was before it changed). */
  peek(file: string): CachedVerdict | undefined {
    return this.entry(file)?.verdict;
  }

  set(file: string, stat: string, scope: string, verdict: CachedVerdict): void {
    this.entries.set(file, { stat, scope, verdict });
    this.dirty = true;
  }

  /** Keep only the files of the latest scan (a set of them, or a map keyed by them). */
  retain(files: { has(file: string): boolean }): void {
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
    const scopes: string[] = [];
    const scopeIndex = new Map<string, number>();
    const numberOf = (scope: string): number => {
      let s = scopeIndex.get(scope);
      if (s === undefined) scopeIndex.set(scope, (s = scopes.push(scope) - 1));
      return s;
    };
    const records: string[] = [];
    let dir: string | undefined;
    let count = 0;
    for (const file of [...this.entries.keys()].sort()) {
      const e = this.entries.get(file)!;
      let record: string;
      if (typeof e === 'string') {
        // Written back as read: only its scope number can change.
        const parts = this.split(e);
        if (parts?.scope === undefined) continue;
        record = `${parts.stat}\t${numberOf(parts.scope)}\t${parts.verdict}`;
      } else {
        const v = e.verdict;
        const compact = 'ok' in v && v.ok ? `${v.format === 'module' ? '1' : '0'}${v.exports?.length ? `\t${JSON.stringify(v.exports)}` : ''}` : JSON.stringify(v);
        record = `${e.stat}\t${numberOf(e.scope)}\t${compact}`;
      }
      const cut = file.lastIndexOf(path.sep);
      const d = file.slice(0, cut);
      if (d !== dir) records.push(`d${enc((dir = d))}`);
      records.push(`f${enc(file.slice(cut + 1))}\t${record}`);
      count++;
    }
    const text = [`${MAGIC}\t${CACHE_VERSION}\t${this.engine}`, ...scopes.map((s) => `s${enc(s)}`), ...records, `e${count}`, ''].join('\n');
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    writeFileAtomic(this.file, text);
    fs.rmSync(path.join(path.dirname(this.file), LEGACY_CACHE_FILE), { force: true });
    this.dirty = false;
    return true;
  }
}

function withoutExports(v: CachedVerdict): CachedVerdict {
  return 'ok' in v && v.ok && v.exports ? (v.format === 'module' ? OK_MODULE : OK_COMMONJS) : v;
}

class ForeignEngine extends Error {}
