import type { GitConfig } from '../config/git.js';
import { httpJson, joinUrl } from '../util/http.js';
import { errorMessage } from '../util/errors.js';
import { Redactor } from '../util/secrets.js';
import { git } from './repo.js';

/** `git push <remote> mechanic/fix-<id>`: argv only; the agent socket passes for ssh remotes. */
export async function pushBranch(top: string, branch: string, push: NonNullable<GitConfig['push']>): Promise<{ ok: boolean; note: string }> {
  const ref = `refs/heads/${branch}`;
  const agent = process.env.SSH_AUTH_SOCK ? { SSH_AUTH_SOCK: process.env.SSH_AUTH_SOCK } : {};
  const r = await git(top, ['push', '--porcelain', push.remote, `${ref}:${ref}`], { env: agent, timeoutMs: push.timeoutMs });
  if (r.code === 0 && !r.timedOut) return { ok: true, note: `pushed to ${push.remote}` };
  const why = r.spawnError ?? (r.timedOut ? `no answer within ${push.timeoutMs} ms (git.push.timeoutMs)` : r.stderr.trim().split('\n').slice(-2).join(' '));
  return { ok: false, note: `push to ${push.remote} failed: ${why}` };
}

export interface PullRequestInput {
  branch: string;
  base: string;
  title: string;
  body: string;
}

/**
 * POST /repos/{owner}/{repo}/pulls on a GitHub-compatible API, with the token from the
 * environment variable the config names. The token is never put in a message.
 */
export async function openPullRequest(pr: NonNullable<GitConfig['pullRequest']>, input: PullRequestInput, env: NodeJS.ProcessEnv = process.env): Promise<{ url?: string; note: string }> {
  const token = env[pr.tokenEnv];
  if (!token) return { note: `no pull request: the environment variable ${pr.tokenEnv} (git.pullRequest.tokenEnv) is not set` };
  // The token (and anything shaped like a secret) out of what the forge or the network said.
  const hide = new Redactor({ known: [token] });
  const url = joinUrl(pr.api, `repos/${pr.repo}/pulls`);
  try {
    const answer = (await httpJson({
      method: 'POST',
      url,
      apiKey: token,
      timeoutMs: pr.timeoutMs,
      body: { title: input.title, head: input.branch, base: input.base, body: input.body, draft: pr.draft },
      maxBytes: 4 * 1024 * 1024,
      timeoutSetting: 'git.pullRequest.timeoutMs',
    })) as { html_url?: unknown; number?: unknown };
    const link = typeof answer.html_url === 'string' ? answer.html_url : undefined;
    return { ...(link ? { url: link } : {}), note: `pull request ${typeof answer.number === 'number' ? `#${answer.number} ` : ''}opened${link ? `: ${link}` : ''}` };
  } catch (err) {
    return { note: `pull request not opened: ${hide.scrub(errorMessage(err))}` };
  }
}
