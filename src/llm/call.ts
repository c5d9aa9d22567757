import type { LlmSettings } from './settings.js';
import { showContextLength } from './ollama.js';
import { baseUrlOf } from './registry.js';
import { meteredGenerate } from './meter.js';
import { LlmError, isLlmError, type LlmAnswer, type LlmProvider, type LlmRequest } from './types.js';

/** Longest wait between two tries, whatever the doubling reaches. */
const MAX_BACKOFF_MS = 30_000;

export interface CallOptions {
  signal?: AbortSignal;
}

export interface CallResult {
  answer: LlmAnswer;
  /** Tries made, the successful one included. */
  attempts: number;
}

/** Worth another try: the server was not reached, dropped the connection, or failed (5xx, 429). */
export function isTransient(err: unknown): boolean {
  if (!isLlmError(err)) return false;
  if (err.kind === 'unreachable') return true;
  return err.kind === 'http' && err.status !== undefined && (err.status >= 500 || err.status === 429);
}

/**
 * One model call with `llm.retries` more tries on transient failures, waiting `llm.retryDelayMs`
 * and doubling. A timeout is not retried (the answer would be as slow again), nor a cancel; the
 * caller's signal also cuts a wait short.
 */
export async function callModel(provider: LlmProvider, req: LlmRequest, settings: LlmSettings, opts: CallOptions = {}): Promise<CallResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      const answer = await meteredGenerate(provider, req, settings, opts.signal);
      return { answer, attempts: attempt };
    } catch (err) {
      if (!isTransient(err) || attempt > settings.retries) throw err;
      const delay = Math.min(MAX_BACKOFF_MS, settings.retryDelayMs * 2 ** (attempt - 1));
      await sleep(delay, opts.signal, err as LlmError);
    }
  }
}

function sleep(ms: number, signal: AbortSignal | undefined, last: LlmError): Promise<void> {
  // Cut short, the failure that led to the wait is what the caller needs to hear about.
  const cancelled = () => new LlmError('aborted', `${last.message}; the retry was cancelled`, {}, { cause: last });
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(cancelled());
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(cancelled());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Context lengths asked of a server are kept this long (a daemon sees model swaps eventually). */
const CONTEXT_TTL_MS = 10 * 60 * 1000;
const contextCache = new Map<string, { at: number; value: Promise<number | undefined> }>();

/**
 * The model's context window in tokens, as its server reports it (Ollama: `/api/show`;
 * OpenAI-compatible: `/v1/models`), or undefined when it does not say or cannot be asked.
 */
export function modelContextLength(provider: LlmProvider, settings: LlmSettings, signal?: AbortSignal): Promise<number | undefined> {
  const key = `${provider.name} ${baseUrlOf(settings)} ${settings.model}`;
  const hit = contextCache.get(key);
  if (hit && Date.now() - hit.at < CONTEXT_TTL_MS) return hit.value;
  const quick: LlmSettings = { ...settings, timeoutMs: Math.min(settings.timeoutMs, 10_000) };
  const value = (async () => {
    try {
      if (provider.name === 'ollama') return await showContextLength(quick, settings.model, signal);
      const models = await provider.listModels(quick, signal);
      return models.find((m) => m.name === settings.model)?.contextLength;
    } catch {
      return undefined;
    }
  })();
  contextCache.set(key, { at: Date.now(), value });
  return value;
}
