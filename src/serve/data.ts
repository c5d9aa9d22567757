import path from 'node:path';
import type { Config } from '../config/load.js';
import type { DaemonControl } from '../daemon.js';
import { readProposal } from '../git/propose.js';
import { status, type StatusReport } from '../ops/status.js';
import type { Health, ProbeResult } from '../probes/types.js';
import { readLog, type FixEntry, type LogEntry } from '../state/log.js';
import { loadState, type OpenBug, type State } from '../state/state.js';
import { uptimeOver, type Uptime } from '../state/uptime.js';
import { probeHistories } from '../ops/history.js';

/** One probe as the dashboard shows it: its last result, the results kept, and uptime over them. */
export interface ProbeView {
  name: string;
  kind: string;
  status: Health;
  reason: string;
  at: string;
  latencySeconds: number;
  /** The results the state keeps (oldest first): status and time. */
  history: { status: Health; at: string; reason: string }[];
  /** Share of the kept results that were healthy (0 to 1), and how many there are. */
  uptime: { healthy: number; results: number; ratio: number | null };
  /** Uptime over the last 24 h and 7 d, counted to the hour (state/uptime.ts). */
  uptime24h: Uptime;
  uptime7d: Uptime;
}

export interface FixView {
  id: string;
  time: string;
  file: string;
  rel: string;
  outcome: FixEntry['outcome'];
  strategy: string;
  reason: string;
  error: string;
  line: number;
  diff?: string;
  confidence?: number;
  validated?: string[];
  revertedAt?: string;
  commit?: string;
  /** An applied fix not reverted yet: the dashboard offers "revert". */
  canRevert: boolean;
  /** A proposal kept and not applied yet: the dashboard offers "apply". */
  canApply: boolean;
}

export interface BugView extends OpenBug {
  rel: string;
}

export interface DaemonView {
  /** Served inside the daemon (`daemon --http`), or by `mechanic serve` beside whatever holds the state. */
  inProcess: boolean;
  /** The live process holding the state folder (a daemon, or a run under way), if any. */
  running: StatusReport['running'];
  phase?: DaemonControl['phase'];
  cycles?: number;
  nextCycleDue: string | null;
  cycleIntervalMs: number;
}

export interface Dashboard {
  project: { roots: string[]; config: string; stateDir: string };
  totals: Pick<StatusReport, 'totalCycles' | 'totalFixes' | 'totalReverts' | 'logEntries'>;
  lastCycle: StatusReport['lastCycle'];
  cycleFailure: StatusReport['cycleFailure'];
  daemon: DaemonView;
  probes: ProbeView[];
  bugs: BugView[];
  fixes: FixView[];
  needsPerson: StatusReport['needsPerson'];
  snoozes: StatusReport['snoozes'];
  notify: StatusReport['notify'];
  generatedAt: string;
}

/** A path as a person reads it: relative to the root it lies in. */
export function relPath(file: string, roots: readonly string[]): string {
  for (const root of roots) {
    const r = path.relative(root, file);
    if (r && !r.startsWith('..') && !path.isAbsolute(r)) return r;
  }
  return file;
}

export function probeViews(state: Pick<State, 'lastProbes' | 'probeHistory' | 'probeUptime'>, now = Date.now()): ProbeView[] {
  const long = new Map(probeHistories(state, now).map((h) => [h.name, h]));
  const none: Uptime = uptimeOver([], 24, now);
  return state.lastProbes.map((p) => {
    const kept = state.probeHistory[p.name] ?? [p];
    const healthy = kept.filter((r) => r.status === 'healthy').length;
    return {
      name: p.name,
      kind: p.kind,
      status: p.status,
      reason: p.reason,
      at: p.at,
      latencySeconds: p.durationMs / 1000,
      history: kept.map((r: ProbeResult) => ({ status: r.status, at: r.at, reason: r.reason })),
      uptime: { healthy, results: kept.length, ratio: kept.length ? healthy / kept.length : null },
      uptime24h: long.get(p.name)?.uptime24h ?? none,
      uptime7d: long.get(p.name)?.uptime7d ?? none,
    };
  });
}

export function fixViews(config: Config, log: readonly LogEntry[], limit: number): FixView[] {
  const fixes = log.filter((e): e is FixEntry => e.type === 'fix').slice(-limit).reverse();
  return fixes.map((f) => {
    const proposal = f.outcome === 'proposed' ? readProposal(config.stateDir, f.id) : undefined;
    return {
      id: f.id,
      time: f.time,
      file: f.file,
      rel: relPath(f.file, config.roots),
      outcome: f.outcome,
      strategy: f.strategy,
      reason: f.reason,
      error: `${f.bug.errorType}: ${f.bug.message}`,
      line: f.bug.line,
      ...(f.diff !== undefined ? { diff: f.diff } : {}),
      ...(f.confidence !== undefined ? { confidence: f.confidence } : {}),
      ...(f.validated ? { validated: f.validated } : {}),
      ...(f.revertedAt ? { revertedAt: f.revertedAt } : {}),
      ...(f.commit ? { commit: f.commit } : {}),
      canRevert: f.outcome === 'applied' && !f.revertedAt && !f.dryRun,
      canApply: !!proposal && !proposal.appliedAs,
    };
  });
}

export function dashboard(config: Config, control: DaemonControl | undefined, now: number, fixLimit = 20): Dashboard {
  const s = status(config);
  const state = loadState(config.stateDir);
  const log = readLog(config.stateDir);
  const next = control?.nextCycleAt !== undefined && control.phase === 'waiting' ? new Date(control.nextCycleAt).toISOString() : s.nextCycleDue;
  return {
    project: { roots: s.roots, config: s.config, stateDir: s.stateDir },
    totals: { totalCycles: s.totalCycles, totalFixes: s.totalFixes, totalReverts: s.totalReverts, logEntries: s.logEntries },
    lastCycle: s.lastCycle,
    cycleFailure: s.cycleFailure,
    daemon: {
      inProcess: !!control,
      running: s.running,
      ...(control ? { phase: control.phase, cycles: control.cycles } : {}),
      nextCycleDue: next,
      cycleIntervalMs: config.cycleIntervalMs,
    },
    probes: probeViews(state),
    bugs: (state.openBugs ?? []).map((b) => ({ ...b, rel: relPath(b.file, config.roots) })),
    fixes: fixViews(config, log, fixLimit),
    needsPerson: s.needsPerson,
    snoozes: s.snoozes,
    notify: s.notify,
    generatedAt: new Date(now).toISOString(),
  };
}
