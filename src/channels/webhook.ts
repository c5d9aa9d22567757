import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { defineChannel, envValue } from './types.js';
import { post, requireOneUrl, urlFields, urlOf } from './http.js';

/** The body's HMAC-SHA256 under `secret`, as the `X-Mechanic-Signature` header carries it. */
export function signature(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** The event JSON, POSTed; signed when `secretEnv` names the shared secret. */
export const webhookChannel = defineChannel({
  type: 'webhook',
  description: 'JSON POST of the event, optionally signed with HMAC-SHA256',
  options: () => z.object({
    type: z.literal('webhook'),
    ...urlFields,
    /** The variable holding the shared secret: the body is signed in `X-Mechanic-Signature: sha256=<hex>`. */
    secretEnv: z.string().min(1).optional(),
  }),
  refine: requireOneUrl,
  async send(o, message, ctx) {
    const url = urlOf(o, ctx.env);
    const body = JSON.stringify(message);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-mechanic-event': message.event, 'x-mechanic-id': message.id };
    if (o.secretEnv) headers['x-mechanic-signature'] = signature(body, envValue(ctx.env, o.secretEnv, 'secretEnv'));
    return post(url, body, headers, ctx);
  },
});
