import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/load.js';
import type { Bug } from '../discover/types.js';
import type { FixEntry } from '../state/log.js';
import { errorMessage } from '../util/errors.js';
import { scrubberFor, scrubDeep } from '../util/secrets.js';
import { writeJsonAtomic } from '../workspace/atomic.js';
import { fixMessage } from './commit.js';
import { openPullRequest, pushBranch } from './forge.js';
import { blobText, commitFiles, entryAt, layOver, locate, type FileInRepo } from './repo.js';

/**
 * A fix kept for a person, in the state folder: what `mechanic apply` validates again and writes.
 * Kept whatever git says, so a project outside git (or a branch that could not be made) can
 * still be applied.
 */
export interface StoredProposal {
  id: string;
  time: string;
  file: string;
  bug: Bug;
  strategy: string;
  note: string;
  /** sha256 of the file's bytes the proposal was made from, and their text. */
  originalHash: string;
  original: string;
  text: string;
  /** A fix across files: the other files, each as the proposal found it and as it would leave it. */
  others?: ProposedFile[];
  /** A rung's policy held it back (not its confidence gate): the same file is not proposed again while it waits. */
  byPolicy: boolean;
  /** The fix `mechanic apply` made of it. */
  appliedAs?: string;
  appliedAt?: string;
}

/** One more file of a proposal: sha256 of its bytes and its text when proposed, and the text proposed. */
export interface ProposedFile {
  file: string;
  originalHash: string;
  original: string;
  text: string;
}

export function proposalsDir(stateDir: string): string {
  return path.join(stateDir, 'proposals');
}

export function proposalPath(stateDir: string, id: string): string {
  return path.join(proposalsDir(stateDir), `${id}.json`);
}

export function readProposal(stateDir: string, id: string): StoredProposal | undefined {
  try {
    return JSON.parse(fs.readFileSync(proposalPath(stateDir, id), 'utf8')) as StoredProposal;
  } catch {
    return undefined;
  }
}

export function saveProposal(stateDir: string, p: StoredProposal): void {
  writeJsonAtomic(proposalPath(stateDir, p.id), p);
}

/** A proposal a policy made for this file as it is now, not applied yet: it waits for a person. */
export function pendingProposal(stateDir: string, file: string, originalHash: string): StoredProposal | undefined {
  let names: string[];
  try {
    names = fs.readdirSync(proposalsDir(stateDir)).filter((n) => n.endsWith('.json'));
  } catch {
    return undefined;
  }
  for (const n of names.sort().reverse()) {
    const p = readProposal(stateDir, n.slice(0, -5));
    if (p && p.file === file && p.originalHash === originalHash && p.byPolicy && !p.appliedAs) return p;
  }
  return undefined;
}

/**
 * Keep a `proposed` fix: in the state folder always; with `git.mode` commit or propose also as a
 * commit on `mechanic/fix-<id>` from HEAD (made through a temporary index: no checkout, the work
 * tree and index untouched), pushed and offered as a pull request when configured. Sets
 * `entry.proposal`, and says in the reason where the proposal is and what could not be done.
 */
export async function keepProposal(entry: FixEntry, bug: Bug, original: string, text: string, byPolicy: boolean, config: Config, others: readonly ProposedFile[] = []): Promise<void> {
  const stored: StoredProposal = {
    id: entry.id,
    time: entry.time,
    file: entry.file,
    // A runtime error's text can quote a secret; the file's own text is kept as backups keep it.
    bug: scrubDeep(bug, scrubberFor(config)),
    strategy: entry.strategy,
    note: entry.reason,
    originalHash: entry.originalHash ?? '',
    original,
    text,
    ...(others.length ? { others: [...others] } : {}),
    byPolicy,
  };
  try {
    saveProposal(config.stateDir, stored);
  } catch (err) {
    entry.reason += `; the proposal could not be kept in the state folder: ${errorMessage(err)}`;
    return;
  }
  entry.reason += `; \`mechanic apply ${entry.id}\` puts it in place`;
  if (config.git.mode === 'off') return;
  try {
    await proposeBranch(entry, [{ file: entry.file, original, text }, ...others], config);
  } catch (err) {
    entry.reason += `; no branch: ${errorMessage(err)}`;
  }
}

async function proposeBranch(entry: FixEntry, changed: ReadonlyArray<Pick<ProposedFile, 'file' | 'original' | 'text'>>, config: Config): Promise<void> {
  const files: Array<{ path: string; text: string; mode: string }> = [];
  let loc: FileInRepo | undefined;
  // A file the fix leaves as it was (the bug's own, when only the others change) is not in the commit.
  for (const c of changed.filter((f) => f.text !== f.original)) {
    const at = await locate(c.file);
    if ('why' in at) return void (entry.reason += `; no branch: ${at.why}`);
    if (loc && at.top !== loc.top) return void (entry.reason += '; no branch: the fix spans several git repositories');
    loc ??= at;
    const head = await entryAt(at, at.head);
    if (!head) return void (entry.reason += `; no branch: ${at.path} is not in HEAD (untracked or new)`);
    const next = layOver(await blobText(at, head.blob), c.original, c.text);
    if (next === undefined) return void (entry.reason += `; no branch: the change touches lines of ${at.path} that are not committed yet`);
    files.push({ path: at.path, text: next, mode: head.mode });
  }
  if (!loc) return;
  const branch = `mechanic/fix-${entry.id}`;
  const rels = files.map((f) => f.path);
  await commitFiles(loc.top, { parent: loc.head, files, message: fixMessage(entry, rels[0]!, rels.slice(1)), author: config.git.author, ref: `refs/heads/${branch}`, expectOld: '' });
  const base = loc.branch?.replace(/^refs\/heads\//, '') ?? loc.head;
  entry.proposal = { branch, base };
  entry.reason += `; on branch ${branch} (from ${base})`;
  const { push, pullRequest } = config.git;
  if (!push) return;
  const pushed = await pushBranch(loc.top, branch, push);
  entry.reason += `; ${pushed.note}`;
  if (!pushed.ok || !pullRequest) return;
  const target = pullRequest.base ?? loc.branch?.replace(/^refs\/heads\//, '');
  if (!target) return void (entry.reason += '; no pull request: HEAD is detached and git.pullRequest.base is not set');
  const b = entry.bug;
  const pr = await openPullRequest(pullRequest, {
    branch,
    base: target,
    title: `mechanic: fix ${b.errorType || b.kind} in ${loc.path}`,
    body: [
      `**${b.errorType ? `${b.errorType}: ` : ''}${b.message}** at \`${loc.path}${b.line ? `:${b.line}` : ''}\` (${b.kind} bug, found by ${b.source}).`,
      '',
      `Repair (${entry.strategy}): ${entry.reason.split('; validated')[0]}`,
      '',
      `Validated: ${entry.validated?.join(', ') || 'no step applied'}`,
      '',
      '```diff',
      (entry.diff ?? '').trimEnd(),
      '```',
      '',
      `Merge this, or run \`mechanic apply ${entry.id}\` on the host. Mechanic-Fix-Id: ${entry.id}`,
    ].join('\n'),
  });
  if (pr.url) entry.proposal.url = pr.url;
  entry.reason += `; ${pr.note}`;
}
