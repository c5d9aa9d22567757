import type { Health } from '../probes/types.js';

/**
 * One probe's checks within one clock hour (UTC). probeHistory keeps only the last
 * PROBE_HISTORY results (a few hours at the default cycle): too short for 7 days of uptime.
 * Hourly counts make 24 h and 7 d uptime computable at a fixed size: at most UPTIME_HOURS
 * buckets a probe, whatever the cycle interval.
 */
export interface UptimeBucket {
  /** Start of the hour, ms since the epoch (a multiple of HOUR_MS). */
  hour: number;
  checks: number;
  healthy: number;
  degraded: number;
}

export const HOUR_MS = 3_600_000;
/** Seven days of hours: the longest window reported. */
export const UPTIME_HOURS = 7 * 24;

/** Count one result into its probe's buckets, dropping hours older than UPTIME_HOURS. */
export function countCheck(buckets: readonly UptimeBucket[], status: Health, at: number): UptimeBucket[] {
  const hour = Math.floor(at / HOUR_MS) * HOUR_MS;
  const out = buckets.filter((b) => b.hour > hour - UPTIME_HOURS * HOUR_MS).map((b) => ({ ...b }));
  let b = out.find((x) => x.hour === hour);
  if (!b) {
    b = { hour, checks: 0, healthy: 0, degraded: 0 };
    out.push(b);
    out.sort((x, y) => x.hour - y.hour);
  }
  b.checks++;
  if (status === 'healthy') b.healthy++;
  else if (status === 'degraded') b.degraded++;
  return out;
}

export interface Uptime {
  /** Share of checks that were healthy, in [0, 1]; null with no checks in the window. */
  ratio: number | null;
  checks: number;
  healthy: number;
  degraded: number;
}

/**
 * Uptime over the last `hours` hours, counted in checks (each cycle's result weighs the same)
 * and to the hour: the window is the current hour and the `hours - 1` before it.
 */
export function uptimeOver(buckets: readonly UptimeBucket[], hours: number, now: number): Uptime {
  const from = Math.floor(now / HOUR_MS) * HOUR_MS - (hours - 1) * HOUR_MS;
  let checks = 0;
  let healthy = 0;
  let degraded = 0;
  for (const b of buckets) {
    if (b.hour < from || b.hour > now) continue;
    checks += b.checks;
    healthy += b.healthy;
    degraded += b.degraded;
  }
  return { ratio: checks ? healthy / checks : null, checks, healthy, degraded };
}
