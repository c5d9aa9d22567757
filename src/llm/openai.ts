import { z } from 'zod';
import { serverUrls, type LlmSettings } from './settings.js';
import { CHARS_PER_TOKEN, LlmError, apiKeyOf, describeShape, emptyAnswer, requestJson, type LlmAnswer, type LlmProvider, type LlmRequest, type ModelInfo } from './types.js';
import { joinUrl } from '../util/http.js';

/** llama.cpp's server; vLLM (8000) and LM Studio (1234) are set with `llm.baseUrl`. */
export const OPENAI_DEFAULT_BASE_URL = 'http://127.0.0.1:8080';

/** `root/v1/<path>`; a base URL that already ends in `/v1` is not doubled. */
export function openaiUrl(base: string, path: string): string {
  const root = base.replace(/\/+$/, '');
  return joinUrl(/\/v1$/i.test(root) ? root : `${root}/v1`, path);
}

/** The body of `POST /v1/chat/completions`. The protocol has no `think` field; it is not sent. */
export function chatBody(req: LlmRequest, settings: LlmSettings): Record<string, unknown> {
  const messages: Array<{ role: 'system' | 'user'; content: string }> = [];
  if (req.system !== undefined) messages.push({ role: 'system', content: req.system });
  messages.push({ role: 'user', content: req.prompt });
  return {
    model: settings.model,
    messages,
    temperature: settings.temperature,
    max_tokens: maxTokensFor(req, settings),
    stream: false,
  };
}

/** `max_tokens`, lowered when prompt and answer would not fit the model's window (servers refuse). */
function maxTokensFor(req: LlmRequest, settings: LlmSettings): number {
  if (req.contextLength === undefined) return settings.numPredict;
  const promptTokens = Math.ceil((req.prompt.length + (req.system?.length ?? 0)) / CHARS_PER_TOKEN) + 64;
  return Math.max(1, Math.min(settings.numPredict, req.contextLength - promptTokens));
}

const chatAnswer = z.looseObject({
  model: z.string().optional(),
  choices: z
    .array(
      z.looseObject({
        message: z.looseObject({
          content: z.string().nullish(),
          /** llama.cpp, DeepSeek */
          reasoning_content: z.string().nullish(),
          /** vLLM, OpenRouter */
          reasoning: z.string().nullish(),
        }),
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1),
});

const modelsAnswer = z.looseObject({
  data: z.array(
    z.looseObject({
      id: z.string(),
      context_length: z.number().optional(),
      max_model_len: z.number().optional(),
      meta: z.looseObject({ n_ctx_train: z.number().optional(), n_ctx: z.number().optional() }).nullish(),
    }),
  ),
});

/** The server this call goes to: the failover (llm/call.ts) passes one; given a list, the first. */
function baseUrl(settings: LlmSettings): string {
  return serverUrls(settings.baseUrl)[0] ?? OPENAI_DEFAULT_BASE_URL;
}

/**
 * OpenAI-compatible servers (llama.cpp's server, vLLM, LM Studio, hosted APIs):
 * `POST /v1/chat/completions` and `GET /v1/models`, with `Authorization: Bearer` from the
 * variable `llm.apiKeyEnv` names.
 */
export const openaiProvider: LlmProvider = {
  name: 'openai',
  defaultBaseUrl: OPENAI_DEFAULT_BASE_URL,

  async generate(req, settings, signal): Promise<LlmAnswer> {
    const url = openaiUrl(baseUrl(settings), 'chat/completions');
    const started = performance.now();
    const json = await requestJson({
      method: 'POST',
      url,
      body: chatBody(req, settings),
      apiKey: apiKeyOf(settings),
      timeoutMs: settings.timeoutMs,
      ...(signal ? { signal } : {}),
    });
    const durationMs = Math.round(performance.now() - started);
    const parsed = chatAnswer.safeParse(json);
    if (!parsed.success)
      throw new LlmError('bad-answer', `POST ${url}: the answer has no choices[0].message (${describeShape(json)})`);
    const choice = parsed.data.choices[0]!;
    const answer: LlmAnswer = {
      text: choice.message.content ?? '',
      model: parsed.data.model ?? settings.model,
      durationMs,
      promptChars: req.prompt.length + (req.system?.length ?? 0),
    };
    const thinking = choice.message.reasoning_content ?? choice.message.reasoning;
    if (thinking) answer.thinking = thinking;
    if (choice.finish_reason) answer.doneReason = choice.finish_reason;
    if (answer.text.trim() === '') throw emptyAnswer(`POST ${url}`, settings, answer, 'turn thinking off on the server or raise llm.numPredict');
    return answer;
  },

  async listModels(settings, signal): Promise<ModelInfo[]> {
    const url = openaiUrl(baseUrl(settings), 'models');
    const json = await requestJson({
      method: 'GET',
      url,
      apiKey: apiKeyOf(settings),
      timeoutMs: Math.min(settings.timeoutMs, 30_000),
      ...(signal ? { signal } : {}),
    });
    const parsed = modelsAnswer.safeParse(json);
    if (!parsed.success) throw new LlmError('bad-answer', `GET ${url}: no "data" list of models in the answer (${describeShape(json)})`);
    return parsed.data.data.map((m) => {
      const ctx = m.context_length ?? m.max_model_len ?? m.meta?.n_ctx ?? m.meta?.n_ctx_train;
      return ctx !== undefined && ctx > 0 ? { name: m.id, contextLength: ctx } : { name: m.id };
    });
  },
};
