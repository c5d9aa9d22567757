import type { LlmSettings } from './settings.js';
import { MechanicError } from '../util/errors.js';
import { HttpError, httpJson, type HttpCall } from '../util/http.js';

/** Code tokenizes at roughly 3 characters a token; erring high costs memory, erring low loses code. */
export const CHARS_PER_TOKEN = 3;

/** What the mechanic asks a model: one prompt, optionally a system message. */
export interface LlmRequest {
  prompt: string;
  system?: string;
  /**
   * Send no `think` field at all (the server's own default) instead of `settings.think`.
   * Only `doctor` uses it, to learn whether a model needs `think: false` (the seed: a thinking
   * model answers empty without it). Providers whose protocol has no such field ignore it.
   */
  omitThink?: boolean;
  /** The model's context window in tokens, when known: requests are sized to stay inside it. */
  contextLength?: number;
}

/** A model's answer, as received: cleaning it (fences, `<think>` blocks) is `cleanAnswer`'s job. */
export interface LlmAnswer {
  /** The raw answer text. Never empty: an empty answer is an `LlmError` of kind `empty`. */
  text: string;
  /** What a thinking model said before answering, when the server reports it separately. */
  thinking?: string;
  /** The model that answered (as the server names it, else the configured one). */
  model: string;
  durationMs: number;
  /** Characters sent (system + prompt). */
  promptChars: number;
  /** Why generation stopped (`stop`, `length`, …) when the server says. */
  doneReason?: string;
}

export interface ModelInfo {
  name: string;
  /** The model's context window in tokens, when the server reports it. */
  contextLength?: number;
}

/** One model server protocol. Stateless: every call gets the validated settings. */
export interface LlmProvider {
  name: 'ollama' | 'openai';
  /** Used when `llm.baseUrl` is not configured. */
  defaultBaseUrl: string;
  generate(req: LlmRequest, settings: LlmSettings, signal?: AbortSignal): Promise<LlmAnswer>;
  listModels(settings: LlmSettings, signal?: AbortSignal): Promise<ModelInfo[]>;
}

/**
 * - `unreachable`: no connection (refused, unknown host, reset before an answer).
 * - `timeout`: no complete answer within `llm.timeoutMs`.
 * - `aborted`: the caller cancelled (shutdown).
 * - `http`: the server answered with a non-2xx status.
 * - `bad-answer`: the body is not what the protocol promises (not JSON, wrong shape, too big).
 * - `empty`: a well-formed answer with no text in it.
 * - `config`: the settings cannot work (an API key variable that is not set).
 */
export type LlmErrorKind = 'unreachable' | 'timeout' | 'aborted' | 'http' | 'bad-answer' | 'empty' | 'config';

export interface LlmErrorDetails {
  /** HTTP status, for kind `http`. */
  status?: number;
  /** The start of the body, for kinds `http` and `bad-answer`. */
  bodyExcerpt?: string;
  /** For kind `empty`: how much the model wrote in its thinking instead. */
  thinkingChars?: number;
  /** For kind `empty`: the server's done reason. */
  doneReason?: string;
}

/** Every failure of a model call: a kind the caller can act on and a message a person can read. */
export class LlmError extends MechanicError {
  readonly kind: LlmErrorKind;
  readonly status: number | undefined;
  readonly bodyExcerpt: string | undefined;
  readonly thinkingChars: number | undefined;
  readonly doneReason: string | undefined;

  constructor(kind: LlmErrorKind, message: string, details: LlmErrorDetails = {}, options?: { cause?: unknown }) {
    super(message);
    if (options?.cause !== undefined) this.cause = options.cause;
    this.kind = kind;
    this.status = details.status;
    this.bodyExcerpt = details.bodyExcerpt;
    this.thinkingChars = details.thinkingChars;
    this.doneReason = details.doneReason;
  }
}

export function isLlmError(err: unknown, kind?: LlmErrorKind): err is LlmError {
  return err instanceof LlmError && (kind === undefined || err.kind === kind);
}

/** The API key named by `llm.apiKeyEnv`, or undefined when no key is configured. */
export function apiKeyOf(settings: Pick<LlmSettings, 'apiKeyEnv'>, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (settings.apiKeyEnv === undefined) return undefined;
  const key = env[settings.apiKeyEnv];
  if (key === undefined || key === '')
    throw new LlmError('config', `environment variable ${settings.apiKeyEnv} (llm.apiKeyEnv) is not set`);
  return key;
}

/** One JSON request through the shared HTTP client; every failure becomes an `LlmError` of the same kind. */
export async function requestJson(call: HttpCall): Promise<unknown> {
  try {
    return await httpJson({ ...call, timeoutSetting: 'llm.timeoutMs' });
  } catch (err) {
    if (err instanceof HttpError) {
      const details = { ...(err.status !== undefined ? { status: err.status } : {}), ...(err.bodyExcerpt !== undefined ? { bodyExcerpt: err.bodyExcerpt } : {}) };
      throw new LlmError(err.kind, err.message, details, err.cause !== undefined ? { cause: err.cause } : undefined);
    }
    throw err;
  }
}


/** Say why an answer is empty, in the words of the fix (`hint` applies when the model only thought). */
export function emptyAnswer(where: string, settings: Pick<LlmSettings, 'numPredict'>, answer: LlmAnswer, hint?: string): LlmError {
  const thinkingChars = answer.thinking?.length ?? 0;
  let why = 'the model answered with no text';
  if (thinkingChars > 0) why += ` (it wrote ${thinkingChars} characters of thinking instead${hint ? `; ${hint}` : ''})`;
  if (answer.doneReason === 'length') why += `; it stopped at llm.numPredict (${settings.numPredict} tokens)`;
  return new LlmError('empty', `${where}: ${why}`, {
    thinkingChars,
    ...(answer.doneReason !== undefined ? { doneReason: answer.doneReason } : {}),
  });
}

/** A short description of an unexpected JSON value, for messages (never the whole value). */
export function describeShape(json: unknown): string {
  if (json === null) return 'null';
  if (Array.isArray(json)) return `an array of ${json.length}`;
  if (typeof json === 'object') {
    const keys = Object.keys(json);
    return keys.length ? `keys: ${keys.slice(0, 8).join(', ')}` : 'an empty object';
  }
  return `a ${typeof json}`;
}
