/**
 * A benchmark corpus of real JavaScript: a fixed list of pinned npm packages, installed by the
 * benchmark itself into an ignored cache folder (never the project's own code), and the files
 * taken from them with the module format Node would give each.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { compileVerdict, type ModuleFormat } from '../../src/analysis/compile.js';

/** name@version, pinned. CommonJS and ES modules, small files and large ones. */
export const CORPUS_PACKAGES = [
  'lodash@4.17.21',
  'lodash-es@4.17.21',
  'express@4.21.2',
  'commander@12.1.0',
  'yargs-parser@21.1.1',
  'semver@7.6.3',
  'minimist@1.2.8',
  'chalk@4.1.2',
  'ws@8.18.0',
  'debug@4.3.7',
  'uuid@10.0.0',
  'acorn@8.12.1',
  'moment@2.30.1',
  'axios@1.7.7',
  'async@3.2.6',
  'underscore@1.13.7',
  'esprima@4.0.1',
] as const;

export const DEFAULT_CORPUS_DIR = path.join('.cache', 'bench', 'corpus');

function nameOf(spec: string): string {
  return spec.slice(0, spec.lastIndexOf('@'));
}

function versionOf(spec: string): string {
  return spec.slice(spec.lastIndexOf('@') + 1);
}

/** Install the packages into `dir` unless each is already there at its pinned version. */
export function installCorpus(dir: string, packages: readonly string[] = CORPUS_PACKAGES, log: (s: string) => void = () => {}): void {
  const missing = packages.filter((spec) => {
    try {
      const pj = JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', nameOf(spec), 'package.json'), 'utf8')) as { version?: unknown };
      return pj.version !== versionOf(spec);
    } catch {
      return true;
    }
  });
  if (!missing.length) return;
  fs.mkdirSync(dir, { recursive: true });
  log(`installing ${missing.length} corpus package(s) into ${dir} ...`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(
    npm,
    ['install', '--prefix', dir, '--no-save', '--no-package-lock', '--ignore-scripts', '--no-audit', '--no-fund', ...packages],
    { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`npm install of the corpus failed (${r.status}): ${r.stderr || r.error?.message}`);
}

export interface CorpusFile {
  /** Absolute path. */
  file: string;
  /** Path shown in reports: package/relative/path. */
  name: string;
  pkg: string;
  format: ModuleFormat;
  text: string;
}

export interface CorpusFilter {
  minBytes?: number;
  maxBytes?: number;
  /** Skip minified code: files whose average line is longer than this. */
  maxAverageLine?: number;
}

/**
 * The .js/.cjs/.mjs files of the named packages (not their dependencies), sorted by path, that
 * parse in the format Node gives them (a typeless `.js` with module syntax counts as a module,
 * as Node's detection does). Minified files and files outside the size range are skipped.
 */
export function corpusFiles(dir: string, packages: readonly string[] = CORPUS_PACKAGES, filter: CorpusFilter = {}): CorpusFile[] {
  const { minBytes = 0, maxBytes = Infinity, maxAverageLine = 160 } = filter;
  const out: CorpusFile[] = [];
  for (const spec of packages) {
    const pkg = nameOf(spec);
    const root = path.join(dir, 'node_modules', pkg);
    for (const file of walk(root)) {
      const size = fs.statSync(file).size;
      if (size < minBytes || size > maxBytes) continue;
      if (/\.min\.[cm]?js$/.test(file)) continue;
      const text = fs.readFileSync(file, 'utf8');
      const lines = text.split('\n').length;
      if (text.length / lines > maxAverageLine) continue;
      let format = declaredFormat(file, root);
      if (!compileVerdict(text, file, format).ok) {
        if (format === 'commonjs' && path.extname(file) === '.js' && compileVerdict(text, file, 'module').ok) format = 'module';
        else continue;
      }
      out.push({ file, name: path.relative(path.join(dir, 'node_modules'), file).split(path.sep).join('/'), pkg, format, text });
    }
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function* walk(dir: string): Generator<string> {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name === 'node_modules') continue;
      yield* walk(p);
    } else if (e.isFile() && /\.[cm]?js$/.test(e.name)) yield p;
  }
}

/** The format Node gives a file by its extension and the nearest package.json's `type`. */
function declaredFormat(file: string, root: string): ModuleFormat {
  const ext = path.extname(file);
  if (ext === '.mjs') return 'module';
  if (ext === '.cjs') return 'commonjs';
  for (let d = path.dirname(file); ; d = path.dirname(d)) {
    const pj = path.join(d, 'package.json');
    if (fs.existsSync(pj)) {
      try {
        const { type } = JSON.parse(fs.readFileSync(pj, 'utf8')) as { type?: unknown };
        return type === 'module' ? 'module' : 'commonjs';
      } catch {
        /* a broken package.json: keep looking up */
      }
    }
    if (d === root || path.dirname(d) === d) return 'commonjs';
  }
}
