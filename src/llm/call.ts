import type { LlmSettings } from './settings.js';
import { showContextLength } from './ollama.js';
import { meteredGenerate } from './meter.js';
import { markAnswered, markDown, serverDown, serverOrder } from './servers.js';
import { LlmError, isLlmError, type LlmAnswer, type LlmProvider, type LlmRequest } from './types.js';

/** Longest wait between two tries, whatever the doubling reaches. */
const MAX_BACKOFF_MS = 30_000;

export interface CallOptions {
  signal?: AbortSignal;
}

export interface CallResult {
  answer: LlmAnswer;
  /** Tries made, the successful one included (over every server tried). */
  attempts: number;
  /** The server that answered. */
  server: string;
  /** Servers found down on the way, before the one that answered. */
  failedOver: string[];
}

/** Worth another try: the server was not reached, dropped the connection, or failed (5xx, 429). */
export function isTransient(err: unknown): boolean {
  if (!isLlmError(err)) return false;
  if (err.kind === 'unreachable') return true;
  return err.kind === 'http' && err.status !== undefined && (err.status >= 500 || err.status === 429);
}

/**
 * One model call over the configured servers (`llm.baseUrl`, one or a list). A server that is
 * down (unreachable, timeout, 5xx/429) hands the call to the next one at once, starting from the
 * one that answered last; when every server failed, the round is tried again `llm.retries` more
 * times, waiting `llm.retryDelayMs` and doubling, if any failure was transient. A round of only
 * timeouts is not tried again (the answers would be as slow again), nor a cancel; the caller's
 * signal also cuts a wait short. Any other failure (a 4xx, an unusable answer) is the answer.
 */
export async function callModel(provider: LlmProvider, req: LlmRequest, settings: LlmSettings, opts: CallOptions = {}): Promise<CallResult> {
  const urls = serverOrder(settings);
  const failedOver: string[] = [];
  let attempts = 0;
  for (let round = 1; ; round++) {
    const failures: { url: string; err: LlmError }[] = [];
    for (const url of urls) {
      attempts++;
      try {
        const answer = await meteredGenerate(provider, req, { ...settings, baseUrl: url }, opts.signal);
        markAnswered(settings, url, { durationMs: answer.durationMs });
        return { answer, attempts, server: url, failedOver: failedOver.filter((u) => u !== url) };
      } catch (err) {
        if (!serverDown(err) || opts.signal?.aborted) {
          if (isLlmError(err, 'http') || isLlmError(err, 'bad-answer') || isLlmError(err, 'empty')) markAnswered(settings, url);
          throw err;
        }
        markDown(settings, url, err);
        failures.push({ url, err: err as LlmError });
        if (!failedOver.includes(url)) failedOver.push(url);
      }
    }
    const last = failures[failures.length - 1]!.err;
    const failed = urls.length === 1 ? last : everyServerFailed(failures);
    if (!failures.some((f) => isTransient(f.err)) || round > settings.retries) throw failed;
    const delay = Math.min(MAX_BACKOFF_MS, settings.retryDelayMs * 2 ** (round - 1));
    await sleep(delay, opts.signal, failed);
  }
}

/** One error for a round in which every server failed: each named with why; the last one's kind. */
function everyServerFailed(failures: readonly { url: string; err: LlmError }[]): LlmError {
  const last = failures[failures.length - 1]!.err;
  const message = `every model server failed: ${failures.map((f) => `${f.url}: ${f.err.message}`).join('; ')}`;
  return new LlmError(last.kind, message, last.status !== undefined ? { status: last.status } : {}, { cause: last });
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
  // Asked of the server the next call goes to first.
  const url = serverOrder(settings)[0];
  const key = `${provider.name} ${url} ${settings.model}`;
  const hit = contextCache.get(key);
  if (hit && Date.now() - hit.at < CONTEXT_TTL_MS) return hit.value;
  const quick: LlmSettings = { ...settings, ...(url !== undefined ? { baseUrl: url } : {}), timeoutMs: Math.min(settings.timeoutMs, 10_000) };
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
