import { z } from 'zod';
import { defineChannel } from './types.js';
import { post, requireOneUrl, urlFields, urlOf } from './http.js';
import { textOf } from './render.js';

/** Slack's mrkdwn reads `<`, `>` and `&` as markup: a diff must show them as they are. */
const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A Slack incoming webhook: `{ "text": … }`. Its URL is a secret: `urlEnv` keeps it out of the config. */
export const slackChannel = defineChannel({
  type: 'slack',
  description: 'Slack incoming webhook',
  options: () => z.object({ type: z.literal('slack'), ...urlFields }),
  refine: requireOneUrl,
  async send(o, message, ctx) {
    const text = escape(textOf(message, 3500, true));
    return post(urlOf(o, ctx.env), JSON.stringify({ text }), { 'content-type': 'application/json' }, ctx);
  },
});
