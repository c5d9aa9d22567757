import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createTwoFilesPatch } from 'diff';
import type { Config } from '../config/load.js';
import type { SyntaxChecker } from '../engine/checker.js';
import type { ModuleFormat } from '../analysis/compile.js';
import { decodeSource } from '../analysis/decode.js';
import type { Bug } from '../discover/types.js';
import type { AttemptStep, FixEntry } from '../state/log.js';
import type { FixOutcome } from '../state/state.js';
import type { Clock } from '../util/clock.js';
import { isoTime } from '../util/clock.js';
import { errorMessage } from '../util/errors.js';
import { validateFix } from '../validate/registry.js';
import { settleReference } from '../validate/last-good.js';
import { hasModuleSyntax } from '../analysis/surface.js';
import { isJavaScript, type ValidationInput, type Validator } from '../validate/types.js';
import { sha256, writeFileAtomic } from '../workspace/atomic.js';
import { stamp, writeBackup } from '../workspace/backup.js';
import type { Journal, JournalEntry } from '../workspace/journal.js';
import { containedRealPath, containingRoot, realPathOf, writeRefusal } from '../workspace/paths.js';
import { redactorFor } from '../util/secrets.js';
import { formatConfidence } from './repairers/deterministic.js';
import type { Confidence, OtherFileChange, Proposal, Repairer } from './types.js';
import { makeProtection } from '../workspace/protect.js';
import type { RungAction } from '../config/git.js';
import { keepProposal, pendingProposal } from '../git/propose.js';
import { actionFor } from './policy.js';

export interface FixContext {
  config: Config;
  checker: SyntaxChecker;
  ladder: readonly Repairer[];
  validators: readonly Validator[];
  journal: Journal;
  clock: Clock;
  dryRun: boolean;
  signal?: AbortSignal;
  /** What each rung does with a fix that passed validation; default: `policy` and `git.mode` (see actionFor). */
  policy?: (rung: string) => RungAction;
  /** `mechanic apply`: the proposal being put in place (it does not wait for itself). */
  fromProposal?: string;
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
 *
 * A rung may hold a candidate back (the deterministic rung, below its confidence gate): the
 * ladder goes on, and if no rung writes a fix, that proposal is validated in memory and recorded
 * with its diff as `proposed`, for a person to judge. A proposal is never written.
 */
export async function fixBug(bug: Bug, ctx: FixContext): Promise<FixEntry> {
  const started = ctx.clock.now();
  const entry = fixEntry(bug, newFixId(started), started, 'failed', '');
  if (ctx.dryRun) entry.dryRun = true;
  if (ctx.fromProposal) entry.fromProposal = ctx.fromProposal;
  const done = (outcome: FixOutcome, reason: string) => {
    entry.outcome = outcome;
    entry.reason = reason;
    scrubEntry(entry, ctx.config);
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
  // The check every write passes (the same one before writing, below).
  const refused = writeRefusal(bug.file, ctx.config.roots);
  if (refused) return done('skipped', refused);
  if (!st.isFile()) return done('skipped', 'not a regular file');
  const realAtStart = realPathOf(bug.file);
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
  // A proposal a policy made of this very file waits for a person: no second one (nor model call).
  const waiting = ctx.dryRun || ctx.fromProposal ? undefined : pendingProposal(ctx.config.stateDir, bug.file, originalHash);
  if (waiting) return done('skipped', `proposal ${waiting.id} for this file waits for a person (\`mechanic apply ${waiting.id}\`)`);
  const policy = ctx.policy ?? ((rung: string) => actionFor(ctx.config, rung));
  const format = formatFor(ctx.checker, bug.file, original);
  // What the repair and the exports step hold the export surface to, and the last good text
  // (git HEAD) the undefined-names step takes its baseline from: looked up once.
  const { bug: subject, lastGood } = await settleReference(bug, original, format);
  const validationInput = (after: string): ValidationInput => ({
    file: bug.file,
    bug: subject,
    before: original,
    after,
    format,
    checker: ctx.checker,
    config: ctx.config,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    ...(lastGood !== undefined ? { lastGood } : {}),
  });
  let lastRejection: string | undefined;
  // A candidate failed validation (in memory or on disk): only then is the outcome `reverted`.
  let validationRejected = false;
  // The model server could not be asked: unless some answer was judged, no verdict on the file.
  let outage = false;
  let proposal: (Proposal & { strategy: string }) | undefined;

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
      if (!r.ok && r.proposal) {
        proposal ??= { ...r.proposal, strategy: r.strategy };
        step('proposed', r.reason);
        break;
      }
      if (!r.ok) {
        if (r.outage) outage = true;
        const outOfTime = budget?.aborted && !ctx.signal?.aborted;
        step('no-candidate', outOfTime ? `the time budget for this file (${rung.budgetMs} ms) ran out: ${r.reason}` : r.reason);
        break;
      }
      entry.strategy = r.strategy;
      const changedOthers = (r.others ?? []).filter((o) => o.text !== o.before);
      if (r.text === original && changedOthers.length === 0) {
        step('no-candidate', 'the candidate is the file unchanged');
        break;
      }
      // The other files it changes pass every check the bug's file passed, or the fix is not used.
      const others: Target[] = [];
      let refusedOther: string | undefined;
      for (const o of changedOthers) {
        const t = prepareOther(o, subject, ctx);
        if ('reason' in t) {
          refusedOther = `${displayPath(ctx.config, o.file)}: ${t.reason}`;
          break;
        }
        others.push(t);
      }
      if (refusedOther) {
        lastRejection = `${r.strategy} candidate not used: ${refusedOther}`;
        step('rejected', refusedOther);
        feedback = `the fix may not change that file (${refusedOther})`;
        continue;
      }
      const input = validationInput(r.text);
      const main: Target = { input, realAtStart, originalBytes, originalHash, validators: ctx.validators };
      const targets = r.text === original ? others : [main, ...others];
      const verdict = await validateAll(targets, 'memory');
      if (!verdict.ok) {
        lastRejection = `${r.strategy} candidate rejected by validation: ${verdict.reason}`;
        validationRejected = true;
        step('rejected', verdict.reason);
        feedback = verdict.reason;
        continue;
      }
      entry.diff = targets.map((t) => unifiedDiff(ctx.config, t.input.file, t.input.before, t.input.after)).join('');
      const trust = trustOf(r);
      const action = policy(rung.name);
      if (action !== 'apply') {
        step(action === 'propose' ? 'proposed' : 'candidate', `held back by policy.${rung.name}: ${action}`);
        Object.assign(entry, trust, { validated: verdict.passed, policy: action });
        const what = `${r.note}${confidenceWords(trust)}; validated in memory: ${named(verdict.passed)}`;
        if (action === 'report') return done('skipped', `report only (policy.${rung.name}: report): would apply ${what}; not written`);
        done('proposed', `proposed, not written (policy.${rung.name}: propose${ctx.config.git.mode === 'propose' ? ', git.mode: propose' : ''}): ${what}`);
        const kept = others.map((t) => ({ file: t.input.file, originalHash: t.originalHash, original: t.input.before, text: t.input.after }));
        if (!ctx.dryRun) await keepProposal(entry, bug, original, r.text, true, ctx.config, kept);
        return done('proposed', entry.reason);
      }
      if (ctx.dryRun) {
        step('candidate', r.note);
        Object.assign(entry, trust, { validated: verdict.passed });
        return done('skipped', `dry run: ${r.note}${confidenceWords(trust)}; validated: ${named(verdict.passed)}; not written`);
      }
      const written = await writeValidated(targets, entry, ctx);
      step(written.outcome === 'applied' ? 'applied' : 'reverted', written.reason);
      if (written.outcome === 'applied') {
        const passed = [...new Set([...verdict.passed, ...written.passed])];
        Object.assign(entry, trust, { validated: passed }, r.leftForPerson !== undefined ? { leftForPerson: r.leftForPerson } : {});
        return done('applied', `${r.note}${confidenceWords(trust)}; validated: ${named(passed)}`);
      }
      if (written.outcome === 'failed') return done('failed', written.reason);
      lastRejection = written.reason;
      validationRejected = true;
      feedback = written.reason;
    }
  }

  if (ctx.signal?.aborted && !lastRejection) {
    entry.cut = 'shutdown';
    return done('failed', 'stopped before a fix was found (shutdown)');
  }
  // The model was never heard: whatever else came of it, the file is tried again soon.
  if (outage && !lastRejection) entry.cut = 'model-outage';
  // Nothing written. A proposal a rung held back goes to a person, if it holds up: the same
  // memory steps as any candidate. (Once a candidate was written and restored, that is the outcome.)
  let withdrawn: string | undefined;
  const wrote = entry.backup !== undefined || entry.others !== undefined;
  if (proposal && !wrote && !ctx.signal?.aborted) {
    if (proposal.text === original) withdrawn = `the ${proposal.strategy} proposal is the file unchanged; none to show`;
    else {
      const verdict = await validateFix(ctx.validators, validationInput(proposal.text), 'memory');
      if (verdict.ok) {
        entry.strategy = proposal.strategy;
        entry.diff = unifiedDiff(ctx.config, bug.file, original, proposal.text);
        Object.assign(entry, trustOf(proposal), { validated: verdict.passed });
        const others = entry.steps.filter((s) => s.result !== 'proposed').map((s) => `${s.strategy}: ${s.reason}`);
        const rungName = proposal.strategy.split(':')[0]!;
        if (policy(rungName) === 'report') {
          entry.policy = 'report';
          return done('skipped', [`report only (policy.${rungName}: report): would propose ${proposal.note}`, proposal.held, `validated in memory: ${named(verdict.passed)}`, ...others].join('; '));
        }
        done('proposed', [`proposed, not written: ${proposal.note}`, proposal.held, `validated in memory: ${named(verdict.passed)}`, ...others].join('; '));
        if (!ctx.dryRun) await keepProposal(entry, bug, original, proposal.text, false, ctx.config);
        return done('proposed', entry.reason);
      }
      withdrawn = `the ${proposal.strategy} proposal (${proposal.note}) failed validation too (${verdict.reason}), so it is not proposed`;
    }
  } else if (proposal)
    withdrawn = `the ${proposal.strategy} proposal (${proposal.note}) is not shown: ${wrote ? 'a candidate was written and restored' : 'shutting down'}`;
  const also = withdrawn ? `; ${withdrawn}` : '';
  if (lastRejection && validationRejected) return done('reverted', lastRejection + also);
  // Only the loss guard said no: nothing was written, so nothing was reverted.
  if (lastRejection) return done('failed', lastRejection + also);
  const reasons = entry.steps.map((s) => `${s.strategy}: ${s.reason}`);
  return done('failed', (reasons.length ? reasons.join('; ') : `no repairer handles ${bug.kind} bugs`) + also);
}

/** A candidate's confidence, evidence and rival, for the log entry, when its rung measured them. */
function trustOf(c: Partial<Confidence>): Partial<Confidence> {
  if (c.confidence === undefined) return {};
  return { confidence: c.confidence, evidence: c.evidence ?? [], ...(c.rival !== undefined ? { rival: c.rival } : {}) };
}

function confidenceWords(t: Partial<Confidence>): string {
  return t.confidence === undefined ? '' : `; confidence ${formatConfidence(t.confidence)}`;
}

function named(steps: readonly string[]): string {
  return steps.length ? steps.join(', ') : 'no step applies';
}

/** A file a fix writes: the bug's, or another file of the call chain it changes too. */
interface Target {
  input: ValidationInput;
  realAtStart: string | undefined;
  originalBytes: Buffer;
  originalHash: string;
  /** The steps this file is held to (another file: not the bug's own `error-gone`, nor the project's tests again). */
  validators: readonly Validator[];
}

function displayPath(config: Pick<Config, 'roots'>, file: string): string {
  const root = containingRoot(file, config.roots);
  return root ? path.relative(root, file) : file;
}

/**
 * Another file a candidate changes, held to every rule the bug's file is held to: inside the
 * roots by its real path, no link, not protected, a regular writable file within maxFileBytes,
 * UTF-8, and still the very text the rung built on.
 */
function prepareOther(o: OtherFileChange, subject: Bug, ctx: FixContext): Target | { reason: string } {
  if (!containedRealPath(o.file, ctx.config.roots)) return { reason: 'outside the configured roots (or a link that leads out of them)' };
  const refused = writeRefusal(o.file, ctx.config.roots) ?? makeProtection(ctx.config)(o.file);
  if (refused) return { reason: refused };
  let st: fs.Stats;
  let bytes: Buffer;
  try {
    st = fs.lstatSync(o.file);
    if (!st.isFile()) return { reason: 'not a regular file' };
    if ((st.mode & 0o222) === 0) return { reason: 'the file is read-only (no write permission bits)' };
    if (st.size > ctx.config.maxFileBytes) return { reason: `${st.size} bytes, over maxFileBytes (${ctx.config.maxFileBytes})` };
    bytes = fs.readFileSync(o.file);
  } catch (err) {
    return { reason: `cannot read the file: ${errorMessage(err)}` };
  }
  const decoded = decodeSource(bytes);
  if (!decoded.ok) return { reason: decoded.reason };
  if (decoded.text !== o.before) return { reason: 'the file changed after it was shown to the model' };
  // Held to the file's own exports and names: the bug's reference (its last good exports) is not this file's.
  const bug: Bug = { ...subject, file: o.file, line: 0, column: 0 };
  delete bug.lastGoodExports;
  const input: ValidationInput = {
    file: o.file,
    bug,
    before: decoded.text,
    after: o.text,
    format: formatFor(ctx.checker, o.file, decoded.text),
    checker: ctx.checker,
    config: ctx.config,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  };
  return { input, realAtStart: realPathOf(o.file), originalBytes: bytes, originalHash: sha256(bytes), validators: ctx.validators.filter((v) => v.name !== 'error-gone' && v.name !== 'tests') };
}

/** Every file's steps of one stage; the first failure names its file when there are several. */
async function validateAll(targets: readonly Target[], stage: Validator['stage']): Promise<{ ok: true; passed: string[] } | { ok: false; reason: string }> {
  const passed = new Set<string>();
  for (const t of targets) {
    const v = await validateFix(t.validators, t.input, stage);
    if (!v.ok) return { ok: false, reason: targets.length > 1 ? `${path.basename(t.input.file)}: ${v.reason}` : v.reason };
    v.passed.forEach((p) => passed.add(p));
  }
  return { ok: true, passed: [...passed] };
}

/**
 * Write a validated fix: one file or several, as one. Every file is checked again (unchanged
 * since read, the same real path, still writable there), backed up and journalled before the
 * first is written; then all are checked on disk, and on any failure all are put back to their
 * original bytes.
 */
async function writeValidated(targets: readonly Target[], entry: FixEntry, ctx: FixContext): Promise<{ outcome: 'applied' | 'reverted' | 'failed'; reason: string; passed: string[] }> {
  const several = targets.length > 1;
  const named = (t: Target, reason: string) => (several ? `${displayPath(ctx.config, t.input.file)}: ${reason}` : reason);
  const protection = targets.some((t) => t.input.file !== entry.file) ? makeProtection(ctx.config) : undefined;
  for (const t of targets) {
    const { file } = t.input;
    // Someone may have edited the file while the model thought: their edit wins.
    let current: Buffer;
    try {
      current = fs.readFileSync(file);
    } catch (err) {
      return { outcome: 'failed', reason: named(t, `file vanished before writing: ${errorMessage(err)}`), passed: [] };
    }
    if (sha256(current) !== t.originalHash) return { outcome: 'failed', reason: named(t, 'the file changed while the fix was prepared; fix dropped'), passed: [] };
    // The same bytes may now be reached another way: a folder on the path swapped for a link while
    // the model thought must not carry the write elsewhere.
    const refused = writeRefusal(file, ctx.config.roots) ?? (file !== entry.file ? protection?.(file) : undefined);
    const realNow = realPathOf(file);
    if (refused || realNow !== t.realAtStart)
      return { outcome: 'failed', reason: named(t, `the file's path changed while the fix was prepared (${refused ?? `it now leads to ${realNow}`}); fix dropped, nothing written`), passed: [] };
  }

  const files = targets.map((t) => ({ t, fixedBytes: Buffer.from(t.input.after, 'utf8'), backup: '' }));
  for (const f of files) {
    try {
      f.backup = writeBackup(f.t.input.file, f.t.originalBytes, ctx.config.backupDir, ctx.clock.now());
    } catch (err) {
      return { outcome: 'failed', reason: named(f.t, `could not write the backup, nothing changed: ${errorMessage(err)}`), passed: [] };
    }
  }
  const record = (f: (typeof files)[number]) => ({ file: f.t.input.file, originalHash: f.t.originalHash, backup: f.backup, candidateHash: sha256(f.fixedBytes) });
  for (const f of files) {
    if (f.t.input.file === entry.file) entry.backup = f.backup;
    else (entry.others ??= []).push({ file: f.t.input.file, originalHash: f.t.originalHash, backup: f.backup });
  }
  const [first, ...rest] = files.map(record);
  const journalEntry: JournalEntry = { id: entry.id, ...first!, phase: 'writing', startedAt: entry.time, ...(rest.length ? { also: rest } : {}) };
  ctx.journal.begin(journalEntry);
  const putBack = (upTo: number) => {
    for (const f of files.slice(0, upTo)) writeFileAtomic(f.t.input.file, f.t.originalBytes);
  };
  for (const [i, f] of files.entries()) {
    try {
      writeFileAtomic(f.t.input.file, f.fixedBytes);
    } catch (err) {
      if (i > 0) ctx.journal.update({ ...journalEntry, phase: 'reverting' });
      putBack(i);
      ctx.journal.end(entry.id);
      return { outcome: 'failed', reason: named(f.t, `could not write the fix, ${several ? 'every file left as it was' : 'original left in place'}: ${errorMessage(err)}`), passed: [] };
    }
  }
  const passed = new Set<string>();
  let failed: string | undefined;
  for (const f of files) {
    const disk = await checkOnDisk(f.t, sha256(f.fixedBytes), ctx);
    if (!disk.ok) {
      failed = named(f.t, disk.reason);
      break;
    }
    disk.passed.forEach((p) => passed.add(p));
  }
  if (!failed) {
    ctx.journal.update({ ...journalEntry, phase: 'validated' });
    ctx.journal.end(entry.id);
    for (const f of files) {
      if (f.t.input.file === entry.file) entry.fixedHash = sha256(f.fixedBytes);
      else entry.others!.find((o) => o.file === f.t.input.file)!.fixedHash = sha256(f.fixedBytes);
    }
    return { outcome: 'applied', reason: `written and checked on disk${several ? ` (${files.length} files)` : ''}${passed.size ? ` (${[...passed].join(', ')})` : ''}`, passed: [...passed] };
  }
  ctx.journal.update({ ...journalEntry, phase: 'reverting' });
  putBack(files.length);
  ctx.journal.end(entry.id);
  return { outcome: 'reverted', reason: `on-disk check failed (${failed}); ${several ? 'every file restored to its original' : 'original restored'}`, passed: [] };
}

/**
 * With the fix in place: the bytes are what was written, a JavaScript file gets the node binary's
 * own verdict, and the `disk` validation steps (loading the module, the project's tests) run.
 * Returns the disk steps that passed, or why it failed.
 */
async function checkOnDisk(t: Target, candidateHash: string, ctx: FixContext): Promise<{ ok: true; passed: string[] } | { ok: false; reason: string }> {
  const { input } = t;
  const fail = (reason: string) => ({ ok: false as const, reason });
  if (sha256(fs.readFileSync(input.file)) !== candidateHash) return fail('the file on disk is not what was written');
  if (isJavaScript(input.file)) {
    const [onDisk] = await ctx.checker.checkFiles([input.file]);
    if (!onDisk || !('ok' in onDisk)) return fail(`the file could not be checked${onDisk && 'skipped' in onDisk ? `: ${onDisk.skipped}` : ''}`);
    if (!onDisk.ok) return fail(`${onDisk.errorType}: ${onDisk.message}`);
  }
  const disk = await validateFix(t.validators, input, 'disk');
  return disk.ok ? { ok: true, passed: disk.passed } : fail(disk.reason);
}

/** The format a file is parsed in; for a typeless .js, what its text looks like. */
function formatFor(checker: SyntaxChecker, file: string, text: string): ModuleFormat {
  if (!isJavaScript(file)) return 'commonjs';
  const f = checker.formatOf(file);
  if (f !== 'ambiguous') return f;
  return hasModuleSyntax(text) ? 'module' : 'commonjs';
}

/**
 * No secret in what is printed or logged, whatever `llm.redact` says: the diff and every reason
 * are scrubbed with the `.env` values around the file too (a diff shows its context lines).
 */
function scrubEntry(entry: FixEntry, config: Pick<Config, 'roots' | 'llm'>): void {
  const r = redactorFor(entry.file, containingRoot(entry.file, config.roots), config.llm.redactPatterns);
  if (entry.diff) entry.diff = r.scrub(entry.diff);
  // A fix across files shows each one's context: each one's secrets are scrubbed too.
  for (const o of entry.others ?? []) if (entry.diff) entry.diff = redactorFor(o.file, containingRoot(o.file, config.roots), config.llm.redactPatterns).scrub(entry.diff);
  entry.reason = r.scrub(entry.reason);
  // A runtime error's message can quote a connection string.
  entry.bug = { ...entry.bug, message: r.scrub(entry.bug.message) };
  for (const s of entry.steps) s.reason = r.scrub(s.reason);
}
