import { z } from 'zod';
import { EVENT_NAMES, validFilterEntry } from './event.js';
import { channelKinds } from './registry.js';
import type { ChannelKind, CommonChannelOptions } from './types.js';

/** The fields every channel has (made with the union, on first use). */
const commonFields = () => ({
  /** How the channel is named in `notify --test`, `status` and the outbox. Default: its type. */
  name: z.string().regex(/^[-_.A-Za-z0-9]{1,64}$/, 'expected a short name: letters, digits, -, _ and .').optional(),
  /** The events this channel gets (`fix.applied`, or `fix.*`). Default: all. */
  events: z
    .array(z.string().refine(validFilterEntry, { error: (iss) => `unknown event "${String(iss.input)}" (known: ${EVENT_NAMES.join(', ')}, or a prefix such as fix.*)` }))
    .min(1)
    .optional(),
  /** Flood control: at most one message per this interval; what comes meanwhile goes out as one digest. */
  minIntervalMs: z.number().int().min(0).default(0),
  /** One send ends within this (an answer, or it counts as failed and is retried). */
  timeoutMs: z.number().int().positive().default(10_000),
  /** First retry after this; doubling per failure up to `maxRetryMs`. */
  retryMs: z.number().int().min(0).default(30_000),
  maxRetryMs: z.number().int().min(0).default(60 * 60_000),
  /** An event not delivered within this of its time is dropped (recorded as expired). */
  expireMs: z.number().int().positive().default(24 * 60 * 60_000),
});

function withCommon(kind: ChannelKind, common: ReturnType<typeof commonFields>) {
  return kind.options
    .safeExtend(common)
    .strict()
    .superRefine((o, ctx) => kind.refine?.(o, ctx));
}

/** A validated channel of any type, defaults applied, named. */
export type ChannelConfig = CommonChannelOptions & Record<string, unknown>;
export type ChannelInput = { type: string; name?: string; events?: string[] } & Record<string, unknown>;

type ParsedChannel = Omit<CommonChannelOptions, 'name'> & { name?: string } & Record<string, unknown>;
/**
 * A channel of any type, chosen by `type`. Built on first use: a config without channels (most
 * a scan reads) does not pay for six extended schemas and their union at every start.
 */
const channelSchema: z.ZodType<ParsedChannel, ChannelInput> = z.lazy(() => {
  const common = commonFields();
  const [first, ...rest] = channelKinds.map((kind) => withCommon(kind, common));
  return z.discriminatedUnion('type', [first!, ...rest]);
}) as never;

/** `notify:` in the config: a list of channels, each named uniquely (by default, its type). */
export const notifySchema = z
  .array(channelSchema)
  .superRefine((list, ctx) => {
    const seen = new Map<string, number>();
    list.forEach((c, i) => {
      const name = c.name ?? c.type;
      const before = seen.get(name);
      if (before !== undefined)
        ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `"${name}" is also the name of notify[${before}]: give each channel of the same type a name` });
      else seen.set(name, i);
    });
  })
  .transform((list): ChannelConfig[] => list.map((c) => ({ ...c, name: c.name ?? c.type })))
  .default([]);
