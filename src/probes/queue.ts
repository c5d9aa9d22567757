import fs from 'node:fs/promises';
import { z } from 'zod';
import { argvSchema, commandRunFields, describeExit, lastLine, runArgv } from './command.js';
import { asNumber, clip, connectionFields, connectionStringOf, resolvePath } from './common.js';
import { queryValue } from './postgres.js';
import { defineProbe } from './types.js';
import type { ProbeContext, ProbeResult } from './types.js';

type QueueOptions = {
  sql?: string | undefined;
  connectionString?: string | undefined;
  connectionStringEnv?: string | undefined;
  command?: string[] | undefined;
  cwd?: string | undefined;
  env: Record<string, string>;
  dir?: string | undefined;
  timeoutMs: number;
};

/** The backlog now: a query's first value, a command's stdout, or a folder's file count. */
async function measure(o: QueueOptions, ctx: ProbeContext): Promise<number> {
  if (o.sql !== undefined) {
    const { value } = await queryValue(connectionStringOf(o), o.sql, o.timeoutMs, ctx.signal);
    const n = asNumber(value);
    if (n === undefined) throw new Error(`backlog query returned ${clip(JSON.stringify(value) ?? 'nothing', 40)}, not a number`);
    return n;
  }
  if (o.command !== undefined) {
    const res = await runArgv(o.command, o, ctx);
    if (res.code !== 0) {
      const why = lastLine(res.stderr);
      throw new Error(`backlog command: ${describeExit(res)}${why ? `: ${why}` : ''}`);
    }
    const n = asNumber(res.stdout);
    if (n === undefined) throw new Error(`backlog command printed ${clip(res.stdout, 40) || 'nothing'}, not a number`);
    return n;
  }
  const dir = resolvePath(o.dir!, ctx.baseDir);
  const entries = await fs.readdir(dir, { withFileTypes: true });
  return entries.filter((e) => e.isFile() && !e.name.startsWith('.')).length;
}

/** Backlogs measured in earlier cycles, oldest first (results that failed to measure are skipped). */
export function pastBacklogs(history: readonly ProbeResult[]): number[] {
  const out: number[] = [];
  for (const r of history) {
    const b = r.metrics?.backlog;
    if (typeof b === 'number' && Number.isFinite(b)) out.push(b);
  }
  return out;
}

/** The status of the latest earlier result that measured a backlog (the hysteresis keeps it in the dead band). */
function lastJudged(history: readonly ProbeResult[]): ProbeResult['status'] | undefined {
  for (let i = history.length - 1; i >= 0; i--) if (typeof history[i]?.metrics?.backlog === 'number') return history[i]!.status;
  return undefined;
}

/**
 * A backlog measured every cycle. At or under `idleBacklog` it is a queue at work, healthy
 * whatever its trend (a backlog that moves between 0 and 1 must not flap). Above it, over the
 * last `drainCycles` measurements: lower than all of them is draining (healthy); the same at
 * every one (stalled) or higher than all of them (growing) is degraded; anything between keeps
 * the last status, so a backlog moving around a level does not flap. Down above `maxBacklog`.
 */
export const queueProbe = defineProbe({
  kind: 'queue',
  description: 'Queue drain: a backlog (SQL, command or folder) that must go down over cycles',
  options: () => z
    .object({
      kind: z.literal('queue'),
      /** A query whose first value is the backlog (needs connectionString or connectionStringEnv). */
      sql: z.string().min(1).optional(),
      ...connectionFields,
      /** A program (argv, no shell) that prints the backlog. */
      command: argvSchema.optional(),
      ...commandRunFields,
      /** A folder whose files (not dotfiles, not subfolders) are the backlog. */
      dir: z.string().min(1).optional(),
      drainCycles: z.number().int().positive().default(3),
      /** A backlog at or under this is never degraded: jobs come and go. */
      idleBacklog: z.number().min(0).default(1),
      maxBacklog: z.number().min(0).optional(),
    })
    .superRefine((o, ctx) => {
      const sources = [o.sql, o.command, o.dir].filter((s) => s !== undefined).length;
      if (sources !== 1) ctx.addIssue({ code: 'custom', message: 'give exactly one of sql, command and dir', path: ['sql'] });
      const conn = [o.connectionString, o.connectionStringEnv].filter((s) => s !== undefined).length;
      if (o.sql !== undefined && conn !== 1)
        ctx.addIssue({ code: 'custom', message: 'sql needs exactly one of connectionString and connectionStringEnv', path: ['connectionString'] });
      if (o.sql === undefined && conn > 0)
        ctx.addIssue({ code: 'custom', message: 'a connection string is only used with sql', path: ['connectionString'] });
      if (o.maxBacklog !== undefined && o.maxBacklog < o.idleBacklog)
        ctx.addIssue({ code: 'custom', message: 'maxBacklog must be at least idleBacklog', path: ['maxBacklog'] });
    }),
  async check(o, ctx) {
    const backlog = await measure(o, ctx);
    const past = pastBacklogs(ctx.history);
    const metrics: Record<string, number> = { backlog };
    const window = past.length >= o.drainCycles ? [...past.slice(past.length - o.drainCycles), backlog] : undefined;
    const then = window?.[0];
    if (then !== undefined) metrics.drainPerCycle = (then - backlog) / o.drainCycles;
    const over = `${o.drainCycles} cycle${o.drainCycles === 1 ? '' : 's'}`;
    if (o.maxBacklog !== undefined && backlog > o.maxBacklog)
      return { status: 'down', reason: `backlog ${backlog}, over ${o.maxBacklog}`, metrics };
    if (backlog <= 0) return { status: 'healthy', reason: 'backlog empty', metrics };
    if (backlog <= o.idleBacklog) return { status: 'healthy', reason: `backlog ${backlog}, idle (at most ${o.idleBacklog})`, metrics };
    if (window === undefined || then === undefined)
      return { status: 'healthy', reason: `backlog ${backlog} (drain measured after ${over}: ${past.length} so far)`, metrics };
    const earlier = window.slice(0, -1);
    if (earlier.every((b) => b > backlog)) return { status: 'healthy', reason: `backlog ${backlog}, draining: ${then} ${over} ago`, metrics };
    if (window.every((b) => b === backlog) || earlier.every((b) => b < backlog))
      return { status: 'degraded', reason: `backlog ${backlog}, not draining: ${then} ${over} ago`, metrics };
    // Neither below nor above everything in the window (it went down and up again): the last
    // verdict stands, so a backlog moving around a level does not flap.
    const held = lastJudged(ctx.history) === 'healthy' ? 'healthy' : 'degraded';
    const trend = backlog < then ? `draining: ${then} ${over} ago` : held === 'healthy' ? `holding: ${then} ${over} ago` : `still not drained: ${then} ${over} ago`;
    return { status: held, reason: `backlog ${backlog}, ${trend}`, metrics };
  },
});
