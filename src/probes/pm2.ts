import { z } from 'zod';
import { minimalEnv } from '../util/proc.js';
import type { Health, ProbeResult } from './types.js';
import { describeExit, lastLine } from './command.js';
import { resolvePath, worst } from './common.js';
import { defineProbe } from './types.js';
import { parseJlist } from '../pm2/pm2.js';

/** PM2 statuses on the way back up after a crash: not down yet, not healthy either. */
const RESTARTING = new Set(['launching', 'waiting restart']);

/** The restart count of `name` in the latest earlier result that recorded one. */
function previousRestarts(history: readonly ProbeResult[], name: string): number | undefined {
  for (let i = history.length - 1; i >= 0; i--) {
    const v = history[i]?.metrics?.[`restarts:${name}`];
    if (typeof v === 'number') return v;
  }
  return undefined;
}

/**
 * PM2's processes (`pm2 jlist`): every one (or the named ones) must exist and be online; more
 * than `maxRestarts` restarts since the last cycle is degraded.
 */
export const pm2Probe = defineProbe({
  kind: 'pm2',
  description: 'PM2 processes: present, online, and not restarting too often',
  options: () => z.object({
    kind: z.literal('pm2'),
    /** Names that must exist and be online; default every process PM2 knows. */
    processes: z.array(z.string().min(1)).min(1).optional(),
    /** Restarts per process since the last cycle above this is degraded; unset: not judged. */
    maxRestarts: z.number().int().min(0).optional(),
    /** PM2's home (its daemon, default `~/.pm2` or $PM2_HOME). */
    pm2Home: z.string().min(1).optional(),
    pm2Bin: z.string().min(1).default('pm2'),
  }),
  async check(o, ctx) {
    const bin = o.pm2Bin.includes('/') ? resolvePath(o.pm2Bin, ctx.baseDir) : o.pm2Bin;
    const env = minimalEnv(o.pm2Home !== undefined ? { PM2_HOME: resolvePath(o.pm2Home, ctx.baseDir) } : {});
    // Each entry carries its process's environment: the list can be large, and must not be cut.
    const res = await ctx.run(bin, ['jlist'], { env, signal: ctx.signal, cwd: ctx.baseDir, maxOutputBytes: 64 * 1024 * 1024 });
    if (res.spawnError) throw new Error(`cannot start ${o.pm2Bin}: ${res.spawnError}`);
    if (res.code !== 0) {
      const why = lastLine(res.stderr); // not stdout: it may hold the process list and its environments
      throw new Error(`pm2 jlist: ${describeExit(res)}${why ? `: ${why}` : ''}`);
    }
    const all = parseJlist(res.stdout);
    const wanted = o.processes ?? all.map((p) => p.name);
    let status: Health = 'healthy';
    const problems: string[] = [];
    const metrics: Record<string, number> = {};
    let online = 0;
    for (const name of wanted) {
      const p = all.find((q) => q.name === name);
      if (!p) {
        problems.push(`${name} missing`);
        status = 'down';
        continue;
      }
      metrics[`restarts:${name}`] = p.restarts;
      const bad = p.statuses.filter((s) => s !== 'online');
      if (bad.length === 0) online++;
      else if (bad.every((s) => RESTARTING.has(s))) {
        problems.push(`${name} ${bad[0]}`);
        status = worst(status, 'degraded');
      } else {
        problems.push(`${name} ${bad.find((s) => !RESTARTING.has(s))}`);
        status = 'down';
      }
      const before = previousRestarts(ctx.history, name);
      if (o.maxRestarts !== undefined && before !== undefined) {
        // A smaller count means PM2 reset it (pm2 reset, a new daemon): count from zero.
        const since = p.restarts >= before ? p.restarts - before : p.restarts;
        if (since > o.maxRestarts) {
          problems.push(`${name} restarted ${since} time${since === 1 ? '' : 's'} since the last cycle, over ${o.maxRestarts}`);
          status = worst(status, 'degraded');
        }
      }
    }
    metrics.online = online;
    metrics.processes = wanted.length;
    const count = `${online}/${wanted.length} online`;
    if (wanted.length === 0) return { status: 'healthy', reason: 'no PM2 processes', metrics };
    if (problems.length > 0) return { status, reason: `${count}: ${problems.join('; ')}`, metrics };
    return { status, reason: count, metrics };
  },
});
