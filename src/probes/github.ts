import { z } from 'zod';
import { isoTime } from '../util/clock.js';
import { joinUrl } from '../util/http.js';
import { redact, secretFromEnv } from './common.js';
import { defineProbe } from './types.js';

const rateAnswer = z.object({
  resources: z.record(
    z.string(),
    z.looseObject({ limit: z.number(), remaining: z.number(), reset: z.number(), used: z.number().optional() }),
  ),
});

/** GitHub's `GET /rate_limit` (which costs no quota): remaining calls over a threshold. */
export const githubProbe = defineProbe({
  kind: 'github',
  description: 'GitHub API rate limit: remaining calls over a threshold',
  options: () => z.object({
    kind: z.literal('github'),
    /** GitHub Enterprise: `https://host/api/v3`. */
    baseUrl: z.url({ protocol: /^https?$/ }).default('https://api.github.com'),
    /** Name of the environment variable holding the token; without it the call is anonymous. */
    tokenEnv: z.string().min(1).optional(),
    /** Fewer remaining calls than this is degraded; none at all is down. */
    minRemaining: z.number().int().min(0).default(100),
    /** Which limit to judge: `core` (REST), `search`, `graphql`... */
    resource: z.string().min(1).default('core'),
  }),
  async check(o, ctx) {
    const token = o.tokenEnv !== undefined ? secretFromEnv(o.tokenEnv) : undefined;
    const headers: Record<string, string> = {
      accept: 'application/vnd.github+json',
      'user-agent': 'code-mechanic',
      'x-github-api-version': '2022-11-28',
    };
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    const res = await fetch(joinUrl(o.baseUrl, 'rate_limit'), { headers, signal: ctx.signal });
    const text = await res.text();
    if (!res.ok) {
      const hint = res.status === 401 ? ' (token rejected)' : '';
      return { status: 'down', reason: redact(`GET /rate_limit: HTTP ${res.status}${hint}`, [token]) };
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { status: 'down', reason: 'GET /rate_limit: the answer is not JSON' };
    }
    const parsed = rateAnswer.safeParse(body);
    const limit = parsed.success ? parsed.data.resources[o.resource] : undefined;
    if (!limit) return { status: 'down', reason: `GET /rate_limit: no "${o.resource}" limit in the answer` };
    const metrics = { remaining: limit.remaining, limit: limit.limit, reset: limit.reset };
    const what = `${o.resource}: ${limit.remaining}/${limit.limit} remaining, resets ${isoTime(limit.reset * 1000)}`;
    if (limit.remaining <= 0) return { status: 'down', reason: `${what}, none left`, metrics };
    if (limit.remaining < o.minRemaining) return { status: 'degraded', reason: `${what}, under ${o.minRemaining}`, metrics };
    return { status: 'healthy', reason: what, metrics };
  },
});
