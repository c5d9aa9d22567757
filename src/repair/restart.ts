import fs from 'node:fs';
import type { Config } from '../config/load.js';
import { groupErrors, toBugs } from '../discover/logs/group.js';
import { readLogsIncrementally } from '../discover/logs/read.js';
import type { Bug } from '../discover/types.js';
import { listPm2, processOfLog, restartPm2 } from '../pm2.js';
import type { LogOffset } from '../state/state.js';
import type { Clock } from '../util/clock.js';
import { isInsideAny } from '../workspace/paths.js';

export interface RestartResult {
  process: string;
  ok: boolean;
  reason: string;
}

/**
 * Restart the PM2 process that logged `bug`, then watch its log for `restartCheckMs`: the
 * restart worked when the process is online and the same error has not come back. The log's
 * read offset moves on, so what was read here is not read again next cycle.
 */
export async function restartAndWatch(
  bug: Bug,
  ctx: { config: Config; clock: Clock; offsets: Record<string, LogOffset>; signal?: AbortSignal },
): Promise<RestartResult | undefined> {
  const { config } = ctx;
  if (!bug.log) return undefined;
  const name = bug.process ?? (await processOfLog(config, bug.log))?.name;
  if (!name) return undefined;
  bug.process = name;
  const restarted = await restartPm2(config, name);
  if (!restarted.ok) return { process: name, ok: false, reason: restarted.reason };
  // PM2 writes logs asynchronously: let the old process's last lines land, then skip past
  // everything written so far. A new process that still fails fails again within the window.
  const settle = Math.min(500, Math.floor(config.restartCheckMs / 4));
  await ctx.clock.sleep(settle, ctx.signal);
  const before = readLogsIncrementally([bug.log], ctx.offsets, { now: ctx.clock.now(), quietMs: 0 });
  Object.assign(ctx.offsets, before.offsets);
  await ctx.clock.sleep(config.restartCheckMs - settle, ctx.signal);
  const after = readLogsIncrementally([bug.log], ctx.offsets, { now: ctx.clock.now(), quietMs: 0 });
  Object.assign(ctx.offsets, after.offsets);
  const again = toBugs(groupErrors(after.errors, { isProjectFile: (f) => isInsideAny(f, config.roots) && fs.existsSync(f), now: ctx.clock.now() }));
  if (again.some((b) => b.id === bug.id))
    return { process: name, ok: false, reason: `restarted ${name}, but ${bug.errorType}: ${bug.message} came back within ${config.restartCheckMs} ms` };
  const list = await listPm2(config).catch(() => []);
  const statuses = list.find((p) => p.name === name)?.statuses ?? [];
  if (statuses.length && !statuses.every((s) => s === 'online'))
    return { process: name, ok: false, reason: `restarted ${name}, but it is ${statuses.join('/')} after ${config.restartCheckMs} ms` };
  return { process: name, ok: true, reason: `restarted ${name}; the error did not come back within ${config.restartCheckMs} ms` };
}
