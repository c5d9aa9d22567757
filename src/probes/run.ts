import type { Clock } from '../util/clock.js';
import { isoTime } from '../util/clock.js';
import { errorMessage } from '../util/errors.js';
import { runProcess } from '../util/proc.js';
import { probeKind, type ProbeConfig } from './registry.js';
import type { Health, ProbeResult } from './types.js';

export interface RunProbesOptions {
  clock: Clock;
  baseDir: string;
  history?: Record<string, readonly ProbeResult[]>;
}

/**
 * Run every probe in parallel, each under its own timeout. A probe that throws or overruns is
 * `down` with the reason; it never delays or breaks the others.
 */
export async function runProbes(
  probes: readonly ProbeConfig[],
  opts: RunProbesOptions,
): Promise<ProbeResult[]> {
  return Promise.all(probes.map((p) => runOne(p, opts)));
}

async function runOne(p: ProbeConfig, opts: RunProbesOptions): Promise<ProbeResult> {
  const started = opts.clock.now();
  const base = { name: p.name, kind: p.kind };
  const history = opts.history?.[p.name] ?? [];
  const threshold = p.failureThreshold ?? 1;
  const finish = (status: Health, reason: string, metrics?: Record<string, number>): ProbeResult => {
    // A flapping component is degraded until it has failed `failureThreshold` times in a row.
    const failures = status === 'down' ? (history[history.length - 1]?.failures ?? 0) + 1 : 0;
    if (status === 'down' && failures < threshold) {
      status = 'degraded';
      reason = `failing (${failures} of ${threshold} before down): ${reason}`;
    }
    return {
      ...base,
      status,
      reason,
      ...(metrics ? { metrics } : {}),
      durationMs: opts.clock.now() - started,
      at: isoTime(started),
      failures,
    };
  };
  const kind = probeKind(p.kind);
  if (!kind) return finish('down', `unknown probe kind "${p.kind}"`);
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort(new Error(`timed out after ${p.timeoutMs} ms`));
      reject(new Error(`timed out after ${p.timeoutMs} ms`));
    }, p.timeoutMs);
  });
  try {
    const outcome = await Promise.race([
      kind.check(p as never, {
        signal: controller.signal,
        clock: opts.clock,
        run: runProcess,
        history,
        baseDir: opts.baseDir,
      }),
      timeout,
    ]);
    return finish(outcome.status, outcome.reason, outcome.metrics);
  } catch (err) {
    return finish('down', describeProbeError(err));
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

function describeProbeError(err: unknown): string {
  // fetch hides the useful part (ECONNREFUSED...) in `cause`.
  const cause = (err as { cause?: unknown })?.cause;
  if (cause) {
    const code = (cause as { code?: string }).code;
    return code ? `${errorMessage(err)}: ${code}` : `${errorMessage(err)}: ${errorMessage(cause)}`;
  }
  return errorMessage(err);
}

/** The seed's summary line: `9/11 healthy, 2 degraded`. */
export function summarize(results: readonly ProbeResult[]): string {
  if (results.length === 0) return 'no probes configured';
  const count = (s: Health) => results.filter((r) => r.status === s).length;
  const parts = [`${count('healthy')}/${results.length} healthy`];
  if (count('degraded')) parts.push(`${count('degraded')} degraded`);
  if (count('down')) parts.push(`${count('down')} down`);
  return parts.join(', ');
}
