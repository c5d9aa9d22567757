import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../workspace/atomic.js';
import { asciiJson, readStateText, stateField as enc } from '../util/ascii-json.js';
import type { FileVerdict } from '../analysis/compile.js';
import { microseconds, NOT_PLAIN, numbersEnd, statKeyOf } from '../analysis/format.js';

/**
 * A listed file's stat as the scan needs it: its inode, size and times (mtime and ctime in whole
 * microseconds, as statKey writes them), the later of the two in ms (for the racy window), and
 * the cache key's text, made when first asked for: a warm scan compares the numbers with the
 * record (ScanCache.getStat) and never needs it.
 */
export interface FileStat {
  readonly key: string;
  ino: number;
  size: number;
  mtimeUs: number;
  ctimeUs: number;
  changedMs: number;
  /**
   * The file's folder with its separator, where the walk listed it: one string a folder, shared
   * by its files, so that "the same folder as the last file?" is an identity, not a comparison
   * of two long paths (most of a warm scan's lookups were such comparisons).
   */
  folder?: string;
}

/**
 * Made by `new`, not a literal: V8 tracks a literal's allocation site, and when it decides
 * mid-walk that a site's objects live long (a scan keeps every FileStat), it throws away the
 * optimised code that makes them (the walk's stat loop, then compiled again). One shape for all
 * (folder undefined or not): the lookups that read them stay monomorphic.
 */
class ListedStat implements FileStat {
  constructor(
    readonly ino: number,
    readonly size: number,
    readonly mtimeUs: number,
    readonly ctimeUs: number,
    readonly changedMs: number,
    readonly folder: string | undefined,
  ) {}

  get key(): string {
    return statKeyOf(this.ino, this.size, this.mtimeUs, this.ctimeUs);
  }
}

/** A FileStat of a file's (plain) stat; `folder`: see FileStat. */
export function fileStatOf(st: { ino: number; size: number; mtimeMs: number; ctimeMs: number }, folder?: string): FileStat {
  return new ListedStat(st.ino, st.size, microseconds(st.mtimeMs), microseconds(st.ctimeMs), st.mtimeMs > st.ctimeMs ? st.mtimeMs : st.ctimeMs, folder);
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
 *   `f<name><TAB><ino:size:mtime:ctime><TAB><scope number><TAB><verdict>`   (times in µs: statKey)
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

const SEP = path.sep.charCodeAt(0);
const OK_COMMONJS: CachedVerdict = { ok: true, format: 'commonjs' };
const OK_MODULE: CachedVerdict = { ok: true, format: 'module' };

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
 *
 * The records as read stay in the file's text, indexed by offsets, in the file's path order (the
 * order save writes): a scan asks for its files in that same order, so each is found by moving
 * on from the last (others by a binary search), and no path string, no map entry is made a record
 * (a warm scan of 15,000 files kept 4 MB of them alive only to look each up once).
 */
export class ScanCache {
  private text = '';
  /** The folders of the records (decoded); each record's folder by number. */
  private dirs: string[] = [];
  private dirOf: number[] = [];
  /** Each record's name: its offsets in `text`, or (a quoted name) its decoded text in `names`. */
  private nameStart: number[] = [];
  private nameEnd: number[] = [];
  private readonly names = new Map<number, string>();
  /** Each record's `stat<TAB>scope number<TAB>verdict`: its offsets in `text`. */
  private recStart: number[] = [];
  private recEnd: number[] = [];
  /** Records no longer in force: malformed, replaced by `set`, or left out by `retain`. */
  private gone = new Uint8Array(0);
  private goneCount = 0;
  /** Records parsed by `peek`. */
  private readonly parsed = new Map<number, Entry>();
  /** Records set in this run, by path (they replace any record of the same path). */
  private readonly changed = new Map<string, Entry>();
  /** Where the last lookup in path order stopped. */
  private cursor = 0;
  /** The record folder (by number) last found to be the caller's folder string `sameFolder` (see is). */
  private sameDir = -1;
  private sameFolder: string | undefined;
  /** The path each record was found by (the caller's string: `retain` makes none for these). */
  private foundAs: (string | undefined)[] = [];
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
      text = readStateText(cache.file);
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
      cache.text = '';
      cache.dirs = [];
      cache.dirOf = [];
      cache.nameStart = [];
      cache.nameEnd = [];
      cache.names.clear();
      cache.recStart = [];
      cache.recEnd = [];
      cache.scopes = [];
      cache.scopeNumbers.clear();
      cache.dirty = true;
    }
    cache.gone = new Uint8Array(cache.recStart.length);
    return cache;
  }

  /** Index the records; stats are compared and verdicts parsed only when asked for. */
  private load(text: string): void {
    let at = text.indexOf('\n');
    if (at < 0) throw new Error('no header');
    const header = text.slice(0, at).split('\t');
    if (header[0] !== MAGIC || header[1] !== String(CACHE_VERSION)) throw new Error('not a scan cache of this version');
    if (header[2] !== this.engine) throw new ForeignEngine(header[2] ?? 'another engine');
    this.text = text;
    let dir = -1;
    let ended = false;
    while (at < text.length - 1) {
      const start = at + 1;
      at = text.indexOf('\n', start);
      if (at < 0) throw new Error('cut short');
      if (ended) throw new Error('records after the end');
      const kind = text.charCodeAt(start);
      if (kind === 102 /* f */) {
        const tab = text.indexOf('\t', start);
        if (dir < 0 || tab < 0 || tab > at) throw new Error('bad entry');
        if (text.charCodeAt(start + 1) === 34 /* " */) this.names.set(this.recStart.length, dec(text.slice(start + 1, tab)));
        this.dirOf.push(dir);
        this.nameStart.push(start + 1);
        this.nameEnd.push(tab);
        this.recStart.push(tab + 1);
        this.recEnd.push(at);
      } else if (kind === 100 /* d */) dir = this.dirs.push(dec(text.slice(start + 1, at))) - 1;
      else if (kind === 115 /* s */) {
        const scope = dec(text.slice(start + 1, at));
        this.scopeNumbers.set(scope, String(this.scopes.push(scope) - 1));
      }
      else if (kind === 101 /* e */) {
        if (Number(text.slice(start + 1, at)) !== this.recStart.length) throw new Error('count does not match');
        ended = true;
      } else throw new Error('bad record');
    }
    if (!ended) throw new Error('cut short');
  }

  /**
   * Whether record `i` is `file`: its folder, then its name. With `folder` (`file`'s folder and
   * its separator, one string a folder: FileStat.folder), a record of the folder last matched
   * against that same folder string is known to be in it, without comparing the path again.
   */
  private is(i: number, file: string, folder?: string): boolean {
    const d = this.dirOf[i]!;
    const dir = this.dirs[d]!;
    if (folder === undefined || d !== this.sameDir || folder !== this.sameFolder) {
      if (!file.startsWith(dir) || file.charCodeAt(dir.length) !== SEP) return false;
      // folder is file's own, and dir + separator begins file: folder is dir + separator.
      if (folder !== undefined && folder.length === dir.length + 1) {
        this.sameDir = d;
        this.sameFolder = folder;
      }
    }
    const quoted = this.names.size ? this.names.get(i) : undefined;
    if (quoted !== undefined) return file.length === dir.length + 1 + quoted.length && file.endsWith(quoted);
    // The name, character by character: no slice of the path made for it.
    const start = this.nameStart[i]!;
    const from = dir.length + 1;
    const n = file.length - from;
    if (n !== this.nameEnd[i]! - start) return false;
    const text = this.text;
    for (let k = n - 1; k >= 0; k--) if (text.charCodeAt(start + k) !== file.charCodeAt(from + k)) return false;
    return true;
  }

  /** Record `i`'s path against `file`, by code unit as sort() orders them: <0, 0 or >0. */
  private compare(i: number, file: string, folder?: string): number {
    if (this.is(i, file, folder)) return 0;
    const dir = this.dirs[this.dirOf[i]!]!;
    const n = Math.min(dir.length, file.length);
    for (let k = 0; k < n; k++) {
      const d = dir.charCodeAt(k) - file.charCodeAt(k);
      if (d !== 0) return d;
    }
    if (file.length <= dir.length) return 1; // the record's path is the longer
    const sep = SEP - file.charCodeAt(dir.length);
    if (sep !== 0) return sep;
    const quoted = this.names.size ? this.names.get(i) : undefined;
    const src = quoted ?? this.text;
    const from = quoted === undefined ? this.nameStart[i]! : 0;
    const to = quoted === undefined ? this.nameEnd[i]! : quoted.length;
    let f = dir.length + 1;
    for (let k = from; k < to; k++, f++) {
      if (f >= file.length) return 1;
      const d = src.charCodeAt(k) - file.charCodeAt(f);
      if (d !== 0) return d;
    }
    return f === file.length ? 0 : -1;
  }

  /**
   * The record of `file` in force, or -1: first by moving on from the last one found (a scan asks
   * in path order), else by a binary search (the records are in path order as save writes them;
   * a file that is not, at worst, finds nothing and is read again).
   */
  private find(file: string, folder?: string): number {
    const n = this.recStart.length;
    let i = this.cursor;
    // A few records past the cursor: files removed since the last scan.
    for (let look = 0; i < n && look < 8; look++, i++) {
      const c = this.compare(i, file, folder);
      if (c === 0) {
        this.cursor = i + 1;
        this.foundAs[i] = file;
        return this.gone[i] ? -1 : i;
      }
      if (c > 0) break;
    }
    let lo = 0;
    let hi = n - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.compare(mid, file);
      if (c === 0) {
        this.cursor = mid + 1;
        this.foundAs[mid] = file;
        return this.gone[mid] ? -1 : mid;
      }
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  private drop(i: number): void {
    if (this.gone[i]) return;
    this.gone[i] = 1;
    this.goneCount++;
    this.dirty = true;
  }

  /** A record's parts, or undefined if it is malformed (then it is a miss, and rewritten). */
  private split(i: number): { stat: string; scope: string | undefined; verdict: string } | undefined {
    const raw = this.text.slice(this.recStart[i], this.recEnd[i]);
    const a = raw.indexOf('\t');
    const b = raw.indexOf('\t', a + 1);
    if (a < 0 || b < 0) return undefined;
    return { stat: raw.slice(0, a), scope: this.scopes[Number(raw.slice(a + 1, b))], verdict: raw.slice(b + 1) };
  }

  private entry(file: string): Entry | undefined {
    if (this.changed.size) {
      const e = this.changed.get(file);
      if (e) return e;
    }
    const i = this.find(file);
    if (i < 0) return undefined;
    const known = this.parsed.get(i);
    if (known) return known;
    const parts = this.split(i);
    try {
      if (parts?.scope === undefined) throw new Error('bad entry');
      const entry: Entry = { stat: parts.stat, scope: parts.scope, verdict: parseVerdict(parts.verdict) };
      this.parsed.set(i, entry);
      return entry;
    } catch {
      this.drop(i);
      return undefined;
    }
  }

  get size(): number {
    return this.recStart.length - this.goneCount + this.changed.size;
  }

  /**
   * The verdict of `file` if it was judged with this very stat and scope. An ok verdict comes
   * without the exports recorded with it: they are for `peek` (the exports a file had when it
   * last parsed), and parsing them for every unchanged file was most of a warm scan's cache work.
   * `folder`: `file`'s folder with its separator, as the walk gave it (FileStat.folder), if known.
   */
  get(file: string, stat: string, scope: string, folder?: string): CachedVerdict | undefined {
    if (this.changed.size) {
      const e = this.changed.get(file);
      if (e) return e.stat === stat && e.scope === scope ? withoutExports(e.verdict) : undefined;
    }
    const i = this.find(file, folder);
    return i < 0 ? undefined : this.verdictWithStat(i, stat, scope);
  }

  /**
   * get() for a listed file's stat: its numbers compared with the record's text, so that a warm
   * scan makes no key text a file (statKey's text only for a record it cannot read so: an
   * older one's ns times).
   */
  getStat(file: string, st: FileStat, scope: string, folder?: string): CachedVerdict | undefined {
    if (this.changed.size && this.changed.has(file)) return this.get(file, st.key, scope, folder);
    const i = this.find(file, folder);
    if (i < 0) return undefined;
    const past = numbersEnd(this.text, this.recStart[i]!, 4, st.ino, st.size, st.mtimeUs, st.ctimeUs);
    if (past >= 0) return this.verdictAfterStat(i, past, scope);
    return past === NOT_PLAIN ? this.verdictWithStat(i, st.key, scope) : undefined;
  }

  /** Record `i`'s verdict if its stat is the text `stat` and its scope `scope`. */
  private verdictWithStat(i: number, stat: string, scope: string): CachedVerdict | undefined {
    // "Unchanged?" from the record's text: its stat, then its scope's number, then the verdict.
    const at = this.recStart[i]!;
    return this.text.startsWith(stat, at) && this.text.charCodeAt(at + stat.length) === 9 ? this.verdictAfterStat(i, at + stat.length + 1, scope) : undefined;
  }

  /** Record `i`'s verdict, its stat matched (`from`: just past it), if its scope is `scope`. */
  private verdictAfterStat(i: number, from: number, scope: string): CachedVerdict | undefined {
    const text = this.text;
    const end = this.recEnd[i]!;
    if (this.lastScope?.scope !== scope) this.lastScope = { scope, number: this.scopeNumbers.get(scope) };
    const n = this.lastScope.number;
    const v = from + (n?.length ?? 0) + 1;
    if (n === undefined || !text.startsWith(n, from) || text.charCodeAt(v - 1) !== 9 || v > end) return undefined;
    const c = text.charCodeAt(v);
    // The next character read and tested first, whatever the record (at `end` it is the line
    // break): a read or test first reached at the first record with exports had no type
    // feedback, and threw the optimised lookup away mid-scan (then it was compiled again).
    const after = text.charCodeAt(v + 1);
    if ((c === 48 || c === 49) && (after === 9 || v + 1 === end)) return c === 48 ? OK_COMMONJS : OK_MODULE;
    try {
      return parseVerdict(text.slice(v, end), false);
    } catch {
      this.drop(i);
      return undefined;
    }
  }

  /** The verdict last recorded for `file`, whatever its stat (what it was before it changed). */
  peek(file: string): CachedVerdict | undefined {
    return this.entry(file)?.verdict;
  }

  set(file: string, stat: string, scope: string, verdict: CachedVerdict): void {
    if (!this.changed.has(file)) {
      const i = this.find(file);
      if (i >= 0) this.drop(i);
    }
    this.changed.set(file, { stat, scope, verdict });
    this.dirty = true;
  }

  /** The path of record `i`. */
  private pathOf(i: number): string {
    return this.dirs[this.dirOf[i]!]! + path.sep + (this.names.get(i) ?? this.text.slice(this.nameStart[i], this.nameEnd[i]));
  }

  /**
   * Keep only the files of the latest scan: a set of them, a map keyed by them, or an array of
   * them in path order (as sort() orders them), which is read beside the records, in the same
   * order, without a set made of it.
   */
  retain(files: { has(file: string): boolean } | readonly string[]): void {
    if (Array.isArray(files)) return this.retainSorted(files as readonly string[]);
    const set = files as { has(file: string): boolean };
    for (let i = 0; i < this.recStart.length; i++) if (!this.gone[i] && !set.has(this.foundAs[i] ?? this.pathOf(i))) this.drop(i);
    this.retainChanged(set);
  }

  private retainSorted(files: readonly string[]): void {
    let k = 0;
    for (let i = 0; i < this.recStart.length; i++) {
      if (this.gone[i]) continue;
      // A record found by a path is that very string of the list (the scan looks its files up),
      // nearly always the next one: an identity. Else the files before it are passed over.
      const found = this.foundAs[i];
      if (found !== undefined) {
        while (k < files.length && files[k] !== found && files[k]! < found) k++;
      } else {
        while (k < files.length && this.compare(i, files[k]!) > 0) k++;
      }
      if (k < files.length && (found === undefined ? this.compare(i, files[k]!) === 0 : files[k] === found)) k++;
      else this.drop(i);
    }
    if (this.changed.size) this.retainChanged(new Set(files));
  }

  private retainChanged(files: { has(file: string): boolean }): void {
    for (const f of this.changed.keys()) {
      if (!files.has(f)) {
        this.changed.delete(f);
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
    const kept: [string, string][] = [];
    for (let i = 0; i < this.recStart.length; i++) {
      if (this.gone[i]) continue;
      // Written back as read: only its scope number can change (and an older file's characters
      // past ASCII be escaped).
      const parts = this.split(i);
      if (parts?.scope === undefined) continue;
      kept.push([this.pathOf(i), `${parts.stat}\t${numberOf(parts.scope)}\t${asciiJson(parts.verdict)}`]);
    }
    for (const [file, e] of this.changed) {
      const v = e.verdict;
      const compact = asciiJson('ok' in v && v.ok ? `${v.format === 'module' ? '1' : '0'}${v.exports?.length ? `\t${JSON.stringify(v.exports)}` : ''}` : JSON.stringify(v));
      kept.push([file, `${e.stat}\t${numberOf(e.scope)}\t${compact}`]);
    }
    kept.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const records: string[] = [];
    let dir: string | undefined;
    for (const [file, record] of kept) {
      const cut = file.lastIndexOf(path.sep);
      const d = file.slice(0, cut);
      if (d !== dir) records.push(`d${enc((dir = d))}`);
      records.push(`f${enc(file.slice(cut + 1))}\t${record}`);
    }
    const text = [`${MAGIC}\t${CACHE_VERSION}\t${this.engine}`, ...scopes.map((s) => `s${enc(s)}`), ...records, `e${kept.length}`, ''].join('\n');
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
