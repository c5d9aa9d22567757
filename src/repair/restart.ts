import fs from 'node:fs';
import type { Config } from '../config/load.js';
import { groupErrors, toBugs } from '../discover/logs/group.js';
import { readLogsIncrementally } from '../discover/logs/read.js';
import type { Bug } from '../discover/types.js';
import { listPm2, processOfLog, restartPm2, type Pm2Process } from '../pm2/pm2.js';
import type { LogOffset } from '../state/state.js';
import type { Clock } from '../util/clock.js';
import { errorMessage } from '../util/errors.js';
import { isInsideAny } from '../workspace/paths.js';
import { defaultScrub, scrubberFor, type Scrub } from '../util/secrets.js';

export interface RestartResult {
  process: string;
  ok: boolean;
  reason: string;
  /** The same error at the same place was logged again after the restart. */
  cameBack?: boolean;
}

/**
 * Restart the PM2 process `target` (by default the one that logged `bug`), then watch its error
 * logs for `restartCheckMs`: the restart worked when the process is online and the same error
 * has not come back. The logs' read offsets move on, so what was read here is not read again
 * next cycle.
 */
export async function restartAndWatch(
  bug: Bug,
  ctx: { config: Config; clock: Clock; offsets: Record<string, LogOffset>; signal?: AbortSignal },
  target?: { name: string; errLogs: readonly string[]; down?: boolean },
): Promise<RestartResult | undefined> {
  const { config } = ctx;
  let proc: { name: string; errLogs: readonly string[] } | undefined;
  try {
    proc = target ?? (bug.log ? await processOfLog(config, bug.log) : undefined);
  } catch (err) {
    const who = bug.process ?? `the process that writes ${bug.log}`;
    return { process: bug.process ?? '', ok: false, reason: `not restarted: ${who} could not be looked up (${errorMessage(err)})` };
  }
  const name = target?.name ?? bug.process ?? proc?.name;
  if (!name) return undefined;
  const logs = [...new Set([...(proc?.errLogs ?? []), ...(!target && bug.log ? [bug.log] : [])])];
  const skipWritten = () => Object.assign(ctx.offsets, readLogsIncrementally(logs, ctx.offsets, { now: ctx.clock.now(), quietMs: 0 }).offsets);
  // A process that is down writes nothing: everything in its logs now is from before the restart.
  if (target?.down) skipWritten();
  const restarted = await restartPm2(config, name);
  if (!restarted.ok) return { process: name, ok: false, reason: restarted.reason };
  // A running one is being stopped, and PM2 writes logs asynchronously: let the old process's
  // last lines land, then skip past everything written so far. A new process that still fails
  // fails again within the window.
  const settle = target?.down ? 0 : Math.min(500, Math.floor(config.restartCheckMs / 4));
  if (settle) {
    await ctx.clock.sleep(settle, ctx.signal);
    skipWritten();
  }
  await ctx.clock.sleep(config.restartCheckMs - settle, ctx.signal);
  const after = readLogsIncrementally(logs, ctx.offsets, { now: ctx.clock.now(), quietMs: 0 });
  Object.assign(ctx.offsets, after.offsets);
  const again = toBugs(groupErrors(after.errors, { isProjectFile: (f) => isInsideAny(f, config.roots) && fs.existsSync(f), now: ctx.clock.now() }));
  if (again.some((b) => sameError(b, bug, scrubberFor(config))))
    return { process: name, ok: false, cameBack: true, reason: `restarted ${name}, but ${bug.errorType}: ${bug.message} came back within ${config.restartCheckMs} ms` };
  if (ctx.signal?.aborted) return { process: name, ok: false, reason: `restarted ${name}; the watch was cut short by shutdown, so it is not known whether the error comes back` };
  let list: Pm2Process[];
  try {
    list = await listPm2(config);
  } catch (err) {
    return { process: name, ok: false, reason: `restarted ${name}, but whether it runs is not known: ${errorMessage(err)}` };
  }
  const statuses = list.find((p) => p.name === name)?.statuses ?? [];
  if (statuses.length && !statuses.every((s) => s === 'online'))
    return { process: name, ok: false, reason: `restarted ${name}, but it is ${statuses.join('/')} after ${config.restartCheckMs} ms` };
  return { process: name, ok: true, reason: `restarted ${name}; the error did not come back within ${config.restartCheckMs} ms` };
}

/**
 * The same error at the same place: the same error type in the same file, with the same message
 * or at the same line (a fix that moved the line keeps the message; a message that quotes a
 * value may change while the line does not). Messages are compared scrubbed: a bug carried in
 * the state holds its message scrubbed of secrets, the log the message as it was.
 */
export function sameError(seen: Pick<Bug, 'file' | 'errorType' | 'message' | 'line'>, bug: Pick<Bug, 'file' | 'errorType' | 'message' | 'line'>, scrub: Scrub = defaultScrub): boolean {
  const sameMessage = seen.message === bug.message || scrub(seen.message) === scrub(bug.message);
  return seen.file === bug.file && seen.errorType === bug.errorType && (sameMessage || (bug.line > 0 && seen.line === bug.line));
}
