import fs from 'node:fs';
import path from 'node:path';
import type { Bug } from '../discover/types.js';
import type { ProbeResult } from '../probes/types.js';
import type { RemedyRecord } from '../probes/remedy.js';
import type { LogOffset } from '../discover/types.js';
import { errorMessage, StateError } from '../util/errors.js';
import { writeJsonAtomic } from '../workspace/atomic.js';
import { stamp } from '../workspace/backup.js';
import { defaultScrub, scrubDeep, type Scrub } from '../util/secrets.js';
import type { AttemptCounts } from './escalation.js';
import type { UptimeBucket } from './uptime.js';

/**
 * `proposed`: no rung wrote a fix, but a rung held one back (below its confidence gate) that
 * passes validation in memory: it is shown with its diff for a person to apply; nothing written.
 */
export type FixOutcome = 'applied' | 'reverted' | 'skipped' | 'failed' | 'proposed';

export interface FileRecord {
  lastAttempt: string;
  lastOutcome: FixOutcome;
  lastFixId?: string;
  /**
   * Set when the attempt reached no verdict (cut by shutdown, or the model server was out): the
   * file is held for `backoffMs` only, not the cooldown.
   */
  cut?: AttemptCut;
  backoffMs?: number;
}

/** Why an attempt ended without a verdict on the file. */
export type AttemptCut = 'shutdown' | 'model-outage';

export type { LogOffset } from '../discover/logs/read.js';

export interface State {
  version: 1;
  totalCycles: number;
  totalFixes: number;
  totalReverts: number;
  /** Per file (absolute path): the last fix attempt. */
  files: Record<string, FileRecord>;
  lastCycle?: { startedAt: string; finishedAt: string; summary: string; bugs: number; fixes: number; exitCode: number };
  /** Set while the daemon's cycles fail (each threw before it finished), cleared by the next one that finishes. */
  cycleFailure?: CycleFailure;
  lastProbes: ProbeResult[];
  /** Recent results per probe name, oldest first. */
  probeHistory: Record<string, ProbeResult[]>;
  /** How far each error log has been read. */
  logOffsets: Record<string, LogOffset>;
  /** Runtime bugs read from logs and not yet settled, carried from cycle to cycle. */
  runtimeBugs: Bug[];
  /** Remedy runs per target (`<probe>` or `<probe>/<pm2 process>`): the limits count these. */
  remedies: Record<string, RemedyRecord>;
  /** Failed attempts per bug id, and escalations (state/escalation.ts). Absent in older state files. */
  bugAttempts: AttemptCounts;
  /** The bugs the last cycle left (what the dashboard lists). Absent in older state files. */
  openBugs?: OpenBug[];
  /** Hourly check counts per probe name, for 24 h / 7 d uptime (state/uptime.ts). Absent in older state files. */
  probeUptime: Record<string, UptimeBucket[]>;
}

/**
 * A run of daemon cycles that failed one after another: a cycle that throws saves no lastCycle,
 * so without this `status`, `/health` and the dashboard went on showing the last good one.
 */
export interface CycleFailure {
  /** When the first of them failed. */
  since: string;
  lastAt: string;
  /** How many in a row. */
  cycles: number;
  /** The last one's error. */
  message: string;
}

/** A bug a cycle left unfixed, with what its attempt in that cycle came to. */
export interface OpenBug extends Pick<Bug, 'id' | 'kind' | 'file' | 'line' | 'errorType' | 'message'> {
  protected?: boolean;
  outcome?: FixOutcome;
  reason?: string;
}

/** At most this many open bugs are kept (the highest priority first, as the cycle ranks them). */
export const OPEN_BUGS_KEPT = 100;

export const PROBE_HISTORY = 20;

export function emptyState(): State {
  return {
    version: 1,
    totalCycles: 0,
    totalFixes: 0,
    totalReverts: 0,
    files: {},
    lastProbes: [],
    probeHistory: {},
    logOffsets: {},
    runtimeBugs: [],
    remedies: {},
    bugAttempts: {},
    probeUptime: {},
  };
}

export function statePath(stateDir: string): string {
  return path.join(stateDir, 'state.json');
}

/**
 * Read the state. A missing file is a fresh start; a corrupt one is set aside (never deleted)
 * with a warning, and the mechanic starts afresh rather than crash. One that is there but cannot
 * be read (permissions, a disk error) throws: starting afresh would forget every cooldown.
 */
export function loadState(stateDir: string, warn: (msg: string) => void = () => {}): State {
  const file = statePath(stateDir);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
    throw new StateError(`state file ${file} cannot be read (${errorMessage(err)}); refusing to run, as starting afresh would forget every cooldown and count. Make it readable, or move it away to start afresh`);
  }
  try {
    const data = JSON.parse(text) as Partial<State>;
    if (typeof data !== 'object' || data === null || typeof data.totalCycles !== 'number') throw new Error('not a state object');
    return { ...emptyState(), ...data, version: 1 };
  } catch (err) {
    const aside = `${file}.corrupt-${stamp(Date.now())}`;
    fs.renameSync(file, aside);
    warn(`state file ${file} was unreadable (${(err as Error).message}); set aside as ${aside}, starting afresh`);
    return emptyState();
  }
}

/** Written with every string scrubbed: a runtime error's message or a probe's reason may quote a secret. */
export function saveState(stateDir: string, state: State, scrub: Scrub = defaultScrub): void {
  writeJsonAtomic(statePath(stateDir), scrubDeep(state, scrub));
}
