import path from 'node:path';
import picomatch from 'picomatch';
import { readFolder, type FolderListings } from './listings.js';

export interface WalkOptions {
  /** Folder names never entered, wherever they are (node_modules, .git). */
  skipDirs: readonly string[];
  /** Globs (relative to the root) of what is left out: files, and folders whose path matches. */
  exclude: readonly string[];
  /** Absolute folders never entered (the mechanic's own state and backups). */
  skipPaths: readonly string[];
  /** Listings kept from the last walk: folders that did not change are not read again. */
  listings?: FolderListings;
}

/**
 * A root's entries (files and links) in the order read: each one's name (the listing's own
 * string) and folder, by number; each folder's path with its separator, and its path relative to
 * the root (`/`-separated, with a trailing `/`, empty for the root). Paths are made from these
 * only for the entries a list selects: most of a tree's files are not JavaScript.
 */
interface Walked {
  names: string[];
  folderOf: number[];
  prefixes: string[];
  relPrefixes: string[];
  /** The entries that are symbolic links, by number. */
  links: number[];
}

/** Whether `include` selects entry `i` (for a few entries: files() tests a folder at a time). */
function selects(w: Walked, i: number, include: Matcher): boolean {
  const name = w.names[i]!;
  const relPrefix = w.relPrefixes[w.folderOf[i]!]!;
  return include.inFolder ? include.inFolder(relPrefix).test(name) : include(relPrefix + name, name);
}

/**
 * A test of a path relative to the root, `/`-separated; `inFolder`: the same test as a regular
 * expression on the name, made for a folder (given its relative path, with its trailing `/`), so
 * that no path is made an entry and what the folder alone decides is decided once for all its
 * entries (every matcher without picomatch globs has it). A regular expression, whatever the
 * folder decides (every name, or none): one call target for every list, where a function of each
 * matcher's own had the walk's optimised loop thrown away at the second list it took.
 */
type Matcher = ((rel: string, name: string) => boolean) & { inFolder?: (relPrefix: string) => RegExp };

/** Every name, and none. */
const ANY_NAME = /(?:)/;
const NO_NAME = /(?!)/;

/**
 * One matcher for a list of globs. Patterns that test only the name, the usual include
 * (`**\/*.js`) and the environment's (`**\/*crontab*`, `**\/ecosystem.config.{js,cjs}`), become
 * one regular expression on the name, and `**\/dir/*` a test of the path's end: a glob of
 * picomatch's per file was most of a warm scan's walk. The rest go to picomatch.
 */
export function globMatcher(patterns: readonly string[]): Matcher {
  const names: string[] = [];
  const parents: string[] = [];
  const rest: string[] = [];
  for (const p of patterns) {
    const name = /^\*\*\/([^/]+)$/.exec(p)?.[1];
    const byName = name === undefined ? undefined : nameRegExp(name);
    const parent = /^\*\*\/([\w.-]+)\/\*$/.exec(p)?.[1];
    if (byName !== undefined) names.push(byName);
    else if (parent !== undefined) parents.push(`${parent}/`);
    else rest.push(p.replace(/^\.\//, ''));
  }
  // `s`: a name may hold a line break, and `*` matches it as picomatch's does. Each alternative
  // anchors itself (see nameRegExp).
  const name = names.length ? new RegExp(names.join('|'), 's') : NO_NAME;
  const glob = rest.length ? picomatch(rest, { dot: true }) : undefined;
  if (!parents.length && glob === undefined) {
    const matcher: Matcher = (_rel, base) => name.test(base);
    return Object.assign(matcher, { inFolder: () => name });
  }
  // `**/d/*`: the file's folder is named d, at the root or below. (A loop: a closure made for
  // `some` at each of the walk's entries was most of what the environment's list allocated.)
  const inParent = (relPrefix: string) => {
    for (const d of parents) if (relPrefix.endsWith(d) && (relPrefix.length === d.length || relPrefix.charCodeAt(relPrefix.length - d.length - 1) === 47)) return true;
    return false;
  };
  // Tested once a folder, not once an entry: the folder tests were most of the environment list's walk.
  const inFolder = (relPrefix: string) => (inParent(relPrefix) ? ANY_NAME : name);
  const matcher: Matcher = (rel, base) => inFolder(rel.slice(0, rel.length - base.length)).test(base) || (glob !== undefined && glob(rel));
  return glob === undefined ? Object.assign(matcher, { inFolder }) : matcher;
}

/**
 * A one-segment glob as a regular expression on a name, if it has only literal characters, `*`
 * and at most one `{a,b}` of literal alternatives; otherwise undefined. With `dot: true`, as the
 * walk's globs are matched, `*` is any run of characters but `/` (a name has none).
 * Anchored as little as it needs: `^.*\.sh$` is `\.sh$`, `^.*crontab.*$` is `crontab`. A leading
 * `.*` scans the name to its end and back again for each alternative: the environment's list,
 * tested on every entry of the walk, was the largest regular expression cost of a warm scan.
 */
function nameRegExp(segment: string): string | undefined {
  const m = /^([\w.*-]*)(?:\{([\w.-]+(?:,[\w.-]+)+)\})?([\w.*-]*)$/.exec(segment);
  if (!m) return undefined;
  const lit = (s: string) => s.replace(/[.*]/g, (c) => (c === '*' ? '.*' : '\\.'));
  const alternatives = m[2] === undefined ? '' : `(?:${m[2].split(',').map(lit).join('|')})`;
  let body = `${lit(m[1]!)}${alternatives}${lit(m[3]!)}`;
  // `*` alone, any name: `(?:)` matches every one.
  if (body === '.*') return '(?:)';
  const anyStart = body.startsWith('.*');
  if (anyStart) body = body.slice(2);
  // (lit writes `*` as `.*` and a dot as `\.`: a `.*` at either end is a `*` of the glob.)
  const anyEnd = body.endsWith('.*');
  if (anyEnd) body = body.slice(0, -2);
  return `${anyStart ? '' : '^'}(?:${body})${anyEnd ? '' : '$'}`;
}

/**
 * The files under each root (and links, which are not followed: `isLink` tells them apart
 * without a call), each root read once however many lists are taken from it (the syntax scan's
 * and the environment's): one pass of readdir with file types, no stat per entry, folders pruned
 * by name before they are read; sockets, pipes and devices left out. With listings, a folder
 * that did not change since the last walk is not read again (see FolderListings). Make one per
 * discovery, so that the next sees the tree as it is then.
 */
export class TreeWalk {
  private readonly skipDirs: Set<string>;
  private readonly skipPaths: Set<string>;
  private readonly excluded: ((rel: string) => boolean) | undefined;
  /** Each root's entries, as the walk listed them (see Walked). */
  private readonly roots = new Map<string, Walked>();
  private readonly links = new Set<string>();
  private readonly listings: FolderListings | undefined;
  /** Each folder walked, and whether its listing has a package.json (a file or a link). */
  private readonly folders = new Map<string, boolean>();

  constructor(opts: WalkOptions) {
    this.skipDirs = new Set(opts.skipDirs);
    this.skipPaths = new Set(opts.skipPaths.map((p) => path.resolve(p)));
    this.excluded = opts.exclude.length ? picomatch(opts.exclude.map((p) => p.replace(/^\.\//, '')), { dot: true }) : undefined;
    this.listings = opts.listings;
  }

  /** Whether a listed entry is a symbolic link (its readdir type said so). */
  isLink(abs: string): boolean {
    return this.links.size > 0 && this.links.has(abs);
  }

  /**
   * files(); each one's folder with its separator, the same string for every file of a folder
   * (so that "the same folder as the last file?" is an identity, not a comparison of paths); and
   * which of them are links: a set, nearly always empty, so that telling the others apart costs
   * no lookup of their paths.
   */
  select(root: string, include: Matcher): { files: string[]; folders: string[]; links: ReadonlySet<string> } {
    const folders: string[] = [];
    const files = this.files(root, include, folders);
    const w = this.roots.get(path.resolve(root))!;
    const links = new Set<string>();
    for (const i of w.links) if (selects(w, i, include)) links.add(w.prefixes[w.folderOf[i]!]! + w.names[i]!);
    return { files, folders, links };
  }

  /**
   * For a folder the walk listed, whether it holds an entry named package.json that is a file or
   * a link (a folder of that name is none); undefined for a folder it did not list.
   */
  hasPackageJson(dir: string): boolean | undefined {
    return this.folders.get(dir);
  }

  /** Keep the listings a walk could not write for want of a state folder, now that one exists. */
  keepListings(): void {
    try {
      this.listings?.flush();
    } catch {
      // not kept: the next walk reads every folder, as without listings
    }
  }

  /** Whether the walk never enters the folder `abs` (one of its skipPaths). */
  skipsFolder(abs: string): boolean {
    return this.skipPaths.has(path.resolve(abs));
  }

  /**
   * The entries under `root` that `include` selects, as absolute paths in the order read; with
   * `folders`, each one's folder (with its separator) pushed there.
   */
  files(root: string, include: Matcher, folders?: string[]): string[] {
    const base = path.resolve(root);
    let all = this.roots.get(base);
    if (!all) this.roots.set(base, (all = this.walk(base)));
    const { names, folderOf, prefixes, relPrefixes } = all;
    const out: string[] = [];
    // A path is made only for an entry selected (and a relative path only for a matcher that
    // reads it). A folder's entries come in runs: its test is made at the first of each.
    let folder = -1;
    let test: RegExp | undefined;
    for (let i = 0; i < names.length; i++) {
      const f = folderOf[i]!;
      if (f !== folder) {
        folder = f;
        test = include.inFolder?.(relPrefixes[f]!);
      }
      if (!(test ? test.test(names[i]!) : include(relPrefixes[f]! + names[i]!, names[i]!))) continue;
      const prefix = prefixes[f]!;
      out.push(prefix + names[i]!);
      folders?.push(prefix);
    }
    return out;
  }

  private walk(base: string): Walked {
    const walked: Walked = { names: [], folderOf: [], prefixes: [], relPrefixes: [], links: [] };
    const started = Date.now();
    // relPrefix: the folder's path relative to the root, `/`-separated, with a trailing `/` ('' for the root).
    const walk = (dir: string, relPrefix: string): void => {
      const entries = this.listings ? this.listings.list(dir, started) : readFolder(dir);
      if (!entries) return; // unreadable folders are passed over
      const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
      const folder = walked.prefixes.push(prefix) - 1;
      walked.relPrefixes.push(relPrefix);
      let packageJson = false;
      const { names, kinds } = entries;
      for (let i = 0; i < names.length; i++) {
        const name = names[i]!;
        const kind = kinds.charCodeAt(i);
        // The relative path only for the exclude globs, when there are any.
        const r = this.excluded ? relPrefix + name : '';
        if (kind === 100 /* d */) {
          const abs = prefix + name;
          if (!this.skipDirs.has(name) && !this.skipPaths.has(abs) && !this.excluded?.(r)) walk(abs, `${relPrefix}${name}/`);
        } else {
          if (name === 'package.json') packageJson = true;
          if (!this.excluded?.(r)) {
            if (kind === 108 /* l */) {
              walked.links.push(walked.names.length);
              this.links.add(prefix + name);
            }
            walked.names.push(name);
            walked.folderOf.push(folder);
          }
        }
      }
      this.folders.set(dir, packageJson);
    };
    walk(base, '');
    try {
      this.listings?.save(base);
    } catch {
      // not kept: the next walk reads every folder, as without listings
    }
    return walked;
  }
}
