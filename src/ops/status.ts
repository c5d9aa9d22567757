import type { Config } from '../config/load.js';
import { readLog, type FixEntry } from '../state/log.js';
import { loadState, type State } from '../state/state.js';
import { liveHolder, type LockInfo } from '../workspace/lock.js';
import { activeSnoozes } from './holds.js';
import { outboxSummary, type OutboxSummary } from '../notify/outbox.js';
import { needsPerson, type NeedsPerson } from './attention.js';

export interface StatusReport {
  config: string;
  roots: string[];
  stateDir: string;
  totalCycles: number;
  totalFixes: number;
  totalReverts: number;
  lastCycle: State['lastCycle'] | null;
  /** The daemon's cycles failing one after another (each threw): since when, how many, the last error. */
  cycleFailure: State['cycleFailure'] | null;
  lastProbes: State['lastProbes'];
  /** The live process holding the state folder (a daemon, or a run in progress). */
  running: LockInfo | null;
  nextCycleDue: string | null;
  openRuntimeBugs: number;
  recentFixes: Pick<FixEntry, 'id' | 'time' | 'file' | 'outcome' | 'strategy' | 'reason'>[];
  logEntries: number;
  /** Files held back on purpose (`mechanic snooze`), until when. */
  snoozes: { file: string; until: string; left: string }[];
  /** Notifications still owed, per channel (none configured: no channels). */
  notify: OutboxSummary;
  /** What is left for a person: escalated bugs, proposed fixes, fixes that did part of the work. */
  needsPerson: NeedsPerson;
}

export function status(config: Config): StatusReport {
  const state = loadState(config.stateDir);
  const log = readLog(config.stateDir);
  const holder = liveHolder(config.stateDir);
  const fixes = log.filter((e): e is FixEntry => e.type === 'fix').slice(-5);
  const next = holder?.command === 'daemon' && state.lastCycle ? new Date(Date.parse(state.lastCycle.startedAt) + config.cycleIntervalMs).toISOString() : null;
  return {
    config: config.file ?? '(embedded default)',
    roots: config.roots,
    stateDir: config.stateDir,
    totalCycles: state.totalCycles,
    totalFixes: state.totalFixes,
    totalReverts: state.totalReverts,
    lastCycle: state.lastCycle ?? null,
    cycleFailure: state.cycleFailure ?? null,
    lastProbes: state.lastProbes,
    running: holder ?? null,
    nextCycleDue: next,
    openRuntimeBugs: state.runtimeBugs.length,
    recentFixes: fixes.map(({ id, time, file, outcome, strategy, reason }) => ({ id, time, file, outcome, strategy, reason })),
    logEntries: log.length,
    snoozes: activeSnoozes(config, Date.now()),
    notify: outboxSummary(config.stateDir, config.notify),
    needsPerson: needsPerson(state, log),
  };
}
