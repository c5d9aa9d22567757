import fs from 'node:fs';
import type { Config } from '../config/load.js';
import type { FixEntry } from '../state/log.js';
import { errorMessage } from '../util/errors.js';
import { sha256 } from '../workspace/atomic.js';
import { blobText, commitFile, entryAt, git, gitOut, indexEntry, layOver, locate, short, type FileInRepo } from './repo.js';

type GitSettings = Pick<Config, 'git'>;

/** What came of a commit attempt: the commit, or why there is none (the fix stays either way). */
export type CommitResult = { commit: string; note: string } | { commit?: undefined; note: string };

/** `mechanic: fix SyntaxError in src/worker.js` and the body: diagnosis, repair, validation, trailer. */
export function fixMessage(entry: FixEntry, relPath: string): string {
  const b = entry.bug;
  const where = `${relPath}${b.line ? `:${b.line}${b.column ? `:${b.column}` : ''}` : ''}`;
  const repair = entry.reason.split('; validated')[0]!.replace(/^proposed, not written(?: \([^)]*\))?: /, '');
  return [
    `mechanic: fix ${b.errorType || b.kind} in ${relPath}`,
    '',
    `Diagnosis: ${b.errorType ? `${b.errorType}: ` : ''}${b.message} at ${where}`,
    `(${b.kind} bug, found by ${b.source}).`,
    '',
    `Repair (${entry.strategy}): ${repair}`,
    '',
    `Validation passed: ${entry.validated?.length ? entry.validated.join(', ') : 'no step applied'}`,
    '',
    `Mechanic-Fix-Id: ${entry.id}`,
    '',
  ].join('\n');
}

/**
 * `git.mode: commit`: make an applied fix a commit on the current branch holding that file alone,
 * through a temporary index. What is committed is the fix laid over the file as HEAD has it, so
 * the user's unstaged edits in that file stay unstaged; their index entry for it is moved to the
 * new blob only when nothing of theirs was staged there (so `git status` shows no staged undo).
 * Sets `entry.commit`, and says in the reason what was done or why there is no commit.
 */
export async function commitFix(entry: FixEntry, config: GitSettings): Promise<void> {
  if (config.git.mode !== 'commit' || entry.outcome !== 'applied') return;
  if (entry.others?.length) {
    entry.reason += `; not committed: a fix across ${entry.others.length + 1} files is not made a commit yet (the fix stays in the work tree)`;
    return;
  }
  if (!entry.backup || !entry.fixedHash) return;
  const r = await tryCommit(async () => {
    const fixed = fs.readFileSync(entry.file);
    if (sha256(fixed) !== entry.fixedHash) return { note: 'the file changed after the fix' };
    const original = fs.readFileSync(entry.backup!, 'utf8');
    const loc = await locate(entry.file);
    if ('why' in loc) return { note: loc.why };
    return onBranch(loc, config, (head) => layOver(head, original, fixed.toString('utf8')), (rel) => fixMessage(entry, rel));
  });
  if (r.commit) entry.commit = r.commit;
  entry.reason += r.commit ? `; ${r.note}` : `; not committed: ${r.note} (the fix stays in the work tree)`;
}

/**
 * `mechanic revert` of a committed fix: a commit that undoes it on the current branch, the same
 * way (temporary index, the file alone). Undefined when the fix has no commit or git is off.
 */
export async function commitRevert(fix: FixEntry, config: GitSettings): Promise<CommitResult | undefined> {
  if (!fix.commit || config.git.mode === 'off') return undefined;
  const commit = fix.commit;
  return tryCommit(async () => {
    const loc = await locate(fix.file);
    if ('why' in loc) return { note: loc.why };
    const fixed = await entryAt(loc, commit);
    const before = await entryAt(loc, `${commit}^`);
    if (!fixed || !before) return { note: `commit ${short(commit)} does not hold ${loc.path} and its parent` };
    const [fixedText, beforeText] = [await blobText(loc, fixed.blob), await blobText(loc, before.blob)];
    const subject = await gitOut(loc.top, ['log', '-1', '--format=%s', commit]);
    const message = [`Revert "${subject}"`, '', `This reverts commit ${commit} (mechanic revert of fix ${fix.id}).`, '', `Mechanic-Fix-Id: ${fix.id}`, ''].join('\n');
    return onBranch(loc, config, (head) => layOver(head, fixedText, beforeText), () => message);
  });
}

async function tryCommit(fn: () => Promise<CommitResult>): Promise<CommitResult> {
  try {
    return await fn();
  } catch (err) {
    return { note: errorMessage(err) };
  }
}

/**
 * Commit the file's new content (`change` of HEAD's text; undefined when it cannot be laid over)
 * on the branch HEAD is on, refusing what would commit or disturb the user's own work.
 */
async function onBranch(loc: FileInRepo, config: GitSettings, change: (head: string) => string | undefined, message: (rel: string) => string): Promise<CommitResult> {
  if (!loc.branch) return { note: 'HEAD is detached (no branch to commit on)' };
  const head = await entryAt(loc, loc.head);
  if (!head) return { note: `${loc.path} is not in HEAD (untracked or new): committing it would commit the user's own work` };
  const staged = await indexEntry(loc);
  if (!staged || staged.blob !== head.blob) return { note: `${loc.path} has staged changes of its own; they are left as they are` };
  const next = change(await blobText(loc, head.blob));
  if (next === undefined) return { note: `the change touches lines of ${loc.path} that are not committed yet` };
  const { commit, blob } = await commitFile(loc, { parent: loc.head, text: next, mode: head.mode, message: message(loc.path), author: config.git.author, ref: loc.branch, expectOld: loc.head });
  const name = loc.branch.replace(/^refs\/heads\//, '');
  // Nothing of the user's was staged in this file: keep it so (the index follows the new HEAD).
  const idx = await git(loc.top, ['update-index', '--cacheinfo', `${head.mode},${blob},${loc.path}`]);
  const idxNote = idx.code === 0 ? '' : `; the index entry of ${loc.path} could not follow (${idx.stderr.trim()}): \`git reset -q -- ${loc.path}\` fixes git status`;
  return { commit, note: `committed ${short(commit)} on ${name}${idxNote}` };
}
