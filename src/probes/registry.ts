import { z } from 'zod';
import type { CommonProbeOptions, ProbeKind } from './types.js';
import { commandProbe } from './command.js';
import { diskProbe } from './disk.js';
import { fileAgeProbe } from './file-age.js';
import { githubProbe } from './github.js';
import { httpProbe } from './http.js';
import { ollamaProbe } from './ollama.js';
import { pm2Probe } from './pm2.js';
import { postgresProbe } from './postgres.js';
import { queueProbe } from './queue.js';
import { remedySchema } from './remedy.js';
import { tcpProbe } from './tcp.js';

/** Every probe kind, by name. Adding a kind is one file and one line here. */
export const probeKinds: readonly ProbeKind[] = [
  httpProbe,
  tcpProbe,
  ollamaProbe,
  postgresProbe,
  fileAgeProbe,
  queueProbe,
  githubProbe,
  pm2Probe,
  diskProbe,
  commandProbe,
];

/** The fields every probe has (made with the union, on first use). */
const commonFields = () => ({
  name: z.string().min(1),
  timeoutMs: z.number().int().positive().default(10_000),
  /** Consecutive failures before a probe is called down (as Kubernetes probes count them). */
  failureThreshold: z.number().int().positive().default(1),
  /** What to do when the probe is down: a command, or (pm2) restart what is stopped or errored. */
  remedy: remedySchema.optional(),
});

/** The kind's options plus the common fields, unknown keys refused; the kind's own refinements are kept. */
function withCommon(kind: ProbeKind, common: ReturnType<typeof commonFields>) {
  return kind.options
    .safeExtend(common)
    .strict()
    .superRefine((o, ctx) => {
      const remedy = (o as { remedy?: { command?: unknown } }).remedy;
      if (remedy && remedy.command === undefined && kind.kind !== 'pm2')
        ctx.addIssue({ code: 'custom', path: ['remedy', 'command'], message: `required: the program to run, as argv (only a pm2 probe has a built-in remedy, the restart)` });
    });
}

/** A validated probe of any kind, defaults applied (each kind's check knows its own fields). */
export type ProbeConfig = CommonProbeOptions & Record<string, unknown>;
/** A probe as written in a config file. */
export type ProbeInput = { name: string; kind: string; timeoutMs?: number; failureThreshold?: number; remedy?: z.input<typeof remedySchema> } & Record<string, unknown>;

/**
 * A configured probe: the common fields plus the options of its kind, chosen by `kind`. Built on
 * first use: a config without probes (a scan's, often) does not pay for ten kinds' schemas.
 */
export const probeSchema: z.ZodType<ProbeConfig, ProbeInput> = z.lazy(() => {
  const common = commonFields();
  const [first, ...rest] = probeKinds.map((kind) => withCommon(kind, common));
  return z.discriminatedUnion('kind', [first!, ...rest]);
}) as never;

export function probeKind(kind: string): ProbeKind | undefined {
  return probeKinds.find((k) => k.kind === kind);
}
