import { z } from 'zod';
import { errorMessage } from '../util/errors.js';
import { defineChannel, envValue } from './types.js';
import { textOf, titleOf } from './render.js';

/** Mail through an SMTP server (nodemailer); the password comes from the environment. */
export const emailChannel = defineChannel({
  type: 'email',
  description: 'email through an SMTP server',
  options: () => z.object({
    type: z.literal('email'),
    host: z.string().min(1),
    /** Default 465 with `secure`, else 587. */
    port: z.number().int().min(1).max(65535).optional(),
    /** TLS from the first byte (port 465); otherwise STARTTLS is used when the server offers it. */
    secure: z.boolean().default(false),
    /** Refuse to send unless the server upgrades to TLS. */
    requireTLS: z.boolean().default(false),
    user: z.string().min(1).optional(),
    /** The variable holding the SMTP password (needs `user`). */
    passwordEnv: z.string().min(1).optional(),
    from: z.string().min(1),
    to: z.array(z.email({ error: 'expected an email address' })).min(1),
  }),
  refine(o, ctx) {
    if (o.passwordEnv && !o.user) ctx.addIssue({ code: 'custom', path: ['user'], message: 'required with passwordEnv: the SMTP login' });
  },
  async send(o, message, ctx) {
    const auth = o.user ? { user: o.user, pass: o.passwordEnv ? envValue(ctx.env, o.passwordEnv, 'passwordEnv') : '' } : undefined;
    // Loaded when mail is sent, not by every command that reads the channel kinds.
    const { default: nodemailer } = await import('nodemailer');
    const transport = nodemailer.createTransport({
      host: o.host,
      port: o.port ?? (o.secure ? 465 : 587),
      secure: o.secure,
      requireTLS: o.requireTLS,
      ...(auth ? { auth } : {}),
      connectionTimeout: ctx.timeoutMs,
      greetingTimeout: ctx.timeoutMs,
      socketTimeout: ctx.timeoutMs,
    });
    const onAbort = () => transport.close();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const info = await transport.sendMail({
        from: o.from,
        to: o.to,
        subject: titleOf(message).slice(0, 200),
        text: textOf(message, 200_000),
        headers: { 'X-Mechanic-Event': message.event, 'X-Mechanic-Id': message.id },
      });
      return { ok: info.rejected.length === 0, detail: ctx.scrub(`${info.response}${info.rejected.length ? `; rejected ${info.rejected.join(', ')}` : ''}`) };
    } catch (err) {
      return { ok: false, detail: ctx.signal.aborted ? `no answer within ${ctx.timeoutMs} ms` : ctx.scrub(errorMessage(err)) };
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
      transport.close();
    }
  },
});
