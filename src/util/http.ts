import { MechanicError, errorMessage } from './errors.js';

/**
 * The one HTTP client of the mechanic (model servers, and whatever else speaks JSON over HTTP):
 * one timeout covering connection, headers and body, one body cap, one mapping of failures to
 * kinds a caller can act on.
 */
export type HttpErrorKind = 'unreachable' | 'timeout' | 'aborted' | 'http' | 'bad-answer';

export class HttpError extends MechanicError {
  readonly kind: HttpErrorKind;
  readonly status: number | undefined;
  readonly bodyExcerpt: string | undefined;

  constructor(kind: HttpErrorKind, message: string, details: { status?: number; bodyExcerpt?: string } = {}, options?: { cause?: unknown }) {
    super(message);
    if (options?.cause !== undefined) this.cause = options.cause;
    this.kind = kind;
    this.status = details.status;
    this.bodyExcerpt = details.bodyExcerpt;
  }
}

/** Answers larger than this are refused; reading stops there (a runaway model cannot fill memory). */
export const MAX_ANSWER_BYTES = 8 * 1024 * 1024;
/** Error bodies are read up to this, for the excerpt. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;
const EXCERPT_CHARS = 200;

/**
 * `base` + `rel` with exactly one slash between them; base may have a path of its own (GitHub
 * Enterprise's /api/v3, a proxy's prefix), which is kept.
 */
export function joinUrl(base: string, rel: string): string {
  return `${base.replace(/\/+$/, '')}/${rel.replace(/^\/+/, '')}`;
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
  /** The setting a timeout message names, e.g. `llm.timeoutMs`. */
  timeoutSetting?: string;
}

/** What a request is called in messages: `POST http://host/api/generate`. */
function what(call: HttpCall): string {
  return `${call.method} ${call.url}`;
}

/**
 * One JSON request with the per-call timeout (combined with the caller's signal) covering the
 * connection, the headers and the whole body. Resolves to the parsed JSON of a 2xx answer;
 * every failure is an `HttpError`.
 */
export async function httpJson(call: HttpCall): Promise<unknown> {
  const timeout = AbortSignal.timeout(call.timeoutMs);
  // Ours, to drop the connection when the body goes over the cap.
  const own = new AbortController();
  const signals = [timeout, own.signal];
  if (call.signal) signals.push(call.signal);
  const signal = AbortSignal.any(signals);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (call.body !== undefined) headers['content-type'] = 'application/json';
  if (call.apiKey !== undefined) headers.authorization = `Bearer ${call.apiKey}`;

  const failure = (err: unknown, during: string): HttpError => {
    if (err instanceof HttpError) return err;
    if (timeout.aborted) return new HttpError('timeout', `${what(call)}: no answer within ${call.timeoutMs} ms${call.timeoutSetting ? ` (${call.timeoutSetting})` : ''}`, {}, { cause: err });
    if (call.signal?.aborted) return new HttpError('aborted', `${what(call)}: cancelled`, {}, { cause: err });
    return new HttpError('unreachable', `${what(call)}: ${during}: ${networkReason(err)}`, {}, { cause: err });
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
    throw new HttpError('http', `${what(call)}: HTTP ${res.status}${excerpt ? `: ${excerpt}` : ''}`, {
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
    throw new HttpError('bad-answer', `${what(call)}: the answer is not JSON: ${excerptOf(text) || '(empty body)'}`, {
      bodyExcerpt: excerptOf(text),
    });
  }
}

/** A request whose answer is read as text, whatever its status (webhooks, chat services, ntfy). */
export interface TextCall {
  method: 'POST' | 'PUT' | 'GET';
  url: string;
  body?: string;
  headers?: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal;
  /** The answer is read up to this many bytes (the rest is dropped); default 64 KB. */
  maxBytes?: number;
  /** A receiver that redirects is refused, unless `follow`. */
  redirect?: 'error' | 'follow';
}

/**
 * One request with the same timeout and cap as `httpJson`; any status is an answer (the caller
 * judges it). A request that got no answer is an `HttpError` (`unreachable`, `timeout`, `aborted`).
 */
export async function httpText(call: TextCall): Promise<{ status: number; text: string }> {
  const timeout = AbortSignal.timeout(call.timeoutMs);
  const own = new AbortController();
  const signal = AbortSignal.any(call.signal ? [timeout, own.signal, call.signal] : [timeout, own.signal]);
  const where = `${call.method} ${call.url}`;
  const failure = (err: unknown, during: string): HttpError => {
    if (err instanceof HttpError) return err;
    if (timeout.aborted) return new HttpError('timeout', `${where}: no answer within ${call.timeoutMs} ms`, {}, { cause: err });
    if (call.signal?.aborted) return new HttpError('aborted', `${where}: cancelled`, {}, { cause: err });
    return new HttpError('unreachable', `${where}: ${during}: ${networkReason(err)}`, {}, { cause: err });
  };
  let res: Response;
  try {
    res = await fetch(call.url, { method: call.method, headers: call.headers ?? {}, body: call.body ?? null, signal, redirect: call.redirect ?? 'error' });
  } catch (err) {
    throw failure(err, 'cannot connect');
  }
  try {
    return { status: res.status, text: (await readCapped(res, call.maxBytes ?? MAX_ERROR_BODY_BYTES, own, true)).text };
  } catch (err) {
    // The status is the answer; a body cut off by the timeout is no excerpt.
    if (timeout.aborted || call.signal?.aborted) return { status: res.status, text: '' };
    throw failure(err, 'reading the answer');
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
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
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

function tooBig(url: string, max: number, how: string): HttpError {
  return new HttpError('bad-answer', `${url}: the answer is too large (${how}; the limit is ${Math.round(max / 1024 / 1024)} MB), not read`);
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

