import path from 'node:path';
import type { Config } from './config/load.js';
import type { Bug } from './discover/types.js';
import { runRemedies, type RemedyRun } from './probes/remedy.js';
import type { ProbeResult } from './probes/types.js';
import type { FixEntry, LogEntry } from './state/log.js';
import { saveState, type State } from './state/state.js';
import type { Clock } from './util/clock.js';
import { journalFor } from './workspace/journal.js';

export interface RemedyPhaseInput {
  config: Config;
  state: State;
  probes: readonly ProbeResult[];
  /** This cycle's fix entries and the bugs they were for. */
  fixes: readonly FixEntry[];
  bugs: readonly Bug[];
  clock: Clock;
  /** False in a dry run or a scan: nothing is saved or logged. */
  changes: boolean;
  /** The cycle's log entries: runs are added to it. */
  log: LogEntry[];
  dryRun: boolean;
  signal?: AbortSignal;
}

/**
 * The cycle's last act, after its fixes: the remedies of probes that are down, kept away from
 * every process whose files a fix tried this cycle or is still writing.
 */
export async function remedyPhase(input: RemedyPhaseInput): Promise<RemedyRun[]> {
  const { config, state, changes } = input;
  const tried = input.fixes.filter((f) => !f.id.startsWith('skip-'));
  const triedBugs = tried.map((f) => input.bugs.find((b) => b.id === f.bug.id));
  const busy = {
    files: tried.map((f) => f.file),
    logs: triedBugs.flatMap((b) => (b?.log ? [path.resolve(b.log)] : [])),
    processes: [...triedBugs.flatMap((b) => (b?.process ? [b.process] : [])), ...tried.flatMap((f) => (f.restart ? [f.restart.process] : []))],
    inFlight: journalFor(config).pending().map((e) => e.file),
  };
  const runs = await runRemedies({
    probes: config.probes,
    results: input.probes,
    records: state.remedies,
    clock: input.clock,
    baseDir: config.baseDir,
    dryRun: input.dryRun,
    busy,
    ...(input.signal ? { signal: input.signal } : {}),
    ...(changes ? { persist: () => saveState(config.stateDir, state) } : {}),
  });
  for (const [i, r] of runs.entries())
    if (changes && (r.outcome === 'ok' || r.outcome === 'failed')) input.log.push({ ...r, type: 'remedy', id: `remedy-${Date.parse(r.time)}-${i}`, outcome: r.outcome });
  return runs;
}
