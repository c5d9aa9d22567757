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

/** Entries listed before the walk yields a step to its streaming reader (see TreeWalk.stream). */
const STREAM_ENTRIES = 512;

function emptyWalked(): Walked {
  return { names: [], folderOf: [], prefixes: [], relPrefixes: [], links: [] };
}

/** The absolute paths of entries `from` to `end` that `include` selects (a path is made only for those). */
function selectedIn(w: Walked, include: Matcher, from: number, end = w.names.length): string[] {
  const out: string[] = [];
  for (let i = from; i < end; i++) if (selects(w, i, include)) out.push(w.prefixes[w.folderOf[i]!]! + w.names[i]!);
  return out;
}

/** A folder's entries (by number) in the order of their paths: a folder's name sorts as `name/`. */
function pathOrder(names: readonly string[], kinds: string): number[] {
  const keys = names.map((n, i) => (kinds.charCodeAt(i) === 100 /* d */ ? `${n}/` : n));
  return keys.map((_, i) => i).sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : 0));
}

/** Whether `include` selects entry `i`. */
function selects(w: Walked, i: number, include: Matcher): boolean {
  const name = w.names[i]!;
  return include.nameOnly ? include('', name) : include(w.relPrefixes[w.folderOf[i]!]! + name, name);
}

/** A test of a path relative to the root, `/`-separated; `nameOnly`: it reads only the name. */
type Matcher = ((rel: string, name: string) => boolean) & { nameOnly?: boolean };

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
  // `s`: a name may hold a line break, and `*` matches it as picomatch's does.
  const name = names.length ? new RegExp(`^(?:${names.join('|')})$`, 's') : undefined;
  const glob = rest.length ? picomatch(rest, { dot: true }) : undefined;
  if (name !== undefined && !parents.length && glob === undefined) return Object.assign((_rel: string, base: string) => name.test(base), { nameOnly: true });
  return (rel, base) =>
    (name !== undefined && name.test(base)) ||
    parents.some((d) => {
      // `**/d/*`: the file's folder is named d, at the root or below.
      const at = rel.length - base.length - d.length;
      return at >= 0 && rel.startsWith(d, at) && (at === 0 || rel.charCodeAt(at - 1) === 47);
    }) ||
    (glob !== undefined && glob(rel));
}

/**
 * A one-segment glob as a regular expression on a name, if it has only literal characters, `*`
 * and at most one `{a,b}` of literal alternatives; otherwise undefined. With `dot: true`, as the
 * walk's globs are matched, `*` is any run of characters but `/` (a name has none).
 */
function nameRegExp(segment: string): string | undefined {
  const m = /^([\w.*-]*)(?:\{([\w.-]+(?:,[\w.-]+)+)\})?([\w.*-]*)$/.exec(segment);
  if (!m) return undefined;
  const lit = (s: string) => s.replace(/[.*]/g, (c) => (c === '*' ? '.*' : '\\.'));
  const alternatives = m[2] === undefined ? '' : `(?:${m[2].split(',').map(lit).join('|')})`;
  return `${lit(m[1]!)}${alternatives}${lit(m[3]!)}`;
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
   * files(), and which of them are links: a set, nearly always empty, so that telling the
   * others apart costs no lookup of their paths.
   */
  select(root: string, include: Matcher): { files: string[]; links: ReadonlySet<string> } {
    const files = this.files(root, include);
    const w = this.roots.get(path.resolve(root))!;
    const links = new Set<string>();
    for (const i of w.links) if (selects(w, i, include)) links.add(w.prefixes[w.folderOf[i]!]! + w.names[i]!);
    return { files, links };
  }

  /**
   * For a folder the walk listed, whether it holds an entry named package.json that is a file or
   * a link (a folder of that name is none); undefined for a folder it did not list.
   */
  hasPackageJson(dir: string): boolean | undefined {
    return this.folders.get(dir);
  }

  /** Whether the walk never enters the folder `abs` (one of its skipPaths). */
  skipsFolder(abs: string): boolean {
    return this.skipPaths.has(path.resolve(abs));
  }

  /** The entries under `root` that `include` selects, as absolute paths in the order read. */
  files(root: string, include: Matcher): string[] {
    const base = path.resolve(root);
    let all = this.roots.get(base);
    if (!all) {
      all = emptyWalked();
      const steps = this.walking(base, all);
      while (!steps.next().done);
      this.roots.set(base, all);
    }
    return selectedIn(all, include, 0);
  }

  /**
   * select(), as the walk goes: the entries `include` selects, a few folders at a time, and which
   * of them are links, with a turn of the event loop between steps, so that work on the first
   * files (the engines compiling them) starts while the walk goes on. A root walked before is
   * given at once. The walk is kept for files() and select() once it ends.
   */
  async *stream(root: string, include: Matcher): AsyncGenerator<{ files: string[]; links: ReadonlySet<string> }> {
    const base = path.resolve(root);
    const known = this.roots.get(base);
    const w = known ?? emptyWalked();
    const steps = known ? undefined : this.walking(base, w);
    let from = 0;
    let link = 0;
    for (;;) {
      // A step: folders read until STREAM_ENTRIES entries are listed (or the walk ends).
      let done = steps === undefined;
      while (!done && w.names.length - from < STREAM_ENTRIES) done = steps!.next().done === true;
      const end = w.names.length;
      const links = new Set<string>();
      for (; link < w.links.length && w.links[link]! < end; link++) {
        const i = w.links[link]!;
        if (selects(w, i, include)) links.add(w.prefixes[w.folderOf[i]!]! + w.names[i]!);
      }
      const files = selectedIn(w, include, from, end);
      from = end;
      if (files.length) yield { files, links };
      if (done) break;
      await new Promise((r) => setImmediate(r));
    }
    if (!known) this.roots.set(base, w);
  }

  /**
   * The walk of `base` into `walked`, a folder a step, in the order of the entries' full paths
   * (each folder's entries sorted, a folder's name as `name/`, how the paths below it go on): the
   * scan cache keeps its records in that order and finds each by moving on from the last. A
   * folder's package.json is recorded before anything below it is listed, so that what the steps
   * have listed can be resolved while the walk goes on.
   */
  private *walking(base: string, walked: Walked): Generator<void> {
    const started = Date.now();
    // relPrefix: the folder's path relative to the root, `/`-separated, with a trailing `/` ('' for the root).
    const walk = function* (this: TreeWalk, dir: string, relPrefix: string): Generator<void> {
      const entries = this.listings ? this.listings.list(dir, started) : readFolder(dir);
      if (!entries) return; // unreadable folders are passed over
      const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
      const folder = walked.prefixes.push(prefix) - 1;
      walked.relPrefixes.push(relPrefix);
      const { names, kinds } = entries;
      const at = names.indexOf('package.json');
      this.folders.set(dir, at >= 0 && kinds.charCodeAt(at) !== 100 /* d */);
      yield;
      for (const i of pathOrder(names, kinds)) {
        const name = names[i]!;
        const kind = kinds.charCodeAt(i);
        // The relative path only for the exclude globs, when there are any.
        const r = this.excluded ? relPrefix + name : '';
        if (kind === 100 /* d */) {
          if (!this.skipDirs.has(name) && !this.skipPaths.has(prefix + name) && !this.excluded?.(r)) yield* walk.call(this, prefix + name, `${relPrefix}${name}/`);
        } else if (!this.excluded?.(r)) {
          if (kind === 108 /* l */) {
            walked.links.push(walked.names.length);
            this.links.add(prefix + name);
          }
          walked.names.push(name);
          walked.folderOf.push(folder);
        }
      }
    };
    yield* walk.call(this, base, '');
    try {
      this.listings?.save(base);
    } catch {
      // not kept: the next walk reads every folder, as without listings
    }
  }
}
