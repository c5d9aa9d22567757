/**
 * Error logs → error events. A pure function of the log's text: no file system, no clock.
 *
 * What it reads (every form below is in the corpus under test/fixtures/logs/):
 * - V8 stack traces: `TypeError: x is not a function` then `    at fn (/abs/file.js:12:5)`,
 *   `    at /abs/file.js:3:1`, `    at async fn (...)`, `    at file:///abs/esm.mjs:4:7` (ES module
 *   URLs, percent-decoded to paths), `    ... 4 lines matching cause stack trace ...`;
 * - Node's crash banner: `/abs/file.js:3` (or `file:///...:3`, `node:internal/...:283`), the source
 *   line, a caret line, an optional blank line, then the error — for a load-time SyntaxError the
 *   banner is the culprit; for a thrown non-Error value (`throw 'x'`) the value follows the caret;
 * - `Error [ERR_X]: ...`, `ReferenceError [Error]: ...`, `[UnhandledPromiseRejection: ...] {`,
 *   property blocks after the stack (`{ code: 'ENOENT', [cause]: ... }`, skipped as a whole),
 *   `Uncaught ReferenceError: ...`, `Uncaught Exception: ...`, `(node:123)
 *   UnhandledPromiseRejectionWarning: ...`, PM2's `You have triggered an unhandledRejection...`;
 * - PM2 line prefixes: `2026-11-24T18:10:12: ` (`--time`), any `log_date_format` made of
 *   `YYYY-MM-DD[T -]HH:mm[:ss[.SSS]][ Z|ZZ]` followed by `: `, `--log-type json` lines, and the
 *   `0|app  | ` prefix of `pm2 logs` output. PM2 fork mode stamps every line; cluster mode stamps
 *   only the first line of each write, and PM2's own uncaught-exception handler none.
 *
 * Anything else — console.error output, warnings, binary garbage, lines over 64 KiB — is skipped.
 * Nothing here throws on any input.
 */
import { fileURLToPath } from 'node:url';
import type { LogError } from '../types.js';

/** Lines longer than this (in UTF-16 code units) are garbage, not log lines. */
export const MAX_LINE_CHARS = 64 * 1024;
/** An error's `text` is capped at this many characters. */
export const MAX_ERROR_TEXT_CHARS = 16 * 1024;
const MAX_MESSAGE_CHARS = 2_000;
/** How far after a header (message continuation lines, blank lines) its first stack frame may be. */
const MAX_MESSAGE_LINES = 30;
const MAX_PROPERTY_BLOCK_LINES = 400;
const MAX_VALUE_LINES = 20;

/** One location in a stack, a banner or a message. */
export interface StackLocation {
  file: string;
  line?: number;
  column?: number;
}

/** An error and the lines of the input it was read from (0-based, inclusive). */
export interface ParsedEntry {
  error: LogError;
  startLine: number;
  endLine: number;
}

export interface ParsedLog {
  entries: ParsedEntry[];
  /**
   * Set when the input ends inside an error that may still be being written (a stack without its
   * end, a banner without its error): the 0-based line where that error starts. Its entry, if any,
   * is the last one. An incremental reader may stop before this line and read it again later.
   */
  openFromLine?: number;
}

/** Parses the content of an error log into error events, in the order they appear. */
export function parseErrorLog(text: string, log: string): LogError[] {
  return parseErrorLogDetailed(text, log).entries.map((e) => e.error);
}

/** As {@link parseErrorLog}, with each error's line span and whether the input ends inside one. */
export function parseErrorLogDetailed(text: string, log: string): ParsedLog {
  try {
    return new Parser(toLines(String(text)), log).run();
  } catch {
    // A bug here must not stop a cycle: a log we cannot read is a log with no errors.
    return { entries: [] };
  }
}

// ---------------------------------------------------------------------------------------------
// Lines: prefixes stripped, timestamps kept, garbage marked.

interface Line {
  text: string;
  /** ISO time from the line's prefix (PM2, ISO) or JSON fields. */
  time?: string;
  /** What one unit of that time is worth in ms: 1000 for `18:10:12`, 1 for `18:10:12.345`. */
  precisionMs?: number;
  /** Index of the input line it came from (a PM2 JSON line may hold several). */
  raw: number;
  /** Binary, control characters, invalid UTF-8 (U+FFFD) or over-long: never part of an error. */
  bad: boolean;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;
// eslint-disable-next-line no-control-regex
const GARBAGE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]/;
/** `pm2 logs` output: `0|app      | `. */
const PM2_ID_PREFIX = /^\d{1,6}\|[^|\s][^|]{0,80}\|\s?/;
/** A PM2 `log_date_format` prefix: `2026-11-24T18:10:12: `, `2026-11-24 18:10:12 +00:00: `, ... */
const STAMP_PREFIX =
  /^(\d{4})-(\d{2})-(\d{2})[T -](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?: ?(Z|[+-]\d{2}(?::?\d{2})?))?: /;
/**
 * An ISO-8601 date-time at the start of a line, then a space (`2026-11-24T18:10:12.345Z TypeError: …`,
 * `[2026-11-24T18:10:12Z] …`): strict (a `T`, seconds) so ordinary text is never taken for one.
 */
const ISO_PREFIX =
  /^\[?(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}(?::?\d{2})?)?\]?:? /;

interface Stamp {
  time: string;
  precisionMs: number;
}

function toLines(text: string): Line[] {
  const raws = text.split('\n');
  if (raws.length > 0 && raws[raws.length - 1] === '') raws.pop();
  const out: Line[] = [];
  // A PM2 JSON line holds one write, which may end mid-line: the rest comes in the next one.
  let pending: { text: string; stamp?: Stamp; raw: number } | undefined;
  const flushPending = () => {
    if (pending) out.push(makeLine(pending.text, pending.stamp, pending.raw));
    pending = undefined;
  };
  for (let i = 0; i < raws.length; i++) {
    let t = raws[i] ?? '';
    if (t.length > MAX_LINE_CHARS) {
      flushPending();
      out.push({ text: '', raw: i, bad: true });
      continue;
    }
    if (t.endsWith('\r')) t = t.slice(0, -1);
    if (t.startsWith('{"') && t.endsWith('}')) {
      const json = pm2JsonLine(t) ?? loggerJsonLine(t);
      if (json) {
        const parts = json.message.split('\n');
        const last = parts.pop() ?? '';
        for (const part of parts) {
          if (pending) {
            out.push(makeLine(pending.text + part, pending.stamp, pending.raw));
            pending = undefined;
          } else out.push(makeLine(part, json.stamp, i));
        }
        if (last !== '') pending = pending ? { ...pending, text: pending.text + last } : { text: last, ...(json.stamp ? { stamp: json.stamp } : {}), raw: i };
        if (pending && pending.text.length > MAX_LINE_CHARS) {
          out.push({ text: '', raw: pending.raw, bad: true });
          pending = undefined;
        }
        continue;
      }
    }
    flushPending();
    t = t.replace(ANSI, '');
    const id = PM2_ID_PREFIX.exec(t);
    if (id) t = t.slice(id[0].length);
    let stamp: Stamp | undefined;
    const m = STAMP_PREFIX.exec(t) ?? ISO_PREFIX.exec(t);
    if (m) {
      stamp = stampOf(m);
      t = t.slice(m[0].length);
    }
    out.push(makeLine(t, stamp, i));
  }
  flushPending();
  return out;
}

function makeLine(text: string, stamp: Stamp | undefined, raw: number): Line {
  const t = text.endsWith('\r') ? text.slice(0, -1) : text;
  const line: Line = { text: t, raw, bad: GARBAGE.test(t) || t.length > MAX_LINE_CHARS };
  if (stamp) {
    line.time = stamp.time;
    line.precisionMs = stamp.precisionMs;
  }
  return line;
}

function pm2JsonLine(t: string): { message: string; stamp?: Stamp } | undefined {
  let v: unknown;
  try {
    v = JSON.parse(t);
  } catch {
    return undefined;
  }
  if (!v || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  // PM2's --log-type json: {message, timestamp, type, process_id, app_name}.
  if (typeof o.message !== 'string' || !('app_name' in o || 'process_id' in o)) return undefined;
  const r: { message: string; stamp?: Stamp } = { message: o.message.replace(ANSI, '') };
  const stamp = typeof o.timestamp === 'string' ? textStamp(o.timestamp) : undefined;
  if (stamp) r.stamp = stamp;
  return r;
}

/**
 * A JSON logger's line (pino, bunyan, winston's json format) that carries an error stack:
 * `{"time":...,"err":{"stack":"TypeError: x\n    at ..."}}`. Read as the stack's lines.
 */
function loggerJsonLine(t: string): { message: string; stamp?: Stamp } | undefined {
  let v: unknown;
  try {
    v = JSON.parse(t);
  } catch {
    return undefined;
  }
  if (!v || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  const nested = (k: string) => {
    const x = o[k];
    return x && typeof x === 'object' ? (x as Record<string, unknown>).stack : undefined;
  };
  const stack = [o.stack, nested('err'), nested('error')].find((x): x is string => typeof x === 'string' && /\n\s+at /.test(x));
  if (!stack) return undefined;
  const r: { message: string; stamp?: Stamp } = { message: `${stack}\n` };
  // pino: `time` in epoch ms; bunyan: `time` ISO; winston: `timestamp` ISO.
  const when = o.time ?? o.timestamp;
  const iso = typeof when === 'number' ? isoOrUndefined(when) : undefined;
  const stamp = iso ? { time: iso, precisionMs: 1 } : typeof when === 'string' ? textStamp(when) : undefined;
  if (stamp) r.stamp = stamp;
  return r;
}

/** A time written as text in a JSON field: a PM2 `log_date_format`, or anything `Date.parse` reads. */
function textStamp(s: string): Stamp | undefined {
  const m = STAMP_PREFIX.exec(`${s}: `);
  if (m) return stampOf(m);
  const time = isoOrUndefined(Date.parse(s));
  if (!time) return undefined;
  // Its unit: the finest field written (a fraction counts as ms: we keep no finer).
  const precisionMs = /:\d{2}[.,]\d/.test(s) ? 1 : /\d:\d{2}:\d{2}/.test(s) ? 1000 : /\d:\d{2}/.test(s) ? 60_000 : 86_400_000;
  return { time, precisionMs };
}

/** A matched stamp prefix to a time and its unit (a fraction finer than ms is cut to ms). */
function stampOf(m: RegExpExecArray): Stamp | undefined {
  const time = stampToIso(m);
  if (!time) return undefined;
  const frac = m[7];
  const precisionMs = frac ? 10 ** Math.max(0, 3 - frac.length) : m[6] !== undefined ? 1000 : 60_000;
  return { time, precisionMs };
}

/** A PM2 timestamp to ISO. Without a zone it is the local time of the box (dayjs's format()). */
function stampToIso(m: RegExpExecArray): string | undefined {
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const n = (x: string | undefined) => (x === undefined ? 0 : Number(x));
  const year = n(y);
  const month = n(mo);
  const day = n(d);
  const hour = n(h);
  const minute = n(mi);
  const second = n(s);
  const ms = frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
  if (zone === undefined) return isoOrUndefined(new Date(year, month - 1, day, hour, minute, second, ms).getTime());
  let offsetMin = 0;
  if (zone !== 'Z') {
    const zm = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
    if (!zm) return undefined;
    offsetMin = (zm[1] === '-' ? -1 : 1) * (Number(zm[2]) * 60 + Number(zm[3] ?? 0));
  }
  return isoOrUndefined(Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMin * 60_000);
}

function isoOrUndefined(ms: number): string | undefined {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

// ---------------------------------------------------------------------------------------------
// Line kinds.

/**
 * A frame line. Loggers and pasted reports drop the indentation: a frame at column 0 counts when
 * what follows `at` looks like a frame (see {@link FRAME_SHAPE}), so prose starting "at" does not.
 */
const FRAME_LINE = /^(\s*)at\s+(\S.*)$/;
/** `fn (where)`, `where` (a path, URL or `node:` name with :line), `native`, `<anonymous>`, `eval at ...`. */
const FRAME_SHAPE = /(?:\((?:native|<anonymous>|index \d+|.+:\d+(?::\d+)?)\)|^(?:async )?(?:\S+|(?:[A-Za-z]:\\|\/|file:\/\/).+):\d+(?::\d+)?|^(?:native|<anonymous>))\s*\{?$/;
const ELIDED_FRAMES = /^\s*\.\.\. \d+ (?:lines? matching cause stack trace|more(?: lines?)?)(?: \.\.\.)?\s*$/;

/** The text after `at` when the line is a frame. */
function frameText(t: string): string | undefined {
  const m = FRAME_LINE.exec(t);
  if (!m) return undefined;
  const body = m[2] ?? '';
  if (m[1] || FRAME_SHAPE.test(body)) return body;
  return undefined;
}
const isFrameText = (t: string) => frameText(t) !== undefined;
/** A frame wrapped by a console spans at most this many more lines; every line but the last is full. */
const MAX_WRAP_LINES = 4;
const MIN_WRAPPED_CHARS = 40;

/** Brackets or quotes left open: a line cut short. */
function unbalanced(t: string): boolean {
  const count = (c: string) => t.split(c).length - 1;
  return count('(') !== count(')') || count('[') !== count(']') || count("'") % 2 === 1;
}

/** A frame that ends as V8 ends one: `(where:line:col)`, `where:line:col`, `(native)`, `<anonymous>`. */
function completeFrame(f: string): boolean {
  const s = f.replace(/\s*\{$/, '');
  if (/\((?:native|<anonymous>|index \d+)\)$|^(?:native|<anonymous>)$/.test(s)) return true;
  if (s.endsWith(')')) return /:\d+(?::\d+)?\)$/.test(s);
  return !s.includes(' (') && /:\d+:\d+$/.test(s);
}
const CARET = /^\s*\^+\s*$/;
const BANNER = /^(\S.*):(\d+)$/;
const LOOKS_LIKE_PATH = /^(?:\/|file:\/\/|node:|[A-Za-z]:\\)/;
const FOOTER = /^Node\.js v\d+\.\d+\.\d+\S*$/;
const TRACE_UNCAUGHT_HINT = /^\(Use `node --trace-uncaught \.\.\.` to show where the exception was thrown\)$/;
const THROWN_AT = /^Thrown at:$/;
const EMITTED_AT = /^Emitted '[^']+' event(?: on .+)? at:$/;
const PM2_REJECTION = /^You have triggered an unhandledRejection, you may have forgotten to catch a Promise rejection:\s*$/;
/** Wrappers printed before an error: stripped, the error after them is what counts. */
const WRAPPERS = [
  /^Uncaught(?: [Ee]xception:?)?\s+/,
  /^uncaughtException:?\s+/,
  /^Unhandled (?:[Pp]romise )?[Rr]ejection:?\s+/,
  /^\(node:\d+\) UnhandledPromiseRejectionWarning:\s+/,
];
const IDENT = '[A-Za-z_$][\\w$]*';
const HEADER = new RegExp(`^(${IDENT})(?: \\[([^\\]]*)\\])?(?:: (.*)|:?)$`);
const BRACKET_HEADER = new RegExp(`^\\[(${IDENT})(?: \\[([^\\]]*)\\])?(?:: (.*))?\\](?: \\{(.*)\\}| \\{)?$`);
/** An error class name somewhere in a line, as in `failed: TypeError: x` (console.error('failed:', err)). */
const EMBEDDED_HEADER = /(?:^|[\s:([])([A-Z][\w$]*(?:Error|Exception)|Error)(?: \[([^\]]*)\])?: (.*)$/;
const ERROR_LIKE = /^(?:[A-Z][\w$]*(?:Error|Exception)|Error|UnhandledPromiseRejection)$/;
const ERROR_CODE = /^[A-Z][A-Z0-9_]+$/;
/** Stacks that are not errors: console.trace(), process warnings printed with --trace-warnings. */
const NOT_ERRORS = /^(?:Trace(?::|$)|\(node:\d+\) |[A-Za-z_$][\w$]*Warning(?: \[[^\]]*\])?:)/;

interface Header {
  errorType: string;
  message: string;
  code?: string;
  /** `[Error: x] {`: a property block follows on the next lines. */
  opensBlock: boolean;
}

function stripWrappers(t: string): string {
  for (const w of WRAPPERS) {
    const m = w.exec(t);
    if (m) return t.slice(m[0].length);
  }
  return t;
}

function header(errorType: string, message: string, code: string | undefined, opensBlock = false): Header {
  const h: Header = { errorType, message: message.trim().slice(0, MAX_MESSAGE_CHARS), opensBlock };
  if (code && ERROR_CODE.test(code)) h.code = code;
  return h;
}

/** A line that starts an error by itself: an error class name first (after known wrappers). */
function strongHeader(text: string): Header | undefined {
  const t = stripWrappers(text);
  const b = BRACKET_HEADER.exec(t);
  if (b && ERROR_LIKE.test(b[1] ?? '')) {
    const h = header(b[1] ?? 'Error', b[3] ?? '', b[2], b[4] === undefined && t.endsWith(' {'));
    const inline = b[4] !== undefined ? /(?:^|[\s,])code: '([^']+)'/.exec(b[4]) : null;
    if (inline && !h.code && ERROR_CODE.test(inline[1] ?? '')) h.code = inline[1];
    return h;
  }
  const m = HEADER.exec(t);
  if (m && ERROR_LIKE.test(m[1] ?? '') && (m[3] !== undefined || t === m[1])) return header(m[1] ?? 'Error', m[3] ?? '', m[2]);
  return undefined;
}

/** A line that starts an error only when stack frames follow it at once. */
function weakHeader(text: string): Header | undefined {
  const t = stripWrappers(text).trim();
  if (!t || THROWN_AT.test(t) || EMITTED_AT.test(t) || FOOTER.test(t) || NOT_ERRORS.test(t)) return undefined;
  const e = EMBEDDED_HEADER.exec(t);
  if (e) return header(e[1] ?? 'Error', e[3] ?? '', e[2]);
  const m = HEADER.exec(t);
  if (m && /^[A-Z]/.test(m[1] ?? '') && m[3] !== undefined) return header(m[1] ?? 'Error', m[3], m[2]);
  if (m && m[3] === undefined && /^[A-Z]/.test(m[1] ?? '')) return header(m[1] ?? 'Error', '', m[2]);
  // A stack that does not start with `Name: message` (a custom `stack`).
  return header('Error', t, undefined);
}

// ---------------------------------------------------------------------------------------------
// Locations.

/** The location in a frame: `fn (/a.js:1:2)`, `async fn (file:///a.mjs:1:2)`, `/a.js:1:2`, `eval at ...`. */
function frameLocation(frame: string): StackLocation | undefined {
  let s = frame.trim();
  if (s.endsWith(' {')) s = s.slice(0, -2).trimEnd();
  if (s.startsWith('async ')) s = s.slice(6);
  if (s.endsWith(')')) {
    const open = s.indexOf(' (');
    if (open >= 0) s = s.slice(open + 2, -1);
    else if (s.startsWith('(')) s = s.slice(1, -1);
  }
  if (s.startsWith('eval at ')) {
    // `eval at fn (/a.js:3:1), <anonymous>:1:1`: the eval call's own location.
    const m = /\(([^()]+:\d+:\d+)\)/.exec(s);
    if (!m?.[1]) return undefined;
    s = m[1];
  }
  return location(s);
}

function location(s: string): StackLocation | undefined {
  const t = s.trim();
  const parts = /^(.+):(\d+):(\d+)$/.exec(t) ?? /^(.+):(\d+)$/.exec(t);
  if (!parts?.[1]) return undefined;
  const file = toPath(parts[1]);
  if (!file) return undefined;
  const loc: StackLocation = { file };
  const line = Number(parts[2]);
  if (Number.isSafeInteger(line) && line > 0) loc.line = line;
  if (parts[3] !== undefined) {
    const column = Number(parts[3]);
    if (Number.isSafeInteger(column) && column > 0) loc.column = column;
  }
  return loc;
}

function toPath(p: string): string | undefined {
  // A Windows file URL (`file:///C:/app/a.js`) stays a Windows path on any box.
  if (/^file:\/\/\/[A-Za-z]:\//.test(p)) {
    try {
      return decodeURIComponent(p.slice(8));
    } catch {
      return undefined;
    }
  }
  if (p.startsWith('file://')) {
    try {
      return fileURLToPath(p);
    } catch {
      return undefined;
    }
  }
  return p;
}

/** A location that can be the culprit: an absolute path, not node's own code, not a dependency. */
export function isCandidateLocation(file: string): boolean {
  const absolute = file.startsWith('/') || /^[A-Za-z]:[\\/]/.test(file) || file.startsWith('\\\\');
  if (!absolute) return false;
  return !/[\\/]node_modules[\\/]/.test(file);
}

// ---------------------------------------------------------------------------------------------
// The parser.

interface Banner {
  start: number;
  location?: StackLocation;
}

/** An error printed inside another's property block (`[cause]: ...`, `[errors]: [...]`) or after `Caused by:`. */
export interface NestedError {
  errorType: string;
  message: string;
  frames: StackLocation[];
}
const MAX_NESTED_ERRORS = 20;
/** pino, VError and others print a cause after the stack: `caused by: Error: x` (or `Caused by:`). */
const CAUSED_BY = /^\s*[Cc]aused [Bb]y:\s+(.*)$/;

class Parser {
  private readonly entries: ParsedEntry[] = [];
  private openFromLine: number | undefined;

  constructor(
    private readonly lines: Line[],
    private readonly log: string,
  ) {}

  run(): ParsedLog {
    const n = this.lines.length;
    let i = 0;
    while (i < n) {
      const line = this.lines[i];
      if (!line || line.bad || !line.text.trim()) {
        i++;
        continue;
      }
      let next: number | undefined;
      try {
        next = this.bannerAt(i) ?? this.pm2RejectionAt(i) ?? this.headerAt(i);
      } catch {
        next = undefined;
      }
      i = next !== undefined && next > i ? next : i + 1;
    }
    const r: ParsedLog = { entries: this.entries };
    if (this.openFromLine !== undefined) r.openFromLine = this.lines[this.openFromLine]?.raw ?? this.openFromLine;
    return r;
  }

  private text(i: number): string | undefined {
    const l = this.lines[i];
    return l && !l.bad ? l.text : undefined;
  }

  private isFrame(i: number): boolean {
    const t = this.text(i);
    return t !== undefined && (isFrameText(t) || ELIDED_FRAMES.test(t) || this.frameAt(i) !== undefined);
  }

  /**
   * The frame at line `i`, joined with the lines a console wrapped it onto (they continue at
   * column 0); `extra` is how many lines it took beyond `i`. An unindented `at ...` that only
   * looks like a frame once joined counts too.
   */
  private frameAt(i: number): { body: string; extra: number } | undefined {
    const t = this.text(i);
    if (t === undefined) return undefined;
    const f = frameText(t);
    const m = FRAME_LINE.exec(t);
    if (f === undefined && !m) return undefined;
    if (f !== undefined && completeFrame(f)) return { body: f, extra: 0 };
    let acc = t;
    for (let w = 1; w <= MAX_WRAP_LINES; w++) {
      const more = this.text(i + w);
      if (more === undefined || !more.trim() || /^\s/.test(more) || isFrameText(more) || ELIDED_FRAMES.test(more)) break;
      acc += more;
      const joined = frameText(acc);
      if (joined !== undefined && completeFrame(joined)) return { body: joined, extra: w };
      if (more.length < MIN_WRAPPED_CHARS) break;
    }
    return f !== undefined ? { body: f, extra: 0 } : undefined;
  }

  private isBannerAt(i: number): boolean {
    const t = this.text(i);
    const caret = this.text(i + 2);
    return t !== undefined && caret !== undefined && this.text(i + 1) !== undefined && BANNER.test(t) && CARET.test(caret);
  }

  /** Node's crash banner: `file:line`, the source line, the caret, then the error or thrown value. */
  private bannerAt(i: number): number | undefined {
    const n = this.lines.length;
    const t = this.text(i);
    if (t === undefined || !BANNER.test(t)) return undefined;
    if (!this.isBannerAt(i)) {
      // A banner cut off at the end of the input (its source or caret line not written yet).
      if (i >= n - 2 && LOOKS_LIKE_PATH.test(t) && !this.isFrame(i + 1)) this.markOpen(i);
      return undefined;
    }
    const m = BANNER.exec(t);
    const caretLine = this.text(i + 2) ?? '';
    const banner: Banner = { start: i };
    const loc = m?.[1] ? location(`${m[1]}:${m[2]}`) : undefined;
    if (loc) {
      const caret = caretLine.indexOf('^');
      if (caret >= 0) loc.column = caret + 1;
      banner.location = loc;
    }
    let j = i + 3;
    if (j >= n) {
      this.markOpen(i);
      return n;
    }
    if (this.text(j)?.trim() === '') j++;
    if (j >= n) {
      this.markOpen(i);
      return n;
    }
    const jt = this.text(j);
    if (jt === undefined) return j;
    const strong = strongHeader(jt);
    if (strong) return this.errorAt(j, strong, true, banner);
    if (this.isFrame(j + 1)) {
      const weak = weakHeader(jt);
      if (weak) return this.errorAt(j, weak, false, banner);
    }
    return this.thrownValueAt(j, banner);
  }

  /** `throw 'text'` / `throw {...}` / `throw null`: the value is printed after the caret. */
  private thrownValueAt(j: number, banner: Banner): number {
    const n = this.lines.length;
    const value: string[] = [];
    let k = j;
    for (; k < n && value.length < MAX_VALUE_LINES; k++) {
      const t = this.text(k);
      if (t === undefined || !t.trim() || TRACE_UNCAUGHT_HINT.test(t) || THROWN_AT.test(t) || FOOTER.test(t)) break;
      if (this.isBannerAt(k) || PM2_REJECTION.test(t)) break;
      value.push(t);
    }
    if (value.length === 0) return j;
    let end = k - 1;
    let frames: StackLocation[] = [];
    const kt = this.text(k);
    if (kt !== undefined && TRACE_UNCAUGHT_HINT.test(kt)) end = k;
    else if (kt !== undefined && THROWN_AT.test(kt) && this.isFrame(k + 1)) {
      const f = this.framesFrom(k + 1);
      frames = f.locations;
      end = f.end;
    }
    const message = value.join('\n').trim().slice(0, MAX_MESSAGE_CHARS);
    this.push({ errorType: 'throw', message, opensBlock: false }, banner.start, end, frames, banner, k >= n || end >= n - 1);
    return end + 1;
  }

  /** PM2 cluster mode: `You have triggered an unhandledRejection...:` then the reason. */
  private pm2RejectionAt(i: number): number | undefined {
    const t = this.text(i);
    if (t === undefined || !PM2_REJECTION.test(t)) return undefined;
    const j = i + 1;
    const jt = this.text(j);
    if (jt === undefined || !jt.trim()) {
      if (j >= this.lines.length) this.markOpen(i);
      return j;
    }
    const strong = strongHeader(jt);
    if (strong) return this.errorAt(j, strong, true, { start: i });
    if (this.isFrame(j + 1)) {
      const weak = weakHeader(jt);
      if (weak) return this.errorAt(j, weak, false, { start: i });
    }
    // The reason is not an Error: PM2 printed String(reason).
    this.push(header('UnhandledPromiseRejection', jt, undefined), i, j, [], undefined, false);
    return j + 1;
  }

  private headerAt(i: number): number | undefined {
    const t = this.text(i);
    if (t === undefined || isFrameText(t)) return undefined;
    const strong = strongHeader(t);
    if (strong) return this.errorAt(i, strong, true);
    if (this.isFrame(i + 1) && !ELIDED_FRAMES.test(this.text(i + 1) ?? '')) {
      const weak = weakHeader(t);
      if (weak) return this.errorAt(i, weak, false);
    }
    return undefined;
  }

  /** The error whose header is line `h`: message lines, frames, property block, secondary frames. */
  private errorAt(h: number, head: Header, allowGap: boolean, banner?: Banner): number {
    const n = this.lines.length;
    const start = banner?.start ?? h;
    let end = h;
    // Whether the input ends where this error may still be being written.
    let open = h >= n - 1;
    let frames: StackLocation[] = [];
    const messageLines: string[] = [];
    let code = head.code;
    const nested: NestedError[] = [];
    if (head.opensBlock) {
      const b = this.propertyBlock(h + 1);
      end = b.end;
      open = b.open;
      code ??= b.code;
      nested.push(...b.nested);
    } else {
      let first = -1;
      if (this.isFrame(h + 1)) first = h + 1;
      else if (allowGap) {
        let k = h + 1;
        for (; k < n && k <= h + MAX_MESSAGE_LINES; k++) {
          const t = this.text(k);
          if (t === undefined) break;
          if (isFrameText(t) || this.frameAt(k)) {
            first = k;
            break;
          }
          // Another error's start ends the search: this one has no stack.
          if (FOOTER.test(t) || PM2_REJECTION.test(t) || strongHeader(t) || EMBEDDED_HEADER.test(t) || this.isBannerAt(k)) break;
        }
        if (first < 0 && k >= n) open = true; // its stack may not be written yet
      }
      if (first >= 0) {
        for (let k = h + 1; k < first; k++) messageLines.push(this.text(k) ?? '');
        const f = this.framesFrom(first);
        frames = f.locations;
        end = f.end;
        open = end >= n - 1;
        if (f.opensBlock) {
          const b = this.propertyBlock(end + 1);
          end = b.end;
          open = b.open;
          code ??= b.code;
          nested.push(...b.nested);
        }
        // `caused by: Error: x` and its frames, as many times as the chain is long.
        for (let c = 0; c < MAX_NESTED_ERRORS; c++) {
          const ct = this.text(end + 1);
          const cm = ct === undefined ? null : CAUSED_BY.exec(ct);
          const ch = cm?.[1] ? strongHeader(cm[1]) : undefined;
          if (!ch || !this.isFrame(end + 2)) break;
          const fc = this.framesFrom(end + 2);
          nested.push({ errorType: ch.errorType, message: ch.message, frames: fc.locations });
          end = fc.end;
          open = end >= n - 1;
        }
        // `Emitted 'error' event on Worker instance at:` and its frames belong to this error.
        const et = this.text(end + 1);
        if (et !== undefined && EMITTED_AT.test(et) && this.isFrame(end + 2)) {
          const f2 = this.framesFrom(end + 2);
          frames = frames.concat(f2.locations);
          end = f2.end;
          open = end >= n - 1;
        }
      }
    }
    const h2: Header = { ...head };
    if (code) h2.code = code;
    // A message a console wrapped: `(reading 'pay` then `load')` on the next line.
    const cont = messageLines[0];
    if (cont && /^\S/.test(cont) && unbalanced(head.message) && !unbalanced(head.message + cont)) h2.message = (head.message + cont).slice(0, MAX_MESSAGE_CHARS);
    this.push(h2, start, end, frames, banner, open, messageLines, nested);
    return end + 1;
  }

  /** Consecutive frame lines from `k`. */
  private framesFrom(k: number): { end: number; locations: StackLocation[]; opensBlock: boolean } {
    const n = this.lines.length;
    const locations: StackLocation[] = [];
    let end = k - 1;
    let opensBlock = false;
    for (let j = k; j < n; j++) {
      const t = this.text(j);
      if (t === undefined) break;
      const f = this.frameAt(j);
      if (f !== undefined) {
        j += f.extra;
        const loc = frameLocation(f.body);
        if (loc) locations.push(loc);
      } else if (!ELIDED_FRAMES.test(t)) break;
      end = j;
      if ((this.text(j) ?? '').endsWith(' {')) {
        opensBlock = true;
        break;
      }
    }
    return { end, locations, opensBlock };
  }

  /**
   * The `{ ... }` printed after an error's stack (own properties, `[cause]`, `[errors]`): skipped
   * as a whole, its code kept, and the errors nested in it (a cause, an AggregateError's errors)
   * read with their frames.
   */
  private propertyBlock(k: number): { end: number; open: boolean; code?: string; nested: NestedError[] } {
    const n = this.lines.length;
    let code: string | undefined;
    const nested: NestedError[] = [];
    let current: NestedError | undefined;
    const done = (end: number, open: boolean) => (code ? { end, open, code, nested } : { end, open, nested });
    for (let j = k; j < n && j < k + MAX_PROPERTY_BLOCK_LINES; j++) {
      const t = this.text(j);
      if (t === undefined) return done(j - 1, false);
      if (t.trimEnd() === '}') return done(j, false);
      // A line at column 0 that is not the closing brace: the block was cut; it ends here.
      if (t.length > 0 && !/^\s/.test(t)) return done(j - 1, false);
      const c = /^ {2}code: '([^']+)',?$/.exec(t);
      if (c && !code && ERROR_CODE.test(c[1] ?? '')) code = c[1];
      const inner = t.trim().replace(/^\[cause\]: /, '').replace(/,$/, '');
      const f = /^at\s/.test(inner) ? frameLocation(inner.slice(3)) : undefined;
      if (f) {
        current?.frames.push(f);
        continue;
      }
      const h = strongHeader(inner.replace(/ \{$/, ''));
      if (h && nested.length < MAX_NESTED_ERRORS) {
        current = { errorType: h.errorType, message: h.message, frames: [] };
        nested.push(current);
      }
    }
    const end = Math.min(n, k + MAX_PROPERTY_BLOCK_LINES) - 1;
    return done(end, end >= n - 1);
  }

  private markOpen(line: number): void {
    if (this.openFromLine === undefined || line < this.openFromLine) this.openFromLine = line;
  }

  private push(
    head: Header,
    start: number,
    end: number,
    frameLocations: StackLocation[],
    banner: Banner | undefined,
    open: boolean,
    messageLines: string[] = [],
    nested: NestedError[] = [],
  ): void {
    const lines = this.lines.slice(start, end + 1);
    let text = lines
      .filter((l) => !l.bad)
      .map((l) => l.text)
      .join('\n');
    if (text.length > MAX_ERROR_TEXT_CHARS) text = `${text.slice(0, MAX_ERROR_TEXT_CHARS)}\n…`;
    const candidates = culprits(head, frameLocations, banner?.location, messageLines, nested);
    const error: LogError = { errorType: head.errorType, message: head.message, text, log: this.log };
    if (head.code) error.code = head.code;
    if (nested.length) error.nested = nested.map((x) => ({ ...x, frames: x.frames.filter((f) => isCandidateLocation(f.file)) }));
    const first = candidates[0];
    if (first) {
      error.file = first.file;
      if (first.line !== undefined) error.line = first.line;
      if (first.column !== undefined) error.column = first.column;
      error.frames = candidates;
    }
    // A stack written over many lines belongs to the time of its first line. One whose first
    // line has no stamp (PM2 cluster mode stamps only a write's first line) gets none: a stamp
    // further down is a later write's.
    const top = lines[0];
    if (top?.time) {
      error.time = top.time;
      if (top.precisionMs !== undefined && top.precisionMs !== 1) error.timePrecisionMs = top.precisionMs;
    }
    this.entries.push({ error, startLine: this.lines[start]?.raw ?? start, endLine: this.lines[end]?.raw ?? end });
    if (open) this.markOpen(start);
  }
}

/**
 * Culprit candidates, best first. A load-time SyntaxError's culprit is the file in its banner
 * (its stack shows who required the file, not where the error is). Otherwise the stack frames
 * outside node_modules and node:internal, then the banner (where the throw statement is), then a
 * path named by the message (`imported from /a.mjs`, a CommonJS `Require stack:`).
 */
function culprits(
  head: Header,
  frames: StackLocation[],
  banner: StackLocation | undefined,
  messageLines: string[],
  nested: NestedError[] = [],
): StackLocation[] {
  const bannerOk = banner && isCandidateLocation(banner.file) ? banner : undefined;
  if (head.errorType === 'SyntaxError' && bannerOk) return [bannerOk];
  const out = frames.filter((f) => isCandidateLocation(f.file));
  if (bannerOk) out.push(bannerOk);
  const imported = /\bimported from (\S.*?)\s*$/.exec(head.message);
  if (imported?.[1]) {
    const file = toPath(imported[1]);
    if (file && isCandidateLocation(file)) out.push({ file });
  }
  const req = messageLines.indexOf('Require stack:');
  if (req >= 0) {
    for (const l of messageLines.slice(req + 1)) {
      const m = /^- (.+)$/.exec(l);
      if (!m?.[1]) break;
      if (isCandidateLocation(m[1])) {
        out.push({ file: m[1] });
        break;
      }
    }
  }
  // Then the frames of the errors it holds (its cause, an AggregateError's errors), in order.
  for (const x of nested) out.push(...x.frames.filter((f) => isCandidateLocation(f.file)));
  const seen = new Set<string>();
  return out.filter((l) => {
    const k = `${l.file}:${l.line ?? ''}:${l.column ?? ''}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
