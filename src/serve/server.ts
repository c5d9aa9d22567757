import crypto from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import type { Config } from '../config/load.js';
import { runCycle, type CycleReport } from '../cycle.js';
import type { DaemonControl } from '../daemon.js';
import { deliverOnce } from '../notify/deliver.js';
import { applyProposal } from '../ops/apply.js';
import { needsPerson } from '../ops/attention.js';
import { retry, snooze } from '../ops/holds.js';
import { revertFix } from '../ops/revert.js';
import { status } from '../ops/status.js';
import { toHealthCheck } from '../probes/health-format.js';
import { summarize } from '../probes/run.js';
import { readLog } from '../state/log.js';
import { loadState } from '../state/state.js';
import { BusyError, errorMessage, SafetyError, StateError, UsageError } from '../util/errors.js';
import { scrubberFor, scrubDeep, type Scrub } from '../util/secrets.js';
import { serial } from '../util/serial.js';
import { liveHolder } from '../workspace/lock.js';
import { dashboardPage } from './dashboard.js';
import { dashboard, fixViews, probeViews, relPath } from './data.js';
import { createMetrics, type Metrics } from './metrics.js';

import { DEFAULT_HOST, DEFAULT_PORT } from './address.js';
/** The token every route needs when the server is bound beyond loopback. */
export const TOKEN_ENV = 'MECHANIC_HTTP_TOKEN';
const MIN_TOKEN_CHARS = 16;
/** Action bodies are a few fields: anything larger is refused before it is read whole. */
export const MAX_BODY_BYTES = 16 * 1024;
/** How long `mechanic serve` spends delivering notifications after an action. */
const NOTIFY_BUDGET_MS = 10_000;

export interface ServeOptions {
  config: Config;
  host?: string;
  port?: number;
  env?: NodeJS.ProcessEnv;
  /** Served inside the daemon (`daemon --http`): actions run between its cycles, "run a cycle" wakes it. */
  control?: DaemonControl;
  warn?: (message: string) => void;
}

export interface MechanicServer {
  url: string;
  host: string;
  port: number;
  /** What every action needs (`X-Mechanic-Token`), and every route when bound beyond loopback. */
  token: string;
  /** Bound beyond loopback: every route needs the token. */
  tokenRequired: boolean;
  metrics: Metrics;
  /** Stops listening and ends open connections; an action under way finishes first. */
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** 127.0.0.0/8, ::1, `localhost`: reachable from this machine only. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1' || h === '::ffff:127.0.0.1') return true;
  return net.isIPv4(h) && h.startsWith('127.');
}

/** Compared through their digests: same length, constant time. */
function sameToken(a: string, b: string): boolean {
  const d = (s: string) => crypto.createHash('sha256').update(s).digest();
  return crypto.timingSafeEqual(d(a), d(b));
}

/** The token a request carries: `X-Mechanic-Token`, `Authorization: Bearer`, or (reads only) Basic's password. */
function tokenOf(req: http.IncomingMessage, allowBasic: boolean): string | undefined {
  const header = req.headers['x-mechanic-token'];
  if (typeof header === 'string' && header) return header;
  const auth = req.headers.authorization ?? '';
  const bearer = /^Bearer\s+(\S+)$/i.exec(auth);
  if (bearer) return bearer[1];
  // A browser resends Basic credentials by itself, cross-site too: good enough to read, never to act.
  const basic = allowBasic ? /^Basic\s+(\S+)$/i.exec(auth) : null;
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    return decoded.slice(decoded.indexOf(':') + 1);
  }
  return undefined;
}

type Route = (ctx: RequestContext) => Promise<Reply> | Reply;
interface RequestContext {
  url: URL;
  body: Record<string, unknown>;
}
interface Reply {
  status?: number;
  /** JSON (scrubbed before it is sent), or a text body with its type. */
  json?: unknown;
  text?: string;
  type?: string;
  headers?: Record<string, string>;
}

/**
 * The dashboard, `/metrics`, `/health` and `/api/…` on Node's own http server. Loopback by default;
 * beyond loopback only with a token from the environment, which every route then needs. Every
 * action is a POST that needs the token (a random one per server unless the environment gives
 * one): a page on another site can neither read it nor send the header without a preflight this
 * server never grants.
 */
export async function startServer(opts: ServeOptions): Promise<MechanicServer> {
  const { config, control } = opts;
  const env = opts.env ?? process.env;
  const host = opts.host ?? DEFAULT_HOST;
  const port = opts.port ?? DEFAULT_PORT;
  const warn = opts.warn ?? (() => {});
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`port: expected 0 to 65535, got ${port}`);
  const loopback = isLoopback(host);
  const envToken = env[TOKEN_ENV];
  if (envToken !== undefined && envToken.length < MIN_TOKEN_CHARS)
    throw new UsageError(`${TOKEN_ENV} is set but shorter than ${MIN_TOKEN_CHARS} characters: use a long random value (e.g. \`openssl rand -hex 24\`)`);
  if (!loopback && !envToken)
    throw new UsageError(`${host} is beyond loopback: set ${TOKEN_ENV} (${MIN_TOKEN_CHARS} characters or more) in the environment, which every route then needs (X-Mechanic-Token or Authorization: Bearer), or serve on 127.0.0.1`);
  const token = envToken ?? crypto.randomBytes(24).toString('base64url');
  const tokenRequired = !loopback;
  const scrub: Scrub = scrubberFor(config, env);
  const metrics = createMetrics(config);
  // Actions one at a time, and (inside the daemon) never during a cycle.
  const exclusive = control?.exclusive ?? serial();
  let standaloneCycle: { running: boolean; last?: { startedAt: string; finishedAt?: string; summary?: string; exitCode?: number; error?: string } } = { running: false };

  /** After an action by `mechanic serve` alone, deliver what it owes (the daemon delivers its own). */
  const notifyAfter = () => {
    if (!control) void exclusive(() => deliverOnce(config, { budgetMs: NOTIFY_BUDGET_MS })).catch((err: unknown) => warn(`notify: ${errorMessage(err)}`));
  };
  const lockHeld = !!control;
  // Closing cuts a cycle this server started as the daemon's shutdown does: the write under way completes.
  const stopping = new AbortController();

  const str = (body: Record<string, unknown>, key: string): string => {
    const v = body[key];
    if (typeof v !== 'string' || !v.trim() || v.length > 4096) throw new HttpError(400, `${key}: expected a non-empty string`);
    return v.trim();
  };

  const startCycle = (): Reply => {
    if (control) {
      control.wake();
      return { status: 202, json: { ok: true, message: control.phase === 'cycle' ? 'a cycle is under way; another starts when it ends' : 'the daemon starts a cycle now' } };
    }
    if (standaloneCycle.running) throw new HttpError(409, 'a cycle started from this page is still under way');
    const holder = liveHolder(config.stateDir);
    if (holder) throw new HttpError(409, `another mechanic (pid ${holder.pid}, \`${holder.command}\`) holds the state folder${holder.command === 'daemon' ? ': the daemon runs the cycles' : ''}`);
    const startedAt = new Date().toISOString();
    standaloneCycle = { running: true, last: { startedAt } };
    void exclusive(async () => {
      try {
        const report: CycleReport = await runCycle({ config, mode: 'run', warn, signal: stopping.signal });
        metrics.observeCycle(report.startedAt, report.finishedAt);
        standaloneCycle = { running: false, last: { startedAt, finishedAt: report.finishedAt, summary: report.summary, exitCode: report.exitCode } };
      } catch (err) {
        standaloneCycle = { running: false, last: { startedAt, error: errorMessage(err) } };
        warn(`cycle failed: ${errorMessage(err)}`);
      }
      await deliverOnce(config, { budgetMs: NOTIFY_BUDGET_MS });
    });
    return { status: 202, json: { ok: true, message: 'a cycle started (under the state lock); the page shows it when it ends' } };
  };

  const limitOf = (url: URL, fallback: number): number => {
    const v = url.searchParams.get('limit');
    if (v === null) return fallback;
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < 1 || n > 1000) throw new HttpError(400, `limit: expected a whole number 1 to 1000, got "${v}"`);
    return n;
  };

  const gets: Record<string, Route> = {
    '/': () => {
      const nonce = crypto.randomBytes(16).toString('base64');
      return {
        text: dashboardPage({ token, nonce, title: `code-mechanic · ${config.roots.map((r) => r.split(/[\\/]/).pop()).join(', ')}` }),
        type: 'text/html; charset=utf-8',
        headers: {
          'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
        },
      };
    },
    '/metrics': async () => ({ text: await metrics.registry.metrics(), type: metrics.registry.contentType }),
    '/health': () => {
      const state = loadState(config.stateDir);
      const doc = toHealthCheck(state.lastProbes, state.lastProbes.length ? summarize(state.lastProbes) : 'no probe results yet');
      // The mechanic's own cycles: failing ones fail the document as a down probe does, so that a
      // monitor of /health sees a daemon that runs but gets nothing done.
      const f = state.cycleFailure;
      if (f) {
        doc.checks['mechanic:cycles'] = [
          { componentId: 'mechanic', componentType: 'cycles', status: 'fail', time: f.lastAt, observedValue: f.cycles, observedUnit: 'failed cycles in a row', output: `failing since ${f.since}: ${f.message}` },
        ];
        doc.status = 'fail';
        doc.output = `mechanic cycles failing since ${f.since}: ${f.message}; ${doc.output}`;
      }
      // The draft's advice: a failing service answers 4xx/5xx, so a plain HTTP check sees it too.
      return { status: doc.status === 'fail' ? 503 : 200, json: doc, type: 'application/health+json' };
    },
    '/api/status': () => ({ json: { ...status(config), ...(control ? { daemon: { phase: control.phase, cycles: control.cycles, nextCycleAt: control.nextCycleAt === undefined ? null : new Date(control.nextCycleAt).toISOString() } } : {}), serve: { inDaemon: !!control, cycle: standaloneCycle } } }),
    '/api/dashboard': () => ({ json: { ...dashboard(config, control, Date.now()), serve: { inDaemon: !!control, cycle: standaloneCycle } } }),
    '/api/probes': () => ({ json: { probes: probeViews(loadState(config.stateDir)) } }),
    '/api/bugs': () => ({ json: { bugs: (loadState(config.stateDir).openBugs ?? []).map((b) => ({ ...b, rel: relPath(b.file, config.roots) })), snoozes: status(config).snoozes } }),
    '/api/fixes': ({ url }) => ({ json: { fixes: fixViews(config, readLog(config.stateDir), limitOf(url, 20)) } }),
    '/api/log': ({ url }) => ({ json: { entries: readLog(config.stateDir).slice(-limitOf(url, 50)).reverse() } }),
    '/api/needs-person': () => ({ json: needsPerson(loadState(config.stateDir), readLog(config.stateDir)) }),
  };

  const posts: Record<string, Route> = {
    '/api/actions/revert': async ({ body }) => {
      const target = str(body, 'fixId');
      const r = await exclusive(() => revertFix({ config, target, force: body.force === true, lockHeld }));
      notifyAfter();
      return { json: { ok: true, message: `reverted fix ${r.fixId}: ${relPath(r.file, config.roots)} restored`, result: r } };
    },
    '/api/actions/apply': async ({ body }) => {
      const target = str(body, 'fixId');
      const r = await exclusive(() => applyProposal({ config, target, lockHeld }));
      notifyAfter();
      const applied = r.fix.outcome === 'applied';
      return { status: applied ? 200 : 409, json: { ok: applied, message: `${applied ? 'applied' : 'not applied'}: proposal ${r.proposal} to ${relPath(r.file, config.roots)}: ${r.fix.reason}`, ...(applied ? {} : { error: `not applied: ${r.fix.reason}` }), result: r } };
    },
    '/api/actions/retry': ({ body }) => {
      const r = retry({ config, target: str(body, 'target') });
      return { json: { ok: true, message: `${relPath(r.file, config.roots)}: ${r.lifted.length ? `${r.lifted.join(' and ')} lifted` : 'nothing was holding it'}; the next cycle may attempt it`, result: r } };
    },
    '/api/actions/snooze': ({ body }) => {
      const r = snooze({ config, target: str(body, 'target'), duration: str(body, 'duration') });
      return { json: { ok: true, message: `snoozed ${relPath(r.file, config.roots)} until ${r.until}`, result: r } };
    },
    '/api/actions/run-cycle': () => startCycle(),
  };

  const allowedHosts = new Set<string>();
  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    let reply: Reply;
    try {
      const url = new URL(req.url ?? '/', 'http://mechanic.invalid');
      // Bound to loopback, only loopback names: a DNS-rebound name would otherwise make a hostile
      // page same-origin with the dashboard, token included.
      if (!tokenRequired && !allowedHosts.has((req.headers.host ?? '').toLowerCase()))
        throw new HttpError(403, `Host "${req.headers.host ?? ''}" is not served here: use http://127.0.0.1:${boundPort}/ (a guard against DNS rebinding)`);
      if (tokenRequired) {
        const given = tokenOf(req, req.method === 'GET' || req.method === 'HEAD');
        if (!given || !sameToken(given, token))
          throw new HttpError(401, `this server is bound beyond loopback: every request needs the token from ${TOKEN_ENV} (X-Mechanic-Token, Authorization: Bearer, or as the password of HTTP Basic for reads)`, { 'www-authenticate': 'Basic realm="code-mechanic", charset="UTF-8"' });
      }
      const get = gets[url.pathname];
      const post = posts[url.pathname];
      if (get && (req.method === 'GET' || req.method === 'HEAD')) reply = await get({ url, body: {} });
      else if (post && req.method === 'POST') {
        const given = tokenOf(req, false);
        if (!given || !sameToken(given, token)) throw new HttpError(403, 'an action needs the token of this server (X-Mechanic-Token, as the dashboard sends it); nothing was changed');
        reply = await post({ url, body: await readBody(req) });
      } else if (get || post) throw new HttpError(405, `${req.method ?? ''} is not allowed on ${url.pathname}`, { allow: get ? 'GET, HEAD' : 'POST' });
      else throw new HttpError(404, `no such route: ${url.pathname} (try /, /metrics, /health, /api/dashboard)`);
    } catch (err) {
      reply = errorReply(err);
      if (reply.status === 500) warn(`serve: ${req.method ?? ''} ${req.url ?? ''}: ${errorMessage(err)}`);
    }
    send(req, res, reply, scrub);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      warn(`serve: ${errorMessage(err)}`);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(new UsageError(`cannot listen on ${host}:${port}: ${err.code ?? err.message}${err.code === 'EADDRINUSE' ? ' (the port is taken: choose another with --port)' : ''}`)));
    server.listen(port, host, () => resolve());
  });
  server.on('error', (err) => warn(`serve: ${errorMessage(err)}`));
  const boundPort = (server.address() as net.AddressInfo).port;
  for (const name of ['127.0.0.1', 'localhost', '[::1]', host.includes(':') && !host.startsWith('[') ? `[${host}]` : host]) allowedHosts.add(`${name.toLowerCase()}:${boundPort}`);
  const shown = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${boundPort}/`,
    host,
    port: boundPort,
    token,
    tokenRequired,
    metrics,
    async close() {
      metrics.close();
      stopping.abort();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      // A cycle or an action under way finishes before the caller goes on.
      await exclusive(async () => {});
    },
  };
}

async function readBody(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) throw new HttpError(413, `request body over ${MAX_BODY_BYTES} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) return {};
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw new HttpError(415, `expected Content-Type: application/json, got "${type || 'none'}"`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, `the body is not JSON: ${errorMessage(err)}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'the body must be a JSON object');
  return body as Record<string, unknown>;
}

function errorReply(err: unknown): Reply {
  if (err instanceof HttpError) return { status: err.status, json: { error: err.message }, headers: err.headers };
  // What the operations say a person did wrong, or refused to do, is said as it is.
  const status = err instanceof UsageError ? 400 : err instanceof SafetyError || err instanceof BusyError ? 409 : err instanceof StateError ? 500 : 500;
  return { status, json: { error: errorMessage(err) } };
}

const COMMON_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

function send(req: http.IncomingMessage, res: http.ServerResponse, reply: Reply, scrub: Scrub): void {
  const body = reply.json !== undefined ? `${JSON.stringify(scrubDeep(reply.json, scrub), null, 1)}\n` : (reply.text ?? '');
  const type = reply.type ?? (reply.json !== undefined ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8');
  res.writeHead(reply.status ?? 200, { ...COMMON_HEADERS, 'content-type': type, 'content-length': Buffer.byteLength(body), ...reply.headers });
  res.end(req.method === 'HEAD' ? undefined : body);
}
