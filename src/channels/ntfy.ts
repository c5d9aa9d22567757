import { z } from 'zod';
import { defineChannel, envValue } from './types.js';
import { post } from './http.js';
import { isUrgent, textOf, titleOf } from './render.js';

/** ntfy's JSON publishing (POST to the server root): no header encoding limits on the title. */
export const ntfyChannel = defineChannel({
  type: 'ntfy',
  description: 'ntfy.sh or a self-hosted ntfy server',
  options: () => z.object({
    type: z.literal('ntfy'),
    /** The server. */
    url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).default('https://ntfy.sh'),
    topic: z.string().regex(/^[-_A-Za-z0-9]{1,64}$/, 'expected a topic name: letters, digits, - and _'),
    /** The variable holding an access token (sent as a bearer token). */
    tokenEnv: z.string().min(1).optional(),
  }),
  async send(o, message, ctx) {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (o.tokenEnv) headers.authorization = `Bearer ${envValue(ctx.env, o.tokenEnv, 'tokenEnv')}`;
    const body = { topic: o.topic, title: titleOf(message).slice(0, 250), message: textOf(message, 3800), priority: isUrgent(message) ? 4 : 3, tags: [message.event] };
    return post(o.url.replace(/\/+$/, '') + '/', JSON.stringify(body), headers, ctx);
  },
});
