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
 * A stat as a cache key part: inode, size, and nanosecond mtime and ctime. Joined, the text is
 * made flat at once (a template makes a chain of pieces, flattened again where it is compared:
 * a warm scan makes one a file).
 */
export function statKey(st: { ino: bigint; size: bigint; mtimeNs: bigint; ctimeNs: bigint }): string {
  return [st.ino, st.size, st.mtimeNs, st.ctimeNs].join(':');
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
      let st: fs.BigIntStats | undefined;
      try {
        st = this.listed?.(dir) === false ? undefined : fs.statSync(pj, { bigint: true, throwIfNoEntry: false });
      } catch {
        st = undefined;
      }
      if (st?.isFile()) found = { pj, key: `${pj}#${statKey(st)}` };
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
