import { z } from 'zod';
import { errorMessage } from '../util/errors.js';
import { HttpError, httpText } from '../util/http.js';
import { envValue, type SendContext, type SendResult } from './types.js';

/** A receiver's address, written out (`url`) or, when the address is itself a secret (Slack's), named by a variable (`urlEnv`). */
export const urlFields = {
  url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
  urlEnv: z.string().min(1).optional(),
};

export function requireOneUrl(o: { url?: string | undefined; urlEnv?: string | undefined }, ctx: z.RefinementCtx): void {
  if ((o.url === undefined) === (o.urlEnv === undefined))
    ctx.addIssue({ code: 'custom', path: ['url'], message: 'give exactly one of url (the address) or urlEnv (the variable that holds it)' });
}

export function urlOf(o: { url?: string | undefined; urlEnv?: string | undefined }, env: NodeJS.ProcessEnv): string {
  if (o.url) return o.url;
  const v = envValue(env, o.urlEnv!, 'urlEnv');
  if (!/^https?:\/\//.test(v)) throw new Error(`urlEnv: ${o.urlEnv} does not hold an http(s) URL`);
  return v;
}

/** The one way a channel posts: bounded by the context's signal and the shared HTTP client; any 2xx is delivered. */
export async function post(url: string, body: string, headers: Record<string, string>, ctx: SendContext): Promise<SendResult> {
  let res: { status: number; text: string };
  try {
    res = await httpText({ method: 'POST', url, body, headers: { 'user-agent': 'code-mechanic', ...headers }, timeoutMs: ctx.timeoutMs, signal: ctx.signal, maxBytes: 4096 });
  } catch (err) {
    if (ctx.signal.aborted || (err instanceof HttpError && err.kind === 'timeout')) return { ok: false, detail: `no answer within ${ctx.timeoutMs} ms` };
    return { ok: false, detail: ctx.scrub(errorMessage(err)) };
  }
  const text = res.text.slice(0, 300).trim();
  const detail = `HTTP ${res.status}${text ? `: ${ctx.scrub(text.split('\n')[0]!)}` : ''}`;
  return { ok: res.status >= 200 && res.status < 300, detail, status: res.status };
}
