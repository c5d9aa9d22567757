import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../workspace/atomic.js';
import { readStateText, stateField as enc } from '../util/ascii-json.js';
import { microseconds, NOT_PLAIN, numbersEnd, QUIET_STAT } from '../analysis/format.js';

/**
 * A folder's entries as the walk needs them: names, and what readdir said each is, one character
 * a name in `kinds`: `f` file, `d` folder, `l` symbolic link (sockets, pipes and devices are
 * left out). Two flat values, not an object an entry: a warm walk has ~20,000 of them.
 */
export interface Listed {
  names: string[];
  kinds: string;
}

export const LISTINGS_FILE = 'walk-listings.tsv';
/** Version 4: each folder's entries in path order (see readFolder), its times in µs. */
const MAGIC = 'code-mechanic folder listings\t4';
/**
 * A folder changed this close to when it was listed may change again within its timestamp's
 * tick, unseen (git's "racy" case): its listing is not kept. 2 s covers 1 s and 2 s resolutions.
 */
const RACY_MS = 2000;

const dec = (s: string): string => (s.startsWith('"') ? (JSON.parse(s) as string) : s);

/**
 * Folder listings kept between scans, in the state folder, so that a warm scan reads no folder
 * that did not change: one line a folder, `<folder><TAB><stat><TAB><kinds><TAB><name>...`, the
 * stat being its inode, mtime and ctime (µs, as statKey's). A folder whose stat is the one
 * recorded is listed from here (adding, removing or renaming an entry changes a folder's mtime
 * and ctime); one changed within RACY_MS of its listing is listed again next time. Filtering is
 * the walk's, on every listing, so a change of configuration takes effect at once. A missing or
 * foreign file is no listing; writes are atomic, and happen only when something changed.
 */
export class FolderListings {
  /**
   * As read: each folder's stat and raw entries, split only when asked for; `seen`: listed from
   * here by a walk (marked on the record, not copied into `now`: a warm walk reuses thousands).
   */
  private readonly old = new Map<string, { stat: string; entries: string; seen?: boolean }>();
  /** This walk's folders read from disk, as they will be written (a racy one is not). */
  private readonly now = new Map<string, { stat: string; entries: string }>();
  private dirty = false;
  /** Folders listed from disk, and from here (for tests and diagnostics). */
  readonly counts = { read: 0, reused: 0 };

  private constructor(readonly file: string) {}

  /** The listings of `stateDir`. Never throws: an unreadable or foreign file is none. */
  static open(stateDir: string): FolderListings {
    const l = new FolderListings(path.join(stateDir, LISTINGS_FILE));
    let text: string;
    try {
      text = readStateText(l.file);
    } catch {
      return l;
    }
    const lines = text.split('\n');
    // A cut-short file (no trailing end line) is no listing at all.
    if (lines[0] !== MAGIC || lines.at(-2) !== 'e' || lines.at(-1) !== '') return l;
    for (let i = 1; i < lines.length - 2; i++) {
      const line = lines[i]!;
      const a = line.indexOf('\t');
      const b = line.indexOf('\t', a + 1);
      if (a <= 0 || b < 0) continue;
      try {
        l.old.set(dec(line.slice(0, a)), { stat: line.slice(a + 1, b), entries: line.slice(b + 1) });
      } catch {
        l.dirty = true;
      }
    }
    return l;
  }

  /**
   * The entries of `dir`, from here if it has not changed, else from readdir; undefined if it
   * cannot be read. The stat comes first: a change between it and readdir leaves a newer stat on
   * disk than the one recorded, so the folder is listed again next time.
   */
  list(dir: string, started: number): Listed | undefined {
    let st: fs.Stats | undefined;
    try {
      // The options of every folder and package.json stat of a scan (see QUIET_STAT).
      st = fs.statSync(dir, QUIET_STAT);
    } catch {
      return undefined;
    }
    if (st === undefined) return undefined;
    const mtime = microseconds(st.mtimeMs);
    const ctime = microseconds(st.ctimeMs);
    const known = this.old.get(dir);
    if (known !== undefined && sameFolderStat(known.stat, st.ino, mtime, ctime)) {
      try {
        const entries = parse(known.entries);
        known.seen = true;
        this.counts.reused++;
        return entries;
      } catch {
        // a malformed line: listed again below
      }
    }
    const entries = readFolder(dir);
    if (!entries) return undefined;
    this.counts.read++;
    this.dirty = true;
    // Its old listing, if any, is out of date (a racy one is written by no one).
    this.old.delete(dir);
    if ((st.mtimeMs > st.ctimeMs ? st.mtimeMs : st.ctimeMs) < started - RACY_MS) this.now.set(dir, { stat: folderStatKey(st.ino, mtime, ctime), entries: [entries.kinds, ...entries.names.map(enc)].join('\t') });
    else this.now.delete(dir);
    return entries;
  }

  /** Write the listings of this walk under `root` and the others kept, if anything changed. */
  save(root: string): boolean {
    const under = root.endsWith(path.sep) ? root : root + path.sep;
    for (const [dir, v] of this.old) {
      // Folders of this root no longer listed (removed, or now left out) are dropped.
      if (!v.seen && (dir === root || dir.startsWith(under))) {
        this.old.delete(dir);
        this.dirty = true;
      }
    }
    return this.flush();
  }

  /**
   * Write the listings if anything changed. Also what a save held back because the state folder
   * did not exist yet: the first scan's cache creates it after the walk, and without this its
   * walk's listings were lost, so the next scan read every folder again.
   */
  flush(): boolean {
    if (!this.dirty) return false;
    const lines = [MAGIC];
    for (const [dir, v] of this.now) lines.push(`${enc(dir)}\t${v.stat}\t${v.entries}`);
    // Folders listed from here, and other roots' (not walked yet, or by another walk): kept as they were.
    for (const [dir, v] of this.old) {
      if (this.now.has(dir)) continue;
      const entries = asciiEntries(v.entries);
      if (entries !== undefined) lines.push(`${enc(dir)}\t${v.stat}\t${entries}`);
    }
    lines.push('e', '');
    // Never the reason a state folder exists: a dry run, or a scan of a tree with nothing to
    // record, creates none; once the mechanic keeps state, its listings go with it.
    if (!fs.existsSync(path.dirname(this.file))) return false;
    writeFileAtomic(this.file, lines.join('\n'));
    this.dirty = false;
    return true;
  }
}

/**
 * A folder's files, folders and links, by readdir's types (no stat per entry); undefined if
 * unreadable. In path order: by code unit, a folder as its name and a separator (`a.js` before
 * `a/`, `a/` before `a0.js`), so that a walk that enters folders where they come yields its files
 * as sort() orders their paths, and the scan needs no sort of them (done here, for a folder read
 * from disk; a warm walk takes its listings as kept).
 */
export function readFolder(dir: string): Listed | undefined {
  let dirents: fs.Dirent[];
  try {
    dirents = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return undefined;
  }
  const keyed: { key: string; name: string; kind: string }[] = [];
  for (const e of dirents) {
    const kind = e.isDirectory() ? 'd' : e.isFile() ? 'f' : e.isSymbolicLink() ? 'l' : undefined;
    if (kind === undefined) continue;
    keyed.push({ key: kind === 'd' ? e.name + path.sep : e.name, name: e.name, kind });
  }
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const names: string[] = [];
  let kinds = '';
  for (const e of keyed) {
    names.push(e.name);
    kinds += e.kind;
  }
  return { names, kinds };
}

/** A folder's entries as kept, its names as enc writes them (an older file's may be past ASCII); undefined if malformed. */
function asciiEntries(raw: string): string | undefined {
  if (!/[\u0080-\uffff]/.test(raw)) return raw;
  try {
    const [kinds, ...names] = raw.split('\t');
    return [kinds, ...names.map((n) => enc(dec(n)))].join('\t');
  } catch {
    return undefined;
  }
}

/** A folder's stat as a listing keeps it: inode, mtime and ctime (µs). */
const folderStatKey = (ino: number, mtime: number, ctime: number): string => `${ino}:${mtime}:${ctime}`;

/** Whether a kept stat is this one: its numbers compared, its text made only where they are not plain. */
function sameFolderStat(kept: string, ino: number, mtime: number, ctime: number): boolean {
  const past = numbersEnd(kept, 0, 3, ino, mtime, ctime);
  return past >= 0 || (past === NOT_PLAIN && kept === folderStatKey(ino, mtime, ctime));
}

function parse(raw: string): Listed {
  const names = raw.split('\t');
  const kinds = names.shift()!;
  if (kinds.length !== names.length || /[^fdl]/.test(kinds)) throw new Error('bad entry');
  for (let i = 0; i < names.length; i++) if (names[i]!.charCodeAt(0) === 34 /* " */) names[i] = dec(names[i]!);
  return { names, kinds };
}
