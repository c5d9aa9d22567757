import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/load.js';
import type { Health } from '../probes/types.js';
import { readLog, type LogEntry } from '../state/log.js';
import { loadState, type State } from '../state/state.js';
import { uptimeOver, type Uptime } from '../state/uptime.js';
import { UsageError } from '../util/errors.js';
import { parseDuration } from './holds.js';

/** One probe's recent results and uptime: what `status --history` prints and the dashboard draws. */
export interface ProbeHistory {
  name: string;
  kind: string;
  /** The latest result's status. */
  status: Health;
  reason: string;
  /** The last results (state's probeHistory), oldest first. */
  last: { at: string; status: Health; durationMs: number; reason: string }[];
  uptime24h: Uptime;
  uptime7d: Uptime;
}

/**
 * Per probe, the last results and the uptime over 24 h and 7 d, from the state alone. Probes no
 * longer configured but still in the state are listed too (their history is real).
 */
export function probeHistories(state: Pick<State, 'probeHistory' | 'probeUptime' | 'lastProbes'>, now: number): ProbeHistory[] {
  const names = [...new Set([...state.lastProbes.map((p) => p.name), ...Object.keys(state.probeHistory)])];
  const out: ProbeHistory[] = [];
  for (const name of names) {
    const history = state.probeHistory[name] ?? [];
    const latest = history[history.length - 1] ?? state.lastProbes.find((p) => p.name === name);
    if (!latest) continue;
    const buckets = state.probeUptime?.[name] ?? [];
    out.push({
      name,
      kind: latest.kind,
      status: latest.status,
      reason: latest.reason,
      last: history.map((r) => ({ at: r.at, status: r.status, durationMs: r.durationMs, reason: r.reason })),
      uptime24h: uptimeOver(buckets, 24, now),
      uptime7d: uptimeOver(buckets, 7 * 24, now),
    });
  }
  return out;
}

/** `status --history` from the state folder. */
export function historyReport(config: Pick<Config, 'stateDir'>, now = Date.now()): ProbeHistory[] {
  return probeHistories(loadState(config.stateDir), now);
}

export const LOG_KINDS = ['fix', 'revert', 'probe', 'remedy', 'escalation', 'recovery'] as const;
export type LogKind = (typeof LOG_KINDS)[number];

export interface LogFilter {
  /** Entries at or after this time (ms since the epoch). */
  since?: number;
  kinds?: readonly LogKind[];
  /** Absolute paths: entries about this file, or about files under this folder. */
  files?: readonly string[];
}

/**
 * `--since`: a duration back from now (`30m`, `2h`, `7d`) or a time (`2026-01-31`,
 * `2026-01-31T08:00:00Z`, anything ISO 8601 that Date reads). Throws a UsageError naming the flag.
 */
export function parseSince(text: string, now: number): number {
  const t = text.trim();
  if (/^\d+(?:\.\d+)?[smhd]$/.test(t)) return now - parseDuration(t);
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(t)) {
    const ms = Date.parse(t);
    if (Number.isFinite(ms)) return ms;
  }
  throw new UsageError(`--since: expected a duration (30m, 2h, 7d) or a time (2026-01-31, 2026-01-31T08:00:00Z), got "${text}"`);
}

/** `--kind fix,revert` or repeated `--kind`: each must be one of LOG_KINDS. */
export function parseKinds(values: readonly string[]): LogKind[] {
  const kinds = values.flatMap((v) => v.split(',')).map((k) => k.trim());
  for (const k of kinds)
    if (!(LOG_KINDS as readonly string[]).includes(k)) throw new UsageError(`--kind: "${k}" is not a kind of log entry; expected one of ${LOG_KINDS.join(', ')}`);
  return [...new Set(kinds)] as LogKind[];
}

/** The file a log entry is about, if it is about one (probe changes and remedies are about probes). */
function fileOf(e: LogEntry): string | undefined {
  return 'file' in e && typeof e.file === 'string' ? e.file : undefined;
}

export function filterLog(entries: readonly LogEntry[], filter: LogFilter): LogEntry[] {
  return entries.filter((e) => {
    if (filter.kinds?.length && !filter.kinds.includes(e.type)) return false;
    if (filter.since !== undefined && !(Date.parse(e.time) >= filter.since)) return false;
    if (filter.files?.length) {
      const f = fileOf(e);
      if (!f || !filter.files.some((want) => f === want || f.startsWith(want.endsWith(path.sep) ? want : want + path.sep))) return false;
    }
    return true;
  });
}

function realOrSame(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}

/** The log filtered as `mechanic log --since/--kind/--file` asks; `file` is resolved against `cwd`. */
export function readLogFiltered(
  config: Pick<Config, 'stateDir' | 'roots'>,
  opts: { since?: string; kinds?: readonly string[]; file?: string; cwd?: string },
  now = Date.now(),
): LogEntry[] {
  const filter: LogFilter = {};
  if (opts.since !== undefined) filter.since = parseSince(opts.since, now);
  if (opts.kinds?.length) filter.kinds = parseKinds(opts.kinds);
  if (opts.file !== undefined) {
    if (opts.file.trim() === '') throw new UsageError('--file: expected a path, got an empty string');
    // A relative path may be meant from here or from a root; the log holds real paths.
    const bases = path.isAbsolute(opts.file) ? [''] : [opts.cwd ?? process.cwd(), ...config.roots];
    filter.files = [...new Set(bases.map((b) => realOrSame(path.resolve(b, opts.file!))))];
  }
  return filterLog(readLog(config.stateDir), filter);
}
