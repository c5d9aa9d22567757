import { z } from 'zod';
import type { Health } from './types.js';
import { asNumber, clip, compareNumbers, numericOps, onFailSchema, opSign, worst } from './common.js';
import { defineProbe } from './types.js';

const jsonPath = z
  .string()
  .regex(/^[^.[\]]+(\[\d+\]|\.[^.[\]]+)*$/, { message: 'a path such as a.b, items.0.name or items[0].name' });

/**
 * A condition on the JSON body: the value at `path` compared with `value`. `exists` needs no value.
 * `onFail` says what a failed condition makes the probe (default `down`).
 */
export const jsonConditionSchema = z.discriminatedUnion('op', [
  z.strictObject({ path: jsonPath, op: z.enum(numericOps), value: z.number(), onFail: onFailSchema }),
  z.strictObject({
    path: jsonPath,
    op: z.enum(['eq', 'ne']),
    value: z.union([z.string(), z.number(), z.boolean(), z.null()]),
    onFail: onFailSchema,
  }),
  z.strictObject({ path: jsonPath, op: z.literal('exists'), onFail: onFailSchema }),
]);
export type JsonCondition = z.output<typeof jsonConditionSchema>;

/** `a.b[0].c` → the value, or `undefined` when any step is missing. */
export function valueAt(body: unknown, p: string): unknown {
  const steps = p.replace(/\[(\d+)\]/g, '.$1').split('.');
  let cur: unknown = body;
  for (const step of steps) {
    if (cur === null || typeof cur !== 'object') return undefined;
    if (!Object.prototype.hasOwnProperty.call(cur, step)) return undefined;
    cur = (cur as Record<string, unknown>)[step];
  }
  return cur;
}

function show(v: unknown): string {
  return v === undefined ? 'missing' : clip(JSON.stringify(v), 60);
}

/** Why a condition fails, or `undefined` when it holds. */
export function failedCondition(c: JsonCondition, body: unknown): string | undefined {
  const actual = valueAt(body, c.path);
  if (c.op === 'exists') return actual === undefined ? `${c.path} is missing` : undefined;
  if (c.op === 'eq' || c.op === 'ne') {
    const equal = typeof c.value === 'number' ? asNumber(actual) === c.value : actual === c.value;
    if (equal === (c.op === 'eq')) return undefined;
    return `${c.path} is ${show(actual)}, expected ${opSign(c.op)} ${JSON.stringify(c.value)}`;
  }
  const n = asNumber(actual);
  if (n !== undefined && compareNumbers(n, c.op, c.value as number)) return undefined;
  return `${c.path} is ${show(actual)}, expected ${opSign(c.op)} ${c.value}`;
}

/** GET a URL: healthy when the status is the expected one, the JSON body conditions hold and the answer came fast enough. */
export const httpProbe = defineProbe({
  kind: 'http',
  description: 'HTTP request: status code, latency and JSON body conditions',
  options: () => z.object({
    kind: z.literal('http'),
    url: z.url({ protocol: /^https?$/ }),
    method: z.enum(['GET', 'HEAD', 'POST']).default('GET'),
    expectStatus: z.union([z.number().int(), z.array(z.number().int()).min(1)]).default(200),
    maxLatencyMs: z.number().int().positive().optional(),
    headers: z.record(z.string(), z.string()).default({}),
    /** Conditions on the JSON body, e.g. `{ path: 'queue.depth', op: 'lte', value: 100 }`. */
    json: z.array(jsonConditionSchema).default([]),
  }),
  async check(o, ctx) {
    const started = ctx.clock.now();
    const res = await fetch(o.url, { method: o.method, headers: o.headers, signal: ctx.signal });
    const text = o.json.length > 0 ? await res.text() : (await res.arrayBuffer(), '');
    const latency = ctx.clock.now() - started;
    const metrics: Record<string, number> = { latencyMs: latency };
    const expected = Array.isArray(o.expectStatus) ? o.expectStatus : [o.expectStatus];
    if (!expected.includes(res.status))
      return { status: 'down', reason: `HTTP ${res.status}, expected ${expected.join(' or ')}`, metrics };
    let status: Health = 'healthy';
    const problems: string[] = [];
    if (o.json.length > 0) {
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return { status: 'down', reason: `HTTP ${res.status}, body is not JSON: ${clip(text, 60) || '(empty)'}`, metrics };
      }
      for (const c of o.json) {
        const n = asNumber(valueAt(body, c.path));
        if (n !== undefined && c.op !== 'exists') metrics[`json:${c.path}`] = n;
        const why = failedCondition(c, body);
        if (why === undefined) continue;
        problems.push(why);
        status = worst(status, c.onFail);
      }
    }
    let head = `HTTP ${res.status} in ${latency} ms`;
    if (o.maxLatencyMs !== undefined && latency > o.maxLatencyMs) {
      head += `, over ${o.maxLatencyMs} ms`;
      status = worst(status, 'degraded');
    }
    if (problems.length > 0) return { status, reason: `${head}: ${problems.join('; ')}`, metrics };
    if (status !== 'healthy') return { status, reason: head, metrics };
    const checks = o.json.length > 0 ? `, ${o.json.length} JSON condition${o.json.length === 1 ? '' : 's'} met` : '';
    return { status, reason: `${head}${checks}`, metrics };
  },
});
