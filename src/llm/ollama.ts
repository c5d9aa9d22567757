import { z } from 'zod';
import { serverUrls, type LlmSettings } from './settings.js';
import { CHARS_PER_TOKEN, LlmError, apiKeyOf, describeShape, emptyAnswer, requestJson, type LlmAnswer, type LlmProvider, type LlmRequest, type ModelInfo } from './types.js';
import { joinUrl } from '../util/http.js';

export const OLLAMA_DEFAULT_BASE_URL = 'http://127.0.0.1:11434';

/** Ollama's window when none is asked for is small, and it silently drops what overflows it. */
export const MIN_NUM_CTX = 2048;
/** Tokens kept free besides the prompt and the answer: the template's own tokens, rounding. */
const NUM_CTX_MARGIN = 256;

/**
 * `options.num_ctx` for a prompt of `promptChars` characters and an answer of up to `numPredict`
 * tokens: the estimate plus a margin, rounded up to a multiple of 1024, at least 2048.
 */
export function numCtxFor(promptChars: number, numPredict: number): number {
  const tokens = Math.ceil(promptChars / CHARS_PER_TOKEN) + numPredict + NUM_CTX_MARGIN;
  return Math.max(MIN_NUM_CTX, Math.ceil(tokens / 1024) * 1024);
}

function optionsFor(req: LlmRequest, settings: LlmSettings): Record<string, number> {
  const promptChars = req.prompt.length + (req.system?.length ?? 0);
  let numCtx = numCtxFor(promptChars, settings.numPredict);
  // Never ask for more than the model has: Ollama would allocate it, and the model degrade.
  if (req.contextLength !== undefined) numCtx = Math.min(numCtx, Math.max(MIN_NUM_CTX, req.contextLength));
  return { temperature: settings.temperature, num_predict: settings.numPredict, num_ctx: numCtx };
}

/** The body of `POST /api/generate`, exactly as the seed sends it, plus `num_ctx`. */
export function generateBody(req: LlmRequest, settings: LlmSettings): Record<string, unknown> {
  const body: Record<string, unknown> = { model: settings.model };
  // Top level, never inside `options`: there a thinking model thinks through all of num_predict
  // and answers empty.
  if (!req.omitThink) body.think = settings.think;
  body.prompt = req.prompt;
  if (req.system !== undefined) body.system = req.system;
  body.stream = false;
  body.options = optionsFor(req, settings);
  return body;
}

/** The body of `POST /api/chat`: the same request as messages; `think` at the top level too. */
export function ollamaChatBody(req: LlmRequest, settings: LlmSettings): Record<string, unknown> {
  const messages: Array<{ role: 'system' | 'user'; content: string }> = [];
  if (req.system !== undefined) messages.push({ role: 'system', content: req.system });
  messages.push({ role: 'user', content: req.prompt });
  const body: Record<string, unknown> = { model: settings.model };
  if (!req.omitThink) body.think = settings.think;
  body.messages = messages;
  body.stream = false;
  body.options = optionsFor(req, settings);
  return body;
}

const generateAnswer = z.looseObject({
  response: z.string(),
  thinking: z.string().optional(),
  model: z.string().optional(),
  done_reason: z.string().optional(),
});

const chatAnswer = z.looseObject({
  message: z.looseObject({ content: z.string().nullish(), thinking: z.string().nullish() }),
  model: z.string().optional(),
  done_reason: z.string().optional(),
});

const tagsAnswer = z.looseObject({
  models: z.array(z.looseObject({ name: z.string().optional(), model: z.string().optional() })),
});

/** The server this call goes to: the failover (llm/call.ts) passes one; given a list, the first. */
function baseUrl(settings: LlmSettings): string {
  return serverUrls(settings.baseUrl)[0] ?? OLLAMA_DEFAULT_BASE_URL;
}

/**
 * Ollama's native API: `POST /api/generate` (non-streaming) and `GET /api/tags`.
 * `listModels` reports names only: the context length needs one `POST /api/show` per model,
 * which `showContextLength` does for the one model that matters.
 */
export const ollamaProvider: LlmProvider = {
  name: 'ollama',
  defaultBaseUrl: OLLAMA_DEFAULT_BASE_URL,

  async generate(req, settings, signal): Promise<LlmAnswer> {
    const chat = settings.api === 'chat';
    const url = joinUrl(baseUrl(settings), chat ? 'api/chat' : 'api/generate');
    const body = chat ? ollamaChatBody(req, settings) : generateBody(req, settings);
    const started = performance.now();
    const json = await requestJson({
      method: 'POST',
      url,
      body,
      apiKey: apiKeyOf(settings),
      timeoutMs: settings.timeoutMs,
      ...(signal ? { signal } : {}),
    });
    const durationMs = Math.round(performance.now() - started);
    let a: { response: string; thinking?: string | null | undefined; model?: string | undefined; done_reason?: string | undefined };
    if (chat) {
      const parsed = chatAnswer.safeParse(json);
      if (!parsed.success) throw new LlmError('bad-answer', `POST ${url}: the answer has no "message" (${describeShape(json)})`);
      const { message, ...rest } = parsed.data;
      a = { ...rest, response: message.content ?? '', thinking: message.thinking };
    } else {
      const parsed = generateAnswer.safeParse(json);
      if (!parsed.success) throw new LlmError('bad-answer', `POST ${url}: the answer has no "response" text (${describeShape(json)})`);
      a = parsed.data;
    }
    const answer: LlmAnswer = {
      text: a.response,
      model: a.model ?? settings.model,
      durationMs,
      promptChars: req.prompt.length + (req.system?.length ?? 0),
    };
    if (a.thinking) answer.thinking = a.thinking;
    if (a.done_reason) answer.doneReason = a.done_reason;
    if (answer.text.trim() === '')
      throw emptyAnswer(`POST ${url}`, settings, answer, body.think === false ? undefined : 'a thinking model needs llm.think: false');
    return answer;
  },

  async listModels(settings, signal): Promise<ModelInfo[]> {
    const url = joinUrl(baseUrl(settings), 'api/tags');
    const json = await requestJson({
      method: 'GET',
      url,
      apiKey: apiKeyOf(settings),
      timeoutMs: Math.min(settings.timeoutMs, 30_000),
      ...(signal ? { signal } : {}),
    });
    const parsed = tagsAnswer.safeParse(json);
    if (!parsed.success) throw new LlmError('bad-answer', `GET ${url}: no "models" list in the answer (${describeShape(json)})`);
    const names: ModelInfo[] = [];
    for (const m of parsed.data.models) {
      const name = m.name ?? m.model;
      if (name) names.push({ name });
    }
    return names;
  },
};

const showAnswer = z.looseObject({ model_info: z.record(z.string(), z.unknown()).optional() });

/**
 * The model's trained context length from `POST /api/show` (`model_info["<arch>.context_length"]`),
 * or undefined when the server does not say.
 */
export async function showContextLength(settings: LlmSettings, model: string, signal?: AbortSignal): Promise<number | undefined> {
  const json = await requestJson({
    method: 'POST',
    url: joinUrl(baseUrl(settings), 'api/show'),
    body: { model },
    apiKey: apiKeyOf(settings),
    timeoutMs: Math.min(settings.timeoutMs, 30_000),
    ...(signal ? { signal } : {}),
  });
  const parsed = showAnswer.safeParse(json);
  if (!parsed.success || !parsed.data.model_info) return undefined;
  for (const [key, value] of Object.entries(parsed.data.model_info)) {
    if (key.endsWith('.context_length') && typeof value === 'number' && value > 0) return value;
  }
  return undefined;
}

/** `qwen3` and `qwen3:latest` are the same model to Ollama. */
export function sameModel(a: string, b: string): boolean {
  const norm = (m: string) => {
    const s = m.trim().toLowerCase();
    const lastPart = s.slice(s.lastIndexOf('/') + 1);
    return lastPart.includes(':') ? s : `${s}:latest`;
  };
  return norm(a) === norm(b);
}
