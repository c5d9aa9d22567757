import { z } from 'zod';
import { asNumber, clip, connectionFields, connectionSecrets, connectionStringOf, redact } from './common.js';
import { defineProbe } from './types.js';

/**
 * Run one query and return the first column of its first row. The connection string never
 * appears in what this throws: errors are redacted and carry no cause.
 */
export async function queryValue(
  connectionString: string,
  query: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<{ value: unknown; rows: number }> {
  const secrets = connectionSecrets(connectionString);
  // Loaded when a postgres probe runs, not by every command that lists the probe kinds.
  const { default: pg } = await import('pg');
  const client = new pg.Client({
    connectionString,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    statement_timeout: timeoutMs,
    application_name: 'code-mechanic',
  });
  client.on('error', () => {
    /* a dropped connection after the answer: nothing to report */
  });
  const onAbort = () => void client.end().catch(() => undefined);
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    await client.connect();
    const res = await client.query({ text: query, rowMode: 'array' });
    const first = (res.rows[0] as unknown[] | undefined)?.[0];
    return { value: first, rows: res.rows.length };
  } catch (err) {
    if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
    const message = err instanceof Error ? err.message : String(err);
    const code = (err as { code?: unknown }).code;
    throw new Error(redact(`postgres: ${message}${typeof code === 'string' && !message.includes(code) ? ` (${code})` : ''}`, secrets));
  } finally {
    signal.removeEventListener('abort', onAbort);
    await client.end().catch(() => undefined);
  }
}

/** The numeric conditions on a query's value: outside [min, max] is down, under degradedMin degraded. */
export const numericConditionFields = {
  min: z.number().optional(),
  max: z.number().optional(),
  degradedMin: z.number().optional(),
};

export function checkNumericConditions(
  value: { min?: number | undefined; max?: number | undefined; degradedMin?: number | undefined },
  ctx: z.RefinementCtx,
): void {
  if (value.min !== undefined && value.max !== undefined && value.max < value.min)
    ctx.addIssue({ code: 'custom', message: 'max must be at least min', path: ['max'] });
  if (value.degradedMin !== undefined && value.min !== undefined && value.degradedMin < value.min)
    ctx.addIssue({ code: 'custom', message: 'degradedMin must be at least min', path: ['degradedMin'] });
}

/** PostgreSQL: a query (default `SELECT 1`) whose first value meets numeric conditions. */
export const postgresProbe = defineProbe({
  kind: 'postgres',
  description: 'PostgreSQL: a query answers, and its value meets numeric conditions',
  options: () => z
    .object({
      kind: z.literal('postgres'),
      ...connectionFields,
      query: z.string().min(1).default('SELECT 1'),
      ...numericConditionFields,
    })
    .superRefine((o, ctx) => {
      if ((o.connectionString === undefined) === (o.connectionStringEnv === undefined))
        ctx.addIssue({ code: 'custom', message: 'give exactly one of connectionString and connectionStringEnv', path: ['connectionString'] });
      checkNumericConditions(o, ctx);
    }),
  async check(o, ctx) {
    const started = ctx.clock.now();
    const { value, rows } = await queryValue(connectionStringOf(o), o.query, o.timeoutMs, ctx.signal);
    const latency = ctx.clock.now() - started;
    const metrics: Record<string, number> = { latencyMs: latency };
    const hasConditions = o.min !== undefined || o.max !== undefined || o.degradedMin !== undefined;
    const n = asNumber(typeof value === 'boolean' ? Number(value) : value);
    if (n !== undefined) metrics.value = n;
    if (!hasConditions) {
      const what = rows === 0 ? 'no rows' : `returned ${clip(String(value), 40)}`;
      return { status: 'healthy', reason: `query ${what} in ${latency} ms`, metrics };
    }
    if (n === undefined) {
      const what = rows === 0 ? 'no rows' : clip(JSON.stringify(value) ?? String(value), 40);
      return { status: 'down', reason: `query returned ${what}, not a number`, metrics };
    }
    if (o.min !== undefined && n < o.min) return { status: 'down', reason: `query returned ${n}, under ${o.min}`, metrics };
    if (o.max !== undefined && n > o.max) return { status: 'down', reason: `query returned ${n}, over ${o.max}`, metrics };
    if (o.degradedMin !== undefined && n < o.degradedMin)
      return { status: 'degraded', reason: `query returned ${n}, under ${o.degradedMin}`, metrics };
    return { status: 'healthy', reason: `query returned ${n} in ${latency} ms`, metrics };
  },
});
