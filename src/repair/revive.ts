import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Config } from '../config/load.js';
import type { Bug } from '../discover/types.js';
import { listPm2, type Pm2Process } from '../pm2/pm2.js';
import type { FixEntry, RevertEntry } from '../state/log.js';
import type { LogOffset } from '../state/state.js';
import { isoTime, type Clock } from '../util/clock.js';
import { errorMessage } from '../util/errors.js';
import { restartAndWatch, type RestartResult } from './restart.js';
import { restoreFix } from './undo.js';
import { realPathOf } from '../workspace/paths.js';

/** PM2 statuses of a process that is not running: crashed for good, stopped, or between two crashes. */
const DOWN = new Set(['errored', 'stopped', 'waiting restart']);
/** How much of the end of an error log is searched for the fixed file's name. */
const LOG_TAIL_BYTES = 64 * 1024;

export interface ReviveContext {
  config: Config;
  clock: Clock;
  offsets: Record<string, LogOffset>;
  signal?: AbortSignal;
}

/**
 * A fix is done when the service runs again. After a fix lands:
 * - every PM2 process that runs the fixed file and is down because of it is started again at
 *   once (a restart is not an edit: no cooldown holds it, `restartStale` or not);
 * - with `restartStale`, the online process that logged a runtime bug is restarted to load the fix.
 * Each restarted process's error logs are watched for `restartCheckMs`. If the same error at the
 * same place comes back, the fix did not cure it: it is reverted from its backup, and the entry
 * says so (outcome `reverted`). Returns the log entry of that revert.
 *
 * Which process runs a file: one whose error log the runtime bug came from, one whose error log
 * names the file near its end (a crash in the script, or in a module it loads: the banner or the
 * stack names the file), or one whose script (`pm_exec_path`) is the file. A process is down
 * because of the file when it is `errored` or between crashes, or `stopped` by a crash (a non-zero
 * exit code) with the file named in its error log: a process a person stopped stays stopped, even
 * when an older crash in its log names the file.
 */
export async function reviveAfterFix(entry: FixEntry, bug: Bug, ctx: ReviveContext): Promise<RevertEntry | undefined> {
  const { config } = ctx;
  let list: Pm2Process[];
  try {
    list = await listPm2(config, ctx.signal);
  } catch (err) {
    // Not "no process": whether one runs this file and is down is simply not known.
    entry.reason += `; whether a PM2 process runs this file is not known: ${errorMessage(err)}`;
    return undefined;
  }
  const targets: (Pm2Process & { down: boolean })[] = [];
  for (const p of list) {
    const named = p.errLogs.some((l) => (bug.log !== undefined && path.resolve(l) === path.resolve(bug.log)) || logNames(l, bug.file));
    const runs = named || p.execPaths.some((e) => (realPathOf(e) ?? path.resolve(e)) === bug.file);
    if (!runs) continue;
    // `stopped` by a crash (autorestart off) ends with an exit code; `pm2 stop` ends it by a signal
    const down = p.statuses.some((s, i) => DOWN.has(s) && (s !== 'stopped' || (named && !!p.exitCodes[i])));
    const stale = config.restartStale && bug.kind === 'runtime' && bug.log !== undefined && p.errLogs.some((l) => path.resolve(l) === path.resolve(bug.log!));
    if (down || stale) targets.push({ ...p, down });
  }
  if (!targets.length) return undefined;

  // Side by side: each watches its own logs for restartCheckMs.
  const results = (await Promise.all(targets.map((p) => restartAndWatch(bug, ctx, p)))).filter((r): r is RestartResult => r !== undefined);
  if (!results.length) return undefined;
  entry.restart = {
    process: results.map((r) => r.process).join(', '),
    ok: results.every((r) => r.ok),
    reason: results.map((r) => r.reason).join('; '),
  };
  entry.reason += `; ${entry.restart.reason}`;
  if (!results.some((r) => r.cameBack)) return undefined;

  // The fix parsed and passed every check, yet the process still fails the same way: undo it.
  const now = ctx.clock.now();
  try {
    const restored = restoreFix(config, entry, now);
    const main = restored.find((r) => r.file === entry.file) ?? restored[0]!;
    const others = restored.filter((r) => r !== main);
    entry.outcome = 'reverted';
    entry.revertedAt = isoTime(now);
    entry.reason += `; the fix did not cure it: reverted, ${restored.length > 1 ? 'every file restored' : 'the original restored'}`;
    return { type: 'revert', id: `revert-${entry.id}`, time: isoTime(now), file: entry.file, fixId: entry.id, backup: main.restoredFrom, savedCurrent: main.savedCurrent, ...(others.length ? { others } : {}) };
  } catch (err) {
    entry.reason += `; the fix did not cure it, but could not be reverted: ${errorMessage(err)}`;
    return undefined;
  }
}

/** Whether the end of an error log names `file` (as a path or a file:// URL). */
function logNames(log: string, file: string): boolean {
  let fd: number | undefined;
  try {
    fd = fs.openSync(log, 'r');
    const size = fs.fstatSync(fd).size;
    const length = Math.min(size, LOG_TAIL_BYTES);
    const buf = Buffer.alloc(length);
    fs.readSync(fd, buf, 0, length, size - length);
    const tail = buf.toString('utf8');
    // The name as a whole: followed by a position, a closing parenthesis or the line's end.
    return [file, pathToFileURL(file).href].some((name) => new RegExp(`${escapeRegExp(name)}(?=[:)\\s]|$)`, 'm').test(tail));
  } catch {
    return false;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
