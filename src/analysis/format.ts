import fs from 'node:fs';
import path from 'node:path';
import type { ModuleFormat } from './compile.js';
import type { CheckRules } from './rules.js';

export { detectsModuleSyntax, parseNodeVersion, type NodeVersion } from './rules.js';

/** `ambiguous`: a `.js` with no package `type`, where Node may detect ES module syntax. */
export type FileFormat = ModuleFormat | 'ambiguous';

/** Node refuses the file before parsing it: its package.json cannot be read. */
export interface FormatError {
  errorType: string;
  message: string;
  detail: string;
}

export type Resolved = { format: FileFormat } | { error: FormatError };

/** What decides a file's format: its extension, or its governing package.json as it is now. */
export interface Scope {
  /** The governing package.json, or undefined (none up to the root or a node_modules folder). */
  packageJson: string | undefined;
  /** A key that changes whenever the format could: the package.json's identity and stat. */
  key: string;
}

/** The extensions node --check gives a format of their own. */
export function extensionFormat(file: string): ModuleFormat | undefined {
  const ext = path.extname(file);
  if (ext === '.mjs') return 'module';
  if (ext === '.cjs') return 'commonjs';
  return undefined;
}

/** Files node --check judges as JavaScript by extension: `.js`, `.mjs`, `.cjs` and none at all. */
export function isCheckable(file: string): boolean {
  const ext = path.extname(file);
  return ext === '.js' || ext === '.mjs' || ext === '.cjs' || ext === '';
}

/**
 * The stat options of every stat of a folder or package.json a scan makes: one object, so that
 * node's statSync, optimised for the walk's folders, is not thrown away at the first package.json
 * (options of another shape). A missing path is undefined, not an error.
 */
export const QUIET_STAT = { throwIfNoEntry: false } as const;

/** A time of a (plain) stat in whole microseconds: exact as a double until the year 2255. */
export const microseconds = (ms: number): number => Math.round(ms * 1000);

/**
 * A stat as a cache key part: inode, size, and mtime and ctime in whole microseconds. Plain
 * stats, not BigInt ones: a BigInt a field, and four turned to text a file, were most of what
 * a warm scan allocated beside the stats themselves. A microsecond is ample: a record is kept
 * only for a file unchanged for the racy window (seconds) before its scan, so any later change
 * moves its ctime by more than that.
 */
export function statKey(st: { ino: number; size: number; mtimeMs: number; ctimeMs: number }): string {
  return statKeyOf(st.ino, st.size, microseconds(st.mtimeMs), microseconds(st.ctimeMs));
}

/** statKey's text of a stat's numbers, its times already in µs. */
export function statKeyOf(ino: number, size: number, mtimeUs: number, ctimeUs: number): string {
  return `${ino}:${size}:${mtimeUs}:${ctimeUs}`;
}

/** numbersEnd's answers when the numbers are not there: other numbers, and no plain numbers. */
export const OTHER_NUMBERS = -1;
export const NOT_PLAIN = -2;

/**
 * Where the `n` whole numbers `a`, `b`, `c` (and `d`), joined by `:` and followed by a tab or the
 * end, end in `text` from `at` (the index past that tab): a recorded key compared without its
 * text made from the stat. OTHER_NUMBERS where the text holds others; NOT_PLAIN where a number is
 * not a plain run of digits that a double holds exactly (an older record's ns times, a huge
 * inode): the caller compares the key's text then.
 */
export function numbersEnd(text: string, at: number, n: 3 | 4, a: number, b: number, c: number, d = 0): number {
  // Never read past the end: a character code there is NaN, and the first NaN (or read out of
  // bounds) threw the optimised compare away mid-scan.
  const end = text.length;
  let p = at;
  for (let k = 0; k < n; k++) {
    const want = k === 0 ? a : k === 1 ? b : k === 2 ? c : d;
    let v = 0;
    const start = p;
    while (p < end) {
      const ch = text.charCodeAt(p);
      if (ch < 48 || ch > 57) break;
      v = v * 10 + (ch - 48);
      p++;
    }
    if (p === start || p - start > 16 || v > Number.MAX_SAFE_INTEGER) return NOT_PLAIN;
    if (v !== want) return OTHER_NUMBERS;
    // `:` between, then a tab or the end of the text (read as a tab: one read for both, as a
    // read first reached at a record's end had no type feedback, and threw the code away).
    const sep = p < end ? text.charCodeAt(p) : 9;
    if (sep !== (k < n - 1 ? 58 : 9)) return OTHER_NUMBERS;
    p++;
  }
  return p;
}

type PackageType = 'module' | 'commonjs' | 'none';

/**
 * Node's package scope lookup (getPackageScopeConfig): the nearest package.json that is a
 * readable file, looking up from the file's folder, never past a folder named node_modules.
 * Folder answers and package.json contents are remembered for the life of the object: make one
 * per scan, so that a package.json edited between scans is read again.
 */
export class PackageScopes {
  private readonly governing = new Map<string, { pj: string; key: string } | null>();
  private readonly parsed = new Map<string, { type: PackageType } | { raw: string; error: unknown } | { unreadable: true }>();

  /**
   * `listed`: for a folder a walk listed, whether it holds a package.json entry (a file or a
   * link), else undefined; a folder listed without one is not stat'ed (most folders have none).
   */
  constructor(
    private readonly rules: CheckRules,
    private readonly listed?: (dir: string) => boolean | undefined,
  ) {}

  /** The scope that decides `file`'s format (for `.mjs`/`.cjs` the extension alone does). */
  scopeOf(file: string): Scope {
    if (extensionFormat(file)) return { packageJson: undefined, key: path.extname(file) };
    const g = this.lookup(path.dirname(file));
    return g ? { packageJson: g.pj, key: g.key } : { packageJson: undefined, key: 'none' };
  }

  /** The format `node --check` gives `file`, or the error it stops with before parsing. */
  resolve(file: string): Resolved {
    const byExtension = extensionFormat(file);
    if (byExtension) return { format: byExtension };
    let dir = path.dirname(file);
    for (;;) {
      const g = this.lookup(dir);
      if (!g) break;
      const read = this.read(g.pj);
      if ('unreadable' in read) {
        // Node reads it as absent and keeps looking up.
        const pjDir = path.dirname(g.pj);
        const parent = path.dirname(pjDir);
        if (parent === pjDir) break;
        dir = parent;
        continue;
      }
      if ('type' in read) {
        if (read.type !== 'none') return { format: read.type };
        break;
      }
      return { error: this.invalid(g.pj, file, read.error) };
    }
    return { format: this.rules.detect ? 'ambiguous' : 'commonjs' };
  }

  /** Shorthand for callers that only need a parse mode: an unreadable package.json counts as none. */
  formatOf(file: string): FileFormat {
    const r = this.resolve(file);
    return 'format' in r ? r.format : this.rules.detect ? 'ambiguous' : 'commonjs';
  }

  private lookup(dir: string): { pj: string; key: string } | null {
    const known = this.governing.get(dir);
    if (known !== undefined) return known;
    let found: { pj: string; key: string } | null = null;
    if (path.basename(dir) !== 'node_modules') {
      const pj = path.join(dir, 'package.json');
      let st: fs.Stats | undefined;
      try {
        st = this.listed?.(dir) === false ? undefined : fs.statSync(pj, QUIET_STAT);
      } catch {
        st = undefined;
      }
      if (st !== undefined && (st.mode & fs.constants.S_IFMT) === fs.constants.S_IFREG) found = { pj, key: `${pj}#${statKey(st)}` };
      else {
        const parent = path.dirname(dir);
        found = parent === dir ? null : this.lookup(parent);
      }
    }
    this.governing.set(dir, found);
    return found;
  }

  private read(pj: string): { type: PackageType } | { raw: string; error: unknown } | { unreadable: true } {
    const known = this.parsed.get(pj);
    if (known) return known;
    let result: { type: PackageType } | { raw: string; error: unknown } | { unreadable: true };
    let raw: string;
    try {
      raw = fs.readFileSync(pj, 'utf8');
    } catch {
      result = { unreadable: true };
      this.parsed.set(pj, result);
      return result;
    }
    const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
    try {
      const data = JSON.parse(text) as unknown;
      if (this.rules.packageJson === 'native' && (data === null || typeof data !== 'object' || Array.isArray(data)))
        throw new Error('not a JSON object');
      if (data === null) throw new TypeError('Cannot convert undefined or null to object');
      const type = Object.prototype.hasOwnProperty.call(data, 'type') ? (data as { type?: unknown }).type : undefined;
      result = { type: type === 'module' || type === 'commonjs' ? type : 'none' };
    } catch (error) {
      result = { raw, error };
    }
    this.parsed.set(pj, result);
    return result;
  }

  /** The error node --check stops with, word for word as this node's reader words it. */
  private invalid(pj: string, file: string, error: unknown): FormatError {
    if (error instanceof TypeError) {
      return { errorType: 'TypeError', message: error.message, detail: `TypeError: ${error.message}` };
    }
    const message =
      this.rules.packageJson === 'native'
        ? `Invalid package config ${pj}.`
        : `Invalid package config ${pj} while importing ${file}. ${(error as Error).message}`;
    return { errorType: 'Error', message, detail: `Error [ERR_INVALID_PACKAGE_CONFIG]: ${message}` };
  }
}
