/**
 * Error events → runtime bugs: repeats of one error are one bug, with a count and the first and
 * last time it was seen, ranked by frequency and recency below syntax bugs.
 */
import { createHash } from 'node:crypto';
import type { Bug, BugPlace, LogError } from '../types.js';
import { omit } from '../../util/omit.js';

/** A bug's `detail` (the error text shown to a person and to the model) is capped at this. */
export const MAX_DETAIL_CHARS = 4096;
/** The highest priority a runtime bug can get; syntax bugs are 100. */
export const MAX_RUNTIME_PRIORITY = 95;

export interface CulpritLocation {
  file: string;
  line?: number;
  column?: number;
}

/** Every occurrence of one error: same type, message (numbers aside) and culprit file:line. */
export interface GroupedError {
  /** errorType, normalized message, file and line. */
  key: string;
  errorType: string;
  /** The newest occurrence's message. */
  message: string;
  code?: string;
  /** The culprit: the first location of the error's stack inside the roots. */
  file: string;
  line?: number;
  column?: number;
  count: number;
  /** ISO; from the logs' timestamps, else from when the reader saw them; absent when unknown. */
  firstSeen?: string;
  lastSeen?: string;
  /** The unit lastSeen was logged in, when coarser than 1 ms. */
  seenPrecisionMs?: number;
  /** Every occurrence is history: in its log, untimed, before the mechanic first read it. */
  history?: boolean;
  /** The newest occurrence's text (banner, message, stack). */
  text: string;
  /** The logs it was read from. */
  logs: string[];
  /** See {@link runtimePriority}. */
  priority: number;
  /** The newest occurrence's places to fix, ranked (when a localiser was given). */
  places?: BugPlace[];
}

export interface GroupOptions {
  /** True for a file under the roots (and so one the mechanic may repair). */
  isProjectFile: (abs: string) => boolean;
  /** Current time in ms, for recency. */
  now: number;
  /** The project file a location names, if any (see projectPathResolver); replaces isProjectFile when given. */
  resolve?: (file: string) => string | undefined;
  /**
   * Ranks an error's project frames (trace order) as places to fix (see discover/localise.ts):
   * the first becomes the culprit. Without it the first project frame is.
   */
  localise?: (e: LogError, frames: CulpritLocation[]) => BugPlace[];
}

/**
 * The error's culprit inside the project: the first of its candidate locations (stack frames
 * outside node_modules and node:internal, best first) that is a project file. A frame in a file
 * outside the roots is treated like one in node_modules: the caller inside the roots is the
 * culprit. Undefined when no location is inside the roots: such errors never become bugs.
 */
export function locateInProject(e: LogError, isProjectFile: (abs: string) => boolean, resolve?: (file: string) => string | undefined): CulpritLocation | undefined {
  return projectFrames(e, isProjectFile, resolve)[0];
}

/**
 * Every candidate location of the error inside the project, in the order of the trace: with
 * `resolve`, each as the project file it names (a Windows path by its tail).
 */
export function projectFrames(e: LogError, isProjectFile: (abs: string) => boolean, resolve?: (file: string) => string | undefined): CulpritLocation[] {
  const candidates: CulpritLocation[] = e.frames?.length ? e.frames : e.file ? [{ file: e.file, line: e.line, column: e.column }] : [];
  const out: CulpritLocation[] = [];
  for (const c of candidates) {
    let file: string | undefined;
    try {
      file = resolve ? resolve(c.file) : isProjectFile(c.file) ? c.file : undefined;
    } catch {
      file = undefined;
    }
    if (file) out.push(file === c.file ? c : { ...c, file });
  }
  return out;
}

/**
 * Message as a grouping key: runs of digits (ids, ports, counts, dates) and UUIDs do not make
 * two errors different. `record 7 not found` and `record 8 not found` at one line are one bug.
 */
export function normalizeMessage(message: string): string {
  return message
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '#')
    .replace(/\b0x[0-9a-f]+\b/gi, '#')
    .replace(/\d+/g, '#')
    .trim();
}

function occurredAt(e: LogError): number | undefined {
  const t = e.time ?? e.observedAt;
  if (!t) return undefined;
  const ms = Date.parse(t);
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * Groups the errors located in project files, ranked (highest priority first). Errors with no
 * location inside the roots are dropped.
 */
export function groupErrors(errors: readonly LogError[], opts: GroupOptions): GroupedError[] {
  const groups = new Map<string, GroupedError & { newest: number }>();
  errors.forEach((e, order) => {
    const inProject = projectFrames(e, opts.isProjectFile, opts.resolve);
    if (!inProject[0]) return;
    let places: BugPlace[] | undefined;
    try {
      places = opts.localise?.(e, inProject);
    } catch {
      places = undefined; // evidence we cannot read is no evidence: the top frame stays
    }
    const best = places?.[0];
    const at: CulpritLocation = best ? { file: best.file, ...(best.line ? { line: best.line } : {}), ...(best.column ? { column: best.column } : {}) } : inProject[0];
    const key = [e.errorType, normalizeMessage(e.message), at.file, at.line ?? ''].join('\0');
    const when = occurredAt(e);
    let g = groups.get(key);
    if (!g) {
      g = { key, errorType: e.errorType, message: e.message, file: at.file, count: 0, text: e.text, logs: [], priority: 0, newest: -Infinity, history: true };
      groups.set(key, g);
    }
    g.count++;
    if (!e.history) g.history = false;
    if (!g.logs.includes(e.log)) g.logs.push(e.log);
    if (when !== undefined) {
      const iso = new Date(when).toISOString();
      if (!g.firstSeen || when < Date.parse(g.firstSeen)) g.firstSeen = iso;
      if (!g.lastSeen || when > Date.parse(g.lastSeen)) {
        g.lastSeen = iso;
        const unit = e.time ? (e.timePrecisionMs ?? 1) : 1;
        if (unit > 1) g.seenPrecisionMs = unit;
        else delete g.seenPrecisionMs;
      }
    }
    // The newest occurrence speaks for the group: by time when known, else by position in the logs.
    const rank = when ?? -1e15 + order;
    if (rank >= g.newest) {
      g.newest = rank;
      g.message = e.message;
      g.text = e.text;
      if (at.line !== undefined) g.line = at.line;
      else delete g.line;
      if (at.column !== undefined) g.column = at.column;
      else delete g.column;
      if (e.code) g.code = e.code;
      else delete g.code;
      if (places?.length) g.places = places;
      else delete g.places;
    }
  });
  const out = [...groups.values()].map((grp) => {
    const g = omit(grp, 'newest', 'history');
    return grp.history ? { ...g, history: grp.history } : g;
  });
  return rankRuntime(out, opts.now);
}

/**
 * The priority of a runtime bug, always below syntax bugs (100):
 *   50
 *   + frequency: 10 × log2(count + 1), at most 30 (1 → 10, 3 → 20, 7 or more → 30)
 *   + recency: 15 × 2^(−age / 6 h) from the last time it was seen (15 now, 7.5 six hours ago,
 *     ~0.1 after two days; 0 when unknown)
 * rounded to one decimal: between 60 and 95.
 */
export function runtimePriority(count: number, lastSeen: string | undefined, now: number): number {
  const frequency = Math.min(30, 10 * Math.log2(Math.max(1, count) + 1));
  let recency = 0;
  const last = lastSeen ? Date.parse(lastSeen) : NaN;
  if (Number.isFinite(last)) {
    const ageHours = Math.max(0, now - last) / 3_600_000;
    recency = 15 * 2 ** (-ageHours / 6);
  }
  return Math.min(MAX_RUNTIME_PRIORITY, Math.round((50 + frequency + recency) * 10) / 10);
}

/** Sets each group's priority and sorts: highest priority first, then the most recently seen. */
export function rankRuntime(groups: GroupedError[], now: number): GroupedError[] {
  for (const g of groups) g.priority = runtimePriority(g.count, g.lastSeen, now);
  return groups.sort(
    (a, b) =>
      b.priority - a.priority ||
      (b.lastSeen ?? '').localeCompare(a.lastSeen ?? '') ||
      b.count - a.count ||
      a.file.localeCompare(b.file) ||
      (a.line ?? 0) - (b.line ?? 0),
  );
}

/** Stable across cycles: sha1 of kind, file, error type and (normalized) message; as bugId in sources.ts. */
export function runtimeBugId(file: string, errorType: string, message: string): string {
  return createHash('sha1')
    .update(['runtime', file, errorType, normalizeMessage(message)].join('\0'))
    .digest('hex')
    .slice(0, 12);
}

/** Caps an error text at {@link MAX_DETAIL_CHARS}, at a line end when one is near. */
export function capDetail(text: string): string {
  if (text.length <= MAX_DETAIL_CHARS) return text;
  const cut = text.lastIndexOf('\n', MAX_DETAIL_CHARS - 2);
  return `${text.slice(0, cut > MAX_DETAIL_CHARS / 2 ? cut : MAX_DETAIL_CHARS - 2)}\n…`;
}

/**
 * Runtime bugs from ranked groups. Groups that differ only by line (the same error at two lines
 * of one file: the file was edited between occurrences) share a bug id, so they are one bug: the
 * newest group's location and text, the counts summed, the highest priority.
 */
export function toBugs(groups: readonly GroupedError[]): Bug[] {
  const byId = new Map<string, { bug: Bug; newest: string }>();
  for (const g of groups) {
    const id = runtimeBugId(g.file, g.errorType, g.message);
    const bug: Bug = {
      id,
      file: g.file,
      kind: 'runtime',
      line: g.line ?? 0,
      column: g.column ?? 0,
      message: g.message,
      errorType: g.errorType,
      priority: g.priority,
      source: 'error-log',
      detail: capDetail(g.text),
      count: g.count,
    };
    // The newest log that showed it: where a restart is checked, and whose PM2 process it is.
    const log = g.logs[g.logs.length - 1];
    if (log) bug.log = log;
    if (g.firstSeen) bug.firstSeen = g.firstSeen;
    if (g.lastSeen) bug.lastSeen = g.lastSeen;
    if (g.seenPrecisionMs) bug.seenPrecisionMs = g.seenPrecisionMs;
    if (g.history) bug.history = true;
    if (g.places?.length) bug.places = g.places;
    const seen = byId.get(id);
    if (!seen) {
      byId.set(id, { bug, newest: g.lastSeen ?? '' });
      continue;
    }
    const a = seen.bug;
    const newer = (g.lastSeen ?? '') > seen.newest;
    const merged: Bug = newer ? { ...bug } : { ...a };
    merged.count = (a.count ?? 1) + g.count;
    merged.priority = Math.max(a.priority, g.priority);
    const firsts = [a.firstSeen, g.firstSeen].filter((x): x is string => !!x).sort();
    const lasts = [a.lastSeen, g.lastSeen].filter((x): x is string => !!x).sort();
    if (firsts[0]) merged.firstSeen = firsts[0];
    if (lasts.length) merged.lastSeen = lasts[lasts.length - 1];
    // History only while no sighting of it is fresh.
    if (a.history && g.history) merged.history = true;
    else delete merged.history;
    byId.set(id, { bug: merged, newest: newer ? (g.lastSeen ?? '') : seen.newest });
  }
  return [...byId.values()].map((x) => x.bug).sort((a, b) => b.priority - a.priority || (b.lastSeen ?? '').localeCompare(a.lastSeen ?? ''));
}
