import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { modelServerHealth } from '../llm/servers.js';
import type { Config } from '../config/load.js';
import type { BugKind } from '../discover/types.js';
import { onModelRequest } from '../llm/meter.js';
import { outboxSummary } from '../notify/outbox.js';
import type { Health } from '../probes/types.js';
import { readLog } from '../state/log.js';
import { loadState, type State } from '../state/state.js';
import { liveHolder } from '../workspace/lock.js';
import { scrubberFor } from '../util/secrets.js';

const BUG_KINDS: readonly BugKind[] = ['syntax', 'runtime', 'stale-process', 'environment'];
const HEALTH: readonly Health[] = ['healthy', 'degraded', 'down'];

export interface Metrics {
  registry: Registry;
  /** A cycle that ran in this process (the daemon's, or one the dashboard started): timed at once. */
  observeCycle(startedAt: string, finishedAt: string): void;
  close(): void;
}

/**
 * The mechanic's metrics on a registry of their own (never prom-client's global one, so two
 * servers in one process, or a host application's metrics, do not mix). Gauges are read from the
 * state at each scrape; counters either mirror a total the state keeps across restarts
 * (`mechanic_cycles_total`) or count what happened while this process ran (fixes read from the
 * log, model requests this process made), as Prometheus counters do.
 */
export function createMetrics(config: Config): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  // Most recent scrape's state: read once per scrape, by the first collector that asks.
  let snapshot: { at: number; state: State } | undefined;
  const state = (): State => {
    if (!snapshot || Date.now() - snapshot.at > 500) snapshot = { at: Date.now(), state: loadState(config.stateDir) };
    return snapshot.state;
  };

  const cyclesTotal = new Counter({
    name: 'mechanic_cycles_total',
    help: 'Cycles run on this state folder (probes, bugs, fixes), as the state file counts them.',
    registers,
    collect() {
      cyclesTotal.reset();
      cyclesTotal.inc(state().totalCycles);
    },
  });

  const cycleSeen = new Set<string>();
  const cycleDuration = new Histogram({
    name: 'mechanic_cycle_duration_seconds',
    help: 'Duration of the cycles that finished while this server ran.',
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800],
    registers,
    collect() {
      // A cycle another process ran (a daemon beside `mechanic serve`, cron's `mechanic run`).
      const last = state().lastCycle;
      if (last) observeCycle(last.startedAt, last.finishedAt);
    },
  });
  const observeCycle = (startedAt: string, finishedAt: string) => {
    if (cycleSeen.has(startedAt)) return;
    cycleSeen.add(startedAt);
    if (cycleSeen.size > 100) cycleSeen.delete(cycleSeen.values().next().value!);
    const seconds = (Date.parse(finishedAt) - Date.parse(startedAt)) / 1000;
    if (seconds >= 0) cycleDuration.observe(seconds);
  };
  // What happened before this server started is not counted (nor timed) again.
  const start = loadState(config.stateDir);
  if (start.lastCycle) cycleSeen.add(start.lastCycle.startedAt);

  const fixSeen = new Set(readLog(config.stateDir).filter((e) => e.type === 'fix').map((e) => e.id));
  const fixesTotal = new Counter({
    name: 'mechanic_fixes_total',
    help: 'Fix attempts written to the log while this server ran, by outcome (applied, reverted, failed, proposed, skipped) and strategy (the rung: deterministic, llm, environment...).',
    labelNames: ['outcome', 'strategy'] as const,
    registers,
    collect() {
      for (const e of readLog(config.stateDir)) {
        if (e.type !== 'fix' || fixSeen.has(e.id)) continue;
        fixSeen.add(e.id);
        // The rung (`llm`, not `llm:ollama:<model>`): a bounded label, one series per rung.
        fixesTotal.inc({ outcome: e.outcome, strategy: e.strategy.split(':')[0]! });
      }
    },
  });

  const bugsOpen = new Gauge({
    name: 'mechanic_bugs_open',
    help: 'Bugs the last cycle left unfixed, by kind.',
    labelNames: ['kind'] as const,
    registers,
    collect() {
      bugsOpen.reset();
      const open = state().openBugs ?? [];
      for (const kind of BUG_KINDS) bugsOpen.set({ kind }, open.filter((b) => b.kind === kind).length);
    },
  });

  const probeUp = new Gauge({
    name: 'mechanic_probe_up',
    help: 'Whether the probe was up at its last check: 1 healthy or degraded, 0 down.',
    labelNames: ['probe', 'kind'] as const,
    registers,
    collect() {
      probeUp.reset();
      for (const p of state().lastProbes) probeUp.set({ probe: p.name, kind: p.kind }, p.status === 'down' ? 0 : 1);
    },
  });

  const probeStatus = new Gauge({
    name: 'mechanic_probe_status',
    help: 'The probe\'s status at its last check: 1 for the status it had, 0 for the others.',
    labelNames: ['probe', 'kind', 'status'] as const,
    registers,
    collect() {
      probeStatus.reset();
      for (const p of state().lastProbes) for (const s of HEALTH) probeStatus.set({ probe: p.name, kind: p.kind, status: s }, p.status === s ? 1 : 0);
    },
  });

  const probeLatency = new Gauge({
    name: 'mechanic_probe_latency_seconds',
    help: 'How long the probe\'s last check took.',
    labelNames: ['probe'] as const,
    registers,
    collect() {
      probeLatency.reset();
      for (const p of state().lastProbes) probeLatency.set({ probe: p.name }, p.durationMs / 1000);
    },
  });

  const llmRequests = new Counter({
    name: 'mechanic_llm_requests_total',
    help: 'Requests this process made to the model server, by outcome: ok, or the failure (unreachable, timeout, http, bad-answer, empty, aborted, config).',
    labelNames: ['outcome'] as const,
    registers,
  });
  llmRequests.inc({ outcome: 'ok' }, 0);
  const llmDuration = new Histogram({
    name: 'mechanic_llm_request_duration_seconds',
    help: 'Duration of the requests this process made to the model server, whatever their outcome.',
    buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300],
    registers,
  });
  const unsubscribe = onModelRequest((r) => {
    llmRequests.inc({ outcome: r.outcome });
    llmDuration.observe(r.seconds);
  });

  const pending = new Gauge({
    name: 'mechanic_notifications_pending',
    help: 'Notifications still owed, one per event per channel, in the outbox.',
    registers,
    collect() {
      pending.set(outboxSummary(config.stateDir, config.notify).pending);
    },
  });

  const lastCycle = new Gauge({
    name: 'mechanic_last_cycle_end_timestamp_seconds',
    help: 'When the last cycle finished (Unix time); absent before the first.',
    registers,
    collect() {
      lastCycle.reset();
      const last = state().lastCycle;
      if (last) lastCycle.set(Date.parse(last.finishedAt) / 1000);
    },
  });

  // A stale last-cycle time says a cycle has not finished lately; this says they are failing.
  const failing = new Gauge({
    name: 'mechanic_cycles_failing',
    help: 'Daemon cycles failed in a row, each before it finished (0 once one finishes).',
    registers,
    collect() {
      failing.set(state().cycleFailure?.cycles ?? 0);
    },
  });

  const daemonRunning = new Gauge({
    name: 'mechanic_daemon_running',
    help: 'Whether a live mechanic daemon holds the state folder (1) or not (0).',
    registers,
    collect() {
      daemonRunning.set(liveHolder(config.stateDir)?.command === 'daemon' ? 1 : 0);
    },
  });

  const modelServerUp = new Gauge({
    name: 'mechanic_llm_server_up',
    help: 'Each model server of llm.baseUrl as this process last found it: 1 answered, 0 down; absent until called.',
    labelNames: ['url', 'preferred'],
    registers,
    collect() {
      // A URL's password is masked by the one scrub, as in everything else the mechanic sends.
      const scrub = scrubberFor(config);
      modelServerUp.reset();
      if (config.llm.provider === 'none') return;
      for (const h of modelServerHealth(config.llm))
        if (h.state !== 'unknown') modelServerUp.set({ url: scrub(h.url), preferred: h.preferred ? 'true' : 'false' }, h.state === 'up' ? 1 : 0);
    },
  });

  return { registry, observeCycle, close: unsubscribe };
}
