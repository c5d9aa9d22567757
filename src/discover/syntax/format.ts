import fs from 'node:fs';
import path from 'node:path';
import type { ModuleFormat } from './compile.js';

/** `ambiguous`: a `.js` with no package `type`, where Node may detect ES module syntax. */
export type FileFormat = ModuleFormat | 'ambiguous';

export interface NodeVersion {
  major: number;
  minor: number;
  patch: number;
  raw: string;
}

export function parseNodeVersion(raw: string): NodeVersion {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(raw.trim());
  if (!m) throw new Error(`not a node version: ${raw}`);
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), raw: raw.trim() };
}

/**
 * Whether this node version detects ES module syntax in a typeless `.js` by default: unflagged
 * in 22.7.0 and back-ported to 20.19.0; always on from 23.
 */
export function detectsModuleSyntax(v: NodeVersion): boolean {
  if (v.major >= 23) return true;
  if (v.major === 22) return v.minor >= 7;
  if (v.major === 20) return v.minor >= 19;
  return false;
}

/** Caches each folder's governing package.json `type`, as Node's package scope lookup does. */
export class FormatResolver {
  private readonly typeOfDir = new Map<string, string>();

  constructor(private readonly detect: boolean) {}

  formatOf(file: string): FileFormat {
    const ext = path.extname(file);
    if (ext === '.mjs') return 'module';
    if (ext === '.cjs') return 'commonjs';
    const type = this.packageType(path.dirname(file));
    if (type === 'module') return 'module';
    if (type === 'commonjs') return 'commonjs';
    return this.detect ? 'ambiguous' : 'commonjs';
  }

  /** The `type` of the nearest package.json, stopping at a node_modules boundary as Node does. */
  private packageType(dir: string): string {
    const cached = this.typeOfDir.get(dir);
    if (cached !== undefined) return cached;
    let type: string;
    const pj = path.join(dir, 'package.json');
    const parent = path.dirname(dir);
    if (fs.existsSync(pj)) {
      type = readType(pj);
    } else if (parent === dir || path.basename(dir) === 'node_modules') {
      type = 'none';
    } else {
      type = this.packageType(parent);
    }
    this.typeOfDir.set(dir, type);
    return type;
  }
}

function readType(pj: string): string {
  try {
    const data = JSON.parse(fs.readFileSync(pj, 'utf8')) as { type?: unknown };
    return data.type === 'module' || data.type === 'commonjs' ? data.type : 'none';
  } catch {
    // Node refuses an unparsable package.json; the binary's own verdict decides such files.
    return 'invalid';
  }
}
