import type { z } from 'zod';
import type { Clock } from '../util/clock.js';
import type { runProcess } from '../util/proc.js';
import { lazyProperty } from '../util/lazy.js';
import type { RemedyConfig } from './remedy.js';

export type Health = 'healthy' | 'degraded' | 'down';

/** What one probe kind's check decides. */
export interface ProbeOutcome {
  status: Health;
  reason: string;
  /** Numbers worth keeping in history (latency, model count, free percent...). */
  metrics?: Record<string, number>;
}

/** One probe's result in a cycle, as kept in state and printed. */
export interface ProbeResult extends ProbeOutcome {
  name: string;
  kind: string;
  durationMs: number;
  at: string;
  /** Consecutive failed checks up to this one (0 when it passed). */
  failures?: number;
}

/** Options every probe has, whatever its kind. */
export interface CommonProbeOptions {
  name: string;
  kind: string;
  timeoutMs: number;
  failureThreshold?: number;
  remedy?: RemedyConfig | undefined;
}

export interface ProbeContext {
  /** Aborted when the probe's own timeout passes: checks must stop their I/O on it. */
  signal: AbortSignal;
  clock: Clock;
  run: typeof runProcess;
  /** This probe's earlier results, oldest first (for kinds that judge a trend). */
  history: readonly ProbeResult[];
  /** Folder that relative paths in options are resolved against. */
  baseDir: string;
}

/**
 * A probe kind is a self-describing module: its name, a schema for its own options (the `kind`
 * literal plus its fields; the common fields are added by the registry) and one check function.
 */
export interface ProbeKind<S extends z.ZodObject = z.ZodObject> {
  kind: string;
  description: string;
  options: S;
  check(options: z.infer<S> & CommonProbeOptions, ctx: ProbeContext): Promise<ProbeOutcome>;
}

/**
 * A probe kind, its options schema given as a function: built when first asked for (a config's
 * probes are validated), not when the module loads, so that a command whose config has no
 * probes (a scan's, often) does not build ten kinds' schemas at every start.
 */
export function defineProbe<S extends z.ZodObject>(kind: Omit<ProbeKind<S>, 'options'> & { options: () => S }): ProbeKind<S> {
  const { options, ...rest } = kind;
  return lazyProperty(rest, 'options', options);
}
