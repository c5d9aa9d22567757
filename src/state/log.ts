import fs from 'node:fs';
import path from 'node:path';
import type { Bug } from '../discover/types.js';
import type { Health } from '../probes/types.js';
import type { RemedyRun } from '../probes/remedy.js';
import { writeJsonAtomic } from '../workspace/atomic.js';
import { stamp } from '../workspace/backup.js';
import { defaultScrub, scrubDeep, type Scrub } from '../util/secrets.js';
import type { AttemptCut, FixOutcome } from './state.js';

/** One attempt of one rung of the ladder on a bug. */
export interface AttemptStep {
  strategy: string;
  /** `proposed`: a candidate held back below the rung's confidence gate (see FixEntry.outcome). */
  result: 'candidate' | 'no-candidate' | 'rejected' | 'applied' | 'reverted' | 'proposed';
  reason: string;
  elapsedMs: number;
}

export interface FixEntry {
  type: 'fix';
  id: string;
  time: string;
  file: string;
  bug: Pick<Bug, 'id' | 'kind' | 'errorType' | 'message' | 'line' | 'column' | 'source'>;
  /** The strategy whose candidate was applied or last rejected. */
  strategy: string;
  outcome: FixOutcome;
  reason: string;
  steps: AttemptStep[];
  /** The fix applied (or, for `proposed`, the proposal; in a dry run, what would be written). */
  diff?: string;
  /**
   * When the deterministic rung's repair was applied or proposed: its confidence in [0, 1], what
   * raised or lowered it, and the nearest other repair that also parses.
   */
  confidence?: number;
  evidence?: string[];
  rival?: string;
  /** The validation steps that ran and passed, in memory and on disk, in order. */
  validated?: string[];
  backup?: string;
  originalHash?: string;
  fixedHash?: string;
  /**
   * The other files a fix changed (a caller of the call chain): one fix with the bug's file,
   * reverted with it. The diff holds every file's. (When only these changed, `backup` is unset.)
   */
  others?: Array<{ file: string; backup: string; originalHash: string; fixedHash?: string }>;
  dryRun?: boolean;
  /** Set when this fix was later reverted by `mechanic revert`. */
  revertedAt?: string;
  /** An applied fix that did only part of the work: what a person still has to do. */
  leftForPerson?: string;
  /** The attempt ended without a verdict on the file: it gets a short backoff, not the cooldown. */
  cut?: AttemptCut;
  /** A PM2 restart that followed (a stale process, or a runtime fix taking effect). */
  restart?: { process: string; ok: boolean; reason: string };
  /** `git.mode: commit`: the commit that holds this fix. */
  commit?: string;
  /** `git.mode: propose` (or a rung's policy `propose`): where the fix waits for a person. */
  proposal?: { branch: string; base: string; url?: string };
  /** Set when a rung's `policy` (not its confidence gate) held a fix that passed validation back. */
  policy?: 'propose' | 'report';
  /** `mechanic apply`: the proposal this fix put in place. */
  fromProposal?: string;
}

export interface RevertEntry {
  type: 'revert';
  id: string;
  time: string;
  file: string;
  fixId: string;
  backup: string;
  /** Backup of what the file held just before the revert, so the revert is revertible too. */
  savedCurrent: string;
  /** A fix across files: the other files put back, each with its backups. */
  others?: Array<{ file: string; restoredFrom: string; savedCurrent: string }>;
  /** The revert commit, when the fix was a commit (`git.mode: commit`). */
  commit?: string;
}

export interface ProbeChangeEntry {
  type: 'probe';
  id: string;
  time: string;
  probe: string;
  from: Health | 'new';
  to: Health;
  reason: string;
}

export interface RecoveryEntry {
  type: 'recovery';
  id: string;
  time: string;
  file: string;
  action: string;
  detail: string;
}

/** A probe's remedy that ran (held-back and dry-run ones are only in the cycle report). */
export interface RemedyEntry extends Omit<RemedyRun, 'outcome'> {
  type: 'remedy';
  id: string;
  outcome: 'ok' | 'failed';
}

/** A bug that failed `escalateAfter` attempts: no more model calls until its file changes or a retry. */
export interface EscalationEntry {
  type: 'escalation';
  id: string;
  time: string;
  file: string;
  bug: FixEntry['bug'];
  attempts: number;
  reason: string;
}

export type LogEntry = FixEntry | RevertEntry | ProbeChangeEntry | RecoveryEntry | RemedyEntry | EscalationEntry;

export function logPath(stateDir: string): string {
  return path.join(stateDir, 'mechanic-log.json');
}

export function readLog(stateDir: string): LogEntry[] {
  try {
    const data = JSON.parse(fs.readFileSync(logPath(stateDir), 'utf8')) as unknown;
    return Array.isArray(data) ? (data as LogEntry[]) : [];
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    const file = logPath(stateDir);
    fs.renameSync(file, `${file}.corrupt-${stamp(Date.now())}`);
    return [];
  }
}

/** Append entries and keep only the newest `max`; written atomically, every string in them scrubbed of secrets. */
export function appendLog(stateDir: string, entries: readonly LogEntry[], max: number, scrub: Scrub = defaultScrub): LogEntry[] {
  if (entries.length === 0) return readLog(stateDir);
  const all = [...readLog(stateDir), ...scrubDeep(entries, scrub)];
  const kept = all.slice(Math.max(0, all.length - max));
  writeJsonAtomic(logPath(stateDir), kept);
  return kept;
}

export function rewriteLog(stateDir: string, entries: readonly LogEntry[], scrub: Scrub = defaultScrub): void {
  writeJsonAtomic(logPath(stateDir), scrubDeep(entries, scrub));
}
