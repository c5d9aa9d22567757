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
import { blobText, commitFile, entryAt, layOver, locate } from './repo.js';

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
  /** A rung's policy held it back (not its confidence gate): the same file is not proposed again while it waits. */
  byPolicy: boolean;
  /** The fix `mechanic apply` made of it. */
  appliedAs?: string;
  appliedAt?: string;
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
export async function keepProposal(entry: FixEntry, bug: Bug, original: string, text: string, byPolicy: boolean, config: Config): Promise<void> {
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
    await proposeBranch(entry, original, text, config);
  } catch (err) {
    entry.reason += `; no branch: ${errorMessage(err)}`;
  }
}

async function proposeBranch(entry: FixEntry, original: string, text: string, config: Config): Promise<void> {
  const loc = await locate(entry.file);
  if ('why' in loc) return void (entry.reason += `; no branch: ${loc.why}`);
  const head = await entryAt(loc, loc.head);
  if (!head) return void (entry.reason += `; no branch: ${loc.path} is not in HEAD (untracked or new)`);
  const next = layOver(await blobText(loc, head.blob), original, text);
  if (next === undefined) return void (entry.reason += `; no branch: the change touches lines of ${loc.path} that are not committed yet`);
  const branch = `mechanic/fix-${entry.id}`;
  await commitFile(loc, { parent: loc.head, text: next, mode: head.mode, message: fixMessage(entry, loc.path), author: config.git.author, ref: `refs/heads/${branch}`, expectOld: '' });
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
