/**
 * The project's model test server: a real HTTP server on 127.0.0.1 that speaks Ollama's API and
 * the OpenAI-compatible one, answers model calls from a script, and records every request.
 *
 *   GET  /api/tags              the models (Ollama)
 *   POST /api/show              a model's details, with its context length when given
 *   POST /api/generate          a scripted answer (Ollama)
 *   POST /api/chat              a scripted answer (Ollama chat)
 *   GET  /v1/models             the models (OpenAI-compatible, llama.cpp-style `meta.n_ctx_train`)
 *   POST /v1/chat/completions   a scripted answer (OpenAI-compatible)
 *
 * In a test:   const server = await startModelServer({ answers: [{ text: 'fixed code' }] });
 * From a shell (a daemon test's separate process):
 *   node --import tsx test/helpers/model-server.ts --port 0 --script answers.json [--record requests.jsonl]
 * prints the URL on its first stdout line and serves until SIGTERM/SIGINT. The script file holds
 * an array of answers or `{ "models": [...], "answers": [...], "thinkingModel": true }`;
 * `--record` appends every request to a file as one JSON line.
 */
import fs from 'node:fs';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** What the server does for one model call. Fields combine: `{ text, delayMs }` is a slow answer. */
export interface ScriptedAnswer {
  /** The answer text (`response`, `message.content` or `choices[0].message.content`). */
  text?: string;
  /** Thinking reported beside the answer (`thinking` / `reasoning_content`). */
  thinking?: string;
  /** Answer with this HTTP status (non-2xx: a JSON `{ error }` body made of `text`). */
  status?: number;
  /** Wait this long before answering (a client that gives up first cancels the answer). */
  delayMs?: number;
  /** Send this body as it is, instead of JSON. */
  raw?: string;
  /** Destroy the connection without answering. */
  reset?: boolean;
  /** Stream an answer whose text is this many bytes (valid JSON if read to the end). */
  hugeBytes?: number;
  /** `done_reason` / `finish_reason`; default `stop`. */
  doneReason?: string;
  /** Behave as a thinking model for this answer (see `ModelServerOptions.thinkingModel`). */
  thinkingModel?: boolean;
}

export interface RecordedRequest {
  method: string;
  /** The path without the query string. */
  path: string;
  query: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body, or undefined when there was none or it was not JSON. */
  body: any;
  rawBody: string;
  /** ms since the server started. */
  at: number;
  /** Bytes of answer written so far (grows while a huge answer streams). */
  bytesSent: number;
  /** The script entry used, for model calls. */
  answer?: ScriptedAnswer;
}

export interface ModelEntry {
  name: string;
  contextLength?: number;
}

export interface ModelServerOptions {
  /**
   * Installed models. Default: the seed's `mdq100/qwen3.5-coder:35b`. When given, model calls
   * for a model not listed get Ollama's 404 `model not found` (`name` and `name:latest` match).
   */
  models?: Array<string | ModelEntry>;
  /**
   * Model call answers: an array taken in order (the last one repeats once it runs out), or a
   * function of the request. Default: `console.log("hello")`.
   */
  answers?: ScriptedAnswer[] | ((req: RecordedRequest) => ScriptedAnswer | Promise<ScriptedAnswer>);
  /**
   * Behave like the seed's thinking model: unless the request has `think: false` at the top
   * level (Ollama), the answer text is empty and everything goes to `thinking`. On the OpenAI
   * protocol the text goes to `reasoning_content` unless `chat_template_kwargs.enable_thinking`
   * is false.
   */
  thinkingModel?: boolean;
  port?: number;
  /** Called with each request as it is recorded. */
  onRequest?: (req: RecordedRequest) => void;
}

export interface ModelServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** The model calls only (generate, chat, chat/completions). */
  modelCalls(): RecordedRequest[];
  /** Stops at once: open connections are dropped and pending answers cancelled. */
  close(): Promise<void>;
}

export const DEFAULT_TEST_MODEL = 'mdq100/qwen3.5-coder:35b';
const DEFAULT_ANSWER: ScriptedAnswer = { text: 'console.log("hello")' };
const MODEL_CALLS = new Set(['/api/generate', '/api/chat', '/v1/chat/completions']);

function normModel(m: string): string {
  const s = m.trim().toLowerCase();
  return s.slice(s.lastIndexOf('/') + 1).includes(':') ? s : `${s}:latest`;
}

export async function startModelServer(options: ModelServerOptions = {}): Promise<ModelServer> {
  const started = Date.now();
  const models: ModelEntry[] = (options.models ?? [DEFAULT_TEST_MODEL]).map((m) => (typeof m === 'string' ? { name: m } : m));
  const strictModels = options.models !== undefined;
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let callIndex = 0;
  let closed = false;

  const findModel = (name: unknown): ModelEntry | undefined =>
    typeof name === 'string' ? models.find((m) => normModel(m.name) === normModel(name)) : undefined;

  const nextAnswer = async (rec: RecordedRequest): Promise<ScriptedAnswer> => {
    const a = options.answers;
    if (typeof a === 'function') return a(rec);
    if (!a || a.length === 0) return DEFAULT_ANSWER;
    const i = Math.min(callIndex++, a.length - 1);
    return a[i]!;
  };

  const sendJson = (res: http.ServerResponse, rec: RecordedRequest, status: number, value: unknown) => {
    const text = JSON.stringify(value);
    rec.bytesSent += Buffer.byteLength(text);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void handle(req, res, Buffer.concat(chunks).toString('utf8')).catch((err: unknown) => {
        if (!res.headersSent) sendJson(res, { bytesSent: 0 } as RecordedRequest, 500, { error: String(err) });
        else res.destroy();
      });
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, rawBody: string): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    let body: any;
    try {
      body = rawBody ? JSON.parse(rawBody) : undefined;
    } catch {
      body = undefined;
    }
    const rec: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.search,
      headers: req.headers,
      body,
      rawBody,
      at: Date.now() - started,
      bytesSent: 0,
    };
    requests.push(rec);
    options.onRequest?.(rec);
    const route = `${rec.method} ${rec.path}`;

    if (route === 'GET /api/tags') {
      return sendJson(res, rec, 200, {
        models: models.map((m) => ({
          name: m.name,
          model: m.name,
          modified_at: '2026-03-26T00:00:00Z',
          size: 1,
          digest: 'sha256:0',
          details: { format: 'gguf', family: 'test' },
        })),
      });
    }
    if (route === 'POST /api/show') {
      const m = findModel(body?.model ?? body?.name);
      if (!m) return sendJson(res, rec, 404, { error: `model '${body?.model ?? ''}' not found` });
      const info: Record<string, unknown> = { 'general.architecture': 'test' };
      if (m.contextLength !== undefined) info['test.context_length'] = m.contextLength;
      return sendJson(res, rec, 200, { details: { family: 'test' }, model_info: info, capabilities: ['completion'] });
    }
    if (route === 'GET /v1/models') {
      return sendJson(res, rec, 200, {
        object: 'list',
        data: models.map((m) => ({
          id: m.name,
          object: 'model',
          owned_by: 'model-server',
          ...(m.contextLength !== undefined ? { meta: { n_ctx_train: m.contextLength } } : {}),
        })),
      });
    }
    if (!(rec.method === 'POST' && MODEL_CALLS.has(rec.path))) {
      return sendJson(res, rec, 404, { error: `no route ${route}` });
    }
    if (body === undefined || typeof body !== 'object') return sendJson(res, rec, 400, { error: 'invalid JSON body' });
    if (strictModels && !findModel(body.model)) {
      return sendJson(res, rec, 404, { error: `model "${String(body.model)}" not found, try pulling it first` });
    }

    const answer = await nextAnswer(rec);
    rec.answer = answer;
    if (answer.delayMs) {
      const waited = await wait(answer.delayMs, res);
      if (!waited) return; // the client went away, or the server closed
    }
    if (answer.reset) {
      req.socket.destroy();
      return;
    }
    if (answer.status !== undefined && (answer.status < 200 || answer.status > 299)) {
      if (answer.raw !== undefined) return sendRaw(res, rec, answer.status, answer.raw);
      return sendJson(res, rec, answer.status, { error: answer.text ?? `scripted HTTP ${answer.status}` });
    }
    if (answer.raw !== undefined) return sendRaw(res, rec, answer.status ?? 200, answer.raw);
    const openai = rec.path === '/v1/chat/completions';
    if (answer.hugeBytes !== undefined) return streamHuge(res, rec, answer.hugeBytes, rec.path);

    const thinkingModel = answer.thinkingModel ?? options.thinkingModel ?? false;
    let text = answer.text ?? '';
    let thinking = answer.thinking;
    const thinks = openai ? body.chat_template_kwargs?.enable_thinking !== false : body.think !== false;
    if (thinkingModel && thinks) {
      // The seed's model: without think:false it spends the whole answer thinking.
      thinking = [thinking, text].filter(Boolean).join('\n');
      text = '';
    }
    const model = typeof body.model === 'string' ? body.model : DEFAULT_TEST_MODEL;
    const doneReason = answer.doneReason ?? 'stop';
    const created = new Date().toISOString();
    if (rec.path === '/api/generate') {
      return sendJson(res, rec, answer.status ?? 200, {
        model,
        created_at: created,
        response: text,
        ...(thinking !== undefined ? { thinking } : {}),
        done: true,
        done_reason: doneReason,
        eval_count: Math.ceil(text.length / 3),
      });
    }
    if (rec.path === '/api/chat') {
      return sendJson(res, rec, answer.status ?? 200, {
        model,
        created_at: created,
        message: { role: 'assistant', content: text, ...(thinking !== undefined ? { thinking } : {}) },
        done: true,
        done_reason: doneReason,
      });
    }
    return sendJson(res, rec, answer.status ?? 200, {
      id: `chatcmpl-${requests.length}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: text, ...(thinking !== undefined ? { reasoning_content: thinking } : {}) },
          finish_reason: doneReason,
        },
      ],
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    });
  }

  /** Resolves true after `ms`, false as soon as the client goes away or the server closes. */
  function wait(ms: number, res: http.ServerResponse): Promise<boolean> {
    return new Promise((resolve) => {
      if (closed) return resolve(false);
      const timer = setTimeout(() => {
        timers.delete(timer);
        res.off('close', onClose);
        resolve(!closed && !res.destroyed);
      }, ms);
      timers.add(timer);
      const onClose = () => {
        clearTimeout(timer);
        timers.delete(timer);
        resolve(false);
      };
      res.once('close', onClose);
    });
  }

  function sendRaw(res: http.ServerResponse, rec: RecordedRequest, status: number, raw: string) {
    rec.bytesSent += Buffer.byteLength(raw);
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(raw) });
    res.end(raw);
  }

  /** A JSON answer whose text is `bytes` long, written chunk by chunk as the client reads. */
  async function streamHuge(res: http.ServerResponse, rec: RecordedRequest, bytes: number, route: string) {
    const [head, tail] =
      route === '/v1/chat/completions'
        ? ['{"object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"', '"},"finish_reason":"length"}]}']
        : route === '/api/chat'
          ? ['{"model":"m","message":{"role":"assistant","content":"', '"},"done":true}']
          : ['{"model":"m","response":"', '","done":true,"done_reason":"length"}'];
    // No content-length: chunked, as a streaming server would send it.
    res.writeHead(200, { 'content-type': 'application/json' });
    const write = async (chunk: string): Promise<boolean> => {
      if (res.destroyed || closed) return false;
      rec.bytesSent += chunk.length;
      if (!res.write(chunk)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.on('drain', done);
          res.on('close', done);
        });
      }
      return !res.destroyed && !closed;
    };
    const piece = 'x'.repeat(64 * 1024);
    if (!(await write(head))) return;
    let left = bytes;
    while (left > 0) {
      const n = Math.min(left, piece.length);
      if (!(await write(n === piece.length ? piece : piece.slice(0, n)))) return;
      left -= n;
    }
    if (await write(tail)) res.end();
  }

  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    modelCalls: () => requests.filter((r) => MODEL_CALLS.has(r.path)),
    close: () => {
      if (closed) return Promise.resolve();
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
      });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// CLI: node --import tsx test/helpers/model-server.ts --port 0 --script <file.json> [--record <file>]
// ---------------------------------------------------------------------------------------------

async function main(argv: string[]): Promise<void> {
  const args = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) continue;
    args.set(a.slice(2), argv[i + 1] ?? '');
    i++;
  }
  const opts: ModelServerOptions = { port: Number(args.get('port') ?? 0) };
  const scriptFile = args.get('script');
  if (scriptFile) {
    const script = JSON.parse(fs.readFileSync(scriptFile, 'utf8')) as unknown;
    if (Array.isArray(script)) opts.answers = script as ScriptedAnswer[];
    else if (script && typeof script === 'object') {
      const s = script as { models?: ModelServerOptions['models']; answers?: ScriptedAnswer[]; thinkingModel?: boolean };
      if (s.models) opts.models = s.models;
      if (s.answers) opts.answers = s.answers;
      if (s.thinkingModel !== undefined) opts.thinkingModel = s.thinkingModel;
    } else throw new Error(`${scriptFile}: expected an array of answers or an object`);
  }
  const record = args.get('record');
  if (record) opts.onRequest = (r) => fs.appendFileSync(record, `${JSON.stringify({ ...r, answer: undefined })}\n`);
  const server = await startModelServer(opts);
  process.stdout.write(`${server.url}\n`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

const invoked = process.argv[1];
if (invoked && import.meta.url === pathToFileURL(path.resolve(invoked)).href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`model-server: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  });
}
