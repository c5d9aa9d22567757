import fs from 'node:fs';
import path from 'node:path';
import { sha256, writeJsonAtomic } from '../workspace/atomic.js';
import type { FixEntry } from './log.js';
import type { FileRecord, State } from './state.js';

/**
 * An attempt that reached no verdict (cut by shutdown, or the model server out) holds its file
 * for a short backoff instead of the cooldown: 2 minutes, doubling while attempts keep being cut,
 * at most 30 minutes. The first attempt that reaches a verdict starts the cooldown.
 */
export const BACKOFF_BASE_MS = 2 * 60_000;
export const BACKOFF_MAX_MS = 30 * 60_000;

/**
 * What people ask for by hand (`mechanic retry`, `mechanic snooze`). Kept apart from the state
 * file, which a running daemon owns: the cycle only reads this file, so a retry or a snooze works
 * while a daemon holds the state lock.
 */
export interface Holds {
  /** Per file (absolute path): held back on purpose until `until` (ISO), set at `at`. */
  snoozes: Record<string, { until: string; at: string }>;
  /** Per file: attempts made before this time (ISO) no longer hold the file. */
  retries: Record<string, string>;
  /**
   * Per file: a person reverted a fix (`mechanic revert`, the dashboard), leaving the file with
   * these bytes (sha256). It is left alone while it holds them, unless a retry comes after `at`.
   */
  reverted: Record<string, { fixId: string; at: string; hash: string }>;
}

export function holdsPath(stateDir: string): string {
  return path.join(stateDir, 'holds.json');
}

/** A missing or unreadable file holds nothing (it only ever lifts or adds holds people asked for). */
export function loadHolds(stateDir: string): Holds {
  try {
    const data = JSON.parse(fs.readFileSync(holdsPath(stateDir), 'utf8')) as Partial<Holds>;
    return { snoozes: { ...data.snoozes }, retries: { ...data.retries }, reverted: { ...data.reverted } };
  } catch {
    return { snoozes: {}, retries: {}, reverted: {} };
  }
}

export function saveHolds(stateDir: string, holds: Holds): void {
  writeJsonAtomic(holdsPath(stateDir), holds);
}

/** Record an attempt on a file: a verdict starts the cooldown, a cut attempt a (doubling) backoff. */
export function recordAttempt(state: State, entry: FixEntry): void {
  const prev = state.files[entry.file];
  const record: FileRecord = { lastAttempt: entry.time, lastOutcome: entry.outcome, lastFixId: entry.id };
  if (entry.cut) {
    record.cut = entry.cut;
    record.backoffMs = prev?.cut ? Math.min(BACKOFF_MAX_MS, (prev.backoffMs ?? BACKOFF_BASE_MS) * 2) : BACKOFF_BASE_MS;
  }
  state.files[entry.file] = record;
}

/**
 * Why a file is held back now, if it is: a snooze; then (unless `snoozeOnly`, for a restart,
 * which is not an edit) the cooldown or backoff of its last attempt, unless a retry came since.
 */
export function heldBack(file: string, state: State, holds: Holds, cooldownMs: number, now: number, snoozeOnly = false): string | undefined {
  const snooze = holds.snoozes[file];
  if (snooze && Date.parse(snooze.until) > now) return `snoozed until ${snooze.until} (mechanic retry lifts it)`;
  if (snoozeOnly) return undefined;
  const retried = holds.retries[file];
  const reverted = holds.reverted[file];
  if (reverted && !(retried && Date.parse(retried) >= Date.parse(reverted.at)) && hashOf(file) === reverted.hash)
    return `a person reverted fix ${reverted.fixId} at ${reverted.at}: left alone until the file changes or \`mechanic retry\` lifts it`;
  const record = state.files[file];
  if (!record) return undefined;
  const last = Date.parse(record.lastAttempt);
  if (retried && Date.parse(retried) >= last) return undefined;
  const left = last + (record.cut ? (record.backoffMs ?? BACKOFF_BASE_MS) : cooldownMs) - now;
  if (!(left > 0)) return undefined;
  if (record.cut)
    return `backoff: the last attempt ${ago(now - last)} ago was cut short (${record.cut === 'shutdown' ? 'shutdown' : 'the model server was out'}) before a verdict; next in ${ago(left)}`;
  return `cooldown: last attempt on this file ${ago(now - last)} ago; next in ${ago(left)}`;
}

/** sha256 of the file's bytes, or undefined when it cannot be read. */
function hashOf(file: string): string | undefined {
  try {
    return sha256(fs.readFileSync(file));
  } catch {
    return undefined;
  }
}

export function ago(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s}s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m}m`;
  return `${(m / 60).toFixed(1)}h`;
}
