import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/load.js';
import { appendLog, readLog, rewriteLog, type FixEntry, type RevertEntry } from '../state/log.js';
import { isoTime, systemClock, type Clock } from '../util/clock.js';
import { UsageError } from '../util/errors.js';
import { scrubberFor } from '../util/secrets.js';
import { restoreFix, type Restored } from '../repair/undo.js';
import { acquireLock } from '../workspace/lock.js';
import { sha256 } from '../workspace/atomic.js';
import { loadHolds, saveHolds } from '../state/holds.js';
import { realPathOf } from '../workspace/paths.js';
import { journalFor } from '../workspace/journal.js';
import { enqueueLogEntries } from '../notify/deliver.js';
import { commitRevert } from '../git/commit.js';

export interface RevertOptions {
  config: Config;
  /** A fix id (or a unique prefix of one), or a file whose latest applied fix is undone. */
  target: string;
  /** Revert even when the file changed after the fix (what it holds now is backed up first). */
  force?: boolean;
  clock?: Clock;
  /** Set when the caller already holds the state lock (a server inside the daemon, between cycles). */
  lockHeld?: boolean;
  cwd?: string;
}

export interface RevertReport {
  fixId: string;
  file: string;
  restoredFrom: string;
  savedCurrent: string;
  /** A fix across files: the other files put back with it. */
  others?: Restored[];
  /** A fix that was a commit: the revert commit, or why there is none. */
  commit?: string;
  git?: string;
}

/**
 * Undo an applied fix: the file gets its pre-fix bytes back, and what it held is kept too. A fix
 * that was a commit (`git.mode: commit`) also gets a revert commit.
 */
export async function revertFix(opts: RevertOptions): Promise<RevertReport> {
  const { config } = opts;
  const clock = opts.clock ?? systemClock;
  const lock = opts.lockHeld ? undefined : acquireLock(config.stateDir, 'revert');
  try {
    // Like every command that changes files: first settle any fix a crash interrupted.
    const recovered = journalFor(config).recover();
    if (recovered.length)
      appendLog(
        config.stateDir,
        recovered.map((n) => ({ type: 'recovery' as const, id: `recovery-${clock.now()}`, time: isoTime(clock.now()), ...n })),
        config.maxLogEntries,
        scrubberFor(config),
      );
    const entries = readLog(config.stateDir);
    const fix = findFix(entries.filter((e): e is FixEntry => e.type === 'fix' && e.outcome === 'applied'), opts);
    if (fix.revertedAt) throw new UsageError(`fix ${fix.id} was already reverted at ${fix.revertedAt}`);
    const now = clock.now();
    const restored = restoreFix(config, fix, now, !!opts.force);
    const main = restored.find((r) => r.file === fix.file) ?? restored[0]!;
    const others = restored.filter((r) => r !== main);
    const { restoredFrom, savedCurrent } = main;
    fix.revertedAt = isoTime(now);
    rewriteLog(config.stateDir, entries, scrubberFor(config));
    const entry: RevertEntry = { type: 'revert', id: `revert-${fix.id}`, time: isoTime(now), file: fix.file, fixId: fix.id, backup: restoredFrom, savedCurrent, ...(others.length ? { others } : {}) };
    const committed = await commitRevert(fix, config);
    if (committed?.commit) entry.commit = committed.commit;
    appendLog(config.stateDir, [entry], config.maxLogEntries, scrubberFor(config));
    enqueueLogEntries(config, [entry]);
    // A person undid it: the cycle does not fix the file again while it holds what they put back.
    const holds = loadHolds(config.stateDir);
    holds.reverted[fix.file] = { fixId: fix.id, at: isoTime(now), hash: sha256(fs.readFileSync(fix.file)) };
    saveHolds(config.stateDir, holds);
    return {
      fixId: fix.id,
      file: fix.file,
      restoredFrom,
      savedCurrent,
      ...(others.length ? { others } : {}),
      ...(committed?.commit ? { commit: committed.commit } : {}),
      ...(committed ? { git: committed.commit ? committed.note.replace('committed', 'revert committed') : `no revert commit: ${committed.note}` } : {}),
    };
  } finally {
    lock?.release();
  }
}

function findFix(applied: FixEntry[], opts: RevertOptions): FixEntry {
  const byId = applied.filter((e) => e.id === opts.target || e.id.startsWith(opts.target));
  if (byId.length === 1) return byId[0]!;
  if (byId.length > 1) throw new UsageError(`"${opts.target}" matches ${byId.length} fixes; give more of the id`);
  const asPath = path.resolve(opts.cwd ?? process.cwd(), opts.target);
  const real = realPathOf(asPath) ?? asPath;
  // A fix across files is found by any of them.
  const forFile = applied.filter((e) => (e.file === real || e.others?.some((o) => o.file === real)) && !e.revertedAt);
  if (forFile.length) return forFile[forFile.length - 1]!;
  throw new UsageError(`no applied fix matches "${opts.target}" (give a fix id from \`mechanic log\`, or a fixed file)`);
}
