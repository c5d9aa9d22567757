import path from 'node:path';
import { z } from 'zod';
import { parseJlist, restartPm2, type Pm2Process } from '../pm2/pm2.js';
import { isoTime, type Clock } from '../util/clock.js';
import { minimalEnv, runProcess, type RunResult } from '../util/proc.js';
import { argvSchema, commandRunFields, describeExit, lastLine } from './command.js';
import { formatDuration, resolvePath } from './common.js';
import type { ProbeResult } from './types.js';

/**
 * A probe's remedy: what to do when it is down. Run after the fix phase of a cycle, never more
 * often than `cooldownMs` nor more than `maxPerDay` times in any 24 hours (counted in the state,
 * so the limits hold across cycles and restarts). Without `command`, a pm2 probe restarts the
 * processes it watches that are stopped or errored; every other kind needs a command.
 */
export const remedySchema = z.strictObject({
  /** The program to run, argv (never a shell). */
  command: argvSchema.optional(),
  ...commandRunFields,
  cooldownMs: z.number().int().min(0).default(15 * 60_000),
  maxPerDay: z.number().int().positive().default(6),
  /** The remedy is killed past this. */
  timeoutMs: z.number().int().positive().default(60_000),
});

export type RemedyConfig = z.output<typeof remedySchema>;

const DAY_MS = 24 * 3_600_000;
/** PM2 statuses a restart brings back: stopped (by hand or by crashes, autorestart off) and errored (gave up restarting). */
const RESTARTABLE = new Set(['stopped', 'errored']);

/** What the state keeps per remedy target (a probe, or a probe's PM2 process). */
export interface RemedyRecord {
  /** Start times (ISO) of the runs in the past 24 hours. */
  runs: string[];
  last?: { time: string; ok: boolean; reason: string };
}

/** One remedy considered in a cycle: run, held back, or (dry run) what would run. */
export interface RemedyRun {
  probe: string;
  /** The PM2 process a pm2 probe's built-in remedy restarts. */
  process?: string;
  /** What runs: the argv, or `pm2 restart <name>`. */
  action: string[];
  outcome: 'ok' | 'failed' | 'skipped' | 'would-run';
  reason: string;
  time: string;
  durationMs?: number;
  exitCode?: number | null;
  timedOut?: boolean;
}

/** A probe as the remedy phase needs it (a validated ProbeConfig fits). */
export interface RemedyProbe {
  name: string;
  kind: string;
  remedy?: RemedyConfig | undefined;
  processes?: unknown;
  pm2Bin?: unknown;
  pm2Home?: unknown;
}

export interface RemedyContext {
  probes: readonly RemedyProbe[];
  results: readonly ProbeResult[];
  /** The state's remedy records, by target: updated in place. */
  records: Record<string, RemedyRecord>;
  clock: Clock;
  baseDir: string;
  dryRun: boolean;
  signal?: AbortSignal;
  /**
   * What fixes touched this cycle (files tried, the logs and PM2 processes of their bugs) and the
   * files of fixes still in flight (open journal entries): a process running any of them is left alone.
   */
  busy: { files: readonly string[]; logs: readonly string[]; processes: readonly string[]; inFlight: readonly string[] };
  /** Saves the records: called before each run starts, so a kill mid-run cannot lose it from the count. */
  persist?: () => void;
}

/** Run the remedy of every probe that is down (after its failureThreshold), within its limits. */
export async function runRemedies(ctx: RemedyContext): Promise<RemedyRun[]> {
  const out: RemedyRun[] = [];
  for (const probe of ctx.probes) {
    const remedy = probe.remedy;
    const result = ctx.results.find((r) => r.name === probe.name);
    if (!remedy || result?.status !== 'down') continue;
    if (remedy.command) out.push(await commandRemedy(probe.name, remedy, remedy.command, ctx));
    else if (probe.kind === 'pm2') out.push(...(await pm2Remedy(probe, remedy, ctx)));
  }
  return out;
}

async function commandRemedy(probe: string, remedy: RemedyConfig, argv: string[], ctx: RemedyContext): Promise<RemedyRun> {
  // A command's reach is unknown: it waits while any fix is in flight.
  const held = ctx.busy.inFlight.length ? `a fix of ${ctx.busy.inFlight[0]} is in flight` : undefined;
  return guarded({ probe, action: argv }, probe, remedy, ctx, held, async () => {
    const [file, ...args] = argv as [string, ...string[]];
    const res = await runProcess(file, args, {
      cwd: remedy.cwd !== undefined ? resolvePath(remedy.cwd, ctx.baseDir) : ctx.baseDir,
      env: minimalEnv(remedy.env),
      timeoutMs: remedy.timeoutMs,
      maxOutputBytes: 64 * 1024,
      killGroup: true,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    return { ok: res.code === 0 && !res.timedOut, reason: describeRun(res, remedy.timeoutMs), exitCode: res.code, timedOut: res.timedOut };
  });
}

function describeRun(res: RunResult, timeoutMs: number): string {
  if (res.spawnError) return `cannot start: ${res.spawnError}`;
  if (res.timedOut) return `timed out after ${formatDuration(timeoutMs)}: killed`;
  const why = res.code === 0 ? '' : lastLine(res.stderr) || lastLine(res.stdout);
  return `${describeExit(res)}${why ? `: ${why}` : ''}`;
}

async function pm2Remedy(probe: RemedyProbe, remedy: RemedyConfig, ctx: RemedyContext): Promise<RemedyRun[]> {
  const pm2Bin = typeof probe.pm2Bin === 'string' ? probe.pm2Bin : 'pm2';
  const bin = pm2Bin.includes('/') ? resolvePath(pm2Bin, ctx.baseDir) : pm2Bin;
  const env = minimalEnv(typeof probe.pm2Home === 'string' ? { PM2_HOME: resolvePath(probe.pm2Home, ctx.baseDir) } : {});
  const now = ctx.clock.now();
  const listed = await runProcess(bin, ['jlist'], { env, cwd: ctx.baseDir, timeoutMs: remedy.timeoutMs, maxOutputBytes: 64 * 1024 * 1024, ...(ctx.signal ? { signal: ctx.signal } : {}) });
  let all: Pm2Process[];
  try {
    if (listed.code !== 0) throw new Error(`pm2 jlist: ${describeRun(listed, remedy.timeoutMs)}`);
    all = parseJlist(listed.stdout);
  } catch (err) {
    return [{ probe: probe.name, action: ['pm2', 'jlist'], outcome: 'failed', reason: (err as Error).message, time: isoTime(now) }];
  }
  const wanted = Array.isArray(probe.processes) ? (probe.processes as string[]) : all.map((p) => p.name);
  const down = all.filter((p) => wanted.includes(p.name) && p.statuses.some((s) => RESTARTABLE.has(s)));
  if (down.length === 0)
    return [{ probe: probe.name, action: ['pm2', 'restart'], outcome: 'skipped', reason: 'no watched process is stopped or errored: nothing a restart brings back', time: isoTime(now) }];
  const runs: RemedyRun[] = [];
  for (const p of down) {
    const base = { probe: probe.name, process: p.name, action: ['pm2', 'restart', p.name] };
    runs.push(
      await guarded(base, `${probe.name}/${p.name}`, remedy, ctx, busyReason(p, ctx.busy), async () => {
        const r = await restartPm2({ pm2Bin: bin }, p.name, 2, { env, timeoutMs: remedy.timeoutMs, ...(ctx.signal ? { signal: ctx.signal } : {}) });
        return { ok: r.ok, reason: r.ok ? `${p.name} was ${p.statuses.join('/')}; restarted` : r.reason };
      }),
    );
  }
  return runs;
}

/** Why a process must not be restarted now: a fix of one of its files was tried this cycle or is in flight. */
function busyReason(p: Pm2Process, busy: RemedyContext['busy']): string | undefined {
  if (busy.processes.includes(p.name)) return `a fix for ${p.name} was tried this cycle`;
  if (p.errLogs.some((l) => busy.logs.includes(path.resolve(l)))) return `a fix for an error in ${p.name}'s log was tried this cycle`;
  const homes = [...p.execPaths, ...p.execPaths.map((s) => path.dirname(s)), ...p.cwds].filter((d) => path.dirname(d) !== d);
  const owns = (file: string) => homes.some((h) => file === h || file.startsWith(h + path.sep));
  const inFlight = busy.inFlight.find(owns);
  if (inFlight) return `a fix of ${inFlight} is in flight`;
  const tried = busy.files.find(owns);
  if (tried) return `a fix of ${tried} was tried this cycle`;
  return undefined;
}

/** Hold a remedy to its limits; record the run before it starts; run it; record how it ended. */
async function guarded(
  base: Pick<RemedyRun, 'probe' | 'process' | 'action'>,
  key: string,
  remedy: RemedyConfig,
  ctx: RemedyContext,
  busy: string | undefined,
  run: () => Promise<{ ok: boolean; reason: string; exitCode?: number | null; timedOut?: boolean }>,
): Promise<RemedyRun> {
  const now = ctx.clock.now();
  const time = isoTime(now);
  const record = (ctx.records[key] ??= { runs: [] });
  record.runs = record.runs.filter((t) => now - Date.parse(t) < DAY_MS);
  const held = busy ?? limitReason(record, remedy, now);
  if (held) return { ...base, outcome: 'skipped', reason: held, time };
  if (ctx.signal?.aborted) return { ...base, outcome: 'skipped', reason: 'shutting down', time };
  if (ctx.dryRun) return { ...base, outcome: 'would-run', reason: `dry run: would run ${base.action.join(' ')}`, time };
  record.runs.push(time);
  ctx.persist?.();
  const r = await run();
  const durationMs = ctx.clock.now() - now;
  record.last = { time, ok: r.ok, reason: r.reason };
  return {
    ...base,
    outcome: r.ok ? 'ok' : 'failed',
    reason: r.reason,
    time,
    durationMs,
    ...(r.exitCode !== undefined ? { exitCode: r.exitCode } : {}),
    ...(r.timedOut ? { timedOut: true } : {}),
  };
}

function limitReason(record: RemedyRecord, remedy: RemedyConfig, now: number): string | undefined {
  const last = record.runs.at(-1);
  const since = last ? now - Date.parse(last) : Infinity;
  if (since < remedy.cooldownMs)
    return `cooldown: last run ${formatDuration(since)} ago; next in ${formatDuration(remedy.cooldownMs - since)}`;
  if (record.runs.length >= remedy.maxPerDay) {
    const next = Date.parse(record.runs[0]!) + DAY_MS - now;
    return `maxPerDay ${remedy.maxPerDay} reached (${record.runs.length} runs in the past 24 h); next in ${formatDuration(next)}`;
  }
  return undefined;
}
