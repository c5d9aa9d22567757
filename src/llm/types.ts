import type { LlmSettings } from '../config/schema.js';
import { MechanicError, errorMessage } from '../util/errors.js';

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

// ---------------------------------------------------------------------------------------------
// The HTTP transport both providers share: one timeout, one body cap, one mapping of failures
// to error kinds.
// ---------------------------------------------------------------------------------------------

/** Answers larger than this are refused; reading stops there (a runaway model cannot fill memory). */
export const MAX_ANSWER_BYTES = 8 * 1024 * 1024;
/** Error bodies are read up to this, for the excerpt. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;
const EXCERPT_CHARS = 200;

/** `base` + `path` with exactly one slash between them. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/** The API key named by `llm.apiKeyEnv`, or undefined when no key is configured. */
export function apiKeyOf(settings: Pick<LlmSettings, 'apiKeyEnv'>, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (settings.apiKeyEnv === undefined) return undefined;
  const key = env[settings.apiKeyEnv];
  if (key === undefined || key === '')
    throw new LlmError('config', `environment variable ${settings.apiKeyEnv} (llm.apiKeyEnv) is not set`);
  return key;
}

export interface HttpCall {
  method: 'GET' | 'POST';
  url: string;
  body?: unknown;
  /** Bearer token for `Authorization`. */
  apiKey?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Cap on the answer body; default MAX_ANSWER_BYTES. */
  maxBytes?: number;
}

/** What a request is called in messages: `POST http://host/api/generate`. */
function what(call: HttpCall): string {
  return `${call.method} ${call.url}`;
}

/**
 * One JSON request with the per-call timeout (combined with the caller's signal) covering the
 * connection, the headers and the whole body. Resolves to the parsed JSON of a 2xx answer;
 * every failure is an `LlmError`.
 */
export async function requestJson(call: HttpCall): Promise<unknown> {
  const timeout = AbortSignal.timeout(call.timeoutMs);
  // Ours, to drop the connection when the body goes over the cap.
  const own = new AbortController();
  const signals = [timeout, own.signal];
  if (call.signal) signals.push(call.signal);
  const signal = AbortSignal.any(signals);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (call.body !== undefined) headers['content-type'] = 'application/json';
  if (call.apiKey !== undefined) headers.authorization = `Bearer ${call.apiKey}`;

  const failure = (err: unknown, during: string): LlmError => {
    if (err instanceof LlmError) return err;
    if (timeout.aborted) return new LlmError('timeout', `${what(call)}: no answer within ${call.timeoutMs} ms (llm.timeoutMs)`, {}, { cause: err });
    if (call.signal?.aborted) return new LlmError('aborted', `${what(call)}: cancelled`, {}, { cause: err });
    return new LlmError('unreachable', `${what(call)}: ${during}: ${networkReason(err)}`, {}, { cause: err });
  };

  let res: Response;
  try {
    if (call.signal?.aborted) throw call.signal.reason;
    res = await fetch(call.url, {
      method: call.method,
      headers,
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
      signal,
      redirect: 'follow',
    });
  } catch (err) {
    throw failure(err, 'cannot connect');
  }

  if (!res.ok) {
    let text = '';
    try {
      text = (await readCapped(res, MAX_ERROR_BODY_BYTES, own, true)).text;
    } catch (err) {
      if (timeout.aborted || call.signal?.aborted) throw failure(err, 'reading the error');
      // The status is what matters; a body we could not read is no excerpt.
    }
    const excerpt = excerptOf(errorFieldOf(text) ?? text);
    throw new LlmError('http', `${what(call)}: HTTP ${res.status}${excerpt ? `: ${excerpt}` : ''}`, {
      status: res.status,
      bodyExcerpt: excerpt,
    });
  }

  const max = call.maxBytes ?? MAX_ANSWER_BYTES;
  let text: string;
  try {
    const read = await readCapped(res, max, own, false);
    text = read.text;
  } catch (err) {
    throw failure(err, 'connection lost while reading the answer');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new LlmError('bad-answer', `${what(call)}: the answer is not JSON: ${excerptOf(text) || '(empty body)'}`, {
      bodyExcerpt: excerptOf(text),
    });
  }
}

/**
 * Read a body up to `max` bytes. Over the cap: with `truncate`, keep the first `max` bytes;
 * otherwise a `bad-answer` error. Either way reading stops and the connection is dropped.
 */
async function readCapped(res: Response, max: number, own: AbortController, truncate: boolean): Promise<{ text: string }> {
  const declared = Number(res.headers.get('content-length'));
  if (!truncate && Number.isFinite(declared) && declared > max) {
    own.abort();
    void res.body?.cancel().catch(() => undefined);
    throw tooBig(res.url, max, `declares ${declared} bytes`);
  }
  if (!res.body) return { text: '' };
  // fetch's types leave the chunks `any`; a response body's chunks are bytes
  const reader: ReadableStreamDefaultReader<Uint8Array> = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (total + value.byteLength > max) {
      if (truncate) chunks.push(value.subarray(0, max - total));
      total += value.byteLength;
      own.abort();
      void reader.cancel().catch(() => undefined);
      if (truncate) break;
      throw tooBig(res.url, max, `more than ${max} bytes`);
    }
    chunks.push(value);
    total += value.byteLength;
  }
  return { text: new TextDecoder('utf-8').decode(Buffer.concat(chunks)) };
}

function tooBig(url: string, max: number, how: string): LlmError {
  return new LlmError('bad-answer', `${url}: the answer is too large (${how}; the limit is ${Math.round(max / 1024 / 1024)} MB), not read`);
}

/** `{ "error": "..." }` (Ollama) or `{ "error": { "message": "..." } }` (OpenAI). */
function errorFieldOf(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { error?: unknown; message?: unknown };
    if (typeof body.error === 'string') return body.error;
    if (body.error && typeof body.error === 'object' && typeof (body.error as { message?: unknown }).message === 'string')
      return (body.error as { message: string }).message;
    if (typeof body.message === 'string') return body.message;
  } catch {
    /* not JSON */
  }
  return undefined;
}

function excerptOf(text: string): string {
  const flat = text.slice(0, EXCERPT_CHARS * 4).replace(/\s+/g, ' ').trim();
  return flat.length > EXCERPT_CHARS ? `${flat.slice(0, EXCERPT_CHARS - 1)}…` : flat;
}

/** undici's `fetch failed` hides the reason in `cause`: ECONNREFUSED, ENOTFOUND, … */
function networkReason(err: unknown): string {
  const seen = new Set<unknown>();
  let e: unknown = err;
  const parts: string[] = [];
  while (e instanceof Error && !seen.has(e)) {
    seen.add(e);
    const code = (e as { code?: unknown }).code;
    parts.push(typeof code === 'string' ? `${code}${e.message && !e.message.includes(code) ? ` (${e.message})` : ''}` : e.message);
    e = e.cause;
  }
  const reason = parts.filter((p) => p && p !== 'fetch failed').join(': ');
  return reason || errorMessage(err);
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
