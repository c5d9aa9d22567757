import { z } from 'zod';
import { defineChannel } from './types.js';
import { post, requireOneUrl, urlFields, urlOf } from './http.js';
import { textOf } from './render.js';

/** Discord refuses content longer than this. */
const MAX_CONTENT = 2000;

/** A Discord webhook: `{ "content": … }`, mentions off (a file's text must not ping anyone). */
export const discordChannel = defineChannel({
  type: 'discord',
  description: 'Discord webhook',
  options: () => z.object({ type: z.literal('discord'), ...urlFields, username: z.string().min(1).default('code-mechanic') }),
  refine: requireOneUrl,
  async send(o, message, ctx) {
    const content = textOf(message, MAX_CONTENT, true);
    return post(urlOf(o, ctx.env), JSON.stringify({ content, username: o.username, allowed_mentions: { parse: [] } }), { 'content-type': 'application/json' }, ctx);
  },
});
