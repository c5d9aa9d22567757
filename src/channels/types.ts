import type { z } from 'zod';
import { lazyProperty } from '../util/lazy.js';
import type { Scrub } from '../util/secrets.js';
import type { Message } from './event.js';

/** What a send may use: the bound it must end within, the environment secrets come from. */
export interface SendContext {
  /** Aborted at the channel's timeout or the delivery's overall bound: I/O stops on it. */
  signal: AbortSignal;
  timeoutMs: number;
  env: NodeJS.ProcessEnv;
  /** Folder a command channel runs in by default (the config's). */
  baseDir: string;
  scrub: Scrub;
}

/** What the receiver answered: `detail` is shown by `notify --test` and kept as the last error. */
export interface SendResult {
  ok: boolean;
  detail: string;
  /** The HTTP status, when there was one. */
  status?: number;
}

/** Options every channel has, whatever its type. */
export interface CommonChannelOptions {
  type: string;
  name: string;
  events?: string[] | undefined;
  minIntervalMs: number;
  timeoutMs: number;
  retryMs: number;
  maxRetryMs: number;
  expireMs: number;
}

/**
 * A channel type is a self-describing module, as a probe kind is: its name, a schema for its
 * own options (the `type` literal plus its fields) and one send function.
 */
export interface ChannelKind<S extends z.ZodObject = z.ZodObject> {
  type: string;
  description: string;
  options: S;
  /** Checks across fields of the options (one of two keys given, say), reported at the config's edge. */
  refine?(options: z.infer<S>, ctx: z.RefinementCtx): void;
  send(options: z.infer<S> & CommonChannelOptions, message: Message, ctx: SendContext): Promise<SendResult>;
}

/** A channel kind, its options schema given as a function: built when first asked for (see defineProbe). */
export function defineChannel<S extends z.ZodObject>(kind: Omit<ChannelKind<S>, 'options'> & { options: () => S }): ChannelKind<S> {
  const { options, ...rest } = kind;
  return lazyProperty(rest, 'options', options);
}

/** A variable the config names must be set when it is used: say which, and for what. */
export function envValue(env: NodeJS.ProcessEnv, name: string, key: string): string {
  const v = env[name];
  if (v === undefined || v === '') throw new Error(`${key}: the environment variable ${name} is not set`);
  return v;
}
