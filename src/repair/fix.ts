import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createTwoFilesPatch } from 'diff';
import type { Config } from '../config/load.js';
import type { SyntaxChecker } from '../discover/syntax/checker.js';
import type { ModuleFormat } from '../discover/syntax/compile.js';
import { decodeSource } from '../discover/syntax/decode.js';
import type { Bug } from '../discover/types.js';
import type { AttemptStep, FixEntry } from '../state/log.js';
import type { FixOutcome } from '../state/state.js';
import type { Clock } from '../util/clock.js';
import { isoTime } from '../util/clock.js';
import { errorMessage } from '../util/errors.js';
import { validateFix } from '../validate/registry.js';
import { withExportReference } from '../validate/last-good.js';
import { hasModuleSyntax } from '../validate/surface.js';
import { isJavaScript, type ValidationInput, type Validator } from '../validate/types.js';
import { sha256, writeFileAtomic } from '../workspace/atomic.js';
import { stamp, writeBackup } from '../workspace/backup.js';
import type { Journal } from '../workspace/journal.js';
import { containedRealPath } from '../workspace/paths.js';
import { redactorFor } from '../llm/redact.js';
import type { Repairer } from './types.js';

export interface FixContext {
  config: Config;
  checker: SyntaxChecker;
  ladder: readonly Repairer[];
  validators: readonly Validator[];
  journal: Journal;
  clock: Clock;
  dryRun: boolean;
  signal?: AbortSignal;
}

export function newFixId(now: number): string {
  return `${stamp(now).slice(0, 19).replace(/-/g, '').replace('T', '-')}-${randomBytes(3).toString('hex')}`;
}

/** The log entry of one attempt (or skip) on a bug, before the ladder fills it in. */
export function fixEntry(bug: Bug, id: string, at: number, outcome: FixOutcome, reason: string, strategy = 'none'): FixEntry {
  return {
    type: 'fix',
    id,
    time: isoTime(at),
    file: bug.file,
    bug: { id: bug.id, kind: bug.kind, errorType: bug.errorType, message: bug.message, line: bug.line, column: bug.column, source: bug.source },
    strategy,
    outcome,
    reason,
    steps: [],
  };
}

/** A unified diff of a change, with paths relative to the root. */
export function unifiedDiff(config: Pick<Config, 'roots'>, file: string, before: string, after: string): string {
  const root = config.roots.find((r) => file.startsWith(r + path.sep));
  const name = root ? path.relative(root, file) : file;
  return createTwoFilesPatch(`a/${name}`, `b/${name}`, before, after, undefined, undefined, { context: 3 });
}

/**
 * Take one bug up the repair ladder. Every candidate is validated in memory first; one that
 * passes is written atomically (backup and journal first), checked again on disk, and put back
 * to the original bytes at once if that check fails.
 */
export async function fixBug(bug: Bug, ctx: FixContext): Promise<FixEntry> {
  const started = ctx.clock.now();
  const entry = fixEntry(bug, newFixId(started), started, 'failed', '');
  if (ctx.dryRun) entry.dryRun = true;
  const done = (outcome: FixOutcome, reason: string) => {
    entry.outcome = outcome;
    entry.reason = reason;
    if (ctx.config.llm.redact) scrubEntry(entry, ctx.config);
    return entry;
  };

  // The real path decides: a link inside the roots that leads out of them is not followed.
  if (!containedRealPath(bug.file, ctx.config.roots)) return done('skipped', 'outside the configured roots (or a link that leads out of them)');
  let st: fs.Stats;
  try {
    st = fs.lstatSync(bug.file);
  } catch (err) {
    return done('skipped', `cannot read the file: ${errorMessage(err)}`);
  }
  if (st.isSymbolicLink()) return done('skipped', 'a symbolic link: the file it points to is repaired under its own path, if at all');
  if (!st.isFile()) return done('skipped', 'not a regular file');
  // Nobody may write it: someone made it read-only on purpose. (Root could, so the bits decide.)
  if ((st.mode & 0o222) === 0) return done('failed', 'the file is read-only (no write permission bits); left as it is');
  if (st.size > ctx.config.maxFileBytes) return done('skipped', `${st.size} bytes, over maxFileBytes (${ctx.config.maxFileBytes})`);
  let originalBytes: Buffer;
  try {
    originalBytes = fs.readFileSync(bug.file);
  } catch (err) {
    return done('skipped', `cannot read the file: ${errorMessage(err)}`);
  }
  const decoded = decodeSource(originalBytes);
  if (!decoded.ok) return done('skipped', decoded.reason);
  const original = decoded.text;
  const originalHash = sha256(originalBytes);
  entry.originalHash = originalHash;
  const format = formatFor(ctx.checker, bug.file, original);
  // What the repair and the exports step hold the export surface to, looked up once.
  const subject = await withExportReference(bug, original, format);
  let lastRejection: string | undefined;

  for (const rung of ctx.ladder) {
    if (!rung.handles.includes(bug.kind)) continue;
    if (ctx.signal?.aborted) break;
    // One budget for every attempt of this rung at this file; a shutdown cuts it short too.
    const budget = rung.budgetMs !== undefined ? AbortSignal.timeout(rung.budgetMs) : undefined;
    const signal = budget ? (ctx.signal ? AbortSignal.any([ctx.signal, budget]) : budget) : ctx.signal;
    let feedback: string | undefined;
    for (let attempt = 1; attempt <= (rung.learnsFromFeedback ? 2 : 1); attempt++) {
      if (attempt > 1 && (feedback === undefined || signal?.aborted)) break;
      const t0 = ctx.clock.now();
      const step = (result: AttemptStep['result'], reason: string) =>
        entry.steps.push({ strategy: rung.name, result, reason, elapsedMs: ctx.clock.now() - t0 });
      const asked = feedback;
      feedback = undefined;
      let r;
      try {
        r = await rung.repair({ bug: subject, original, file: bug.file, format, ...(signal ? { signal } : {}), ...(asked !== undefined ? { feedback: asked } : {}) });
      } catch (err) {
        step('no-candidate', `failed: ${errorMessage(err)}`);
        break;
      }
      if (!r.ok && r.rejected) {
        lastRejection = `${r.strategy} answer rejected: ${r.reason}`;
        step('rejected', r.reason);
        feedback = r.reason;
        continue;
      }
      if (!r.ok) {
        const outOfTime = budget?.aborted && !ctx.signal?.aborted;
        step('no-candidate', outOfTime ? `the time budget for this file (${rung.budgetMs} ms) ran out: ${r.reason}` : r.reason);
        break;
      }
      entry.strategy = r.strategy;
      if (r.text === original) {
        step('no-candidate', 'the candidate is the file unchanged');
        break;
      }
      const input: ValidationInput = { file: bug.file, bug: subject, before: original, after: r.text, format, checker: ctx.checker, config: ctx.config, ...(ctx.signal ? { signal: ctx.signal } : {}) };
      const verdict = await validateFix(ctx.validators, input, 'memory');
      if (!verdict.ok) {
        lastRejection = `${r.strategy} candidate rejected by validation: ${verdict.reason}`;
        step('rejected', verdict.reason);
        feedback = verdict.reason;
        continue;
      }
      entry.diff = unifiedDiff(ctx.config, bug.file, original, r.text);
      if (ctx.dryRun) {
        step('candidate', r.note);
        return done('skipped', `dry run: ${r.note}; validated, not written`);
      }
      const written = await writeValidated(input, originalBytes, originalHash, entry, ctx);
      step(written.outcome === 'applied' ? 'applied' : 'reverted', written.reason);
      if (written.outcome === 'applied') return done('applied', `${r.note}; validated`);
      if (written.outcome === 'failed') return done('failed', written.reason);
      lastRejection = written.reason;
      feedback = written.reason;
    }
  }

  if (lastRejection) return done('reverted', lastRejection);
  if (ctx.signal?.aborted) return done('failed', 'stopped before a fix was found (shutdown)');
  const reasons = entry.steps.map((s) => `${s.strategy}: ${s.reason}`);
  return done('failed', reasons.length ? reasons.join('; ') : `no repairer handles ${bug.kind} bugs`);
}

async function writeValidated(
  input: ValidationInput,
  originalBytes: Buffer,
  originalHash: string,
  entry: FixEntry,
  ctx: FixContext,
): Promise<{ outcome: 'applied' | 'reverted' | 'failed'; reason: string }> {
  const { file, after: text } = input;
  // Someone may have edited the file while the model thought: their edit wins.
  let current: Buffer;
  try {
    current = fs.readFileSync(file);
  } catch (err) {
    return { outcome: 'failed', reason: `file vanished before writing: ${errorMessage(err)}` };
  }
  if (sha256(current) !== originalHash) return { outcome: 'failed', reason: 'the file changed while the fix was prepared; fix dropped' };

  const fixedBytes = Buffer.from(text, 'utf8');
  const candidateHash = sha256(fixedBytes);
  let backup: string;
  try {
    backup = writeBackup(file, originalBytes, ctx.config.backupDir, ctx.clock.now());
  } catch (err) {
    return { outcome: 'failed', reason: `could not write the backup, nothing changed: ${errorMessage(err)}` };
  }
  entry.backup = backup;
  const journalEntry = { id: entry.id, file, originalHash, backup, candidateHash, phase: 'writing' as const, startedAt: entry.time };
  ctx.journal.begin(journalEntry);
  try {
    writeFileAtomic(file, fixedBytes);
  } catch (err) {
    ctx.journal.end(entry.id);
    return { outcome: 'failed', reason: `could not write the fix, original left in place: ${errorMessage(err)}` };
  }
  const failure = await checkOnDisk(input, candidateHash, ctx);
  if (!failure) {
    ctx.journal.update({ ...journalEntry, phase: 'validated' });
    ctx.journal.end(entry.id);
    entry.fixedHash = candidateHash;
    return { outcome: 'applied', reason: 'written and checked on disk' };
  }
  ctx.journal.update({ ...journalEntry, phase: 'reverting' });
  writeFileAtomic(file, originalBytes);
  ctx.journal.end(entry.id);
  return { outcome: 'reverted', reason: `on-disk check failed (${failure}); original restored` };
}

/**
 * With the fix in place: the bytes are what was written, a JavaScript file gets the node binary's
 * own verdict, and the `disk` validation steps (loading the module, the project's tests) run.
 * Returns why it failed, or undefined.
 */
async function checkOnDisk(input: ValidationInput, candidateHash: string, ctx: FixContext): Promise<string | undefined> {
  if (sha256(fs.readFileSync(input.file)) !== candidateHash) return 'the file on disk is not what was written';
  if (isJavaScript(input.file)) {
    const [onDisk] = await ctx.checker.checkFiles([input.file]);
    if (!onDisk || !('ok' in onDisk)) return `the file could not be checked${onDisk && 'skipped' in onDisk ? `: ${onDisk.skipped}` : ''}`;
    if (!onDisk.ok) return `${onDisk.errorType}: ${onDisk.message}`;
  }
  const disk = await validateFix(ctx.validators, input, 'disk');
  return disk.ok ? undefined : disk.reason;
}

/** The format a file is parsed in; for a typeless .js, what its text looks like. */
function formatFor(checker: SyntaxChecker, file: string, text: string): ModuleFormat {
  if (!isJavaScript(file)) return 'commonjs';
  const f = checker.formatOf(file);
  if (f !== 'ambiguous') return f;
  return hasModuleSyntax(text) ? 'module' : 'commonjs';
}

/** The log keeps no secrets: the diff and every reason are scrubbed (a diff shows its context lines). */
function scrubEntry(entry: FixEntry, config: Pick<Config, 'roots' | 'llm'>): void {
  const r = redactorFor(entry.file, config.roots, config.llm.redactPatterns);
  if (entry.diff) entry.diff = r.scrub(entry.diff);
  entry.reason = r.scrub(entry.reason);
  // A runtime error's message can quote a connection string.
  entry.bug = { ...entry.bug, message: r.scrub(entry.bug.message) };
  for (const s of entry.steps) s.reason = r.scrub(s.reason);
}
