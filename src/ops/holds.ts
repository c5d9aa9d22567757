import path from 'node:path';
import type { Config } from '../config/load.js';
import { ago, loadHolds, saveHolds, type Holds } from '../state/holds.js';
import { escalatedBugs } from '../state/escalation.js';
import { readLog, type EscalationEntry, type FixEntry } from '../state/log.js';
import { loadState } from '../state/state.js';
import { isoTime, systemClock, type Clock } from '../util/clock.js';
import { UsageError } from '../util/errors.js';
import { isInsideAny, realPathOf } from '../workspace/paths.js';

export interface HoldOptions {
  config: Config;
  /** A file (relative to `cwd`) or, for retry, a fix id from the log (a unique prefix will do). */
  target: string;
  clock?: Clock;
  cwd?: string;
}

export interface RetryReport {
  file: string;
  /** What held the file and is lifted now: `cooldown`, `backoff`, `snooze`, `escalation`. */
  lifted: string[];
}

/**
 * Let the next cycle attempt a file at once: its cooldown or backoff no longer counts, a snooze
 * is lifted, and its bugs' failed attempts (escalations included) are counted afresh (the next
 * cycle drops them: the state file belongs to a running daemon). An unknown file or fix id is an
 * error, and nothing changes.
 */
export function retry(opts: HoldOptions): RetryReport {
  const { config } = opts;
  const now = (opts.clock ?? systemClock).now();
  const state = loadState(config.stateDir);
  const holds = loadHolds(config.stateDir);
  const file = fileOfFix(config, opts.target) ?? fileOf(opts);
  const record = state.files[file];
  const snooze = holds.snoozes[file];
  if (!record && !snooze)
    throw new UsageError(`no attempt or snooze is recorded for ${file}: give a file the mechanic attempted or snoozed, or a fix id from \`mechanic log\``);
  const lifted: string[] = [];
  const retried = holds.retries[file];
  if (record && !(retried && Date.parse(retried) >= Date.parse(record.lastAttempt)))
    lifted.push(record.cut ? 'backoff' : 'cooldown');
  if (snooze && Date.parse(snooze.until) > now) lifted.push('snooze');
  if (escalatedBugs(state).some((b) => b.file === file && !(retried && Date.parse(retried) >= Date.parse(b.last)))) lifted.push('escalation');
  if (holds.reverted[file]) lifted.push('revert hold');
  delete holds.snoozes[file];
  delete holds.reverted[file];
  holds.retries[file] = isoTime(now);
  saveHolds(config.stateDir, prune(holds, now));
  return { file, lifted };
}

export interface SnoozeReport {
  file: string;
  until: string;
}

/** Hold every bug in a file back until `now + duration`; `mechanic retry` lifts it. */
export function snooze(opts: HoldOptions & { duration: string }): SnoozeReport {
  const { config } = opts;
  const ms = parseDuration(opts.duration);
  const now = (opts.clock ?? systemClock).now();
  const file = fileOf(opts);
  const holds = loadHolds(config.stateDir);
  const until = isoTime(now + ms);
  holds.snoozes[file] = { until, at: isoTime(now) };
  saveHolds(config.stateDir, prune(holds, now));
  return { file, until };
}

/** The snoozes still in force, soonest to end first. */
export function activeSnoozes(config: Pick<Config, 'stateDir'>, now: number): { file: string; until: string; left: string }[] {
  const holds = loadHolds(config.stateDir);
  return Object.entries(holds.snoozes)
    .filter(([, s]) => Date.parse(s.until) > now)
    .map(([file, s]) => ({ file, until: s.until, left: ago(Date.parse(s.until) - now) }))
    .sort((a, b) => a.until.localeCompare(b.until));
}

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30m`, `2h`, `1d`, `90s`, `1.5h`: a positive number and a unit. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([smhd])$/.exec(text.trim());
  const ms = m ? Number(m[1]) * UNITS[m[2]!]! : NaN;
  if (!(ms >= 1_000)) throw new UsageError(`duration: expected a number and a unit s, m, h or d (30m, 2h, 1d), got "${text}"`);
  return Math.round(ms);
}

/** The file of the fix `target` names (its id, or a unique prefix of it), if any does. */
function fileOfFix(config: Pick<Config, 'stateDir'>, target: string): string | undefined {
  if (!/^[0-9a-f-]{6,}$/i.test(target)) return undefined;
  // An escalation's id names its file too.
  const fixes = readLog(config.stateDir).filter((e): e is FixEntry | EscalationEntry => (e.type === 'fix' || e.type === 'escalation') && e.id.startsWith(target));
  const files = [...new Set(fixes.map((f) => f.file))];
  if (files.length > 1) throw new UsageError(`"${target}" matches fixes of ${files.length} files; give more of the id`);
  return files[0];
}

/** An existing file under the roots, as the real path the mechanic records it by. */
function fileOf(opts: HoldOptions): string {
  const given = path.resolve(opts.cwd ?? process.cwd(), opts.target);
  const real = realPathOf(given);
  if (!real) throw new UsageError(`${given}: no such file (and no fix id in the log matches "${opts.target}")`);
  if (!isInsideAny(real, opts.config.roots)) throw new UsageError(`${real} is outside the configured roots (${opts.config.roots.join(', ')})`);
  return real;
}

/** Drop snoozes that have ended. (A retry mark stays: it is what lets the file's last attempt no longer count.) */
function prune(holds: Holds, now: number): Holds {
  for (const [file, s] of Object.entries(holds.snoozes)) if (Date.parse(s.until) <= now) delete holds.snoozes[file];
  return holds;
}
