import type { Config } from './config/load.js';
import { discoverBugs, historyOnly, type Discovery } from './discover/sources.js';
import type { ScanStats } from './discover/types.js';
import { SyntaxChecker } from './engine/checker.js';
import type { Bug } from './discover/types.js';
import type { RemedyRun } from './probes/remedy.js';
import { remedyPhase } from './remedies.js';
import { runProbes, summarize } from './probes/run.js';
import type { ProbeResult } from './probes/types.js';
import { restartAndWatch } from './repair/restart.js';
import { reviveAfterFix } from './repair/revive.js';
import { processOfLog } from './pm2/pm2.js';
import type { buildLadder } from './repair/registry.js';
import { appendLog, type EscalationEntry, type FixEntry, type LogEntry, type ProbeChangeEntry, type RecoveryEntry } from './state/log.js';
import { heldBack, loadHolds, recordAttempt } from './state/holds.js';
import { countAttempt, escalatedReason, settleCounts } from './state/escalation.js';
import { loadState, OPEN_BUGS_KEPT, PROBE_HISTORY, saveState, type OpenBug, type State } from './state/state.js';
import { countCheck } from './state/uptime.js';
import { isoTime, systemClock, type Clock } from './util/clock.js';
import { errorMessage } from './util/errors.js';
import { validatorsByName } from './validate/registry.js';
import { journalFor, type RecoveryNote } from './workspace/journal.js';
import { acquireLock, type Lock } from './workspace/lock.js';
import { makeProtection } from './workspace/protect.js';
import { scrubberFor } from './util/secrets.js';
import { enqueueLogEntries } from './notify/deliver.js';
import { commitFix } from './git/commit.js';

export interface CycleOptions {
  config: Config;
  clock?: Clock;
  /** `run`: probes, then bugs and fixes. `fix`: bugs and fixes only. `scan`: find bugs, change nothing. */
  mode: 'run' | 'fix' | 'scan';
  dryRun?: boolean;
  /** Aborted on shutdown: no new rung starts; a write in progress completes or is reverted. */
  signal?: AbortSignal;
  /** Set when the caller already holds the state lock (the daemon holds it across cycles). */
  lockHeld?: boolean;
  checker?: SyntaxChecker;
  onProgress?: (event: ProgressEvent) => void;
  warn?: (message: string) => void;
  /** Stop the syntax scan at this many files that do not parse (the first in path order). */
  syntaxLimit?: number;
}

export type ProgressEvent =
  | { type: 'scan'; done: number; total: number }
  | { type: 'probes'; results: ProbeResult[] }
  | { type: 'fix'; entry: FixEntry };

export interface CycleReport {
  mode: CycleOptions['mode'];
  dryRun: boolean;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  probes: ProbeResult[];
  summary: string;
  bugs: Bug[];
  fixes: FixEntry[];
  /** Remedies of probes that are down (mode `run`): run, held back by a limit, or what a dry run would run. */
  remedies: RemedyRun[];
  recovered: RecoveryNote[];
  skippedFiles: Discovery['skipped'];
  filesScanned: number;
  /** How the syntax scan reached its verdicts (files read, taken from the cache, confirmed). */
  scan?: ScanStats;
  warnings: string[];
  /** 0 all well, 1 problems found or left. */
  exitCode: 0 | 1;
}

/**
 * One cycle: settle any interrupted fix, probe every component, find bugs, take at most
 * `maxFixesPerRun` of them up the repair ladder, and record it all.
 */
export async function runCycle(opts: CycleOptions): Promise<CycleReport> {
  const { config } = opts;
  const clock = opts.clock ?? systemClock;
  const warn = opts.warn ?? (() => {});
  const changes = opts.mode !== 'scan' && !opts.dryRun;
  let lock: Lock | undefined;
  if (changes && !opts.lockHeld) lock = acquireLock(config.stateDir, opts.mode);
  const checker = opts.checker ?? (await SyntaxChecker.create(config.node));
  // A shared checker whose engines could not start last cycle tries them again.
  if (opts.checker) checker.retryEngines();
  try {
    return await cycleBody(opts, clock, warn, changes, checker);
  } finally {
    if (!opts.checker) await checker.close();
    lock?.release();
  }
}

/** What one cycle carries from step to step. */
interface CycleRun {
  opts: CycleOptions;
  config: Config;
  clock: Clock;
  warn: (m: string) => void;
  /** The cycle writes: state, log, files (not a scan, not a dry run). */
  changes: boolean;
  checker: SyntaxChecker;
  started: number;
  /** Entries for the log, written (and notified) at the end of the cycle. */
  log: LogEntry[];
  journal: ReturnType<typeof journalFor>;
  state: State;
  holds: ReturnType<typeof loadHolds>;
  recovered: RecoveryNote[];
  /** Why a file may not be written (protected), or undefined: one matcher for the whole cycle. */
  protection: ReturnType<typeof makeProtection>;
}

/** What the fix step did: an entry per bug, and the bugs settled without an edit. */
interface FixPhase {
  fixes: FixEntry[];
  /** Bugs settled without an edit (a stale process restarted, or restarted since). */
  resolved: Set<string>;
}

async function cycleBody(
  opts: CycleOptions,
  clock: Clock,
  warn: (m: string) => void,
  changes: boolean,
  checker: SyntaxChecker,
): Promise<CycleReport> {
  const run = openCycle(opts, clock, warn, changes, checker);
  const probes = opts.mode === 'run' ? await probePhase(run) : [];
  const discovery = await discoverPhase(run);
  const fixed: FixPhase = opts.mode === 'scan' ? { fixes: [], resolved: new Set() } : await fixPhase(run, discovery);
  const remedies =
    opts.mode === 'run'
      ? await remedyPhase({ config: run.config, state: run.state, probes, fixes: fixed.fixes, bugs: discovery.bugs, clock, changes, log: run.log, dryRun: !!opts.dryRun, ...(opts.signal ? { signal: opts.signal } : {}) })
      : [];
  return closeCycle(run, probes, discovery, fixed, remedies);
}

/** Load the state (one that cannot be read stops the cycle before anything is touched), settle interrupted fixes, read the holds. */
function openCycle(opts: CycleOptions, clock: Clock, warn: (m: string) => void, changes: boolean, checker: SyntaxChecker): CycleRun {
  const { config } = opts;
  const started = clock.now();
  const log: LogEntry[] = [];
  const journal = journalFor(config);
  const state = loadState(config.stateDir, warn);
  const recovered = changes ? journal.recover() : [];
  for (const note of recovered) {
    const entry: RecoveryEntry = { type: 'recovery', id: `recovery-${started}`, time: isoTime(started), ...note };
    log.push(entry);
    warn(`recovered ${note.file}: ${note.detail}`);
  }
  const holds = loadHolds(config.stateDir);
  // A changed file or a retry clears a bug's failed attempts (and its escalation).
  settleCounts(state, holds.retries);
  return { opts, config, clock, warn, changes, checker, started, log, journal, state, holds, recovered, protection: makeProtection(config) };
}

async function probePhase(run: CycleRun): Promise<ProbeResult[]> {
  const probes = await runProbes(run.config.probes, { clock: run.clock, baseDir: run.config.baseDir, history: run.state.probeHistory });
  run.opts.onProgress?.({ type: 'probes', results: probes });
  run.log.push(...recordProbes(run.state, probes, run.clock));
  return probes;
}

async function discoverPhase(run: CycleRun): Promise<Discovery> {
  const { opts, config } = run;
  const discovery = await discoverBugs({
    config,
    checker: run.checker,
    clock: run.clock,
    carried: { runtimeBugs: run.state.runtimeBugs, logOffsets: run.state.logOffsets },
    ...(opts.onProgress ? { onFile: (done: number, total: number) => opts.onProgress?.({ type: 'scan', done, total }) } : {}),
    ...(opts.syntaxLimit !== undefined ? { syntaxLimit: opts.syntaxLimit } : {}),
  });
  for (const bug of discovery.bugs) if (run.protection(bug.file)) bug.protected = true;
  return discovery;
}

/** Take the bugs up the ladder in order, at most `maxFixesPerRun` attempts; the rest are skipped with the reason. */
async function fixPhase(run: CycleRun, discovery: Discovery): Promise<FixPhase> {
  const { opts, config, clock } = run;
  // The repair side is loaded by the first cycle that repairs: a scan never pays for it.
  const [{ fixEntry }, { buildLadder }] = await Promise.all([import('./repair/fix.js'), import('./repair/registry.js')]);
  const ladder = buildLadder({ config, checker: run.checker });
  const validators = validatorsByName(config.validators);
  const out: FixPhase = { fixes: [], resolved: new Set() };
  let attempts = 0;
  for (const bug of discovery.bugs) {
    const skip = (reason: string): FixEntry => fixEntry(bug, `skip-${bug.id}`, clock.now(), 'skipped', reason);
    const why = whySkip(run, bug, attempts);
    let entry: FixEntry;
    if (why !== undefined) entry = skip(why);
    else if (bug.kind === 'stale-process') {
      const settled = await settleStale(bug, { config, clock, offsets: discovery.logOffsets, dryRun: !!opts.dryRun, ...(opts.signal ? { signal: opts.signal } : {}) });
      if (settled.resolved) out.resolved.add(bug.id);
      entry = settled.entry ?? skip(settled.reason);
      if (settled.entry) {
        attempts++;
        run.log.push(entry);
      }
    } else {
      attempts++;
      entry = await fixOne(run, bug, discovery, { ladder, validators });
    }
    out.fixes.push(entry);
    opts.onProgress?.({ type: 'fix', entry });
  }
  return out;
}

/** Why a bug is not attempted in this cycle, in order of precedence; undefined: attempt it. */
function whySkip(run: CycleRun, bug: Bug, attempts: number): string | undefined {
  const { config, state, holds, clock, opts } = run;
  if (historyOnly(bug)) return HISTORY_REASON;
  const prot = bug.kind === 'stale-process' ? undefined : run.protection(bug.file);
  if (prot) return prot;
  const escalated = escalatedReason(bug.id, state);
  if (escalated) return escalated;
  // A restart is not an edit: only a snooze holds a stale process back.
  const held = heldBack(bug.file, state, holds, config.fileCooldownMs, clock.now(), bug.kind === 'stale-process');
  if (held) return held;
  if (attempts >= config.maxFixesPerRun) return `per-run cap reached (maxFixesPerRun ${config.maxFixesPerRun})`;
  if (opts.signal?.aborted) return 'shutting down';
  return undefined;
}

/** One bug up the ladder; an applied fix is then revived (undone if its error comes back) and committed; the attempt is counted. */
async function fixOne(run: CycleRun, bug: Bug, discovery: Discovery, rungs: { ladder: ReturnType<typeof buildLadder>; validators: ReturnType<typeof validatorsByName> }): Promise<FixEntry> {
  const { opts, config, clock, state } = run;
  const signal = opts.signal ? { signal: opts.signal } : {};
  const { fixBug, newFixId } = await import('./repair/fix.js');
  const entry = await fixBug(bug, { config, checker: run.checker, ...rungs, journal: run.journal, clock, dryRun: !!opts.dryRun, ...signal });
  if (opts.dryRun) return entry;
  // The fix only takes effect once the process loads it; it is undone if the error comes back.
  if (entry.outcome === 'applied') {
    const undone = await reviveAfterFix(entry, bug, { config, clock, offsets: discovery.logOffsets, ...signal });
    if (undone) run.log.push(undone);
    // git.mode commit: a fix that held (not undone above) becomes its own commit.
    await commitFix(entry, config);
  }
  recordAttempt(state, entry);
  const escalation: EscalationEntry | undefined = countAttempt(state, entry, config.escalateAfter, () => newFixId(clock.now()));
  if (entry.outcome === 'applied') state.totalFixes++;
  if (entry.outcome === 'reverted') state.totalReverts++;
  if (!entry.id.startsWith('skip-')) run.log.push(entry);
  if (escalation) run.log.push(escalation);
  return entry;
}

/** Judge the cycle, and (when it writes) save the state, append the log and queue its notifications. */
function closeCycle(run: CycleRun, probes: ProbeResult[], discovery: Discovery, fixed: FixPhase, remedies: RemedyRun[]): CycleReport {
  const { opts, config, clock, state, started, recovered } = run;
  // Done: fixed whole, and its process (if one was down because of it) running again.
  const applied = new Set([...fixed.fixes.filter((f) => f.outcome === 'applied' && f.restart?.ok !== false && f.leftForPerson === undefined).map((f) => f.bug.id), ...fixed.resolved]);
  // Everything else is left for a person, a `proposed` fix included (it was never written), and
  // so is a file a crash left changed by someone else. History no one can show still happens is not.
  const left = discovery.bugs.filter((b) => !applied.has(b.id) && !historyOnly(b));
  const leftAlone = recovered.some((n) => n.action === 'left-alone' || n.action === 'refused');
  const unhealthy = probes.some((p) => p.status !== 'healthy');
  const finished = clock.now();
  const summary = summarize(probes);
  const exitCode = left.length || unhealthy || leftAlone ? 1 : 0;

  if (run.changes) {
    state.runtimeBugs = discovery.runtimeBugs.filter((b) => !applied.has(b.id));
    state.openBugs = openBugs(left, fixed.fixes);
    state.logOffsets = discovery.logOffsets;
    if (opts.mode === 'run') state.totalCycles++;
    state.lastCycle = { startedAt: isoTime(started), finishedAt: isoTime(finished), summary, bugs: discovery.bugs.length, fixes: applied.size, exitCode };
    // A cycle that finished ends a daemon's run of failed ones, whoever ran it (a `mechanic run`
    // between daemons too): status and /health say what is true now.
    delete state.cycleFailure;
    saveState(config.stateDir, state, scrubberFor(config));
    appendLog(config.stateDir, run.log, config.maxLogEntries, scrubberFor(config));
    enqueueLogEntries(config, run.log, run.warn);
  }

  return {
    mode: opts.mode,
    dryRun: !!opts.dryRun,
    startedAt: isoTime(started),
    finishedAt: isoTime(finished),
    durationMs: finished - started,
    probes,
    summary,
    bugs: discovery.bugs,
    fixes: fixed.fixes,
    remedies,
    recovered,
    skippedFiles: discovery.skipped,
    filesScanned: discovery.filesScanned,
    ...(discovery.scan ? { scan: discovery.scan } : {}),
    warnings: discovery.warnings,
    exitCode,
  };
}

/** The bugs left, each with what its attempt came to in this cycle. */
function openBugs(left: readonly Bug[], fixes: readonly FixEntry[]): OpenBug[] {
  const byBug = new Map(fixes.map((f) => [f.bug.id, f]));
  return left.slice(0, OPEN_BUGS_KEPT).map((b) => {
    const f = byBug.get(b.id);
    return { id: b.id, kind: b.kind, file: b.file, line: b.line, errorType: b.errorType, message: b.message, ...(b.protected ? { protected: true } : {}), ...(f ? { outcome: f.outcome, reason: f.reason } : {}) };
  });
}

export const HISTORY_REASON =
  'history: already in its log when the mechanic first read it (no timestamp), and nothing shows the file on disk can still raise it';

/** Keep each probe's recent history and log every change of status. */
function recordProbes(state: State, results: readonly ProbeResult[], clock: Clock): ProbeChangeEntry[] {
  const changes: ProbeChangeEntry[] = [];
  for (const r of results) {
    const history = state.probeHistory[r.name] ?? [];
    const previous = history[history.length - 1];
    if (!previous || previous.status !== r.status)
      changes.push({ type: 'probe', id: `probe-${r.name}-${clock.now()}`, time: r.at, probe: r.name, from: previous?.status ?? 'new', to: r.status, reason: r.reason });
    state.probeHistory[r.name] = [...history, r].slice(-PROBE_HISTORY);
    state.probeUptime[r.name] = countCheck(state.probeUptime[r.name] ?? [], r.status, Date.parse(r.at) || clock.now());
  }
  state.lastProbes = [...results];
  return changes;
}

interface StaleContext {
  config: Config;
  clock: Clock;
  offsets: Discovery['logOffsets'];
  dryRun: boolean;
  signal?: AbortSignal;
}

/**
 * A stale process is settled by a restart, never an edit: restart it through PM2 when
 * `restartStale` is on and PM2 runs it, and check the error stays away. A process that PM2 has
 * restarted since the error was logged, and that is online, runs the code on disk: nothing left to do.
 */
async function settleStale(bug: Bug, ctx: StaleContext): Promise<{ entry?: FixEntry; reason: string; resolved?: boolean }> {
  const why = `stale process: ${bug.staleBecause}`;
  let proc: Awaited<ReturnType<typeof processOfLog>>;
  try {
    proc = bug.log ? await processOfLog(ctx.config, bug.log) : undefined;
  } catch (err) {
    return { reason: `${why}; cannot tell which PM2 process writes ${bug.log}: ${errorMessage(err)}` };
  }
  const seen = bug.lastSeen ? Date.parse(bug.lastSeen) : NaN;
  // Restarted since and running: it runs the code on disk. (Restarted and down again is not settled.)
  if (proc?.startedAt && Number.isFinite(seen) && proc.startedAt > seen && proc.statuses.every((s) => s === 'online'))
    return { reason: `${why}; ${proc.name} has restarted since (${isoTime(proc.startedAt)}): settled`, resolved: true };
  if (!proc) return { reason: `${why}; no PM2 process writes ${bug.log ?? 'its log'}: restart the process by hand` };
  if (ctx.dryRun) return { reason: `dry run: ${why}; would restart ${proc.name}` };
  if (!ctx.config.restartStale) return { reason: `${why}; restart ${proc.name} (pm2 restart ${proc.name}), or turn restartStale on` };
  const started = ctx.clock.now();
  const { fixEntry, newFixId } = await import('./repair/fix.js');
  const restart = await restartAndWatch({ ...bug, process: proc.name }, ctx);
  const entry = fixEntry(bug, newFixId(started), started, restart?.ok ? 'applied' : 'failed', `${why}; ${restart?.reason ?? 'no PM2 process to restart'}`, 'restart');
  entry.steps.push({ strategy: 'restart', result: restart?.ok ? 'applied' : 'no-candidate', reason: restart?.reason ?? '', elapsedMs: ctx.clock.now() - started });
  if (restart) entry.restart = restart;
  return { entry, reason: entry.reason, ...(restart?.ok ? { resolved: true } : {}) };
}
