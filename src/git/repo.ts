import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { applyPatch, createPatch } from 'diff';
import { minimalEnv, runProcess, type RunResult } from '../util/proc.js';

/** A git call that failed, with what git said. */
export class GitError extends Error {}

export interface Identity {
  name: string;
  email: string;
}

/** git with argv only, no shell, a minimal environment (no tokens), never a prompt. */
export async function git(cwd: string, args: readonly string[], opts: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<RunResult> {
  return runProcess('git', ['-C', cwd, ...args], {
    env: minimalEnv({ GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0', ...opts.env }),
    timeoutMs: opts.timeoutMs ?? 30_000,
    maxOutputBytes: 64 * 1024 * 1024,
    ...(opts.input !== undefined ? { input: opts.input } : {}),
  });
}

/** stdout of a git call that must succeed (trailing newline dropped). */
export async function gitOut(cwd: string, args: readonly string[], opts: Parameters<typeof git>[2] = {}): Promise<string> {
  const r = await git(cwd, args, opts);
  if (r.code !== 0 || r.timedOut) {
    const why = r.spawnError ?? (r.timedOut ? 'timed out' : r.stderr.trim().split('\n').slice(-2).join(' ') || `exit ${r.code}`);
    throw new GitError(`git ${args[0]}: ${why}`);
  }
  return r.stdout.replace(/\n$/, '');
}

/** Where a file sits in its work tree, and the state of HEAD there. */
export interface FileInRepo {
  top: string;
  /** The path inside the repository, with forward slashes. */
  path: string;
  /** The commit HEAD points at. */
  head: string;
  /** The branch HEAD is on (`refs/heads/main`), or undefined when detached. */
  branch: string | undefined;
}

/**
 * Find the work tree holding `file`. Returns why not when there is none, when HEAD has no commit
 * yet, or when the file lies outside it (a link that leads elsewhere).
 */
export async function locate(file: string): Promise<FileInRepo | { why: string }> {
  const dir = path.dirname(file);
  const top = await git(dir, ['rev-parse', '--show-toplevel']);
  if (top.spawnError) return { why: `git cannot be run: ${top.spawnError}` };
  if (top.code !== 0) return { why: 'not in a git work tree' };
  const root = fs.realpathSync(top.stdout.trim());
  const real = fs.realpathSync(file);
  const rel = path.relative(root, real);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return { why: `outside the work tree ${root}` };
  const head = await git(root, ['rev-parse', '--verify', '-q', 'HEAD^{commit}']);
  if (head.code !== 0) return { why: 'the repository has no commit yet (unborn branch)' };
  const sym = await git(root, ['symbolic-ref', '-q', 'HEAD']);
  return { top: root, path: rel.split(path.sep).join('/'), head: head.stdout.trim(), branch: sym.code === 0 ? sym.stdout.trim() : undefined };
}

/** Mode and blob of `file` in a commit, or undefined when the commit does not have it. */
export async function entryAt(repo: FileInRepo, commit: string, file = repo.path): Promise<{ mode: string; blob: string } | undefined> {
  const out = await gitOut(repo.top, ['ls-tree', '-z', commit, '--', file]);
  const m = /^(\d+) blob ([0-9a-f]+)\t/.exec(out);
  return m ? { mode: m[1]!, blob: m[2]! } : undefined;
}

/** The user's index entry for the file (stage 0), or undefined when it is not in the index. */
export async function indexEntry(repo: FileInRepo): Promise<{ mode: string; blob: string } | undefined> {
  const out = await gitOut(repo.top, ['ls-files', '-s', '-z', '--', repo.path]);
  const m = /^(\d+) ([0-9a-f]+) 0\t/.exec(out);
  return m ? { mode: m[1]!, blob: m[2]! } : undefined;
}

/** A blob's text, byte for byte (gitOut would drop a final newline). */
export async function blobText(repo: FileInRepo, blob: string): Promise<string> {
  const r = await git(repo.top, ['cat-file', 'blob', blob]);
  if (r.code !== 0) throw new GitError(`git cat-file: ${r.stderr.trim() || `exit ${r.code}`}`);
  return r.stdout;
}

/**
 * The change `before` → `after` laid over `base` (what git holds): `after` itself when `base` is
 * `before`, else the same hunks applied where their context still matches, or undefined.
 */
export function layOver(base: string, before: string, after: string): string | undefined {
  if (base === before) return after;
  const patched = patchWith(base, before, after, 3);
  if (patched !== undefined) return patched;
  // An edit of base's own just beside the change (not on its lines) breaks 3 lines of context:
  // fewer will do when the two edits commute (base's edits laid over the result give `after`),
  // which a hunk landed in the wrong place would not.
  for (const context of [2, 1]) {
    const next = patchWith(base, before, after, context);
    if (next !== undefined && [3, 2, 1].some((c) => patchWith(next, base, before, c) === after)) return next;
  }
  return undefined;
}

function patchWith(text: string, from: string, to: string, context: number): string | undefined {
  const patched = applyPatch(text, createPatch('file', from, to, undefined, undefined, { context }));
  return patched === false ? undefined : patched;
}

/**
 * Commit `text` as the file's new content on top of `parent`, through a temporary index: the
 * user's index and work tree are not read or written. `ref` moves from `expectOld` (`''`: it must
 * not exist yet) to the new commit, or nothing changes. Returns the commit.
 */
export async function commitFile(
  repo: FileInRepo,
  o: { parent: string; text: string; mode: string; message: string; author: Identity; ref: string; expectOld: string },
): Promise<{ commit: string; blob: string }> {
  const { commit, blobs } = await commitFiles(repo.top, { ...o, files: [{ path: repo.path, text: o.text, mode: o.mode }] });
  return { commit, blob: blobs[0]! };
}

/** `commitFile` for several files of one repository at once: one commit holding them all. */
export async function commitFiles(
  top: string,
  o: { parent: string; files: ReadonlyArray<{ path: string; text: string; mode: string }>; message: string; author: Identity; ref: string; expectOld: string },
): Promise<{ commit: string; blobs: string[] }> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mechanic-index-'));
  try {
    const env = { GIT_INDEX_FILE: path.join(tmp, 'index') };
    await gitOut(top, ['read-tree', o.parent], { env });
    const blobs: string[] = [];
    for (const f of o.files) {
      // --no-filters: the text is already what git stores (it came from a blob, or equals one).
      const blob = await gitOut(top, ['hash-object', '-w', '--no-filters', '--stdin'], { input: f.text });
      await gitOut(top, ['update-index', '--add', '--cacheinfo', `${f.mode},${blob},${f.path}`], { env });
      blobs.push(blob);
    }
    const tree = await gitOut(top, ['write-tree'], { env });
    const who = { GIT_AUTHOR_NAME: o.author.name, GIT_AUTHOR_EMAIL: o.author.email, GIT_COMMITTER_NAME: o.author.name, GIT_COMMITTER_EMAIL: o.author.email };
    const commit = await gitOut(top, ['commit-tree', tree, '-p', o.parent, '-F', '-'], { input: o.message, env: who });
    await gitOut(top, ['update-ref', '-m', `mechanic: ${o.message.split('\n')[0]}`, o.ref, commit, o.expectOld]);
    return { commit, blobs };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** A short commit name for messages. */
export function short(commit: string): string {
  return commit.slice(0, 12);
}
