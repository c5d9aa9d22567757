import { z } from 'zod';
import { defineProbe } from './types.js';

/** GET a URL: healthy when the status is the expected one and the answer came fast enough. */
export const httpProbe = defineProbe({
  kind: 'http',
  description: 'HTTP request: status code, latency and JSON body conditions',
  options: z.object({
    kind: z.literal('http'),
    url: z.url({ protocol: /^https?$/ }),
    method: z.enum(['GET', 'HEAD', 'POST']).default('GET'),
    expectStatus: z.union([z.number().int(), z.array(z.number().int()).min(1)]).default(200),
    maxLatencyMs: z.number().int().positive().optional(),
    headers: z.record(z.string(), z.string()).default({}),
  }),
  async check(o, ctx) {
    const started = ctx.clock.now();
    const res = await fetch(o.url, { method: o.method, headers: o.headers, signal: ctx.signal });
    await res.arrayBuffer();
    const latency = ctx.clock.now() - started;
    const expected = Array.isArray(o.expectStatus) ? o.expectStatus : [o.expectStatus];
    if (!expected.includes(res.status))
      return { status: 'down', reason: `HTTP ${res.status}, expected ${expected.join(' or ')}`, metrics: { latencyMs: latency } };
    if (o.maxLatencyMs !== undefined && latency > o.maxLatencyMs)
      return { status: 'degraded', reason: `HTTP ${res.status} in ${latency} ms, over ${o.maxLatencyMs} ms`, metrics: { latencyMs: latency } };
    return { status: 'healthy', reason: `HTTP ${res.status} in ${latency} ms`, metrics: { latencyMs: latency } };
  },
});
