import fs from 'node:fs';
import { sha256 } from '../workspace/atomic.js';
import type { EscalationEntry, FixEntry } from './log.js';

/**
 * Escalation: a bug that keeps defeating the repair ladder stops costing model calls and is left
 * for a person, who is told once.
 *
 * A bug is known by its id (kind, file, error type and message: stable across cycles) and by the
 * bytes of its file. An attempt counts as failed when the ladder ran and no fix stood: outcome
 * `failed` or `reverted` (a revert after the process ran the fix included), with at least one
 * rung tried. Deterministic-only attempts count too: the deterministic rung gives the same answer
 * on the same bytes, so trying again changes nothing either, and the bug needs a person all the
 * same. Not counted: an attempt cut short (shutdown, a model outage: those get a backoff), a
 * `proposed` fix (it already waits for a person, and `status` lists it), a skip, a dry run, and a
 * stale process's restart (not a repair).
 *
 * At `escalateAfter` failed attempts on the same bytes the bug is escalated: one log entry, and
 * every later cycle skips it without running any rung. The count (escalated or not) is dropped
 * when the file's bytes change, when `mechanic retry` names the file after the last attempt, or
 * when a fix of the bug is applied: counting starts again from zero.
 */
export interface BugAttempts {
  file: string;
  bug: FixEntry['bug'];
  /** Failed attempts on `fileHash`'s bytes since counting (re)started. */
  attempts: number;
  /** sha256 of the file's bytes the attempts were made on. */
  fileHash: string;
  /** First and last counted attempt (ISO). */
  first: string;
  last: string;
  lastFixId: string;
  lastReason: string;
  /** Set once, when the count reached `escalateAfter`; the id of its log entry. */
  escalatedAt?: string;
  escalationId?: string;
}

export type AttemptCounts = Record<string, BugAttempts>;
/** The part of the state this reads and writes (`State.bugAttempts`). */
export interface Counted {
  bugAttempts: AttemptCounts;
}

/**
 * Drop the counts that no longer hold: the file's bytes changed (or it is gone), or a retry of
 * the file came after the last counted attempt. Returns the dropped escalations, for the report.
 */
export function settleCounts(state: Counted, retries: Readonly<Record<string, string>>): BugAttempts[] {
  const cleared: BugAttempts[] = [];
  const hashes = new Map<string, string | undefined>();
  for (const [id, rec] of Object.entries(state.bugAttempts)) {
    if (!hashes.has(rec.file)) hashes.set(rec.file, hashOf(rec.file));
    const retried = retries[rec.file];
    const stale = hashes.get(rec.file) !== rec.fileHash || (retried !== undefined && Date.parse(retried) >= Date.parse(rec.last));
    if (!stale) continue;
    delete state.bugAttempts[id];
    if (rec.escalatedAt) cleared.push(rec);
  }
  return cleared;
}

/** Why an escalated bug is skipped (no rung runs, so no model call), or undefined when it is not escalated. */
export function escalatedReason(bugId: string, state: Counted): string | undefined {
  const rec = state.bugAttempts[bugId];
  if (!rec?.escalatedAt) return undefined;
  return `escalated at ${rec.escalatedAt} after ${rec.attempts} failed attempts: left for a person, no more attempts (no model calls) until the file changes or \`mechanic retry ${rec.file}\``;
}

/**
 * Count one attempt's outcome. Returns the escalation entry to log when this attempt is the
 * one that reaches `escalateAfter` (exactly once: an escalated bug is not attempted again).
 */
export function countAttempt(state: Counted, entry: FixEntry, escalateAfter: number, newId: () => string): EscalationEntry | undefined {
  const key = entry.bug.id;
  if (entry.outcome === 'applied') {
    delete state.bugAttempts[key];
    return undefined;
  }
  if (!counts(entry)) return undefined;
  const prev = state.bugAttempts[key];
  // Escalated once on these bytes: never again (a cycle skips it; this guards any other caller).
  if (prev?.escalatedAt && prev.fileHash === entry.originalHash) return undefined;
  // Other bytes than the ones counted so far: a fresh start (settleCounts usually saw it first).
  const same = prev && prev.fileHash === entry.originalHash && !prev.escalatedAt;
  const rec: BugAttempts = {
    file: entry.file,
    bug: entry.bug,
    attempts: same ? prev.attempts + 1 : 1,
    fileHash: entry.originalHash!,
    first: same ? prev.first : entry.time,
    last: entry.time,
    lastFixId: entry.id,
    lastReason: entry.reason,
  };
  state.bugAttempts[key] = rec;
  if (rec.attempts < escalateAfter) return undefined;
  rec.escalatedAt = entry.time;
  rec.escalationId = newId();
  const { bug } = entry;
  const reason = `${entry.outcome}: ${entry.reason}`;
  // The attempt's own entry says so too (the cycle's report, the daemon's line, the log).
  entry.reason += `; escalated after ${rec.attempts} failed attempts (escalation ${rec.escalationId}): left for a person, no more attempts until the file changes or \`mechanic retry ${entry.file}\``;
  return {
    type: 'escalation',
    id: rec.escalationId,
    time: entry.time,
    file: entry.file,
    bug,
    attempts: rec.attempts,
    reason: `${bug.errorType}: ${bug.message}${bug.line ? ` (line ${bug.line})` : ''} defeated the repair ladder ${rec.attempts} times on the same file contents since ${rec.first} (escalateAfter ${escalateAfter}); last attempt ${reason}; no more attempts until the file changes or \`mechanic retry ${entry.file}\``,
  };
}

/** The escalated bugs, oldest escalation first. */
export function escalatedBugs(state: Counted): BugAttempts[] {
  return Object.values(state.bugAttempts)
    .filter((r) => r.escalatedAt)
    .sort((a, b) => a.escalatedAt!.localeCompare(b.escalatedAt!));
}

/** The ladder ran on known bytes and no fix stood; nothing cut it short. */
function counts(entry: FixEntry): boolean {
  return (entry.outcome === 'failed' || entry.outcome === 'reverted') && !entry.cut && !entry.dryRun && entry.steps.length > 0 && entry.originalHash !== undefined;
}

function hashOf(file: string): string | undefined {
  try {
    return sha256(fs.readFileSync(file));
  } catch {
    return undefined;
  }
}
