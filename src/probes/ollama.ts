import { z } from 'zod';
import { joinUrl } from '../util/http.js';
import { sameModel } from '../llm/ollama.js';
import { clip } from './common.js';
import { defineProbe } from './types.js';

const tagsAnswer = z.object({
  models: z.array(z.looseObject({ name: z.string(), model: z.string().optional() })),
});

/** Ollama's `GET /api/tags`: reachable, how many models, and the required one present. */
export const ollamaProbe = defineProbe({
  kind: 'ollama',
  description: 'Ollama server: reachable, model count, required model present',
  options: () => z.object({
    kind: z.literal('ollama'),
    baseUrl: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:11434'),
    /** A model that must be installed (`name` or `name:tag`; no tag means `:latest`). */
    model: z.string().min(1).optional(),
    /** Fewer models than this is degraded. */
    minModels: z.number().int().min(0).default(1),
    maxLatencyMs: z.number().int().positive().optional(),
  }),
  async check(o, ctx) {
    const started = ctx.clock.now();
    const res = await fetch(joinUrl(o.baseUrl, 'api/tags'), { signal: ctx.signal, headers: { accept: 'application/json' } });
    const text = await res.text();
    const latency = ctx.clock.now() - started;
    if (!res.ok) return { status: 'down', reason: `GET /api/tags: HTTP ${res.status}`, metrics: { latencyMs: latency } };
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { status: 'down', reason: `GET /api/tags: not JSON: ${clip(text, 60)}`, metrics: { latencyMs: latency } };
    }
    const parsed = tagsAnswer.safeParse(body);
    if (!parsed.success) return { status: 'down', reason: 'GET /api/tags: no models list in the answer', metrics: { latencyMs: latency } };
    const models = parsed.data.models;
    const metrics = { models: models.length, latencyMs: latency };
    const count = `${models.length} model${models.length === 1 ? '' : 's'}`;
    if (o.model !== undefined) {
      const wanted = o.model;
      const found = models.some((m) => sameModel(m.name, wanted) || (m.model !== undefined && sameModel(m.model, wanted)));
      if (!found) return { status: 'down', reason: `${count}, required model ${wanted} is missing`, metrics };
    }
    const what = o.model !== undefined ? `${count}, ${o.model} present` : count;
    if (models.length < o.minModels) return { status: 'degraded', reason: `${what}, fewer than ${o.minModels}`, metrics };
    if (o.maxLatencyMs !== undefined && latency > o.maxLatencyMs)
      return { status: 'degraded', reason: `${what}, answered in ${latency} ms, over ${o.maxLatencyMs} ms`, metrics };
    return { status: 'healthy', reason: `${what}, in ${latency} ms`, metrics };
  },
});
