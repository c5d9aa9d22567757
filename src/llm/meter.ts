import type { LlmAnswer, LlmProvider, LlmRequest } from './types.js';
import type { LlmSettings } from './settings.js';
import { isLlmError } from './types.js';

/** One request to a model server, as this process made it: `ok`, or the failure's kind. */
export interface ModelRequestRecord {
  outcome: string;
  seconds: number;
}

const listeners = new Set<(r: ModelRequestRecord) => void>();

/** Hear about every model request this process makes (each retry is a request); returns the unsubscribe. */
export function onModelRequest(listener: (r: ModelRequestRecord) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** `provider.generate`, timed and reported to the listeners (a listener that throws is ignored). */
export async function meteredGenerate(provider: LlmProvider, req: LlmRequest, settings: LlmSettings, signal?: AbortSignal): Promise<LlmAnswer> {
  const started = performance.now();
  let outcome = 'ok';
  try {
    return await provider.generate(req, settings, signal);
  } catch (err) {
    outcome = isLlmError(err) ? err.kind : 'error';
    throw err;
  } finally {
    const record = { outcome, seconds: (performance.now() - started) / 1000 };
    for (const l of listeners)
      try {
        l(record);
      } catch {
        /* metrics must never break a repair */
      }
  }
}
