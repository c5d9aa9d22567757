import { z } from 'zod';
import type { ProbeKind } from './types.js';
import { httpProbe } from './http.js';

/** Every probe kind, by name. Adding a kind is one file and one line here. */
export const probeKinds: readonly ProbeKind[] = [httpProbe] as unknown as ProbeKind[];

const common = {
  name: z.string().min(1),
  timeoutMs: z.number().int().positive().default(10_000),
};

function withCommon(kind: ProbeKind) {
  return z.strictObject({ ...common, ...kind.options.shape });
}

const [first, ...rest] = probeKinds.map(withCommon);

/** A configured probe: the common fields plus the options of its kind, chosen by `kind`. */
export const probeSchema = z.discriminatedUnion('kind', [first!, ...rest]);

export function probeKind(kind: string): ProbeKind | undefined {
  return probeKinds.find((k) => k.kind === kind);
}
