import fs from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';

export interface WalkOptions {
  /** Folder names never entered, wherever they are (node_modules, .git). */
  skipDirs: readonly string[];
  /** Globs (relative to the root) of what is left out: files, and folders whose path matches. */
  exclude: readonly string[];
  /** Absolute folders never entered (the mechanic's own state and backups). */
  skipPaths: readonly string[];
}

/** A test of a path relative to the root, `/`-separated. */
type Matcher = (rel: string, name: string) => boolean;

/**
 * One matcher for a list of globs. `**\/*.ext` patterns, the usual include, are an extension
 * test on the name (the cost of a glob match per file is most of a warm scan's walk otherwise).
 */
export function globMatcher(patterns: readonly string[]): Matcher {
  const exts: string[] = [];
  const rest: string[] = [];
  for (const p of patterns) {
    const m = /^\*\*\/\*(\.[A-Za-z0-9_-]+)$/.exec(p);
    if (m) exts.push(m[1]!);
    else rest.push(p.replace(/^\.\//, ''));
  }
  const glob = rest.length ? picomatch(rest, { dot: true }) : undefined;
  return (rel, name) => exts.some((e) => name.endsWith(e)) || (glob !== undefined && glob(rel));
}

/**
 * The entries under each root that are not folders (files, and links, which are not followed),
 * each root read once however many lists are taken from it (the syntax scan's and the
 * environment's): one pass of readdir with file types, no stat per entry, folders pruned by name
 * before they are read. Make one per discovery, so that the next sees the tree as it is then.
 */
export class TreeWalk {
  private readonly skipDirs: Set<string>;
  private readonly skipPaths: Set<string>;
  private readonly excluded: ((rel: string) => boolean) | undefined;
  private readonly roots = new Map<string, string[]>();

  constructor(opts: WalkOptions) {
    this.skipDirs = new Set(opts.skipDirs);
    this.skipPaths = new Set(opts.skipPaths.map((p) => path.resolve(p)));
    this.excluded = opts.exclude.length ? picomatch(opts.exclude.map((p) => p.replace(/^\.\//, '')), { dot: true }) : undefined;
  }

  /** The entries under `root` that `include` selects, as absolute paths in the order read. */
  files(root: string, include: Matcher): string[] {
    const base = path.resolve(root);
    let all = this.roots.get(base);
    if (!all) this.roots.set(base, (all = this.walk(base)));
    const cut = base.endsWith(path.sep) ? base.length : base.length + 1;
    return all.filter((abs) => {
      const rel = abs.slice(cut);
      return include(path.sep === '/' ? rel : rel.split(path.sep).join('/'), abs.slice(abs.lastIndexOf(path.sep) + 1));
    });
  }

  private walk(base: string): string[] {
    const out: string[] = [];
    const walk = (dir: string, rel: string): void => {
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        return; // unreadable folders are passed over
      }
      const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
      for (const e of entries) {
        const name = e.name;
        const abs = prefix + name;
        const r = rel ? `${rel}/${name}` : name;
        if (e.isDirectory()) {
          if (!this.skipDirs.has(name) && !this.skipPaths.has(abs) && !this.excluded?.(r)) walk(abs, r);
        } else if (!this.excluded?.(r)) out.push(abs);
      }
    };
    walk(base, '');
    return out;
  }
}
