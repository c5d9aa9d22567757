import type { Health, ProbeResult } from './types.js';

/** draft-inadarei-api-health-check: pass / warn / fail. */
const STATUS: Record<Health, 'pass' | 'warn' | 'fail'> = { healthy: 'pass', degraded: 'warn', down: 'fail' };

export interface HealthCheckDocument {
  status: 'pass' | 'warn' | 'fail';
  description: string;
  output: string;
  checks: Record<string, HealthCheckEntry[]>;
}

export interface HealthCheckEntry {
  componentId: string;
  componentType: string;
  status: 'pass' | 'warn' | 'fail';
  time: string;
  output?: string;
  observedValue?: number;
  observedUnit?: string;
  affectedEndpoints?: string[];
  metrics?: Record<string, number>;
  /** A probe's check time (the mechanic's own cycles check has none). */
  durationMs?: number;
}

/**
 * Probe results in the `application/health+json` shape, so existing health tooling can read
 * them: `checks` keys are `<probe name>:<kind>`, the overall status is the worst of them.
 */
export function toHealthCheck(results: readonly ProbeResult[], summary: string): HealthCheckDocument {
  const checks: Record<string, HealthCheckEntry[]> = {};
  for (const r of results) {
    const entry: HealthCheckEntry = {
      componentId: r.name,
      componentType: r.kind,
      status: STATUS[r.status],
      time: r.at,
      durationMs: r.durationMs,
    };
    if (r.status !== 'healthy' || r.reason) entry.output = r.reason;
    if (r.metrics && Object.keys(r.metrics).length) entry.metrics = r.metrics;
    checks[`${r.name}:${r.kind}`] = [entry];
  }
  const worst = results.some((r) => r.status === 'down') ? 'fail' : results.some((r) => r.status === 'degraded') ? 'warn' : 'pass';
  return { status: worst, description: 'code-mechanic Layer 1 probes', output: summary, checks };
}
