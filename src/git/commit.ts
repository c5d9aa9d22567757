import fs from 'node:fs';
import type { Config } from '../config/load.js';
import type { FixEntry } from '../state/log.js';
import { errorMessage } from '../util/errors.js';
import { sha256 } from '../workspace/atomic.js';
import { blobText, commitFiles, entryAt, git, gitOut, indexEntry, layOver, locate, short, type FileInRepo } from './repo.js';

type GitSettings = Pick<Config, 'git'>;

/** What came of a commit attempt: the commit, or why there is none (the fix stays either way). */
export type CommitResult = { commit: string; note: string } | { commit?: undefined; note: string };

/** `mechanic: fix SyntaxError in src/worker.js` and the body: diagnosis, repair, validation, trailer. */
export function fixMessage(entry: FixEntry, relPath: string, others: readonly string[] = []): string {
  const b = entry.bug;
  const where = `${relPath}${b.line ? `:${b.line}${b.column ? `:${b.column}` : ''}` : ''}`;
  const repair = entry.reason.split('; validated')[0]!.replace(/^proposed, not written(?: \([^)]*\))?: /, '');
  return [
    `mechanic: fix ${b.errorType || b.kind} in ${relPath}${others.length ? ` (and ${others.length} more file${others.length > 1 ? 's' : ''})` : ''}`,
    '',
    ...(others.length ? [`Files: ${[relPath, ...others].join(', ')}`, ''] : []),
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
 * `git.mode: commit`: make an applied fix a commit on the current branch holding its files alone
 * (one commit for a fix across several files), through a temporary index. What is committed is the
 * fix laid over each file as HEAD has it, so the user's unstaged edits stay unstaged; their index
 * entry for a file is moved to the new blob only when nothing of theirs was staged there (so
 * `git status` shows no staged undo). Sets `entry.commit`, and says in the reason what was done or
 * why there is no commit.
 */
export async function commitFix(entry: FixEntry, config: GitSettings): Promise<void> {
  if (config.git.mode !== 'commit' || entry.outcome !== 'applied') return;
  // The files the fix wrote: the bug's file (unless only the others changed), then the others.
  const written = [
    ...(entry.backup && entry.fixedHash ? [{ file: entry.file, backup: entry.backup, fixedHash: entry.fixedHash }] : []),
    ...(entry.others ?? []).flatMap((o) => (o.fixedHash ? [{ file: o.file, backup: o.backup, fixedHash: o.fixedHash }] : [])),
  ];
  if (!written.length) return;
  const r = await tryCommit(async () => {
    const changes: Change[] = [];
    for (const w of written) {
      const fixed = fs.readFileSync(w.file);
      if (sha256(fixed) !== w.fixedHash) return { note: `${w.file} changed after the fix` };
      const original = fs.readFileSync(w.backup, 'utf8');
      const loc = await locate(w.file);
      if ('why' in loc) return { note: loc.why };
      changes.push({ loc, change: (head) => layOver(head, original, fixed.toString('utf8')) });
    }
    return onBranch(changes, config, (rels) => fixMessage(entry, rels[0]!, rels.slice(1)));
  });
  if (r.commit) entry.commit = r.commit;
  entry.reason += r.commit ? `; ${r.note}` : `; not committed: ${r.note} (the fix stays in the work tree)`;
}

/**
 * `mechanic revert` of a committed fix: a commit that undoes it on the current branch, the same
 * way (temporary index, its files alone). Undefined when the fix has no commit or git is off.
 */
export async function commitRevert(fix: FixEntry, config: GitSettings): Promise<CommitResult | undefined> {
  if (!fix.commit || config.git.mode === 'off') return undefined;
  const commit = fix.commit;
  return tryCommit(async () => {
    const changes: Change[] = [];
    for (const file of [fix.file, ...(fix.others ?? []).map((o) => o.file)]) {
      const loc = await locate(file);
      if ('why' in loc) return { note: loc.why };
      const fixed = await entryAt(loc, commit);
      const before = await entryAt(loc, `${commit}^`);
      // A file of the fix that the commit did not change (the bug's own file, left as it was).
      if (fixed && before && fixed.blob === before.blob) continue;
      if (!fixed || !before) return { note: `commit ${short(commit)} does not hold ${loc.path} and its parent` };
      const [fixedText, beforeText] = [await blobText(loc, fixed.blob), await blobText(loc, before.blob)];
      changes.push({ loc, change: (head) => layOver(head, fixedText, beforeText) });
    }
    if (!changes.length) return { note: `commit ${short(commit)} changes none of the fix's files` };
    const subject = await gitOut(changes[0]!.loc.top, ['log', '-1', '--format=%s', commit]);
    const message = [`Revert "${subject}"`, '', `This reverts commit ${commit} (mechanic revert of fix ${fix.id}).`, '', `Mechanic-Fix-Id: ${fix.id}`, ''].join('\n');
    return onBranch(changes, config, () => message);
  });
}

/** One file's new content: `change` of HEAD's text, undefined when it cannot be laid over. */
type Change = { loc: FileInRepo; change: (head: string) => string | undefined };

async function tryCommit(fn: () => Promise<CommitResult>): Promise<CommitResult> {
  try {
    return await fn();
  } catch (err) {
    return { note: errorMessage(err) };
  }
}

/**
 * Commit the files' new contents on the branch HEAD is on, in one commit, refusing what would
 * commit or disturb the user's own work.
 */
async function onBranch(changes: readonly Change[], config: GitSettings, message: (rels: string[]) => string): Promise<CommitResult> {
  const first = changes[0]!.loc;
  if (changes.some((c) => c.loc.top !== first.top)) return { note: 'the fix spans several git repositories' };
  if (!first.branch) return { note: 'HEAD is detached (no branch to commit on)' };
  const files: Array<{ path: string; text: string; mode: string }> = [];
  for (const { loc, change } of changes) {
    const head = await entryAt(loc, loc.head);
    if (!head) return { note: `${loc.path} is not in HEAD (untracked or new): committing it would commit the user's own work` };
    const staged = await indexEntry(loc);
    if (!staged || staged.blob !== head.blob) return { note: `${loc.path} has staged changes of its own; they are left as they are` };
    const next = change(await blobText(loc, head.blob));
    if (next === undefined) return { note: `the change touches lines of ${loc.path} that are not committed yet` };
    files.push({ path: loc.path, text: next, mode: head.mode });
  }
  const rels = files.map((f) => f.path);
  const { commit, blobs } = await commitFiles(first.top, { parent: first.head, files, message: message(rels), author: config.git.author, ref: first.branch, expectOld: first.head });
  const name = first.branch.replace(/^refs\/heads\//, '');
  // Nothing of the user's was staged in these files: keep it so (the index follows the new HEAD).
  const stuck: string[] = [];
  for (let i = 0; i < files.length; i++) {
    const idx = await git(first.top, ['update-index', '--cacheinfo', `${files[i]!.mode},${blobs[i]!},${files[i]!.path}`]);
    if (idx.code !== 0) stuck.push(`the index entry of ${files[i]!.path} could not follow (${idx.stderr.trim()}): \`git reset -q -- ${files[i]!.path}\` fixes git status`);
  }
  return { commit, note: `committed ${short(commit)} on ${name}${stuck.length ? `; ${stuck.join('; ')}` : ''}` };
}
