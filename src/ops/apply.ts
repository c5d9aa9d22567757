import fs from 'node:fs';
import type { Config } from '../config/load.js';
import { SyntaxChecker } from '../engine/checker.js';
import { decodeSource } from '../analysis/decode.js';
import { commitFix } from '../git/commit.js';
import { proposalsDir, readProposal, saveProposal, type ProposedFile, type StoredProposal } from '../git/propose.js';
import { layOver } from '../git/repo.js';
import { fixBug } from '../repair/fix.js';
import { reviveAfterFix } from '../repair/revive.js';
import type { OtherFileChange, Repairer } from '../repair/types.js';
import { recordAttempt } from '../state/holds.js';
import { appendLog, type FixEntry, type RevertEntry } from '../state/log.js';
import { enqueueLogEntries } from '../notify/deliver.js';
import { loadState, saveState } from '../state/state.js';
import { isoTime, systemClock, type Clock } from '../util/clock.js';
import { SafetyError, UsageError } from '../util/errors.js';
import { scrubberFor } from '../util/secrets.js';
import { validatorsByName } from '../validate/registry.js';
import { sha256 } from '../workspace/atomic.js';
import { journalFor } from '../workspace/journal.js';
import { acquireLock } from '../workspace/lock.js';

export interface ApplyOptions {
  config: Config;
  /** A proposed fix's id, or a unique prefix of one. */
  target: string;
  clock?: Clock;
  /** Set when the caller already holds the state lock (a server inside the daemon, between cycles). */
  lockHeld?: boolean;
}

export interface ApplyReport {
  proposal: string;
  file: string;
  /** The fix entry this apply made (`applied`, or why not). */
  fix: FixEntry;
}

/**
 * Put a proposed fix in place: validated again against the file as it is now, through the same
 * pipeline as any fix (backup, journal, atomic write, the configured validation steps in memory and
 * on disk, the original back at once if one fails), then a commit in `git.mode: commit`.
 * Refuses, changing nothing, when the file changed so that the proposal no longer applies.
 */
export async function applyProposal(opts: ApplyOptions): Promise<ApplyReport> {
  const { config } = opts;
  const clock = opts.clock ?? systemClock;
  const lock = opts.lockHeld ? undefined : acquireLock(config.stateDir, 'apply');
  const scrub = scrubberFor(config);
  try {
    const journal = journalFor(config);
    const recovered = journal.recover();
    if (recovered.length)
      appendLog(config.stateDir, recovered.map((n) => ({ type: 'recovery' as const, id: `recovery-${clock.now()}`, time: isoTime(clock.now()), ...n })), config.maxLogEntries, scrub);
    const stored = findProposal(config.stateDir, opts.target);
    if (stored.appliedAs) throw new UsageError(`proposal ${stored.id} was already applied (fix ${stored.appliedAs}, ${stored.appliedAt})`);

    // Each file as it is now decides: the proposal itself, or its change laid over later edits.
    const candidate = laidOver(stored, stored.id).text;
    const others: OtherFileChange[] = (stored.others ?? []).map((o) => laidOver(o, stored.id));
    const rung: Repairer = {
      name: 'proposal',
      description: `proposal ${stored.id}`,
      handles: [stored.bug.kind],
      repair: () => Promise.resolve({ ok: true, text: candidate, strategy: stored.strategy, note: `proposal ${stored.id} (${stored.strategy}) applied by hand`, ...(others.length ? { others } : {}) }),
    };
    const checker = await SyntaxChecker.create(config.node);
    let fix: FixEntry;
    try {
      fix = await fixBug(stored.bug, { config, checker, ladder: [rung], validators: validatorsByName(config.validators), journal, clock, dryRun: false, policy: () => 'apply', fromProposal: stored.id });
    } finally {
      await checker.close();
    }
    const state = loadState(config.stateDir);
    let undone: RevertEntry | undefined;
    if (fix.outcome === 'applied') {
      // As in a cycle: the process down because of this file runs again (the fix undone if its error comes back).
      undone = await reviveAfterFix(fix, stored.bug, { config, clock, offsets: state.logOffsets });
    }
    if (fix.outcome === 'applied') {
      await commitFix(fix, config);
      saveProposal(config.stateDir, { ...stored, appliedAs: fix.id, appliedAt: fix.time });
    }
    recordAttempt(state, fix);
    if (fix.outcome === 'applied') state.totalFixes++;
    if (fix.outcome === 'reverted') state.totalReverts++;
    saveState(config.stateDir, state, scrub);
    const entries = undone ? [undone, fix] : [fix];
    appendLog(config.stateDir, entries, config.maxLogEntries, scrub);
    enqueueLogEntries(config, entries);
    return { proposal: stored.id, file: stored.file, fix };
  } finally {
    lock?.release();
  }
}

/**
 * A proposed file's change on the file as it is now: the proposed text when the file is as it
 * was, else the change laid over later edits. Refuses, naming the file, when that no longer fits.
 */
function laidOver(p: Pick<ProposedFile, 'file' | 'originalHash' | 'original' | 'text'>, id: string): OtherFileChange {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(p.file);
  } catch {
    throw new SafetyError(`${p.file} is gone; proposal ${id} cannot be applied`);
  }
  const decoded = decodeSource(bytes);
  if (!decoded.ok) throw new SafetyError(`${p.file}: ${decoded.reason}; nothing written`);
  const text = sha256(bytes) === p.originalHash ? p.text : layOver(decoded.text, p.original, p.text);
  if (text === undefined)
    throw new SafetyError(`${p.file} changed since fix ${id} was proposed, and the proposal no longer applies to it; nothing written (the next cycle proposes afresh)`);
  return { file: p.file, before: decoded.text, text };
}

function findProposal(stateDir: string, target: string): StoredProposal {
  let ids: string[] = [];
  try {
    ids = fs.readdirSync(proposalsDir(stateDir)).filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -5));
  } catch {
    /* none kept yet */
  }
  const hits = ids.filter((id) => id === target || id.startsWith(target));
  if (hits.length > 1 && !hits.includes(target)) throw new UsageError(`"${target}" matches ${hits.length} proposals; give more of the id`);
  const id = hits.includes(target) ? target : hits[0];
  const p = id ? readProposal(stateDir, id) : undefined;
  if (!p) throw new UsageError(`no proposed fix matches "${target}" (\`mechanic log\` shows proposed fixes and their ids)`);
  return p;
}
