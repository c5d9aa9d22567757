import { z } from 'zod';

/** What a rung does with a fix that passed validation. */
export const rungAction = z.enum(['apply', 'propose', 'report']);
export type RungAction = z.output<typeof rungAction>;

/**
 * Per rung of the ladder: `apply` writes a fix that passed validation (today's behaviour),
 * `propose` keeps it for a person (`mechanic apply <fix-id>`), `report` only says what it would be.
 */
export const policySchema = z.strictObject({
  deterministic: rungAction.default('apply'),
  llm: rungAction.default('apply'),
  environment: rungAction.default('apply'),
});

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected the name of an environment variable');

export const gitSchema = z
  .strictObject({
    /**
     * `off`: git is left alone. `commit`: each applied fix is a commit of the fixed file alone.
     * `propose`: no fix is written; each is committed on a branch `mechanic/fix-<id>` for review.
     */
    mode: z.enum(['off', 'commit', 'propose']).default('off'),
    /** Author and committer of the mechanic's commits. */
    author: z
      .strictObject({ name: z.string().trim().min(1), email: z.string().trim().min(1) })
      .default({ name: 'code-mechanic', email: 'mechanic@localhost' }),
    /** Push each proposal branch to this remote (a name such as `origin`, or a URL). */
    push: z.strictObject({ remote: z.string().min(1), timeoutMs: z.number().int().positive().default(60_000) }).optional(),
    /** Open a pull request for each pushed proposal on a GitHub-compatible forge. */
    pullRequest: z
      .strictObject({
        /** The REST API root: https://api.github.com, or a Gitea/Forgejo/GHE `/api/v3`-style root. */
        api: z.url({ protocol: /^https?$/ }),
        repo: z.string().regex(/^[^/\s]+\/[^/\s]+$/, 'expected "owner/name"'),
        /** Name of the environment variable holding the token (the token itself never goes in a config). */
        tokenEnv: envName,
        /** The branch the pull request targets; default: the branch HEAD was on. */
        base: z.string().min(1).optional(),
        draft: z.boolean().default(false),
        timeoutMs: z.number().int().positive().default(30_000),
      })
      .optional(),
  })
  .superRefine((g, ctx) => {
    if (g.pullRequest && !g.push)
      ctx.addIssue({ code: 'custom', path: ['pullRequest'], message: 'a pull request needs its branch on the forge: set git.push too' });
    if ((g.push || g.pullRequest) && g.mode === 'off')
      ctx.addIssue({ code: 'custom', path: ['mode'], message: 'git.push and git.pullRequest need git.mode commit or propose' });
  });

export type GitConfig = z.output<typeof gitSchema>;
export type PolicyConfig = z.output<typeof policySchema>;
