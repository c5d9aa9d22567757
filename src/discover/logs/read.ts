/**
 * Reading error logs incrementally: each cycle reads only what was appended since the last one.
 *
 * For each log we remember its device and inode, its size, the byte offset read up to, and hashes
 * of its first bytes (`head`) and of the bytes just before the offset (`anchor`). Then:
 * - first sight of a log: only its last `maxBytesPerRead` bytes (1 MiB), from a line boundary;
 * - appended: from the offset (if more than `maxBytesPerRead` was appended, only the newest
 *   `maxBytesPerRead` bytes: a crash loop must not make us read gigabytes, the newest errors count);
 * - truncated (size below the offset; pm2-logrotate's copy-and-truncate): from the start;
 * - rotated (another inode under the name; `logrotate` create, PM2 `reloadLogs`) or rewritten (the
 *   head or anchor bytes changed under the same inode): the new content from the start. The
 *   rotated sibling (`app-error.log.1`, `app-error__2026-11-24_00-00-00.log`) is not read: what it
 *   holds past our offset is lost, which is acceptable for the newest-errors-first goal;
 * - only complete lines are consumed: a last line without its newline is read next time;
 * - an error still being written at the end (a stack without its end, and no culprit located
 *   yet) is left for the next read while the log changed less than `quietMs` ago.
 * A log that cannot be read is reported in `problems` and skipped; nothing here throws.
 *
 * Errors without a timestamp read on first sight are marked `history`: they were written at some
 * unknown time before the mechanic began reading. What is appended later is fresh.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { escapePath, glob } from 'tinyglobby';
import type { LogError, LogOffset } from '../types.js';
export type { LogOffset } from '../types.js';
import { MAX_LINE_CHARS, parseErrorLogDetailed } from './parse.js';

export const DEFAULT_MAX_BYTES_PER_READ = 1024 * 1024;
/** An unfinished error at the end of a log is waited for this long after the log's last change. */
export const DEFAULT_QUIET_MS = 2_000;
const HEAD_BYTES = 1024;
const ANCHOR_BYTES = 1024;


export interface ReadLogsOptions {
  /** At most this many bytes are read from one log per call (default 1 MiB). */
  maxBytesPerRead?: number;
  /** See {@link DEFAULT_QUIET_MS}. */
  quietMs?: number;
  /** Current time in ms (the core's clock). */
  now?: number;
}

export interface LogReadProblem {
  log: string;
  reason: string;
}

export interface ReadLogsResult {
  errors: LogError[];
  /** The offsets to keep for the next read: one per given path that could be read. */
  offsets: Record<string, LogOffset>;
  problems: LogReadProblem[];
}

/** Reads what is new in each log since `offsets` and parses it into errors. */
export function readLogsIncrementally(
  paths: readonly string[],
  offsets: Readonly<Record<string, LogOffset>>,
  opts: ReadLogsOptions = {},
): ReadLogsResult {
  const maxBytes = Math.max(1, Math.floor(opts.maxBytesPerRead ?? DEFAULT_MAX_BYTES_PER_READ));
  const quietMs = opts.quietMs ?? DEFAULT_QUIET_MS;
  const now = opts.now ?? Date.now();
  const result: ReadLogsResult = { errors: [], offsets: {}, problems: [] };
  for (const log of new Set(paths)) {
    try {
      const r = readOne(log, offsets[log], maxBytes, quietMs, now);
      if ('problem' in r) {
        result.problems.push({ log, reason: r.problem });
        continue;
      }
      result.offsets[log] = r.offset;
      result.errors.push(...r.errors);
    } catch (err) {
      result.problems.push({ log, reason: err instanceof Error ? err.message : String(err) });
    }
  }
  return result;
}

function readOne(
  log: string,
  prev: LogOffset | undefined,
  maxBytes: number,
  quietMs: number,
  now: number,
): { offset: LogOffset; errors: LogError[] } | { problem: string } {
  let fd: number;
  try {
    fd = fs.openSync(log, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (err) {
    return { problem: `cannot open: ${(err as NodeJS.ErrnoException).code ?? String(err)}` };
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return { problem: 'not a regular file' };
    const size = st.size;
    const readAt = (pos: number, len: number): Buffer => {
      const buf = Buffer.alloc(Math.max(0, len));
      let got = 0;
      while (got < buf.length) {
        const n = fs.readSync(fd, buf, got, buf.length - got, pos + got);
        if (n === 0) break;
        got += n;
      }
      return got === buf.length ? buf : buf.subarray(0, got);
    };
    const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('hex');

    // Where the new content starts.
    let from = 0;
    let firstSight = false;
    if (!prev || !sameShape(prev)) firstSight = true;
    else if (prev.dev !== st.dev || prev.ino !== st.ino) from = 0; // rotated: a new file under the name
    else if (size < prev.offset) from = 0; // truncated
    else if (prev.head !== undefined && prev.headLength !== undefined && sha1(readAt(0, prev.headLength)) !== prev.head)
      from = 0; // rewritten in place
    else if (
      prev.anchor !== undefined &&
      prev.anchorLength !== undefined &&
      sha1(readAt(prev.offset - prev.anchorLength, prev.anchorLength)) !== prev.anchor
    )
      from = 0;
    else from = prev.offset;

    let start = from;
    let align = false;
    if (firstSight || size - from > maxBytes) {
      start = Math.max(from, size - maxBytes);
      align = start > 0;
    }
    const buf = readAt(start, size - start);
    let begin = 0;
    if (align) {
      // Start at a line boundary: the byte before `start` may already be a newline.
      const before = readAt(start - 1, 1);
      if (before[0] !== 0x0a) {
        const nl = buf.indexOf(0x0a);
        begin = nl < 0 ? buf.length : nl + 1;
      }
    }
    const lastNl = buf.lastIndexOf(0x0a);
    let consumedEnd = lastNl >= begin ? lastNl + 1 : begin; // relative to buf
    // A single line longer than the whole window, no newline in sight: it is garbage, skip it.
    if (lastNl < begin && buf.length >= maxBytes) consumedEnd = buf.length;

    let errors: LogError[] = [];
    if (consumedEnd > begin) {
      const { text, lineStarts } = decodeLines(buf.subarray(begin, consumedEnd));
      const parsed = parseErrorLogDetailed(text, log);
      let entries = parsed.entries;
      const open = parsed.openFromLine;
      if (open !== undefined && now - st.mtimeMs < quietMs) {
        const tail = entries.filter((e) => e.startLine >= open);
        // Hold back the unfinished error only when nothing located it yet: its culprit frame may
        // be in the part still being written. A located one is taken now (frames come top first).
        if (tail.length === 0 || tail.some((e) => !e.error.file)) {
          entries = entries.filter((e) => e.startLine < open);
          consumedEnd = begin + (lineStarts[open] ?? consumedEnd - begin);
        }
      }
      const observedAt = new Date(st.mtimeMs).toISOString();
      // On first sight, an error with no timestamp may be from any time before: history.
      errors = entries.map((e) => (e.error.time ? e.error : { ...e.error, observedAt, ...(firstSight ? { history: true } : {}) }));
    }

    const offset = start + consumedEnd;
    const headLength = Math.min(size, HEAD_BYTES);
    const anchorLength = Math.min(offset, ANCHOR_BYTES);
    return {
      errors,
      offset: {
        dev: st.dev,
        ino: st.ino,
        size,
        offset,
        head: sha1(readAt(0, headLength)),
        headLength,
        anchor: sha1(readAt(offset - anchorLength, anchorLength)),
        anchorLength,
      },
    };
  } finally {
    fs.closeSync(fd);
  }
}

function sameShape(o: LogOffset): boolean {
  return (
    typeof o === 'object' &&
    o !== null &&
    Number.isFinite(o.dev) &&
    Number.isFinite(o.ino) &&
    Number.isSafeInteger(o.offset) &&
    o.offset >= 0
  );
}

/**
 * Bytes → text with one `\n` per input line, and where each line starts (in bytes). Lines are
 * decoded one by one (invalid UTF-8 becomes U+FFFD, which the parser treats as garbage); a line
 * too long to be a log line is replaced by a marker of the same kind, never decoded whole.
 */
function decodeLines(buf: Buffer): { text: string; lineStarts: number[] } {
  const decoder = new TextDecoder('utf-8', { fatal: false });
  const parts: string[] = [];
  const lineStarts: number[] = [];
  let pos = 0;
  while (pos < buf.length) {
    let nl = buf.indexOf(0x0a, pos);
    if (nl < 0) nl = buf.length;
    lineStarts.push(pos);
    // UTF-8 uses at most 4 bytes per UTF-16 code unit pair; over 4x the cap is surely too long.
    parts.push(nl - pos > MAX_LINE_CHARS * 4 ? '\ufffd' : decoder.decode(buf.subarray(pos, nl)));
    pos = nl + 1;
  }
  lineStarts.push(buf.length);
  return { text: parts.join('\n'), lineStarts };
}


/** A copy made by pm2-logrotate (`app-error__2026-11-24_00-00-00.log`): read already, as the live log. */
const ROTATED_COPY = /__\d{4}-\d{2}-\d{2}[_T-]\d{2}[-:]\d{2}[-:]\d{2}(?:\.\d+)?\.log$/;
const COMPRESSED = /\.(?:gz|bz2|xz|zst|zip)$/;

/**
 * The log files the globs match now: absolute, sorted, each once. `~/` means `home`; relative
 * globs are taken from the current folder. Rotated copies and compressed logs are left out.
 */
export async function expandLogGlobs(globs: readonly string[], home: string): Promise<string[]> {
  const found = new Set<string>();
  for (const g of globs) {
    if (!g) continue;
    // A plain path naming a file is taken as it is, even with glob characters in it.
    const literal = path.resolve(expandHome(g, home, false));
    try {
      if (fs.statSync(literal).isFile()) {
        found.add(literal);
        continue;
      }
    } catch {
      // not a file: a glob
    }
    const pattern = expandHome(g, home, true);
    const files = await glob([pattern], {
      absolute: true,
      onlyFiles: true,
      dot: true,
      expandDirectories: false,
      followSymbolicLinks: true,
    });
    for (const f of files) {
      const abs = path.resolve(f);
      if (ROTATED_COPY.test(abs) || COMPRESSED.test(abs)) continue;
      found.add(abs);
    }
  }
  return [...found].sort();
}

/** `~` and `~/...` → `home` (escaped when the result is a glob). */
function expandHome(p: string, home: string, asGlob: boolean): string {
  const h = asGlob ? escapePath(home) : home;
  if (p === '~') return h;
  if (p.startsWith('~/')) return `${h}/${p.slice(2)}`;
  return p;
}
