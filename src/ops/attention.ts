import fs from 'node:fs';
import { escalatedBugs } from '../state/escalation.js';
import type { FixEntry, LogEntry } from '../state/log.js';
import type { State } from '../state/state.js';
import { sha256 } from '../workspace/atomic.js';

/** What the mechanic has left for a person, as `mechanic status` lists it. */
export interface NeedsPerson {
  /** Bugs that defeated the ladder `escalateAfter` times: no more attempts until the file changes or a retry. */
  escalated: {
    file: string;
    bugId: string;
    error: string;
    line: number;
    attempts: number;
    /** When it was escalated (ISO); the counted attempts ran from `firstAttempt`. */
    since: string;
    firstAttempt: string;
    lastFixId: string;
    escalationId?: string;
    lastReason: string;
  }[];
  /** Fixes held back for a person to apply (`log --diff` shows them), while the file is as it was then. */
  proposed: { file: string; fixId: string; time: string; error: string; reason: string }[];
  /** Applied fixes that did part of the work, while the file still holds the fix. */
  leftForPerson: { file: string; fixId: string; time: string; error: string; what: string }[];
}

export function needsPerson(state: Pick<State, 'bugAttempts'>, log: readonly LogEntry[]): NeedsPerson {
  const hashes = new Map<string, string | undefined>();
  const hashNow = (file: string) => {
    if (!hashes.has(file)) hashes.set(file, hashOf(file));
    return hashes.get(file);
  };
  const escalated = escalatedBugs(state);
  const escalatedIds = new Set(escalated.map((b) => b.bug.id));
  // Only a bug's latest attempt speaks for it now.
  const latest = new Map<string, FixEntry>();
  for (const e of log) if (e.type === 'fix') latest.set(e.bug.id, e);
  const error = (e: Pick<FixEntry, 'bug'>) => `${e.bug.errorType}: ${e.bug.message}`;
  const proposed: NeedsPerson['proposed'] = [];
  const leftForPerson: NeedsPerson['leftForPerson'] = [];
  for (const e of latest.values()) {
    if (e.outcome === 'proposed' && !escalatedIds.has(e.bug.id) && e.originalHash !== undefined && hashNow(e.file) === e.originalHash)
      proposed.push({ file: e.file, fixId: e.id, time: e.time, error: error(e), reason: e.reason });
    if (e.outcome === 'applied' && e.leftForPerson !== undefined && !e.revertedAt && e.fixedHash !== undefined && hashNow(e.file) === e.fixedHash)
      leftForPerson.push({ file: e.file, fixId: e.id, time: e.time, error: error(e), what: e.leftForPerson });
  }
  return {
    escalated: escalated.map((b) => ({
      file: b.file,
      bugId: b.bug.id,
      error: error(b),
      line: b.bug.line,
      attempts: b.attempts,
      since: b.escalatedAt!,
      firstAttempt: b.first,
      lastFixId: b.lastFixId,
      ...(b.escalationId !== undefined ? { escalationId: b.escalationId } : {}),
      lastReason: b.lastReason,
    })),
    proposed,
    leftForPerson,
  };
}

function hashOf(file: string): string | undefined {
  try {
    return sha256(fs.readFileSync(file));
  } catch {
    return undefined;
  }
}
