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

/**
 * A backlog measured every cycle: healthy when empty or draining; degraded when it has not gone
 * down over the last `drainCycles` results; down above `maxBacklog`.
 */
export const queueProbe = defineProbe({
  kind: 'queue',
  description: 'Queue drain: a backlog (SQL, command or folder) that must go down over cycles',
  options: z
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
    }),
  async check(o, ctx) {
    const backlog = await measure(o, ctx);
    const past = pastBacklogs(ctx.history);
    const metrics: Record<string, number> = { backlog };
    const then = past.length >= o.drainCycles ? past[past.length - o.drainCycles] : undefined;
    if (then !== undefined) metrics.drainPerCycle = (then - backlog) / o.drainCycles;
    const over = `${o.drainCycles} cycle${o.drainCycles === 1 ? '' : 's'}`;
    if (o.maxBacklog !== undefined && backlog > o.maxBacklog)
      return { status: 'down', reason: `backlog ${backlog}, over ${o.maxBacklog}`, metrics };
    if (backlog <= 0) return { status: 'healthy', reason: 'backlog empty', metrics };
    if (then === undefined)
      return { status: 'healthy', reason: `backlog ${backlog} (drain measured after ${over}: ${past.length} so far)`, metrics };
    if (backlog >= then)
      return { status: 'degraded', reason: `backlog ${backlog}, not draining: ${then} ${over} ago`, metrics };
    return { status: 'healthy', reason: `backlog ${backlog}, draining: ${then} ${over} ago`, metrics };
  },
});
